/**
 * List endpoints read a number of rows bounded by the page, not by the table: the same page, for the same
 * person, read on a dataset and again after every growing table has grown tenfold around them, reads the
 * same order of rows (D1's `meta.rows_read`, summed over the statements that find the page). The batch that
 * presents a page (authors, reaction counts, poll results of exactly the page's ids, bound as one JSON list)
 * reads what those items carry — a popular post's reactions — and is reported beside it. And every
 * statement a list request runs is served by an index: its `EXPLAIN QUERY PLAN` has no full scan of a table.
 *
 * The dataset is the benchmark's own (scripts/bench/lib/dataset.mjs: realistic shape, bulk SQL), loaded
 * twice: the second copy, with other people, grows the tables while the measured people's own data (their
 * habits, groups, conversations, the threads they read) stays as it was.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	type Dataset,
	generateDataset,
	SEARCH_TERMS,
	type SeedClient,
	TAIL_WORDS,
} from "../../scripts/bench/lib/dataset.mjs";
import { RELEVANCE_WINDOW } from "../../src/core/search";
import { callWithConfig, tokenFor } from "../support/api";
import { countingD1, type ExecutedStatement } from "../support/d1-counter";

/** Enough people for the dataset's fixed cast (readers, guardians, thread authors); the rest scaled down. */
const BASE = { users: 600, posts: 1_200, reactions: 4_000, habitLogs: 1_200, groups: 30 };
/** The second copy: nine times the first, so every growing table ends up about ten times as large. */
const GROWN = { users: 5_400, posts: 10_800, reactions: 36_000, habitLogs: 10_800, groups: 270 };
/** How far the grown dataset's reads may exceed the first's ("the same order of rows"). */
const GROWTH_ALLOWANCE = { factor: 1.5, rows: 60 };

/** D1 allows 100 bound parameters per statement: multi-row INSERTs of at most that, sent in batches. */
const seed: SeedClient = {
	async insertRows(table, columns, rows, onConflict = "") {
		const perStatement = Math.floor(100 / columns.length);
		const tuple = `(${columns.map(() => "?").join(", ")})`;
		const statements: D1PreparedStatement[] = [];
		for (let start = 0; start < rows.length; start += perStatement) {
			const chunk = rows.slice(start, start + perStatement);
			statements.push(
				env.DB.prepare(
					`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${chunk.map(() => tuple).join(", ")} ${onConflict}`,
				).bind(...chunk.flat()),
			);
		}
		for (let start = 0; start < statements.length; start += 200) {
			await env.DB.batch(statements.slice(start, start + 200));
		}
		return statements.length;
	},
	async run(statements) {
		await env.DB.batch(statements.map(({ sql, params }) => env.DB.prepare(sql).bind(...params)));
	},
};

interface ListCase {
	name: string;
	path: (data: Dataset) => string;
	/** Who reads it (a sub of the first dataset). */
	as: (data: Dataset) => string;
}

const reader = (data: Dataset) => data.fixtures.readers[1] ?? "";
const CASES: ListCase[] = [
	{ name: "feed, newest", path: () => "/api/v1/flourish/feed?sort=recent", as: reader },
	{ name: "feed, top", path: () => "/api/v1/flourish/feed?sort=top", as: reader },
	{ name: "feed, for you", path: () => "/api/v1/flourish/feed?sort=for_you", as: reader },
	{
		name: "a thread's comments",
		path: (data) => `/api/v1/flourish/posts/${data.fixtures.threadPostIds[0]}/comments`,
		as: reader,
	},
	{ name: "my conversations", path: () => "/api/v1/orchard/conversations", as: reader },
	{ name: "my connections", path: () => "/api/v1/orchard/connections", as: reader },
	{ name: "groups", path: () => "/api/v1/fellowship/groups", as: reader },
	{
		name: "guardian queue",
		path: () => "/api/v1/guardians/queue",
		as: (data) => data.fixtures.guardians[0] ?? "",
	},
	{ name: "my garden", path: () => "/api/v1/garden", as: reader },
];

/**
 * Searches (issue 21), for the same reader: the dataset's common word (in about a third of the posts with
 * text) and a word of its long tail (a few posts here, ten times as many once the tables grew), newest first
 * and best first, pages of SEARCH_PAGE.
 */
