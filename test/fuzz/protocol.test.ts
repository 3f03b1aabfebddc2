/**
 * Protocol-level limits, generated over every operation of the OpenAPI document (OWASP API4, API8):
 * - unsupported methods answer 405 with an `Allow` header naming the supported ones;
 * - malformed JSON answers 400, and a body that is not JSON at all 415;
 * - bodies over 64 KiB answer 413 (declared length or streamed), before any auth or parsing;
 * - `limit` above an operation's maximum (100 for every list) or below 1 answers 422 naming `query/limit`.
 * Every answer is also held to the general rules (no 5xx, problem+json for every 4xx).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../src/app";
import { ORIGIN } from "../support/api";
import {
	type Answer,
	assertWellFormed,
	CaseFactory,
	encodeSegment,
	type FuzzCase,
	loadDocument,
	MALFORMED_JSON,
	type OpenApiDocument,
	type Operation,
	operationsOf,
	send,
	stats,
} from "./requests";
import { NASTY_STRINGS } from "./schema-arbitraries";
import { buildWorld, type CallerKind, type World } from "./world";

const doc: OpenApiDocument = await loadDocument();
const operations = operationsOf(doc).filter(
	(operation) => operation.method !== "DELETE" || operation.path !== "/api/v1/users/me",
);
const withBody = operations.filter((operation) => operation.body);
const withLimit = operations.filter((operation) =>
	operation.parameters.some((p) => p.in === "query" && p.name === "limit"),
);
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

let world: World;
let factory: CaseFactory;

beforeAll(async () => {
	world = await buildWorld("protocol");
	factory = new CaseFactory(doc, world);
}, 60_000);

afterAll(() => {
	console.log(`fuzz protocol: ${stats.cases} cases`);
});

/** The operation's path with existing ids (or random UUIDs) in its parameters: it passes path validation. */
function concretePath(operation: Operation): fc.Arbitrary<string> {
	const names = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
	return fc
		.tuple(
			...names.map((name) => {
				const parameter = operation.parameters.find((p) => p.in === "path" && p.name === name);
				const known = world.idsFor(name);
				if (parameter?.schema.enum) return fc.constantFrom(...(parameter.schema.enum as string[]));
				return known.length > 0
					? fc.oneof(fc.constantFrom(...known), fc.uuid({ version: 7 }))
					: fc.uuid({ version: 7 });
			}),
		)
		.map((values) =>
			names.reduce(
				(path, name, i) => path.replace(`{${name}}`, encodeSegment(values[i] ?? "")),
				operation.path,
			),
		);
}

const caseOf = (caller: CallerKind, url: string, body: FuzzCase["body"]): FuzzCase => ({
	caller,
	url,
	headers: {},
	body,
	violates: false,
});

async function sendCase(method: string, fuzzCase: FuzzCase, init?: { stream?: boolean }): Promise<Answer> {
	const headers = new Headers(fuzzCase.headers);
	const token = world.callers[fuzzCase.caller].token;
	if (token) headers.set("Authorization", `Bearer ${token}`);
	let body: BodyInit | undefined;
	if (fuzzCase.body.kind !== "none") {
		const text = fuzzCase.body.kind === "json" ? JSON.stringify(fuzzCase.body.value) : fuzzCase.body.text;
		const contentType = fuzzCase.body.contentType;
		if (contentType) headers.set("Content-Type", contentType);
		body = init?.stream ? new Blob([text]).stream() : text;
	}
	return send(new Request(`${ORIGIN}${fuzzCase.url}`, { method, headers, body }));
}

/** The methods the document allows for a concrete path, over every template that matches it. */
function allowedMethods(concrete: string): Set<string> {
	const allowed = new Set<string>();
	for (const operation of operationsOf(doc)) {
		const pattern = new RegExp(`^${operation.path.replace(/\{\w+\}/g, "[^/]+")}$`);
		if (pattern.test(concrete)) allowed.add(operation.method);
	}
	return allowed;
}

describe("405 for methods a path does not support", () => {
	const paths = [...new Set(operations.map((operation) => operation.path))];
	it(`answers 405 with Allow on every path (${paths.length} paths)`, { timeout: 60_000 }, async () => {
		let checked = 0;
		for (const path of paths) {
			const operation = operations.find((candidate) => candidate.path === path) as Operation;
			const [concrete] = fc.sample(concretePath(operation), 1) as [string];
			const allowed = allowedMethods(concrete);
			for (const method of METHODS.filter((candidate) => !allowed.has(candidate))) {
				const [caller] = fc.sample(fc.constantFrom<CallerKind>("anonymous", "guardian", "new_sprout"), 1) as [
					CallerKind,
				];
				const fuzzCase = caseOf(
					caller,
					concrete,
					method === "GET" ? { kind: "none" } : { kind: "json", value: {}, contentType: "application/json" },
				);
				const answer = await sendCase(method, fuzzCase);
				assertWellFormed(method, fuzzCase, answer);
				expect(answer.status, `${method} ${concrete}`).toBe(405);
				const allow = (answer.headers.get("allow") ?? "").split(",").map((m) => m.trim());
				for (const method of allowed) expect(allow, `Allow of ${concrete}`).toContain(method);
				checked++;
			}
		}
		expect(checked).toBeGreaterThan(100);
	});
});

