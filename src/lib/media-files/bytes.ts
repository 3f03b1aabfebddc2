/** @module media-files/bytes: bounds-checked big- and little-endian reads, and the error every parser throws. */

/** The file is not what it must be to be read safely (truncated, a length past the end, a missing header). */
export class UnreadableMedia extends Error {
	override readonly name = "UnreadableMedia";
}

export const unreadable = (why: string): never => {
	throw new UnreadableMedia(why);
};

function need(bytes: Uint8Array, offset: number, length: number): void {
	if (offset < 0 || offset + length > bytes.length) unreadable("the file ends inside a header");
}

export function u16be(bytes: Uint8Array, offset: number): number {
	need(bytes, offset, 2);
	return ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number);
}

export function u16le(bytes: Uint8Array, offset: number): number {
	need(bytes, offset, 2);
	return (bytes[offset] as number) | ((bytes[offset + 1] as number) << 8);
}

export function u24le(bytes: Uint8Array, offset: number): number {
	need(bytes, offset, 3);
	return (
		(bytes[offset] as number) | ((bytes[offset + 1] as number) << 8) | ((bytes[offset + 2] as number) << 16)
	);
}

export function u32be(bytes: Uint8Array, offset: number): number {
	need(bytes, offset, 4);
	return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset);
}

export function u32le(bytes: Uint8Array, offset: number): number {
	need(bytes, offset, 4);
	return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

/** A 64-bit big-endian length or duration; past 2^53 it could not be a real offset in a file we accept. */
export function u64be(bytes: Uint8Array, offset: number): number {
	need(bytes, offset, 8);
	const value = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset);
	if (value > BigInt(Number.MAX_SAFE_INTEGER)) unreadable("a 64-bit field is out of range");
	return Number(value);
}

/** The ASCII text of `length` bytes (four-character codes, signatures). */
export function ascii(bytes: Uint8Array, offset: number, length: number): string {
	need(bytes, offset, length);
	return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

/** Whether `bytes` holds `signature` at `offset` (no throw: sniffing reads past short files). */
export function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
	if (bytes.length < offset + signature.length) return false;
	return signature.every((byte, i) => bytes[offset + i] === byte);
}

/** Joins pieces of one buffer into a new one (the stripped file). */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
	const total = parts.reduce((sum, part) => sum + part.length, 0);
	const out = new Uint8Array(total);
	let at = 0;
	for (const part of parts) {
		out.set(part, at);
		at += part.length;
	}
	return out;
}
