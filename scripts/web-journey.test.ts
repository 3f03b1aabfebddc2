/**
 * The web app in a real browser, end to end: Debian's Chromium (driven by playwright-core; nothing downloaded)
 * against `wrangler dev` with fresh local state, the way `npm run dev` runs the Workers, serving a development
 * build of the app through Workers Static Assets exactly as production serves its build.
 *
 *  - Routing under wrangler dev: an app path gets index.html, the API's paths (even a browser's navigation) reach
 *    the Worker — an unknown one is problem+json, never the app —, /docs and its files still work.
 *  - My Garden: sign in on the development sign-in page (a token from the development issuer, started here on a
 *    free port), plant a habit, log it with one tap (by keyboard), see the streak and strength, undo.
 *  - axe-core inside the page after each step: no serious or critical violation, in light and dark schemes.
 *  - A 360 px phone and a desktop: no sideways scrolling; screenshots of both (dist/screenshots/, or
 *    docs/screenshots/ with UPDATE_SCREENSHOTS=1).
 *
 * Everything lives in a scratch directory removed afterwards; free ports; every process group started here is
 * killed at the end. Runs in Node (`npm run test:scripts`; `.ci/run` installs Chromium and counts it).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { stripVTControlCharacters } from "node:util";
import AxeBuilder from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { DEV_CONFIGS, MIGRATE_LOCAL_ARGS, wranglerDevArgs } from "./lib/dev-command.ts";
import {
	devIssuerUrl,
	devJwksUrl,
	PROJECT_ROOT,
	resolveDevAudience,
	startIssuerServer,
} from "./lib/dev-issuer.ts";
import { isRecord } from "./lib/guards.ts";
import { ensureDevVapidKey } from "./lib/vapid-keys.ts";
import { buildWebApp } from "./lib/web-build.ts";

const ROOT = PROJECT_ROOT;
const BIN = path.join(ROOT, "node_modules", ".bin");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const START_TIMEOUT_MS = 90_000;
const SCREENSHOTS =
	process.env.UPDATE_SCREENSHOTS === "1"
		? path.join(ROOT, "docs", "screenshots")
		: path.join(ROOT, "dist", "screenshots");
const PHONE = { width: 360, height: 780 };
const DESKTOP = { width: 1280, height: 860 };

const scratch = mkdtempSync(path.join(os.tmpdir(), "web-journey-"));
const publicDir = path.join(scratch, "public");
const state = path.join(scratch, "state");
const varsFile = path.join(scratch, "dev.vars");
const groups = new Set<number>();
let log = "";
let baseUrl = "";
let issuer: Server | undefined;
let issuerPort = 0;
let browser: Browser | undefined;
/** A person of this run only: the journey starts from an empty garden. */
const sub = `dev|journey-${Date.now().toString(36)}`;

const env = (): NodeJS.ProcessEnv => ({
	...process.env,
	PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ""}`,
	WRANGLER_SEND_METRICS: "false",
	WRANGLER_LOG_PATH: path.join(scratch, "logs"),
	WRANGLER_REGISTRY_PATH: path.join(scratch, "registry"),
	WRANGLER_CACHE_DIR: path.join(scratch, "cache"),
	NO_COLOR: "1",
});

function killGroup(pid: number, signal: NodeJS.Signals) {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}
process.once("exit", () => {
	for (const pid of groups) killGroup(pid, "SIGKILL");
});

function wrangler(args: string[], extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
	const child = spawn("wrangler", args, {
		cwd: scratch,
		env: { ...env(), ...extraEnv },
		detached: true,
		stdio: ["ignore", "pipe", "pipe"],
	});
	if (child.pid !== undefined) groups.add(child.pid);
	const append = (chunk: Buffer) => {
		log += chunk.toString("utf8");
	};
	child.stdout?.on("data", append);
	child.stderr?.on("data", append);
	return child;
}

const logTail = () => `\n--- wrangler's output (end) ---\n${stripVTControlCharacters(log).slice(-4000)}`;

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			server.close(() => (isRecord(address) ? resolve(Number(address.port)) : reject(new Error("no port"))));
		});
	});
}

