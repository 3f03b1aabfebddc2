/**
 * Cross-cutting behaviour every route shares: problem+json errors (404, 405, 413, malformed JSON,
 * validation), request ids, secure headers, CORS from the allowlist, and an OpenAPI document that lists
 * every route the app serves.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp, MAX_BODY_BYTES } from "../src/app";
import { documentedPathOf } from "../src/http/suffixed-route";
import * as entry from "../src/index";
import { call, expectProblem, expectStatus, signUp } from "./support/api";

describe("errors are RFC 9457 problem+json", () => {
	it("answers an unknown route with 404", async () => {
		const problem = await expectProblem(await call("GET", "/api/v1/no-such-thing"), 404);
		expect(problem.request_id).toBeTruthy();
	});

	it("answers a wrong method with 405 and an Allow header", async () => {
		const response = await call("DELETE", "/api/v1/garden");
		await expectProblem(response, 405);
		expect(response.headers.get("Allow")).toContain("GET");
	});

	it("answers malformed JSON with 400", async () => {
		const { token } = await signUp("malformed");
		await expectProblem(
			await call("POST", "/api/v1/garden/habits", { token, rawBody: '{"name": "Walk",' }),
			400,
		);
	});

	it("answers an oversized body with 413 before parsing it", async () => {
		const { token } = await signUp("oversized");
		const rawBody = JSON.stringify({ name: "x".repeat(MAX_BODY_BYTES + 10) });
		await expectProblem(await call("POST", "/api/v1/garden/habits", { token, rawBody }), 413);
	});

	it("answers validation failures with 422 naming each field", async () => {
		const { token } = await signUp("validation");
		const problem = await expectProblem(
			await call("POST", "/api/v1/garden/habits", { token, body: { name: 42, category: "nope" } }),
			422,
		);
		const fields = problem.errors?.map((error) => error.field) ?? [];
		expect(fields).toEqual(expect.arrayContaining(["body/name", "body/category"]));
	});
});

describe("headers on every response", () => {
	it("carries a request id, echoing a caller's own", async () => {
		const own = await exports.default.fetch("https://api.test/", {
			headers: { "X-Request-Id": "trace-123" },
		});
		expect(own.headers.get("X-Request-Id")).toBe("trace-123");
		const generated = await exports.default.fetch("https://api.test/");
		expect(generated.headers.get("X-Request-Id")).toMatch(/.{8,}/);
	});

	it("sets secure headers", async () => {
		const response = await exports.default.fetch("https://api.test/health");
		expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
		expect(response.headers.get("Strict-Transport-Security")).toContain("max-age");
		expect(response.headers.get("X-Frame-Options")).toBe("SAMEORIGIN");
	});

	it("allows CORS only for configured origins, never a wildcard", async () => {
		const allowed = await call("OPTIONS", "/api/v1/users/me", {
			headers: { Origin: "https://app.flourish.test", "Access-Control-Request-Method": "PATCH" },
		});
		expect(allowed.headers.get("Access-Control-Allow-Origin")).toBe("https://app.flourish.test");
		expect(allowed.headers.get("Access-Control-Allow-Credentials")).toBe("true");

		const denied = await call("OPTIONS", "/api/v1/users/me", {
			headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "PATCH" },
		});
		expect(denied.headers.get("Access-Control-Allow-Origin")).toBeNull();
	});
});

describe("the OpenAPI document", () => {
	it("is OpenAPI 3.1 and lists every route the app serves, with its method", async () => {
		const doc = await expectStatus<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
			await call("GET", "/api/v1/openapi.json"),
			200,
		);
		expect(doc.openapi).toBe("3.1.0");
		const documented = new Set(
			Object.entries(doc.paths).flatMap(([path, ops]) =>
				Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
			),
		);
		const undocumentedInfra = new Set(["GET /api/v1/openapi.json", "GET /docs"]);
		const served = createApp()
			.routes.filter((route) => route.method !== "ALL")
			.map((route) => `${route.method} ${documentedPathOf(route.path)}`)
			.filter((route) => !undocumentedInfra.has(route));
		expect(served.length).toBeGreaterThan(10);
		for (const route of served) expect(documented, `${route} is not documented`).toContain(route);
	});

	it("documents problem responses and bearer security on protected routes", async () => {
		const doc = await expectStatus<{
			paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
		}>(await call("GET", "/api/v1/openapi.json"), 200);
		const getGarden = doc.paths["/api/v1/garden"]?.get;
		expect(getGarden?.security).toEqual([{ bearerAuth: [] }]);
		expect(Object.keys(getGarden?.responses ?? {})).toEqual(expect.arrayContaining(["200", "401", "403"]));
	});

	it("serves interactive docs at /docs", async () => {
		const response = await call("GET", "/docs");
		expect(response.status).toBe(200);
		expect(await response.text()).toContain("openapi.json");
	});
});

describe("the Worker's entry module", () => {
	it("exports only its handler and classes (workerd refuses to start on any other export)", () => {
		const others = Object.entries(entry).filter(
			([name, value]) => name !== "default" && typeof value !== "function",
		);
		expect(others.map(([name]) => name)).toEqual([]);
	});
});
