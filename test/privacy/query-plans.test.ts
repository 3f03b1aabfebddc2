/**
 * The erasure and the export stay cheap however much an account holds: every statement reaches its rows
 * through an index (SQLite's query plan shows no table scan) and binds at most four parameters, far below
 * D1's 100 per statement; the erasure is the same fixed list of statements for every account.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { anonymousSharesSql, erasureSql } from "../../src/modules/privacy/erase";
import { COLLECTIONS } from "../../src/modules/privacy/export";

const parametersOf = (sql: string) => Math.max(0, ...[...sql.matchAll(/\?(\d+)/g)].map((m) => Number(m[1])));

async function tableScans(sql: string): Promise<string[]> {
	const binds = [
		"0190a0a0-0000-7000-8000-000000000000",
		"2026-01-01T00:00:00.000Z",
		"2026-01-01T00:01:00.000Z",
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	];
	const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
		.bind(...binds.slice(0, parametersOf(sql)))
		.all<{ detail: string }>();
	// Scanning a constant row or a subquery's own (already index-served) result is not a table scan.
	return plan.results
		.map((row) => row.detail)
		.filter((detail) => /^SCAN (?!CONSTANT ROW|\(subquery)/.test(detail));
}

describe("query plans", () => {
	it("serve every statement of the erasure by an index, with at most four parameters", async () => {
		const statements = erasureSql("first");
		expect(statements.length).toBeGreaterThan(40);
		for (const sql of statements) {
			expect(parametersOf(sql), sql).toBeLessThanOrEqual(4);
			expect(await tableScans(sql), sql).toEqual([]);
		}
		// The sweep schedules no further sweeps and leaves no tombstone (the `sub` is already gone).
		expect(erasureSql("sweep")).toHaveLength(statements.length - 3);
		for (const sql of anonymousSharesSql()) expect(await tableScans(sql), sql).toEqual([]);
	});

	it("serve every collection of the export by an index", async () => {
		for (const collection of COLLECTIONS) {
			expect(parametersOf(collection.sql), collection.sql).toBeLessThanOrEqual(2);
			expect(await tableScans(collection.sql), collection.sql).toEqual([]);
		}
	});
});
