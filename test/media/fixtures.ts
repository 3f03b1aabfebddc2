/**
 * Small real media files, built byte by byte so every test knows exactly what is in them: JPEG, PNG, WebP and
 * GIF images (some carrying GPS EXIF, XMP, IPTC, PNG text and the like, to prove they are removed) and MP4 and
 * WebM headers with a known duration, size and a location box.
 *
 * The images decode: the JPEG is a grey baseline image whose every block is flat (one-code Huffman tables),
 * the PNG's pixels are stored uncompressed in zlib, the WebP is a lossless 1×1, the GIF a 1×1. The videos are
 * the container structure players read first (no frames): enough for everything the API reads of them.
 */

export const GPS_LATITUDE = [51, 30, 2677] as const; // 51° 30′ 26.77″ N, somewhere in London
export const XMP_MARKER = "http://ns.adobe.com/xap/1.0/";
export const SECRET_TEXT = "Home-address-52-Acacia-Avenue";

const enc = new TextEncoder();
const bytesOf = (text: string) => enc.encode(text);

export function concat(...parts: Array<Uint8Array | number[]>): Uint8Array {
	const arrays = parts.map((part) => (part instanceof Uint8Array ? part : Uint8Array.from(part)));
	const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
	let at = 0;
	for (const a of arrays) {
		out.set(a, at);
		at += a.length;
	}
	return out;
}

const u16be = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u32be = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const u16le = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const u24le = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];
const u32le = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];

/** Whether `haystack` contains `needle` (bytes or ASCII text). */
export function contains(haystack: Uint8Array, needle: Uint8Array | string): boolean {
	const n = typeof needle === "string" ? bytesOf(needle) : needle;
	outer: for (let i = 0; i + n.length <= haystack.length; i++) {
		for (let j = 0; j < n.length; j++) if (haystack[i + j] !== n[j]) continue outer;
		return true;
	}
	return false;
}

// ---------------------------------------------------------------- EXIF (TIFF, big-endian)

/**
 * An EXIF TIFF block: IFD0 with Make, Model, Orientation and a GPS IFD pointer; the GPS IFD with latitude and
 * longitude. Offsets are from the TIFF header.
 */
export function exifTiff(orientation = 1): Uint8Array {
	const make = bytesOf("PhoneCo\0");
	const model = bytesOf(`${SECRET_TEXT}\0`);
	// IFD0: 4 entries at 8; then next-IFD (0); then data.
	const ifd0Size = 2 + 4 * 12 + 4;
	const makeAt = 8 + ifd0Size;
	const modelAt = makeAt + make.length;
	const gpsAt = modelAt + model.length;
	const gpsSize = 2 + 4 * 12 + 4;
	const latAt = gpsAt + gpsSize;
	const lonAt = latAt + 24;
	const entry = (tag: number, type: number, count: number, value: number[]) => [
		...u16be(tag),
		...u16be(type),
		...u32be(count),
		...value,
	];
	const rationals = (values: readonly number[], denominators: readonly number[]) =>
		values.flatMap((v, i) => [...u32be(v), ...u32be(denominators[i] as number)]);
	return concat(
		[0x4d, 0x4d, 0x00, 0x2a, ...u32be(8)],
		u16be(4),
		entry(0x010f, 2, make.length, u32be(makeAt)),
		entry(0x0110, 2, model.length, u32be(modelAt)),
		entry(0x0112, 3, 1, [...u16be(orientation), 0, 0]),
		entry(0x8825, 4, 1, u32be(gpsAt)),
		u32be(0),
		make,
		model,
		u16be(4),
		entry(0x0001, 2, 2, [0x4e, 0, 0, 0]), // N
		entry(0x0002, 5, 3, u32be(latAt)),
		entry(0x0003, 2, 2, [0x57, 0, 0, 0]), // W
		entry(0x0004, 5, 3, u32be(lonAt)),
		u32be(0),
		rationals(GPS_LATITUDE, [1, 1, 100]),
		rationals([0, 7, 3010], [1, 1, 100]),
	);
}

