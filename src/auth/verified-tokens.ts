/**
 * @module auth/verified-tokens: access tokens this isolate has already verified, so a client sending the
 * same token request after request pays for one RS256 verification, not one per request.
 *
 * What makes this safe: an entry is keyed by the exact token string *and* the issuer, audience and JWKS
 * URL it was verified against; it is used only until the token's own `exp` (plus the clock tolerance jose
 * allowed), and never for longer than `maxAgeMs`, so a key Auth0 retires stops being trusted by this
 * cache within minutes, as it would through the JWKS cache. Only successful verifications are kept:
 * every rejected token is checked again in full. Who the caller is (role, trust, suspension) is never
 * cached: that is read from D1 on every request.
 */

import { BoundedMap } from "../lib/bounded-map";

export interface VerifiedTokenCacheOptions {
	/** Most entries kept; the oldest goes first. */
	capacity: number;
	/** Longest an entry is trusted, whatever the token's `exp`. */
	maxAgeMs: number;
	/** Seconds of clock skew tolerated past `exp` (the same tolerance the verification used). */
	toleranceSeconds: number;
}

interface Entry<T> {
	value: T;
	usableUntilMs: number;
}

export class VerifiedTokenCache<T> {
	readonly #entries: BoundedMap<string, Entry<T>>;
	readonly #options: VerifiedTokenCacheOptions;

	constructor(options: VerifiedTokenCacheOptions) {
		this.#options = options;
		this.#entries = new BoundedMap(options.capacity);
	}

	/** The verified claims of `key`, if verified before and still inside the token's lifetime. */
	get(key: string, nowMs: number): T | undefined {
		const entry = this.#entries.get(key);
		if (!entry) return undefined;
		if (nowMs >= entry.usableUntilMs) {
			this.#entries.delete(key);
			return undefined;
		}
		return entry.value;
	}

	/** Remembers a successful verification of a token whose `exp` claim is `expSeconds`. */
	set(key: string, value: T, expSeconds: number, nowMs: number): void {
		const usableUntilMs = Math.min(
			(expSeconds + this.#options.toleranceSeconds) * 1000,
			nowMs + this.#options.maxAgeMs,
		);
		if (!(usableUntilMs > nowMs)) return;
		this.#entries.set(key, { value, usableUntilMs });
	}

	get size(): number {
		return this.#entries.size;
	}

	clear(): void {
		this.#entries.clear();
	}
}
