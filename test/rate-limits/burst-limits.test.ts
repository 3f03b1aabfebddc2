/**
 * Burst rate limits (OWASP API4, API6) through the Workers Rate Limiting bindings: signed-in writes per
 * user (USER_WRITE_LIMITER), requests without a token per client IP (IP_READ_LIMITER). Over the limit: 429
 * problem+json with Retry-After and the IETF RateLimit-Policy / RateLimit headers; nothing is done.
 *
 * The suite's own limiters are generous (vitest.config.ts); these tests swap in TEST_TIGHT_LIMITER (3 per
 * 60 s) with `callWithConfig`. Its windows follow the wall clock, so a test allows for one window rolling
 * over mid-test: the first 3 requests always pass, and a 429 must come within the next 4.
 */
/// <reference types="vite/client" />
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	ANONYMOUS_POLICY,
	CHAT_FRAME_POLICY,
	MODERATION_CHECK_IP_POLICY,
	MODERATION_CHECK_USER_POLICY,
	USER_WRITE_POLICY,
} from "../../src/lib/burst-policies";
import wranglerToml from "../../wrangler.toml?raw";
import { call, callWithConfig, expectProblem, expectStatus, signUp } from "../support/api";
import { TIGHT_LIMIT } from "./tight-limiter";

const tightWrites = () => ({ USER_WRITE_LIMITER: env.TEST_TIGHT_LIMITER });
const tightAnonymous = () => ({ IP_READ_LIMITER: env.TEST_TIGHT_LIMITER });
let ipCounter = 0;
const uniqueIp = () => `198.51.100.${(ipCounter++ % 250) + 1}-${Date.now().toString(36)}`;

/** Sends `request` until the first 429 (at most 2 × limit + 1 times); returns the answers before it and it. */
async function untilLimited(request: () => Promise<Response>) {
	const passed: Response[] = [];
	for (let i = 0; i < 2 * TIGHT_LIMIT + 1; i++) {
		const response = await request();
		if (response.status === 429) return { passed, limited: response };
		passed.push(response);
	}
	throw new Error(`no 429 after ${passed.length} requests`);
}

async function expectBurstProblem(response: Response, policy: typeof USER_WRITE_POLICY) {
	const problem = await expectProblem(response, 429);
	expect(problem.type).toBe("urn:flourish:problem:rate-limited");
	expect(response.headers.get("Retry-After")).toBe(String(policy.period));
	expect(response.headers.get("RateLimit-Policy")).toBe(
		`"${policy.name}";q=${policy.limit};w=${policy.period}`,
	);
	expect(response.headers.get("RateLimit")).toBe(`"${policy.name}";r=0;t=${policy.period}`);
	return problem;
}

// POST /moderation/check answers the model's scores: an attacker would call it in a loop to tune an
// abusive text until it passes. It has its own, much tighter budget per account and per client IP.
describe("moderation checks, per account and per IP", () => {
	const check = (token: string, ip: string, swap: Partial<Cloudflare.Env>) =>
		callWithConfig(swap, "POST", "/api/v1/moderation/check", {
			token,
			headers: { "CF-Connecting-IP": ip },
			body: { text: "Is this kind enough to post?" },
		});

	it("limits one account, whatever address it calls from", async () => {
		const user = await signUp("check-tuner");
		let n = 0;
		const { passed, limited } = await untilLimited(() =>
			check(user.token, uniqueIp() + n++, { MODERATION_CHECK_USER_LIMITER: env.TEST_TIGHT_LIMITER }),
		);
		expect(passed.length).toBeGreaterThanOrEqual(TIGHT_LIMIT);
		for (const response of passed) expect(response.status).toBe(200);
		await expectBurstProblem(limited, MODERATION_CHECK_USER_POLICY);
	});

	it("limits one address, however many accounts call from it", async () => {
		const ip = uniqueIp();
		const { passed, limited } = await untilLimited(async () =>
			check((await signUp("check-sybil")).token, ip, { MODERATION_CHECK_IP_LIMITER: env.TEST_TIGHT_LIMITER }),
		);
		expect(passed.length).toBeGreaterThanOrEqual(TIGHT_LIMIT);
		await expectBurstProblem(limited, MODERATION_CHECK_IP_POLICY);
	});

	it("is far tighter than the limits of other calls", () => {
		expect(MODERATION_CHECK_USER_POLICY.limit * 5).toBeLessThanOrEqual(USER_WRITE_POLICY.limit);
		expect(MODERATION_CHECK_IP_POLICY.limit * 10).toBeLessThanOrEqual(ANONYMOUS_POLICY.limit);
	});
});

