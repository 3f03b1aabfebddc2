/**
 * Every Team Up list is served by an index in its own order (no table scan, no sort): checked with
 * SQLite's EXPLAIN QUERY PLAN against the real D1 schema, with the same conditions the services use.
 */
import { env } from "cloudflare:workers";
import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { projectDiscussions as d, projects as p } from "../../src/db/tables/teamup";
import { listedAnyStatus, listedProject } from "../../src/modules/teamup/access";

const db = createDb(env.DB);

async function expectServedBy(query: { toSQL(): { sql: string; params: unknown[] } }, index: string) {
	const { sql: text, params } = query.toSQL();
	const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${text}`)
		.bind(...params)
		.all<{ detail: string }>();
	const plan = results.map((row) => row.detail);
	expect(plan[0]).toContain(`USING INDEX ${index}`);
	expect(plan.join("\n")).not.toMatch(/TEMP B-TREE|SCAN \w+$/m);
}

describe("Team Up list queries use their indexes", () => {
	it("lists projects newest first, by type and by status through the listed partial indexes", async () => {
		await expectServedBy(
			db
				.select()
				.from(p)
				.where(and(listedProject(), eq(p.isSpiritual, false)))
				.orderBy(desc(p.id))
				.limit(21),
			"projects_listed_idx",
		);
		await expectServedBy(
			db
				.select()
				.from(p)
				.where(and(listedProject(), eq(p.projectType, "creative")))
				.orderBy(desc(p.id))
				.limit(21),
			"projects_listed_type_idx",
		);
		await expectServedBy(
			db
				.select()
				.from(p)
				.where(and(listedAnyStatus(), eq(p.status, "archived")))
				.orderBy(desc(p.id))
				.limit(21),
			"projects_listed_status_idx",
		);
	});

	it("lists threads and replies through the discussion index", async () => {
		await expectServedBy(
			db
				.select()
				.from(d)
				.where(and(eq(d.projectId, "p"), isNull(d.parentId), sql`${d.id} < ${"x"}`))
				.orderBy(desc(d.id))
				.limit(21),
			"project_discussions_project_parent_idx",
		);
		await expectServedBy(
			db
				.select()
				.from(d)
				.where(and(eq(d.projectId, "p"), eq(d.parentId, "t")))
				.orderBy(asc(d.id))
				.limit(21),
			"project_discussions_project_parent_idx",
		);
	});
});
