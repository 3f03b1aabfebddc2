/**
 * @module auth/jwks: the Auth0 signing keys, cached in isolate memory and in KV so the hot path never
 * leaves the Worker.
 *
 * - Fresh for 24 h; after that the next request refreshes them, and if Auth0 cannot be reached the
 *   cached keys keep working (an outage at Auth0 must not sign everyone out).
 * - A token with an unknown `kid` (key rotation) triggers at most one refetch per cooldown per isolate,
 *   so a flood of forged `kid`s cannot turn into a flood of requests to Auth0.
 * - KV is written only when the key set actually changed (KV allows one write per second per key).
 */
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";

export const JWKS_FRESH_MS = 24 * 60 * 60 * 1000;
export const JWKS_REFETCH_COOLDOWN_MS = 30 * 1000;
/** KV keeps a stale copy for a week after its last refresh, as the fallback while Auth0 is down. */
const JWKS_KV_RETENTION_SECONDS = 7 * 24 * 60 * 60;
const JWKS_FETCH_TIMEOUT_MS = 3000;

interface StoredJwks {
	jwks: JSONWebKeySet;
	fetchedAt: number;
}

interface CacheEntry {
	stored: StoredJwks;
	/** Imports each key once per isolate instead of on every request. */
	lookup: JWTVerifyGetKey;
}

/** The keys could not be fetched and none are cached: the API cannot verify anyone right now. */
export class JwksUnavailableError extends Error {
	constructor(cause: unknown) {
		super("The identity provider's signing keys are unavailable.", { cause });
		this.name = "JwksUnavailableError";
	}
}

export interface JwksContext {
	url: string;
	kv: KVNamespace;
	waitUntil: (promise: Promise<unknown>) => void;
	now?: () => number;
}

const memory = new Map<string, CacheEntry>();
const lastFetchAttempt = new Map<string, number>();
/** When the last fetch failed: a cold isolate waits out the cooldown instead of hammering a down Auth0. */
const lastFetchFailure = new Map<string, number>();
/** Tracked apart from routine refreshes, so a key rotated in right after a refresh is still picked up. */
const lastUnknownKidRefetch = new Map<string, number>();

const kvKey = (url: string) => `jwks:v1:${url}`;

function entryFor(stored: StoredJwks): CacheEntry {
	return { stored, lookup: createLocalJWKSet(stored.jwks) };
}

async function fetchJwks(url: string): Promise<JSONWebKeySet> {
	const response = await fetch(url, {
		headers: { accept: "application/json" },
		signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS),
	});
	if (!response.ok) throw new Error(`JWKS endpoint answered ${response.status}`);
	const body = (await response.json()) as Partial<JSONWebKeySet>;
	if (!Array.isArray(body.keys)) throw new Error("JWKS response has no keys array");
	return { keys: body.keys };
}

/** Fetches the key set, caches it, and writes KV only when the keys changed. Returns null on failure. */
async function refresh(ctx: JwksContext, previous: CacheEntry | undefined): Promise<CacheEntry | null> {
	const now = ctx.now?.() ?? Date.now();
	lastFetchAttempt.set(ctx.url, now);
	let jwks: JSONWebKeySet;
	try {
		jwks = await fetchJwks(ctx.url);
	} catch {
		lastFetchFailure.set(ctx.url, now);
		return null;
	}
	lastFetchFailure.delete(ctx.url);
	const entry = entryFor({ jwks, fetchedAt: now });
	memory.set(ctx.url, entry);
	const changed = JSON.stringify(previous?.stored.jwks) !== JSON.stringify(jwks);
	const staleInKv = previous !== undefined && now - previous.stored.fetchedAt >= JWKS_FRESH_MS;
	if (changed || staleInKv || previous === undefined) {
		ctx.waitUntil(
			ctx.kv.put(kvKey(ctx.url), JSON.stringify(entry.stored), { expirationTtl: JWKS_KV_RETENTION_SECONDS }),
		);
	}
	return entry;
}

function inCooldown(ctx: JwksContext, since: Map<string, number> = lastFetchAttempt): boolean {
	const now = ctx.now?.() ?? Date.now();
	return now - (since.get(ctx.url) ?? Number.NEGATIVE_INFINITY) < JWKS_REFETCH_COOLDOWN_MS;
}

async function currentEntry(ctx: JwksContext): Promise<CacheEntry> {
	let entry = memory.get(ctx.url);
	if (!entry) {
		const stored = await ctx.kv.get<StoredJwks>(kvKey(ctx.url), "json");
		if (stored?.jwks) {
			entry = entryFor(stored);
			memory.set(ctx.url, entry);
		}
	}
	const now = ctx.now?.() ?? Date.now();
	const fresh = entry !== undefined && now - entry.stored.fetchedAt < JWKS_FRESH_MS;
	if (fresh && entry) return entry;
	// Stale keys and a refresh tried moments ago: keep serving them rather than retrying on every request.
	if (entry && inCooldown(ctx)) return entry;
	// Cold and Auth0 failed moments ago: do not hammer it on every request while it is down. (Concurrent
	// cold requests each fetch: an in-flight fetch is not a failure.)
	if (!entry && inCooldown(ctx, lastFetchFailure)) {
		throw new JwksUnavailableError("no cached keys; the JWKS endpoint failed moments ago");
	}
	const refreshed = await refresh(ctx, entry);
	if (refreshed) return refreshed;
	if (entry) return entry; // Auth0 unreachable: stale keys keep working.
	throw new JwksUnavailableError("no cached keys and the JWKS endpoint failed");
}

/** A jose key getter over the cached key set, refetching once (per cooldown) for an unknown `kid`. */
export function cachedJwksKeyGetter(ctx: JwksContext): JWTVerifyGetKey {
	return async (header, token) => {
		const entry = await currentEntry(ctx);
		try {
			return await entry.lookup(header, token);
		} catch (error) {
			if (!(error instanceof errors.JWKSNoMatchingKey) || inCooldown(ctx, lastUnknownKidRefetch)) throw error;
			lastUnknownKidRefetch.set(ctx.url, ctx.now?.() ?? Date.now());
			const refreshed = await refresh(ctx, entry);
			if (!refreshed) throw error;
			return refreshed.lookup(header, token);
		}
	};
}

/** Test hook: forget what this isolate cached (KV is untouched). */
export function clearJwksMemoryCache(): void {
	memory.clear();
	lastFetchAttempt.clear();
	lastFetchFailure.clear();
	lastUnknownKidRefetch.clear();
}
