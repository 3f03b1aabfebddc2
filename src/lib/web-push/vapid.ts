/**
 * @module vapid: the application server's identity towards push services (RFC 8292).
 *
 * `VAPID_PRIVATE_KEY` is the P-256 private scalar `d`, 32 bytes in unpadded base64url (43 characters): the
 * format `web-push generate-vapid-keys` prints and `npm run vapid:keys` makes. The public key is derived
 * from it (WebCrypto computes the point when it imports a PKCS#8 key without one), so there is one secret
 * and no public half that could disagree with it.
 */
import { SignJWT } from "jose";
import { fromBase64Url, toBase64Url } from "./base64url";
import { WebPushError } from "./errors";

/** How long a VAPID token is valid; RFC 8292 allows at most 24 hours. */
export const VAPID_TOKEN_SECONDS = 12 * 60 * 60;

export interface VapidConfig {
	/** `VAPID_PRIVATE_KEY`: base64url of the 32-byte P-256 private scalar. */
	privateKey: string;
	/** `VAPID_SUBJECT`: how the push service reaches the operator, `mailto:` or `https:`. */
	subject: string;
}

interface VapidKeyPair {
	signingKey: CryptoKey;
	/** The uncompressed point (65 bytes, `0x04 || x || y`), base64url: the `applicationServerKey`. */
	publicKey: string;
}

/** PKCS#8 PrivateKeyInfo for P-256 up to the private scalar (RFC 5915 ECPrivateKey, no public key). */
const PKCS8_P256_PREFIX = Uint8Array.from([
	0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
	0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x27, 0x30, 0x25, 0x02, 0x01, 0x01, 0x04, 0x20,
]);

async function deriveKeyPair(privateKey: string): Promise<VapidKeyPair> {
	const d = typeof privateKey === "string" ? fromBase64Url(privateKey.trim()) : null;
	if (d?.length !== 32) {
		throw new WebPushError("bad-vapid", "VAPID_PRIVATE_KEY must be 32 bytes of base64url (the P-256 d)");
	}
	const pkcs8 = new Uint8Array(PKCS8_P256_PREFIX.length + 32);
	pkcs8.set(PKCS8_P256_PREFIX);
	pkcs8.set(d, PKCS8_P256_PREFIX.length);
	let jwk: JsonWebKey;
	try {
		const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "ECDSA", namedCurve: "P-256" }, true, [
			"sign",
		]);
		jwk = (await crypto.subtle.exportKey("jwk", key)) as JsonWebKey;
	} catch {
		throw new WebPushError("bad-vapid", "VAPID_PRIVATE_KEY is not a valid P-256 private key");
	}
	const x = fromBase64Url(jwk.x ?? "");
	const y = fromBase64Url(jwk.y ?? "");
	if (!x || !y || x.length !== 32 || y.length !== 32) {
		throw new WebPushError("bad-vapid", "VAPID_PRIVATE_KEY gave no public key");
	}
	const point = new Uint8Array(65);
	point[0] = 0x04;
	point.set(x, 1);
	point.set(y, 33);
	const signingKey = await crypto.subtle.importKey(
		"jwk",
		{ kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, d: jwk.d },
		{ name: "ECDSA", namedCurve: "P-256" },
		false,
		["sign"],
	);
	return { signingKey, publicKey: toBase64Url(point) };
}

/** One deployment has one key; a rotation during an isolate's life replaces the entry. */
const keyPairs = new Map<string, Promise<VapidKeyPair>>();

function keyPairFor(privateKey: string): Promise<VapidKeyPair> {
	let pair = keyPairs.get(privateKey);
	if (!pair) {
		pair = deriveKeyPair(privateKey);
		keyPairs.clear();
		keyPairs.set(privateKey, pair);
		// A malformed key is not remembered: fixing the secret must not need a new isolate.
		pair.catch(() => keyPairs.delete(privateKey));
	}
	return pair;
}

/**
 * The application server key browsers subscribe with (`PushManager.subscribe({ applicationServerKey })`):
 * the uncompressed public point of `VAPID_PRIVATE_KEY`, base64url. Throws `WebPushError("bad-vapid")`.
 *
 * @example
 * const key = await vapidPublicKey(env.VAPID_PRIVATE_KEY); // "BP4z9KsN6nGRTbVYI_c7…" (87 characters)
 */
export async function vapidPublicKey(privateKey: string): Promise<string> {
	return (await keyPairFor(privateKey)).publicKey;
}

/** `mailto:` with an address, or an `https:` URL: what Apple and Mozilla accept as `sub`. */
export function isVapidSubject(subject: string): boolean {
	if (/^mailto:[^@\s]+@[^@\s]+$/.test(subject)) return true;
	if (!subject.startsWith("https://")) return false;
	return URL.canParse(subject);
}

/**
 * `Authorization: vapid t=<ES256 JWT>, k=<public key>` for a push to `audience` (the endpoint's origin), valid
 * `VAPID_TOKEN_SECONDS` from `nowSeconds`.
 */
export async function vapidAuthorization(
	audience: string,
	vapid: VapidConfig,
	nowSeconds: number,
): Promise<string> {
	if (!isVapidSubject(vapid.subject)) {
		throw new WebPushError("bad-vapid", "VAPID_SUBJECT must be a mailto: address or an https: URL");
	}
	const { signingKey, publicKey } = await keyPairFor(vapid.privateKey);
	const token = await new SignJWT({})
		.setProtectedHeader({ typ: "JWT", alg: "ES256" })
		.setAudience(audience)
		.setExpirationTime(nowSeconds + VAPID_TOKEN_SECONDS)
		.setSubject(vapid.subject)
		.sign(signingKey);
	return `vapid t=${token}, k=${publicKey}`;
}
