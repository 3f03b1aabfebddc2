/**
 * @module media-files: what an uploaded photo or video really is, and the same file without its metadata.
 *
 * `sniff` names a file's type from its magic bytes alone; `inspect` reads the headers of a file of a type
 * already sniffed — dimensions, duration — and returns the bytes to store, with the metadata that could name
 * a place, a device or a time removed segment by segment (no pixel is decoded or re-encoded). A file whose
 * structure does not hold together throws `UnreadableMedia`. Workers-safe: Uint8Array and DataView only.
 *
 * @example
 * const type = sniff(bytes); // "image/jpeg"
 * const { width, height, stored } = inspect(type, bytes);
 */
import { startsWith } from "./bytes";
import { readGif } from "./gif";
import { readJpeg } from "./jpeg";
import { readMp4 } from "./mp4";
import { PNG_SIGNATURE, readPng } from "./png";
import { isWebm, readWebm } from "./webm";
import { isWebp, readWebp } from "./webp";

export { UnreadableMedia } from "./bytes";
export { orientationSegment } from "./jpeg";

export const IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"] as const;
export const VIDEO_TYPES = ["video/mp4", "video/webm"] as const;
export const MEDIA_TYPES = [...IMAGE_TYPES, ...VIDEO_TYPES] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];
export type ImageType = (typeof IMAGE_TYPES)[number];

export const isImageType = (type: MediaType): type is ImageType => type.startsWith("image/");

/** The type a file's first bytes say it is, whatever it was declared as; undefined for anything else. */
export function sniff(bytes: Uint8Array): MediaType | undefined {
	if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
	if (startsWith(bytes, PNG_SIGNATURE)) return "image/png";
	if (isWebp(bytes)) return "image/webp";
	if (
		startsWith(bytes, [0x47, 0x49, 0x46, 0x38]) &&
		(bytes[4] === 0x37 || bytes[4] === 0x39) &&
		bytes[5] === 0x61
	)
		return "image/gif";
	// ISO BMFF: a box whose type is ftyp first (size, then "ftyp").
	if (startsWith(bytes, [0x66, 0x74, 0x79, 0x70], 4)) return "video/mp4";
	if (isWebm(bytes)) return "video/webm";
	return undefined;
}

export interface Inspected {
	width: number | null;
	height: number | null;
	durationS: number | null;
	/** The bytes to store: the file without its metadata. */
	stored: Uint8Array;
}

/** Reads a file of a sniffed type; throws `UnreadableMedia` when its structure does not hold together. */
export function inspect(type: MediaType, bytes: Uint8Array): Inspected {
	switch (type) {
		case "image/jpeg": {
			const { width, height, stripped } = readJpeg(bytes);
			return { width, height, durationS: null, stored: stripped };
		}
		case "image/png": {
			const { width, height, stripped } = readPng(bytes);
			return { width, height, durationS: null, stored: stripped };
		}
		case "image/webp": {
			const { width, height, stripped } = readWebp(bytes);
			return { width, height, durationS: null, stored: stripped };
		}
		case "image/gif": {
			const { width, height, stripped } = readGif(bytes);
			return { width, height, durationS: null, stored: stripped };
		}
		case "video/mp4": {
			const { width, height, durationS, stripped } = readMp4(bytes);
			return { width, height, durationS, stored: stripped };
		}
		case "video/webm": {
			const { width, height, durationS, stripped } = readWebm(bytes);
			return { width, height, durationS, stored: stripped };
		}
	}
}
