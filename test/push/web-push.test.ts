/**
 * src/lib/web-push in isolation: the encryption reproduces RFC 8291's published example byte for byte, the
 * VAPID key is derived as the RFC's keys say, and a push request has the headers, token and body the RFCs
 * require — or is refused with a reason before anything is sent.
 */
import { env } from "cloudflare:workers";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
	buildPushRequest,
	fromBase64Url,
	isPushTopic,
	MAX_PAYLOAD_BYTES,
	type PushMessage,
	pushTopic,
	toBase64Url,
	VAPID_TOKEN_SECONDS,
	vapidPublicKey,
	WebPushError,
} from "../../src/lib/web-push";
import { encryptPushPayload } from "../../src/lib/web-push/request";
import { newReceiver, testVapid } from "./helpers";

/** RFC 8291 §5 (and the intermediate values of its Appendix A). */
const RFC8291 = {
	plaintext: "When I grow up, I want to be a watermelon",
	asPrivate: "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw",
	asPublic: "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8",
	uaPublic: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
	authSecret: "BTBZMqHH6r4Tts7J_aSIgg",
	salt: "DGv6ra1nlYgDCS1FRnbzlw",
	body:
		"DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_" +
		"yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
};

const bytes = (text: string): Uint8Array => {
	const decoded = fromBase64Url(text);
	if (!decoded) throw new Error(`not base64url: ${text}`);
	return decoded;
};

/** The RFC's sender key pair as WebCrypto keys, in the shape `crypto.subtle.generateKey` resolves to. */
async function rfcSenderKeys(): Promise<CryptoKeyPair> {
	const point = bytes(RFC8291.asPublic);
	const jwk = {
		kty: "EC",
		crv: "P-256",
		x: toBase64Url(point.slice(1, 33)),
		y: toBase64Url(point.slice(33)),
	};
	const algorithm = { name: "ECDH", namedCurve: "P-256" };
	return {
		privateKey: await crypto.subtle.importKey("jwk", { ...jwk, d: RFC8291.asPrivate }, algorithm, false, [
			"deriveBits",
		]),
		publicKey: await crypto.subtle.importKey("raw", point, algorithm, true, []),
	};
}

afterEach(() => {
	vi.restoreAllMocks();
});

describe("RFC 8291 encryption (aes128gcm)", () => {
	it("reproduces the published example byte for byte, given its salt and sender key", async () => {
		// The library draws the salt and the ephemeral key itself: the only seams are WebCrypto's own calls.
		const sender = await rfcSenderKeys();
		const generateKey = vi.spyOn(crypto.subtle, "generateKey").mockResolvedValueOnce(sender as never);
		const getRandomValues = vi.spyOn(crypto, "getRandomValues").mockImplementationOnce(((
			target: Uint8Array,
		) => {
			target.set(bytes(RFC8291.salt));
			return target;
		}) as never);
		const body = await encryptPushPayload(
			{ p256dh: RFC8291.uaPublic, auth: RFC8291.authSecret },
			new TextEncoder().encode(RFC8291.plaintext),
			{ pad: false },
		);
		expect(generateKey).toHaveBeenCalledOnce();
		expect(getRandomValues).toHaveBeenCalledOnce();
		expect(toBase64Url(body)).toBe(RFC8291.body);
	});

	it("draws a fresh salt and sender key for every message", async () => {
		const keys = { p256dh: RFC8291.uaPublic, auth: RFC8291.authSecret };
		const plaintext = new TextEncoder().encode(RFC8291.plaintext);
		const [a, b] = await Promise.all([
			encryptPushPayload(keys, plaintext),
			encryptPushPayload(keys, plaintext),
		]);
		expect(toBase64Url(a.slice(0, 16))).not.toBe(toBase64Url(b.slice(0, 16)));
		expect(toBase64Url(a.slice(21, 86))).not.toBe(toBase64Url(b.slice(21, 86)));
	});
});

