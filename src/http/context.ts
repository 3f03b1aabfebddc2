/**
 * @module http/context: one request's context — its D1 client, bindings, caller and clock — set once per
 * request (`requestContext` middleware in app.ts) and read by route handlers, instead of every handler
 * building its own.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { currentUser } from "../auth/guards";
import type { CurrentUser } from "../core/accounts/current-user";
import { createDb, type Db } from "../db/client";
import type { AppEnv, Bindings } from "../env";

/** What a signed-in route's logic works with. */
export interface RequestContext {
	db: Db;
	env: Bindings;
	user: CurrentUser;
	/** The request's "now": one instant for everything the request decides. */
	now: Date;
}

/** Sets `db` and `now` for the rest of the request (the user is set by the route's guard). */
export const provideRequestContext = createMiddleware<AppEnv>(async (c, next) => {
	c.set("db", createDb(c.env.DB));
	c.set("now", new Date());
	await next();
});

/** The context of a signed-in route (its guard has set the user). */
export function requestContext(c: Context<AppEnv>): RequestContext {
	return { db: c.var.db, env: c.env, user: currentUser(c), now: c.var.now };
}
