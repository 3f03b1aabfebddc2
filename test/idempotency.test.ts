/**
 * Idempotency-Key on POSTs: a retried create returns the original response and creates nothing twice;
 * the same key with another body is 422; keys are per user and forgotten after 24 h.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, signUp } from "./support/api";

const HABITS = "/api/v1/garden/habits";
const walk = { name: "Walk", category: "health" };

async function habitCount(userId: string): Promise<number> {
	const row = await env.DB.prepare("SELECT count(*) AS n FROM habits WHERE user_id = ?")
		.bind(userId)
		.first<{ n: number }>();
	return row?.n ?? 0;
}

describe("Idempotency-Key", () => {
	it("replays the original response to a retry and creates one habit", async () => {
		const user = await signUp("idem");
		const headers = { "Idempotency-Key": "create-walk-1" };
		const first = await call("POST", HABITS, { token: user.token, body: walk, headers });
		const created = await expectStatus<{ id: string }>(first, 201);
		const retry = await call("POST", HABITS, { token: user.token, body: walk, headers });
		expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
		expect(await expectStatus<{ id: string }>(retry, 201)).toEqual(created);
		expect(await habitCount(user.id)).toBe(1);
	});

	it("rejects the same key with a different body (422) and creates nothing more", async () => {
		const user = await signUp("idem-mismatch");
		const headers = { "Idempotency-Key": "k-1" };
		await expectStatus(await call("POST", HABITS, { token: user.token, body: walk, headers }), 201);
		await expectProblem(
			await call("POST", HABITS, { token: user.token, body: { ...walk, name: "Run" }, headers }),
			422,
		);
		expect(await habitCount(user.id)).toBe(1);
	});

	it("scopes keys per user", async () => {
		const [a, b] = [await signUp("idem-a"), await signUp("idem-b")];
		const headers = { "Idempotency-Key": "shared-key" };
		await expectStatus(await call("POST", HABITS, { token: a.token, body: walk, headers }), 201);
		const other = await call("POST", HABITS, { token: b.token, body: walk, headers });
		expect(other.headers.get("Idempotent-Replayed")).toBeNull();
		await expectStatus(other, 201);
		expect(await habitCount(b.id)).toBe(1);
	});

	it("creates twice without a key", async () => {
		const user = await signUp("idem-none");
		await expectStatus(await call("POST", HABITS, { token: user.token, body: walk }), 201);
		await expectStatus(await call("POST", HABITS, { token: user.token, body: walk }), 201);
		expect(await habitCount(user.id)).toBe(2);
	});

	it("replays a validation failure too, and releases nothing else", async () => {
		const user = await signUp("idem-invalid");
		const headers = { "Idempotency-Key": "bad-1" };
		await expectProblem(await call("POST", HABITS, { token: user.token, body: { name: "" }, headers }), 422);
		const retry = await call("POST", HABITS, { token: user.token, body: { name: "" }, headers });
		expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
		await expectProblem(retry, 422);
	});

	it("forgets a key after 24 hours", async () => {
		const user = await signUp("idem-expired");
		const headers = { "Idempotency-Key": "old-key" };
		await expectStatus(await call("POST", HABITS, { token: user.token, body: walk, headers }), 201);
		await env.DB.prepare("UPDATE idempotency_keys SET expires_at = ? WHERE user_id = ?")
			.bind(new Date(Date.now() - 1000).toISOString(), user.id)
			.run();
		const again = await call("POST", HABITS, { token: user.token, body: walk, headers });
		expect(again.headers.get("Idempotent-Replayed")).toBeNull();
		await expectStatus(again, 201);
		expect(await habitCount(user.id)).toBe(2);
	});

	it("rejects an unusable key with 422", async () => {
		const user = await signUp("idem-badkey");
		const headers = { "Idempotency-Key": "k".repeat(256) };
		await expectProblem(await call("POST", HABITS, { token: user.token, body: walk, headers }), 422);
		expect(await habitCount(user.id)).toBe(0);
	});
});
