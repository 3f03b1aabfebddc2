/**
 * Access-token verification: only RS256 tokens from our issuer, for our audience, with `exp` and `sub`,
 * signed by a key in the tenant's JWKS. Every rejection is a 401 problem with a Bearer challenge.
 */
import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, tokenFor, uniqueSub } from "../support/api";

const ME = "/api/v1/users/me";

async function expectRejected(token: string) {
	const response = await call("GET", ME, { token });
	const problem = await expectProblem(response, 401);
	expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer /);
	return problem;
}

const base64url = (value: unknown) =>
	btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

describe("a valid Auth0 access token", () => {
	it("is accepted and creates the user on first sight", async () => {
		const sub = uniqueSub("valid");
		const me = await expectStatus<{ id: string; role: string; trust_level: string }>(
			await call("GET", ME, { token: await tokenFor(sub) }),
			200,
		);
		expect(me.role).toBe("user");
		expect(me.trust_level).toBe("new_sprout");
		const row = await env.DB.prepare("SELECT id FROM users WHERE auth0_sub = ?")
			.bind(sub)
			.first<{ id: string }>();
		expect(row?.id).toBe(me.id);
	});

	it("ignores role and trust claims in the token: D1 decides", async () => {
		const token = await tokenFor(uniqueSub("claims"), {
			claims: { role: "guardian", trust_level: "flourishing", "https://flourish.app/roles": ["guardian"] },
		});
		const me = await expectStatus<{ role: string; trust_level: string }>(
			await call("GET", ME, { token }),
			200,
		);
		expect(me).toMatchObject({ role: "user", trust_level: "new_sprout" });
	});

	it("creates exactly one user when two first requests race", async () => {
		const sub = uniqueSub("race");
		const token = await tokenFor(sub);
		const [a, b] = await Promise.all([call("GET", ME, { token }), call("GET", ME, { token })]);
		const [meA, meB] = [
			await expectStatus<{ id: string }>(a, 200),
			await expectStatus<{ id: string }>(b, 200),
		];
		expect(meA.id).toBe(meB.id);
		const count = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE auth0_sub = ?")
			.bind(sub)
			.first<{ n: number }>();
		expect(count?.n).toBe(1);
	});
});

describe("forged and invalid tokens are 401", () => {
	it("rejects alg: none", async () => {
		const now = Math.floor(Date.now() / 1000);
		const unsigned = `${base64url({ alg: "none", typ: "JWT" })}.${base64url({
			sub: uniqueSub("none"),
			iss: env.AUTH0_ISSUER,
			aud: env.AUTH0_AUDIENCE,
			iat: now,
			exp: now + 600,
		})}.`;
		await expectRejected(unsigned);
	});

	it("rejects HS256 signed with the public key as the shared secret (algorithm confusion)", async () => {
		const publicKey = JSON.parse(env.TEST_SIGNING_KEYS).current as { n: string; e: string; kid: string };
		const secret = new TextEncoder().encode(JSON.stringify({ kty: "RSA", n: publicKey.n, e: publicKey.e }));
		const token = await new SignJWT({})
			.setProtectedHeader({ alg: "HS256", kid: publicKey.kid })
			.setSubject(uniqueSub("hs256"))
			.setIssuer(env.AUTH0_ISSUER ?? "")
			.setAudience(env.AUTH0_AUDIENCE)
			.setIssuedAt()
			.setExpirationTime("10m")
			.sign(secret);
		await expectRejected(token);
	});

	it("rejects an expired token (beyond the clock tolerance)", async () => {
		await expectRejected(
			await tokenFor(uniqueSub("expired"), { expiresIn: Math.floor(Date.now() / 1000) - 120 }),
		);
	});

	it("rejects a token whose nbf is in the future", async () => {
		const nbf = Math.floor(Date.now() / 1000) + 300;
		await expectRejected(await tokenFor(uniqueSub("nbf"), { claims: { nbf } }));
	});

	it("rejects the wrong issuer", async () => {
		await expectRejected(await tokenFor(uniqueSub("iss"), { issuer: "https://evil.example/" }));
	});

	it("rejects the wrong audience", async () => {
		await expectRejected(await tokenFor(uniqueSub("aud"), { audience: "https://another-api.example" }));
	});

	it("rejects a token without sub", async () => {
		await expectRejected(await tokenFor("ignored", { omit: ["sub"] }));
	});

	it("rejects a token without exp", async () => {
		await expectRejected(await tokenFor(uniqueSub("noexp"), { omit: ["exp"] }));
	});

	it("rejects a token signed by a key the tenant does not publish", async () => {
		await expectRejected(await tokenFor(uniqueSub("kid"), { key: "unknown" }));
	});

	it.each([
		["garbage", "Bearer not-a-jwt"],
		["three empty parts", "Bearer .."],
		["a tampered payload", "TAMPER"],
		["the Basic scheme", "Basic dXNlcjpwYXNz"],
		["an empty bearer", "Bearer "],
	])("rejects a malformed Authorization header: %s", async (_label, header) => {
		let value = header;
		if (header === "TAMPER") {
			const [h, , s] = (await tokenFor(uniqueSub("tamper"))).split(".");
			value = `Bearer ${h}.${base64url({ sub: "auth0|someone-else", exp: 9999999999 })}.${s}`;
		}
		const response = await call("GET", ME, { headers: { Authorization: value } });
		await expectProblem(response, 401);
		expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer /);
	});

	it("asks anonymous callers to sign in", async () => {
		const response = await call("GET", ME);
		const problem = await expectProblem(response, 401);
		expect(problem.detail).toMatch(/bearer/i);
	});
});
