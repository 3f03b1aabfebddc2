/**
 * The media cases' photo: a valid baseline greyscale JPEG of about 1 MiB, the same bytes in every run (the
 * pseudo-random coefficients come from a fixed seed). Built as test/media/fixtures.ts builds its `jpeg()` —
 * JFIF, one quantisation table, SOF0, two Huffman tables, one scan — but with image data of a real photo's
 * size: each 8×8 block carries a DC difference and five AC coefficients (60 bits), so the scan is ≈ 1 MiB at
 * 3072×2880 (8.8 megapixels, a phone photo's order). The API parses its header, copies the scan as it is
 * (nothing to strip) and stores it; nothing here is ever decoded server-side, but a decoder reads it.
 */
import { createRandom } from "./random.ts";

export const PHOTO_WIDTH = 3072;
export const PHOTO_HEIGHT = 2880;
/** AC coefficients per block (run 0, size 8 each), then end-of-block. */
const AC_PER_BLOCK = 5;

const u16be = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const segment = (marker: number, payload: number[]) => [
	0xff,
	marker,
	...u16be(payload.length + 2),
	...payload,
];

/** Appends bits most significant first; 0xFF bytes are followed by a stuffed 0x00 (JPEG's entropy coding). */
class BitWriter {
	private readonly out: number[] = [];
	private byte = 0;
	private filled = 0;
	write(value: number, length: number) {
		for (let bit = length - 1; bit >= 0; bit--) {
			this.byte = (this.byte << 1) | ((value >> bit) & 1);
			if (++this.filled === 8) this.flushByte();
		}
	}
	private flushByte() {
		this.out.push(this.byte);
		if (this.byte === 0xff) this.out.push(0x00);
		this.byte = 0;
		this.filled = 0;
	}
	/** Pads the last byte with 1 bits, as the standard asks. */
	finish(): Uint8Array {
		if (this.filled > 0) this.write(0xff, 8 - this.filled);
		return Uint8Array.from(this.out);
	}
}

/** Size category 8 (magnitudes 128…255): the value's 8 extra bits (negative values are one's complement). */
const extraBits = (value: number) => (value > 0 ? value : value + 255);

export function photoJpeg(width = PHOTO_WIDTH, height = PHOTO_HEIGHT, seed = 0x1a9e6): Uint8Array {
	const random = createRandom(seed);
	const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
	const bits = new BitWriter();
	let dcValue = 0;
	for (let i = 0; i < blocks; i++) {
		// DC: the table's one code "0" = category 8; the difference's sign keeps the DC value within ±255.
		const difference = dcValue > 0 ? -(128 + random.int(128)) : 128 + random.int(128);
		dcValue += difference;
		bits.write(0, 1);
		bits.write(extraBits(difference), 8);
		// AC: "10" = run 0 size 8, "0" = end of block.
		for (let k = 0; k < AC_PER_BLOCK; k++) {
			const ac = 128 + random.int(128);
			bits.write(0b10, 2);
			bits.write(extraBits(random.chance(0.5) ? ac : -ac), 8);
		}
		bits.write(0, 1);
	}
	const entropy = bits.finish();
	// BITS (16 counts of codes by length) then the symbols, in code order.
	const dcTable = [0x00, 1, ...new Array(15).fill(0), 0x08];
	const acTable = [0x10, 1, 1, ...new Array(14).fill(0), 0x00, 0x08];
	const header = Uint8Array.from([
		0xff,
		0xd8,
		...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
		...segment(0xdb, [0x00, ...new Array(64).fill(1)]),
		...segment(0xc0, [8, ...u16be(height), ...u16be(width), 1, 1, 0x11, 0]),
		...segment(0xc4, dcTable),
		...segment(0xc4, acTable),
		...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
	]);
	const out = new Uint8Array(header.length + entropy.length + 2);
	out.set(header, 0);
	out.set(entropy, header.length);
	out.set([0xff, 0xd9], header.length + entropy.length);
	return out;
}
