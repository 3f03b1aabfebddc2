/**
 * D1 read replication through the Sessions API (src/db/session.ts, src/http/context.ts): every request runs
 * its D1 work in one session, started where the request's kind says, and every answer that touched D1
 * carries the session's bookmark for the client to send back.
 *
 * Local D1 has one copy of the database, so replica lag never shows: what these tests prove is where each
 * session starts (counted by the instrumented binding, test/support/d1-counter.ts) — a read sent with a
 * bookmark asks D1 for a copy at least that new, which is what read-your-writes rests on.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { BOOKMARK_HEADER } from "../../src/db/session";
import { sessionStart } from "../../src/http/context";
import { call, callWithConfig, expectStatus, signUp, type TestUser } from "../support/api";
import { countingD1 } from "../support/d1-counter";

const BOOKMARK_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

let user: TestUser;

beforeAll(async () => {
	user = await signUp("replicas");
});

/** Calls the Worker through a counting binding: the answer and where its sessions started. */
async function traced(method: string, path: string, options: Parameters<typeof call>[2] = {}) {
	const counter = countingD1(env.DB);
	const response = await callWithConfig({ DB: counter.db }, method, path, options);
	return { response, sessions: counter.sessions, counter };
}

describe("one D1 session per request", () => {
	it("starts a read wherever is nearest, and a write on the primary", async () => {
		const read = await traced("GET", "/api/v1/garden", { token: user.token });
		expect(read.response.status).toBe(200);
		expect(read.sessions).toEqual(["first-unconstrained"]);
		expect(read.counter.executed.every((statement) => statement.start === "first-unconstrained")).toBe(true);

		const write = await traced("POST", "/api/v1/garden/habits", {
			token: user.token,
			body: { name: "Evening stretch", category: "health" },
		});
		expect(write.response.status).toBe(201);
		expect(write.sessions).toEqual(["first-primary"]);
		expect(write.counter.executed.length).toBeGreaterThan(0);
		expect(write.counter.executed.every((statement) => statement.start === "first-primary")).toBe(true);
	});

	it("gives every answer that touched D1 the session's bookmark, and one that did not none", async () => {
		const read = await call("GET", "/api/v1/garden", { token: user.token });
		expect(read.headers.get(BOOKMARK_HEADER)).toMatch(BOOKMARK_SHAPE);
		const problem = await call("GET", "/api/v1/garden/habits/0190d4e2-0000-7000-8000-000000000000", {
			token: user.token,
		});
		expect(problem.status).toBe(404);
		expect(problem.headers.get(BOOKMARK_HEADER)).toMatch(BOOKMARK_SHAPE);
		// The liveness route answers without D1.
		const live = await call("GET", "/");
		expect(live.status).toBe(200);
		expect(live.headers.get(BOOKMARK_HEADER)).toBeNull();
	});

	it("reads my own write when I send back the bookmark it answered with", async () => {
		const created = await call("POST", "/api/v1/garden/habits", {
			token: user.token,
			body: { name: "Read your writes", category: "mindfulness" },
		});
		expect(created.status).toBe(201);
		const bookmark = created.headers.get(BOOKMARK_HEADER);
		expect(bookmark).toMatch(BOOKMARK_SHAPE);
		const habit = (await created.json()) as { id: string };

		const read = await traced("GET", `/api/v1/garden/habits/${habit.id}`, {
			token: user.token,
			headers: { [BOOKMARK_HEADER]: bookmark as string },
		});
		// The read's session started at that bookmark: D1 serves it from a copy at least that new.
		expect(read.sessions).toEqual([bookmark]);
		const body = await expectStatus<{ id: string; name: string }>(read.response, 200);
		expect(body.name).toBe("Read your writes");
		// And its own bookmark is never older than the one it was given (D1's are ordered).
		const next = read.response.headers.get(BOOKMARK_HEADER) as string;
		expect(next >= (bookmark as string)).toBe(true);
	});

	it("starts a write on the primary even when a bookmark is sent: the primary is newer than any", async () => {
		const read = await call("GET", "/api/v1/garden", { token: user.token });
		const bookmark = read.headers.get(BOOKMARK_HEADER) as string;
		const write = await traced("POST", "/api/v1/garden/habits", {
			token: user.token,
			headers: { [BOOKMARK_HEADER]: bookmark },
			body: { name: "Primary anyway", category: "health" },
		});
		expect(write.response.status).toBe(201);
		expect(write.sessions).toEqual(["first-primary"]);
	});

	it("ignores a bookmark that is not D1's, never failing because of it", async () => {
		const garbage = [
			"garbage",
			"",
			"00000000-00000000-00000000",
			"00000000-0000000A-00000000-00000000000000000000000000000000 ",
			"first-primary",
			"../../etc/passwd",
			"'; DROP TABLE users; --",
			"0".repeat(8_000),
		];
		for (const bookmark of garbage) {
			const read = await traced("GET", "/api/v1/garden", {
				token: user.token,
				headers: { [BOOKMARK_HEADER]: bookmark },
			});
			expect(read.response.status, JSON.stringify(bookmark.slice(0, 40))).toBe(200);
			expect(read.sessions).toEqual(["first-unconstrained"]);
			expect(read.response.headers.get(BOOKMARK_HEADER)).toMatch(BOOKMARK_SHAPE);
		}
	});

	it("answers a well-formed bookmark D1 has never given (tampered, from the future) without a 500", async () => {
		for (const bookmark of [
			"ffffffff-ffffffff-ffffffff-ffffffffffffffffffffffffffffffff",
			"00000000-00000000-00000000-00000000000000000000000000000000",
		]) {
			const read = await call("GET", "/api/v1/garden", {
				token: user.token,
				headers: { [BOOKMARK_HEADER]: bookmark },
			});
			expect(read.status).toBe(200);
		}
	});

	it("starts a WebSocket upgrade on the primary: the socket grants a right", () => {
		const headers = (entries: Record<string, string>) => new Headers(entries);
		const bookmark = "00000000-00000001-00000000-00000000000000000000000000000000";
		expect(sessionStart("GET", headers({ Upgrade: "websocket", [BOOKMARK_HEADER]: bookmark }))).toBe(
			"first-primary",
		);
		expect(sessionStart("GET", headers({ [BOOKMARK_HEADER]: bookmark }))).toBe(bookmark);
		expect(sessionStart("HEAD", headers({}))).toBe("first-unconstrained");
		for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
			expect(sessionStart(method, headers({ [BOOKMARK_HEADER]: bookmark }))).toBe("first-primary");
		}
	});
});

