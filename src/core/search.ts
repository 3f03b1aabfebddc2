/**
 * @module core/search: the full-text index every searchable feature shares (migration 0008_search: one FTS5 table,
 * `search_index`, kept in step with its source rows by triggers), and the one query over it.
 *
 * A feature says who may see a match of its kind as a condition on its own source row (`KindRule`): the
 * query keeps a match only when that row passes, so visibility is checked against the live row at read time
 * (a soft-deleted, held or blocked thing never shows, with no rebuild), exactly as the feature's own `GET`
 * checks it.
 */
import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { batchQueries } from "../db/prepared";

/** The kinds of thing the index holds (migrations 0008_search, 0009_search_kinds). */
export const SEARCH_KINDS = ["post", "group", "project", "guide", "nourishment", "sunlight"] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/** Who may see a match of `kind`: an SQL condition where `refId` is the source row's id (a correlated EXISTS). */
export interface KindRule {
	kind: SearchKind;
	visible: (refId: SQL) => SQL;
}

/**
 * How one kind's matched things are presented: the reads that present the things of a page's ids exactly as
 * their own `GET` does (sent with every other kind's in one batch), and what makes the items of their rows.
 * A thing its reads no longer find (deleted or hidden since the match) is simply absent from the map.
 */
export interface KindPresentation<Item> {
	reads: readonly BatchItem<"sqlite">[];
	assemble: (rows: readonly unknown[]) => Map<string, Item>;
}

/** A kind's whole part in a search: who may see its matches, and how they are presented. */
export interface KindSearch<Item = unknown> extends KindRule {
	present: (ids: readonly string[]) => KindPresentation<Item>;
}

/**
 * The items of `matches`, keyed `kind:id`, each presented by its kind: every kind's reads in ONE batch (one
 * round trip, one transaction), whatever mix of kinds the page holds.
 */
export async function presentMatches(
	db: Db,
	searches: readonly KindSearch[],
	matches: readonly SearchMatch[],
): Promise<Map<string, unknown>> {
	const parts = searches.flatMap((search) => {
		const ids = matches.filter((match) => match.kind === search.kind).map((match) => match.refId);
		return ids.length > 0 ? [{ kind: search.kind, presentation: search.present(ids) }] : [];
	});
	const reads = parts.flatMap((part) => part.presentation.reads);
	const [first, ...rest] = reads;
	if (!first) return new Map();
	const rows: readonly unknown[] = await batchQueries(db, [first, ...rest]);
	const items = new Map<string, unknown>();
	let next = 0;
	for (const { kind, presentation } of parts) {
		const own = rows.slice(next, next + presentation.reads.length);
		next += presentation.reads.length;
		for (const [id, item] of presentation.assemble(own)) items.set(`${kind}:${id}`, item);
	}
	return items;
}

export type SearchSort = "relevance" | "recent";

/** Where the next page starts: the last match's sort key, and the instant the ranking's recency was taken. */
export interface SearchCursor {
	at: string;
	key: number | string;
	id: string;
}

export interface SearchMatch {
	kind: SearchKind;
	refId: string;
	/** The thing's title as indexed (null for kinds without one). */
	title: string | null;
	score: number;
	createdAt: string;
	/** The best passage, with the matched words between HIGHLIGHT_START and HIGHLIGHT_END. */
	marked: string;
}

/**
 * Private-use markers the index puts around matched words in a snippet. A person could type them; at worst the
 * highlights of their own text are off (they are only ranges into plain text, never markup).
 */
export const HIGHLIGHT_START = "\u{F0001}";
export const HIGHLIGHT_END = "\u{F0002}";
/** Tokens in the passage the index picks around the best match. */
const SNIPPET_TOKENS = 40;
/** Title matches weigh twice a body's. */
const WEIGHTS = sql.raw("0, 0, 0, 2.0, 1.0");
/** Half-life-like scale of the recency boost, in days: a new match ranks up to 1.5× an old one as relevant. */
const RECENCY_DAYS = 14;

/**
 * One page of matches for `match` (an FTS5 expression from lib/fts-query) among the kinds of `rules`,
 * best first (`relevance`: bm25, mildly boosted for recency) or newest first (`recent`).
 */
