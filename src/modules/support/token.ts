/**
 * @module support/token: the anonymous requester's secret. 256 random bits, shown once, stored only as a
 * PBKDF2-SHA256 hash (WebCrypto) with a per-request random salt and the iteration count beside it, and
 * compared in constant time. Never log a token.
 *
 * @example
 * const token = newSupportToken();
 * const sealed = await sealSupportToken(token); // { tokenHash, tokenSalt, tokenIterations }
 * await supportTokenMatches(token, sealed); // true
 */

/** Bytes of randomness in a token (256 bits). */
export const SUPPORT_TOKEN_BYTES = 32;
/** The most PBKDF2 iterations Cloudflare Workers allow; more throws in production (not locally). */
export const WORKERS_PBKDF2_MAX_ITERATIONS = 100_000;
/** Iterations for new tokens: the Workers maximum. */
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;
/** base64url of 32 bytes, no padding. */
export const SUPPORT_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface SealedToken {
	tokenHash: string;
	tokenSalt: string;
	tokenIterations: number;
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
const toBase64Url = (bytes: Uint8Array) =>
	toBase64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

export function newSupportToken(): string {
	return toBase64Url(crypto.getRandomValues(new Uint8Array(SUPPORT_TOKEN_BYTES)));
}

export async function hashSupportToken(
	token: string,
	salt: Uint8Array,
	iterations: number,
): Promise<Uint8Array> {
	if (!Number.isInteger(iterations) || iterations < 1 || iterations > WORKERS_PBKDF2_MAX_ITERATIONS) {
		throw new RangeError(`PBKDF2 iterations must be 1…${WORKERS_PBKDF2_MAX_ITERATIONS}`);
	}
	const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(token), "PBKDF2", false, [
		"deriveBits",
	]);
	const bits = await crypto.subtle.deriveBits(
		{ name: "PBKDF2", hash: "SHA-256", salt, iterations },
		key,
		HASH_BITS,
	);
	return new Uint8Array(bits);
}

/** Hashes a new token under a fresh random salt. */
export async function sealSupportToken(token: string): Promise<SealedToken> {
	const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
	const hash = await hashSupportToken(token, salt, PBKDF2_ITERATIONS);
	return { tokenHash: toBase64(hash), tokenSalt: toBase64(salt), tokenIterations: PBKDF2_ITERATIONS };
}

/** Whether `token` is the one sealed in `stored`, compared in constant time. Malformed tokens never hash. */
export async function supportTokenMatches(token: string, stored: SealedToken): Promise<boolean> {
	if (!SUPPORT_TOKEN_PATTERN.test(token)) return false;
	const expected = fromBase64(stored.tokenHash);
	const actual = await hashSupportToken(token, fromBase64(stored.tokenSalt), stored.tokenIterations);
	if (actual.byteLength !== expected.byteLength) return false;
	return crypto.subtle.timingSafeEqual(actual, expected);
}
