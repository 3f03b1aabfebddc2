/**
 * @module ids: UUIDv7 ids — random, yet time-ordered, so an id is also a stable sort key for cursors — and,
 * for what must not be dated, ids that carry no time.
 *
 * - `newId()`: named things (posts, comments, named shares, support responses…). Its first 48 bits are the
 *   creation millisecond, public wherever the id is.
 * - `newRandomId()`: anonymous things (support requests, anonymous sunlight shares, the guardian queue items
 *   of support requests): a v7 id would date the thing to the millisecond and so could tie it to whoever
 *   was active at that moment. Lists of them sort by their rounded time, then this id (`lib/coarse-time`).
 * - `newId(startOfUtcDayMs(now))`: a v7 id that dates only the day (accounts, the support quota counter).
 */

/** A new RFC 9562 UUIDv7: 48-bit Unix milliseconds, version and variant bits, 74 random bits. */
export function newId(now: number = Date.now()): string {
	const bytes = crypto.getRandomValues(new Uint8Array(16));
	let ms = now;
	for (let i = 5; i >= 0; i--) {
		bytes[i] = ms % 256;
		ms = Math.floor(ms / 256);
	}
	bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
	bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
	const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A new RFC 9562 UUIDv4: 122 random bits and no time at all, for anonymous things. */
export const newRandomId = (): string => crypto.randomUUID();

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