describe("signed-in writes, per user", () => {
	it("lets the first writes through, then answers 429 with Retry-After and RateLimit headers and creates nothing", async () => {
		const user = await signUp("burst-writer");
		let n = 0;
		const { passed, limited } = await untilLimited(() =>
			callWithConfig(tightWrites(), "POST", "/api/v1/garden/habits", {
				token: user.token,
				body: { name: `Habit ${n++}`, category: "health" },
			}),
		);
		expect(passed.length).toBeGreaterThanOrEqual(TIGHT_LIMIT);
		for (const response of passed) expect(response.status).toBe(201);
		await expectBurstProblem(limited, USER_WRITE_POLICY);

		const rows = await env.DB.prepare("SELECT count(*) AS n FROM habits WHERE user_id = ?")
			.bind(user.id)
			.first<{ n: number }>();
		expect(rows?.n).toBe(passed.length);
	});

	it("counts every write method (PATCH, PUT and DELETE alike), but never reads", async () => {
		const user = await signUp("burst-methods");
		const habit = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/garden/habits", {
				token: user.token,
				body: { name: "Read", category: "learning" },
			}),
			201,
		);
		const methods = ["PATCH", "PUT", "DELETE"];
		let i = 0;
		const { passed, limited } = await untilLimited(() => {
			const method = methods[i++ % methods.length] as string;
			return callWithConfig(tightWrites(), method, `/api/v1/garden/habits/${habit.id}`, {
				token: user.token,
				...(method === "DELETE" ? {} : { body: { name: `Read ${i}` } }),
			});
		});
		expect(passed.map((response) => response.status).slice(0, 3)).toEqual([200, 200, 204]);
		await expectBurstProblem(limited, USER_WRITE_POLICY);
		// The same user, over the write limit, still reads.
		for (let read = 0; read < 2 * TIGHT_LIMIT + 1; read++) {
			const response = await callWithConfig(tightWrites(), "GET", "/api/v1/garden", { token: user.token });
			expect(response.status).toBe(200);
		}
	});

	it("is per user: another person writes while the first is limited", async () => {
		const first = await signUp("burst-first");
		const second = await signUp("burst-second");
		await untilLimited(() =>
			callWithConfig(tightWrites(), "PATCH", "/api/v1/users/me", {
				token: first.token,
				body: { bio: "again" },
			}),
		);
		const other = await callWithConfig(tightWrites(), "PATCH", "/api/v1/users/me", {
			token: second.token,
			body: { bio: "my turn" },
		});
		expect(other.status).toBe(200);
	});

	it("refuses before idempotency: a limited POST leaves its Idempotency-Key free for the retry", async () => {
		const user = await signUp("burst-idempotent");
		let n = 0;
		const { limited } = await untilLimited(() =>
			callWithConfig(tightWrites(), "POST", "/api/v1/sunlight", {
				token: user.token,
				headers: { "Idempotency-Key": `key-${n}` },
				body: { share_type: "win", body: `Win ${n++}` },
			}),
		);
		await expectBurstProblem(limited, USER_WRITE_POLICY);
		const refusedKey = `key-${n - 1}`;
		const stored = await env.DB.prepare(
			"SELECT count(*) AS n FROM idempotency_keys WHERE user_id = ? AND key = ?",
		)
			.bind(user.id, refusedKey)
			.first<{ n: number }>();
		expect(stored?.n).toBe(0);
		// The client retries later (the real limiter): the request runs, it is not a replay of the 429.
		const retry = await call("POST", "/api/v1/sunlight", {
			token: user.token,
			headers: { "Idempotency-Key": refusedKey },
			body: { share_type: "win", body: `Win ${n - 1}` },
		});
		expect(retry.status).toBe(201);
		expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
	});

	it("applies to signed-in writes on public routes too", async () => {
		const user = await signUp("burst-public");
		await env.DB.prepare("UPDATE users SET role = 'guardian' WHERE id = ?").bind(user.id).run();
		const created = await expectStatus<{ request: { id: string }; token: string }>(
			await call("POST", "/api/v1/support/requests", {
				token: user.token,
				body: { title: "A hard day", body: "Looking for a kind word.", category: "stress" },
			}),
			201,
		);
		// PATCH with the support token is a public route: a signed-in caller's writes still count.
		const { limited } = await untilLimited(() =>
			callWithConfig(tightWrites(), "PATCH", `/api/v1/support/requests/${created.request.id}`, {
				token: user.token,
				headers: { "X-Support-Token": created.token },
				body: { title: "A hard day, still" },
			}),
		);
		await expectBurstProblem(limited, USER_WRITE_POLICY);
	});
});

