/**
 * @module auth/guards: route middleware that verifies the caller and enforces role and trust.
 *
 * Missing or invalid token → 401; signed in but not allowed → 403; suspended → 403 everywhere except
 * `GET /users/me` (so a suspended person can still see why and until when).
 */
import type { Context, MiddlewareHandler, Next } from "hono";
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
import { deferCaller, rememberCaller, verdictFor } from "../core/accounts/remembered-callers";
import { rideAlong } from "../db/session";
import type { AppEnv } from "../env";
import { forbidden, type Problem } from "../lib/problem";
import { holdEffectsUntil } from "./held-effects";
import { bearerToken, unauthorized, verifyAccessToken } from "./verify";

/** The rule a route puts on a signed-in caller: the problem that refuses them, or undefined. */
type Refusal = (user: CurrentUser) => Problem | undefined;

/**
 * May this request go on before the caller's row has arrived (core/accounts/remembered-callers)? Its first
 * D1 round trip then carries the row; nothing it asked D1 is handed back, and nothing is changed in D1 or
 * through another binding (auth/held-effects), before the rule has accepted the row; a write statement is
 * sent only after it (db/session). Writes too: a handler that needs the role or trust before its first
 * query awaits `callerRow` there, and rules that depend on the role are query conditions on the caller's id
 * (`isGuardianInSql`, `spiritualFilter`, the quota's limit). Not a socket upgrade (the socket would outlive
 * the request), nor a route whose handler is marked as needing the row first.
 */
const deferrable = (c: Context<AppEnv>) => c.req.header("Upgrade") === undefined && !c.var.callerRowFirst;

/**
 * Put before the guard of a read whose handler needs the caller's row (role, trust, time zone, spiritual
 * opt-in) to build its first query: the row is then read first (one more round trip).
 */
export const callerRowFirst: MiddlewareHandler<AppEnv> = createMiddleware<AppEnv>(async (c, next) => {
	c.set("callerRowFirst", true);
	await next();
});

/**
 * Verifies the bearer token (none: undefined), then sets the caller and runs the rest of the request under
 * `refusal`. A remembered caller's read goes on at once, with their row riding along with its first round
 * trip; otherwise the row is read (or the account created) first.
 */
async function asCaller(
	c: Context<AppEnv>,
	next: Next,
	refusal: Refusal,
	onAnonymous: () => Promise<void>,
): Promise<void> {
	const token = bearerToken(c.req.header("Authorization"));
	if (token === undefined) return onAnonymous();
	const claims = await verifyAccessToken(token, c.env, (promise) => c.executionCtx.waitUntil(promise));
	const deferred = deferrable(c) ? deferCaller(c.var.db, c.env.DB, claims.sub, refusal) : undefined;
	if (!deferred) {
		const user = await findOrCreateUser(c.var.db, claims, c.env.SUPPORT_HMAC_SECRET);
		rememberCaller(claims.sub, user.id);
		const refused = refusal(user);
		if (refused) throw refused;
		c.set("user", user);
		return next();
	}
	c.set("user", deferred.user);
	const ride = rideAlong(c.env.DB, deferred.rider);
	verdictFor(deferred.user, ride.verdict);
	c.env = holdEffectsUntil(c.env, ride.verdict);
	await next();
	// A handler that made no D1 round trip has not met the rule yet: it is met now, before the answer leaves.
	await ride.verdict();
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
	const refusal: Refusal = (user) => {
		if (!options.allowSuspended && isSuspended(user)) return suspendedProblem(user);
		const denied = options.check?.(user);
		return denied ? forbidden(denied) : undefined;
	};
	return createMiddleware<AppEnv>((c, next) =>
		asCaller(c, next, refusal, async () => {
			throw unauthorized("Sign in: this endpoint needs a bearer access token.", "invalid_request");
		}),
	);
}

/** Any signed-in, non-suspended user. */
export const requireUser = guard();

/** Signed in, suspended or not: only for reading one's own profile. */
export const requireUserEvenIfSuspended = guard({ allowSuspended: true });

/** Public endpoints: anonymous callers pass; a token, if sent, must be valid and personalises the answer. */
export const optionalUser: MiddlewareHandler<AppEnv> = createMiddleware<AppEnv>((c, next) =>
	asCaller(
		c,
		next,
		(user) => (isSuspended(user) ? suspendedProblem(user) : undefined),
		async () => {
			c.set("user", undefined);
			await next();
		},
	),
);

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