describe("CORS for the bookmark", () => {
	const ALLOWED = "https://app.flourish.test";

	it("lets a browser app send the header and read it back", async () => {
		const preflight = await call("OPTIONS", "/api/v1/garden", {
			headers: {
				Origin: ALLOWED,
				"Access-Control-Request-Method": "GET",
				"Access-Control-Request-Headers": `Authorization, ${BOOKMARK_HEADER}`,
			},
		});
		expect(preflight.status).toBe(204);
		expect(preflight.headers.get("Access-Control-Allow-Headers")).toContain(BOOKMARK_HEADER);
		const read = await call("GET", "/api/v1/garden", { token: user.token, headers: { Origin: ALLOWED } });
		expect(read.headers.get("Access-Control-Expose-Headers")).toContain(BOOKMARK_HEADER);
		await read.body?.cancel();
	});
});

describe("the bookmark in the OpenAPI document", () => {
	interface Operation {
		parameters?: { in: string; name: string }[];
		responses: Record<string, { headers?: Record<string, unknown> }>;
	}
	it("is a request header of every API GET but the socket upgrades, and a header of every success answer", async () => {
		const document = await expectStatus<{ paths: Record<string, Record<string, Operation>> }>(
			await call("GET", "/api/v1/openapi.json"),
			200,
		);
		const missing: string[] = [];
		for (const [path, operations] of Object.entries(document.paths)) {
			// The service's own probes (`/`, `/health`) are not the API.
			if (!path.startsWith("/api/v1/")) continue;
			for (const [method, operation] of Object.entries(operations)) {
				const declares = (operation.parameters ?? []).some(
					(parameter) => parameter.in === "header" && parameter.name === BOOKMARK_HEADER,
				);
				if (method === "get" && !path.endsWith("/ws") && !declares)
					missing.push(`${method} ${path}: parameter`);
				for (const [status, response] of Object.entries(operation.responses)) {
					if (/^2\d\d$/.test(status) && !response.headers?.[BOOKMARK_HEADER]) {
						missing.push(`${method} ${path} ${status}: header`);
					}
				}
			}
		}
		expect(missing).toEqual([]);
	});
});
