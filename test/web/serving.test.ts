/**
 * The web app beside the API (wrangler.toml `[assets]`, src/http/web-app.ts), as far as the test integration can
 * see it: requests here reach the Worker directly (not Static Assets' router), so this proves the Worker's side —
 * `/` for browsers and for probes, the API's problem+json for every unknown API path, even a browser's navigation
 * — and asks the `ASSETS` binding for the single-page fallback. The router's own order (`run_worker_first`) is
 * proven under `wrangler dev` by scripts/web-journey.test.ts.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../support/api";

const NAVIGATE = { "Sec-Fetch-Mode": "navigate", Accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

describe("/ is the web app for a browser and the liveness JSON for everything else", () => {
	it("a navigation gets index.html, with the app's Content-Security-Policy", async () => {
		const response = await call("GET", "/", { headers: NAVIGATE });
		expect(response.status).toBe(200);
		expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
		expect(response.headers.get("Vary")).toMatch(/Sec-Fetch-Mode/);
		expect(response.headers.get("Content-Security-Policy")).toMatch(/script-src 'self'/);
		const page = await response.text();
		expect(page).toContain('<div id="root">');
		expect(page).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
	});

	it("an older browser's Accept: text/html, without Sec-Fetch-Mode, is a navigation too", async () => {
		const response = await call("GET", "/", { headers: { Accept: "text/html" } });
		expect(await response.text()).toContain('<div id="root">');
	});

	it("a probe, a fetch() or curl gets the documented liveness JSON", async () => {
		const probes: Record<string, string>[] = [
			{},
			{ Accept: "application/json" },
			{ "Sec-Fetch-Mode": "cors", Accept: "*/*" },
		];
		for (const headers of probes) {
			const response = await call("GET", "/", { headers });
			expect(response.status).toBe(200);
			expect(response.headers.get("Vary")).toMatch(/Sec-Fetch-Mode/);
			expect(await response.json()).toEqual({ service: "flourish-api", status: "ok" });
		}
	});
});

describe("the API's paths never answer with the app", () => {
	it.each(["/api/v1/no-such-thing", "/api/v1/garden/habits/not-a-uuid/nothing", "/api/v2"])(
		"%s, even as a navigation, is problem+json 404",
		async (path) => {
			const response = await call("GET", path, { headers: NAVIGATE });
			expect(response.status).toBe(404);
			expect(response.headers.get("Content-Type")).toBe("application/problem+json");
			expect(await response.json()).toMatchObject({ status: 404, title: "Not Found" });
		},
	);

	it("/health and /api/v1/openapi.json answer JSON to a navigation", async () => {
		for (const path of ["/health", "/api/v1/openapi.json"]) {
			const response = await call("GET", path, { headers: NAVIGATE });
			expect(response.status, path).toBe(200);
			expect(response.headers.get("Content-Type"), path).toMatch(/^application\/json/);
		}
	});
});

describe("Static Assets (the ASSETS binding)", () => {
	const asset = (path: string, headers: Record<string, string> = {}) =>
		env.ASSETS.fetch(new Request(`https://flourish.test${path}`, { headers }));

	it("an app path that is no file gets index.html (single-page fallback)", async () => {
		const response = await asset("/garden", NAVIGATE);
		expect(response.status).toBe(200);
		expect(await response.text()).toContain('<div id="root">');
	});

	it("the app's scripts are hashed files under /assets/, cached for good; the docs' files are still there", async () => {
		const page = await (await asset("/", NAVIGATE)).text();
		const script = page.match(/src="(\/assets\/index-[\w-]+\.js)"/)?.[1];
		expect(script).toBeDefined();
		const response = await asset(script ?? "");
		expect(response.status).toBe(200);
		expect(response.headers.get("Cache-Control")).toMatch(/immutable/);
		expect((await asset("/docs/assets/swagger-ui-dist/swagger-ui.css")).status).toBe(200);
	});
});