describe("400 for malformed JSON, 415 for bodies that are not JSON", () => {
	for (const operation of withBody) {
		it(`${operation.method} ${operation.path}`, { timeout: 30_000 }, async () => {
			const truncated = factory.schemas
				.validish(operation.body ?? {})
				.chain((value) => {
					const text = JSON.stringify(value);
					return fc.integer({ min: 1, max: Math.max(1, text.length - 1) }).map((cut) => text.slice(0, cut));
				})
				.filter((text) => {
					try {
						JSON.parse(text);
						return false;
					} catch {
						return true;
					}
				});
			await fc.assert(
				fc.asyncProperty(
					concretePath(operation),
					fc.oneof(fc.constantFrom(...MALFORMED_JSON), truncated),
					async (url, text) => {
						const fuzzCase = caseOf("guardian", url, { kind: "raw", text, contentType: "application/json" });
						const answer = await sendCase(operation.method, fuzzCase);
						assertWellFormed(operation.method, fuzzCase, answer);
						expect(
							answer.status,
							`${operation.method} ${url} with ${JSON.stringify(text.slice(0, 40))}`,
						).toBe(400);
					},
				),
				{ numRuns: 10 },
			);
			await fc.assert(
				fc.asyncProperty(
					concretePath(operation),
					factory.schemas.validish(operation.body ?? {}),
					fc.constantFrom(
						"text/plain",
						"application/x-www-form-urlencoded",
						"multipart/form-data; boundary=x",
						"application/xml",
						undefined,
					),
					async (url, value, contentType) => {
						const fuzzCase = caseOf("guardian", url, {
							kind: "raw",
							text: JSON.stringify(value),
							contentType,
						});
						const answer = await sendCase(operation.method, fuzzCase);
						assertWellFormed(operation.method, fuzzCase, answer);
						expect(answer.status, `${operation.method} ${url} as ${contentType}`).toBe(415);
					},
				),
				{ numRuns: 4 },
			);
		});
	}
});

describe("413 for bodies over 64 KiB", () => {
	it("accepts a body of exactly 64 KiB and refuses one byte more", async () => {
		const body = (size: number) => {
			const skeleton = JSON.stringify({ name: "" });
			return JSON.stringify({ name: "x".repeat(size - skeleton.length) });
		};
		const { token } = world.callers.growing;
		for (const [size, expected] of [
			[MAX_BODY_BYTES, 422],
			[MAX_BODY_BYTES + 1, 413],
		] as const) {
			const text = body(size);
			expect(new TextEncoder().encode(text).length).toBe(size);
			const answer = await send(
				new Request(`${ORIGIN}/api/v1/garden/habits`, {
					method: "POST",
					headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
					body: text,
				}),
			);
			// At the limit the body is read (and refused as a 100-character name); past it, never read.
			expect(answer.status, `${size} bytes`).toBe(expected);
		}
	});

	for (const operation of withBody) {
		it(`${operation.method} ${operation.path}`, { timeout: 30_000 }, async () => {
			await fc.assert(
				fc.asyncProperty(
					concretePath(operation),
					fc.constantFrom<CallerKind>("anonymous", "guardian", "new_sprout", "bad_token"),
					fc.integer({ min: MAX_BODY_BYTES + 1, max: 4 * MAX_BODY_BYTES }),
					fc.constantFrom("string", "padding", "array"),
					fc.boolean(),
					async (url, caller, size, shape, stream) => {
						const filler = "x".repeat(size);
						const text =
							shape === "string"
								? JSON.stringify({ body: filler })
								: shape === "padding"
									? `${" ".repeat(size)}{}`
									: JSON.stringify(Array.from({ length: Math.ceil(size / 2) + 1 }, () => 1));
						const fuzzCase = caseOf(caller, url, { kind: "raw", text, contentType: "application/json" });
						const answer = await sendCase(operation.method, fuzzCase, { stream });
						assertWellFormed(operation.method, fuzzCase, answer);
						expect(
							answer.status,
							`${operation.method} ${url}: ${size} bytes (${shape}, stream ${stream})`,
						).toBe(413);
					},
				),
				{ numRuns: 5 },
			);
		});
	}
});

