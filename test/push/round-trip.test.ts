/**
 * Push requests built in workerd, sent with `fetch` to the stand-in push service (test/harness/push-service.ts),
 * which verifies the VAPID token and decrypts the body with node:crypto: the exact payload and headers arrive.
 * The stand-in really checks — a tampered token, another signer, the wrong receiver key or auth secret, a
 * flipped byte are all refused — and its answers are classified as the delivery code will need them.
 */
import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
	buildPushRequest,
	classifyPushAnswer,
	fromBase64Url,
	type PushRequest,
	toBase64Url,
	VAPID_TOKEN_SECONDS,
} from "../../src/lib/web-push";
import { vapidAuthorization } from "../../src/lib/web-push/vapid";
import { newReceiver, PUSH_TEST_ORIGIN, type Receiver, registerReceiver, testVapid } from "./helpers";

const PAYLOAD = { type: "chat_message", title: "Ada", body: "Are you free at 5? 🌱", url: "/chats/1" };

async function build(receiver: Receiver, overrides: { now?: number; privateKey?: string } = {}) {
	return buildPushRequest({
		subscription: receiver.subscription,
		payload: JSON.stringify(PAYLOAD),
		vapid: { ...testVapid(), ...(overrides.privateKey && { privateKey: overrides.privateKey }) },
		options: { ttl: 3600, urgency: "high", topic: "chat-1" },
		allowlist: env.PUSH_ENDPOINT_ALLOWLIST,
		...(overrides.now !== undefined && { now: overrides.now }),
	});
}

const send = (request: PushRequest) => fetch(request.url, request);

/** Sends `request` and expects the stand-in to refuse it with a reason matching `reason`. */
async function expectRefused(receiver: Receiver, request: PushRequest, reason: RegExp) {
	const response = await send(request);
	expect(response.status).toBe(400);
	expect(classifyPushAnswer(response).outcome).toBe("failed");
	const inbox = await receiver.inbox();
	expect(inbox.messages).toEqual([]);
	expect(inbox.failures).toHaveLength(1);
	expect(inbox.failures[0]?.reason).toMatch(reason);
}

/** The test VAPID key as a jose signing key, to forge tokens with claims the library would never write. */
async function testSigningKey(): Promise<CryptoKey> {
	const point = fromBase64Url(env.TEST_VAPID_PUBLIC_KEY) ?? new Uint8Array();
	return crypto.subtle.importKey(
		"jwk",
		{
			kty: "EC",
			crv: "P-256",
			x: toBase64Url(point.slice(1, 33)),
			y: toBase64Url(point.slice(33)),
			d: env.VAPID_PRIVATE_KEY,
		},
		{ name: "ECDSA", namedCurve: "P-256" },
		false,
		["sign"],
	);
}

const withAuthorization = (request: PushRequest, authorization: string): PushRequest => ({
	...request,
	headers: { ...request.headers, authorization },
});

describe("a push, end to end", () => {
	it("arrives decrypted: the exact payload, TTL, Urgency and Topic, signed for push.test", async () => {
		const receiver = await newReceiver({ applicationServerKey: env.TEST_VAPID_PUBLIC_KEY });
		const response = await send(await build(receiver));
		expect(response.status).toBe(201);
		expect(response.headers.get("location")).toMatch(/^https:\/\/push\.test\/message\/\d+$/);
		expect(classifyPushAnswer(response)).toEqual({ outcome: "delivered", status: 201 });
		const { messages, failures } = await receiver.inbox();
		expect(failures).toEqual([]);
		expect(messages).toHaveLength(1);
		const [message] = messages;
		expect(message?.text).toBe(JSON.stringify(PAYLOAD));
		expect(message?.payload).toEqual(PAYLOAD);
		expect(message?.headers).toEqual({ ttl: "3600", urgency: "high", topic: "chat-1" });
		expect(message?.vapid).toMatchObject({
			aud: PUSH_TEST_ORIGIN,
			sub: env.VAPID_SUBJECT,
			k: env.TEST_VAPID_PUBLIC_KEY,
		});
		expect(message?.vapid.exp).toBeGreaterThan(Date.now() / 1000 + VAPID_TOKEN_SECONDS - 60);
	});

	it("delivers the RFC 8291 example body as published (the stand-in's decryptor against the RFC)", async () => {
		const receiver = await registerReceiver(
			"q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94",
			"BTBZMqHH6r4Tts7J_aSIgg",
		);
		const body = fromBase64Url(
			"DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_" +
				"yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
		);
		const response = await fetch(`${PUSH_TEST_ORIGIN}/push/${receiver.id}`, {
			method: "POST",
			headers: {
				authorization: await vapidAuthorization(PUSH_TEST_ORIGIN, testVapid(), Math.floor(Date.now() / 1000)),
				"content-encoding": "aes128gcm",
				ttl: "10",
			},
			body,
		});
		expect(response.status).toBe(201);
		const { messages } = await receiver.inbox();
		expect(messages[0]?.text).toBe("When I grow up, I want to be a watermelon");
	});

	it("keeps several messages in order, each with its own headers", async () => {
		const receiver = await newReceiver();
		for (const [ttl, urgency] of [
			[0, "very-low"],
			[60, "low"],
		] as const) {
			const request = await buildPushRequest({
				subscription: receiver.subscription,
				payload: JSON.stringify({ ttl }),
				vapid: testVapid(),
				options: { ttl, urgency },
				allowlist: env.PUSH_ENDPOINT_ALLOWLIST,
			});
			expect((await send(request)).status).toBe(201);
		}
		const { messages } = await receiver.inbox();
		expect(messages.map((message) => [message.payload, message.headers])).toEqual([
			[{ ttl: 0 }, { ttl: "0", urgency: "very-low", topic: null }],
			[{ ttl: 60 }, { ttl: "60", urgency: "low", topic: null }],
		]);
	});
});

