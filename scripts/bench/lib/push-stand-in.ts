/**
 * The reminders extra's push service: the tests' stand-in (test/harness/push-service.ts) served on a real
 * socket, `http://127.0.0.1:<port>`, by the load generator. Every push is checked as a push service would
 * (the VAPID signature with the run's key, the RFC 8030 headers) and decrypted (RFC 8291) before it is
 * answered 201, so what it counts as accepted is what a browser's push service would have accepted.
 *
 * The API reaches it through the bench's outbound service (lib/issuer.ts), which passes requests to this host
 * on as they are; `PUSH_ENDPOINT_ALLOWLIST` lets the API send to it (lib/workers.ts).
 */
import { createECDH, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { createPushService } from "../../../test/harness/push-service.ts";
import { BENCH_PUSH_HOST } from "./issuer.ts";

/** A browser's subscription as the API stores it (push_subscriptions). */
export interface BenchSubscription {
	endpoint: string;
	p256dh: string;
	auth: string;
}

export interface PushStandIn {
	origin: string;
	/** A new subscription (its receiving keys kept here), signed for `applicationServerKey`. */
	subscribe(id: string, applicationServerKey: string): Promise<BenchSubscription>;
	/** Pushes answered 201 (verified and decrypted), those refused (400/413), and when each was answered. */
	readonly accepted: number;
	readonly refused: number;
	readonly refusals: string[];
	readonly acceptedAt: number[];
	reset(): void;
	close(): Promise<void>;
}

async function readBody(message: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of message) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

export async function startPushStandIn(): Promise<PushStandIn> {
	let handle: ((request: Request) => Promise<Response>) | undefined;
	const counts = { accepted: 0, refused: 0, refusals: [] as string[], acceptedAt: [] as number[] };
	const server = createServer(async (message, reply) => {
		try {
			const body = await readBody(message);
			const headers = new Headers();
			for (const [name, value] of Object.entries(message.headers)) {
				if (typeof value === "string") headers.set(name, value);
			}
			const request = new Request(`${origin}${message.url ?? "/"}`, {
				method: message.method ?? "GET",
				headers,
				...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
			});
			const response = await (handle as (request: Request) => Promise<Response>)(request);
			const text = Buffer.from(await response.arrayBuffer());
			if (message.url?.startsWith("/push/")) {
				if (response.status === 201) {
					counts.accepted++;
					counts.acceptedAt.push(performance.now());
				} else {
					counts.refused++;
					if (counts.refusals.length < 5) counts.refusals.push(`${response.status} ${text.toString()}`);
				}
			}
			const answerHeaders: Record<string, string> = {};
			response.headers.forEach((value, name) => {
				answerHeaders[name] = value;
			});
			reply.writeHead(response.status, answerHeaders);
			reply.end(text);
		} catch (error) {
			reply.writeHead(500);
			reply.end(String(error));
		}
	});
	await new Promise<void>((resolve) => server.listen(0, BENCH_PUSH_HOST, resolve));
	const origin = `http://${BENCH_PUSH_HOST}:${(server.address() as AddressInfo).port}`;
	const service = createPushService({ origin });
	handle = service.handle;
	return {
		origin,
		async subscribe(id, applicationServerKey) {
			const ecdh = createECDH("prime256v1");
			ecdh.generateKeys();
			const auth = randomBytes(16).toString("base64url");
			const response = await service.handle(
				new Request(`${origin}/__register`, {
					method: "POST",
					body: JSON.stringify({
						id,
						privateKey: ecdh.getPrivateKey().toString("base64url"),
						auth,
						applicationServerKey,
					}),
				}),
			);
			const { endpoint } = (await response.json()) as { endpoint: string };
			return { endpoint, p256dh: ecdh.getPublicKey().toString("base64url"), auth };
		},
		get accepted() {
			return counts.accepted;
		},
		get refused() {
			return counts.refused;
		},
		get refusals() {
			return counts.refusals;
		},
		get acceptedAt() {
			return counts.acceptedAt;
		},
		reset() {
			counts.accepted = 0;
			counts.refused = 0;
			counts.refusals = [];
			counts.acceptedAt = [];
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
