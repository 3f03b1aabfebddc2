/**
 * @module http/define-route: route definitions that carry their own access rule, so the guard that runs and the
 * security and error responses the OpenAPI document shows can never disagree.
 */
import { createRoute, type RouteConfig, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import {
	callerRowFirst,
	optionalUser,
	requireGuardian,
	requireGuide,
	requireTrust,
	requireUser,
	requireUserEvenIfSuspended,
} from "../auth/guards";
import type { TrustLevel } from "../core/accounts/current-user";
import type { AppEnv } from "../env";
import { ANONYMOUS_POLICY, type BurstPolicy, USER_WRITE_POLICY } from "../lib/burst-policies";
import { unprocessable } from "../lib/problem";
import { sensitiveAnswer } from "./cache-control";
import { type EdgeCacheOptions, edgeCached } from "./edge-cache";
import { idempotent } from "./idempotency";
import { limitAnonymousCallers, limitPerCaller, limitUserWrites } from "./rate-limit";
import { registerRawBodyRoute } from "./raw-body";
import { isSensitiveRead } from "./sensitive-reads";

export const ProblemSchema = z
	.object({
		type: z.string().openapi({ example: "urn:flourish:problem:validation" }),
		title: z.string(),
		status: z.number().int(),
		detail: z.string().optional(),
		instance: z.string().optional(),
		request_id: z.string().optional(),
		errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
	})
	.openapi("Problem", { description: "RFC 9457 problem details; the shape of every error." });

const problem = (description: string) => ({
	description,
	content: { "application/problem+json": { schema: ProblemSchema } },
});

const RATE_LIMIT_HEADERS = {
	"Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "string" as const } },
	"RateLimit-Policy": {
		description: 'The limit that was hit, e.g. `"user-writes";q=60;w=60` (IETF RateLimit header fields).',
		schema: { type: "string" as const },
	},
	RateLimit: {
		description: 'What is left of it, e.g. `"user-writes";r=0;t=60`.',
		schema: { type: "string" as const },
	},
};
const BURST_LIMIT_NOTE = `Burst limit: ${USER_WRITE_POLICY.limit} writes per ${USER_WRITE_POLICY.period} s per signed-in user; ${ANONYMOUS_POLICY.limit} requests per ${ANONYMOUS_POLICY.period} s per IP address for callers without a token.`;

/** The documented 429: the burst limit every route has, joined with a route's own (a daily limit). */
function tooManyRequests(own: unknown) {
	const ownDescription =
		typeof own === "object" && own !== null && "description" in own ? String(own.description) : undefined;
	return {
		...problem(ownDescription ? `${ownDescription} Or: ${BURST_LIMIT_NOTE}` : BURST_LIMIT_NOTE),
		headers: RATE_LIMIT_HEADERS,
	};
}

const IDEMPOTENCY_NOTE =
	"Send an `Idempotency-Key` (1–255 visible ASCII characters) to make retries safe: within 24 h the same key and request replay the original response (`Idempotent-Replayed: true`); the same key with another request is 422.";

const IdempotencyHeaders = z.object({
	// Read by the `idempotent` middleware itself; declared here so the document shows it.
	"Idempotency-Key": z.string().optional().openapi({ description: "Makes a retry of this request safe." }),
});

function withIdempotencyHeader(headers: unknown) {
	return headers instanceof z.ZodObject ? headers.extend(IdempotencyHeaders.shape) : IdempotencyHeaders;
}

const BOOKMARK_NOTE =
	"The D1 bookmark of the answer's session: send the latest one received back as the `X-D1-Bookmark` request header of a `GET` to read your own writes from a nearby copy. Present when the request read or wrote D1.";

const BookmarkHeaders = z.object({
	// Read by the request's D1 session (http/context); declared here so the document shows it.
	"X-D1-Bookmark": z.string().optional().openapi({
		description:
			"The latest `X-D1-Bookmark` this client received: the read sees at least that state. Ignored when it is not a D1 bookmark.",
	}),
});

/** A `GET` may send the bookmark it last received (not an upgrade: a socket starts on the primary). */
function withBookmarkHeader(headers: unknown) {
	return headers instanceof z.ZodObject ? headers.extend(BookmarkHeaders.shape) : BookmarkHeaders;
}

/** The names a route's query schema declares; none when it has no query schema. */
function declaredQueryNames(query: unknown): ReadonlySet<string> {
	if (query === undefined) return new Set();
	// Fails at start-up, not per request: every query schema is an object of named parameters.
	if (!(query instanceof z.ZodObject)) throw new Error("a route's query schema must be a z.object");
	return new Set(Object.keys(query.shape));
}

/**
 * An unknown query parameter is a 422 naming it (`query/<name>`), so a misspelt filter never quietly answers
 * the unfiltered list. Read from the URL itself, not the parsed query: every name as sent, `__proto__` too.
 */
function refuseUnknownQuery(declared: ReadonlySet<string>): MiddlewareHandler<AppEnv> {
	return async (c, next) => {
		const unknown = new Set<string>();
		for (const name of new URL(c.req.url).searchParams.keys()) if (!declared.has(name)) unknown.add(name);
		if (unknown.size > 0) {
			throw unprocessable(
				"The request has query parameters this operation does not take.",
				[...unknown].map((name) => ({ field: `query/${name}`, message: "unknown query parameter" })),
			);
		}
		await next();
	};
}

/** Every success answer may carry the session's bookmark. */
function withBookmarkOnSuccess(responses: RouteConfig["responses"]): RouteConfig["responses"] {
	return Object.fromEntries(
		Object.entries(responses).map(([status, response]) => {
			if (!/^2\d\d$/.test(status) || typeof response !== "object" || response === null)
				return [status, response];
			const own = "headers" in response && typeof response.headers === "object" ? response.headers : {};
			return [
				status,
				{
					...response,
					headers: { ...own, "X-D1-Bookmark": { description: BOOKMARK_NOTE, schema: { type: "string" } } },
				},
			];
		}),
	) as RouteConfig["responses"];
}

const ETAG_NOTE =
	"The strong entity tag of this answer (a hash of its body). Send it back as `If-None-Match` to be answered `304 Not Modified`, with no body, while the answer is unchanged.";

const ConditionalHeaders = z.object({
	// Read by http/etag itself; declared here so the document shows it.
	"If-None-Match": z.string().optional().openapi({
		description:
			'The `ETag`(s) of answers I hold (`"a", "b"`), or `*`: when the answer would still have one of them, it is `304 Not Modified` with no body.',
	}),
});

function withConditionalHeader(headers: unknown) {
	return headers instanceof z.ZodObject ? headers.extend(ConditionalHeaders.shape) : ConditionalHeaders;
}

/** A tagged read: its 200 carries `ETag`, and `If-None-Match` may answer 304. */
function withEntityTags(responses: RouteConfig["responses"]): RouteConfig["responses"] {
	const ok = responses[200];
	if (typeof ok !== "object" || ok === null) return responses;
	const own = "headers" in ok && typeof ok.headers === "object" ? ok.headers : {};
	return {
		...responses,
		200: { ...ok, headers: { ...own, ETag: { description: ETAG_NOTE, schema: { type: "string" } } } },
		304: {
			description:
				"Not Modified: the answer still has the `ETag` sent in `If-None-Match`. No body; the headers of the 200 (ETag, Cache-Control, X-D1-Bookmark).",
			headers: {
				ETag: { description: ETAG_NOTE, schema: { type: "string" } },
				"X-D1-Bookmark": { description: BOOKMARK_NOTE, schema: { type: "string" } },
			},
		},
	} as RouteConfig["responses"];
}

export type Access =
	| "public"
	| "user"
	/** Signed in, even while suspended: only `GET /users/me`. */
	| "self_even_if_suspended"
	| "guide"
	| "guardian"
	| { trust: TrustLevel };

function guardFor(access: Access): MiddlewareHandler<AppEnv> {
	if (typeof access === "object") return requireTrust(access.trust);
	switch (access) {
		case "public":
			return optionalUser;
		case "user":
			return requireUser;
		case "self_even_if_suspended":
			return requireUserEvenIfSuspended;
		case "guide":
			return requireGuide;
		case "guardian":
			return requireGuardian;
	}
}

function accessNote(access: Access): string {
	if (typeof access === "object")
		return `Requires trust level ${access.trust} or higher (guardians always pass).`;
	const notes: Record<typeof access, string> = {
		public: "Public; a valid token, if sent, personalises the answer.",
		user: "Any signed-in user who is not suspended.",
		self_even_if_suspended: "Any signed-in user, including a suspended one.",
		guide: "Verified guides only (role guide, trust good_soil or higher).",
		guardian: "Guardians only.",
	};
	return notes[access];
}

/**
 * `createRoute` plus the access rule: installs the guard, documents the bearer requirement, and adds
 * the problem+json responses every route can give (validation, auth, body size, rate limits), and the
 * burst rate limits (`src/http/rate-limit.ts`: per IP before the guard, per user for writes after it).
 */
export interface RouteOptions {
	/**
	 * The answer carries a secret shown once (a support token, a chat ticket). Signed-in POSTs otherwise
	 * honour Idempotency-Key by storing their answer in D1 for 24 h; such a route must never do that (the
	 * stored copy would keep the live secret beside the user id), so the key is not honoured and nothing
	 * about the request is recorded. `onRetry` tells clients, in the OpenAPI description, what a retry does.
	 */
	secretInAnswer?: { onRetry: string };
	/**
	 * A feature's own middleware, run after the guard and the burst limits (e.g. trust's check for automatic
	 * promotion after a contribution): the feature brings it, so this layer knows no feature.
	 */
	middleware?: MiddlewareHandler<AppEnv>[];
	/** A tighter burst limit for this route, per user and per client IP (`limitPerCaller`). */
	perCaller?: { user: BurstPolicy; ip: BurstPolicy };
	/** Anonymous answers are the same for everyone: served from the edge cache (http/edge-cache). */
	edgeCache?: EdgeCacheOptions;
	/**
	 * A read whose handler needs the caller's row (role, trust, time zone, spiritual opt-in) before its first
	 * query: the row is read first instead of riding along with that query (auth/guards), one more round
	 * trip. Say why beside it.
	 */
	callerRowFirst?: true;
	/**
	 * The body is a file, not JSON (http/raw-body): the app's 64 KiB limit does not apply, and `gate` — the
	 * feature's own check of type and size, which calls `limitBody` — runs after the guard and before
	 * Idempotency-Key handling (which reads the body to hash it), so nothing reads a body the gate refuses.
	 */
	rawBody?: { gate: MiddlewareHandler<AppEnv> };
}

const edgeCacheNote = (seconds: number) =>
	`Anonymous answers are the same for everyone and are cached at the edge for ${seconds} s (\`Cache-Control: public, s-maxage=${seconds}\`, \`X-Edge-Cache: hit|miss\`), so a change may take that long to show to callers without a token. Sending a token or \`X-D1-Bookmark\` always reads the latest.`;

/** What the OpenAPI description says about Idempotency-Key on a route whose answer carries a secret. */
export const secretAnswerNote = (onRetry: string) =>
	`\`Idempotency-Key\` is not honoured here: the answer carries a secret, and a stored copy for replay would keep it in the database, so nothing about this request is recorded for retries. ${onRetry}`;

/** Every operation names itself: generated clients call it by this name, so it is stable and unique. */
type NamedRoute = RouteConfig & { operationId: string };

export function defineRoute<const R extends NamedRoute>(
	access: Access,
	config: R,
	options: RouteOptions = {},
): R {
	const signedIn = access !== "public";
	const bodyLimited = config.request?.body !== undefined;
	const jsonBody = bodyLimited && options.rawBody === undefined;
	if (options.rawBody) registerRawBodyRoute(config.method, config.path);
	// Every signed-in POST honours Idempotency-Key (a client retry never does the work twice), except one
	// whose answer carries a secret: that answer must never be stored.
	const post = signedIn && config.method === "post";
	// A read (not an upgrade) whose answer may be tagged and revalidated, unless it is sensitive.
	const sensitive = config.method === "get" && isSensitiveRead(config.path);
	const tagged = config.method === "get" && config.responses[101] === undefined && !sensitive;
	const retriable = post && options.secretInAnswer === undefined;
	const idempotencyNote = retriable
		? IDEMPOTENCY_NOTE
		: post && options.secretInAnswer
			? secretAnswerNote(options.secretInAnswer.onRetry)
			: undefined;
	return createRoute({
		...config,
		description: [
			config.description,
			accessNote(access),
			idempotencyNote,
			options.edgeCache ? edgeCacheNote(options.edgeCache.seconds) : undefined,
		]
			.filter(Boolean)
			.join("\n\n"),
		middleware: [
			...(sensitive ? [sensitiveAnswer] : []),
			limitAnonymousCallers,
			...(options.callerRowFirst ? [callerRowFirst] : []),
			guardFor(access),
			refuseUnknownQuery(declaredQueryNames(config.request?.query)),
			limitUserWrites,
			...(options.perCaller ? [limitPerCaller(options.perCaller.user, options.perCaller.ip)] : []),
			...(options.rawBody ? [options.rawBody.gate] : []),
			...(retriable ? [idempotent] : []),
			...(options.edgeCache ? [edgeCached(options.edgeCache)] : []),
			...(options.middleware ?? []),
		],
		request: retriable
			? { ...config.request, headers: withIdempotencyHeader(config.request?.headers) }
			: config.method === "get" && !config.path.endsWith("/ws")
				? {
						...config.request,
						headers: tagged
							? withConditionalHeader(withBookmarkHeader(config.request?.headers))
							: withBookmarkHeader(config.request?.headers),
					}
				: config.request,
		security: signedIn ? [{ bearerAuth: [] }] : [{}, { bearerAuth: [] }],
		responses: {
			...(jsonBody ? { 400: problem("The body is not valid JSON.") } : {}),
			401: problem("Missing or invalid access token."),
			...(signedIn
				? { 403: problem("Signed in but not allowed here (role, trust level, suspension).") }
				: {}),
			...(bodyLimited ? { 413: problem("The body is larger than the limit.") } : {}),
			...(retriable ? { 409: problem("A request with the same Idempotency-Key is still in progress.") } : {}),
			422: problem(
				"The request failed validation; `errors[]` names each field (an unknown query parameter as `query/<name>`).",
			),
			503: problem("A dependency (D1 or the identity provider) is unavailable; retry later."),
			...withBookmarkOnSuccess(tagged ? withEntityTags(config.responses) : config.responses),
			429: tooManyRequests(config.responses?.[429]),
		},
	}) as R;
}

/**
 * The `x-websocket-frames` extension of an upgrade operation: the JSON frames each way, as schemas the feature
 * registers in the document's components (so a client generates their types like any other).
 */
export const websocketFrames = (client: string, server: string) => ({
	"x-websocket-frames": {
		client: { $ref: `#/components/schemas/${client}` },
		server: { $ref: `#/components/schemas/${server}` },
	},
});

/** A documented problem response for route-specific errors such as 404 or 409. */
export const problemResponse = problem;

/** `content` of a JSON request or response body. */
export const jsonContent = <T>(schema: T) => ({ "application/json": { schema } });
