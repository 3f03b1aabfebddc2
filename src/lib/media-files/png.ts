/**
 * @module media-files/png: a PNG's dimensions (IHDR) and the same file without its metadata, chunk by chunk.
 *
 * Kept: the critical chunks and the ancillary chunks that change how pixels look or animate (transparency,
 * colour space and ICC profile, gamma, physical size, APNG frames). Dropped: text (tEXt, zTXt, iTXt — XMP
 * lives in iTXt), eXIf, tIME, and every ancillary chunk not on that list (vendor and provenance chunks), and
 * anything after IEND. CRCs are copied as they are: a chunk is kept whole or not at all.
 */
import { ascii, concat, startsWith, u32be, unreadable } from "./bytes";

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

const KEPT_ANCILLARY = new Set([
	"tRNS",
	"cHRM",
	"gAMA",
	"iCCP",
	"sBIT",
	"sRGB",
	"cICP",
	"mDCv",
	"cLLi",
	"bKGD",
	"hIST",
	"pHYs",
	"sPLT",
	"acTL",
	"fcTL",
	"fdAT",
]);

export interface PngInfo {
	width: number;
	height: number;
	stripped: Uint8Array;
}

/** A critical chunk's type starts with an upper-case letter. */
const isCritical = (type: string) => type.charCodeAt(0) >= 0x41 && type.charCodeAt(0) <= 0x5a;

export function readPng(bytes: Uint8Array): PngInfo {
	if (!startsWith(bytes, PNG_SIGNATURE)) unreadable("not a PNG");
	const kept: Uint8Array[] = [bytes.subarray(0, 8)];
	let width = 0;
	let height = 0;
	let at = 8;
	let first = true;
	for (;;) {
		const length = u32be(bytes, at);
		const type = ascii(bytes, at + 4, 4);
		const end = at + 12 + length;
		if (length > 0x7fffffff || end > bytes.length) unreadable("a PNG chunk runs past the end");
		if (first) {
			if (type !== "IHDR" || length < 8) unreadable("a PNG must start with IHDR");
			width = u32be(bytes, at + 8);
			height = u32be(bytes, at + 12);
			first = false;
		}
		if (isCritical(type) || KEPT_ANCILLARY.has(type)) kept.push(bytes.subarray(at, end));
		at = end;
		if (type === "IEND") break;
	}
	if (width === 0 || height === 0) unreadable("the PNG has no dimensions");
	return { width, height, stripped: concat(kept) };
}
