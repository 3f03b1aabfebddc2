/**
 * Orchard test helpers: connecting two people, making a verified guide, and a WebSocket client that
 * collects the server's JSON frames so a test can wait for the ones it expects.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { SendOutcome } from "../../durable-objects/chat-protocol";
import type { ChatRoom } from "../../durable-objects/chat-room";
import { classify, type Screening } from "../../src/core/moderation/screen";
import { roomFor } from "../../src/modules/orchard/chat";
import { call, expectStatus, ORIGIN, setUserColumns, signUp, type TestUser } from "../support/api";

export const api = "/api/v1/orchard";

/** `a` asks `b`, `b` accepts: an accepted connection. Returns its id. */
export async function connect(a: TestUser, b: TestUser, type = "friend"): Promise<string> {
	const request = await expectStatus<{ id: string }>(
		await call("POST", `${api}/connections`, {
			token: a.token,
			body: { user_id: b.id, connection_type: type },
		}),
		201,
	);
	await expectStatus(
		await call("PATCH", `${api}/connections/${request.id}`, { token: b.token, body: { status: "accepted" } }),
		200,
	);
	return request.id;
}

/** Two fresh, connected people. */
export async function connectedPair(label: string): Promise<[TestUser, TestUser]> {
	const a = await signUp(`${label}-a`);
	const b = await signUp(`${label}-b`);
	await connect(a, b);
	return [a, b];
}

export interface GuideOptions {
	maxMentees?: number;
	specialties?: string[];
	availability?: string;
	headline?: string;
	experience?: string;
	acceptingMentees?: boolean;
	trust?: string;
	displayName?: string;
}

