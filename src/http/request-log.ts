/**
 * @module http/request-log: one structured JSON line per request, written when the response is ready.
 *
 * `{"level":"info","event":"request","time":…,"request_id":…,"method":"GET","route":"/api/v1/users/:user_id",
 * "status":200,"duration_ms":12,"user":"3f1c…"}`
 *
 * What it never holds: the raw URL (its path carries ids, its query string a WebSocket ticket), headers
 * (tokens, the support token), bodies, emails, IP addresses. `route` is the matched route *pattern*, or
 * null when no route matched (404, 405, preflight). `user` is a keyed hash of the caller's id (HMAC-SHA256
 * under the deployment's secret, 16 hex digits): stable enough to follow one person's requests while
 * debugging, useless to anyone without the secret — and left out on the anonymous support routes, whose
 * timing must not tie a request to its author.
 */
import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../env";
import { BoundedMap } from "../lib/bounded-map";
import { logEvent } from "../lib/log";

/** Routes whose log line never names the caller, not even by hash (see the module comment). */
const ANONYMOUS_ROUTES = /^\/api\/v1\/support\//;

/** The pattern of the route that answered, e.g. `/api/v1/garden/habits/:habit_id`; null when none did. */
export function routePattern(c: Context<AppEnv>): string | null {
	// After the response, `routeIndex` points at the handler that answered (or threw). Several routes may
	// match one path (`/users/me` and `/users/:user_id`): only the one that answered counts. Middleware
	// registered with `use` (CORS preflight, body limit, 405, 404) has method ALL: no route answered.
	const answered = matchedRoutes(c)[c.req.routeIndex];
	return answered && answered.method !== "ALL" ? answered.path : null;
}

let hashKey: { secret: string; key: Promise<CryptoKey> } | undefined;

function keyFor(secret: string): Promise<CryptoKey> {
	if (hashKey?.secret !== secret) {
		const key = crypto.subtle.importKey(
			"raw",
			new TextEncoder().encode(secret),
			{ name: "HMAC", hash: "SHA-256" },
			false,
			["sign"],
		);
		hashKey = { secret, key };
	}
	return hashKey.key;
}

/** Hashes already computed in this isolate (under the current secret): the same people call again and again. */
const HASHES_KEPT = 1_000;
let recentHashes: { secret: string; byUser: BoundedMap<string, string> } | undefined;

/** HMAC-SHA256(secret, "request-log:<user id>"), first 16 hex digits; undefined without a secret. */
export async function userHash(secret: string | undefined, userId: string): Promise<string | undefined> {
	if (!secret) return undefined;
	if (recentHashes?.secret !== secret) recentHashes = { secret, byUser: new BoundedMap(HASHES_KEPT) };
	const known = recentHashes.byUser.get(userId);
	if (known !== undefined) return known;
	const mac = await crypto.subtle.sign(
		"HMAC",
		await keyFor(secret),
		new TextEncoder().encode(`request-log:${userId}`),
	);
	const hash = Array.from(new Uint8Array(mac).slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
	recentHashes.byUser.set(userId, hash);
	return hash;
}

/** Logs every request once, after the response (errors included) is final. */
export const requestLog: MiddlewareHandler<AppEnv> = createMiddleware<AppEnv>(async (c, next) => {
	const started = Date.now();
	try {
		await next();
	} finally {
		try {
			const route = routePattern(c);
			const user = c.get("user");
			const named = user && !(route && ANONYMOUS_ROUTES.test(route));
			logEvent("info", "request", {
				request_id: c.get("requestId"),
				method: c.req.method,
				route,
				status: c.res.status,
				duration_ms: Date.now() - started,
				...(named ? { user: await userHash(c.env.SUPPORT_HMAC_SECRET, user.id) } : {}),
			});
		} catch {
			// A log line is never worth a failed response.
		}
	}
});
