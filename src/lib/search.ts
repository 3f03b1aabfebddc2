/**
 * @module search: the `q` filter of listed things (groups, projects). Every word must appear in one of the
 * columns (case-insensitive LIKE), so "calm garden" finds "A calm garden club".
 *
 * D1 refuses LIKE patterns longer than 50 bytes ("LIKE or GLOB pattern too complex"), so the query is
 * matched word by word, each word bounded to fit its `%…%` pattern with escapes.
 */
import { and, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/** D1's limit on the byte length of a LIKE pattern. */
export const LIKE_PATTERN_MAX_BYTES = 50;
export const SEARCH_MAX_WORDS = 6;

const utf8Length = (text: string) => new TextEncoder().encode(text).length;
const escapeLike = (word: string) => word.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** `%word%` with wildcards escaped, shortened (by whole characters) until it fits D1's pattern limit. */
export function likePatternFor(word: string): string {
	let chars = Array.from(word);
	let pattern = `%${escapeLike(chars.join(""))}%`;
	while (utf8Length(pattern) > LIKE_PATTERN_MAX_BYTES && chars.length > 1) {
		chars = chars.slice(0, -1);
		pattern = `%${escapeLike(chars.join(""))}%`;
	}
	return pattern;
}

/** The distinct words of a query, at most `SEARCH_MAX_WORDS` of them. */
export function searchWords(q: string): string[] {
	return [...new Set(q.toLowerCase().split(/\s+/).filter(Boolean))].slice(0, SEARCH_MAX_WORDS);
}

/** A condition: every word of `q` appears in at least one of `columns`; undefined for an empty query. */
export function matchesEveryWord(q: string | undefined, columns: SQLiteColumn[]): SQL | undefined {
	if (!q) return undefined;
	const words = searchWords(q);
	if (words.length === 0) return undefined;
	return and(
		...words.map((word) => {
			const pattern = likePatternFor(word);
			return sql`(${sql.join(
				columns.map((column) => sql`${column} LIKE ${pattern} ESCAPE '\\'`),
				sql` OR `,
			)})`;
		}),
	);
}
