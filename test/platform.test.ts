/**
 * Cross-cutting behaviour every route shares: problem+json errors (404, 405, 413, malformed JSON,
 * validation), request ids, secure headers, CORS from the allowlist, and an OpenAPI document that lists
 * every route the app serves.
 */
import { env, exports } from "cloudflare:workers";
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

	it("names every operation once, and describes every tag it uses", async () => {
		type Operation = { operationId?: string; tags?: string[] };
		const doc = await expectStatus<{
			paths: Record<string, Record<string, Operation>>;
			tags: { name: string; description?: string }[];
		}>(await call("GET", "/api/v1/openapi.json"), 200);
		const operations = Object.values(doc.paths).flatMap((ops) => Object.values(ops));
		const ids = operations.map((operation) => operation.operationId);
		for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]+$/);
		expect(new Set(ids).size).toBe(operations.length);
		const described = new Map(doc.tags.map((tag) => [tag.name, tag.description]));
		for (const tag of new Set(operations.flatMap((operation) => operation.tags ?? [])))
			expect(described.get(tag), `tag ${tag}`).toMatch(/\w+/);
	});

	it("says null where an answer may be null, and lets the comment tree refer to itself", async () => {
		const doc = await expectStatus<{ components: { schemas: Record<string, Record<string, unknown>> } }>(
			await call("GET", "/api/v1/openapi.json"),
			200,
		);
		const text = JSON.stringify(doc);
		// An intersection with null reads as never null to generators; a union says what is meant.
		expect(text).not.toMatch(/"allOf":\[\{"\$ref":"[^"]+"\},\{"type":\["object","null"\]/);
		const comment = doc.components.schemas.Comment as {
			properties: { author: unknown; replies: { items: unknown } };
		};
		expect(comment.properties.author).toEqual({
			anyOf: [{ $ref: "#/components/schemas/Author" }, { type: "null" }],
		});
		expect(comment.properties.replies.items).toEqual({ $ref: "#/components/schemas/Comment" });
	});

	it("describes the frames of each WebSocket as schemas a client can generate", async () => {
		type Upgrade = { "x-websocket-frames"?: { client: { $ref: string }; server: { $ref: string } } };
		const doc = await expectStatus<{
			paths: Record<string, { get: Upgrade }>;
			components: { schemas: Record<string, { oneOf?: { properties: { type: { enum: string[] } } }[] }> };
		}>(await call("GET", "/api/v1/openapi.json"), 200);
		const typesOf = (ref: string) =>
			(doc.components.schemas[ref.replace("#/components/schemas/", "")]?.oneOf ?? []).flatMap(
				(frame) => frame.properties.type.enum,
			);
		const chat = doc.paths["/api/v1/orchard/conversations/{user_id}/ws"]?.get["x-websocket-frames"];
		const stream = doc.paths["/api/v1/stream"]?.get["x-websocket-frames"];
		expect(typesOf(chat?.client.$ref ?? "")).toEqual(
			expect.arrayContaining(["message", "read", "typing", "edit", "delete", "sync", "ping"]),
		);
		expect(typesOf(chat?.server.$ref ?? "")).toEqual(
			expect.arrayContaining(["ready", "message", "ack", "message_updated", "message_deleted", "error"]),
		);
		expect(typesOf(stream?.client.$ref ?? "")).toEqual(["sync", "ping"]);
		expect(typesOf(stream?.server.$ref ?? "")).toEqual(
			expect.arrayContaining(["notification", "unread_count", "message", "ready"]),
		);
	});

	it("serves interactive docs at /docs, every file of it from this Worker (offline, no CDN)", async () => {
		const response = await call("GET", "/docs");
		expect(response.status).toBe(200);
		const page = await response.text();
		expect(page).toContain("openapi.json");
		const loaded = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? "");
		expect(loaded).toEqual(
			expect.arrayContaining([
				"/docs/assets/swagger-ui-dist/swagger-ui.css",
				"/docs/assets/swagger-ui-dist/swagger-ui-bundle.js",
			]),
		);
		for (const url of loaded) {
			expect(url, "a same-origin path").toMatch(/^\/(?!\/)/);
			// Static Assets answers these paths before the Worker runs; here its binding is asked directly.
			const asset = await env.ASSETS.fetch(new Request(`https://flourish.test${url}`));
			expect(asset.status, url).toBe(200);
			expect((await asset.text()).length, url).toBeGreaterThan(1000);
		}
		// The introduction a client developer reads first heads the document the page shows.
		const doc = await expectStatus<{ info: { description: string } }>(
			await call("GET", "/api/v1/openapi.json"),
			200,
		);
		for (const topic of [
			"Authentication",
			"Pagination",
			"Idempotency",
			"Rate limits",
			"Errors",
			"WebSockets",
		])
			expect(doc.info.description).toContain(`## ${topic}`);
		expect(doc.info.description).toContain("X-D1-Bookmark");
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
