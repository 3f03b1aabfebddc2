/**
 * Unknown query parameters are a 422 problem naming each of them (`query/<name>`), on every operation of the
 * OpenAPI document — those with a query schema and those without one — never silently ignored. Declared
 * parameters (a WebSocket's `ticket`, a page's `limit`) still pass.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";

type Operations = Record<string, Record<string, { description?: string }>>;

const SOME_ID = "0190a5c0-0000-7000-8000-000000000001";

let guardian: TestUser;
let operations: Array<{ method: string; path: string; guideOnly: boolean }>;

beforeAll(async () => {
	guardian = await signUp("unknown-query-guardian");
	await setUserColumns(guardian.id, { role: "guardian", trust_level: "flourishing" });
	const doc = await expectStatus<{ paths: Operations }>(await call("GET", "/api/v1/openapi.json"), 200);
	// `/` and `/health` are probes outside the API (not defineRoute): uptime checkers may add cache busters.
	operations = Object.entries(doc.paths)
		.filter(([path]) => path.startsWith("/api/v1/"))
		.flatMap(([path, methods]) =>
			Object.entries(methods).map(([method, operation]) => ({
				method: method.toUpperCase(),
				// Path parameters are validated after the query, so any value does here.
				path: `${path.replace(/\{[^}]+\}/g, SOME_ID)}`,
				guideOnly: operation.description?.includes("Verified guides only") ?? false,
			})),
		);
});

describe("unknown query parameters", () => {
	it("are a 422 naming them on every operation", async () => {
		expect(operations.length).toBeGreaterThan(50);
		for (const { method, path, guideOnly } of operations) {
			const response = await call(method, `${path}?zz_unknown=1&limit_typo=5`, { token: guardian.token });
			if (guideOnly && response.status === 403) continue;
			expect(response.status, `${method} ${path}`).toBe(422);
			const problem = (await response.json()) as { errors?: Array<{ field: string; message: string }> };
			expect(
				problem.errors?.map((error) => error.field),
				`${method} ${path}`,
			).toEqual(expect.arrayContaining(["query/zz_unknown", "query/limit_typo"]));
		}
	});

	it("name the unknown one beside declared ones, which still work", async () => {
		const page = await call("GET", "/api/v1/fellowship/groups?limit=5&sort=newest");
		expect(page.status).toBe(200);
		const problem = await expectProblem(
			await call("GET", "/api/v1/fellowship/groups?limit=5&sortt=newest"),
			422,
		);
		expect(problem.errors).toEqual([{ field: "query/sortt", message: "unknown query parameter" }]);
	});

	it("are refused on a route that takes no query at all", async () => {
		const me = await signUp("unknown-query-me");
		await expectStatus(await call("GET", "/api/v1/users/me", { token: me.token }), 200);
		const problem = await expectProblem(
			await call("GET", "/api/v1/users/me?debug=1", { token: me.token }),
			422,
		);
		expect(problem.errors?.map((error) => error.field)).toEqual(["query/debug"]);
	});

	it("are named however they are spelt, `__proto__` and repeated names too", async () => {
		const me = await signUp("unknown-query-proto");
		const problem = await expectProblem(
			await call("GET", "/api/v1/orchard/connections?__proto__=x&constructor=y&constructor=z&limit=5", {
				token: me.token,
			}),
			422,
		);
		expect(problem.errors?.map((error) => error.field)).toEqual(["query/__proto__", "query/constructor"]);
	});

	it("leave a WebSocket's declared `ticket` and `since_seq` alone", async () => {
		const me = await signUp("unknown-query-ws");
		const peer = await signUp("unknown-query-peer");
		const url = `/api/v1/orchard/conversations/${peer.id}/ws`;
		// Not an upgrade: 426 once the query passed; an unknown parameter is refused before that.
		const plain = await call("GET", `${url}?ticket=abc&since_seq=3`, { token: me.token });
		expect(plain.status).not.toBe(422);
		const problem = await expectProblem(
			await call("GET", `${url}?ticket=abc&seq=3`, { token: me.token }),
			422,
		);
		expect(problem.errors?.map((error) => error.field)).toEqual(["query/seq"]);
	});

	it("come after authentication: an anonymous caller of a signed-in route is still a 401", async () => {
		await expectProblem(await call("GET", "/api/v1/users/me?debug=1"), 401);
	});
});
