/**
 * @module media-files/webm: a WebM's duration (Segment Info) and picture size (the first video track), and
 * its Tags blanked.
 *
 * EBML: each element is an id and a size, both variable-length integers. Only the Segment's top-level
 * children are walked, up to the first element of unknown size (a live recording's Cluster) (live recordings, as browsers' MediaRecorder
 * writes them, have no Duration: it is null then). A Tags element found on the way becomes a Void element of
 * the same length, its content zeroed; nothing moves, so the Cues' positions stay right.
 */
import { startsWith, unreadable } from "./bytes";

export const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3] as const;

const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const TIMESTAMP_SCALE = 0x2ad7b1;
const DURATION = 0x4489;
const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const VIDEO = 0xe0;
const PIXEL_WIDTH = 0xb0;
const PIXEL_HEIGHT = 0xba;
const TAGS = 0x1254c367;
const DOC_TYPE = 0x4282;

export interface WebmInfo {
	durationS: number | null;
	width: number | null;
	height: number | null;
	stripped: Uint8Array;
}

interface Element {
	id: number;
	start: number;
	/** Bytes of the size field. */
	sizeLength: number;
	data: number;
	/** Undefined: unknown size (to the end of the parent). */
	end: number | undefined;
}

function vintLength(first: number): number {
	for (let length = 1; length <= 8; length++) if (first & (0x100 >> length)) return length;
	return unreadable("an EBML number is malformed");
}

function readElement(bytes: Uint8Array, at: number, parentEnd: number): Element {
	const idLength = vintLength(bytes[at] ?? 0);
	if (idLength > 4) unreadable("an EBML id is too long");
	let id = 0;
	for (let i = 0; i < idLength; i++) id = id * 256 + (bytes[at + i] as number);
	const sizeAt = at + idLength;
	const sizeLength = vintLength(bytes[sizeAt] ?? 0);
	let size = (bytes[sizeAt] as number) & (0xff >> sizeLength);
	let allOnes = size === 0xff >> sizeLength;
	for (let i = 1; i < sizeLength; i++) {
		const byte = bytes[sizeAt + i];
		if (byte === undefined) unreadable("the WebM ends inside an element header");
		size = size * 256 + (byte as number);
		allOnes &&= byte === 0xff;
	}
	const data = sizeAt + sizeLength;
	if (allOnes) return { id, start: at, sizeLength, data, end: undefined };
	const end = data + size;
	if (end > parentEnd) unreadable("a WebM element runs past its parent");
	return { id, start: at, sizeLength, data, end };
}

function* children(bytes: Uint8Array, from: number, to: number): Generator<Element> {
	let at = from;
	while (at < to) {
		const element = readElement(bytes, at, to);
		yield element;
		if (element.end === undefined) return;
		at = element.end;
	}
}

function readUint(bytes: Uint8Array, element: Element): number {
	let value = 0;
	for (let i = element.data; i < (element.end as number); i++) value = value * 256 + (bytes[i] as number);
	return value;
}

function readFloat(bytes: Uint8Array, element: Element): number {
	const view = new DataView(
		bytes.buffer,
		bytes.byteOffset + element.data,
		(element.end as number) - element.data,
	);
	if (view.byteLength === 4) return view.getFloat32(0);
	if (view.byteLength === 8) return view.getFloat64(0);
	return Number.NaN;
}

/** Rewrites an element as a Void (0xEC) of the same total length, when its size field leaves room. */
function blank(bytes: Uint8Array, element: Element): void {
	const end = element.end as number;
	const width = element.data - element.start - 1;
	if (width > 8) return;
	const length = BigInt(end - element.data) | (1n << BigInt(7 * width));
	bytes[element.start] = 0xec;
	for (let i = 0; i < width; i++) {
		bytes[element.start + 1 + i] = Number((length >> BigInt(8 * (width - 1 - i))) & 0xffn);
	}
	bytes.fill(0, element.data, end);
}

export function isWebm(bytes: Uint8Array): boolean {
	if (!startsWith(bytes, EBML_MAGIC)) return false;
	try {
		const header = readElement(bytes, 0, bytes.length);
		for (const child of children(bytes, header.data, header.end ?? bytes.length)) {
			if (child.id === DOC_TYPE) {
				return new TextDecoder().decode(bytes.subarray(child.data, child.end)) === "webm";
			}
		}
	} catch {
		return false;
	}
	return false;
}

export function readWebm(bytes: Uint8Array): WebmInfo {
	if (!isWebm(bytes)) unreadable("not a WebM (no EBML header with DocType webm)");
	const header = readElement(bytes, 0, bytes.length);
	const segment = readElement(bytes, header.end as number, bytes.length);
	if (segment.id !== SEGMENT) unreadable("the WebM has no Segment");
	let scale = 1_000_000;
	let duration: number | null = null;
	let width: number | null = null;
	let height: number | null = null;
	for (const element of children(bytes, segment.data, segment.end ?? bytes.length)) {
		if (element.end === undefined) break;
		if (element.id === INFO) {
			for (const field of children(bytes, element.data, element.end)) {
				if (field.id === TIMESTAMP_SCALE) scale = readUint(bytes, field);
				if (field.id === DURATION) duration = readFloat(bytes, field);
			}
		} else if (element.id === TRACKS) {
			for (const entry of children(bytes, element.data, element.end)) {
				if (entry.id !== TRACK_ENTRY || entry.end === undefined || width !== null) continue;
				for (const part of children(bytes, entry.data, entry.end)) {
					if (part.id !== VIDEO || part.end === undefined) continue;
					for (const field of children(bytes, part.data, part.end)) {
						if (field.id === PIXEL_WIDTH) width = readUint(bytes, field);
						if (field.id === PIXEL_HEIGHT) height = readUint(bytes, field);
					}
				}
			}
		} else if (element.id === TAGS) {
			blank(bytes, element);
		}
	}
	const durationS =
		duration !== null && Number.isFinite(duration) && duration > 0
			? Math.round(((duration * scale) / 1e9) * 1000) / 1000
			: null;
	return {
		durationS,
		width: width && height ? width : null,
		height: width && height ? height : null,
		stripped: bytes,
	};
}