export const xmpPacket = () =>
	bytesOf(
		`<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="51,30.446N" exif:GPSLongitude="0,7.501W"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`,
	);

// ---------------------------------------------------------------- JPEG

const segment = (marker: number, payload: Uint8Array | number[]) => {
	const data = payload instanceof Uint8Array ? payload : Uint8Array.from(payload);
	return concat([0xff, marker, ...u16be(data.length + 2)], data);
};

export interface JpegOptions {
	width?: number;
	height?: number;
	/** EXIF with GPS (and this orientation). */
	exif?: boolean;
	orientation?: number;
	xmp?: boolean;
	iptc?: boolean;
	comment?: boolean;
	icc?: boolean;
	/** Bytes after EOI (a vendor trailer). */
	trailer?: boolean;
}

/**
 * A greyscale baseline JPEG whose blocks are all flat grey: the DC and AC Huffman tables hold one code each
 * ("0"), for DC difference 0 and end-of-block, so each 8×8 block is two 0 bits.
 */
export function jpeg(options: JpegOptions = {}): Uint8Array {
	const { width = 16, height = 16 } = options;
	const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
	const bits = blocks * 2;
	// Only a few blocks' worth is written for huge (bomb) headers: the parser must refuse before decoding.
	const dataBytes = Math.min(Math.ceil(bits / 8), 4096);
	const entropy = new Uint8Array(dataBytes);
	const pad = dataBytes * 8 - bits;
	if (pad > 0 && pad < 8) entropy[dataBytes - 1] = (1 << pad) - 1;
	const quant = [0x00, ...new Array(64).fill(1)];
	const oneCodeTable = (tableClass: number) => [tableClass << 4, 1, ...new Array(15).fill(0), 0];
	return concat(
		[0xff, 0xd8],
		segment(0xe0, [...bytesOf("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0]),
		options.exif ? segment(0xe1, concat(bytesOf("Exif\0\0"), exifTiff(options.orientation ?? 1))) : [],
		options.xmp ? segment(0xe1, concat(bytesOf(`${XMP_MARKER}\0`), xmpPacket())) : [],
		options.icc ? segment(0xe2, concat(bytesOf("ICC_PROFILE\0"), [1, 1], bytesOf("fake-icc-profile"))) : [],
		options.iptc
			? segment(0xed, concat(bytesOf("Photoshop 3.0\0"), bytesOf("8BIM"), [4, 4, 0, 0], bytesOf(SECRET_TEXT)))
			: [],
		options.comment ? segment(0xfe, bytesOf(`Taken at ${SECRET_TEXT}`)) : [],
		segment(0xdb, quant),
		segment(0xc0, [8, ...u16be(height), ...u16be(width), 1, 1, 0x11, 0]),
		segment(0xc4, oneCodeTable(0)),
		segment(0xc4, oneCodeTable(1)),
		segment(0xda, [1, 1, 0x00, 0, 63, 0]),
		entropy,
		[0xff, 0xd9],
		options.trailer ? bytesOf(`SEFT${SECRET_TEXT}`) : [],
	);
}

// ---------------------------------------------------------------- PNG

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

export function crc32(data: Uint8Array): number {
	let c = 0xffffffff;
	for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

export function pngChunk(type: string, data: Uint8Array | number[]): Uint8Array {
	const body = concat(bytesOf(type), data instanceof Uint8Array ? data : Uint8Array.from(data));
	return concat(u32be(body.length - 4), body, u32be(crc32(body)));
}

/** zlib with stored (uncompressed) deflate blocks. */
function zlibStored(data: Uint8Array): Uint8Array {
	const blocks: number[][] = [];
	for (let at = 0; at < data.length || blocks.length === 0; at += 65535) {
		const chunk = data.subarray(at, at + 65535);
		const final = at + 65535 >= data.length ? 1 : 0;
		blocks.push([final, ...u16le(chunk.length), ...u16le(~chunk.length & 0xffff), ...chunk]);
	}
	let a = 1;
	let b = 0;
	for (const byte of data) {
		a = (a + byte) % 65521;
		b = (b + a) % 65521;
	}
	return concat([0x78, 0x01], ...blocks, u32be(((b << 16) | a) >>> 0));
}

export interface PngOptions {
	width?: number;
	height?: number;
	/** tEXt, zTXt, iTXt (XMP), eXIf (GPS) and tIME chunks. */
	metadata?: boolean;
}

export function png(options: PngOptions = {}): Uint8Array {
	const { width = 4, height = 3 } = options;
	const big = width * height > 1_000_000;
	// Greyscale 8-bit: each row a filter byte (0) and its pixels. A bomb's header is enough on its own.
	const raw = big ? new Uint8Array(16) : new Uint8Array(height * (width + 1)).fill(0x80);
	if (!big) for (let row = 0; row < height; row++) raw[row * (width + 1)] = 0;
	return concat(
		[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
		pngChunk("IHDR", [...u32be(width), ...u32be(height), 8, 0, 0, 0, 0]),
		pngChunk("gAMA", u32be(45455)),
		options.metadata
			? concat(
					pngChunk("tEXt", concat(bytesOf("Comment\0"), bytesOf(SECRET_TEXT))),
					pngChunk("zTXt", concat(bytesOf("Location\0"), [0], zlibStored(bytesOf(SECRET_TEXT)))),
					pngChunk("iTXt", concat(bytesOf("XML:com.adobe.xmp\0"), [0, 0, 0, 0], xmpPacket())),
					pngChunk("eXIf", exifTiff()),
					pngChunk("tIME", [0x07, 0xea, 11, 27, 9, 30, 0]),
				)
			: [],
		pngChunk("IDAT", zlibStored(raw)),
		pngChunk("IEND", []),
	);
}

// ---------------------------------------------------------------- WebP

/** The 1×1 lossless VP8L bitstream (a transparent pixel). */
const VP8L_1X1 = [0x2f, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00];

const riffChunk = (type: string, data: Uint8Array | number[]) => {
	const body = data instanceof Uint8Array ? data : Uint8Array.from(data);
	return concat(bytesOf(type), u32le(body.length), body, body.length % 2 ? [0] : []);
};

export interface WebpOptions {
	/** VP8X with EXIF (GPS) and XMP chunks, their flags set. */
	metadata?: boolean;
	/** A VP8X canvas of this size (a bomb's header). */
	canvas?: { width: number; height: number };
}

export function webp(options: WebpOptions = {}): Uint8Array {
	const extended = options.metadata || options.canvas;
	const { width = 1, height = 1 } = options.canvas ?? {};
	const flags = (options.metadata ? 0x08 | 0x04 : 0) | 0x10;
	const chunks = concat(
		extended ? riffChunk("VP8X", [flags, 0, 0, 0, ...u24le(width - 1), ...u24le(height - 1)]) : [],
		riffChunk("VP8L", VP8L_1X1.slice(0, 13)),
		options.metadata ? riffChunk("EXIF", exifTiff()) : [],
		options.metadata ? riffChunk("XMP ", xmpPacket()) : [],
	);
	return concat(bytesOf("RIFF"), u32le(chunks.length + 4), bytesOf("WEBP"), chunks);
}

// ---------------------------------------------------------------- GIF

export function gif(options: { metadata?: boolean; width?: number; height?: number } = {}): Uint8Array {
	const { width = 1, height = 1 } = options;
	const subBlocks = (data: Uint8Array) => concat([data.length], data, [0]);
	return concat(
		bytesOf("GIF89a"),
		[...u16le(width), ...u16le(height), 0x80, 0, 0],
		[0, 0, 0, 0xff, 0xff, 0xff],
		[0x21, 0xff, 11],
		bytesOf("NETSCAPE2.0"),
		[3, 1, 0, 0, 0],
		options.metadata ? concat([0x21, 0xfe], subBlocks(bytesOf(SECRET_TEXT))) : [],
		options.metadata
			? concat([0x21, 0xff, 11], bytesOf("XMP DataXMP"), subBlocks(xmpPacket().subarray(0, 200)))
			: [],
		[0x2c, 0, 0, 0, 0, ...u16le(1), ...u16le(1), 0],
		[0x02, 0x02, 0x44, 0x01, 0x00],
		[0x3b],
	);
}

// ---------------------------------------------------------------- MP4

const box = (type: string, ...content: Array<Uint8Array | number[]>) => {
	const body = concat(...content);
	return concat(u32be(body.length + 8), bytesOf(type), body);
};

/** ftyp, moov (mvhd with the duration, a video trak's tkhd with the size, udta with ©xyz), mdat. */
export function mp4(options: { durationMs?: number; width?: number; height?: number } = {}): Uint8Array {
	const { durationMs = 2500, width = 320, height = 240 } = options;
	const mvhd = box(
		"mvhd",
		[0, 0, 0, 0],
		u32be(0),
		u32be(0),
		u32be(1000),
		u32be(durationMs),
		new Uint8Array(80),
	);
	const tkhd = box(
		"tkhd",
		[0, 0, 0, 3],
		new Uint8Array(4 * 5 + 8 + 8 + 36),
		u32be(width << 16),
		u32be(height << 16),
	);
	const location = box("©xyz", u16be(SECRET_TEXT.length), [0x15, 0xc7], bytesOf(SECRET_TEXT));
	return concat(
		box("ftyp", bytesOf("isom"), u32be(512), bytesOf("isomiso2mp41")),
		box("moov", mvhd, box("trak", tkhd), box("udta", location)),
		box("mdat", new Uint8Array(64)),
	);
}

// ---------------------------------------------------------------- WebM

const vint = (n: number) => (n < 127 ? [0x80 | n] : [0x40 | (n >> 8), n & 0xff]);
const ebml = (id: number[], ...content: Array<Uint8Array | number[]>) => {
	const body = concat(...content);
	return concat(id, vint(body.length), body);
};

/** An EBML header (DocType webm) and a Segment with Info (duration), Tracks (a video track's size) and Tags. */
export function webm(options: { durationMs?: number; width?: number; height?: number } = {}): Uint8Array {
	const { durationMs = 1500, width = 640, height = 360 } = options;
	const duration = new Uint8Array(8);
	new DataView(duration.buffer).setFloat64(0, durationMs);
	return concat(
		ebml([0x1a, 0x45, 0xdf, 0xa3], ebml([0x42, 0x82], bytesOf("webm")), ebml([0x42, 0x87], [4])),
		ebml(
			[0x18, 0x53, 0x80, 0x67],
			ebml(
				[0x15, 0x49, 0xa9, 0x66],
				ebml([0x2a, 0xd7, 0xb1], [0x0f, 0x42, 0x40]),
				ebml([0x44, 0x89], duration),
			),
			ebml(
				[0x16, 0x54, 0xae, 0x6b],
				ebml([0xae], ebml([0xe0], ebml([0xb0], u16be(width)), ebml([0xba], u16be(height)))),
			),
			ebml(
				[0x12, 0x54, 0xc3, 0x67],
				ebml(
					[0x73, 0x73],
					ebml(
						[0x67, 0xc8],
						ebml([0x45, 0xa3], bytesOf("LOCATION")),
						ebml([0x44, 0x87], bytesOf(SECRET_TEXT)),
					),
				),
			),
		),
	);
}

export const HTML_PAGE = bytesOf(
	"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>",
);
