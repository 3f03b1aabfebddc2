/**
 * The cache of verified access tokens (src/auth/verified-tokens.ts, used by verifyAccessToken): a token is
 * answered from memory only inside its own lifetime and the cache's age limit, under the exact
 * configuration it was verified against, and a token that fails verification is never remembered.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { VerifiedTokenCache } from "../../src/auth/verified-tokens";
import { clearVerifiedTokens, verifyAccessToken } from "../../src/auth/verify";
import { Problem } from "../../src/lib/problem";
import { authTenant, tokenFor, uniqueSub } from "../support/api";

const T0 = Date.parse("2026-11-27T12:00:00Z");
const seconds = (ms: number) => Math.floor(ms / 1000);
const cache = () =>
	new VerifiedTokenCache<string>({ capacity: 3, maxAgeMs: 5 * 60_000, toleranceSeconds: 30 });

describe("VerifiedTokenCache", () => {
	it("answers a verified token until its exp plus the clock tolerance, and not after", () => {
		const tokens = cache();
		tokens.set("a", "claims", seconds(T0 + 60_000), T0);
		expect(tokens.get("a", T0 + 60_000)).toBe("claims");
		expect(tokens.get("a", T0 + 89_999)).toBe("claims");
		expect(tokens.get("a", T0 + 90_000)).toBeUndefined();
		// An expired entry is dropped, not kept around.
		expect(tokens.size).toBe(0);
	});

	it("never trusts an entry longer than its age limit, however far away exp is", () => {
		const tokens = cache();
		tokens.set("a", "claims", seconds(T0 + 24 * 3_600_000), T0);
		expect(tokens.get("a", T0 + 5 * 60_000 - 1)).toBe("claims");
		expect(tokens.get("a", T0 + 5 * 60_000)).toBeUndefined();
	});

	it("does not remember a token that is already past its lifetime", () => {
		const tokens = cache();
		tokens.set("a", "claims", seconds(T0 - 60_000), T0);
		expect(tokens.get("a", T0)).toBeUndefined();
		expect(tokens.size).toBe(0);
	});

	it("keeps at most its capacity, dropping the oldest first", () => {
		const tokens = cache();
		const exp = seconds(T0 + 60_000);
		for (const key of ["a", "b", "c", "d"]) tokens.set(key, key, exp, T0);
		expect(tokens.size).toBe(3);
		expect(tokens.get("a", T0)).toBeUndefined();
		expect(tokens.get("d", T0)).toBe("d");
	});
});

describe("verifyAccessToken with the cache", () => {
	const waitUntil = () => {};

	it("verifies a token once, then answers the same claims from memory without the key set", async () => {
		const tenant = authTenant("verified-cache");
		const config = { ...env, AUTH0_JWKS_URL: tenant.jwksUrl };
		const token = await tokenFor(uniqueSub("cached"));
		clearVerifiedTokens();
		const first = await verifyAccessToken(token, config, waitUntil);
		expect(await tenant.fetches()).toBe(1);
		// Auth0 down and the key set forgotten: only a cached verification can still answer.
		await tenant.setDown(true);
		const { clearJwksMemoryCache } = await import("../../src/auth/jwks");
		clearJwksMemoryCache();
		await env.CACHE.delete(`jwks:v1:${tenant.jwksUrl}`);
		expect(await verifyAccessToken(token, config, waitUntil)).toEqual(first);
		// A token never verified here must still go through the key set, which is now unavailable.
		const other = await tokenFor(uniqueSub("cached"));
		await expect(verifyAccessToken(other, config, waitUntil)).rejects.toBeInstanceOf(Problem);
	});

	it("does not reuse a verification made for another audience", async () => {
		const token = await tokenFor(uniqueSub("aud"));
		clearVerifiedTokens();
		await verifyAccessToken(token, env, waitUntil);
		const otherAudience = { ...env, AUTH0_AUDIENCE: "https://another-api.example" };
		await expect(verifyAccessToken(token, otherAudience, waitUntil)).rejects.toMatchObject({ status: 401 });
	});

	it("does not remember a token it rejected", async () => {
		const token = await tokenFor(uniqueSub("exp"), { expiresIn: Math.floor(Date.now() / 1000) - 120 });
		clearVerifiedTokens();
		await expect(verifyAccessToken(token, env, waitUntil)).rejects.toMatchObject({ status: 401 });
		await expect(verifyAccessToken(token, env, waitUntil)).rejects.toMatchObject({ status: 401 });
	});

	it("stops answering from memory once the token's lifetime is over", async () => {
		const tenant = authTenant("verified-cache-expiry");
		const config = { ...env, AUTH0_JWKS_URL: tenant.jwksUrl };
		const exp = Math.floor(Date.now() / 1000) + 60;
		const token = await tokenFor(uniqueSub("late"), { expiresIn: exp });
		clearVerifiedTokens();
		await verifyAccessToken(token, config, waitUntil);
		await tenant.setDown(true);
		const { clearJwksMemoryCache } = await import("../../src/auth/jwks");
		clearJwksMemoryCache();
		await env.CACHE.delete(`jwks:v1:${tenant.jwksUrl}`);
		// Inside the lifetime, memory answers; past exp + 30 s tolerance, it must verify again (and cannot).
		const justBefore = () => (exp + 29) * 1000;
		const after = () => (exp + 30) * 1000;
		await expect(verifyAccessToken(token, config, waitUntil, justBefore)).resolves.toMatchObject({});
		await expect(verifyAccessToken(token, config, waitUntil, after)).rejects.toMatchObject({ status: 503 });
	});
});
