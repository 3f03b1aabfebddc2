/**
 * @module auth/guards: route middleware that verifies the caller and enforces role and trust.
 *
 * Missing or invalid token → 401; signed in but not allowed → 403; suspended → 403 everywhere except
 * `GET /users/me` (so a suspended person can still see why and until when).
 */
import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { findOrCreateUser } from "../core/accounts/accounts";
import {
	type CurrentUser,
	hasTrust,
	isGuardian,
	isSuspended,
	isVerifiedGuide,
	type TrustLevel,
} from "../core/accounts/current-user";
import type { AppEnv } from "../env";
import { forbidden } from "../lib/problem";
import { bearerToken, unauthorized, verifyAccessToken } from "./verify";

async function resolveCaller(c: Context<AppEnv>): Promise<CurrentUser | undefined> {
	const token = bearerToken(c.req.header("Authorization"));
	if (token === undefined) return undefined;
	const claims = await verifyAccessToken(token, c.env, (promise) => c.executionCtx.waitUntil(promise));
	return findOrCreateUser(c.var.db, claims, c.env.SUPPORT_HMAC_SECRET);
}

function suspendedProblem(user: CurrentUser) {
	return forbidden(`This account is suspended until ${user.suspendedUntil}.`);
}

interface GuardOptions {
	/** Lets a suspended user through (only `GET /users/me`). */
	allowSuspended?: boolean;
	/** Extra rule once signed in; returns a 403 detail when the caller may not pass. */
	check?: (user: CurrentUser) => string | undefined;
}

function guard(options: GuardOptions = {}): MiddlewareHandler<AppEnv> {
	return createMiddleware<AppEnv>(async (c, next) => {
		const user = await resolveCaller(c);
		if (!user) throw unauthorized("Sign in: this endpoint needs a bearer access token.", "invalid_request");
		if (!options.allowSuspended && isSuspended(user)) throw suspendedProblem(user);
		const denied = options.check?.(user);
		if (denied) throw forbidden(denied);
		c.set("user", user);
		await next();
	});
}

/** Any signed-in, non-suspended user. */
export const requireUser = guard();

/** Signed in, suspended or not: only for reading one's own profile. */
export const requireUserEvenIfSuspended = guard({ allowSuspended: true });

/** Public endpoints: anonymous callers pass; a token, if sent, must be valid and personalises the answer. */
export const optionalUser: MiddlewareHandler<AppEnv> = createMiddleware<AppEnv>(async (c, next) => {
	const user = await resolveCaller(c);
	if (user && isSuspended(user)) throw suspendedProblem(user);
	c.set("user", user);
	await next();
});

export const requireGuardian = guard({
	check: (user) => (isGuardian(user) ? undefined : "Only guardians may do this."),
});

export const requireGuide = guard({
	check: (user) => (isVerifiedGuide(user) ? undefined : "Only verified guides may do this."),
});

const trustGuards = new Map<TrustLevel, MiddlewareHandler<AppEnv>>();

/** At least `level` of trust (a guardian passes every trust check). */
export function requireTrust(level: TrustLevel): MiddlewareHandler<AppEnv> {
	let middleware = trustGuards.get(level);
	if (!middleware) {
		middleware = guard({
			check: (user) => (hasTrust(user, level) ? undefined : `This needs trust level ${level} or higher.`),
		});
		trustGuards.set(level, middleware);
	}
	return middleware;
}

/** The signed-in caller inside a handler behind one of the `require*` guards. */
export function currentUser(c: Context<AppEnv>): CurrentUser {
	const user = c.get("user");
	if (!user) throw new Error("currentUser() used on a route without an auth guard");
	return user;
}
