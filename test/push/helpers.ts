/**
 * The receiving side of push subscriptions, for tests: a browser's key pair and auth secret made in workerd,
 * registered with the stand-in push service (test/harness/push-service.ts) at `https://push.test`.
 */
import { env } from "cloudflare:workers";
import { type PushSubscriptionJson, toBase64Url, type VapidConfig } from "../../src/lib/web-push";

export const PUSH_TEST_ORIGIN = "https://push.test";

/** This run's VAPID configuration (vitest.config.ts makes the key pair). */
export const testVapid = (): VapidConfig => ({
	privateKey: env.VAPID_PRIVATE_KEY ?? "",
	subject: env.VAPID_SUBJECT ?? "",
});

export interface InboxMessage {
	status: number;
	headers: { ttl: string | null; urgency: string | null; topic: string | null };
	payload: unknown;
	text: string;
	vapid: { aud: string; exp: number; sub: string; k: string };
}

export interface Inbox {
	messages: InboxMessage[];
	failures: { status: number; reason: string }[];
}

export interface Receiver {
	id: string;
	subscription: PushSubscriptionJson;
	/** The private key (`d`), base64url. */
	privateKey: string;
	inbox(): Promise<Inbox>;
	/** Chooses the stand-in's answer to the next pushes. */
	answerWith(status: number, retryAfter?: string): Promise<void>;
}

async function control(path: string, body?: unknown): Promise<Response> {
	const response = await fetch(`${PUSH_TEST_ORIGIN}${path}`, {
		method: body === undefined ? "GET" : "POST",
		...(body !== undefined && {
			headers: { "content-type": "application/json" },
			body: JSON.stringify(body),
		}),
	});
	if (!response.ok) throw new Error(`push.test ${path}: ${response.status} ${await response.text()}`);
	return response;
}

/**
 * A new subscription: fresh keys, registered under a fresh id. `register` overrides what the stand-in is told
 * (another key or secret than the subscription's, an application server key to insist on).
 */
export async function newReceiver(
	register: { privateKey?: string; auth?: string; applicationServerKey?: string } = {},
): Promise<Receiver> {
	const id = crypto.randomUUID();
	const pair = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
		"deriveBits",
	])) as CryptoKeyPair;
	const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
	const p256dh = toBase64Url(
		new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer),
	);
	const auth = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
	const privateKey = jwk.d ?? "";
	const { endpoint } = (await (
		await control("/__register", { id, privateKey, auth, ...register })
	).json()) as { endpoint: string };
	return {
		id,
		subscription: { endpoint, keys: { p256dh, auth } },
		privateKey,
		inbox: async () => (await (await control(`/__inbox/${id}`)).json()) as Inbox,
		answerWith: async (status, retryAfter) => {
			await control(`/__answer/${id}`, { status, ...(retryAfter !== undefined && { retryAfter }) });
		},
	};
}

/** Registers keys the test already has (the RFC 8291 example's receiver). */
export async function registerReceiver(
	privateKey: string,
	auth: string,
): Promise<Pick<Receiver, "id" | "inbox">> {
	const id = crypto.randomUUID();
	await control("/__register", { id, privateKey, auth });
	return { id, inbox: async () => (await (await control(`/__inbox/${id}`)).json()) as Inbox };
}

// ---------------------------------------------------------------- the API side, for the delivery tests

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
