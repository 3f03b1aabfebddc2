/**
 * @module media/serve: an upload's bytes as an HTTP answer — type, length, entity tag and 304, byte ranges
 * (206, 416), and headers that keep a browser from treating the bytes as anything but the media they are.
 */
import type { MediaRow } from "../../db/tables/media";
import { ifNoneMatchMatches } from "../../http/etag";
import { Problem } from "../../lib/problem";

/** No script, no plugin, no navigation of its own: even a file that fooled the sniffing cannot act. */
export const MEDIA_CSP =
	"default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox";

/** The stored bytes' SHA-256: strong, and the same wherever and whenever it is served. */
export const mediaEtag = (row: Pick<MediaRow, "sha256">) => `"${row.sha256}"`;

export type ByteRange = { offset: number; length: number };

/**
 * The one range of a `Range: bytes=…` header, per RFC 9110 §14: `a-b`, `a-` or `-n`. Undefined when there is
 * no usable header (another unit, several ranges, a malformed one: the whole file is served, as the RFC lets a
 * server do); a 416 problem when the range cannot be satisfied by a file of `size` bytes.
 */
export function rangeOf(header: string | undefined, size: number): ByteRange | undefined {
	if (header === undefined) return undefined;
	const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!match) return undefined;
	const [, first = "", last = ""] = match;
	if (first === "" && last === "") return undefined;
	if (first === "") {
		const suffix = Number(last);
		if (suffix === 0) throw unsatisfiable(size);
		return { offset: Math.max(0, size - suffix), length: Math.min(suffix, size) };
	}
	const start = Number(first);
	const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
	if (last !== "" && Number(last) < start) return undefined;
	if (start >= size) throw unsatisfiable(size);
	return { offset: start, length: end - start + 1 };
}

const unsatisfiable = (size: number) =>
	new Problem(416, {
		detail: `The range asked for is outside the file's ${size} bytes.`,
		kind: "range-not-satisfiable",
		headers: { "Content-Range": `bytes */${size}` },
	});

/** Whether `If-Range` (an entity tag; a date is never ours) lets the range apply. */
export const rangeApplies = (ifRange: string | undefined, etag: string) =>
	ifRange === undefined || ifRange.trim() === etag;

/** The headers every answer with the bytes (200, 206, 304) carries. */
export function mediaHeaders(row: MediaRow, cacheControl: string) {
	return {
		"Content-Type": row.contentType,
		ETag: mediaEtag(row),
		"Accept-Ranges": "bytes",
		"Content-Disposition": "inline",
		"Content-Security-Policy": MEDIA_CSP,
		"X-Content-Type-Options": "nosniff",
		"Cache-Control": cacheControl,
	};
}

export const notModified = (ifNoneMatch: string | undefined, row: MediaRow) =>
	ifNoneMatch !== undefined && ifNoneMatchMatches(ifNoneMatch, mediaEtag(row));
