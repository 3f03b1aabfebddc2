/**
 * A stand-in Web Push service (RFC 8030) on `https://push.test` (or another origin), answering the Worker's outbound requests
 * during tests (Node side). It checks what a real push service checks, with node:crypto and nothing of
 * src/lib/web-push, so a test that passes proves the API's requests would be accepted:
 *
 * - the VAPID token (RFC 8292): `Authorization: vapid t=<JWT>, k=<key>`, an ES256 signature by `k`,
 *   `aud` = this origin, `exp` in the future and at most 24 h ahead, a `sub`; and, when the subscription was
 *   registered with one, `k` equal to its application server key;
 * - the body (RFC 8291): `Content-Encoding: aes128gcm`, one record, decrypted with the subscription's private
 *   key and auth secret; at most 4096 bytes (413 otherwise);
 * - RFC 8030 headers: `TTL` present (whole seconds), `Urgency` and `Topic` well-formed when present.
 *
 * Routes:
 * - `POST /__register` `{ id, privateKey | privateJwk, auth, applicationServerKey?, answer? }` registers the
 *   receiving side of a subscription (`privateKey`: base64url P-256 `d`; `privateJwk`: a JWK with `d`; `auth`:
 *   base64url 16 bytes) → 201 `{ endpoint }`. Registering an id again starts it afresh.
 * - `POST /__answer/<id>` `{ status, retryAfter? }` chooses the answer to pushes that pass the checks: 201
 *   (the default), 404, 410, 429, 500… with `Retry-After: <retryAfter>` when given.
 * - `POST /push/<id>`: a push. It is checked, decrypted and recorded, then answered as chosen. One it cannot
 *   verify or decrypt is answered 400 (413 when too large) and recorded as a failure with the reason; an
 *   unknown id is 404 (recorded nowhere).
 * - `GET /__inbox/<id>` → `{ messages: [{ status, headers: { ttl, urgency, topic }, payload, text, vapid }],
 *   failures: [{ status, reason }] }`, oldest first.
 *
 * State lives as long as the test run; tests use a fresh id each (`crypto.randomUUID()`).
 */
import {
	createDecipheriv,
	createECDH,
	createPublicKey,
	type ECDH,
	hkdfSync,
	type KeyObject,
	verify,
} from "node:crypto";

export const PUSH_ORIGIN = "https://push.test";

/** Push services must accept 4096 bytes (RFC 8030 §7.2); this one accepts no more, as FCM does. */
const MAX_BODY_BYTES = 4096;
const MAX_EXP_AHEAD_SECONDS = 24 * 60 * 60;

interface ChosenAnswer {
	status: number;
	/** Sent as `Retry-After` (seconds or an HTTP date). */
	retryAfter?: string | number;
}

export interface ReceivedMessage {
	/** What the stand-in answered. */
	status: number;
	headers: { ttl: string | null; urgency: string | null; topic: string | null };
	/** The decrypted text, parsed as JSON (`null` if it is not JSON). */
	payload: unknown;
	text: string;
	vapid: { aud: unknown; exp: unknown; sub: unknown; k: string };
}

export interface RefusedPush {
	status: number;
	reason: string;
}

interface Subscription {
	ecdh: ECDH;
	auth: Buffer;
	applicationServerKey?: string;
	answer: ChosenAnswer;
	messages: ReceivedMessage[];
	failures: RefusedPush[];
}

/** A push the stand-in refuses: `status` and why. */
class Refusal extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
	}
}

