/**
 * @module keyed-hash: HMAC-SHA256 under `SUPPORT_HMAC_SECRET`, with a label per use (`support-quota:`,
 * `penalty-tombstone:`…) so one secret keys several unrelated hashes that can never be joined. A stored
 * keyed hash leads back to no one without the secret.
 */
import { logEvent } from "./log";
import { Problem } from "./problem";

/** Shorter secrets are refused: a keyed hash is only as strong as its key. */
export const MIN_SECRET_LENGTH = 32;

const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string): Promise<CryptoKey> {
	let key = keys.get(secret);
	if (!key) {
		key = crypto.subtle.importKey(
			"raw",
			new TextEncoder().encode(secret),
			{ name: "HMAC", hash: "SHA-256" },
			false,
			["sign"],
		);
		// One secret per deployment; a rotation during an isolate's life adds one entry.
		keys.clear();
		keys.set(secret, key);
	}
	return key;
}

/**
 * Hex HMAC-SHA256(secret, `${label}:${value}`). Throws a 503 problem (and logs it) when the secret is missing
 * or too short: what depends on it must not run unkeyed.
 */
export async function keyedHash(secret: string | undefined, label: string, value: string): Promise<string> {
	if (!secret || secret.length < MIN_SECRET_LENGTH) {
		logEvent("error", "support_hmac_secret_missing");
		throw new Problem(503, {
			detail: "This is not available right now; please try again later.",
			kind: "unavailable",
		});
	}
	const mac = await crypto.subtle.sign(
		"HMAC",
		await keyFor(secret),
		new TextEncoder().encode(`${label}:${value}`),
	);
	return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
}
