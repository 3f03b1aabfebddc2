/**
 * The web app's production build (what `npm run deploy` ships): small enough, split by route, and without any
 * trace of the development sign-in. A development build, made the same way, is the control: the markers this
 * test looks for are really there when the page is.
 *
 * Runs in Node (`npm run test:scripts`; `.ci/run` counts it). Builds into scratch directories; about 5 s.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { buildWebApp, filesOf, initialScripts } from "./lib/web-build.ts";

/** The budget for the JavaScript of a first visit. */
const INITIAL_JS_BUDGET_BYTES = 170 * 1024;

/**
 * What would betray the development sign-in in a bundle: its route's page title, the issuer's token route and
 * default address, the demo subjects, its storage key, the component's name and the build-time constants.
 */
const DEV_SIGN_IN_MARKERS = [
	"Development sign-in",
	"/dev/token",
	"127.0.0.1:8790",
	"demo-alice",
	"dev|demo",
	"flourish.dev-sign-in",
	"DevSignIn",
	"__DEV_SIGN_IN__",
	"__DEV_ISSUER_URL__",
];

const scratch = mkdtempSync(path.join(os.tmpdir(), "web-build-"));
const production = path.join(scratch, "production");
const development = path.join(scratch, "development");

describe("the web app's production build", () => {
	before(async () => {
		await buildWebApp({ mode: "production", outDir: production });
		await buildWebApp({ mode: "development", outDir: development });
	});
	after(() => rmSync(scratch, { recursive: true, force: true }));

	it("has no trace of the development sign-in in any file", () => {
		for (const [file, contents] of filesOf(production)) {
			const text = contents.toString("latin1");
			for (const marker of DEV_SIGN_IN_MARKERS) {
				assert.ok(!text.includes(marker), `${file} contains "${marker}"`);
			}
		}
	});

	it("(control) a development build does carry the development sign-in, found by the same markers", () => {
		const all = [...filesOf(development).values()].map((contents) => contents.toString("latin1")).join("\n");
		for (const marker of ["Development sign-in", "/dev/token", "dev|demo-alice", "flourish.dev-sign-in"]) {
			assert.ok(all.includes(marker), `the development build lacks "${marker}"`);
		}
	});

	it(`loads at most ${INITIAL_JS_BUDGET_BYTES / 1024} KB of JavaScript (gzip) at first, the pages on demand`, () => {
		const initial = initialScripts(production);
		const kb = (initial.gzipBytes / 1024).toFixed(1);
		console.log(`initial JavaScript: ${kb} KB gzip (${initial.files.join(", ")})`);
		assert.ok(initial.files.length > 0, "index.html loads no script");
		assert.ok(
			initial.gzipBytes <= INITIAL_JS_BUDGET_BYTES,
			`initial JavaScript is ${kb} KB gzip, over the ${INITIAL_JS_BUDGET_BYTES / 1024} KB budget`,
		);
		// Split by route: My Garden, the feed and the sign-in page are chunks of their own, not in the first load; so
		// is the Auth0 SDK, fetched after the first render.
		const chunks = [...filesOf(production).keys()].filter((file) => file.endsWith(".js"));
		for (const name of ["GardenPage", "FeedPage", "SignIn", "auth0"]) {
			const chunk = chunks.find((file) => path.basename(file).startsWith(name));
			assert.ok(chunk, `no ${name} chunk among ${chunks.join(", ")}`);
			assert.ok(!initial.files.includes(chunk), `${chunk} is loaded at first`);
		}
	});

	it("serves its files with a Content-Security-Policy that allows scripts from this origin only", () => {
		const headers = filesOf(production).get("_headers")?.toString("utf8") ?? "";
		assert.match(headers, /Content-Security-Policy: default-src 'self'; script-src 'self';/);
		assert.doesNotMatch(headers, /unsafe-inline|unsafe-eval/);
		assert.match(headers, /\/assets\/\*\n\s+Cache-Control: public, max-age=31536000, immutable/);
	});
});