const b64u = (text: string) => {
	if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new Refusal(400, `not base64url: ${text.slice(0, 20)}`);
	return Buffer.from(text, "base64url");
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === "object" && value !== null && !Array.isArray(value);

function parseJson(bytes: Buffer, what: string): unknown {
	try {
		return JSON.parse(bytes.toString("utf8"));
	} catch {
		throw new Refusal(400, `${what} is not JSON`);
	}
}

/** `vapid t=…, k=…` (RFC 8292 §3): parameters in any order. */
function parseVapidAuthorization(header: string | null): { t: string; k: string } {
	const match = header?.match(/^vapid\s+(.*)$/i);
	if (!match?.[1]) throw new Refusal(400, "Authorization is not the vapid scheme");
	const params = new Map<string, string>();
	for (const part of match[1].split(",")) {
		const [name, ...value] = part.trim().split("=");
		if (name) params.set(name.trim().toLowerCase(), value.join("=").trim());
	}
	const t = params.get("t");
	const k = params.get("k");
	if (!t || !k) throw new Refusal(400, "Authorization lacks t= or k=");
	return { t, k };
}

function publicKeyFromPoint(k: string): KeyObject {
	const point = b64u(k);
	if (point.length !== 65 || point[0] !== 0x04)
		throw new Refusal(400, "k is not an uncompressed P-256 point");
	try {
		return createPublicKey({
			key: {
				kty: "EC",
				crv: "P-256",
				x: point.subarray(1, 33).toString("base64url"),
				y: point.subarray(33).toString("base64url"),
			},
			format: "jwk",
		});
	} catch {
		throw new Refusal(400, "k is not a point on P-256");
	}
}

/** Verifies the VAPID token (its audience must be `origin`); answers its claims. */
function verifyVapid(
	authorization: string | null,
	nowSeconds: number,
	origin: string,
): ReceivedMessage["vapid"] {
	const { t, k } = parseVapidAuthorization(authorization);
	const parts = t.split(".");
	if (parts.length !== 3) throw new Refusal(400, "t is not a JWS compact serialization");
	const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
	const header = parseJson(b64u(headerPart), "the JWT header");
	if (!isRecord(header) || header.alg !== "ES256") throw new Refusal(400, "the JWT is not ES256");
	const key = publicKeyFromPoint(k);
	const signature = b64u(signaturePart);
	const signed =
		signature.length === 64 &&
		verify(
			"sha256",
			Buffer.from(`${headerPart}.${claimsPart}`),
			{ key, dsaEncoding: "ieee-p1363" },
			signature,
		);
	if (!signed) throw new Refusal(400, "the JWT signature does not verify with k");
	const claims = parseJson(b64u(claimsPart), "the JWT claims");
	if (!isRecord(claims)) throw new Refusal(400, "the JWT claims are not an object");
	if (claims.aud !== origin) throw new Refusal(400, `aud is ${String(claims.aud)}, not ${origin}`);
	if (typeof claims.exp !== "number") throw new Refusal(400, "exp is missing");
	if (claims.exp <= nowSeconds) throw new Refusal(400, "the JWT has expired");
	if (claims.exp > nowSeconds + MAX_EXP_AHEAD_SECONDS) throw new Refusal(400, "exp is more than 24 h ahead");
	if (typeof claims.sub !== "string" || !/^(mailto:|https:)/.test(claims.sub)) {
		throw new Refusal(400, "sub is not a mailto: or https: contact");
	}
	return { aud: claims.aud, exp: claims.exp, sub: claims.sub, k };
}

const hkdf = (salt: Buffer, ikm: Buffer, info: Buffer, length: number) =>
	Buffer.from(hkdfSync("sha256", ikm, salt, info, length));

/** RFC 8291 §3.4 and RFC 8188: the plaintext of a one-record `aes128gcm` body. */
export function decryptAes128gcm(body: Buffer, ecdh: ECDH, auth: Buffer): Buffer {
	if (body.length < 21) throw new Refusal(400, "the body is shorter than the aes128gcm header");
	const salt = body.subarray(0, 16);
	const recordSize = body.readUInt32BE(16);
	const keyIdLength = body[20] as number;
	if (keyIdLength !== 65) throw new Refusal(400, "the key id is not a 65-byte P-256 point");
	const senderPublic = body.subarray(21, 21 + keyIdLength);
	const record = body.subarray(21 + keyIdLength);
	if (recordSize < 18) throw new Refusal(400, "the record size is below 18");
	if (record.length < 17) throw new Refusal(400, "the record is shorter than its tag");
	if (record.length > recordSize) throw new Refusal(400, "more than one record");
	let shared: Buffer;
	try {
		shared = ecdh.computeSecret(senderPublic);
	} catch {
		throw new Refusal(400, "the sender's key is not a point on P-256");
	}
	const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), ecdh.getPublicKey(), senderPublic]);
	const ikm = hkdf(auth, shared, keyInfo, 32);
	const cek = hkdf(salt, ikm, Buffer.from("Content-Encoding: aes128gcm\0"), 16);
	const nonce = hkdf(salt, ikm, Buffer.from("Content-Encoding: nonce\0"), 12);
	let padded: Buffer;
	try {
		const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
		decipher.setAuthTag(record.subarray(record.length - 16));
		padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
	} catch {
		throw new Refusal(400, "the record does not decrypt (wrong key or auth secret, or tampered)");
	}
	let end = padded.length - 1;
	while (end >= 0 && padded[end] === 0) end -= 1;
	if (end < 0 || padded[end] !== 0x02) throw new Refusal(400, "the record lacks the last-record delimiter");
	return padded.subarray(0, end);
}

