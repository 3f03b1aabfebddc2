/**
 * @module http/cache-control: how long an answer may be kept, and by whom.
 *
 * A response to a request that carried credentials (a bearer token, or an anonymous support token) is about
 * one person, so no proxy or CDN may store it (`private`). A successful read that may stay on the caller's own
 * device (their garden, feed, notifications, profile…) says `private, no-cache`: keep it, but ask again —
 * with `If-None-Match` (http/etag), which is answered `304` when nothing changed. Everything else — writes,
 * errors, and the sensitive reads (http/sensitive-reads: support requests, the data export, chat history,
 * penalties, guardian work) — says `private, no-store`, so nothing of it is written
 * to a disk. WebSocket upgrades (101) have no cacheable body and are left alone. A route that set its own
 * `Cache-Control` (the edge cache) keeps it; anonymous reads of public content are left to the defaults.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";

export const PERSONAL_RESPONSE_CACHE_CONTROL = "private, no-store";
/** A personal read the caller's device may keep, revalidated on every use. */
export const REVALIDATED_PERSONAL_CACHE_CONTROL = "private, no-cache";

/** Installed by `defineRoute` on a sensitive read (http/sensitive-reads): its answers are never kept, nor tagged. */
export const sensitiveAnswer = createMiddleware<AppEnv>(async (c, next) => {
	c.set("sensitiveAnswer", true);
	await next();
});

/** An anonymous support token makes any answer sensitive: it is about a cry for help. */
export const isSensitive = (c: Context<AppEnv>) =>
	c.get("sensitiveAnswer") === true || c.req.header("X-Support-Token") !== undefined;

/** A successful read (or its 304) that is not sensitive: the answers a device may keep and revalidate. */
export const isRevalidatableRead = (c: Context<AppEnv>) =>
	(c.req.method === "GET" || c.req.method === "HEAD") &&
	(c.res.status === 200 || c.res.status === 304) &&
	!isSensitive(c);

export const personalCacheControl = createMiddleware<AppEnv>(async (c, next) => {
	await next();
	const credentialed =
		c.req.header("Authorization") !== undefined || c.req.header("X-Support-Token") !== undefined;
	if (!credentialed || c.res.status === 101 || c.res.headers.has("Cache-Control")) return;
	c.res.headers.set(
		"Cache-Control",
		isRevalidatableRead(c) ? REVALIDATED_PERSONAL_CACHE_CONTROL : PERSONAL_RESPONSE_CACHE_CONTROL,
	);
});

/** `Cross-Origin-Resource-Policy: same-origin` on every answer that did not set its own (media/routes does). */
export const defaultResourcePolicy = createMiddleware<AppEnv>(async (c, next) => {
	await next();
	if (c.res.status === 101 || c.res.headers.has("Cross-Origin-Resource-Policy")) return;
	c.res.headers.set("Cross-Origin-Resource-Policy", "same-origin");
});
