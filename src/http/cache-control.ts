/**
 * @module http/cache-control: a response to a request that carried credentials (a bearer token, or an anonymous
 * support token) is about one person, so no browser, proxy or CDN may store it: `Cache-Control: private,
 * no-store`, unless the route set its own. WebSocket upgrades (101) have no cacheable body and are left
 * alone. Anonymous reads of public content are unaffected.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";

export const PERSONAL_RESPONSE_CACHE_CONTROL = "private, no-store";

export const noStoreForCredentialedRequests = createMiddleware<AppEnv>(async (c, next) => {
	await next();
	const credentialed =
		c.req.header("Authorization") !== undefined || c.req.header("X-Support-Token") !== undefined;
	if (!credentialed || c.res.status === 101 || c.res.headers.has("Cache-Control")) return;
	c.res.headers.set("Cache-Control", PERSONAL_RESPONSE_CACHE_CONTROL);
});
