/**
 * @module media-files/mp4: an MP4's duration (mvhd) and picture size (the first track header with one), and
 * its metadata boxes blanked.
 *
 * Phones write the place a video was shot into `udta` (©xyz) and `meta` (com.apple.quicktime.location…), and
 * XMP into a top-level `uuid` box. Removing a box would move the media data after it and break every chunk
 * offset (stco/co64), so each such box is turned into a `free` box of the same size with its content zeroed:
 * players skip `free`, and no offset changes. Done in place, on the caller's buffer.
 */
import { ascii, u32be, u64be, unreadable } from "./bytes";

export interface Mp4Info {
	/** Seconds, when mvhd says (null when its timescale is 0 or the duration is unknown). */
	durationS: number | null;
	width: number | null;
	height: number | null;
	/** The same buffer, its metadata boxes blanked. */
	stripped: Uint8Array;
}

interface Box {
	type: string;
	start: number;
	/** Where the box's content starts (after its header). */
	content: number;
	end: number;
}

function* boxes(bytes: Uint8Array, from: number, to: number): Generator<Box> {
	let at = from;
	while (at + 8 <= to) {
		let size = u32be(bytes, at);
		const type = ascii(bytes, at + 4, 4);
		let content = at + 8;
		if (size === 1) {
			size = u64be(bytes, at + 8);
			content = at + 16;
		} else if (size === 0) {
			size = to - at;
		}
		const end = at + size;
		if (size < content - at || end > to)
			unreadable(`the MP4 box ${JSON.stringify(type)} runs past its parent`);
		yield { type, start: at, content, end };
		at = end;
	}
}

/** Turns a box into `free` of the same size, its content zeroed. */
function blank(bytes: Uint8Array, box: Box): void {
	bytes.set([0x66, 0x72, 0x65, 0x65], box.start + 4);
	bytes.fill(0, box.content, box.end);
}

const METADATA_BOXES = new Set(["udta", "meta"]);

function readMvhd(bytes: Uint8Array, box: Box): number | null {
	const version = bytes[box.content];
	const timescale = version === 1 ? u32be(bytes, box.content + 20) : u32be(bytes, box.content + 12);
	const duration = version === 1 ? u64be(bytes, box.content + 24) : u32be(bytes, box.content + 16);
	// All ones means "unknown" (a fragmented file's moov before its fragments).
	if (timescale === 0 || duration === 0xffffffff || duration === Number.MAX_SAFE_INTEGER) return null;
	return Math.round((duration / timescale) * 1000) / 1000;
}

/** tkhd ends with width and height, 16.16 fixed point. */
function readTkhd(bytes: Uint8Array, box: Box): [number, number] {
	return [u32be(bytes, box.end - 8) >>> 16, u32be(bytes, box.end - 4) >>> 16];
}

export function readMp4(bytes: Uint8Array): Mp4Info {
	if (bytes.length < 8 || ascii(bytes, 4, 4) !== "ftyp") unreadable("not an MP4 (no ftyp box first)");
	let durationS: number | null = null;
	let width: number | null = null;
	let height: number | null = null;
	for (const top of boxes(bytes, 0, bytes.length)) {
		if (top.type === "uuid" || top.type === "meta") blank(bytes, top);
		if (top.type !== "moov") continue;
		for (const box of boxes(bytes, top.content, top.end)) {
			if (METADATA_BOXES.has(box.type)) blank(bytes, box);
			else if (box.type === "mvhd") durationS = readMvhd(bytes, box);
			else if (box.type === "trak") {
				for (const inner of boxes(bytes, box.content, box.end)) {
					if (METADATA_BOXES.has(inner.type)) blank(bytes, inner);
					else if (inner.type === "tkhd" && width === null) {
						const [w, h] = readTkhd(bytes, inner);
						if (w > 0 && h > 0) [width, height] = [w, h];
					}
				}
			}
		}
	}
	return { durationS, width, height, stripped: bytes };
}
