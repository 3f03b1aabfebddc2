/**
 * The support token: ≥ 256 random bits, shown once, stored only as a salted PBKDF2-SHA256 hash (never above
 * the Workers' 100,000 iterations), compared in constant time. The right token works for every token
 * action; a wrong, missing or another request's token is 403, and repeated failures are rate limited.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	hashSupportToken,
	PBKDF2_ITERATIONS,
	SUPPORT_TOKEN_BYTES,
	sealSupportToken,
	supportTokenMatches,
	WORKERS_PBKDF2_MAX_ITERATIONS,
} from "../../src/modules/support/token";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";
import { createRequest, withToken } from "./helpers";

const base64urlBytes = (token: string) =>
	Uint8Array.from(atob(token.replaceAll("-", "+").replaceAll("_", "/")), (ch) => ch.charCodeAt(0)).length;

describe("the token and its hash", () => {
	it("is 256 random bits in base64url, different every time", async () => {
		const author = await signUp("token-shape");
		const first = await createRequest(author);
		const second = await createRequest(author);
		expect(SUPPORT_TOKEN_BYTES * 8).toBeGreaterThanOrEqual(256);
		for (const { token } of [first, second]) {
			expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
			expect(base64urlBytes(token)).toBe(32);
		}
		expect(first.token).not.toBe(second.token);
	});

	it("never uses more PBKDF2 iterations than Workers allow (100,000), and records the count per row", async () => {
		expect(WORKERS_PBKDF2_MAX_ITERATIONS).toBe(100_000);
		expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(WORKERS_PBKDF2_MAX_ITERATIONS);
		const author = await signUp("token-iterations");
		const { request } = await createRequest(author);
		const row = await env.DB.prepare("SELECT token_iterations FROM support_requests WHERE id = ?")
			.bind(request.id)
			.first<{ token_iterations: number }>();
		expect(row?.token_iterations).toBe(PBKDF2_ITERATIONS);
		await expect(
			hashSupportToken("x", new Uint8Array(16), WORKERS_PBKDF2_MAX_ITERATIONS + 1),
		).rejects.toThrow(RangeError);
	});

	it("stores a hash that is not the token and changes with the salt", async () => {
		const author = await signUp("token-hash");
		const { request, token } = await createRequest(author);
		const row = await env.DB.prepare("SELECT token_hash, token_salt FROM support_requests WHERE id = ?")
			.bind(request.id)
			.first<{ token_hash: string; token_salt: string }>();
		expect(row?.token_hash).toBeTruthy();
		expect(row?.token_hash).not.toContain(token);
		expect(row?.token_salt).not.toContain(token);

		const sealedA = await sealSupportToken(token);
		const sealedB = await sealSupportToken(token);
		expect(sealedA.tokenSalt).not.toBe(sealedB.tokenSalt);
		expect(sealedA.tokenHash).not.toBe(sealedB.tokenHash);
		expect(sealedA.tokenHash).not.toBe(row?.token_hash);
		expect(await supportTokenMatches(token, sealedA)).toBe(true);
		expect(await supportTokenMatches(token, sealedB)).toBe(true);
		// One character off: the first (all six of its bits are the token's; the last one's lowest two are padding).
		const tampered = `${token.startsWith("A") ? "B" : "A"}${token.slice(1)}`;
		expect(await supportTokenMatches(tampered, sealedA)).toBe(false);
		expect(await supportTokenMatches("not a token", sealedA)).toBe(false);
	});
});

describe("the token authorises each token action", () => {
	it("edits, closes, deletes and marks responses helpful with the right token", async () => {
		const author = await signUp("token-actions");
		const responder = await signUp("token-responder");
		await setUserColumns(responder.id, { trust_level: "growing" });
		const { request, token } = await createRequest(author);
		const path = `/api/v1/support/requests/${request.id}`;

		const edited = await expectStatus<{ title: string; is_mine: boolean }>(
			await call("PATCH", path, { headers: withToken(token), body: { title: "A clearer title" } }),
			200,
		);
		expect(edited).toMatchObject({ title: "A clearer title", is_mine: true });

		const response = await expectStatus<{ id: string }>(
			await call("POST", `${path}/responses`, { token: responder.token, body: { body: "Sending warmth." } }),
			201,
		);
		const helpful = await expectStatus<{ is_helpful: boolean }>(
			await call("POST", `/api/v1/support/responses/${response.id}/helpful`, { headers: withToken(token) }),
			200,
		);
		expect(helpful.is_helpful).toBe(true);

		const mine = await expectStatus<{ is_mine: boolean }>(
			await call("GET", path, { token: responder.token, headers: withToken(token) }),
			200,
		);
		expect(mine.is_mine).toBe(true);

		const resolved = await expectStatus<{ status: string }>(
			await call("POST", `${path}/status`, { headers: withToken(token), body: { status: "resolved" } }),
			200,
		);
		expect(resolved.status).toBe("resolved");

		expect((await call("DELETE", path, { headers: withToken(token) })).status).toBe(204);
		const row = await env.DB.prepare("SELECT deleted_at FROM support_requests WHERE id = ?")
			.bind(request.id)
			.first<{ deleted_at: string | null }>();
		expect(row?.deleted_at).toBeTruthy();
		await expectProblem(await call("GET", path, { token: responder.token }), 404);
	});

	it.each([
		["a missing token", () => ({})],
		["another request's token", (other: string) => withToken(other)],
		["a well-formed wrong token", () => withToken("A".repeat(43))],
		["a malformed token", () => withToken("short")],
	])("refuses %s with 403 for every token action and changes nothing", async (_label, headersFor) => {
		const author = await signUp("token-refuse");
		const responder = await signUp("token-refuse-responder");
		await setUserColumns(responder.id, { trust_level: "growing" });
		const mine = await createRequest(author);
		const other = await createRequest(author);
		const headers: Record<string, string> = headersFor(other.token);
		const path = `/api/v1/support/requests/${mine.request.id}`;
		const response = await expectStatus<{ id: string }>(
			await call("POST", `${path}/responses`, { token: responder.token, body: { body: "Here for you." } }),
			201,
		);
		await expectProblem(await call("PATCH", path, { headers, body: { title: "Hijacked title" } }), 403);
		await expectProblem(await call("POST", `${path}/status`, { headers, body: { status: "closed" } }), 403);
		await expectProblem(
			await call("POST", `/api/v1/support/responses/${response.id}/helpful`, { headers }),
			403,
		);
		await expectProblem(await call("DELETE", path, { headers }), 403);
		// A signed-in stranger (not a guardian) cannot delete without the token either.
		await expectProblem(await call("DELETE", path, { token: responder.token, headers }), 403);

		const row = await env.DB.prepare("SELECT title, status, deleted_at FROM support_requests WHERE id = ?")
			.bind(mine.request.id)
			.first();
		expect(row).toMatchObject({ title: mine.request.title, status: "responded", deleted_at: null });
		const helpful = await env.DB.prepare("SELECT is_helpful FROM support_responses WHERE id = ?")
			.bind(response.id)
			.first<{ is_helpful: number }>();
		expect(helpful?.is_helpful).toBe(0);
	});

	it("refuses a wrong token on a read (it claims authorship)", async () => {
		const author = await signUp("token-read");
		const reader = await signUp("token-reader");
		const mine = await createRequest(author);
		const other = await createRequest(author);
		await expectProblem(
			await call("GET", `/api/v1/support/requests/${mine.request.id}`, {
				token: reader.token,
				headers: withToken(other.token),
			}),
			403,
		);
	});

	it("answers 404 for an unknown request before looking at the token", async () => {
		await expectProblem(
			await call("PATCH", "/api/v1/support/requests/0190a0a0-0000-7000-8000-000000000000", {
				headers: withToken("A".repeat(43)),
				body: { title: "Anything at all" },
			}),
			404,
		);
		await expectProblem(
			await call("POST", "/api/v1/support/responses/0190a0a0-0000-7000-8000-000000000000/helpful", {
				headers: withToken("A".repeat(43)),
			}),
			404,
		);
	});

	it("lets a guardian delete without the token, audit-logged", async () => {
		const author = await signUp("token-guardian-author");
		const guardian = await signUp("token-guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		const { request } = await createRequest(author);
		expect(
			(await call("DELETE", `/api/v1/support/requests/${request.id}`, { token: guardian.token })).status,
		).toBe(204);
		const audit = await env.DB.prepare(
			"SELECT actor_id, action, target_user_id FROM moderation_actions WHERE target_id = ?",
		)
			.bind(request.id)
			.first();
		expect(audit).toMatchObject({ actor_id: guardian.id, action: "delete_content", target_user_id: null });
	});
});

describe("repeated token failures", () => {
	it("are rate limited per request with 429 and Retry-After, while the right token still works", async () => {
		const author = await signUp("token-limit");
		const { request, token } = await createRequest(author);
		const other = await createRequest(author);
		const path = `/api/v1/support/requests/${request.id}`;
		const statuses: number[] = [];
		let limited: Response | undefined;
		for (let attempt = 0; attempt < 15; attempt++) {
			const response = await call("POST", `${path}/status`, {
				headers: withToken("B".repeat(43)),
				body: { status: "closed" },
			});
			statuses.push(response.status);
			if (response.status === 429) {
				limited = response;
				break;
			}
			await response.body?.cancel();
		}
		expect(statuses.slice(0, 10).every((status) => status === 403)).toBe(true);
		expect(limited).toBeDefined();
		if (!limited) return;
		await expectProblem(limited, 429);
		expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);

		// The limit is per request: another request is unaffected…
		await expectProblem(
			await call("POST", `/api/v1/support/requests/${other.request.id}/status`, {
				headers: withToken("B".repeat(43)),
				body: { status: "closed" },
			}),
			403,
		);
		// …and the holder of the right token is never locked out.
		await expectStatus(
			await call("POST", `${path}/status`, { headers: withToken(token), body: { status: "resolved" } }),
			200,
		);
	});
});
