/**
 * @module http/context: one request's context — its D1 client and session, bindings, caller and clock — set
 * once per request (`provideRequestContext` middleware in app.ts) and read by route handlers, instead of
 * every handler building its own.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { currentUser } from "../auth/guards";
import type { CurrentUser } from "../core/accounts/current-user";
import { createDb, type Db } from "../db/client";
import { BOOKMARK_HEADER, inSession, openSession, type SessionStart, validBookmark } from "../db/session";
import type { AppEnv, Bindings } from "../env";

/** What a signed-in route's logic works with. */
export interface RequestContext {
	db: Db;
	env: Bindings;
	user: CurrentUser;
	/** The request's "now": one instant for everything the request decides. */
	now: Date;
}

/**
 * Where a request's D1 session starts (docs/decisions/read-replicas.md):
 * - a write, or a WebSocket upgrade (it grants the right to chat or to listen), on the primary: what it
 *   checks (the caller's suspension, a block, a ticket) must be the latest state, and the primary is at least
 *   as new as any bookmark;
 * - a read, at the client's bookmark when it sent a well-formed one (it then sees its own earlier writes),
 *   else wherever is nearest.
 */
export function sessionStart(method: string, headers: { get(name: string): string | null }): SessionStart {
	if (method !== "GET" && method !== "HEAD") return "first-primary";
	if (headers.get("Upgrade")?.toLowerCase() === "websocket") return "first-primary";
	return validBookmark(headers.get(BOOKMARK_HEADER) ?? undefined) ?? "first-unconstrained";
}

/**
 * Sets `db` and `now` for the rest of the request (the user is set by the route's guard), and runs the rest
 * of it — and what it leaves to `waitUntil` — in one D1 session. An answer that touched D1 carries the
 * session's bookmark, for the client to send back on its next read.
 */
export const provideRequestContext = createMiddleware<AppEnv>(async (c, next) => {
	const session = openSession(c.env.DB, sessionStart(c.req.method, c.req.raw.headers));
	c.set("db", createDb(c.env.DB));
	c.set("now", new Date());
	await inSession(c.env.DB, session, next);
	const bookmark = session.getBookmark();
	// A 101's response carries the socket; it is left as it is.
	if (bookmark && c.res.status !== 101) c.res.headers.set(BOOKMARK_HEADER, bookmark);
});

/** The context of a signed-in route (its guard has set the user). */
export function requestContext(c: Context<AppEnv>): RequestContext {
	return { db: c.var.db, env: c.env, user: currentUser(c), now: c.var.now };
}
