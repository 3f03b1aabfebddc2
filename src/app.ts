/**
 * @module app: builds the Hono app — cross-cutting middleware, the error shape, every feature's
 * router under `/api/v1`, and the OpenAPI document generated from the same zod schemas.
 */
import { swaggerUI } from "@hono/swagger-ui";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { BOOKMARK_HEADER } from "./db/session";
import type { AppEnv } from "./env";
import { announcingRecipients } from "./http/announce";
import { defaultResourcePolicy, personalCacheControl } from "./http/cache-control";
import { provideRequestContext } from "./http/context";
import { allowedOrigin } from "./http/cors-origins";
import { edgeCached } from "./http/edge-cache";
import { conditionalGet } from "./http/etag";
import { dispatchFanOutsAfterCommit } from "./http/fan-out";
import { openApiDocument } from "./http/openapi-document";
import { isRawBodyRoute } from "./http/raw-body";
import { requestLog } from "./http/request-log";
import { createRouter } from "./http/router";
import { webAppFrontDoor } from "./http/web-app";
import { classifyFailure, describeForLog, rootCause } from "./lib/failures";
import { logEvent } from "./lib/log";
import { Problem, problemResponse } from "./lib/problem";
import { fellowshipRoutes } from "./modules/fellowship";
import { flourishRoutes } from "./modules/flourish";
import { gardenRoutes } from "./modules/garden";
import { guardiansRoutes } from "./modules/guardians";
import { healthRoutes } from "./modules/health";
import { mediaRoutes } from "./modules/media";
import { moderationRoutes } from "./modules/moderation";
import { announce, notificationsRoutes } from "./modules/notifications";
import { nourishmentRoutes } from "./modules/nourishment";
import { orchardRoutes } from "./modules/orchard";
import { privacyRoutes } from "./modules/privacy";
import { pushRoutes } from "./modules/push";
import { recommendationsRoutes } from "./modules/recommendations";
import { searchRoutes } from "./modules/search";
import { sunlightRoutes } from "./modules/sunlight";
import { supportRoutes } from "./modules/support";
import { teamupRoutes } from "./modules/teamup";
import { trustRoutes } from "./modules/trust";
import { usersRoutes } from "./modules/users";

