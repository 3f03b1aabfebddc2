/**
 * @module ChatRoom: one Durable Object per Orchard conversation (named by the two user ids sorted).
 *
 * - The room is the authority on its messages: they live in its SQLite storage, each with a
 *   server-assigned, strictly increasing `seq`, written before anyone is told (ack, delivery, REST answer).
 * - `(sender_id, client_message_id)` is unique, so a retried send returns the original message.
 * - WebSockets use the Hibernation API: the socket's user lives in its attachment and the participants in
 *   storage, so a hibernated or evicted room wakes with nothing lost; ping/pong never wakes it.
 * - Every message re-checks in D1 the right to chat (blocks, connection, mentorship) and both participants'
 *   accounts (deleted, suspended); other frames re-check at most every STANDING_TTL_MS. The API pokes the
 *   room when a block or removal ends the right (`revalidate`), when a guardian suspends a participant
 *   (`closeSocketsOf`) and when an account is erased (`eraseMessagesOf`), which close the sockets at once.
 * - A stored message the recipient may see (not held back, recipient not suspended) is forwarded to their
 *   PersonStream (`ctx.waitUntil`: the send never waits for it, and a failure is only logged).
 * - After each change the room writes both participants' `conversation_summaries` rows in D1, so the
 *   conversation list is one D1 query. The writes are serialised and computed from current state, so the
 *   last write always carries the newest state.
 */
import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { isSuspended } from "../src/core/accounts/current-user";
import { chatAccessFrom, chatAccessQuery, conversationIdOf } from "../src/core/chat-access";
import { dispatchFanOuts } from "../src/core/fan-outs";
import { crisisResources } from "../src/core/moderation/crisis";
import { queueItemForScreening } from "../src/core/moderation/queue";
import { type Screening, screenText } from "../src/core/moderation/screen";
import { requestMessagePush } from "../src/core/push-jobs";
import { consumeDailyQuota, refundDailyQuota } from "../src/core/quotas";
import { createDb, type Db } from "../src/db/client";
import { conversationSummaries } from "../src/db/tables/orchard";
import { type UserRow, users } from "../src/db/tables/users";
import type { PlatformBindings } from "../src/lib/bindings";
import { allowChatFrame, CHAT_FRAME_POLICY } from "../src/lib/burst-policies";
import { newId } from "../src/lib/ids";
import { logEvent } from "../src/lib/log";
import { Problem } from "../src/lib/problem";
import { hasVisibleText } from "../src/lib/schemas";
import {
	CHAT_PEER_HEADER,
	CHAT_USER_HEADER,
	type ChatError,
	CLOSE_ACCESS_REVOKED,
	ClientFrame,
	type HistoryInput,
	type HistoryPage,
	MAX_FRAME_BYTES,
	MAX_MESSAGE_CHARS,
	PING_FRAME,
	PONG_FRAME,
	REPLAY_CHUNK,
	type ReadStateView,
	type ReportableMessage,
	type SendInput,
	type SendOutcome,
	type ServerFrame,
	type WireMessage,
} from "./chat-protocol";
import type { PersonStreamBindings } from "./person-stream";
import { closeOnError, completeClose } from "./socket-close";
import type { DirectMessageFrame } from "./stream-protocol";

/** Characters of the newest message kept in the D1 conversation list. */
const PREVIEW_CHARS = 140;
/** Moderation states the other participant never sees. */
const HELD_BACK = "('hidden', 'removed')";
/**
 * How long a D1 check of the participants' standing is trusted for frames that are not messages (read,
 * typing, sync): one D1 read per room per this interval at most, never one per frame. Suspension and
 * erasure close sockets at once anyway; this bounds what a room that was not told can still serve.
 */
export const STANDING_TTL_MS = 30_000;

/**
 * The outcome of a standing check: the user's row (and whether the other person is suspended: nothing is
 * forwarded to their live stream then), or the refusal to answer with.
 */
type Standing = { ok: true; user: UserRow; peerSuspended: boolean } | { ok: false; error: ChatError };

/** The room's bindings: the platform's, and the people's live streams (a message is forwarded to its recipient). */
export type ChatRoomBindings = PlatformBindings & PersonStreamBindings;