/** A copy of a Wrangler configuration whose paths are absolute, its assets being the development build here. */
function copyConfig(config: string): string {
	const source = path.join(ROOT, config);
	const text = readFileSync(source, "utf8").replace(
		/^(main|migrations_dir|directory)(\s*=\s*)"([^"]+)"/gm,
		(_line, key: string, equals: string, value: string) =>
			`${key}${equals}${JSON.stringify(key === "directory" ? publicDir : path.resolve(path.dirname(source), value))}`,
	);
	const copy = path.join(scratch, "config", config);
	mkdirSync(path.dirname(copy), { recursive: true });
	writeFileSync(copy, text);
	return copy;
}

/** The issuer on a free port, a development build pointed at it, the Workers under wrangler dev. */
async function start() {
	assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium (CI installs it)`);
	issuerPort = await freePort();
	const [apiPort, inspectorPort] = [await freePort(), await freePort()];
	const audience = await resolveDevAudience();
	issuer = await startIssuerServer({ port: issuerPort, audience });

	await buildWebApp({
		mode: "development",
		outDir: publicDir,
		devIssuerUrl: `http://127.0.0.1:${issuerPort}`,
	});
	const docsAssets = path.join(ROOT, "dist", "public", "docs");
	if (existsSync(docsAssets)) cpSync(docsAssets, path.join(publicDir, "docs"), { recursive: true });

	const configs = DEV_CONFIGS.map(copyConfig);
	const apiConfig = configs[0] ?? assert.fail("no configuration");
	// `.dev.vars.example`, trusting this run's issuer instead of the one on 8790.
	const overridden = new Set(["AUTH0_ISSUER", "AUTH0_JWKS_URL", "AUTH0_AUDIENCE"]);
	const example = readFileSync(path.join(ROOT, ".dev.vars.example"), "utf8")
		.split("\n")
		.filter((line) => !overridden.has(line.split("=")[0]?.trim() ?? ""))
		.join("\n");
	writeFileSync(
		varsFile,
		`${example}\nAUTH0_ISSUER=${devIssuerUrl(issuerPort)}\nAUTH0_JWKS_URL=${devJwksUrl(issuerPort)}\nAUTH0_AUDIENCE=${audience}\n`,
	);
	await ensureDevVapidKey(varsFile);

	const migrate = wrangler([...MIGRATE_LOCAL_ARGS, "-c", apiConfig, "--persist-to", state], { CI: "true" });
	const code = await new Promise<number | null>((resolve) => migrate.once("exit", resolve));
	assert.equal(code, 0, `the migrations failed${logTail()}`);

	baseUrl = `http://127.0.0.1:${apiPort}`;
	const dev = wrangler([
		...wranglerDevArgs(configs, apiPort),
		"--ip",
		"127.0.0.1",
		"--inspector-port",
		String(inspectorPort),
		"--persist-to",
		state,
		"--env-file",
		varsFile,
	]);
	const deadline = Date.now() + START_TIMEOUT_MS;
	for (;;) {
		assert.ok(dev.exitCode === null, `wrangler dev exited${logTail()}`);
		assert.ok(Date.now() < deadline, `GET /health did not answer 200 in time${logTail()}`);
		const status = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5000) }).then(
			(response) => response.status,
			() => 0,
		);
		if (status === 200) break;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

/** axe-core inside the page: WCAG 2.x A and AA rules; any serious or critical violation fails. */
async function expectAccessible(page: Page, where: string) {
	const results = await new AxeBuilder({ page })
		.withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
		.analyze();
	const grave = results.violations.filter(
		(violation) => violation.impact === "serious" || violation.impact === "critical",
	);
	assert.deepEqual(
		grave.map(
			(violation) =>
				`${violation.id}: ${violation.help} (${violation.nodes.map((n) => n.target).join(" | ")})`,
		),
		[],
		`axe found serious or critical violations on ${where}`,
	);
}

async function expectNoSidewaysScroll(page: Page, width: number) {
	const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
	assert.ok(scrollWidth <= width, `the page is ${scrollWidth} px wide at ${width} px`);
}

