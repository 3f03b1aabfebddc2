/**
 * The web app in a real browser, end to end: Debian's Chromium (driven by playwright-core; nothing downloaded)
 * against `wrangler dev` with fresh local state, the way `npm run dev` runs the Workers, serving a development
 * build of the app through Workers Static Assets exactly as production serves its build. One stack for every
 * journey (scripts/lib/browser-harness.ts); each feature's journeys are in scripts/web-journeys/.
 *
 * Every page is checked with axe-core (no serious or critical violation), for sideways scrolling, and
 * photographed (dist/screenshots/; UPDATE_SCREENSHOTS=1 refreshes the README's three in docs/screenshots/).
 *
 * `WEB_JOURNEYS=garden,feed` runs only those journeys (the routing checks always run). Runs in Node
 * (`npm run test:scripts`; `.ci/run` installs Chromium and counts it).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BUDGET, Harness } from "./lib/browser-harness.ts";
import { devIssuerUrl } from "./lib/dev-issuer.ts";
import { feedJourneys } from "./web-journeys/feed.ts";
import { gardenJourneys } from "./web-journeys/garden.ts";
import { groupsJourneys } from "./web-journeys/groups.ts";
import { guardiansJourneys } from "./web-journeys/guardians.ts";
import { notificationsJourneys } from "./web-journeys/notifications.ts";
import { orchardJourneys } from "./web-journeys/orchard.ts";
import { settingsJourneys } from "./web-journeys/settings.ts";
import { supportJourneys } from "./web-journeys/support.ts";

const JOURNEYS: Record<string, (h: Harness) => void> = {
	garden: gardenJourneys,
	feed: feedJourneys,
	notifications: notificationsJourneys,
	orchard: orchardJourneys,
	groups: groupsJourneys,
	support: supportJourneys,
	guardians: guardiansJourneys,
	settings: settingsJourneys,
};
const only = process.env.WEB_JOURNEYS?.split(",").map((name) => name.trim());

describe("the web app in Chromium, against wrangler dev", () => {
	const h = new Harness();
	before(() => h.start(), BUDGET);
	after(() => h.stop());

	it("routes under wrangler dev: app paths get the app, the API's paths reach the Worker", async () => {
		const navigate = { "Sec-Fetch-Mode": "navigate", Accept: "text/html" };
		const page = await h.stack.get("/garden", { headers: navigate });
		assert.equal(page.status, 200);
		assert.match(await page.text(), /<div id="root">/);

		const missing = await h.stack.get("/api/v1/no-such-route", { headers: navigate });
		assert.equal(missing.status, 404);
		assert.equal(missing.headers.get("Content-Type"), "application/problem+json");
		assert.equal(((await missing.json()) as { status: number }).status, 404);

		// `/` answers a probe with the liveness JSON (Node's fetch says `Sec-Fetch-Mode: cors` whatever it is told;
		// a browser's navigation to `/` is the first step of the garden journey).
		const liveness = await h.stack.get("/");
		assert.deepEqual(await liveness.json(), { service: "flourish-api", status: "ok" });

		const docs = await h.stack.get("/docs", { headers: navigate });
		assert.equal(docs.status, 200);
		assert.match(await docs.text(), /swagger-ui/);
		const health = await h.stack.get("/health", { headers: navigate });
		assert.equal(health.headers.get("Content-Type"), "application/json");
	});

	it("the development issuer mints tokens for pages on this machine only", async () => {
		const ask = (origin: string) =>
			fetch(new URL("/dev/token", devIssuerUrl(h.issuerPort)), {
				method: "POST",
				headers: { Origin: origin, "Content-Type": "application/json" },
				body: JSON.stringify({ sub: "dev|demo-alice" }),
			});
		const local = await ask(h.baseUrl);
		assert.equal(local.status, 200);
		assert.equal(local.headers.get("Access-Control-Allow-Origin"), h.baseUrl);
		assert.equal((await ask("https://somewhere.example")).status, 403);
	});

	for (const [name, journeys] of Object.entries(JOURNEYS)) {
		if (!only || only.includes(name)) describe(name, () => journeys(h));
	}
});
