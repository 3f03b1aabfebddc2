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

/**
 * Where the next page starts: the instant the ranking's recency was taken, the last match's sort key, and its
 * id. The key is the index row's key with `recent` (its created_at in milliseconds × 1024 + n: migration
 * 0012_search_time_keys), and `"window:score"` with
 * `relevance` (see findMatches); a key of an older shape is still read (a created_at, a bare score).
 */
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
	/** The index row's key (its created_at, 0012_search_time_keys): the `recent` order. */
	key: number;
	/** `relevance`: which window of RELEVANCE_WINDOW matches (by bm25) the match is in; 0 with `recent`. */
	window: number;
}

/**
 * Private-use markers the index puts around matched words in a snippet. A person could type them; at worst the
 * highlights of their own text are off (they are only ranges into plain text, never markup).
 */
export const HIGHLIGHT_START = "\u{F0001}";
export const HIGHLIGHT_END = "\u{F0002}";
/** Tokens in the passage the index picks around the best match. */
const SNIPPET_TOKENS = 40;
/** Title matches weigh twice a body's: FTS5's `rank` is this bm25 (lower is better). */
const RANK = "bm25(0, 0, 0, 2.0, 1.0)";
/** Half-life-like scale of the recency boost, in days: a new match ranks up to 1.5× an old one as relevant. */
const RECENCY_DAYS = 14;
/**
 * `relevance` ranks the matches in windows of this many, by bm25 alone (window 0: the best this many), and
 * boosts for recency within a window: a match can rise above any match of its own window, not above one of a
 * better window. Every match of a search with at most this many matches is in window 0, ranked exactly as
 * `-bm25 × boost` says. Only the windows a page needs have their text row read (for `created_at`).
 */
export const RELEVANCE_WINDOW = 500;
/** Windows read per attempt, growing when what the viewer may see does not fill the page (then all of them). */
const WINDOW_SPANS = [2, 8] as const;

type Row = {
	key: number | null;
	win: number | null;
	kind: SearchKind | null;
	ref_id: string | null;
	title: string | null;
	created_at: string | null;
	score: number | null;
	marked: string | null;
	/** Only on the last row of a relevance read: how many matches its windows held. */
	seen: number | null;
};

/**
 * One page of matches for `match` (an FTS5 expression from lib/fts-query) among the kinds of `rules`,
 * best first (`relevance`: bm25, mildly boosted for recency) or newest first (`recent`); `limit + 1` of them
 * when there are more.
 *
 * The cost follows the page, not the number of matches: the visibility rule, the text row and the snippet
 * are evaluated only for the rows a page needs. `recent` walks the index backwards by its key (the order things
 * were created in) and stops at the page's last visible match; `relevance` sorts every match's bm25 (the index
 * alone: no text row, no rule), then reads and boosts the RELEVANCE_WINDOW windows the page needs. The snippet
 * is cut only for the page's rows, in the same statement.
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
	const { rules, sort } = options;
	if (rules.length === 0) return { matches: [], at: options.now.toISOString() };
	// The recency of page one holds for every later page, so the order does not move under the cursor.
	const at = options.after?.at ?? options.now.toISOString();
	const rows =
		sort === "recent" ? await recentPage(db, options) : await relevancePage(db, { ...options, at });
	return {
		at,
		matches: rows.map((row) => ({
			kind: row.kind as SearchKind,
			refId: row.ref_id as string,
			title: row.title,
			score: row.score ?? 0,
			createdAt: row.created_at as string,
			marked: row.marked ?? "",
			key: row.key ?? 0,
			window: row.win ?? 0,
		})),
	};
}

interface PageOptions {
	match: string;
	rules: readonly KindRule[];
	limit: number;
	after: SearchCursor | undefined;
}

/** Who may see the row `alias`: each kind's rule on its source row. */
function visibleIn(rules: readonly KindRule[], alias: string): SQL {
	const refId = sql.raw(`${alias}.ref_id`);
	return sql.join(
		rules.map((rule) => sql`(${sql.raw(alias)}.kind = ${rule.kind} AND ${rule.visible(refId)})`),
		sql` OR `,
	);
}

/** The passage around the best match in the current row of a MATCH over `search_index`. */
const SNIPPET = sql`snippet(search_index, -1, ${HIGHLIGHT_START}, ${HIGHLIGHT_END}, '…', ${sql.raw(String(SNIPPET_TOKENS))})`;

/**
 * The page's rows (`page`: key, win, kind, ref_id, created_at, score) with their snippets, in the same
 * statement. Two plans, measured (docs/decisions/search.md, "Cost"): by default the page is the outer loop
 * (`CROSS JOIN`) and each of its rows seeks its index row by key inside the MATCH — a seek per page row. A
 * prefix term (`gard*`) is expanded into all its words' doclists for each such seek, so then the match is
 * walked once instead (`+rowid`: not a constraint FTS5 may use) and each match looked up in the page.
 */
const withSnippets = (match: string) =>
	match.includes("*")
		? sql`
	SELECT page.key AS key, page.win AS win, page.kind AS kind, page.ref_id AS ref_id, page.title AS title,
		page.created_at AS created_at, page.score AS score, ${SNIPPET} AS marked, NULL AS seen
	FROM search_index JOIN page ON page.key = +search_index.rowid
	WHERE search_index MATCH ${match}`
		: sql`
	SELECT page.key AS key, page.win AS win, page.kind AS kind, page.ref_id AS ref_id, page.title AS title,
		page.created_at AS created_at, page.score AS score, ${SNIPPET} AS marked, NULL AS seen
	FROM page CROSS JOIN search_index ON search_index.rowid = page.key
	WHERE search_index MATCH ${match}`;

