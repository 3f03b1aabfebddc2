/**
 * What every browser journey of the web app shares (scripts/web-journey.test.ts starts it once; the journeys in
 * scripts/web-journeys/ use it): the development issuer on a free port, a development build of the app pointed
 * at it, the Workers under `wrangler dev` serving that build as their static assets, and Debian's Chromium
 * driven by playwright-core (nothing downloaded). Plus the checks every page gets: axe-core, no sideways
 * scrolling, a screenshot.
 */
import assert from "node:assert/strict";
import { copyFileSync, cpSync, existsSync, mkdirSync } from "node:fs";
import type { Server } from "node:http";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import {
	devIssuerUrl,
	devJwksUrl,
	PROJECT_ROOT,
	resolveDevAudience,
	startIssuerServer,
} from "./dev-issuer.ts";
import { buildWebApp } from "./web-build.ts";
import { freePort, START_TIMEOUT_MS, WranglerStack } from "./wrangler-stack.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Every page's screenshots (not committed). */
const SCREENSHOTS = path.join(PROJECT_ROOT, "dist", "screenshots");
/** The ones the README shows, refreshed in docs/screenshots/ with UPDATE_SCREENSHOTS=1 (the rest stay out of git). */
const README_SCREENSHOTS = new Set(["feed-desktop", "support-crisis-desktop", "garden-phone-dark"]);
const COMMITTED_SCREENSHOTS = path.join(PROJECT_ROOT, "docs", "screenshots");
export const PHONE = { width: 360, height: 780 };
export const DESKTOP = { width: 1280, height: 860 };
/** A test's time: the first one also waits for the start. */
export const BUDGET = { timeout: START_TIMEOUT_MS + 90_000 };

/** A locator's text (its DOM text content). */
export const text = async (locator: Locator) => (await locator.textContent()) ?? "";

/** A subject unique to this run: each journey starts from an empty account. */
export const freshSubject = (name: string) => `dev|${name}-${Date.now().toString(36)}`;

export class Harness {
	readonly stack = new WranglerStack("web-journey");
	issuerPort = 0;
	private issuer: Server | undefined;
	private browserInstance: Browser | undefined;

	get baseUrl(): string {
		return this.stack.baseUrl;
	}

	get browser(): Browser {
		return this.browserInstance ?? assert.fail("the browser has not started");
	}

	/** The issuer on a free port, a development build pointed at it, the Workers under wrangler dev, Chromium. */
	async start(): Promise<void> {
		assert.ok(
			existsSync(CHROMIUM),
			`no Chromium at ${CHROMIUM}: apt-get install -y chromium (CI installs it)`,
		);
		this.issuerPort = await freePort();
		const audience = await resolveDevAudience();
		this.issuer = await startIssuerServer({ port: this.issuerPort, audience });

		const publicDir = path.join(this.stack.scratch, "public");
		await buildWebApp({
			mode: "development",
			outDir: publicDir,
			// Without the trailing slash of the issuer's name: the page appends `/dev/token`.
			devIssuerUrl: `http://127.0.0.1:${this.issuerPort}`,
		});
		const docsAssets = path.join(PROJECT_ROOT, "dist", "public", "docs");
		if (existsSync(docsAssets)) cpSync(docsAssets, path.join(publicDir, "docs"), { recursive: true });

		// `.dev.vars.example`, trusting this run's issuer instead of the one on 8790.
		await this.stack.start({
			assetsDir: publicDir,
			vars: {
				AUTH0_ISSUER: devIssuerUrl(this.issuerPort),
				AUTH0_JWKS_URL: devJwksUrl(this.issuerPort),
				AUTH0_AUDIENCE: audience,
			},
		});
		this.browserInstance = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
	}

	async stop(): Promise<void> {
		await this.browserInstance?.close().catch(() => {});
		this.issuer?.close();
		await this.stack.stop();
	}

	/** A browser context: a desktop, or a 360 px phone (touch), in the light or dark scheme; reduced motion. */
	async context({ phone = false, dark = false } = {}): Promise<BrowserContext> {
		const context = await this.browser.newContext({
			viewport: phone ? PHONE : DESKTOP,
			...(phone ? { deviceScaleFactor: 2, isMobile: true, hasTouch: true } : {}),
			colorScheme: dark ? "dark" : "light",
			reducedMotion: "reduce",
		});
		return context;
	}

	/** A token for `sub` from the development issuer, for calls straight to the API. */
	async token(sub: string): Promise<string> {
		const minted = await fetch(new URL("/dev/token", devIssuerUrl(this.issuerPort)), {
			method: "POST",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ sub }),
		});
		assert.equal(minted.status, 200, await minted.clone().text());
		return ((await minted.json()) as { access_token: string }).access_token;
	}

	/** A call straight to the API as `sub` (set-up the journey does not show, e.g. another person's post). */
	async api(sub: string, method: string, route: string, body?: unknown): Promise<Response> {
		return fetch(`${this.baseUrl}${route}`, {
			method,
			headers: {
				Authorization: `Bearer ${await this.token(sub)}`,
				...(body === undefined ? {} : { "Content-Type": "application/json" }),
			},
			...(body === undefined ? {} : { body: JSON.stringify(body) }),
		});
	}

	/**
	 * Through the development sign-in page, as `who`, to `path` (a page for signed-in people), waiting for its
	 * `<h1>` named `heading`.
	 */
	async signIn(page: Page, who: string, where = "/garden", heading: string | RegExp = "My Garden") {
		await page.goto(`${this.baseUrl}${where}`);
		await page.getByRole("heading", { level: 1, name: "Development sign-in" }).waitFor();
		await page.getByLabel(/Or any subject/).fill(who);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page
			.getByRole("heading", { level: 1, name: heading })
			.waitFor()
			.catch(async (error: unknown) => {
				throw new Error(
					`${String(error)}\n--- the page said ---\n${await page.locator("body").textContent()}`,
				);
			});
		assert.equal(new URL(page.url()).pathname, where.split("?")[0]);
	}

	/** axe-core inside the page: WCAG 2.x A and AA rules; any serious or critical violation fails. */
	async expectAccessible(page: Page, where: string): Promise<void> {
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

	async expectNoSidewaysScroll(page: Page): Promise<void> {
		const width = page.viewportSize()?.width ?? DESKTOP.width;
		const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
		assert.ok(scrollWidth <= width, `the page is ${scrollWidth} px wide at ${width} px`);
	}

	/** A full-page screenshot in dist/screenshots/ (and docs/screenshots/ for the README's, with UPDATE_SCREENSHOTS=1). */
	async screenshot(page: Page, name: string): Promise<void> {
		mkdirSync(SCREENSHOTS, { recursive: true });
		const file = path.join(SCREENSHOTS, `${name}.png`);
		await page.screenshot({ path: file, fullPage: true });
		if (process.env.UPDATE_SCREENSHOTS === "1" && README_SCREENSHOTS.has(name)) {
			copyFileSync(file, path.join(COMMITTED_SCREENSHOTS, `${name}.png`));
		}
	}
}