describe("the stand-in refuses what a push service would", () => {
	it("a token whose claims were changed after signing", async () => {
		const receiver = await newReceiver();
		const request = await build(receiver);
		const authorization = request.headers.authorization ?? "";
		const [header, claims, signature] = (authorization.match(/t=([^,]+)/)?.[1] ?? "").split(".");
		const forged = JSON.parse(new TextDecoder().decode(fromBase64Url(claims ?? "") ?? undefined));
		forged.exp += 3600;
		const tampered = `${header}.${toBase64Url(new TextEncoder().encode(JSON.stringify(forged)))}.${signature}`;
		await expectRefused(
			receiver,
			withAuthorization(request, authorization.replace(/t=[^,]+/, `t=${tampered}`)),
			/signature/,
		);
	});

	it("a token signed by another key than the k= it names", async () => {
		const receiver = await newReceiver();
		const other = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
		const request = await build(receiver, { privateKey: other });
		const authorization = (request.headers.authorization ?? "").replace(
			/k=.*$/,
			`k=${env.TEST_VAPID_PUBLIC_KEY}`,
		);
		await expectRefused(receiver, withAuthorization(request, authorization), /signature/);
	});

	it("a valid token from another application server than the subscription's", async () => {
		const receiver = await newReceiver({ applicationServerKey: env.TEST_VAPID_PUBLIC_KEY });
		const other = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
		await expectRefused(receiver, await build(receiver, { privateKey: other }), /application server key/);
	});

	it("a body encrypted for another receiver key", async () => {
		const stranger = await newReceiver();
		const receiver = await newReceiver({ privateKey: stranger.privateKey });
		await expectRefused(receiver, await build(receiver), /does not decrypt/);
	});

	it("a body encrypted with another auth secret", async () => {
		const receiver = await newReceiver({ auth: toBase64Url(crypto.getRandomValues(new Uint8Array(16))) });
		await expectRefused(receiver, await build(receiver), /does not decrypt/);
	});

	it("a body with one byte flipped", async () => {
		const receiver = await newReceiver();
		const request = await build(receiver);
		const body = request.body.slice();
		body[200] = (body[200] ?? 0) ^ 1;
		await expectRefused(receiver, { ...request, body }, /does not decrypt/);
	});

	it("an expired token, and one valid for more than 24 hours", async () => {
		const expired = await newReceiver();
		const past = Date.now() - (VAPID_TOKEN_SECONDS + 60) * 1000;
		await expectRefused(expired, await build(expired, { now: past }), /expired/);
		const tooLong = await newReceiver();
		const ahead = Date.now() + (24 * 3600 - VAPID_TOKEN_SECONDS + 60) * 1000;
		await expectRefused(tooLong, await build(tooLong, { now: ahead }), /24 h/);
	});

	it("a token for another audience", async () => {
		const receiver = await newReceiver();
		const request = await build(receiver);
		const authorization = await vapidAuthorization(
			"https://fcm.googleapis.com",
			testVapid(),
			Date.now() / 1000,
		);
		await expectRefused(receiver, withAuthorization(request, authorization), /aud/);
	});

	it("a token without sub", async () => {
		const receiver = await newReceiver();
		const token = await new SignJWT({})
			.setProtectedHeader({ typ: "JWT", alg: "ES256" })
			.setAudience(PUSH_TEST_ORIGIN)
			.setExpirationTime("1h")
			.sign(await testSigningKey());
		const request = withAuthorization(
			await build(receiver),
			`vapid t=${token}, k=${env.TEST_VAPID_PUBLIC_KEY}`,
		);
		await expectRefused(receiver, request, /sub/);
	});

	it("no TTL, or the legacy aesgcm encoding", async () => {
		const noTtl = await newReceiver();
		const { ttl: _, ...headers } = (await build(noTtl)).headers;
		await expectRefused(noTtl, { ...(await build(noTtl)), headers }, /TTL/);
		const legacy = await newReceiver();
		const request = await build(legacy);
		await expectRefused(
			legacy,
			{ ...request, headers: { ...request.headers, "content-encoding": "aesgcm" } },
			/aes128gcm/,
		);
	});
});

describe("answers, as the delivery code will see them", () => {
	it.each([
		[201, undefined, { outcome: "delivered", status: 201 }],
		[404, undefined, { outcome: "gone", status: 404 }],
		[410, undefined, { outcome: "gone", status: 410 }],
		[429, "120", { outcome: "retry", status: 429, retryAfter: 120 }],
		[500, undefined, { outcome: "retry", status: 500 }],
		[503, "30", { outcome: "retry", status: 503, retryAfter: 30 }],
	])("%i (Retry-After %s) is %o", async (status, retryAfter, expected) => {
		const receiver = await newReceiver();
		await receiver.answerWith(status, retryAfter);
		const response = await send(await build(receiver));
		expect(response.status).toBe(status);
		expect(classifyPushAnswer(response)).toEqual(expected);
		expect((await receiver.inbox()).messages.map((message) => message.status)).toEqual([status]);
	});

	it("an unknown subscription is gone; an oversized body is failed (413)", async () => {
		const receiver = await newReceiver();
		const request = await build(receiver);
		const unknown = await send({ ...request, url: `${PUSH_TEST_ORIGIN}/push/${crypto.randomUUID()}` });
		expect(classifyPushAnswer(unknown)).toEqual({ outcome: "gone", status: 404 });
		const body = new Uint8Array(request.body.length + 1);
		body.set(request.body);
		const oversized = await send({ ...request, body });
		expect(classifyPushAnswer(oversized)).toEqual({ outcome: "failed", status: 413 });
	});
});