/** A verified guide, as an approved guide application leaves them (role, trust, guide profile). */
export async function makeGuide(label: string, options: GuideOptions = {}): Promise<TestUser> {
	const guide = await signUp(label);
	await setUserColumns(guide.id, {
		role: "guide",
		trust_level: options.trust ?? "good_soil",
		...(options.displayName ? { display_name: options.displayName } : {}),
	});
	await env.DB.prepare(
		`INSERT INTO guide_profiles (id, user_id, headline, specialties, experience, availability, accepting_mentees, max_mentees, created_at, updated_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	)
		.bind(
			crypto.randomUUID(),
			guide.id,
			options.headline ?? "",
			JSON.stringify(options.specialties ?? []),
			options.experience ?? "",
			options.availability ?? "",
			options.acceptingMentees === false ? 0 : 1,
			options.maxMentees ?? 3,
			new Date().toISOString(),
			new Date().toISOString(),
		)
		.run();
	return guide;
}

/** A growing member, so they may ask for mentorship. */
export async function growingUser(label: string): Promise<TestUser> {
	const user = await signUp(label);
	await setUserColumns(user.id, { trust_level: "growing" });
	return user;
}

// ---------------------------------------------------------------- WebSockets

export type Frame = { type: string; [key: string]: unknown };

/** A connected test client: every frame the server sends is kept until a test takes it. */
export class ChatClient {
	private readonly frames: Frame[] = [];
	private readonly waiters: Array<() => void> = [];
	readonly closed: Promise<{ code: number; reason: string }>;

	constructor(readonly ws: WebSocket) {
		ws.addEventListener("message", (event) => {
			this.frames.push(JSON.parse(String(event.data)) as Frame);
			for (const wake of this.waiters.splice(0)) wake();
		});
		this.closed = new Promise((resolve) => {
			ws.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason }));
		});
	}

	send(frame: Record<string, unknown> | string): void {
		this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
	}

	/** The first frame (received or still to come) that matches; removed from the buffer. */
	async take(match: (frame: Frame) => boolean, what = "a frame", timeoutMs = 10_000): Promise<Frame> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const index = this.frames.findIndex(match);
			if (index >= 0) return this.frames.splice(index, 1)[0] as Frame;
			const remaining = deadline - Date.now();
			if (remaining <= 0) {
				throw new Error(`timed out waiting for ${what}; have ${JSON.stringify(this.frames)}`);
			}
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, remaining);
				this.waiters.push(() => {
					clearTimeout(timer);
					resolve();
				});
			});
		}
	}

	takeType(type: string, extra: (frame: Frame) => boolean = () => true): Promise<Frame> {
		return this.take((frame) => frame.type === type && extra(frame), `a ${type} frame`);
	}

	/** Frames received and not yet taken that match (does not wait). */
	pending(match: (frame: Frame) => boolean = () => true): Frame[] {
		return this.frames.filter(match);
	}

	close(): void {
		try {
			this.ws.close(1000, "done");
		} catch {
			// already closed
		}
	}
}

export async function ticketFor(user: TestUser, peerId: string): Promise<string> {
	const body = await expectStatus<{ ticket: string; url: string }>(
		await call("POST", `${api}/conversations/${peerId}/tickets`, { token: user.token }),
		201,
	);
	return body.ticket;
}

/** Opens the WebSocket upgrade request as a browser would (ticket in the URL, no Authorization header). */
export function upgrade(
	peerId: string,
	query: Record<string, string>,
	headers: Record<string, string> = {},
	cf?: Record<string, unknown>,
) {
	const search = new URLSearchParams(query).toString();
	return exports.default.fetch(
		new Request(`${ORIGIN}${api}/conversations/${peerId}/ws?${search}`, {
			headers: { Upgrade: "websocket", ...headers },
			...(cf ? { cf: cf as RequestInit["cf"] } : {}),
		}),
	);
}

/**
 * A refused ticket: the upgrade succeeds (a browser could read nothing else) and the socket closes at once;
 * resolves with its close code and reason.
 */
export async function refusal(response: Response): Promise<{ code: number; reason: string }> {
	if (response.status !== 101 || !response.webSocket) {
		throw new Error(`expected 101 then a close, got ${response.status}: ${await response.text()}`);
	}
	const ws = response.webSocket;
	const closed = new Promise<{ code: number; reason: string }>((resolve) => {
		ws.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason }));
	});
	ws.accept();
	return closed;
}

/**
 * Ticket, upgrade, accept; resolves once the `ready` frame arrived (returned too). `cf`: the edge's request
 * properties of the upgrade (e.g. `{ country: "GB" }`).
 */
export async function openChat(
	user: TestUser,
	peerId: string,
	sinceSeq?: number,
	cf?: Record<string, unknown>,
): Promise<{ client: ChatClient; ready: Frame }> {
	const ticket = await ticketFor(user, peerId);
	const response = await upgrade(
		peerId,
		{
			ticket,
			...(sinceSeq !== undefined ? { since_seq: String(sinceSeq) } : {}),
		},
		{},
		cf,
	);
	if (response.status !== 101 || !response.webSocket) {
		throw new Error(`expected 101, got ${response.status}: ${await response.text()}`);
	}
	response.webSocket.accept();
	const client = new ChatClient(response.webSocket);
	const ready = await client.takeType("ready");
	return { client, ready };
}

export type WireMessage = {
	id: string;
	seq: number;
	sender_id: string;
	text: string;
	client_message_id: string | null;
	pending_review: boolean;
};

export async function sendRest(
	user: TestUser,
	peerId: string,
	text: string,
	clientMessageId?: string,
	status = 201,
): Promise<WireMessage> {
	return expectStatus<WireMessage>(
		await call("POST", `${api}/conversations/${peerId}/messages`, {
			token: user.token,
			body: { text, ...(clientMessageId ? { client_message_id: clientMessageId } : {}) },
		}),
		status,
	);
}

// ---------------------------------------------------------------- the room's write-behind and held standing

/**
 * Runs the pair's room alarm now: what it writes behind (conversation summaries, queue items) is in D1 when
 * this resolves, or, with nothing pending, it re-reads the standing if that is due. False when no alarm was set.
 */
export function settleRoom(a: string, b: string): Promise<boolean> {
	return runDurableObjectAlarm(roomFor(env, a, b));
}

/** As if the room's held standing (the right to chat, the participants' accounts) were read `ms` earlier. */
export async function ageStanding(a: string, b: string, ms: number): Promise<void> {
	await runInDurableObject(roomFor(env, a, b), (room: ChatRoom, state) => {
		const row = state.storage.sql
			.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'standing'")
			.toArray()[0];
		if (!row) throw new Error("the room holds no standing yet");
		const standing = JSON.parse(row.value) as { asOf: number };
		standing.asOf -= ms;
		state.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'standing'", JSON.stringify(standing));
		// The in-memory copies (the standing, and `meta` it is read from) are reloaded from storage.
		Object.assign(room, { standing: undefined, meta: undefined });
	});
}

/**
 * Messages of `senderId` counted against today's quota in the room with `peerId` (the daily quota is leased:
 * durable-objects/chat-quota.ts; each room counts what it spent of its leases).
 */
export async function messagesCounted(senderId: string, peerId: string): Promise<number> {
	return runInDurableObject(roomFor(env, senderId, peerId), (_room, state) => {
		const row = state.storage.sql
			.exec<{ spent: number }>(
				"SELECT coalesce(sum(spent), 0) AS spent FROM chat_quota_leases WHERE user_id = ? AND day = ?",
				senderId,
				new Date().toISOString().slice(0, 10),
			)
			.one();
		return row.spent;
	});
}

/**
 * `sender` sends `text` to `peer` in their room, and the send is held while it is being screened; resolves
 * once it is there. `release()` lets the screen answer (clean); `inFlight` is the send's outcome.
 */
export async function sendHeldInScreening(
	sender: TestUser,
	peer: TestUser,
	text: string,
	clientMessageId: string,
): Promise<{ inFlight: Promise<SendOutcome>; release: () => void }> {
	let release: () => void = () => undefined;
	const gate = new Promise<void>((resolve) => {
		release = resolve;
	});
	let screening = false;
	const inFlight = runInDurableObject(roomFor(env, sender.id, peer.id), (room: ChatRoom) =>
		(
			room as unknown as {
				storeMessage(
					input: unknown,
					origin: undefined,
					screen: () => Promise<Screening>,
				): Promise<SendOutcome>;
			}
		).storeMessage({ senderId: sender.id, peerId: peer.id, text, clientMessageId }, undefined, async () => {
			screening = true;
			await gate;
			return classify({
				toxicity: 0.01,
				labels: { insult: 0, threat: 0, profanity: 0, identity_attack: 0, sexual: 0, self_harm: 0 },
				selfHarmRisk: "none",
				model: "test-verdict",
			});
		}),
	);
	while (!screening) await new Promise((resolve) => setTimeout(resolve, 5));
	return { inFlight, release };
}