const SEARCH_PAGE = 20;
const SEARCH_WORDS = { common: SEARCH_TERMS.common, rare: TAIL_WORDS[40] ?? "" };
const SEARCH_CASES = Object.entries(SEARCH_WORDS).flatMap(([word, q]) =>
	(["recent", "relevance"] as const).map((sort) => ({
		name: `search, ${word} word, ${sort}`,
		q,
		sort,
		path: `/api/v1/search?${new URLSearchParams({ q, sort, limit: String(SEARCH_PAGE) })}`,
	})),
);
/**
 * What one search may read to find its page, whatever the size of the tables and the number of matches (the
 * presentation batch, which reads what the page's posts carry, is reported beside it, as for the lists): per
 * row a page walks, its index row, its post (the rule), its snippet and its post again (presentPostsById),
 * with room for rows the reader may not see; and with `relevance`, per match of the two windows of
 * RELEVANCE_WINDOW a first page ranks (FTS5 sorts by bm25 inside the index, reading no row D1 counts), its
 * place in that order, its window, its text row and its rule (measured: ≈ 10).
 */
const SEARCH_ROWS_PER_RESULT = 8;
const SEARCH_ROWS_PER_WINDOW_MATCH = 12;
const searchBound = (sort: "recent" | "relevance") =>
	SEARCH_ROWS_PER_RESULT * (SEARCH_PAGE + 1) +
	(sort === "relevance" ? SEARCH_ROWS_PER_WINDOW_MATCH * 2 * RELEVANCE_WINDOW : 0) +
	60;

/** How many index rows match `q` (what a scan of the matches would read). */
async function matchCount(q: string): Promise<number> {
	const row = await env.DB.prepare("SELECT count(*) AS n FROM search_index WHERE search_index MATCH ?")
		.bind(`"${q}"`)
		.first<{ n: number }>();
	return row?.n ?? 0;
}

interface Reading {
	status: number;
	/** Rows read by the statements that find the page (and the caller). */
	rowsRead: number;
	/** Rows read by the statements keyed by the page's own ids (`IN (SELECT value FROM json_each(?))`). */
	presentationRows: number;
	statements: ExecutedStatement[];
}

const isPresentation = (statement: ExecutedStatement) => statement.sql.includes("json_each(");

/** Calls the endpoint through a counting binding, then replays each SELECT it ran to read `rows_read`. */
async function read(path: string, sub: string): Promise<Reading> {
	const counter = countingD1(env.DB);
	const response = await callWithConfig({ DB: counter.db }, "GET", path, { token: await tokenFor(sub) });
	await response.text();
	const selects = counter.executed.filter((statement) => /^\s*(select|with)\b/i.test(statement.sql));
	let rowsRead = 0;
	let presentationRows = 0;
	for (const statement of selects) {
		const result = await env.DB.prepare(statement.sql)
			.bind(...statement.params)
			.all();
		if (isPresentation(statement)) presentationRows += result.meta.rows_read ?? 0;
		else rowsRead += result.meta.rows_read ?? 0;
	}
	return { status: response.status, rowsRead, presentationRows, statements: selects };
}

/**
 * The database's regular tables (a `SCAN` of a CTE, a subquery or json_each reads only what they hold), and its
 * full-text tables.
 */
let schemaTables: { regular: Set<string>; fullText: Set<string> } | undefined;
async function tablesOfSchema(): Promise<{ regular: Set<string>; fullText: Set<string> }> {
	if (!schemaTables) {
		const { results } = await env.DB.prepare(
			"SELECT name, sql LIKE 'CREATE VIRTUAL TABLE%' AS virtual FROM sqlite_schema WHERE type = 'table'",
		).all<{ name: string; virtual: number }>();
		schemaTables = {
			regular: new Set(results.filter((row) => !row.virtual).map((row) => row.name)),
			fullText: new Set(results.filter((row) => row.virtual).map((row) => row.name)),
		};
	}
	return schemaTables;
}

/**
 * Plan lines that read a whole table: `SCAN posts` (without an index), not `SCAN json_each …` nor the scan of a
 * query's own CTE; and a full-text table read without a constraint (`VIRTUAL TABLE INDEX 0:`, no MATCH, no
 * rowid): FTS5's own use of its index (`…INDEX 192:M5`, `…INDEX 0:=`) is a search, not a scan.
 */
