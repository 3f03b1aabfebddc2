/**
 * Every kind of response — success (200, 201, 204), each problem (400, 401, 403, 404, 405, 413, 422, 429,
 * 500, 503), an unknown route, the OpenAPI document and the HTML docs, a CORS preflight — carries the
 * secure headers and a request id, and every problem body names the same request id as its header.
 */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../src/app";
import { call, callWithConfig, setUserColumns, signUp, type TestUser } from "../support/api";

const SECURE_HEADERS: Record<string, RegExp> = {
	"X-Content-Type-Options": /^nosniff$/,
	"Strict-Transport-Security": /max-age=\d{7,}/,
	"X-Frame-Options": /^(DENY|SAMEORIGIN)$/,
	"Referrer-Policy": /^no-referrer$/,
	"Cross-Origin-Resource-Policy": /^same-origin$/,
	"Cross-Origin-Opener-Policy": /^same-origin$/,
	"X-Permitted-Cross-Domain-Policies": /^none$/,
	"X-XSS-Protection": /^0$/,
};

/** A D1 binding whose every call fails with `error`. */
function failingD1(error: Error): D1Database {
	const fail = () => Promise.reject(error);
	const statement = { bind: () => statement, first: fail, all: fail, run: fail, raw: fail };
	return {
		prepare: () => statement,
		batch: fail,
		exec: fail,
		withSession: () => failingD1(error),
		getBookmark: () => null,
	} as unknown as D1Database;
}

let user: TestUser;
let suspended: TestUser;
const cases: Array<[string, number, () => Promise<Response>]> = [];

