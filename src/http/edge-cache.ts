/**
 * @module http/edge-cache: anonymous public reads that are the same for everyone, answered from the Workers
 * Cache API of the data center the request reached, for a few seconds.
 *
 * Only a `GET` without credentials (no `Authorization`, no `X-Support-Token`) and without a D1 bookmark (a
 * client asking to read its own writes) is answered from, or stored in, the cache; everything personal keeps
 * `private, no-store` (http/cache-control). The key is the URL with its query sorted, plus what else changes
 * the answer (`varyOn`, e.g. today's UTC date); only a 200 is stored, and only its body and content type:
 * CORS, the request id and the bookmark are the request's own and are set again on every answer. There is no
 * purge — the cache of one data center cannot be emptied from another — so `seconds` is how long an edit
 * may take to show (docs/decisions/platform.md lists the routes).
 */
import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { BOOKMARK_HEADER } from "../db/session";
import type { AppEnv } from "../env";

/** The cache's name: its own, so nothing else stored by the Worker can collide with it. */
const CACHE_NAME = "flourish-public-reads";

/** Answer header: whether this answer came from the edge cache (`hit`) or was made now (`miss`). */
export const EDGE_CACHE_HEADER = "X-Edge-Cache";

export interface EdgeCacheOptions {
	/** How long an answer is kept, so how long an edit may take to show. */
	seconds: number;
	/** What else, beyond the URL, changes an anonymous answer. */
	varyOn?: (c: Context<AppEnv>) => string;
}

const anonymous = (c: Context<AppEnv>) =>
	c.req.method === "GET" &&
	c.req.header("Authorization") === undefined &&
	c.req.header("X-Support-Token") === undefined &&
	c.req.header(BOOKMARK_HEADER) === undefined;

function cacheKey(c: Context<AppEnv>, options: EdgeCacheOptions): Request {
	const url = new URL(c.req.url);
	url.searchParams.sort();
	if (options.varyOn) url.searchParams.set("__edge", options.varyOn(c));
	url.hash = "";
	return new Request(url.toString(), { method: "GET" });
}

const publicCacheControl = (seconds: number) => `public, max-age=0, s-maxage=${seconds}`;

/** Another request for the same URL with credentials is about its caller: no shared cache may answer it. */
const VARY = "Authorization, X-Support-Token";

/** Answers anonymous `GET`s from the edge cache, and stores their 200s there for `seconds`. */
export function edgeCached(options: EdgeCacheOptions): MiddlewareHandler<AppEnv> {
	return createMiddleware<AppEnv>(async (c, next) => {
		if (!anonymous(c)) return next();
		const cache = await caches.open(CACHE_NAME);
		const key = cacheKey(c, options);
		const stored = await cache.match(key);
		if (stored) {
			const answer = c.body(await stored.text(), 200, {
				"Content-Type": stored.headers.get("Content-Type") ?? "application/json",
				"Cache-Control": publicCacheControl(options.seconds),
				[EDGE_CACHE_HEADER]: "hit",
			});
			answer.headers.append("Vary", VARY);
			return answer;
		}
		await next();
		if (c.res.status !== 200) return;
		const body = await c.res.clone().text();
		const contentType = c.res.headers.get("Content-Type") ?? "application/json";
		c.res.headers.set("Cache-Control", publicCacheControl(options.seconds));
		c.res.headers.append("Vary", VARY);
		c.res.headers.set(EDGE_CACHE_HEADER, "miss");
		c.executionCtx.waitUntil(
			cache.put(
				key,
				new Response(body, {
					headers: { "Content-Type": contentType, "Cache-Control": `public, max-age=${options.seconds}` },
				}),
			),
		);
	});
}