describe("vapidPublicKey", () => {
	it("derives the uncompressed public point from the private scalar (the RFC's key pair)", async () => {
		expect(await vapidPublicKey(RFC8291.asPrivate)).toBe(RFC8291.asPublic);
	});

	it("agrees with the key generator of npm run dev / vapid:keys (this run's pair)", async () => {
		expect(await vapidPublicKey(env.VAPID_PRIVATE_KEY ?? "")).toBe(env.TEST_VAPID_PUBLIC_KEY);
	});

	it.each([
		["empty", ""],
		["31 bytes", toBase64Url(new Uint8Array(31).fill(7))],
		["not base64url", "yfWPiYE+n46HLnH0KqZOF1fJJU3MYrct3AELtAQ/oRw"],
		["zero (no key)", toBase64Url(new Uint8Array(32))],
		["the group order (no key)", "_____wAAAAD__________7zm-q2nF56E87nKwvxjJVE"],
	])("refuses a private key that is %s", async (_, key) => {
		await expect(vapidPublicKey(key)).rejects.toMatchObject({ name: "WebPushError", code: "bad-vapid" });
	});
});

describe("buildPushRequest", () => {
	const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);

	async function message(overrides: Partial<PushMessage> = {}): Promise<PushMessage> {
		const receiver = await newReceiver();
		return {
			subscription: receiver.subscription,
			payload: JSON.stringify({ title: "Hello" }),
			vapid: testVapid(),
			options: { ttl: 3600 },
			allowlist: env.PUSH_ENDPOINT_ALLOWLIST,
			now: NOW,
			...overrides,
		};
	}

	const refusal = async (input: Promise<PushMessage>, code: string) => {
		await expect(buildPushRequest(await input)).rejects.toSatisfy(
			(error) => error instanceof WebPushError && error.code === code,
		);
	};

	it("makes an aes128gcm POST with TTL, Urgency and a VAPID token for the endpoint's origin", async () => {
		const input = await message({ options: { ttl: 600, urgency: "high", topic: "chat-1" } });
		const request = await buildPushRequest(input);
		expect(request).toMatchObject({ url: input.subscription.endpoint, method: "POST", redirect: "manual" });
		expect(request.headers).toMatchObject({
			"content-encoding": "aes128gcm",
			"content-type": "application/octet-stream",
			ttl: "600",
			urgency: "high",
			topic: "chat-1",
		});
		const match = request.headers.authorization?.match(/^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/);
		expect(match).not.toBeNull();
		const [, token = "", k] = match ?? [];
		expect(k).toBe(env.TEST_VAPID_PUBLIC_KEY);
		expect(decodeProtectedHeader(token)).toEqual({ typ: "JWT", alg: "ES256" });
		expect(decodeJwt(token)).toEqual({
			aud: "https://push.test",
			exp: NOW / 1000 + VAPID_TOKEN_SECONDS,
			sub: env.VAPID_SUBJECT,
		});
	});

	it("pads every body to 4096 bytes: one record of record size 4096, whatever the payload's length", async () => {
		for (const payload of ["{}", JSON.stringify({ text: "x".repeat(MAX_PAYLOAD_BYTES - 12) })]) {
			const { body } = await buildPushRequest(await message({ payload }));
			expect(body.length).toBe(4096);
			expect(new DataView(body.buffer, body.byteOffset).getUint32(16)).toBe(4096);
			expect(body[20]).toBe(65);
		}
	});

	it("sends Urgency normal and no Topic unless told", async () => {
		const { headers } = await buildPushRequest(await message());
		expect(headers.urgency).toBe("normal");
		expect(headers).not.toHaveProperty("topic");
	});

	it("signs for an allowlisted http: origin too (aud keeps its scheme and port)", async () => {
		const input = await message({ allowlist: "http://127.0.0.1:*" });
		const request = await buildPushRequest({
			...input,
			subscription: { ...input.subscription, endpoint: "http://127.0.0.1:8788/push/x" },
		});
		const token = request.headers.authorization?.match(/t=([^,]+)/)?.[1] ?? "";
		expect(decodeJwt(token).aud).toBe("http://127.0.0.1:8788");
	});

	it("takes a payload of exactly 3 KB and refuses one byte more (counted in UTF-8)", async () => {
		const exact = JSON.stringify({ t: "x".repeat(MAX_PAYLOAD_BYTES - 8) });
		expect(new TextEncoder().encode(exact).length).toBe(MAX_PAYLOAD_BYTES);
		await expect(buildPushRequest(await message({ payload: exact }))).resolves.toBeTruthy();
		await refusal(
			message({ payload: JSON.stringify({ t: "x".repeat(MAX_PAYLOAD_BYTES - 7) }) }),
			"bad-payload",
		);
		await refusal(message({ payload: JSON.stringify({ t: "€".repeat(1022) }) }), "bad-payload");
	});

	it("refuses a payload that is not JSON", async () => {
		await refusal(message({ payload: "hello" }), "bad-payload");
	});

	it.each([
		["a negative TTL", { ttl: -1 }],
		["a fractional TTL", { ttl: 1.5 }],
		["a TTL over 28 days", { ttl: 28 * 24 * 3600 + 1 }],
		["an unknown urgency", { ttl: 60, urgency: "urgent" as never }],
		["a topic of 33 characters", { ttl: 60, topic: "a".repeat(33) }],
		["a topic outside base64url", { ttl: 60, topic: "chat:1" }],
		["an empty topic", { ttl: 60, topic: "" }],
	])("refuses %s", async (_, options) => {
		await refusal(message({ options }), "bad-options");
	});

	it("takes TTL 0 (deliver now or never)", async () => {
		const { headers } = await buildPushRequest(await message({ options: { ttl: 0 } }));
		expect(headers.ttl).toBe("0");
	});

	it.each([
		["a p256dh that is no point", { p256dh: toBase64Url(new Uint8Array(65).fill(4)) }],
		["a compressed p256dh", { p256dh: toBase64Url(new Uint8Array(33).fill(2)) }],
		["an auth secret of 15 bytes", { auth: toBase64Url(new Uint8Array(15)) }],
		["keys in standard base64", { auth: "tBHItJI5svbpez7KI4+CXg==" }],
	])("refuses a subscription with %s", async (_, keys) => {
		const input = await message();
		await refusal(
			Promise.resolve({
				...input,
				subscription: { ...input.subscription, keys: { ...input.subscription.keys, ...keys } },
			}),
			"bad-subscription",
		);
	});

	it("accepts padded base64url keys (some clients send them)", async () => {
		const input = await message();
		const keys = { ...input.subscription.keys, auth: `${input.subscription.keys.auth}==` };
		await expect(
			buildPushRequest({ ...input, subscription: { ...input.subscription, keys } }),
		).resolves.toBeTruthy();
	});

	it("refuses an endpoint the SSRF guard refuses, before encrypting or signing", async () => {
		await refusal(message({ allowlist: "" }), "endpoint-refused");
		const input = await message();
		await refusal(
			Promise.resolve({
				...input,
				subscription: { ...input.subscription, endpoint: "https://169.254.169.254/" },
			}),
			"endpoint-refused",
		);
	});

	it.each([
		["a missing key", { privateKey: "", subject: "mailto:push@flourish.test" }],
		["a subject without a scheme", { privateKey: RFC8291.asPrivate, subject: "push@flourish.test" }],
		["an http: subject", { privateKey: RFC8291.asPrivate, subject: "http://flourish.test" }],
	])("refuses VAPID configuration with %s", async (_, vapid) => {
		await refusal(message({ vapid }), "bad-vapid");
	});
});

describe("topics", () => {
	it("derives a valid topic from any key: stable, 32 characters, different per key", async () => {
		const a = await pushTopic("chat:0193a0b4-7c1e-7000-8000-000000000001");
		expect(isPushTopic(a)).toBe(true);
		expect(a).toHaveLength(32);
		expect(await pushTopic("chat:0193a0b4-7c1e-7000-8000-000000000001")).toBe(a);
		expect(await pushTopic("chat:0193a0b4-7c1e-7000-8000-000000000002")).not.toBe(a);
	});
});