beforeAll(async () => {
	user = await signUp("headers");
	suspended = await signUp("headers-suspended");
	await setUserColumns(suspended.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
	const habit = (await (
		await call("POST", "/api/v1/garden/habits", {
			token: user.token,
			body: { name: "Read", category: "learning" },
		})
	).json()) as { id: string };
	const limited = await signUp("headers-limited");
	await env.DB.prepare(
		"INSERT INTO daily_quotas (id, user_id, day, kind, count, created_at, updated_at) VALUES (?1, ?2, ?3, 'posts', 5, ?4, ?4)",
	)
		.bind(crypto.randomUUID(), limited.id, new Date().toISOString().slice(0, 10), new Date().toISOString())
		.run();

	cases.push(
		["liveness", 200, () => call("GET", "/")],
		["readiness", 200, () => call("GET", "/health")],
		["my profile", 200, () => call("GET", "/api/v1/users/me", { token: user.token })],
		["OpenAPI document", 200, () => call("GET", "/api/v1/openapi.json")],
		["HTML docs", 200, () => call("GET", "/docs")],
		[
			"create",
			201,
			() =>
				call("POST", "/api/v1/garden/habits", {
					token: user.token,
					body: { name: "Walk", category: "health" },
				}),
		],
		["delete", 204, () => call("DELETE", `/api/v1/garden/habits/${habit.id}`, { token: user.token })],
		[
			"malformed JSON",
			400,
			() => call("POST", "/api/v1/garden/habits", { token: user.token, rawBody: '{"name":' }),
		],
		["no token", 401, () => call("GET", "/api/v1/garden")],
		["bad token", 401, () => call("GET", "/api/v1/garden", { token: "not.a.jwt" })],
		["suspended", 403, () => call("GET", "/api/v1/garden", { token: suspended.token })],
		["unknown route", 404, () => call("GET", "/api/v1/nothing/here")],
		[
			"unknown resource",
			404,
			() => call("GET", `/api/v1/garden/habits/${crypto.randomUUID()}`, { token: user.token }),
		],
		["wrong method", 405, () => call("PUT", "/api/v1/garden")],
		[
			"too large",
			413,
			() =>
				call("POST", "/api/v1/garden/habits", {
					token: user.token,
					rawBody: JSON.stringify({ name: "x".repeat(MAX_BODY_BYTES) }),
				}),
		],
		["invalid", 422, () => call("POST", "/api/v1/garden/habits", { token: user.token, body: { name: 7 } })],
		[
			"daily limit",
			429,
			() =>
				call("POST", "/api/v1/flourish/posts", {
					token: limited.token,
					body: { type: "text", body: "One more" },
				}),
		],
		[
			"database down",
			503,
			() =>
				callWithConfig(
					{ DB: failingD1(new Error("D1_ERROR: Network connection lost.")) },
					"GET",
					"/api/v1/garden",
					{
						token: user.token,
					},
				),
		],
		[
			"our bug",
			500,
			() =>
				callWithConfig({ DB: failingD1(new TypeError("boom")) }, "GET", "/api/v1/garden", {
					token: user.token,
				}),
		],
		[
			"preflight",
			204,
			() =>
				call("OPTIONS", "/api/v1/garden/habits", {
					headers: { Origin: "https://app.flourish.test", "Access-Control-Request-Method": "POST" },
				}),
		],
	);
});

describe("secure headers", () => {
	it("are on every kind of response, with a request id; problems repeat it in their body", async () => {
		expect(cases.length).toBeGreaterThanOrEqual(20);
		for (const [name, status, send] of cases) {
			const response = await send();
			expect(response.status, name).toBe(status);
			for (const [header, pattern] of Object.entries(SECURE_HEADERS)) {
				expect(response.headers.get(header), `${name}: ${header}`).toMatch(pattern);
			}
			expect(response.headers.get("X-Powered-By"), name).toBeNull();
			const requestId = response.headers.get("X-Request-Id");
			expect(requestId, `${name}: X-Request-Id`).toMatch(/.{8,}/);
			if (status >= 400) {
				expect(response.headers.get("content-type"), name).toContain("application/problem+json");
				const body = (await response.json()) as { request_id?: string; status?: number };
				expect(body.request_id, name).toBe(requestId);
				expect(body.status, name).toBe(status);
			} else {
				await response.body?.cancel();
			}
		}
	});

	it("never let a response be cached by a shared cache when it holds someone's data", async () => {
		const response = await call("GET", "/api/v1/users/me/export", { token: user.token });
		expect(response.status).toBe(200);
		expect(response.headers.get("Cache-Control")).toContain("no-store");
	});

	it("mark every answer to a request with credentials private: kept on the device and revalidated for reads, not stored for errors and sensitive reads", async () => {
		// Reads that may stay on the caller's own device (test/headers/etag.test.ts has the rest).
		for (const [name, path] of [
			["my profile", "/api/v1/users/me"],
			["my garden", "/api/v1/garden"],
			["the feed", "/api/v1/flourish/feed"],
		]) {
			const response = await call("GET", path ?? "", { token: user.token });
			expect(response.headers.get("Cache-Control"), name).toBe("private, no-cache");
			await response.body?.cancel();
		}
		const credentialed: Array<[string, () => Promise<Response>]> = [
			["my support requests", () => call("GET", "/api/v1/support/requests", { token: user.token })],
			["bad token", () => call("GET", "/api/v1/garden", { token: "not.a.jwt" })],
			["suspended", () => call("GET", "/api/v1/garden", { token: suspended.token })],
			[
				"a support token",
				() =>
					call("GET", `/api/v1/support/requests/${crypto.randomUUID()}`, {
						headers: { "X-Support-Token": "not-the-token" },
					}),
			],
		];
		for (const [name, send] of credentialed) {
			const response = await send();
			expect(response.headers.get("Cache-Control"), name).toBe("private, no-store");
			await response.body?.cancel();
		}
		// Anonymous reads of public things are left to the defaults.
		for (const path of ["/", "/health", "/api/v1/openapi.json"]) {
			const response = await call("GET", path);
			expect(response.headers.get("Cache-Control") ?? "", path).not.toContain("private");
			await response.body?.cancel();
		}
	});
});

describe("CORS", () => {
	const ALLOWED = "https://app.flourish.test";

	it("answers an allowed origin's preflight with the methods and headers the API reads", async () => {
		const response = await call("OPTIONS", "/api/v1/support/requests/x", {
			headers: {
				Origin: ALLOWED,
				"Access-Control-Request-Method": "PATCH",
				"Access-Control-Request-Headers": "X-Support-Token, Content-Type",
			},
		});
		expect(response.status).toBe(204);
		expect(response.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
		expect(response.headers.get("Access-Control-Allow-Credentials")).toBe("true");
		expect(response.headers.get("Access-Control-Allow-Methods")).toContain("PATCH");
		for (const header of ["Authorization", "Content-Type", "Idempotency-Key", "X-Support-Token"]) {
			expect(response.headers.get("Access-Control-Allow-Headers")).toContain(header);
		}
		expect(response.headers.get("Vary")).toContain("Origin");
	});

	it("lets an allowed origin read answers and problems, and their request id", async () => {
		for (const response of [
			await call("GET", "/api/v1/users/me", { token: user.token, headers: { Origin: ALLOWED } }),
			await call("GET", "/api/v1/users/me", { headers: { Origin: ALLOWED } }),
		]) {
			expect(response.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
			expect(response.headers.get("Access-Control-Allow-Credentials")).toBe("true");
			expect(response.headers.get("Access-Control-Expose-Headers")).toContain("X-Request-Id");
			expect(response.headers.get("Vary")).toContain("Origin");
			await response.body?.cancel();
		}
	});

	it("gives any other origin nothing to read, on preflights, answers and problems", async () => {
		for (const origin of [
			"https://evil.example",
			"null",
			"https://app.flourish.test.evil.example",
			"http://app.flourish.test",
		]) {
			for (const response of [
				await call("OPTIONS", "/api/v1/users/me", {
					headers: { Origin: origin, "Access-Control-Request-Method": "DELETE" },
				}),
				await call("GET", "/api/v1/users/me", { token: user.token, headers: { Origin: origin } }),
				await call("GET", "/api/v1/users/me", { headers: { Origin: origin } }),
			]) {
				expect(response.headers.get("Access-Control-Allow-Origin"), origin).toBeNull();
				await response.body?.cancel();
			}
		}
	});

	it("never answers a wildcard, even when the configuration lists one", async () => {
		const config = { CORS_ORIGINS: "*, https://partner.example" };
		const wildcardSeeker = await callWithConfig(config, "GET", "/health", {
			headers: { Origin: "https://evil.example" },
		});
		expect(wildcardSeeker.headers.get("Access-Control-Allow-Origin")).toBeNull();
		const star = await callWithConfig(config, "OPTIONS", "/api/v1/users/me", {
			headers: { Origin: "*", "Access-Control-Request-Method": "GET" },
		});
		expect(star.headers.get("Access-Control-Allow-Origin")).toBeNull();
		const partner = await callWithConfig(config, "GET", "/health", {
			headers: { Origin: "https://partner.example" },
		});
		expect(partner.headers.get("Access-Control-Allow-Origin")).toBe("https://partner.example");
	});

	it("answers without CORS headers when no origin is configured", async () => {
		const response = await callWithConfig({ CORS_ORIGINS: "" }, "GET", "/health", {
			headers: { Origin: ALLOWED },
		});
		expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
	});
});

describe("the raw Worker", () => {
	it("puts the same headers on a response produced outside the routers (HEAD)", async () => {
		const response = await exports.default.fetch("https://api.flourish.test/health", { method: "HEAD" });
		expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
		expect(response.headers.get("X-Request-Id")).toBeTruthy();
	});
});
