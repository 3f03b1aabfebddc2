/**
 * @module pagination: cursor pagination for every list. The cursor is opaque to clients (base64url of
 * the last row's sort key), so the order is stable while new rows arrive: no duplicates, no gaps.
 */
import { z } from "@hono/zod-openapi";
import { badRequest } from "./problem";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
const MAX_CURSOR_LENGTH = 512;

export const PageQuery = z.object({
	limit: z.coerce
		.number()
		.int()
		.min(1)
		.max(MAX_PAGE_SIZE)
		.default(DEFAULT_PAGE_SIZE)
		.openapi({
			description: `Page size, 1–${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`,
		}),
	cursor: z.string().max(MAX_CURSOR_LENGTH).optional().openapi({
		description: "The `next_cursor` of the previous page.",
	}),
});

export function pageOf<T extends z.ZodType>(item: T, name: string) {
	return z
		.object({
			data: z.array(item),
			next_cursor: z
				.string()
				.nullable()
				.openapi({ description: "Pass as `cursor` for the next page; null at the end." }),
		})
		.openapi(name);
}

function toBase64Url(text: string): string {
	const bytes = new TextEncoder().encode(text);
	let binary = "";
	for (const byte of bytes) binary += String.fromCharCode(byte);
	return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(encoded: string): string {
	const base64 = encoded.replaceAll("-", "+").replaceAll("_", "/");
	const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
	return new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
}

export function encodeCursor(key: unknown): string {
	return toBase64Url(JSON.stringify(key));
}

/** The sort key inside a cursor, checked against `schema`; a tampered or stale cursor is a 400. */
export function decodeCursor<T extends z.ZodType>(
	cursor: string | undefined,
	schema: T,
): z.infer<T> | undefined {
	if (cursor === undefined) return undefined;
	try {
		const parsed = schema.safeParse(JSON.parse(fromBase64Url(cursor)));
		if (parsed.success) return parsed.data;
	} catch {
		// falls through to the problem below
	}
	throw badRequest("The cursor is not valid for this list.", [
		{ field: "query/cursor", message: "invalid cursor" },
	]);
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only tells that another page exists.
 * `keyOf` gives the sort key of a row; the cursor is the key of the last row returned.
 */
export function toPage<Row, Item>(
	rows: Row[],
	limit: number,
	keyOf: (row: Row) => unknown,
	present: (row: Row) => Item,
): { data: Item[]; next_cursor: string | null } {
	const hasMore = rows.length > limit;
	const pageRows = hasMore ? rows.slice(0, limit) : rows;
	const last = pageRows.at(-1);
	return {
		data: pageRows.map(present),
		next_cursor: hasMore && last !== undefined ? encodeCursor(keyOf(last)) : null,
	};
}
