/**
 * @module media-files/jpeg: a JPEG's dimensions (its SOF segment) and the same file without its metadata,
 * segment by segment — no pixel is decoded or re-encoded.
 *
 * Kept: what decoding needs (tables, frame and scan headers, the entropy-coded data), APP0 JFIF (pixel
 * density), APP2 ICC_PROFILE (colours: phones shoot Display P3) and APP14 Adobe (colour transform of
 * CMYK/YCCK files). Dropped: every other APPn — APP1 EXIF and XMP (GPS, camera, time), APP13 IPTC/Photoshop,
 * APP2 MPF — comments (COM), and anything after EOI (vendor trailers, secondary images). The EXIF orientation,
 * when it is not the default, is written back as a minimal EXIF segment holding that one tag, so a phone's
 * portrait photo still stands up.
 */
import { ascii, concat, u16be, unreadable } from "./bytes";

export interface JpegInfo {
	width: number;
	height: number;
	/** The file without its metadata. */
	stripped: Uint8Array;
	/** EXIF orientation 2–8 when the original had one (then also in `stripped`); 1 (upright) otherwise. */
	orientation: number;
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP1 = 0xe1;
const APP2 = 0xe2;
const APP14 = 0xee;
const COM = 0xfe;

/** Start-of-frame markers: every C0–CF but DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (marker: number) =>
	marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/** Markers with no length field. */
const isStandalone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);

function startsWithText(bytes: Uint8Array, offset: number, text: string): boolean {
	if (offset + text.length > bytes.length) return false;
	for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
	return true;
}

/** Whether an APPn/COM segment (its payload at `payload`) is one decoding needs. */
function keepApp(bytes: Uint8Array, marker: number, payload: number): boolean {
	if (marker === APP0) return startsWithText(bytes, payload, "JFIF\0");
	if (marker === APP2) return startsWithText(bytes, payload, "ICC_PROFILE\0");
	if (marker === APP14) return startsWithText(bytes, payload, "Adobe");
	return false;
}

const isAppOrComment = (marker: number) => (marker >= APP0 && marker <= 0xef) || marker === COM;

/** The orientation tag (0x0112) of an EXIF APP1 payload, or 1 when absent or unreadable. */
function exifOrientation(bytes: Uint8Array, payload: number, end: number): number {
	if (!startsWithText(bytes, payload, "Exif\0\0")) return 1;
	const tiff = payload + 6;
	try {
		const order = ascii(bytes, tiff, 2);
		if (order !== "II" && order !== "MM") return 1;
		const little = order === "II";
		const view = new DataView(bytes.buffer, bytes.byteOffset, end);
		const u16 = (at: number) => view.getUint16(at, little);
		const ifd = tiff + view.getUint32(tiff + 4, little);
		const count = u16(ifd);
		for (let i = 0; i < count; i++) {
			const entry = ifd + 2 + i * 12;
			if (u16(entry) === 0x0112 && u16(entry + 2) === 3) {
				const value = u16(entry + 8);
				return value >= 1 && value <= 8 ? value : 1;
			}
		}
	} catch {
		// A RangeError from a corrupt EXIF block: the segment is dropped anyway.
	}
	return 1;
}

/** An APP1 segment holding only an EXIF IFD0 with the orientation tag (big-endian TIFF). */
export function orientationSegment(orientation: number): Uint8Array {
	// biome-ignore format: the segment's bytes, laid out field by field
	return new Uint8Array([
		0xff, APP1, 0x00, 34,
		0x45, 0x78, 0x69, 0x66, 0x00, 0x00, // "Exif\0\0"
		0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // "MM", 42, IFD0 at 8
		0x00, 0x01, // one entry
		0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00, // 0x0112 SHORT ×1
		0x00, 0x00, 0x00, 0x00, // no next IFD
	]);
}

/** Where the entropy-coded data after a scan header ends: the next marker that is not RSTn or stuffing. */
function endOfEntropyData(bytes: Uint8Array, from: number): number {
	let at = from;
	for (;;) {
		const ff = bytes.indexOf(0xff, at);
		if (ff < 0 || ff + 1 >= bytes.length) unreadable("the JPEG ends inside its image data");
		const next = bytes[ff + 1] as number;
		if (next === 0x00 || next === 0xff || (next >= 0xd0 && next <= 0xd7)) {
			at = ff + 1;
			continue;
		}
		return ff;
	}
}

export function readJpeg(bytes: Uint8Array): JpegInfo {
	if (bytes[0] !== 0xff || bytes[1] !== SOI) unreadable("not a JPEG");
	const kept: Uint8Array[] = [bytes.subarray(0, 2)];
	let width = 0;
	let height = 0;
	let orientation = 1;
	let sawScan = false;
	let at = 2;
	for (;;) {
		if (at >= bytes.length) unreadable("the JPEG has no end marker");
		if (bytes[at] !== 0xff) unreadable("a JPEG segment does not start with a marker");
		// Fill bytes (0xFF repeated) may precede a marker.
		while (bytes[at + 1] === 0xff) at++;
		const marker = bytes[at + 1];
		if (marker === undefined) unreadable("the JPEG ends at a marker");
		if (marker === EOI) {
			kept.push(bytes.subarray(at, at + 2));
			break;
		}
		if (marker === SOI || isStandalone(marker as number)) {
			at += 2;
			continue;
		}
		const length = u16be(bytes, at + 2);
		if (length < 2 || at + 2 + length > bytes.length) unreadable("a JPEG segment runs past the end");
		const payload = at + 4;
		const end = at + 2 + length;
		if (isAppOrComment(marker as number)) {
			if (marker === APP1 && orientation === 1) orientation = exifOrientation(bytes, payload, end);
			if (keepApp(bytes, marker as number, payload)) kept.push(bytes.subarray(at, end));
			at = end;
			continue;
		}
		if (isStartOfFrame(marker as number) && width === 0) {
			height = u16be(bytes, payload + 1);
			width = u16be(bytes, payload + 3);
		}
		if (marker === SOS) {
			if (width === 0) unreadable("the JPEG has no frame header before its image data");
			sawScan = true;
			const dataEnd = endOfEntropyData(bytes, end);
			kept.push(bytes.subarray(at, dataEnd));
			at = dataEnd;
			continue;
		}
		kept.push(bytes.subarray(at, end));
		at = end;
	}
	if (!sawScan || width === 0 || height === 0) unreadable("the JPEG has no image data or no dimensions");
	// After JFIF's APP0 when there is one (it must come first), else right after SOI.
	if (orientation !== 1) kept.splice(kept[1]?.[1] === APP0 ? 2 : 1, 0, orientationSegment(orientation));
	return { width, height, stripped: concat(kept), orientation };
}
