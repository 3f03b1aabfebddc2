/**
 * @module request: one push message as an HTTP request (RFC 8030), its body encrypted for the subscription
 * (RFC 8291, `aes128gcm`) and signed for the push service (RFC 8292, VAPID). The caller sends it with its own
 * `fetch`, so retries, timeouts and the queue stay ours.
 *
 * The encryption is `@block65/webcrypto-web-push` (WebCrypto only): one record of record size 4096, the
 * plaintext padded to the constant size the record allows, so the push service learns nothing from the
 * length. The VAPID token is signed with jose, as every other JWT here.
 */
import { encryptNotification } from "@block65/webcrypto-web-push";
import { fromBase64Url, toBase64Url } from "./base64url";
import { checkPushEndpoint } from "./endpoints";
import { WebPushError } from "./errors";
import { type VapidConfig, vapidAuthorization } from "./vapid";

/** Payloads over 3 KB are refused (the encrypted record holds 3993 bytes; the rest is headroom). */
export const MAX_PAYLOAD_BYTES = 3072;
/** RFC 8030 sets no maximum; FCM keeps messages at most 28 days. */
export const MAX_TTL_SECONDS = 28 * 24 * 60 * 60;

/** RFC 8030 §5.3: how soon the device should wake for the message. */
export type PushUrgency = "very-low" | "low" | "normal" | "high";
export const PUSH_URGENCIES: readonly PushUrgency[] = ["very-low", "low", "normal", "high"];

/** What `PushSubscription.toJSON()` gives in the browser (`expirationTime` is not needed here). */
export interface PushSubscriptionJson {
	endpoint: string;
	keys: {
		/** The user agent's P-256 public key, uncompressed, base64url. */
		p256dh: string;
		/** The 16-byte authentication secret, base64url. */
		auth: string;
	};
}

export interface PushOptions {
	/** Seconds the push service keeps the message for an offline device; 0 = now or never. */
	ttl: number;
	/** Default `normal`. */
	urgency?: PushUrgency;
	/** Replaces an undelivered message with the same topic (see `isPushTopic`, `pushTopic`). */
	topic?: string;
}

/** A request ready for `fetch(request.url, request)`. */
export interface PushRequest {
	url: string;
	method: "POST";
	headers: Record<string, string>;
	body: Uint8Array;
	/** A push service has no business redirecting: a 3xx is an answer (`failed`), never followed. */
	redirect: "manual";
}

export interface PushMessage {
	subscription: PushSubscriptionJson;
	/** A JSON text of at most `MAX_PAYLOAD_BYTES` UTF-8 bytes. */
	payload: string;
	vapid: VapidConfig;
	options: PushOptions;
	/** `PUSH_ENDPOINT_ALLOWLIST`. */
	allowlist?: string;
	/** Milliseconds since the epoch (the VAPID token's clock); defaults to now. */
	now?: number;
}

/** RFC 8030 §5.4: at most 32 characters of the URL-safe base64 alphabet. */
export function isPushTopic(topic: string): boolean {
	return /^[A-Za-z0-9_-]{1,32}$/.test(topic);
}

/**
 * A valid topic for any key (`chat:<conversation id>`): the first 32 characters of the base64url SHA-256 of
 * it. The same key always gives the same topic, and the push service never sees the key itself.
 */
export async function pushTopic(key: string): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
	return toBase64Url(new Uint8Array(digest)).slice(0, 32);
}

function checkOptions({ ttl, urgency, topic }: PushOptions): void {
	if (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS) {
		throw new WebPushError("bad-options", `ttl must be whole seconds from 0 to ${MAX_TTL_SECONDS}`);
	}
	if (urgency !== undefined && !PUSH_URGENCIES.includes(urgency)) {
		throw new WebPushError("bad-options", `urgency must be one of ${PUSH_URGENCIES.join(", ")}`);
	}
	if (topic !== undefined && !isPushTopic(topic)) {
		throw new WebPushError("bad-options", "topic must be 1 to 32 characters of base64url (see pushTopic)");
	}
}