async function screenshot(page: Page, name: string) {
	mkdirSync(SCREENSHOTS, { recursive: true });
	await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Through the development sign-in page, as `who`, to My Garden. */
async function signIn(page: Page, who = sub) {
	await page.goto(`${baseUrl}/garden`);
	await page.getByRole("heading", { level: 1, name: "Development sign-in" }).waitFor();
	await page.getByLabel(/Or any subject/).fill(who);
	await page.getByRole("button", { name: "Sign in" }).click();
	await page.getByRole("heading", { level: 1, name: "My Garden" }).waitFor();
	assert.equal(new URL(page.url()).pathname, "/garden");
}

/** A locator's text (its DOM text content; the nodes in view here have no hidden text). */
const text = async (locator: Locator) => (await locator.textContent()) ?? "";

const budget = { timeout: START_TIMEOUT_MS + 90_000 };

describe("the web app in Chromium, against wrangler dev", () => {
	let desktop: BrowserContext | undefined;
	let phone: BrowserContext | undefined;

	before(start, budget);
	after(async () => {
		await browser?.close().catch(() => {});
		issuer?.close();
		for (const pid of groups) killGroup(pid, "SIGTERM");
		await new Promise((resolve) => setTimeout(resolve, 500));
		for (const pid of groups) killGroup(pid, "SIGKILL");
		rmSync(scratch, { recursive: true, force: true });
	});

	it("routes under wrangler dev: app paths get the app, the API's paths reach the Worker", async () => {
		const navigate = { "Sec-Fetch-Mode": "navigate", Accept: "text/html" };
		const page = await fetch(`${baseUrl}/garden`, { headers: navigate });
		assert.equal(page.status, 200);
		assert.match(await page.text(), /<div id="root">/);

		const missing = await fetch(`${baseUrl}/api/v1/no-such-route`, { headers: navigate });
		assert.equal(missing.status, 404);
		assert.equal(missing.headers.get("Content-Type"), "application/problem+json");
		assert.equal(((await missing.json()) as { status: number }).status, 404);

		// `/` answers a probe with the liveness JSON (Node's fetch says `Sec-Fetch-Mode: cors` whatever it is told;
		// a browser's navigation to `/` is the first step of the journey below).
		const liveness = await fetch(`${baseUrl}/`);
		assert.deepEqual(await liveness.json(), { service: "flourish-api", status: "ok" });

		const docs = await fetch(`${baseUrl}/docs`, { headers: navigate });
		assert.equal(docs.status, 200);
		assert.match(await docs.text(), /swagger-ui/);
		const health = await fetch(`${baseUrl}/health`, { headers: navigate });
		assert.equal(health.headers.get("Content-Type"), "application/json");
	});

	it("the development issuer mints tokens for pages on this machine only", async () => {
		const ask = (origin: string) =>
			fetch(new URL("/dev/token", devIssuerUrl(issuerPort)), {
				method: "POST",
				headers: { Origin: origin, "Content-Type": "application/json" },
				body: JSON.stringify({ sub: "dev|demo-alice" }),
			});
		const local = await ask(baseUrl);
		assert.equal(local.status, 200);
		assert.equal(local.headers.get("Access-Control-Allow-Origin"), baseUrl);
		assert.equal((await ask("https://somewhere.example")).status, 403);
	});

	it(
		"My Garden on a desktop: sign in, plant a habit, log it by keyboard, see the streak, undo",
		budget,
		async () => {
			desktop = await browser?.newContext({ viewport: DESKTOP, reducedMotion: "reduce" });
			const page = (await desktop?.newPage()) ?? assert.fail("no browser");
			// The front door: a browser navigating to `/` gets the app from the Worker.
			await page.goto(`${baseUrl}/`);
			await page.getByRole("heading", { level: 1, name: "Welcome to Flourish" }).waitFor();
			await expectAccessible(page, "the welcome page");
			await signIn(page);
			await page.getByText("Your garden is empty for now").waitFor();
			await expectAccessible(page, "an empty garden");

			await page.getByLabel("Name").fill("Drink a glass of water");
			await page.getByLabel("Category").selectOption("health");
			await page.getByRole("button", { name: "Plant habit" }).click();
			const habit = page.getByRole("listitem").filter({ hasText: "Drink a glass of water" });
			await habit.getByText("Not logged yet today").waitFor();
			assert.equal(await text(habit.getByTestId("streak")), "A fresh start");

			// One tap, by keyboard: Tab from the page's heading reaches the log button; Enter logs.
			await page.getByRole("heading", { level: 1 }).focus();
			const logButton = habit.getByRole("button", { name: /^Log today\W+Drink a glass of water$/ });
			let reached = false;
			for (let step = 0; step < 20 && !reached; step++) {
				await page.keyboard.press("Tab");
				reached = await logButton.evaluate((button) => button === document.activeElement);
			}
			assert.ok(reached, "Tab never reached the log button");
			await page.keyboard.press("Enter");
			await habit.getByText("Done today").waitFor();
			assert.match(await text(habit.getByTestId("streak")), /^1-day streak/);
			assert.match(await text(habit), /Longest: 1 day/);
			assert.match(await text(habit), /Strength: \w+ \(\d+%\)/);
			await page.getByRole("status").filter({ hasText: "Logged Drink a glass of water" }).waitFor();
			await expectAccessible(page, "a garden with a logged habit");
			await screenshot(page, "garden-desktop");

			await habit.getByRole("button", { name: "Undo today's log of Drink a glass of water" }).click();
			await habit.getByText("Not logged yet today").waitFor();
			assert.equal(await text(habit.getByTestId("streak")), "A fresh start");
			await expectNoSidewaysScroll(page, DESKTOP.width);
		},
	);

	it(
		"an API error reads as a sentence: past the burst limit, planting says when to try again",
		budget,
		async () => {
			// Another person spends their writes of the minute (USER_WRITE_LIMITER, 60 a minute) straight on the API …
			const busy = `dev|journey-busy-${Date.now().toString(36)}`;
			const minted = await fetch(new URL("/dev/token", devIssuerUrl(issuerPort)), {
				method: "POST",
				headers: { "Content-Type": "application/json" },
				body: JSON.stringify({ sub: busy }),
			});
			const { access_token: token } = (await minted.json()) as { access_token: string };
			let refused = false;
			for (let write = 0; write < 70 && !refused; write++) {
				const response = await fetch(`${baseUrl}/api/v1/garden/habits`, {
					method: "POST",
					headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
					body: JSON.stringify({ name: `Habit ${write}`, category: "other" }),
				});
				refused = response.status === 429;
			}
			assert.ok(refused, "the burst limit never answered 429");
			// … then plants one more in the app: the 429 problem+json is a calm sentence, in place.
			const page = (await desktop?.newPage()) ?? assert.fail("no browser");
			await signIn(page, busy);
			await page.getByLabel("Name").fill("One more");
			await page.getByRole("button", { name: "Plant habit" }).click();
			const alert = page.getByRole("alert");
			await alert.waitFor();
			assert.match(await text(alert), /^That was a lot at once\. You can try again in about \d+ seconds\.$/);
			await expectAccessible(page, "a refused plant");
			await page.close();
		},
	);

	it(
		"My Garden on a 360 px phone in dark mode: the same garden, logged with one tap, nothing off-screen",
		budget,
		async () => {
			phone = await browser?.newContext({
				viewport: PHONE,
				deviceScaleFactor: 2,
				isMobile: true,
				hasTouch: true,
				colorScheme: "dark",
				reducedMotion: "reduce",
			});
			const page = (await phone?.newPage()) ?? assert.fail("no browser");
			await signIn(page);
			const habit = page.getByRole("listitem").filter({ hasText: "Drink a glass of water" });
			await habit.getByRole("button", { name: /^Log today\W+Drink a glass of water$/ }).tap();
			await habit.getByText("Done today").waitFor();
			assert.match(await text(habit.getByTestId("streak")), /^1-day streak/);
			await expectNoSidewaysScroll(page, PHONE.width);
			await expectAccessible(page, "the garden on a phone, dark");
			await screenshot(page, "garden-phone-dark");
		},
	);
});
