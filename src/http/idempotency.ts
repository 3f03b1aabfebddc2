/**
 * @module http/idempotency: `Idempotency-Key` on POSTs. A retry within 24 h with the same key and the same
 * request gets the original response (marked `Idempotent-Replayed: true`) and nothing is done twice; the
 * same key with another request is a 422; a retry racing the first attempt is a 409.
 *
 * Keys are scoped per user and stored in D1. A request is claimed before it runs (a row without a status),
 * so two concurrent attempts cannot both run. Server errors release the key so the client can retry.
 */
import { and, eq, lt } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import { idempotencyKeys } from "../db/tables/idempotency";
import type { AppEnv } from "../env";
import { conflict, Problem, unprocessable } from "../lib/problem";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ["content-type", "location"];

/**
 * The request's hash: its method and URL, a newline, and the body's bytes as sent. Bytes, not text: a file
 * upload (http/raw-body) is not UTF-8, and decoding it would make two different files hash alike. For a
 * JSON body this is the same hash as of its text.
 */
async function requestHashOf(head: string, body: ArrayBuffer): Promise<string> {
	const prefix = new TextEncoder().encode(`${head}\n`);
	const all = new Uint8Array(prefix.length + body.byteLength);
	all.set(prefix);
	all.set(new Uint8Array(body), prefix.length);
	const digest = await crypto.subtle.digest("SHA-256", all);
	return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Worth keeping: successes and the client's own mistakes. Not: server errors and rate limits. */
const isFinal = (status: number) => status < 500 && status !== 429;

export const idempotent: MiddlewareHandler<AppEnv> = createMiddleware<AppEnv>(async (c, next) => {
	const key = c.req.header("Idempotency-Key");
	const user = c.get("user");
	if (key === undefined || !user) return next();
	if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
		throw unprocessable("Idempotency-Key must be 1–255 visible ASCII characters.", [
			{ field: "header/idempotency-key", message: "invalid key" },
		]);
	}
	const db = c.var.db;
	const url = new URL(c.req.url);
	const requestHash = await requestHashOf(
		`${c.req.method} ${url.pathname}${url.search}`,
		await c.req.arrayBuffer(),
	);
	const now = new Date();
	const mine = and(eq(idempotencyKeys.userId, user.id), eq(idempotencyKeys.key, key));

	// Forget an expired use of this key, then try to claim it.
	const [, claimed] = await db.batch([
		db.delete(idempotencyKeys).where(and(mine, lt(idempotencyKeys.expiresAt, now.toISOString()))),
		db
			.insert(idempotencyKeys)
			.values({
				userId: user.id,
				key,
				requestHash,
				expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS).toISOString(),
			})
			.onConflictDoNothing()
			.returning({ id: idempotencyKeys.id }),
	]);

	if (claimed.length === 0) {
		const previous = await db.select().from(idempotencyKeys).where(mine).get();
		if (!previous) throw conflict("This Idempotency-Key was just released; retry the request.");
		if (previous.requestHash !== requestHash) {
			throw unprocessable("This Idempotency-Key was already used for a different request.", [
				{ field: "header/idempotency-key", message: "reused with a different request" },
			]);
		}
		if (previous.statusCode === null) {
			throw new Problem(409, {
				detail: "A request with this Idempotency-Key is still in progress.",
				kind: "idempotency-in-progress",
				headers: { "Retry-After": "1" },
			});
		}
		return new Response(previous.responseBody || null, {
			status: previous.statusCode,
			headers: { ...previous.responseHeaders, "Idempotent-Replayed": "true" },
		});
	}

	await next();

	const claimId = claimed[0]?.id ?? "";
	if (!isFinal(c.res.status)) {
		await db.delete(idempotencyKeys).where(eq(idempotencyKeys.id, claimId));
		return;
	}
	const headers: Record<string, string> = {};
	for (const name of REPLAYED_HEADERS) {
		const value = c.res.headers.get(name);
		if (value !== null) headers[name] = value;
	}
	await db
		.update(idempotencyKeys)
		.set({ statusCode: c.res.status, responseBody: await c.res.clone().text(), responseHeaders: headers })
		.where(eq(idempotencyKeys.id, claimId));
});

/** Scheduled sweep: expired keys are dead weight. */
export async function purgeExpiredIdempotencyKeys(d1: D1Database, now = new Date()): Promise<void> {
	await createDb(d1).delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, now.toISOString()));
}
