/**
 * The JWKS cache: keys come from memory, then KV, then Auth0; an unknown `kid` refetches at most once per
 * cooldown; when Auth0 is unreachable cached keys keep working, and with nothing cached the answer is 503.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clearJwksMemoryCache } from "../../src/auth/jwks";
import { authTenant, callWithConfig, expectProblem, expectStatus, tokenFor, uniqueSub } from "../support/api";

const ME = "/api/v1/users/me";

describe("JWKS caching", () => {
	it("fetches the key set once, then serves from memory", async () => {
		const tenant = authTenant("memory-hits");
		const config = { AUTH0_JWKS_URL: tenant.jwksUrl };
		for (let i = 0; i < 3; i++) {
			const token = await tokenFor(uniqueSub("memory"));
			await expectStatus(await callWithConfig(config, "GET", ME, { token }), 200);
		}
		expect(await tenant.fetches()).toBe(1);
	});

	it("verifies a burst of concurrent first requests on a cold isolate (no 503 while a fetch is in flight)", async () => {
		const tenant = authTenant("cold-burst");
		const config = { AUTH0_JWKS_URL: tenant.jwksUrl };
		const tokens = await Promise.all(Array.from({ length: 10 }, () => tokenFor(uniqueSub("burst"))));
		const responses = await Promise.all(tokens.map((token) => callWithConfig(config, "GET", ME, { token })));
		expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
		expect(await tenant.fetches()).toBeLessThanOrEqual(10);
		// Once warm, no more fetches.
		await expectStatus(await callWithConfig(config, "GET", ME, { token: tokens[0] }), 200);
		const warm = await tenant.fetches();
		await expectStatus(await callWithConfig(config, "GET", ME, { token: tokens[1] }), 200);
		expect(await tenant.fetches()).toBe(warm);
	});

	it("refetches once for an unknown kid, then not again within the cooldown", async () => {
		const tenant = authTenant("kid-rotation");
		const config = { AUTH0_JWKS_URL: tenant.jwksUrl };
		await expectStatus(
			await callWithConfig(config, "GET", ME, { token: await tokenFor(uniqueSub("rot")) }),
			200,
		);
		expect(await tenant.fetches()).toBe(1);

		const forged = await tokenFor(uniqueSub("rot"), { key: "unknown" });
		await expectProblem(await callWithConfig(config, "GET", ME, { token: forged }), 401);
		expect(await tenant.fetches()).toBe(2);

		for (let i = 0; i < 3; i++) {
			await expectProblem(await callWithConfig(config, "GET", ME, { token: forged }), 401);
		}
		expect(await tenant.fetches()).toBe(2);
	});

	it("keeps accepting tokens from the KV copy while Auth0 is down", async () => {
		const tenant = authTenant("warm-then-down");
		const config = { AUTH0_JWKS_URL: tenant.jwksUrl };
		await expectStatus(
			await callWithConfig(config, "GET", ME, { token: await tokenFor(uniqueSub("warm")) }),
			200,
		);
		expect(await env.CACHE.get(`jwks:v1:${tenant.jwksUrl}`)).not.toBeNull();

		await tenant.setDown(true);
		clearJwksMemoryCache(); // a new isolate: only KV remembers the keys
		await expectStatus(
			await callWithConfig(config, "GET", ME, { token: await tokenFor(uniqueSub("warm")) }),
			200,
		);
	});

	it("falls back to stale keys (older than 24 h) when the refresh fails", async () => {
		const tenant = authTenant("stale-and-down");
		const config = { AUTH0_JWKS_URL: tenant.jwksUrl };
		await expectStatus(
			await callWithConfig(config, "GET", ME, { token: await tokenFor(uniqueSub("stale")) }),
			200,
		);
		const key = `jwks:v1:${tenant.jwksUrl}`;
		const stored = JSON.parse((await env.CACHE.get(key)) ?? "{}");
		await env.CACHE.put(key, JSON.stringify({ ...stored, fetchedAt: Date.now() - 25 * 60 * 60 * 1000 }));
		clearJwksMemoryCache();
		await tenant.setDown(true);

		const before = await tenant.fetches();
		await expectStatus(
			await callWithConfig(config, "GET", ME, { token: await tokenFor(uniqueSub("stale")) }),
			200,
		);
		expect(await tenant.fetches()).toBe(before + 1); // it tried to refresh, failed, and kept the old keys
	});

	it("answers 503 problem+json (not 401, not 500) when Auth0 is down and nothing is cached", async () => {
		const tenant = authTenant("down-cold");
		const response = await callWithConfig({ AUTH0_JWKS_URL: tenant.jwksUrl }, "GET", ME, {
			token: await tokenFor(uniqueSub("cold")),
		});
		const problem = await expectProblem(response, 503);
		expect(response.headers.get("Retry-After")).toBeTruthy();
		expect(problem.request_id).toBeTruthy();
	});
});
