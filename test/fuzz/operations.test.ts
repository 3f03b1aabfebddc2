/**
 * Property-based fuzzing of EVERY operation in the OpenAPI document (OWASP API4, API8): generated callers
 * of every trust level and role, path parameters (existing ids, random UUIDs, malformed ones, nasty
 * strings), query parameters, headers (Idempotency-Key, X-Support-Token) and JSON bodies — valid-ish ones
 * that reach the handlers and hostile ones (wrong types, huge strings, odd unicode, nulls, deep nesting,
 * unknown fields, out-of-range numbers, arrays past their bounds, malformed JSON, wrong content types).
 *
 * For every answer: never a 5xx; every 4xx is RFC 9457 problem+json (type, title, status, request_id);
 * no internals in any body; and a request that certainly breaks the schema is never accepted.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import {
	CaseFactory,
	loadDocument,
	type OpenApiDocument,
	type Operation,
	operationsOf,
	runCase,
	stats,
} from "./requests";
import { buildWorld, type World } from "./world";

/** Runs per operation: more where a body gives more to vary. ~3,000 cases in all. */
const RUNS_WITH_BODY = 40;
const RUNS_WITHOUT_BODY = 18;

// The document is read once at collection time, so every operation gets its own named test.
const doc: OpenApiDocument = await loadDocument();

/** Destructive operations last, so the ids the others use exist as long as possible. */
const rank = (operation: Operation) =>
	operation.path === "/api/v1/users/me" && operation.method === "DELETE"
		? 2
		: operation.method === "DELETE"
			? 1
			: 0;
const operations = operationsOf(doc).sort((a, b) => rank(a) - rank(b));

let world: World;
let factory: CaseFactory;

beforeAll(async () => {
	world = await buildWorld("ops");
	factory = new CaseFactory(doc, world);
}, 60_000);

afterAll(() => {
	const statuses = [...stats.statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
	console.log(
		`fuzz operations: ${operations.length} operations, ${stats.cases} cases (${statuses.join(", ")})`,
	);
});

describe("every operation survives generated input", () => {
	it("covers every operation of the document", () => {
		if (operations.length < 100) throw new Error(`only ${operations.length} operations in the document`);
	});

	for (const operation of operations) {
		it(`${operation.method} ${operation.path}`, { timeout: 60_000 }, async () => {
			await world.restoreCallers();
			await fc.assert(
				fc.asyncProperty(factory.caseFor(operation), async (fuzzCase) => {
					await runCase(operation.method, fuzzCase, world);
				}),
				{
					numRuns: operation.body ? RUNS_WITH_BODY : RUNS_WITHOUT_BODY,
					// Bounded even while shrinking a failure (each run is a request).
					interruptAfterTimeLimit: 40_000,
				},
			);
		});
	}
});
