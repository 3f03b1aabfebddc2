/**
 * The client contract (scripts/client.ts): the published client/ is what the document says today, the
 * document lints clean with Redocly's recommended rules, and a journey an app makes type-checks against a
 * client generated afresh — including the `@ts-expect-error` lines that hold nullable authors nullable.
 *
 * Runs in Node (it spawns the type checker and the linter): `npm run test:scripts`, and `.ci/run` counts it.
 * scripts/dev-smoke.test.ts checks that the running Worker serves this same document.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { CLIENT_DIR, generateClient, staleFiles } from "./client.ts";

const ROOT = path.dirname(CLIENT_DIR);
const BIN = path.join(ROOT, "node_modules", ".bin");

const run = (command: string, args: string[]) =>
	spawnSync(path.join(BIN, command), args, {
		cwd: ROOT,
		encoding: "utf8",
		env: { ...process.env, CI: "true", REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
	});

describe("the published client", () => {
	// Inside node_modules/.cache so that the journey's `openapi-fetch` import resolves to the project's own.
	const cache = path.join(ROOT, "node_modules", ".cache");
	mkdirSync(cache, { recursive: true });
	const scratch = mkdtempSync(path.join(cache, "client-"));
	after(() => rmSync(scratch, { recursive: true, force: true }));

	it("client/ is fresh: regenerating it changes nothing", async () => {
		assert.deepEqual(await staleFiles(), [], "run `npm run client:generate` and commit client/");
	});

	it("a journey type-checks against a client generated from the document, null cases included", async () => {
		const generated = await generateClient();
		for (const [name, text] of Object.entries(generated)) writeFileSync(path.join(scratch, name), text);
		cpSync(path.join(CLIENT_DIR, "examples"), path.join(scratch, "examples"), { recursive: true });
		cpSync(path.join(CLIENT_DIR, "tsconfig.json"), path.join(scratch, "tsconfig.json"));
		const checked = run("tsc", ["-p", path.join(scratch, "tsconfig.json")]);
		assert.equal(checked.status, 0, checked.stdout + checked.stderr);
	});

	it("the journey's checks can fail: an author that is never null breaks them", async () => {
		const generated = await generateClient();
		const lying = generated["schema.d.ts"].replaceAll(
			'author: components["schemas"]["Author"] | null;',
			'author: components["schemas"]["Author"];',
		);
		assert.notEqual(lying, generated["schema.d.ts"]);
		const dir = mkdtempSync(path.join(scratch, "lying-"));
		writeFileSync(path.join(dir, "schema.d.ts"), lying);
		cpSync(path.join(CLIENT_DIR, "examples"), path.join(dir, "examples"), { recursive: true });
		cpSync(path.join(CLIENT_DIR, "tsconfig.json"), path.join(dir, "tsconfig.json"));
		const checked = run("tsc", ["-p", path.join(dir, "tsconfig.json")]);
		assert.notEqual(checked.status, 0);
		assert.match(checked.stdout, /Unused '@ts-expect-error' directive/);
	});

	it("the document lints clean with Redocly's recommended rules (justified warnings ignored by name)", () => {
		const linted = run("redocly", ["lint", "client/openapi.json", "--format=json"]);
		const report = JSON.parse(linted.stdout) as {
			totals: { errors: number; warnings: number };
			problems: { ruleId: string; message: string }[];
		};
		assert.deepEqual(
			report.totals.errors + report.totals.warnings,
			0,
			report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`).join("\n"),
		);
		assert.equal(linted.status, 0);
	});
});