/**
 * Newest first: the index's own order by key, descending (FTS5 walks its doclists backwards; no sort), each
 * row's rule checked as it comes, stopping after `limit + 1` visible rows.
 */
async function recentPage(db: Db, { match, rules, limit, after }: PageOptions): Promise<Row[]> {
	const from =
		after === undefined
			? sql``
			: typeof after.key === "number"
				? sql`AND search_index.rowid < ${after.key}`
				: // A cursor of the created_at order this one replaced.
					sql`AND (search_index.created_at, search_index.ref_id) < (${after.key}, ${after.id})`;
	// One cursor: the snippet is cut for the rows that pass, and no other (LIMIT stops the walk).
	return db.all<Row>(sql`
		SELECT search_index.rowid AS key, 0 AS win, search_index.kind AS kind, search_index.ref_id AS ref_id,
			search_index.title AS title, search_index.created_at AS created_at, 0.0 AS score, ${SNIPPET} AS marked, NULL AS seen
		FROM search_index
		WHERE search_index MATCH ${match} ${from} AND (${visibleIn(rules, "search_index")})
		ORDER BY search_index.rowid DESC
		LIMIT ${limit + 1}
	`);
}

/** `relevance`'s order: window ascending, then score descending, then id descending. */
function relevanceOrder(a: Row, b: Row): number {
	return (
		(a.win ?? 0) - (b.win ?? 0) ||
		(b.score ?? 0) - (a.score ?? 0) ||
		((b.ref_id ?? "") < (a.ref_id ?? "") ? -1 : (b.ref_id ?? "") > (a.ref_id ?? "") ? 1 : 0)
	);
}

/** A relevance cursor's window and score (a bare number: a cursor from before windows, window 0). */
function relevanceFrom(after: SearchCursor): { window: number; score: number } {
	if (typeof after.key === "number") return { window: 0, score: after.key };
	const [window, score] = after.key.split(":").map(Number);
	// A tampered window is kept within what a LIMIT can hold.
	return Number.isInteger(window) && Number.isFinite(score)
		? { window: Math.min(Math.max(0, window as number), 1_000_000), score: score as number }
		: { window: 0, score: Number.MAX_VALUE };
}

/**
 * Best first. Every match's bm25 is computed and sorted by FTS5 from the index alone (no text row, no rule);
 * the matches are numbered in that order and cut into windows of RELEVANCE_WINDOW. Only the windows from the
 * cursor's on (two, then more if what the viewer may see does not fill the page) have their `created_at` read
 * and their score boosted; the rule is checked on those, and the first `limit + 1` in the order (window,
 * score, id) make the page. A last row tells how many matches the windows held: fewer than asked means the
 * matches ran out, so a short page is the end.
 */
async function relevancePage(db: Db, options: PageOptions & { at: string }): Promise<Row[]> {
	const { match, rules, limit, after, at } = options;
	const from = after === undefined ? { window: 0, score: Number.MAX_VALUE } : relevanceFrom(after);
	const boost = sql`(1.0 + 0.5 / (1.0 + max(0.0, julianday(${at}) - julianday(search_index.created_at)) / ${sql.raw(`${RECENCY_DAYS}.0`)}))`;
	const afterCursor =
		after === undefined
			? sql`1`
			: sql`(windowed.win > ${sql.raw(String(from.window))} OR (windowed.win = ${sql.raw(String(from.window))} AND (-windowed.b * ${boost}, search_index.ref_id) < (${from.score}, ${after.id})))`;
	for (const span of [...WINDOW_SPANS, undefined]) {
		const cap = span === undefined ? -1 : (from.window + span) * RELEVANCE_WINDOW;
		const rows = await db.all<Row>(sql`
			WITH ranked AS MATERIALIZED (
				SELECT search_index.rowid AS key, search_index.rank AS b
				FROM search_index
				WHERE search_index MATCH ${match} AND search_index.rank MATCH ${RANK}
				ORDER BY search_index.rank
				LIMIT ${sql.raw(String(cap))}
			),
			edge AS MATERIALIZED (
				SELECT count(*) AS seen, CASE WHEN count(*) = ${sql.raw(String(cap))} THEN max(b) END AS b FROM ranked
			),
			windowed AS (
				SELECT key, b, win FROM (
					SELECT key, b, (row_number() OVER (ORDER BY b, key DESC) - 1) / ${sql.raw(String(RELEVANCE_WINDOW))} AS win
					FROM ranked
					WHERE (SELECT b FROM edge) IS NULL OR ranked.b < (SELECT b FROM edge)
				)
				WHERE win >= ${sql.raw(String(from.window))}
			),
			page AS MATERIALIZED (
				SELECT windowed.key AS key, windowed.win AS win, search_index.kind AS kind,
					search_index.ref_id AS ref_id, search_index.title AS title, search_index.created_at AS created_at,
					-windowed.b * ${boost} AS score
				FROM windowed JOIN search_index ON search_index.rowid = windowed.key
				WHERE ${afterCursor} AND (${visibleIn(rules, "search_index")})
				ORDER BY windowed.win, score DESC, search_index.ref_id DESC
				LIMIT ${limit + 1}
			)
			${withSnippets(match)}
			UNION ALL
			SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, (SELECT seen FROM edge)
		`);
		const seen = rows.find((row) => row.kind === null)?.seen ?? 0;
		const page = rows.filter((row) => row.kind !== null).sort(relevanceOrder);
		if (page.length > limit || span === undefined || seen < cap) return page;
	}
	return [];
}

/** The sort key of a match, as a cursor stores it. */
export const cursorKey = (match: SearchMatch, sort: SearchSort): number | string =>
	sort === "relevance" ? `${match.window}:${match.score}` : match.key;

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