function payloadBytes(payload: string): Uint8Array {
	if (typeof payload !== "string") throw new WebPushError("bad-payload", "the payload must be a JSON text");
	const bytes = new TextEncoder().encode(payload);
	if (bytes.length > MAX_PAYLOAD_BYTES) {
		throw new WebPushError(
			"bad-payload",
			`the payload is ${bytes.length} bytes; at most ${MAX_PAYLOAD_BYTES}`,
		);
	}
	try {
		JSON.parse(payload);
	} catch {
		throw new WebPushError("bad-payload", "the payload is not JSON");
	}
	return bytes;
}

/**
 * The subscription's keys, checked: a P-256 point the runtime accepts and a 16-byte secret. Throws
 * `WebPushError("bad-subscription")` saying which is wrong.
 */
export async function checkSubscriptionKeys(keys: PushSubscriptionJson["keys"] | undefined): Promise<void> {
	const p256dh = typeof keys?.p256dh === "string" ? fromBase64Url(keys.p256dh) : null;
	const auth = typeof keys?.auth === "string" ? fromBase64Url(keys.auth) : null;
	if (p256dh?.length !== 65 || p256dh[0] !== 0x04) {
		throw new WebPushError("bad-subscription", "p256dh is not an uncompressed P-256 point");
	}
	if (auth?.length !== 16) throw new WebPushError("bad-subscription", "auth is not 16 bytes");
	try {
		await crypto.subtle.importKey("raw", p256dh, { name: "ECDH", namedCurve: "P-256" }, false, []);
	} catch {
		throw new WebPushError("bad-subscription", "p256dh is not a point on P-256");
	}
}

/**
 * The `aes128gcm` body (RFC 8291 §4: salt, record size 4096, the sender's ephemeral public key, one record)
 * of `plaintext` for `keys`. `pad: false` leaves the record unpadded (only the RFC's example wants that).
 */
export async function encryptPushPayload(
	keys: PushSubscriptionJson["keys"],
	plaintext: Uint8Array,
	{ pad = true }: { pad?: boolean } = {},
): Promise<Uint8Array> {
	await checkSubscriptionKeys(keys);
	return encryptNotification({ endpoint: "", expirationTime: null, keys }, plaintext, { pad });
}

/**
 * Builds the push request for one message: checks the endpoint (`checkPushEndpoint`), the payload (JSON, at
 * most 3 KB), the options and the keys, encrypts, signs. Throws `WebPushError`.
 *
 * @example
 * const request = await buildPushRequest({
 *   subscription, payload: JSON.stringify({ title: "…" }),
 *   vapid: { privateKey: env.VAPID_PRIVATE_KEY, subject: env.VAPID_SUBJECT },
 *   options: { ttl: 3600, urgency: "high", topic: await pushTopic(`chat:${id}`) },
 *   allowlist: env.PUSH_ENDPOINT_ALLOWLIST,
 * });
 * const answer = classifyPushAnswer(await fetch(request.url, request));
 */
export async function buildPushRequest(message: PushMessage): Promise<PushRequest> {
	const { subscription, options } = message;
	const endpoint = checkPushEndpoint(subscription?.endpoint, message.allowlist);
	if (!endpoint.ok) {
		throw new WebPushError("endpoint-refused", `the endpoint is not a push service (${endpoint.reason})`);
	}
	checkOptions(options);
	const plaintext = payloadBytes(message.payload);
	const nowSeconds = Math.floor((message.now ?? Date.now()) / 1000);
	const authorization = await vapidAuthorization(endpoint.url.origin, message.vapid, nowSeconds);
	const body = await encryptPushPayload(subscription.keys, plaintext);
	const headers: Record<string, string> = {
		authorization,
		"content-encoding": "aes128gcm",
		"content-type": "application/octet-stream",
		ttl: String(options.ttl),
		urgency: options.urgency ?? "normal",
	};
	if (options.topic !== undefined) headers.topic = options.topic;
	return { url: endpoint.url.href, method: "POST", headers, body, redirect: "manual" };
}
