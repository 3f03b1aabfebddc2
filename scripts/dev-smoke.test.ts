/**
 * Smoke test of the Workers as `npm run dev` runs them: `wrangler dev` bundles the real entry modules and local
 * workerd loads them as production does, so an entry that workerd refuses (an exported string: "Incorrect type
 * for map entry …") fails here, where the test integration — which loads the entry its own way — passes.
 *
 * The stack (scripts/lib/wrangler-stack.ts) lives in a scratch directory removed afterwards, with the vars file
 * `npm run dev` makes (`.dev.vars.example` plus a fresh VAPID key); free ports; no process is left behind.
 *
 * Runs in Node: `npm run test:scripts`, and `.ci/run` counts it. No network.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { PROJECT_ROOT as ROOT } from "./lib/dev-issuer.ts";
import { isRecord } from "./lib/guards.ts";
import { START_TIMEOUT_MS, WranglerStack } from "./lib/wrangler-stack.ts";

const MIGRATE_TIMEOUT_MS = 60_000;
const stack = new WranglerStack("dev-smoke");
const get = (route: string) => stack.get(route);
const start = () => stack.start();

let startup: Promise<void> | undefined;
/** Started once, by whichever test comes first. */
const started = () => {
	startup ??= start();
	return startup;
};
/** For the tests after the first: a failed start is reported in full once, by the first test. */
const afterStart = () =>
	started().catch((error: unknown) => {
		const message = error instanceof Error ? error.message : String(error);
		throw new Error(`the Workers did not start: ${message.split("\n")[0]}`);
	});
const budget = { timeout: MIGRATE_TIMEOUT_MS + START_TIMEOUT_MS + 15_000 };

describe("the Workers as `npm run dev` runs them (wrangler dev, local workerd)", () => {
	after(async () => {
		await stack.stop();
	});

	it("start: GET /health answers 200 within 90 s, and no startup error is printed", budget, async () => {
		await started();
	});

	it("GET /health: 200, with D1 and the ML Worker (over the service binding) ok", budget, async () => {
		await afterStart();
		const response = await get("/health");
		assert.equal(response.status, 200);
		assert.deepEqual(await response.json(), { status: "ok", checks: { d1: "ok", ml: "ok" } });
	});

	it("GET /api/v1/openapi.json: 200, an OpenAPI 3.1 document", budget, async () => {
		await afterStart();
		const response = await get("/api/v1/openapi.json");
		assert.equal(response.status, 200);
		const document: unknown = await response.json();
		assert.ok(isRecord(document) && typeof document.openapi === "string" && isRecord(document.paths));
		assert.match(document.openapi, /^3\.1\./);
		// The published client is generated from this very document (scripts/client.ts builds it in Node).
		const published = JSON.parse(readFileSync(path.join(ROOT, "client", "openapi.json"), "utf8"));
		assert.deepEqual({ ...document, servers: [] }, { ...published, servers: [] });
	});

	it("the local migrations were applied: a public list reads D1 (200)", budget, async () => {
		await afterStart();
		const response = await get("/api/v1/fellowship/groups");
		assert.equal(response.status, 200, await response.clone().text());
	});

	it("GET /api/v1/push/public-key answers 200, or the 503 its document lists", budget, async (t) => {
		await afterStart();
		const route = "/api/v1/push/public-key";
		const document: unknown = await (await get("/api/v1/openapi.json")).json();
		const operation =
			isRecord(document) && isRecord(document.paths) && isRecord(document.paths[route])
				? document.paths[route].get
				: undefined;
		if (!isRecord(operation)) {
			t.skip(`${route} is not in the OpenAPI document`);
			return;
		}
		const response = await get(route);
		const documented = isRecord(operation.responses) ? Object.keys(operation.responses) : [];
		assert.ok(
			response.status === 200 || (response.status === 503 && documented.includes("503")),
			`${route} answered ${response.status}: ${await response.text()}`,
		);
	});

	it("after these requests, wrangler's output still has no error", budget, async () => {
		await afterStart();
		const error = stack.startupError();
		assert.ok(!error, `${error} in${stack.logTail()}`);
		assert.match(stack.plainLog(), /Ready on http:\/\/127\.0\.0\.1:\d+/);
	});
});
