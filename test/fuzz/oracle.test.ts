/**
 * The fuzzer's judge and its schema reading, checked on hand-made answers and values: a fuzz run that
 * passes means something only if these reject what they must.
 */
import { describe, expect, it } from "vitest";
import { type Answer, assertWellFormed, type FuzzCase } from "./requests";
import { type JsonSchema, SchemaArbitraries } from "./schema-arbitraries";

const aCase = (violates = false): FuzzCase => ({
	caller: "guardian",
	url: "/api/v1/garden/habits",
	headers: {},
	body: { kind: "json", value: {}, contentType: "application/json" },
	violates,
});

const answer = (
	status: number,
	body: unknown,
	contentType = "application/problem+json",
	extra: Record<string, string> = {},
): Answer => ({
	status,
	contentType,
	text: typeof body === "string" ? body : JSON.stringify(body),
	headers: new Headers({ "X-Request-Id": "r-1", "content-type": contentType, ...extra }),
});

const problem = (status: number, more: Record<string, unknown> = {}) => ({
	type: "urn:flourish:problem:validation",
	title: "Unprocessable Content",
	status,
	request_id: "r-1",
	...more,
});

describe("the judge", () => {
	it("passes well-formed answers", () => {
		expect(() => assertWellFormed("POST", aCase(), answer(422, problem(422)))).not.toThrow();
		expect(() =>
			assertWellFormed("POST", aCase(), answer(201, { id: "x" }, "application/json")),
		).not.toThrow();
		expect(() => assertWellFormed("POST", aCase(true), answer(422, problem(422)))).not.toThrow();
	});

	it("rejects server errors, non-problem errors, malformed problems, leaks and accepted violations", () => {
		const bad: Array<[string, Answer, boolean?]> = [
			["500", answer(500, problem(500))],
			["503", answer(503, problem(503))],
			["html 404", answer(404, "<h1>Not found</h1>", "text/html")],
			["json 400", answer(400, { error: "bad" }, "application/json")],
			["status mismatch", answer(422, problem(400))],
			["no request id", answer(422, { type: "x", title: "y", status: 422 })],
			["bad errors[]", answer(422, problem(422, { errors: [{ field: 1 }] }))],
			["401 without WWW-Authenticate", answer(401, problem(401))],
			["405 without Allow", answer(405, problem(405))],
			["429 without Retry-After", answer(429, problem(429))],
			["SQL leak", answer(409, problem(409, { detail: "D1_ERROR: UNIQUE constraint failed" }))],
			["success that is not JSON", answer(200, "{", "application/json")],
			["accepted violation", answer(201, { id: "x" }, "application/json"), true],
		];
		for (const [what, reply, violates] of bad) {
			expect(() => assertWellFormed("POST", aCase(violates), reply), what).toThrow();
		}
		const noRequestId = answer(422, problem(422));
		noRequestId.headers.delete("X-Request-Id");
		expect(() => assertWellFormed("POST", aCase(), noRequestId)).toThrow();
	});
});

describe("reading schemas", () => {
	const schemas = new SchemaArbitraries({ resolve: () => ({}), idsFor: () => [] });

	it("knows what certainly breaks a schema, and claims nothing it cannot know", () => {
		const name: JsonSchema = { type: "string", minLength: 1, maxLength: 5 };
		expect(schemas.certainlyBreaks(name, "abcdef")).toBe(true);
		expect(schemas.certainlyBreaks(name, "")).toBe(true);
		expect(schemas.certainlyBreaks(name, 5)).toBe(true);
		expect(schemas.certainlyBreaks(name, "abc")).toBe(false);
		// Lengths are code points, as in JSON Schema and zod: five emoji fit in five characters.
		expect(schemas.certainlyBreaks(name, "😀".repeat(5))).toBe(false);
		expect(schemas.certainlyBreaks(name, "😀".repeat(6))).toBe(true);
		const count: JsonSchema = { type: "integer", minimum: 1, maximum: 100 };
		expect(schemas.certainlyBreaks(count, 101)).toBe(true);
		expect(schemas.certainlyBreaks(count, 1.5)).toBe(true);
		expect(schemas.certainlyBreaks(count, Number.NaN)).toBe(true);
		expect(schemas.certainlyBreaks(count, 100)).toBe(false);
		expect(schemas.certainlyBreaks({ type: ["string", "null"], format: "uuid" }, null)).toBe(false);
		expect(schemas.certainlyBreaks({ type: "string", format: "uuid" }, "not-a-uuid")).toBe(true);
		expect(schemas.certainlyBreaks({ enum: ["a", "b"] }, "c")).toBe(true);
		expect(schemas.certainlyBreaks({ type: "string", pattern: "^\\d{2}$" }, "123")).toBe(true);
		// A date that does not exist is not claimed: only shape is certain.
		expect(schemas.certainlyBreaks({ type: "string", format: "date" }, "2026-02-30")).toBe(false);
	});
});
