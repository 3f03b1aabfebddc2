/**
 * @module media-files/webp: a WebP's dimensions (VP8, VP8L or VP8X) and the same file without its metadata.
 *
 * Kept: the image chunks (VP8, VP8L, VP8X, ALPH, ANIM, ANMF) and ICCP. Dropped: EXIF, XMP and every other
 * chunk, and anything past the RIFF size. The VP8X flags saying EXIF and XMP are present are cleared, and the
 * RIFF size is written anew.
 */
import { ascii, concat, startsWith, u16le, u24le, u32le, unreadable } from "./bytes";

const KEPT = new Set(["VP8 ", "VP8L", "VP8X", "ALPH", "ANIM", "ANMF", "ICCP"]);
/** VP8X flag bits: EXIF (0x08) and XMP (0x04) metadata present. */
const METADATA_FLAGS = 0x08 | 0x04;

export interface WebpInfo {
	width: number;
	height: number;
	stripped: Uint8Array;
}

export const isWebp = (bytes: Uint8Array) =>
	startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8);

function dimensionsOf(type: string, bytes: Uint8Array, data: number): [number, number] {
	if (type === "VP8X") return [u24le(bytes, data + 4) + 1, u24le(bytes, data + 7) + 1];
	if (type === "VP8L") {
		if (bytes[data] !== 0x2f) unreadable("a VP8L chunk without its signature");
		const bits = u32le(bytes, data + 1);
		return [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1];
	}
	// VP8: a key frame's start code, then 14-bit width and height (2 scaling bits each).
	if (!startsWith(bytes, [0x9d, 0x01, 0x2a], data + 3)) unreadable("a VP8 chunk without a key frame");
	return [u16le(bytes, data + 6) & 0x3fff, u16le(bytes, data + 8) & 0x3fff];
}

export function readWebp(bytes: Uint8Array): WebpInfo {
	if (!isWebp(bytes)) unreadable("not a WebP");
	const riffEnd = 8 + u32le(bytes, 4);
	if (riffEnd > bytes.length) unreadable("the WebP is shorter than its RIFF size");
	const kept: Uint8Array[] = [];
	let width = 0;
	let height = 0;
	let at = 12;
	while (at < riffEnd) {
		const type = ascii(bytes, at, 4);
		const size = u32le(bytes, at + 4);
		const end = at + 8 + size + (size % 2);
		if (end > riffEnd) unreadable("a WebP chunk runs past the end");
		if (at === 12 && !["VP8 ", "VP8L", "VP8X"].includes(type))
			unreadable("a WebP must start with an image chunk");
		if (at === 12) [width, height] = dimensionsOf(type, bytes, at + 8);
		if (KEPT.has(type)) {
			const chunk = bytes.slice(at, end);
			if (type === "VP8X") chunk[8] = (chunk[8] as number) & ~METADATA_FLAGS;
			kept.push(chunk);
		}
		at = end;
	}
	if (width === 0 || height === 0) unreadable("the WebP has no dimensions");
	const body = concat(kept);
	const header = new Uint8Array(12);
	header.set(bytes.subarray(0, 12));
	new DataView(header.buffer).setUint32(4, body.length + 4, true);
	return { width, height, stripped: concat([header, body]) };
}