interface Attachment {
	userId: string;
	peerId: string;
}

type MessageRow = {
	seq: number;
	id: string;
	sender_id: string;
	client_message_id: string;
	body: string;
	moderation_status: string;
	toxicity: number | null;
	created_at: string;
};

function present(row: MessageRow, viewerId: string): WireMessage {
	const own = row.sender_id === viewerId;
	return {
		id: row.id,
		seq: row.seq,
		sender_id: row.sender_id,
		text: row.body,
		client_message_id: own ? row.client_message_id : null,
		created_at: row.created_at,
		pending_review: own && (row.moderation_status === "hidden" || row.moderation_status === "removed"),
	};
}

const isHeldBack = (status: string) => status === "hidden" || status === "removed";

export class ChatRoom extends DurableObject<ChatRoomBindings> {
	private readonly sql: SqlStorage;
	/** Serialises the D1 summary writes (in memory only: losing it on eviction loses nothing durable). */
	private summaryChain: Promise<void> = Promise.resolve();
	/**
	 * Per participant: when their standing was last found good in D1, and a check in flight (so a burst of
	 * frames waits for one check). In memory only: a woken room simply checks again.
	 */
	private readonly standingCheckedAt = new Map<string, number>();
	private readonly standingChecks = new Map<string, Promise<Standing>>();

