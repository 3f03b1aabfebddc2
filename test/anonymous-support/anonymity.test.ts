/**
 * Anonymity: after a support request is created (and answered), no stored row, response or log line can
 * lead back to the person who wrote it — not their id, their Auth0 `sub`, nor their email.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, expectStatus, setUserColumns, signUp } from "../support/api";
import { allRows, createRequest, withToken } from "./helpers";

afterEach(() => {
	vi.restoreAllMocks();
});

function captureConsole() {
	const lines: string[] = [];
	for (const method of ["log", "info", "warn", "error", "debug"] as const) {
		vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
			lines.push(args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "));
		});
	}
	return lines;
}

const textOf = (rows: Record<string, unknown>[]) => JSON.stringify(rows);

describe("a support request has no link to its author", () => {
	it("stores no id, sub or email of the author in any column of the support tables, nor logs them", async () => {
		const email = `anon-${Date.now()}@example.test`;
		const author = await signUp("anon-author", { email });
		const responder = await signUp("anon-responder");
		await setUserColumns(responder.id, { trust_level: "growing" });
		const lines = captureConsole();

		const body = "A very particular sentence that only this request contains, about my sleepless nights.";
		const created = await createRequest(author, { body, title: "Sleepless for weeks" });
		await expectStatus(
			await call("POST", `/api/v1/support/requests/${created.request.id}/responses`, {
				token: responder.token,
				body: { body: "You are not alone; have you tried a wind-down routine?" },
			}),
			201,
		);
		await expectStatus(
			await call("PATCH", `/api/v1/support/requests/${created.request.id}`, {
				headers: withToken(created.token),
				body: { body: `${body} Edited.` },
			}),
			200,
		);

		const tables = ["support_requests", "support_responses", "support_quota"];
		for (const table of tables) {
			const text = textOf(await allRows(table));
			expect(text, table).not.toContain(author.id);
			expect(text, table).not.toContain(author.sub);
			expect(text, table).not.toContain(email);
		}
		// The request's queue item, if any, and its audit trail name no author either.
		const queue = await env.DB.prepare("SELECT * FROM moderation_queue_items WHERE target_id = ?")
			.bind(created.request.id)
			.all();
		expect(JSON.stringify(queue.results)).not.toContain(author.id);

		const logged = lines.join("\n");
		expect(logged).not.toContain(created.token);
		expect(logged).not.toContain("particular sentence");
		expect(logged).not.toContain(author.id);
	});

	it("counts the daily quota under a keyed hash per day, with day-start timestamps", async () => {
		const author = await signUp("anon-quota");
		const created = await createRequest(author);
		const quota = await allRows("support_quota");
		expect(quota.length).toBeGreaterThan(0);
		for (const row of quota) {
			expect(row.quota_key).toMatch(/^[0-9a-f]{64}$/);
			expect(row.created_at).toMatch(/T00:00:00\.000Z$/);
			expect(row.updated_at).toMatch(/T00:00:00\.000Z$/);
		}
		// The request row itself has no column that could carry an author.
		const columns = Object.keys(
			(await allRows("support_requests")).find((row) => row.id === created.request.id) ?? {},
		);
		expect(columns.filter((name) => /user|author|ip|owner|creator|quota/i.test(name))).toEqual([]);
	});

	it("keeps no idempotency record (it would hold the raw token beside the user id)", async () => {
		const author = await signUp("anon-idem");
		const created = await createRequest(author, {}, { "Idempotency-Key": "retry-me-123" });
		const rows = await env.DB.prepare("SELECT * FROM idempotency_keys WHERE user_id = ?")
			.bind(author.id)
			.all();
		expect(rows.results).toEqual([]);
		expect(JSON.stringify(await allRows("idempotency_keys"))).not.toContain(created.token);
	});

	it("never returns an author field, nor the token again, to anyone", async () => {
		const author = await signUp("anon-read");
		const reader = await signUp("anon-reader");
		const created = await createRequest(author);
		for (const user of [author, reader]) {
			const read = await expectStatus<Record<string, unknown>>(
				await call("GET", `/api/v1/support/requests/${created.request.id}`, { token: user.token }),
				200,
			);
			const text = JSON.stringify(read);
			expect(text).not.toContain(author.id);
			expect(text).not.toContain(created.token);
			expect(read.is_mine).toBe(false);
		}
		const list = await call("GET", "/api/v1/support/requests?limit=100", { token: reader.token });
		const listed = await list.text();
		expect(listed).toContain(created.request.id);
		expect(listed).not.toContain(author.id);
	});
});
