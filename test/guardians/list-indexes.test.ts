/**
 * The lists of this feature are served by an index in their own order (no full scan, no sort of the whole
 * table): SQLite's query plan for each list query names the index and needs no temporary B-tree.
 */
import { env } from "cloudflare:workers";
import { eq, SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import type { CurrentUser } from "../../src/core/accounts/current-user";
import { createDb } from "../../src/db/client";
import { users } from "../../src/db/tables/users";
import { listAuditLog } from "../../src/modules/guardians/insights";
import { listQueue } from "../../src/modules/guardians/review";
import { supportListQuery } from "../../src/modules/support/service";
import { signUp } from "../support/api";

async function plan(query: { toSQL(): { sql: string; params: unknown[] } } | SQL): Promise<string> {
	const { sql: text, params } =
		query instanceof SQL ? new SQLiteSyncDialect().sqlToQuery(query) : query.toSQL();
	const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${text}`)
		.bind(...params)
		.all<{ detail: string }>();
	return results.map((row) => row.detail).join("\n");
}

async function viewer(columns: Partial<CurrentUser> = {}): Promise<CurrentUser> {
	const user = await signUp("plans");
	const row = await createDb(env.DB).select().from(users).where(eq(users.id, user.id)).get();
	if (!row) throw new Error("no user");
	return { ...row, ...columns };
}

describe("list queries use their indexes", () => {
	it("support requests: the active list, by category, and by status", async () => {
		const member = await viewer();
		const active = await plan(supportListQuery(member, { limit: 20 }));
		expect(active).toContain("support_requests_active_idx");
		expect(active).not.toContain("TEMP B-TREE");
		const byCategory = await plan(supportListQuery(member, { limit: 20, category: "grief" }));
		expect(byCategory).toContain("support_requests_active_category_idx");
		expect(byCategory).not.toContain("TEMP B-TREE");
		const byStatus = await plan(
			supportListQuery(member, {
				limit: 20,
				status: "resolved",
				after: { is_urgent: false, created_at: "2026-01-01T00:00:00.000Z", id: "0" },
			}),
		);
		expect(byStatus).toContain("support_requests_status_urgent_idx");
		expect(byStatus).not.toContain("TEMP B-TREE");
	});

	it("the moderation queue, urgent first, then by score and age (first page and later ones)", async () => {
		const db = createDb(env.DB);
		const first = await plan(listQueue(db, { status: "open", limit: 20 }));
		expect(first).toContain("moderation_queue_items_status_urgent_score_idx");
		expect(first).not.toContain("TEMP B-TREE");
		const later = await plan(
			listQueue(db, {
				status: "open",
				limit: 20,
				after: { is_urgent: true, score: 3, created_at: "2026-01-01T00:00:00.000Z", id: "0" },
			}),
		);
		expect(later).toContain("moderation_queue_items_status_urgent_score_idx");
		expect(later).not.toContain("TEMP B-TREE");
	});

	it("the audit log, newest first, whole or by actor or affected user", async () => {
		const db = createDb(env.DB);
		const whole = await plan(listAuditLog(db, { limit: 20 }));
		expect(whole).toContain("moderation_actions_created_idx");
		expect(whole).not.toContain("TEMP B-TREE");
		const byActor = await plan(listAuditLog(db, { limit: 20, actorId: "a" }));
		expect(byActor).toContain("moderation_actions_actor_idx");
		expect(byActor).not.toContain("TEMP B-TREE");
		const byUser = await plan(listAuditLog(db, { limit: 20, targetUserId: "u" }));
		expect(byUser).toContain("moderation_actions_target_user_idx");
		expect(byUser).not.toContain("TEMP B-TREE");
	});
});