export async function findMatches(
	db: Db,
	options: {
		match: string;
		rules: readonly KindRule[];
		sort: SearchSort;
		limit: number;
		after: SearchCursor | undefined;
		now: Date;
	},
): Promise<{ matches: SearchMatch[]; at: string }> {
	const { match, rules, sort, limit, after } = options;
	if (rules.length === 0) return { matches: [], at: options.now.toISOString() };
	// The recency of page one holds for every later page, so the order does not move under the cursor.
	const at = after?.at ?? options.now.toISOString();
	const refId = sql`search_index.ref_id`;
	const visible = sql.join(
		rules.map((rule) => sql`(search_index.kind = ${rule.kind} AND ${rule.visible(refId)})`),
		sql` OR `,
	);
	const score =
		sort === "relevance"
			? sql`-bm25(search_index, ${WEIGHTS}) * (1.0 + 0.5 / (1.0 + max(0.0, julianday(${at}) - julianday(search_index.created_at)) / ${sql.raw(`${RECENCY_DAYS}.0`)}))`
			: sql`0.0`;
	const key = sort === "relevance" ? sql.raw("score") : sql.raw("created_at");
	const rows = await db.all<{
		kind: SearchKind;
		ref_id: string;
		title: string | null;
		created_at: string;
		score: number;
		marked: string;
	}>(sql`
		SELECT kind, ref_id, title, created_at, score, marked FROM (
			SELECT search_index.kind AS kind, search_index.ref_id AS ref_id, search_index.title AS title,
				search_index.created_at AS created_at,
				${score} AS score,
				snippet(search_index, -1, ${HIGHLIGHT_START}, ${HIGHLIGHT_END}, '…', ${sql.raw(String(SNIPPET_TOKENS))}) AS marked
			FROM search_index
			WHERE search_index MATCH ${match} AND (${visible})
		)
		${after ? sql`WHERE (${key}, ref_id) < (${after.key}, ${after.id})` : sql``}
		ORDER BY ${key} DESC, ref_id DESC
		LIMIT ${limit + 1}
	`);
	return {
		at,
		matches: rows.map((row) => ({
			kind: row.kind,
			refId: row.ref_id,
			title: row.title,
			score: row.score,
			createdAt: row.created_at,
			marked: row.marked,
		})),
	};
}

/** The sort key of a match, as a cursor stores it. */
export const cursorKey = (match: SearchMatch, sort: SearchSort): number | string =>
	sort === "relevance" ? match.score : match.createdAt;

/** Longest snippet a result carries, in characters. */
export const MAX_SNIPPET_CHARS = 240;

/**
 * Plain text around the best match (at most MAX_SNIPPET_CHARS), and the character ranges `[start, end)` of
 * the matched words inside it: no markup, so nothing a person wrote can be read as HTML by a client.
 */
export function toSnippet(marked: string): { snippet: string; highlights: [number, number][] } {
	let text = "";
	const ranges: [number, number][] = [];
	let open: number | undefined;
	for (const char of marked) {
		if (char === HIGHLIGHT_START) open = text.length;
		else if (char === HIGHLIGHT_END) {
			if (open !== undefined && text.length > open) ranges.push([open, text.length]);
			open = undefined;
		} else text += char;
	}
	if (text.length <= MAX_SNIPPET_CHARS) return { snippet: text, highlights: ranges };
	// Too long: a window that starts a little before the first match, cut at a space where one is near.
	const first = ranges[0]?.[0] ?? 0;
	let start = Math.max(0, Math.min(first - 40, text.length - MAX_SNIPPET_CHARS));
	const space = text.indexOf(" ", start);
	if (start > 0 && space !== -1 && space < first && space - start < 20) start = space + 1;
	const end = Math.min(text.length, start + MAX_SNIPPET_CHARS);
	return {
		snippet: text.slice(start, end),
		highlights: ranges
			.filter(([from, to]) => from >= start && to <= end)
			.map(([from, to]) => [from - start, to - start] as [number, number]),
	};
}
