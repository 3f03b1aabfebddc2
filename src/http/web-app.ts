/**
 * @module http/web-app: `/` is both the web app's front door and the API's documented liveness route.
 *
 * Workers Static Assets serves the app's files and its single-page fallback itself (wrangler.toml `[assets]`);
 * `/` is routed to this Worker first (`run_worker_first`) so that a probe still gets the liveness JSON. A
 * browser navigating there gets the app's `index.html` from the `ASSETS` binding instead; the answer varies by
 * the headers that decided it.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";

/** A browser loading a page: `Sec-Fetch-Mode: navigate`, or (older clients) an `Accept` that asks for HTML. */
export function isPageNavigation(headers: Headers): boolean {
	const mode = headers.get("Sec-Fetch-Mode");
	if (mode) return mode === "navigate";
	return /\btext\/html\b/.test(headers.get("Accept") ?? "");
}

export const webAppFrontDoor: MiddlewareHandler<AppEnv> = async (c, next) => {
	if (c.req.method !== "GET" && c.req.method !== "HEAD") return next();
	if (isPageNavigation(c.req.raw.headers)) {
		const page = await c.env.ASSETS.fetch(new Request(new URL("/", c.req.url), { method: c.req.method }));
		if (page.ok) {
			const answer = new Response(page.body, page);
			answer.headers.append("Vary", "Sec-Fetch-Mode, Accept");
			return answer;
		}
		// No app in this build (only /docs assets): the liveness JSON below, as before.
	}
	await next();
	c.res.headers.append("Vary", "Sec-Fetch-Mode, Accept");
};
