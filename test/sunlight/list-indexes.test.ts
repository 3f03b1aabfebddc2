/**
 * The share list is served by an index in its own order, (created_at DESC, id DESC) — the order that works
 * now that anonymous shares have random ids — with no full scan and no sort of the whole table; and the
 * author's export reads its shares, newest first, the same way.
 */
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { CurrentUser } from "../../src/core/accounts/current-user";
import { createDb } from "../../src/db/client";
import { users } from "../../src/db/tables/users";
import { COLLECTIONS } from "../../src/modules/privacy/export";
import { shareListQuery } from "../../src/modules/sunlight/service";
import { signUp } from "../support/api";

async function plan(text: string, params: unknown[]): Promise<string> {
	const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${text}`)
		.bind(...params)
		.all<{ detail: string }>();
	return results.map((row) => row.detail).join("\n");
}

async function viewer(): Promise<CurrentUser> {
	const user = await signUp("sun-plans");
	const row = await createDb(env.DB).select().from(users).where(eq(users.id, user.id)).get();
	if (!row) throw new Error("no user");
	return row;
}

describe("sunlight list queries use their indexes", () => {
	it("the whole list and by type, first page and after a cursor", async () => {
		const db = createDb(env.DB);
		const member = await viewer();
		const after = { created_at: "2026-01-01T10:00:00.000Z", id: crypto.randomUUID() };
		for (const [filters, index] of [
			[{}, "sunlight_shares_deleted_idx"],
			[{ share_type: "win" as const }, "sunlight_shares_type_idx"],
		] as const) {
			for (const cursor of [undefined, after]) {
				const { sql, params } = shareListQuery(db, member, filters, 20, cursor).toSQL();
				const detail = await plan(sql, params);
				expect(detail, sql).toContain(index);
				expect(detail, sql).not.toContain("TEMP B-TREE");
				expect(detail, sql).not.toMatch(/SCAN sunlight_shares(?! USING)/);
			}
		}
	});

	it("the export of a person's shares, newest first", async () => {
		const collection = COLLECTIONS.find((each) => each.path.join(".") === "sunlight.shares");
		if (!collection) throw new Error("no sunlight.shares collection");
		const detail = await plan(collection.sql, [crypto.randomUUID(), 1001]);
		expect(detail).toContain("sunlight_shares_author_idx");
		expect(detail).not.toContain("TEMP B-TREE");
	});
});