function checkPushHeaders(headers: Headers): ReceivedMessage["headers"] {
	if (headers.get("content-encoding") !== "aes128gcm")
		throw new Refusal(400, "Content-Encoding is not aes128gcm");
	const ttl = headers.get("ttl");
	if (ttl === null || !/^\d+$/.test(ttl)) throw new Refusal(400, "TTL is missing or not whole seconds");
	const urgency = headers.get("urgency");
	if (urgency !== null && !["very-low", "low", "normal", "high"].includes(urgency)) {
		throw new Refusal(400, `Urgency ${urgency} is not an RFC 8030 urgency`);
	}
	const topic = headers.get("topic");
	if (topic !== null && !/^[A-Za-z0-9_-]{1,32}$/.test(topic)) {
		throw new Refusal(400, "Topic is not 1 to 32 characters of base64url");
	}
	return { ttl, urgency, topic };
}

function receiverKey(body: Record<string, unknown>): ECDH {
	const jwk = isRecord(body.privateJwk) ? body.privateJwk : undefined;
	const d = typeof body.privateKey === "string" ? body.privateKey : jwk?.d;
	if (typeof d !== "string") throw new Refusal(400, "privateKey (base64url d) or privateJwk is required");
	const ecdh = createECDH("prime256v1");
	ecdh.setPrivateKey(b64u(d));
	return ecdh;
}

/**
 * `origin`: where it is reached (the VAPID audience it expects, and its endpoints' origin); tests use
 * PUSH_ORIGIN through the Worker's outbound service, the benchmark a real socket (`http://127.0.0.1:<port>`).
 */
export function createPushService({ origin = PUSH_ORIGIN }: { origin?: string } = {}) {
	const subscriptions = new Map<string, Subscription>();
	let received = 0;

	const register = async (request: Request): Promise<Response> => {
		const body = await request.json();
		if (!isRecord(body) || typeof body.id !== "string" || typeof body.auth !== "string") {
			throw new Refusal(400, "id and auth are required");
		}
		const answer = isRecord(body.answer) ? (body.answer as unknown as ChosenAnswer) : { status: 201 };
		subscriptions.set(body.id, {
			ecdh: receiverKey(body),
			auth: b64u(body.auth),
			...(typeof body.applicationServerKey === "string" && {
				applicationServerKey: body.applicationServerKey,
			}),
			answer,
			messages: [],
			failures: [],
		});
		return Response.json({ endpoint: `${origin}/push/${encodeURIComponent(body.id)}` }, { status: 201 });
	};

	const push = async (request: Request, subscription: Subscription): Promise<Response> => {
		try {
			const vapid = verifyVapid(request.headers.get("authorization"), Math.floor(Date.now() / 1000), origin);
			if (subscription.applicationServerKey && vapid.k !== subscription.applicationServerKey) {
				throw new Refusal(400, "k is not the application server key of this subscription");
			}
			const headers = checkPushHeaders(request.headers);
			const body = Buffer.from(await request.arrayBuffer());
			if (body.length > MAX_BODY_BYTES) throw new Refusal(413, `the body is ${body.length} bytes`);
			const text = decryptAes128gcm(body, subscription.ecdh, subscription.auth).toString("utf8");
			let payload: unknown = null;
			try {
				payload = JSON.parse(text);
			} catch {
				// recorded as text only
			}
			const { status, retryAfter } = subscription.answer;
			subscription.messages.push({ status, headers, payload, text, vapid });
			received += 1;
			const answerHeaders = new Headers();
			if (status === 201) answerHeaders.set("location", `${origin}/message/${received}`);
			if (retryAfter !== undefined) answerHeaders.set("retry-after", String(retryAfter));
			return new Response(null, { status, headers: answerHeaders });
		} catch (error) {
			if (!(error instanceof Refusal)) throw error;
			subscription.failures.push({ status: error.status, reason: error.message });
			return Response.json({ reason: error.message }, { status: error.status });
		}
	};

	const handle = async (request: Request): Promise<Response> => {
		const url = new URL(request.url);
		const [first, second] = url.pathname.split("/").filter(Boolean);
		const id = second === undefined ? undefined : decodeURIComponent(second);
		const subscription = id === undefined ? undefined : subscriptions.get(id);
		try {
			if (request.method === "POST" && first === "__register" && id === undefined)
				return await register(request);
			if (request.method === "POST" && first === "__answer" && subscription) {
				const body = await request.json();
				if (!isRecord(body) || typeof body.status !== "number") throw new Refusal(400, "status is required");
				subscription.answer = body as unknown as ChosenAnswer;
				return Response.json(subscription.answer);
			}
			if (request.method === "GET" && first === "__inbox" && subscription) {
				return Response.json({ messages: subscription.messages, failures: subscription.failures });
			}
			if (request.method === "POST" && first === "push" && subscription)
				return await push(request, subscription);
		} catch (error) {
			if (!(error instanceof Refusal)) throw error;
			return Response.json({ reason: error.message }, { status: error.status });
		}
		return Response.json({ reason: "no such subscription or route" }, { status: 404 });
	};

	return { origin, handle };
}