	constructor(ctx: DurableObjectState, env: ChatRoomBindings) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		this.sql.exec(`
			CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
			CREATE TABLE IF NOT EXISTS messages (
				seq INTEGER PRIMARY KEY AUTOINCREMENT,
				id TEXT NOT NULL UNIQUE,
				sender_id TEXT NOT NULL,
				client_message_id TEXT NOT NULL,
				body TEXT NOT NULL,
				moderation_status TEXT NOT NULL,
				toxicity REAL,
				created_at TEXT NOT NULL,
				UNIQUE (sender_id, client_message_id)
			);
			CREATE TABLE IF NOT EXISTS read_state (user_id TEXT PRIMARY KEY, last_read_seq INTEGER NOT NULL);
		`);
		// Keep-alive pings are answered by the runtime without waking a hibernated room.
		ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
	}

	// ------------------------------------------------------------------ RPC used by the API Worker

	/** Sends a message (the REST path; sockets use the same steps). */
	async send(input: SendInput): Promise<SendOutcome> {
		return this.acceptMessage(input);
	}

	/** One page of history as `viewerId` sees it, and the read state. */
	async history(input: HistoryInput): Promise<HistoryPage> {
		this.bind(input.viewerId, input.peerId);
		const { viewerId, limit } = input;
		const visible = `(sender_id = ? OR moderation_status NOT IN ${HELD_BACK})`;
		const rows =
			input.sinceSeq !== undefined
				? this.rows(
						`SELECT * FROM messages WHERE seq > ? AND ${visible} ORDER BY seq ASC LIMIT ?`,
						input.sinceSeq,
						viewerId,
						limit + 1,
					)
				: this.rows(
						`SELECT * FROM messages WHERE seq < ? AND ${visible} ORDER BY seq DESC LIMIT ?`,
						input.beforeSeq ?? Number.MAX_SAFE_INTEGER,
						viewerId,
						limit + 1,
					);
		return {
			messages: rows.slice(0, limit).map((row) => present(row, viewerId)),
			hasMore: rows.length > limit,
			readState: this.readStateFor(viewerId, input.peerId),
		};
	}

	/** Marks everything up to `seq` read for `userId` (never moves backwards), and tells open sockets. */
	async markRead(userId: string, peerId: string, seq: number): Promise<ReadStateView> {
		this.bind(userId, peerId);
		this.applyRead(userId, seq);
		await this.syncSummaries();
		return this.readStateFor(userId, peerId);
	}

	/** Re-checks the right to chat; when it is gone, closes every open socket. Returns how many closed. */
	async revalidate(): Promise<number> {
		const sockets = this.ctx.getWebSockets();
		const participants = this.participants();
		if (sockets.length === 0 || !participants) return 0;
		const [a, b] = participants;
		const access = chatAccessFrom(a, b, await chatAccessQuery(createDb(this.env.DB), a, b).get());
		if (access === "ok") return 0;
		return this.closeAll("The right to chat in this conversation has ended.");
	}

	/** Closes `userId`'s sockets in this room (a guardian suspended them); the other person's stay open. */
	async closeSocketsOf(userId: string): Promise<number> {
		return this.closeAll("This account is suspended.", userId);
	}

	/**
	 * A Guardian decision on a message (`removed`, or back to `clean` when dismissed). Returns false when the
	 * message is not in this room. The conversation list follows.
	 */
	async setModerationStatus(messageId: string, status: "clean" | "flagged" | "hidden" | "removed") {
		const changed = this.sql.exec(
			"UPDATE messages SET moderation_status = ? WHERE id = ?",
			status,
			messageId,
		);
		if (changed.rowsWritten === 0) return false;
		await this.syncSummaries();
		return true;
	}

	/**
	 * A report: the stored message `messageId` as `reporterId` saw it — undefined unless the reporter is a
	 * participant of this room and the message was shown to them (their own, or the other person's that
	 * moderation did not hold back or remove). The report is built from this copy, never the reporter's.
	 */
	async messageForReport(messageId: string, reporterId: string): Promise<ReportableMessage | undefined> {
		const participants = this.participants();
		if (!participants?.includes(reporterId)) return undefined;
		const row = this.rows("SELECT * FROM messages WHERE id = ?", messageId)[0];
		if (!row || (row.sender_id !== reporterId && isHeldBack(row.moderation_status))) return undefined;
		const [a, b] = participants;
		return {
			conversation_id: conversationIdOf(a, b),
			id: row.id,
			seq: row.seq,
			sender_id: row.sender_id,
			recipient_id: row.sender_id === a ? b : a,
			text: row.body,
			created_at: row.created_at,
			toxicity: row.toxicity,
		};
	}

	/**
	 * Data export: the newest `limit` messages `userId` sent here, newest first (the other person's
	 * messages are theirs, never part of someone else's export), and whether older ones exist.
	 */
	async messagesSentBy(
		userId: string,
		limit: number,
	): Promise<{ messages: WireMessage[]; hasMore: boolean }> {
		const rows = this.rows(
			"SELECT * FROM messages WHERE sender_id = ? ORDER BY seq DESC LIMIT ?",
			userId,
			limit + 1,
		);
		return {
			messages: rows.slice(0, limit).map((row) => present(row, userId)),
			hasMore: rows.length > limit,
		};
	}

	/**
	 * Account erasure: closes `userId`'s open sockets here, blanks the text of every message they sent (the
	 * rows stay, so `seq` and the other person's read state remain consistent) and refreshes the conversation
	 * list. Returns how many messages were blanked. With `keepAsEvidence` (a report on their messages here is
	 * open, or led to a suspension in force) the messages stay for the other person — the victim keeps their
	 * copy — until the case has been closed long enough; the erasure cron then calls this again without it.
	 */
	async eraseMessagesOf(userId: string, keepAsEvidence = false): Promise<number> {
		// The account is gone: its open sockets here must not receive, sync or type any more.
		this.closeAll("This account was deleted.", userId);
		if (keepAsEvidence) return 0;
		const erased = this.sql.exec(
			"UPDATE messages SET body = '', client_message_id = id, moderation_status = 'removed' WHERE sender_id = ?",
			userId,
		).rowsWritten;
		if (erased > 0) await this.syncSummaries();
		return erased;
	}

	// ------------------------------------------------------------------ WebSockets (Hibernation API)

	/** The upgrade, already authenticated and authorised by the API Worker. */
	override async fetch(request: Request): Promise<Response> {
		if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
			return new Response("Expected a WebSocket upgrade.", { status: 426 });
		}
		const userId = request.headers.get(CHAT_USER_HEADER);
		const peerId = request.headers.get(CHAT_PEER_HEADER);
		if (!userId || !peerId) return new Response("Missing participants.", { status: 400 });
		this.bind(userId, peerId);

		const pair = new WebSocketPair();
		const [client, server] = [pair[0], pair[1]];
		this.ctx.acceptWebSocket(server, [userId]);
		server.serializeAttachment({ userId, peerId } satisfies Attachment);

		const since = Number(new URL(request.url).searchParams.get("since_seq") ?? "");
		const replay = Number.isInteger(since) && since >= 0 ? this.replay(server, userId, since) : undefined;
		this.sendFrame(server, {
			type: "ready",
			conversation_id: conversationIdOf(userId, peerId),
			user_id: userId,
			peer_id: peerId,
			replayed: replay?.replayed ?? 0,
			has_more: replay?.hasMore ?? false,
			read_state: this.readStateFor(userId, peerId),
		});
		return new Response(null, { status: 101, webSocket: client });
	}

	override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
		const attachment = ws.deserializeAttachment() as Attachment | null;
		if (!attachment) {
			ws.close(1011, "Lost track of this connection; reconnect.");
			return;
		}
		const frame = this.parseFrame(data);
		const { userId, peerId } = attachment;
		// Per-user burst limit on frames (src/lib/burst-policies.ts), malformed ones included: a flood of garbage
		// is still a flood. Pings are answered by the runtime anyway.
		if (frame?.type !== "ping" && !(await allowChatFrame(this.env, userId))) {
			this.sendFrame(ws, {
				type: "error",
				code: "rate_limited",
				detail: `Too many frames: at most ${CHAT_FRAME_POLICY.limit} per ${CHAT_FRAME_POLICY.period} seconds. Nothing was done; retry later.`,
				retry_after: CHAT_FRAME_POLICY.period,
				...(frame?.type === "message" ? { client_message_id: frame.client_message_id } : {}),
			});
			return;
		}
		if (!frame) {
			this.sendFrame(ws, {
				type: "error",
				code: "bad_frame",
				detail: `Frames are JSON objects of type message, read, typing, sync or ping (at most ${MAX_FRAME_BYTES} bytes; text 1–${MAX_MESSAGE_CHARS} characters, not only invisible ones).`,
			});
			return;
		}
		// Messages check standing themselves (every one); the rest rely on a recent check.
		if (frame.type === "read" || frame.type === "typing" || frame.type === "sync") {
			if (!(await this.standingHolds(userId, peerId, ws))) return;
		}
		switch (frame.type) {
			case "message": {
				await this.acceptMessage(
					{ senderId: userId, peerId, text: frame.text, clientMessageId: frame.client_message_id },
					ws,
				);
				return;
			}
			case "read":
				this.applyRead(userId, frame.seq);
				await this.syncSummaries();
				return;
			case "typing":
				for (const socket of this.ctx.getWebSockets(peerId)) {
					this.sendFrame(socket, { type: "typing", user_id: userId, typing: frame.typing });
				}
				return;
			case "sync": {
				const { replayed, hasMore } = this.replay(ws, userId, frame.since_seq);
				this.sendFrame(ws, { type: "sync_done", replayed, has_more: hasMore });
				return;
			}
			case "ping":
				this.sendFrame(ws, { type: "pong" });
				return;
		}
	}

	override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
		completeClose(ws, code, reason);
	}

	override async webSocketError(ws: WebSocket): Promise<void> {
		closeOnError(ws);
	}

	// ------------------------------------------------------------------ sending

	/**
	 * The steps of one send, for both paths: may the sender still write here → a retry of a stored message?
	 * → daily quota → moderation → stored (this is the commit point) → ack and live delivery → D1 summaries
	 * and, for flagged/hidden/urgent text, the Guardian queue item.
	 */
	private async acceptMessage(input: SendInput, origin?: WebSocket): Promise<SendOutcome> {
		const outcome = await this.storeMessage(input, origin);
		if (!outcome.ok && origin) {
			this.sendFrame(origin, {
				type: "error",
				code: outcome.error.code,
				detail: outcome.error.detail,
				client_message_id: input.clientMessageId,
				...(outcome.error.headers?.["Retry-After"]
					? { retry_after: Number(outcome.error.headers["Retry-After"]) }
					: {}),
			});
		}
		// "Within one message": once the right to chat is gone, the next send closes the room's sockets.
		if (!outcome.ok) this.closeFor(outcome.error, input.senderId);
		return outcome;
	}

	/** Closes what a refusal says: the room's sockets (the right to chat ended) or the sender's. */
	private closeFor(error: ChatError, senderId: string): void {
		if (error.closes === "room") this.closeAll("The right to chat in this conversation has ended.");
		else if (error.closes === "sender") this.closeAll("This account may not chat now.", senderId);
	}

	/**
	 * One D1 round trip: may `userId` still chat with `peerId` here — the right to chat, `userId`'s account
	 * (not deleted, not suspended) — and is the peer suspended? A suspended peer's sockets close at once, so
	 * nothing more reaches them even when the room was not told of the suspension.
	 */
	private async checkStanding(db: Db, userId: string, peerId: string): Promise<Standing> {
		const [userRows, accessRows] = await db.batch([
			db.select().from(users).where(eq(users.id, userId)),
			chatAccessQuery(db, userId, peerId),
		]);
		const user = userRows[0];
		const peer = accessRows[0];
		const access = chatAccessFrom(userId, peerId, peer);
		if (access !== "ok") {
			return {
				ok: false,
				error:
					access === "not_found"
						? { status: 404, code: "not_found", detail: "No such conversation.", closes: "room" }
						: {
								status: 403,
								code: "forbidden",
								detail:
									"Only accepted connections, or a mentee and guide in an accepted mentorship, can message each other.",
								closes: "room",
							},
			};
		}
		if (!user || user.deletedAt !== null || isSuspended(user)) {
			const detail = user?.suspendedUntil
				? `This account is suspended until ${user.suspendedUntil}.`
				: "This account may not chat.";
			return { ok: false, error: { status: 403, code: "forbidden", detail, closes: "sender" } };
		}
		const now = Date.now();
		this.standingCheckedAt.set(userId, now);
		const peerSuspended = peer !== undefined && isSuspended(peer);
		if (peerSuspended) this.closeAll("This account is suspended.", peerId);
		else this.standingCheckedAt.set(peerId, now);
		return { ok: true, user, peerSuspended };
	}

	/**
	 * For read, typing and sync frames: re-checks standing when the last check is older than STANDING_TTL_MS.
	 * A refusal answers an error frame and closes what it says; false means the frame is not acted on.
	 */
	private async standingHolds(userId: string, peerId: string, ws: WebSocket): Promise<boolean> {
		if (Date.now() - (this.standingCheckedAt.get(userId) ?? 0) < STANDING_TTL_MS) return true;
		let check = this.standingChecks.get(userId);
		if (!check) {
			check = this.checkStanding(createDb(this.env.DB), userId, peerId).finally(() =>
				this.standingChecks.delete(userId),
			);
			this.standingChecks.set(userId, check);
		}
		const standing = await check;
		if (standing.ok) return true;
		this.sendFrame(ws, { type: "error", code: standing.error.code, detail: standing.error.detail });
		this.closeFor(standing.error, userId);
		return false;
	}

	/** `screen` is the moderation step (the ML verdict through `screenText`); tests hand in a verdict. */
	private async storeMessage(
		input: SendInput,
		origin?: WebSocket,
		screen: (text: string) => Promise<Screening> = (text) => screenText(this.env, text),
	): Promise<SendOutcome> {
		const { senderId, peerId, clientMessageId } = input;
		this.bind(senderId, peerId);
		const text = input.text.trim();
		if (!hasVisibleText(text) || text.length > MAX_MESSAGE_CHARS) {
			return {
				ok: false,
				error: {
					status: 422,
					code: "bad_frame",
					detail: `A message is 1–${MAX_MESSAGE_CHARS} characters, not only invisible ones.`,
				},
			};
		}
		const db = createDb(this.env.DB);
		const standing = await this.checkStanding(db, senderId, peerId);
		if (!standing.ok) return standing;
		const { user: sender, peerSuspended } = standing;

		const existing = this.findByClientId(senderId, clientMessageId);
		if (existing) return this.deliverDuplicate(existing, senderId, origin);

		try {
			await consumeDailyQuota(db, sender, "messages");
		} catch (error) {
			if (error instanceof Problem && error.status === 429) {
				return {
					ok: false,
					error: {
						status: 429,
						code: "rate_limited",
						detail: error.message,
						...(error.init.headers ? { headers: error.init.headers } : {}),
						...(error.init.extensions
							? { extensions: error.init.extensions as Record<string, string | number> }
							: {}),
					},
				};
			}
			throw error;
		}

		const screening = await screen(text);
		const row = this.insertMessage(senderId, clientMessageId, text, screening);
		if (!row) {
			// A concurrent send of the same client_message_id won while this one was being screened.
			await refundDailyQuota(db, sender, "messages");
			const winner = this.findByClientId(senderId, clientMessageId);
			if (!winner) throw new Error("message vanished after a duplicate insert");
			return this.deliverDuplicate(winner, senderId, origin);
		}
		// Sending implies having read everything before it.
		this.applyRead(senderId, row.seq, false);

		const message = present(row, senderId);
		const resources = screening.urgent ? crisisResources(this.env.CRISIS_RESOURCES) : undefined;
		if (origin) {
			this.sendFrame(origin, {
				type: "ack",
				client_message_id: clientMessageId,
				duplicate: false,
				message,
				...(resources ? { crisis_resources: resources } : {}),
			});
		}
		this.deliver(row, origin);
		if (!isHeldBack(row.moderation_status) && !peerSuspended) this.forwardToStream(row, peerId);

		const queued = queueItemForScreening(db, {
			targetType: "chat_message",
			targetId: row.id,
			targetAuthorId: senderId,
			snapshot: {
				conversation_id: conversationIdOf(senderId, peerId),
				seq: row.seq,
				sender_id: senderId,
				recipient_id: peerId,
				text,
				created_at: row.created_at,
			},
			screening,
		});
		await this.syncSummaries(queued ? [queued] : []);
		// An urgent message's queue item wrote a guardian alert (the table's trigger): hand it to the queue
		// now rather than at the next cron. A failure leaves it for the cron.
		if (screening.urgent) this.ctx.waitUntil(this.dispatchAlerts(db));
		return { ok: true, duplicate: false, message, ...(resources ? { crisisResources: resources } : {}) };
	}

	private async dispatchAlerts(db: Db): Promise<void> {
		try {
			await dispatchFanOuts(this.env, db);
		} catch (error) {
			logEvent("warn", "notification_fan_out_dispatch_failed", { error: String(error) });
		}
	}

	private deliverDuplicate(row: MessageRow, senderId: string, origin?: WebSocket): SendOutcome {
		const message = present(row, senderId);
		if (origin) {
			this.sendFrame(origin, {
				type: "ack",
				client_message_id: row.client_message_id,
				duplicate: true,
				message,
			});
		}
		return { ok: true, duplicate: true, message };
	}

	private insertMessage(
		senderId: string,
		clientMessageId: string,
		text: string,
		screening: Screening,
	): MessageRow | undefined {
		return this.rows(
			`INSERT INTO messages (id, sender_id, client_message_id, body, moderation_status, toxicity, created_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?)
			 ON CONFLICT (sender_id, client_message_id) DO NOTHING
			 RETURNING *`,
			newId(),
			senderId,
			clientMessageId,
			text,
			screening.status,
			screening.toxicity,
			new Date().toISOString(),
		)[0];
	}

	/** Live delivery: the sender's other devices always; the other person only what moderation lets through. */
	private deliver(row: MessageRow, origin?: WebSocket): void {
		for (const socket of this.ctx.getWebSockets()) {
			if (socket === origin) continue;
			const attachment = socket.deserializeAttachment() as Attachment | null;
			if (!attachment) continue;
			const own = attachment.userId === row.sender_id;
			if (!own && isHeldBack(row.moderation_status)) continue;
			this.sendFrame(socket, { type: "message", message: present(row, attachment.userId) });
		}
	}

	/**
	 * The recipient's live stream gets the message too (every device, whichever conversation is open). The
	 * send never waits for it and never fails because of it: the conversation is where the message lives.
	 * When no socket of theirs is open — neither here nor a stream — it is pushed instead (Web Push).
	 */
	private forwardToStream(row: MessageRow, recipientId: string): void {
		const frame: DirectMessageFrame = {
			type: "message",
			peer_id: row.sender_id,
			message: present(row, recipientId),
		};
		const here = this.ctx
			.getWebSockets()
			.some((socket) => (socket.deserializeAttachment() as Attachment | null)?.userId === recipientId);
		const stream = this.env.PERSON_STREAM.get(this.env.PERSON_STREAM.idFromName(recipientId));
		this.ctx.waitUntil(
			stream.message(frame).then(
				async (streams) => {
					if (streams > 0 || here) return;
					await requestMessagePush(this.env, {
						userId: recipientId,
						senderId: row.sender_id,
						messageId: row.id,
					});
				},
				(error: unknown) => {
					logEvent("warn", "stream_forward_failed", {
						error: error instanceof Error ? error.name : "unknown",
					});
				},
			),
		);
	}

	// ------------------------------------------------------------------ reading and replay

	private replay(ws: WebSocket, userId: string, sinceSeq: number): { replayed: number; hasMore: boolean } {
		const rows = this.rows(
			`SELECT * FROM messages WHERE seq > ? AND (sender_id = ? OR moderation_status NOT IN ${HELD_BACK})
			 ORDER BY seq ASC LIMIT ?`,
			sinceSeq,
			userId,
			REPLAY_CHUNK + 1,
		);
		const chunk = rows.slice(0, REPLAY_CHUNK);
		for (const row of chunk) this.sendFrame(ws, { type: "message", message: present(row, userId) });
		return { replayed: chunk.length, hasMore: rows.length > REPLAY_CHUNK };
	}

	private applyRead(userId: string, seq: number, broadcast = true): void {
		const lastSeq = this.lastSeq();
		const target = Math.min(seq, lastSeq);
		const before = this.lastReadSeq(userId);
		if (target <= before) return;
		this.sql.exec(
			`INSERT INTO read_state (user_id, last_read_seq) VALUES (?, ?)
			 ON CONFLICT (user_id) DO UPDATE SET last_read_seq = max(last_read_seq, excluded.last_read_seq)`,
			userId,
			target,
		);
		if (!broadcast) return;
		for (const socket of this.ctx.getWebSockets()) {
			this.sendFrame(socket, { type: "read", user_id: userId, last_read_seq: target });
		}
	}

	private readStateFor(userId: string, peerId: string): ReadStateView {
		const mine = this.lastReadSeq(userId);
		return {
			my_last_read_seq: mine,
			peer_last_read_seq: this.lastReadSeq(peerId),
			last_seq: this.lastSeq(),
			unread_count: this.unreadCount(userId, mine),
		};
	}

	private lastSeq(): number {
		return this.sql.exec<{ seq: number }>("SELECT coalesce(max(seq), 0) AS seq FROM messages").one().seq;
	}

	private lastReadSeq(userId: string): number {
		const row = this.sql
			.exec<{ last_read_seq: number }>("SELECT last_read_seq FROM read_state WHERE user_id = ?", userId)
			.toArray()[0];
		return row?.last_read_seq ?? 0;
	}

	/** Messages from the other person after my last read that I may see. */
	private unreadCount(userId: string, lastRead: number): number {
		return this.sql
			.exec<{ n: number }>(
				`SELECT count(*) AS n FROM messages WHERE seq > ? AND sender_id <> ? AND moderation_status NOT IN ${HELD_BACK}`,
				lastRead,
				userId,
			)
			.one().n;
	}

	private findByClientId(senderId: string, clientMessageId: string): MessageRow | undefined {
		return this.rows(
			"SELECT * FROM messages WHERE sender_id = ? AND client_message_id = ?",
			senderId,
			clientMessageId,
		)[0];
	}

	// ------------------------------------------------------------------ D1 conversation summaries

	/** Writes both participants' rows from the current state (plus `extra` statements in the same batch). */
	private syncSummaries(extra: BatchItem<"sqlite">[] = []): Promise<void> {
		const write = async () => {
			const db = createDb(this.env.DB);
			const statements = [...extra];
			const participants = this.participants();
			if (participants) {
				const [a, b] = participants;
				for (const [userId, peerId] of [
					[a, b],
					[b, a],
				] as const) {
					const statement = this.summaryStatement(db, userId, peerId);
					if (statement) statements.push(statement);
				}
			}
			const [first, ...rest] = statements;
			if (first) await db.batch([first, ...rest]);
		};
		this.summaryChain = this.summaryChain.then(write).catch((error: unknown) => {
			// The next change rewrites the rows from current state; the messages themselves are safe here.
			logEvent("error", "chat_summary_write_failed", {
				error: error instanceof Error ? error.message : String(error),
			});
		});
		return this.summaryChain;
	}

	private summaryStatement(db: Db, userId: string, peerId: string) {
		const last = this.rows(
			`SELECT * FROM messages WHERE sender_id = ? OR moderation_status NOT IN ${HELD_BACK}
			 ORDER BY seq DESC LIMIT 1`,
			userId,
		)[0];
		if (!last) return undefined;
		const lastReadSeq = this.lastReadSeq(userId);
		const values = {
			conversationId: conversationIdOf(userId, peerId),
			userId,
			peerId,
			lastMessageSeq: last.seq,
			lastMessagePreview: last.body.slice(0, PREVIEW_CHARS),
			lastMessageAt: last.created_at,
			lastReadSeq,
			unreadCount: this.unreadCount(userId, lastReadSeq),
			updatedAt: new Date().toISOString(),
		};
		return db
			.insert(conversationSummaries)
			.values(values)
			.onConflictDoUpdate({
				target: [conversationSummaries.conversationId, conversationSummaries.userId],
				set: {
					lastMessageSeq: values.lastMessageSeq,
					lastMessagePreview: values.lastMessagePreview,
					lastMessageAt: values.lastMessageAt,
					lastReadSeq: values.lastReadSeq,
					unreadCount: values.unreadCount,
					updatedAt: values.updatedAt,
				},
			});
	}

	// ------------------------------------------------------------------ plumbing

	/** Records the room's participants on first use and refuses anyone else afterwards. */
	private bind(userId: string, peerId: string): void {
		const conversationId = conversationIdOf(userId, peerId);
		const stored = this.sql
			.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'conversation_id'")
			.toArray()[0];
		if (!stored) {
			this.sql.exec("INSERT INTO meta (key, value) VALUES ('conversation_id', ?)", conversationId);
		} else if (stored.value !== conversationId) {
			throw new Error("This ChatRoom belongs to another conversation.");
		}
	}

	private participants(): [string, string] | undefined {
		const stored = this.sql
			.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'conversation_id'")
			.toArray()[0];
		const [a, b] = stored?.value.split(":") ?? [];
		return a && b ? [a, b] : undefined;
	}

	/** Closes every socket of the room, or only those of `userId` (whose next socket is checked afresh). */
	private closeAll(reason: string, userId?: string): number {
		if (userId) this.standingCheckedAt.delete(userId);
		else this.standingCheckedAt.clear();
		const sockets = userId ? this.ctx.getWebSockets(userId) : this.ctx.getWebSockets();
		for (const socket of sockets) {
			try {
				socket.close(CLOSE_ACCESS_REVOKED, reason);
			} catch {
				// already closing
			}
		}
		return sockets.length;
	}

	private parseFrame(data: string | ArrayBuffer): ClientFrame | undefined {
		if (typeof data !== "string" || data.length > MAX_FRAME_BYTES) return undefined;
		try {
			const parsed = ClientFrame.safeParse(JSON.parse(data));
			return parsed.success ? parsed.data : undefined;
		} catch {
			return undefined;
		}
	}

	private sendFrame(ws: WebSocket, frame: ServerFrame): void {
		try {
			ws.send(JSON.stringify(frame));
		} catch {
			// The socket is closing; the client catches up with since_seq when it reconnects.
		}
	}

	private rows(query: string, ...bindings: unknown[]): MessageRow[] {
		return this.sql.exec<MessageRow>(query, ...bindings).toArray();
	}
}
