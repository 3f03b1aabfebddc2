/**
 * @module media-files/gif: a GIF's dimensions (the logical screen, grown to any frame that reaches past it)
 * and the same file without its metadata, block by block.
 *
 * Kept: the header, colour tables, images, graphic control and plain-text extensions, and the looping
 * application extensions (NETSCAPE2.0, ANIMEXTS1.0). Dropped: comment extensions, every other application
 * extension (XMP is one), and anything after the trailer.
 */
import { ascii, concat, u16le, unreadable } from "./bytes";

export interface GifInfo {
	width: number;
	height: number;
	frames: number;
	stripped: Uint8Array;
}

const LOOPING = new Set(["NETSCAPE2.0", "ANIMEXTS1.0"]);

/** The end of a run of data sub-blocks starting at `at` (after its 0 terminator). */
function skipSubBlocks(bytes: Uint8Array, at: number): number {
	let offset = at;
	for (;;) {
		const size = bytes[offset];
		if (size === undefined) unreadable("the GIF ends inside a data block");
		offset += 1 + (size as number);
		if (size === 0) return offset;
	}
}

const colourTableSize = (packed: number) => (packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0);

export function readGif(bytes: Uint8Array): GifInfo {
	const signature = ascii(bytes, 0, 6);
	if (signature !== "GIF87a" && signature !== "GIF89a") unreadable("not a GIF");
	let width = u16le(bytes, 6);
	let height = u16le(bytes, 8);
	const screenEnd = 13 + colourTableSize(bytes[10] as number);
	if (screenEnd > bytes.length) unreadable("the GIF ends inside its colour table");
	const kept: Uint8Array[] = [bytes.subarray(0, screenEnd)];
	let frames = 0;
	let at = screenEnd;
	for (;;) {
		const introducer = bytes[at];
		if (introducer === 0x3b) {
			kept.push(bytes.subarray(at, at + 1));
			break;
		}
		if (introducer === 0x2c) {
			const left = u16le(bytes, at + 1);
			const top = u16le(bytes, at + 3);
			width = Math.max(width, left + u16le(bytes, at + 5));
			height = Math.max(height, top + u16le(bytes, at + 7));
			const dataStart = at + 10 + colourTableSize(bytes[at + 9] as number) + 1; // + LZW minimum code size
			const end = skipSubBlocks(bytes, dataStart);
			kept.push(bytes.subarray(at, end));
			frames++;
			at = end;
			continue;
		}
		if (introducer === 0x21) {
			const label = bytes[at + 1];
			const end = skipSubBlocks(bytes, at + 2);
			const application = label === 0xff && bytes[at + 2] === 11 ? ascii(bytes, at + 3, 11) : undefined;
			const keep =
				label === 0xf9 || label === 0x01 || (application !== undefined && LOOPING.has(application));
			if (keep) kept.push(bytes.subarray(at, end));
			at = end;
			continue;
		}
		unreadable("the GIF has an unknown block");
	}
	if (width === 0 || height === 0 || frames === 0) unreadable("the GIF has no image");
	return { width, height, frames, stripped: concat(kept) };
}