describe("422 for a `limit` outside its range", () => {
	for (const operation of withLimit) {
		const limit = operation.parameters.find((p) => p.in === "query" && p.name === "limit");
		const max = limit?.schema.maximum ?? 100;
		it(`${operation.method} ${operation.path} (max ${max})`, { timeout: 30_000 }, async () => {
			expect(max).toBeLessThanOrEqual(100);
			const outside = fc.oneof(
				fc.integer({ min: max + 1, max: 1_000_000_000 }).map(String),
				fc.integer({ min: -1_000_000, max: 0 }).map(String),
				fc.constantFrom(
					`${max + 1}`,
					"101",
					"1e3",
					"9999999999999999999999",
					"Infinity",
					"-1",
					"0",
					"1.5",
					"abc",
					"1e2.5",
				),
			);
			await fc.assert(
				fc.asyncProperty(concretePath(operation), outside, async (path, value) => {
					const url = `${path}?limit=${encodeURIComponent(value)}`;
					const fuzzCase = caseOf("guardian", url, { kind: "none" });
					const answer = await sendCase(operation.method, fuzzCase);
					assertWellFormed(operation.method, fuzzCase, answer);
					expect(answer.status, `${url}: ${answer.text.slice(0, 200)}`).toBe(422);
					const fields = (JSON.parse(answer.text) as { errors?: Array<{ field: string }> }).errors ?? [];
					expect(fields.map((error) => error.field)).toContain("query/limit");
				}),
				{ numRuns: 8 },
			);
			// Inside the range, `limit` itself is never the problem.
			await fc.assert(
				fc.asyncProperty(concretePath(operation), fc.integer({ min: 1, max }), async (path, value) => {
					const fuzzCase = caseOf("guardian", `${path}?limit=${value}`, { kind: "none" });
					const answer = await sendCase(operation.method, fuzzCase);
					assertWellFormed(operation.method, fuzzCase, answer);
					if (answer.status === 422) {
						const fields = (JSON.parse(answer.text) as { errors?: Array<{ field: string }> }).errors ?? [];
						expect(fields.map((error) => error.field)).not.toContain("query/limit");
					}
				}),
				{ numRuns: 3 },
			);
		});
	}
});

/** base64url(JSON), as the API encodes cursors. */
function encodeCursorText(value: unknown): string {
	const bytes = new TextEncoder().encode(JSON.stringify(value));
	let binary = "";
	for (const byte of bytes) binary += String.fromCharCode(byte);
	return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const hostileNumber = fc.oneof(
	fc.constantFrom(
		0,
		-0,
		-1,
		1.5,
		1e-300,
		1e300,
		-1e300,
		2 ** 53 + 2,
		2 ** 63,
		-(2 ** 63),
		Number.MAX_SAFE_INTEGER,
	),
	fc.integer(),
	fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const hostileText = fc.oneof(
	fc.uuid({ version: 7 }),
	fc.constantFrom(...NASTY_STRINGS, "9999-12-31T23:59:59.999Z", "2026-11-27", "x".repeat(300)),
	fc.string({ maxLength: 40 }),
);
/** Values in the shapes cursors take (keyset keys, offsets, sequence numbers), made hostile. */
const anyValue = fc.oneof(hostileText, hostileNumber, fc.boolean(), fc.constant(null));
/** The shapes the API's cursors take (keyset keys, offsets, sequence numbers): each with hostile values. */
const CURSOR_SHAPES: string[][] = [
	["id"],
	["hot", "id"],
	["anchor", "offset"],
	["n", "i"],
	["o"],
	["seq"],
	["at", "id"],
	["created_at", "id"],
	["score", "created_at", "id"],
	["local_date", "id"],
	["date", "id"],
	["m", "id"],
	["s", "id"],
	["p", "id"],
	["is_urgent", "id"],
];
const tamperedCursor = fc.oneof(
	{
		weight: 4,
		arbitrary: fc
			.constantFrom(...CURSOR_SHAPES)
			.chain((keys) =>
				fc
					.tuple(...keys.map(() => anyValue))
					.map((values) => Object.fromEntries(keys.map((key, i) => [key, values[i]]))),
			)
			.map(encodeCursorText),
	},
	{ weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(encodeCursorText) },
	{ weight: 1, arbitrary: fc.constantFrom("", "=", "!!!", "e30", "bnVsbA", "W10", `${"A".repeat(511)}`) },
);

describe("tampered cursors are a 400 (or a page), never a 5xx", () => {
	for (const operation of withLimit) {
		it(`${operation.method} ${operation.path}`, { timeout: 30_000 }, async () => {
			await fc.assert(
				fc.asyncProperty(
					concretePath(operation),
					fc.constantFrom<CallerKind>("guardian", "growing", "good_soil"),
					tamperedCursor,
					async (path, caller, cursor) => {
						const fuzzCase = caseOf(caller, `${path}?cursor=${encodeURIComponent(cursor)}`, { kind: "none" });
						const answer = await sendCase(operation.method, fuzzCase);
						assertWellFormed(operation.method, fuzzCase, answer);
					},
				),
				{ numRuns: 20 },
			);
		});
	}
});

describe("the OpenAPI document drives these tests", () => {
	it("has bodies and lists to fuzz", () => {
		expect(withBody.length).toBeGreaterThan(40);
		expect(withLimit.length).toBeGreaterThan(20);
	});
});
