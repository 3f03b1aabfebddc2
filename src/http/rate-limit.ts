/**
 * @module http/rate-limit: burst limits through the Workers Rate Limiting bindings (`[[ratelimits]]` in
 * wrangler.toml), installed on every route by `defineRoute`.
 *
 * - Callers without an `Authorization` header: `IP_READ_LIMITER`, keyed by `CF-Connecting-IP`. Checked
 *   before the auth guard, so a flood of anonymous requests is slowed even where it would only earn 401s.
 * - Signed-in callers' writes (every method but GET, HEAD and OPTIONS): `USER_WRITE_LIMITER`, keyed by
 *   the user id. Checked after the guard (it needs the user) and before idempotency, so a refused write
 *   leaves no Idempotency-Key behind.
 * - Chat WebSocket frames (not HTTP, so not here): the ChatRoom Durable Object asks `allowChatFrame` per
 *   frame and answers an `error` frame with code `rate_limited` and `retry_after`.
 *
 * Over the limit: 429 problem+json with `Retry-After` and the IETF `RateLimit-Policy`/`RateLimit` headers
 * (draft-ietf-httpapi-ratelimit-headers). These are per-location burst limits, approximate by design;
 * the exact daily allowances per trust level are D1 counters (`src/core/quotas.ts`). A limiter
 * that throws lets the request through: a burst limit must never take the API down.
 *
 * @example
 * createRoute({ ...config, middleware: [limitAnonymousCallers, requireUser, limitUserWrites] })
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ANONYMOUS_POLICY, type BurstPolicy, USER_WRITE_POLICY } from "../lib/burst-policies";
import { logEvent } from "../lib/log";
import { Problem } from "../lib/problem";

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The 429 of a spent burst limit. The binding tells no reset time: the period is the honest upper bound. */
export function burstLimitProblem(policy: BurstPolicy): Problem {
	const seconds = String(policy.period);
	return new Problem(429, {
		detail: `Too many requests: at most ${policy.limit} per ${policy.period} seconds (${policy.name}). Retry after ${seconds} seconds.`,
		kind: "rate-limited",
		headers: {
			"Retry-After": seconds,
			"RateLimit-Policy": `"${policy.name}";q=${policy.limit};w=${policy.period}`,
			RateLimit: `"${policy.name}";r=0;t=${seconds}`,
		},
		extensions: { limit_kind: policy.name, limit: policy.limit, period_seconds: policy.period },
	});
}

/** Counts one request against `policy` under `key`; throws the 429 when the limiter refuses it. */
async function consume(c: Context<AppEnv>, policy: BurstPolicy, key: string): Promise<void> {
	let outcome: RateLimitOutcome;
	try {
		outcome = await c.env[policy.binding].limit({ key });
	} catch (error) {
		logEvent("warn", "rate_limiter_unavailable", {
			request_id: c.get("requestId"),
			policy: policy.name,
			error: error instanceof Error ? error.name : "unknown",
		});
		return;
	}
	if (outcome.success) return;
	// Never log the key: it is a user id or an IP address.
	logEvent("info", "rate_limited", {
		request_id: c.get("requestId"),
		policy: policy.name,
		method: c.req.method,
		route: c.req.routePath,
	});
	throw burstLimitProblem(policy);
}

/** The client's address as Cloudflare's edge reports it (clients cannot set it there). */
export const clientIp = (c: Context<AppEnv>) => c.req.header("CF-Connecting-IP") || "unknown";

/** Before the auth guard: requests without an `Authorization` header, per client IP. */
export const limitAnonymousCallers = createMiddleware<AppEnv>(async (c, next) => {
	if (c.req.header("Authorization") === undefined) await consume(c, ANONYMOUS_POLICY, clientIp(c));
	await next();
});

/** After the auth guard: a signed-in caller's writes, per user. */
export const limitUserWrites = createMiddleware<AppEnv>(async (c, next) => {
	const user = c.get("user");
	if (user && !READ_METHODS.has(c.req.method)) await consume(c, USER_WRITE_POLICY, user.id);
	await next();
});

/**
 * After the auth guard, for one route: a tighter budget per signed-in user and per client IP (both must
 * allow the request), for routes an attacker would call in a loop (`RouteOptions.perCaller`).
 */
export const limitPerCaller = (perUser: BurstPolicy, perIp: BurstPolicy) =>
	createMiddleware<AppEnv>(async (c, next) => {
		const user = c.get("user");
		if (user) await consume(c, perUser, user.id);
		await consume(c, perIp, clientIp(c));
		await next();
	});
