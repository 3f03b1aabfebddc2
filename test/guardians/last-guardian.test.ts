/**
 * The community never loses its last active guardian: two guardians demoting (or suspending) each other at
 * the same moment leave one in place. This file's database holds only the guardians it creates.
 */
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { users } from "../../src/db/tables/users";
import { administerUser } from "../../src/modules/guardians/admin";
import { decideQueueItem } from "../../src/modules/guardians/review";
import { call, expectStatus, signUp } from "../support/api";
import { guardian } from "./helpers";

const activeGuardians = async (ids: string[]) => {
	const rows = await env.DB.prepare(
		`SELECT count(*) AS n FROM users WHERE role = 'guardian' AND suspended_until IS NULL AND id IN (${ids.map(() => "?").join(",")})`,
	)
		.bind(...ids)
		.first<{ n: number }>();
	return rows?.n ?? 0;
};

describe("the last active guardian", () => {
	it("survives two guardians demoting each other at once", async () => {
		const a = await guardian("last-a");
		const b = await guardian("last-b");
		const responses = await Promise.all([
			call("PATCH", `/api/v1/guardians/users/${b.id}`, {
				token: a.token,
				body: { role: "user", reason: "Swap" },
			}),
			call("PATCH", `/api/v1/guardians/users/${a.id}`, {
				token: b.token,
				body: { role: "user", reason: "Swap" },
			}),
		]);
		const statuses = responses.map((response) => response.status).sort();
		expect(statuses[0]).toBe(200);
		expect([403, 409]).toContain(statuses[1]);
		expect(await activeGuardians([a.id, b.id])).toBe(1);
		const audits = await env.DB.prepare(
			"SELECT count(*) AS n FROM moderation_actions WHERE action = 'set_role'",
		).first<{
			n: number;
		}>();
		expect(audits?.n).toBe(1);
	});

	it("cannot be demoted or suspended, directly or by a decision, by a guardian who has just lost the role (409)", async () => {
		const c = await guardian("last-c");
		const d = await guardian("last-d");
		const db = createDb(env.DB);
		const staleC = await db.select().from(users).where(eq(users.id, c.id)).get();
		if (!staleC) throw new Error("no row");
		// c's request passed the guard as a guardian; meanwhile c lost the role and d is the only guardian left.
		await env.DB.prepare("UPDATE users SET role = 'user' WHERE role = 'guardian' AND id <> ?")
			.bind(d.id)
			.run();
		for (const change of [{ role: "user" as const }, { suspension: { duration: "24h" as const } }]) {
			await expect(
				administerUser(db, env, staleC, d.id, { ...change, reason: "Coup" }),
			).rejects.toMatchObject({
				status: 409,
			});
		}
		// Nor through a queue decision on a report about the last guardian.
		const reporter = await signUp("last-reporter");
		await expectStatus(
			await call("POST", "/api/v1/reports", {
				token: reporter.token,
				body: { target_type: "user", target_id: d.id, reason: "other" },
			}),
			201,
		);
		const item = await env.DB.prepare("SELECT id FROM moderation_queue_items WHERE target_id = ?")
			.bind(d.id)
			.first<{ id: string }>();
		await expect(
			decideQueueItem(db, env, staleC, item?.id ?? "", {
				decision: "suspend",
				duration: "24h",
				reason: "Coup",
			}),
		).rejects.toMatchObject({ status: 409 });
		expect(await activeGuardians([d.id])).toBe(1);
		const penalties = await env.DB.prepare("SELECT count(*) AS n FROM penalties WHERE user_id = ?")
			.bind(d.id)
			.first<{ n: number }>();
		expect(penalties?.n).toBe(0);
	});
});