export const API_PREFIX = "/api/v1";
/** Largest request body accepted; bigger ones answer 413 before any parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

function toProblem(err: unknown, c: Context<AppEnv>): Problem {
	if (err instanceof Problem) return err;
	// A refusal can surface through a query (the caller's row rides along with it: auth/guards).
	const cause = rootCause(err);
	if (cause instanceof Problem) return cause;
	if (err instanceof HTTPException) {
		// Hono's validators throw 400 for malformed JSON; keep their status but our shape.
		const detail = err.status === 400 ? "The request body is not valid JSON." : err.message;
		return new Problem(err.status, { detail, kind: err.status === 400 ? "malformed-body" : "http" });
	}
	const failure = classifyFailure(err);
	logEvent(failure === "unexpected" ? "error" : "warn", "request_failed", {
		request_id: c.get("requestId"),
		method: c.req.method,
		route: c.req.routePath,
		failure,
		error: describeForLog(err),
	});
	if (failure === "constraint") {
		return new Problem(409, {
			detail: "This conflicts with a change made at the same time. Reload and try again.",
			kind: "write-conflict",
		});
	}
	if (failure === "storage-unavailable") {
		// D1 batches are atomic: nothing of this request was half-written.
		return new Problem(503, {
			detail: "The database is unavailable right now; nothing was saved. Please retry.",
			kind: "storage-unavailable",
			headers: { "Retry-After": "5" },
		});
	}
	if (failure === "object-unavailable") {
		// A chat room or an event's RSVPs: each call is one step, done whole or not at all.
		return new Problem(503, {
			detail: "This part of Flourish is briefly unavailable; nothing was lost. Please retry.",
			kind: "object-unavailable",
			headers: { "Retry-After": "1" },
		});
	}
	return new Problem(500, {
		detail: "Something went wrong on our side. Quote the request id if you report it.",
	});
}

const problemFor = (c: Context<AppEnv>, problem: Problem) =>
	problemResponse(problem, new URL(c.req.url).pathname, c.get("requestId") ?? "");

export function createApp(): OpenAPIHono<AppEnv> {
	const app = createRouter();

	app.use(requestId({ headerName: "X-Request-Id" }));
	app.use(provideRequestContext);
	// Notifications to many people this request wrote (fan-outs) go to the queue after the answer.
	app.use(dispatchFanOutsAfterCommit);
	// The people a successful request notified (or whose standing it changed): their live streams are poked
	// after the answer (`waitUntil`), and read what changed from the list; the pushes are queued.
	app.use(announcingRecipients(announce));
	// One JSON line per request (route pattern, status, duration, hashed user): never tokens, bodies or URLs.
	app.use(requestLog);
	// Cross-Origin-Resource-Policy is `same-origin` unless the answer chose otherwise (a public post's photo is
	// `cross-origin`, so that another site's <img> may show it): secureHeaders would overwrite the choice.
	app.use(defaultResourcePolicy);
	app.use(secureHeaders({ crossOriginResourcePolicy: false }));
	app.use(personalCacheControl);
	app.use(
		cors({
			origin: (origin, c) => allowedOrigin(origin, c.env.CORS_ORIGINS),
			allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
			allowHeaders: [
				"Authorization",
				"Content-Type",
				"Idempotency-Key",
				"If-None-Match",
				"X-Support-Token",
				BOOKMARK_HEADER,
			],
			exposeHeaders: [
				"X-Request-Id",
				"Retry-After",
				"RateLimit",
				"RateLimit-Policy",
				"ETag",
				BOOKMARK_HEADER,
			],
			credentials: true,
			maxAge: 600,
		}),
	);
	const jsonBodyLimit = bodyLimit({
		maxSize: MAX_BODY_BYTES,
		onError: (c) =>
			problemFor(
				c,
				new Problem(413, {
					detail: `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`,
					kind: "too-large",
				}),
			),
	});
	// A file upload's route has its own limit, checked by its gate (http/raw-body) once the caller is known.
	app.use((c, next) => {
		const path = new URL(c.req.url).pathname;
		const below = path.startsWith(`${API_PREFIX}/`) ? path.slice(API_PREFIX.length) : undefined;
		return below !== undefined && isRawBodyRoute(c.req.method, below) ? next() : jsonBodyLimit(c, next);
	});
	app.use(
		methodNotAllowed({
			app,
			onMethodNotAllowed: (c, methods) =>
				problemFor(
					c,
					new Problem(405, {
						detail: `${c.req.method} is not supported here.`,
						kind: "method-not-allowed",
						headers: { Allow: methods.join(", ") },
					}),
				),
		}),
	);

	// Innermost of the shared middleware: it tags the answer the route made (edge-cached ones too), and the
	// layers above add their headers to a 304 as to a 200.
	app.use(conditionalGet);

	// `/`: a browser's navigation gets the web app (Static Assets), anything else the liveness JSON.
	app.use("/", webAppFrontDoor);
	app.route("/", healthRoutes);
	// Each feature's router declares full paths below /api/v1 (e.g. `/garden/habits`).
	for (const routes of [
		usersRoutes,
		privacyRoutes,
		gardenRoutes,
		flourishRoutes,
		orchardRoutes,
		nourishmentRoutes,
		sunlightRoutes,
		teamupRoutes,
		supportRoutes,
		trustRoutes,
		fellowshipRoutes,
		guardiansRoutes,
		moderationRoutes,
		notificationsRoutes,
		pushRoutes,
		recommendationsRoutes,
		searchRoutes,
		mediaRoutes,
	]) {
		app.route(API_PREFIX, routes);
	}

	app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
		type: "http",
		scheme: "bearer",
		bearerFormat: "JWT",
		description: "An Auth0 access token (RS256) for this API's audience.",
	});
	// The same for everyone; anonymous fetches (docs pages, generators) are answered from the edge cache.
	app.use(`${API_PREFIX}/openapi.json`, edgeCached({ seconds: 60 }));
	app.get(`${API_PREFIX}/openapi.json`, (c) => c.json(openApiDocument(app, new URL(c.req.url).origin)));
	// The UI's files are static assets of this Worker (scripts/build-assets.mjs), never a CDN's: /docs works offline.
	app.get(
		"/docs",
		swaggerUI({ url: `${API_PREFIX}/openapi.json`, title: "Flourish API", baseUrl: "/docs/assets" }),
	);

	app.notFound((c) =>
		problemFor(c, new Problem(404, { detail: "No route matches this path.", kind: "no-route" })),
	);
	app.onError((err, c) => problemFor(c, toProblem(err, c)));
	return app;
}