describe("requests without a token, per client IP", () => {
	it("lets the first requests from an IP through, then answers 429; another IP is unaffected", async () => {
		const ip = uniqueIp();
		const { passed, limited } = await untilLimited(() =>
			callWithConfig(tightAnonymous(), "GET", "/api/v1/nourishment", { headers: { "CF-Connecting-IP": ip } }),
		);
		expect(passed.length).toBeGreaterThanOrEqual(TIGHT_LIMIT);
		for (const response of passed) expect(response.status).toBe(200);
		await expectBurstProblem(limited, ANONYMOUS_POLICY);

		const other = await callWithConfig(tightAnonymous(), "GET", "/api/v1/nourishment", {
			headers: { "CF-Connecting-IP": uniqueIp() },
		});
		expect(other.status).toBe(200);
	});

	it("slows anonymous floods of protected routes too (429 before 401 once over the limit)", async () => {
		const ip = uniqueIp();
		const { passed, limited } = await untilLimited(() =>
			callWithConfig(tightAnonymous(), "GET", "/api/v1/garden", { headers: { "CF-Connecting-IP": ip } }),
		);
		for (const response of passed) expect(response.status).toBe(401);
		await expectBurstProblem(limited, ANONYMOUS_POLICY);
	});

	it("never counts signed-in callers against their IP", async () => {
		const user = await signUp("burst-signed-in");
		const ip = uniqueIp();
		for (let i = 0; i < 2 * TIGHT_LIMIT + 1; i++) {
			const response = await callWithConfig(tightAnonymous(), "GET", "/api/v1/nourishment", {
				token: user.token,
				headers: { "CF-Connecting-IP": ip },
			});
			expect(response.status).toBe(200);
		}
	});

	it("without CF-Connecting-IP, treats callers as one unknown address", async () => {
		// The tight limiter is shared by every test file in this run: look at this test's own first 429 only.
		const { limited } = await untilLimited(() =>
			callWithConfig(tightAnonymous(), "GET", "/api/v1/nourishment/today"),
		);
		await expectBurstProblem(limited, ANONYMOUS_POLICY);
	});
});

describe("a limiter that fails", () => {
	it("lets the request through (a burst limit never takes the API down)", async () => {
		const broken: RateLimit = {
			limit: async () => {
				throw new Error("rate limiting service unavailable");
			},
		};
		const user = await signUp("burst-broken");
		const write = await callWithConfig({ USER_WRITE_LIMITER: broken }, "PATCH", "/api/v1/users/me", {
			token: user.token,
			body: { bio: "still works" },
		});
		expect(write.status).toBe(200);
		const read = await callWithConfig({ IP_READ_LIMITER: broken }, "GET", "/api/v1/nourishment", {
			headers: { "CF-Connecting-IP": uniqueIp() },
		});
		expect(read.status).toBe(200);
	});
});

describe("documentation", () => {
	it("documents a 429 with Retry-After and RateLimit headers on every operation", async () => {
		const doc = await expectStatus<{
			paths: Record<
				string,
				Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>
			>;
		}>(await call("GET", "/api/v1/openapi.json"), 200);
		let operations = 0;
		for (const [path, methods] of Object.entries(doc.paths)) {
			if (!path.startsWith("/api/v1/")) continue;
			for (const [method, operation] of Object.entries(methods)) {
				const tooMany = operation.responses["429"];
				expect(tooMany, `${method} ${path}`).toBeDefined();
				expect(Object.keys(tooMany?.headers ?? {}), `${method} ${path}`).toEqual(
					expect.arrayContaining(["Retry-After", "RateLimit-Policy", "RateLimit"]),
				);
				operations++;
			}
		}
		expect(operations).toBeGreaterThan(100);
	});

	it("states in code the same numbers wrangler.toml configures", () => {
		for (const policy of [
			USER_WRITE_POLICY,
			ANONYMOUS_POLICY,
			CHAT_FRAME_POLICY,
			MODERATION_CHECK_USER_POLICY,
			MODERATION_CHECK_IP_POLICY,
		]) {
			const block = wranglerToml
				.split("[[ratelimits]]")
				.find((section) => section.includes(`"${policy.binding}"`));
			expect(block, policy.binding).toBeDefined();
			expect(block).toContain(`simple = { limit = ${policy.limit}, period = ${policy.period} }`);
		}
	});
});