async function fullScans(statement: ExecutedStatement): Promise<string[]> {
	const tables = await tablesOfSchema();
	const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`)
		.bind(...statement.params)
		.all<{ detail: string }>();
	return results
		.map((row) => row.detail)
		.filter((detail) => {
			const name = /^SCAN (\w+)/.exec(detail)?.[1] ?? "";
			return (
				(detail === `SCAN ${name}` && tables.regular.has(name)) ||
				(tables.fullText.has(name) && /VIRTUAL TABLE INDEX \d+:$/.test(detail))
			);
		});
}

let data: Dataset;
const before = new Map<string, Reading>();
const searchedBefore = new Map<string, Reading & { matches: number }>();

beforeAll(async () => {
	data = await generateDataset(seed, BASE, { subPrefix: "budget|a-" });
	for (const each of CASES) before.set(each.name, await read(each.path(data), each.as(data)));
	for (const each of SEARCH_CASES)
		searchedBefore.set(each.name, {
			...(await read(each.path, reader(data))),
			matches: await matchCount(each.q),
		});
	await generateDataset(seed, GROWN, { subPrefix: "budget|b-" });
}, 90_000);

describe("rows read by list endpoints", () => {
	it("the same page reads the same order of rows on a tenfold larger dataset", async () => {
		const grown = new Map<string, Reading>();
		for (const each of CASES) grown.set(each.name, await read(each.path(data), each.as(data)));
		const report = CASES.map((each) => {
			const small = before.get(each.name);
			const large = grown.get(each.name);
			return `${each.name}: ${small?.rowsRead} rows read (+${small?.presentationRows} presenting the page), then ${large?.rowsRead} (+${large?.presentationRows}) after the tables grew tenfold`;
		});
		console.info(`rows read per request:\n${report.join("\n")}`);
		for (const each of CASES) {
			const small = before.get(each.name);
			const large = grown.get(each.name);
			expect(small?.status, each.name).toBe(200);
			expect(large?.status, each.name).toBe(200);
			// Something was read: the measurement is not vacuous.
			expect(small?.rowsRead ?? 0, each.name).toBeGreaterThan(0);
			expect(large?.rowsRead ?? 0, `${each.name}: ${report.join("; ")}`).toBeLessThanOrEqual(
				(small?.rowsRead ?? 0) * GROWTH_ALLOWANCE.factor + GROWTH_ALLOWANCE.rows,
			);
		}
	});

	it("every statement of a list request is served by an index (no full scan of a table)", async () => {
		const scans: string[] = [];
		for (const each of CASES) {
			const { statements } = await read(each.path(data), each.as(data));
			expect(statements.length, each.name).toBeGreaterThan(0);
			for (const statement of statements) {
				for (const line of await fullScans(statement))
					scans.push(`${each.name}: ${line} in ${statement.sql}`);
			}
		}
		expect(scans).toEqual([]);
	});
});

describe("rows read by a search", () => {
	it("is bounded by the page (and relevance's windows), not by the matches nor the tables", async () => {
		const lines: string[] = [];
		for (const each of SEARCH_CASES) {
			const small = searchedBefore.get(each.name);
			const large = { ...(await read(each.path, reader(data))), matches: await matchCount(each.q) };
			lines.push(
				`${each.name}: ${small?.matches} matches, ${small?.rowsRead} rows read (+${small?.presentationRows} presenting); then ${large.matches} matches, ${large.rowsRead} (+${large.presentationRows}) after the tables grew tenfold`,
			);
			expect(small?.status, each.name).toBe(200);
			expect(large.status, each.name).toBe(200);
			expect(large.matches, `${each.name}: the tables grew`).toBeGreaterThan(small?.matches ?? 0);
			for (const reading of [small, large]) {
				if (!reading) continue;
				expect(reading.rowsRead, each.name).toBeGreaterThan(0);
				expect(reading.rowsRead, `${each.name}: ${lines.at(-1)}`).toBeLessThanOrEqual(searchBound(each.sort));
			}
			// Newest first walks the index backwards and stops at the page: the common word reads what it read
			// when it had a tenth of the matches.
			if (each.sort === "recent" && each.q === SEARCH_WORDS.common)
				expect(large.rowsRead, lines.at(-1)).toBeLessThanOrEqual(
					(small?.rowsRead ?? 0) * GROWTH_ALLOWANCE.factor + GROWTH_ALLOWANCE.rows,
				);
		}
		console.info(`rows read per search:\n${lines.join("\n")}`);
		// Not vacuous: the common word has more matches than a page reads, and than the windows relevance ranks.
		const common = await matchCount(SEARCH_WORDS.common);
		expect(common).toBeGreaterThan(searchBound("recent"));
		expect(common).toBeGreaterThan(2 * RELEVANCE_WINDOW);
	});

	it("every statement of a search is served by an index (no full scan of a table)", async () => {
		const scans: string[] = [];
		for (const each of SEARCH_CASES) {
			const { statements } = await read(each.path, reader(data));
			expect(statements.length, each.name).toBeGreaterThan(0);
			for (const statement of statements) {
				for (const line of await fullScans(statement))
					scans.push(`${each.name}: ${line} in ${statement.sql}`);
			}
		}
		expect(scans).toEqual([]);
	});
});
