/**
 * @module ChatRoom: one Durable Object per Orchard conversation (named by the two user ids sorted).
 *
 * - The room is the authority on its messages: they live in its SQLite storage, each with a
 *   server-assigned, strictly increasing `seq`, written before anyone is told (ack, delivery, REST answer).
 * - `(sender_id, client_message_id)` is unique, so a retried send returns the original message.
 * - WebSockets use the Hibernation API: the socket's user lives in its attachment and the participants in
 *   storage, so a hibernated or evicted room wakes with nothing lost; ping/pong never wakes it.
 * - The right to chat is HELD by the room (`meta.standing`: the pair's access — accepted connection or
 *   mentorship, no block — and each participant's role, trust, suspension and deletion, as of a time). A
 *   send decides from it without D1. The room learns changes:
 *   - from the API's revoking writes: block, removed connection and ended mentorship first `fence()` the
 *     room (stored: until FENCE_MS passes or the write's `revalidate(fence)` arrives, every message re-checks
 *     D1), commit, then `revalidate(fence)`, which reads D1 after the commit, closes what must close, and
 *     answers before the write does. A suspension tells the room `closeSocketsOf(user, until)` and an
 *     erasure `eraseMessagesOf(user)`, each recorded in the held standing;
 *   - by itself for what grants the right again (a new connection or mentorship, a lifted block or
 *     suspension): a held refusal is never trusted, D1 is asked before refusing; a suspension ends by time;
 *   - as a safety net, from D1: while the room is active the standing is re-read every REVALIDATE_MS (in
 *     the write-behind flush's batch when one is due, else by the alarm). A standing older than STANDING_MAX_AGE_MS
 *     (a room that slept), and any send in a room not yet registered in D1, is checked in D1 first.
 *   Every message is checked against the held standing again right before it is stored (no I/O between),
 *   so once a revocation is held no later message is stored or delivered.
 * - A stored message the recipient may see (not held back, recipient not suspended) is forwarded to their
 *   PersonStream (`ctx.waitUntil`: the send never waits for it, and a failure is only logged).
 * - D1 is written behind: a change marks both participants' `conversation_summaries` rows dirty and puts any
 *   moderation queue item in `d1_outbox`, in the same SQLite transaction as the change. The alarm writes
 *   them in one batch, at most once per SUMMARY_INTERVAL_MS, rows computed from current state; a failure
 *   keeps everything and re-arms the alarm with backoff, so eviction or restart loses nothing. The room's
 *   first message waits for that write (so erasure and suspension, which find rooms through the summaries,
 *   always find it); erasure and Guardian decisions flush at once.
 * - The daily message quota is leased from the sender's PersonStream in blocks and spent from this room's
 *   storage (chat-quota.ts): never over the limit; early refusal only by unreachable rooms' unspent blocks.
 */
import { DurableObject } from "cloudflare:workers";
import { inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { CurrentUser } from "../src/core/accounts/current-user";
import { type ChatAccess, chatAccessFrom, chatAccessQuery, conversationIdOf } from "../src/core/chat-access";
import { dispatchFanOuts } from "../src/core/fan-outs";
import {
	type CallerCountry,
	type CrisisResource,
	countryCode,
	crisisResources,
} from "../src/core/moderation/crisis";
import { type QueueSignal, queueItemForScreening } from "../src/core/moderation/queue";
import { type Screening, screenText } from "../src/core/moderation/screen";
import { requestMessagePush } from "../src/core/push-jobs";
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
	CHAT_COUNTRY_HEADER,
	CHAT_PEER_HEADER,
	CHAT_USER_HEADER,
	type ChangeInput,
	type ChangeOutcome,
	type ChatError,
	CLOSE_ACCESS_REVOKED,
	ClientFrame,
	EDIT_WINDOW_MS,
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
	TYPING_INTERVAL_MS,
	type WireMessage,
} from "./chat-protocol";
import {
	consumeChatQuota,
	type QuotaReservations,
	type QuotaUse,
	ROOM_QUOTA_SCHEMA,
	releaseReserved,
	returnUnspent,
	spendReserved,
} from "./chat-quota";
import type { PersonStreamBindings } from "./person-stream";
import { closeOnError, completeClose } from "./socket-close";
import type { DirectMessageFrame } from "./stream-protocol";

/** Days the text an edit or a delete replaced is kept for reports (then forgotten). */
export const REVISION_RETENTION_DAYS = 30;
/** Characters of the newest message kept in the D1 conversation list. */
const PREVIEW_CHARS = 140;
/** Moderation states the other participant never sees. */
const HELD_BACK = "('hidden', 'removed')";
/** While the room is active, the alarm re-reads the standing from D1 this often (the safety net). */
export const REVALIDATE_MS = 2 * 60_000;
/** A held standing older than this (a room that slept) is re-read from D1 before it is used. */
export const STANDING_MAX_AGE_MS = 2 * REVALIDATE_MS;
/** How long a fence makes every message re-check D1 unless its write's `revalidate` lifts it sooner. */
export const FENCE_MS = 60_000;
/** Write-behind coalescing: at most one D1 summary write per room per this interval. */
export const SUMMARY_INTERVAL_MS = 1_000;
/** A send's transaction rolled back because its quota lease was replaced (see storeMessage). */
const LEASE_GONE = Symbol("lease gone");
/** Up to this much is added to a flush's time, so that rooms busy together spread their writes. */
const FLUSH_JITTER_MS = 250;
/** Backoff of a failed D1 flush: doubling from the interval, at most this. */
const FLUSH_RETRY_MAX_MS = 5 * 60_000;
/** Queue items per flush batch (each is one statement; the rest wait for the next flush). */
const OUTBOX_PER_FLUSH = 50;

/** What the room holds of a participant (the fields the send path needs, nothing more). */
type Person = Pick<UserRow, "id" | "role" | "trustLevel" | "suspendedUntil"> & { deleted: boolean };

/** The right to chat as the room holds it; `asOf` is when the D1 read behind it started (or the poke). */
interface HeldStanding {
	asOf: number;
	access: ChatAccess;
	people: Record<string, Person>;
}

/**
 * The outcome of a standing check: the sender (and whether the other person is suspended: nothing is
 * forwarded to their live stream then), or the refusal to answer with.
 */
type Standing = { ok: true; user: Person; peerSuspended: boolean } | Refusal;
type Refusal = { ok: false; error: ChatError };

/** The room's bindings: the platform's, and the people's live streams (a message is forwarded to its recipient). */
export type ChatRoomBindings = PlatformBindings & PersonStreamBindings;

interface Attachment {
	userId: string;
	peerId: string;
	/** The country the socket was opened from (orders crisis resources); absent on sockets opened before it was kept. */
	country?: CallerCountry;
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
	edited_at: string | null;
	deleted_at: string | null;
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
		edited_at: row.edited_at ?? null,
		deleted_at: row.deleted_at ?? null,
	};
}

const changeRefusal = (status: ChatError["status"], code: ChatError["code"], detail: string): Refusal => ({
	ok: false,
	error: { status, code, detail },
});

const isHeldBack = (status: string) => status === "hidden" || status === "removed";
const suspendedNow = (person: Person | undefined, now = new Date()) =>
	person?.suspendedUntil != null && person.suspendedUntil > now.toISOString();

export class ChatRoom extends DurableObject<ChatRoomBindings> {
	private readonly sql: SqlStorage;
	/** The held standing, cached from `meta.standing` (undefined: not loaded yet; null: none held). */
	private standing: HeldStanding | null | undefined;
	/** The D1 standing read in flight and when it started (later callers may share it). */
	private check: { startedAt: number; done: Promise<HeldStanding | null> } | undefined;
	/** Serialises the D1 flushes (in memory only: the pending writes themselves are in storage). */
	private flushChain: Promise<void> = Promise.resolve();
	/** The last message or frame, for "active" (the alarm's revalidation). In memory: a woken room re-reads. */
	private lastActivity = 0;
	/** The last typing indicator relayed per sender (ephemeral: a woken room starts afresh). */
	private readonly typingRelayed = new Map<string, { at: number; active: boolean }>();
	/** Memory copies of storage this object alone writes (see `transaction`); undefined: not read yet. */
	private meta: Map<string, string> | undefined;
	private fences: Map<string, number> | undefined;
	/** This instance's share of FLUSH_JITTER_MS (fixed: a fresh draw per send would drift to the minimum). */
	private readonly flushJitter = Math.floor(Math.random() * FLUSH_JITTER_MS);
	/** Quota units promised to sends being screened (chat-quota.ts); in memory, as the sends are. */
	private readonly quotaReserved: QuotaReservations = new Map();
	/** The alarm as last set or read (null: none); undefined: not read yet. */
	private alarmAt: number | null | undefined;

	constructor(ctx: DurableObjectState, env: ChatRoomBindings) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		// Additive only: rooms exist with older storage.
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
			CREATE TABLE IF NOT EXISTS fences (id TEXT PRIMARY KEY, until_ms INTEGER NOT NULL);
			CREATE TABLE IF NOT EXISTS d1_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, signal TEXT NOT NULL);
			CREATE TABLE IF NOT EXISTS message_revisions (
				message_id TEXT NOT NULL, body TEXT NOT NULL, replaced_at TEXT NOT NULL
			);
			CREATE INDEX IF NOT EXISTS message_revisions_message ON message_revisions (message_id, replaced_at);
			CREATE INDEX IF NOT EXISTS message_revisions_replaced ON message_revisions (replaced_at);
		`);
		this.sql.exec(ROOM_QUOTA_SCHEMA);
		// Edits and deletes (added later): older rooms get the columns once.
		const columns = new Set(
			this.sql
				.exec<{ name: string }>("SELECT name FROM pragma_table_info('messages')")
				.toArray()
				.map((column) => column.name),
		);
		if (!columns.has("edited_at")) this.sql.exec("ALTER TABLE messages ADD COLUMN edited_at TEXT");
		if (!columns.has("deleted_at")) this.sql.exec("ALTER TABLE messages ADD COLUMN deleted_at TEXT");
		// Keep-alive pings are answered by the runtime without waking a hibernated room.
		ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
		// Writes an earlier instance did not get into D1 (evicted, or D1 failing): make sure the alarm is armed.
		if (this.hasPendingWrites()) ctx.blockConcurrencyWhile(() => this.armAlarm());
	}

	// ------------------------------------------------------------------ RPC used by the API Worker

	/** Sends a message (the REST path; sockets use the same steps). */
	async send(input: SendInput): Promise<SendOutcome> {
		return this.acceptMessage(input);
	}

	/** The PersonStream recalls `userId`'s unspent quota units of `day` (chat-quota.ts): how many there were. */
	async returnChatQuota(userId: string, day: string): Promise<number> {
		return returnUnspent(this.sql, this.quotaReserved, userId, day);
	}

	/** Edits the sender's own message (the REST path; sockets use the same steps). */
	async edit(input: ChangeInput & { text: string }): Promise<ChangeOutcome> {
		return this.changeMessage(input);
	}

	/** Deletes the sender's own message, leaving a tombstone (the REST path; sockets use the same steps). */
	async remove(input: Omit<ChangeInput, "text" | "country">): Promise<ChangeOutcome> {
		return this.changeMessage({ ...input, country: null });
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
		if (this.applyRead(userId, seq)) await this.armAlarm();
		return this.readStateFor(userId, peerId);
	}

	/**
	 * Before a write that may end the right to chat commits: until `revalidate(fence)` arrives (or FENCE_MS
	 * passes and D1 has been read since), every message here re-checks D1. Stored, so eviction keeps it. A
	 * failure here fails the write before it commits.
	 */
	async fence(): Promise<string> {
		const id = newId();
		const until = Date.now() + FENCE_MS;
		this.sql.exec("INSERT INTO fences (id, until_ms) VALUES (?, ?)", id, until);
		this.fenceMap().set(id, until);
		await this.armAlarm();
		return id;
	}

	/**
	 * After a write that may end the right to chat committed: reads the standing from D1 (after the commit),
	 * holds it, closes the sockets it no longer allows, and lifts the write's fence. Returns how many closed.
	 */
	async revalidate(fence?: string): Promise<number> {
		const participants = this.participants();
		const standing = participants ? await this.readStanding(Date.now()) : null;
		if (fence) {
			this.sql.exec("DELETE FROM fences WHERE id = ?", fence);
			this.fenceMap().delete(fence);
		}
		return standing ? this.enforce(standing) : 0;
	}

	/**
	 * A guardian suspended `userId` until `until`: the room holds it (no D1 read) and closes their sockets
	 * here; the other person's stay open.
	 */
	async closeSocketsOf(userId: string, until?: string): Promise<number> {
		this.learn(userId, (person) => {
			const later = until ?? "9999-12-31T23:59:59.999Z";
			if (person.suspendedUntil === null || person.suspendedUntil < later) person.suspendedUntil = later;
		});
		return this.closeAll("This account is suspended.", userId);
	}

	/**
	 * A Guardian decision on a message (`removed`, or back to `clean` when dismissed). Returns false when the
	 * message is not in this room. The conversation list follows at once.
	 */
	async setModerationStatus(messageId: string, status: "clean" | "flagged" | "hidden" | "removed") {
		const changed = this.transaction(() => {
			const written = this.sql.exec(
				"UPDATE messages SET moderation_status = ? WHERE id = ?",
				status,
				messageId,
			).rowsWritten;
			if (written > 0) this.markSummariesDirty();
			return written;
		});
		if (changed === 0) return false;
		await this.flushNow().catch(() => undefined);
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
		// Earlier versions the reporter may have read, newest first (an edit or a delete must not hide abuse).
		const earlier = this.sql
			.exec<{ body: string }>(
				"SELECT body FROM message_revisions WHERE message_id = ? ORDER BY replaced_at DESC",
				row.id,
			)
			.toArray()
			.map(({ body }) => body);
		const shown = row.deleted_at !== null ? "[deleted by its author]" : row.body;
		return {
			conversation_id: conversationIdOf(a, b),
			id: row.id,
			seq: row.seq,
			sender_id: row.sender_id,
			recipient_id: row.sender_id === a ? b : a,
			text:
				earlier.length === 0
					? row.body
					: [shown, "", "Earlier versions, newest first:", ...earlier.map((body) => `— ${body}`)].join("\n"),
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
	 * Account erasure: the room holds `userId` as deleted (nothing more from them is stored or delivered, and
	 * their own summary row is no longer written), closes their sockets, blanks the text of every message
	 * they sent (the rows stay, so `seq` and the other person's read state remain consistent) and writes the
	 * other person's list at once — a failure throws, so the erasure job retries. Returns how many messages
	 * were blanked. With `keepAsEvidence` (a report on their messages here is open, or led to a suspension in
	 * force) the messages stay for the other person — the victim keeps their copy — until the case has been
	 * closed long enough; the erasure cron then calls this again without it.
	 */
	async eraseMessagesOf(userId: string, keepAsEvidence = false): Promise<number> {
		this.learn(userId, (person) => {
			person.deleted = true;
		});
		this.closeAll("This account was deleted.", userId);
		if (keepAsEvidence) return 0;
		const erased = this.transaction(() => {
			this.sql.exec(
				"DELETE FROM message_revisions WHERE message_id IN (SELECT id FROM messages WHERE sender_id = ?)",
				userId,
			);
			const written = this.sql.exec(
				"UPDATE messages SET body = '', client_message_id = id, moderation_status = 'removed' WHERE sender_id = ?",
				userId,
			).rowsWritten;
			if (written > 0) this.markSummariesDirty();
			return written;
		});
		await this.flushNow();
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
		const country = countryCode(request.headers.get(CHAT_COUNTRY_HEADER));
		server.serializeAttachment({ userId, peerId, country } satisfies Attachment);

		// Only an explicit `since_seq` replays: without one the client reads the history over REST.
		const since = new URL(request.url).searchParams.get("since_seq");
		const replay =
			since !== null && /^\d+$/.test(since) ? this.replay(server, userId, Number(since)) : undefined;
		this.sendFrame(server, {
			type: "ready",
			conversation_id: conversationIdOf(userId, peerId),
			user_id: userId,
			peer_id: peerId,
			replayed: replay?.replayed ?? 0,
			has_more: replay?.hasMore ?? false,
			read_state: this.readStateFor(userId, peerId),
		});
		// An open socket makes the room active: the alarm keeps the held standing fresh.
		this.lastActivity = Date.now();
		await this.armAlarm();
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
		const country = attachment.country ?? null;
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
				detail: `Frames are JSON objects of type message, read, typing, edit, delete, sync or ping (at most ${MAX_FRAME_BYTES} bytes; text 1–${MAX_MESSAGE_CHARS} characters, not only invisible ones).`,
			});
			return;
		}
		// Messages check standing themselves (with a check right before they are stored); the rest here.
		if (frame.type === "read" || frame.type === "sync") {
			if (!(await this.standingHolds(userId, peerId, ws))) return;
		}
		switch (frame.type) {
			case "message": {
				await this.acceptMessage(
					{ senderId: userId, peerId, text: frame.text, clientMessageId: frame.client_message_id, country },
					ws,
				);
				return;
			}
			case "read":
				if (this.applyRead(userId, frame.seq)) await this.armAlarm();
				return;
			case "typing": {
				const active = frame.active ?? frame.typing ?? true;
				// Dropped silently when too soon; only a relayed one needs the standing (never for a person who
				// may not chat).
				if (!this.typingDue(userId, active)) return;
				if (!(await this.standingHolds(userId, peerId, ws))) return;
				this.typingRelayed.set(userId, { at: Date.now(), active });
				for (const socket of this.ctx.getWebSockets(peerId)) {
					this.sendFrame(socket, { type: "typing", user_id: userId, active, typing: active });
				}
				return;
			}
			case "edit":
			case "delete":
				await this.changeMessage(
					{
						userId,
						peerId,
						country,
						...(frame.message_id !== undefined ? { messageId: frame.message_id } : {}),
						...(frame.seq !== undefined ? { seq: frame.seq } : {}),
						...(frame.type === "edit" ? { text: frame.text } : {}),
					},
					ws,
				);
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

	// ------------------------------------------------------------------ the alarm: write-behind and revalidation

	/**
	 * Writes what is pending to D1 (coalesced: the alarm is armed at most once per SUMMARY_INTERVAL_MS), or,
	 * with nothing pending, re-reads the standing when it is due while the room is active. Never throws: a
	 * failure is recorded and the alarm re-armed with backoff.
	 */
	override async alarm(): Promise<void> {
		// This run consumed the alarm; what it (or a send meanwhile) sets next is known again.
		this.alarmAt = null;
		try {
			if (this.hasPendingWrites()) await this.flush();
			else if (this.participants() && this.revalidationDue(Date.now())) {
				const standing = await this.readStanding(Date.now());
				if (standing) this.enforce(standing);
			}
		} catch (error) {
			logEvent("warn", "chat_room_alarm_failed", {
				error: error instanceof Error ? error.message : String(error),
				failures: this.metaNumber("flush_failures"),
			});
		}
		await this.armAlarm();
	}

	/** Arms the alarm for the earliest of: the next flush (or its retry), the next revalidation while active. */
	private async armAlarm(): Promise<void> {
		const now = Date.now();
		let at: number | undefined;
		if (this.hasPendingWrites()) {
			const failures = this.metaNumber("flush_failures");
			const last = this.metaNumber("last_flush_ms");
			// Jittered (never sooner than the interval): rooms that started together do not flush together.
			at =
				failures > 0
					? last + Math.min(SUMMARY_INTERVAL_MS * 2 ** failures, FLUSH_RETRY_MAX_MS)
					: last + SUMMARY_INTERVAL_MS + this.flushJitter;
		}
		if (this.isActive(now)) {
			const due = (this.heldStanding()?.asOf ?? now) + REVALIDATE_MS;
			at = at === undefined ? due : Math.min(at, due);
		}
		// An expired fence is lifted by the next D1 read: let the alarm make one.
		for (const until of this.fenceMap().values()) at = at === undefined ? until : Math.min(at, until);
		if (at === undefined) return;
		at = Math.max(at, now);
		if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
		if (this.alarmAt === null || this.alarmAt > at) {
			await this.ctx.storage.setAlarm(at);
			this.alarmAt = at;
		}
	}

	private isActive(now: number): boolean {
		return this.ctx.getWebSockets().length > 0 || now - this.lastActivity < REVALIDATE_MS;
	}

	private revalidationDue(now: number): boolean {
		const held = this.heldStanding();
		return this.fenced() || (this.isActive(now) && (!held || now - held.asOf >= REVALIDATE_MS));
	}

	// ------------------------------------------------------------------ typing, edits and deletes

	/**
	 * May a typing indicator from `userId` be relayed now? At most one per TYPING_INTERVAL_MS, except that a
	 * stop after a relayed start always goes through (else the other person's indicator would hang): so at
	 * most two per interval, whatever the client sends.
	 */
	private typingDue(userId: string, active: boolean): boolean {
		const last = this.typingRelayed.get(userId);
		if (!last) return true;
		if (!active && last.active) return true;
		return Date.now() - last.at >= TYPING_INTERVAL_MS;
	}

	/**
	 * An edit (`text` given) or a delete of `userId`'s own message, for both paths: valid text → the right to
	 * chat (the held standing, as for a send) → the message is theirs (else 404), not deleted (an edit; a
	 * delete answers the tombstone again), within EDIT_WINDOW_MS, not held back by moderation (an edit) →
	 * the new text screened exactly as a new message → decided again with no I/O, then stored with the
	 * summaries marked dirty (and any queue item) → everyone's sockets told, each as they may see it.
	 */
	private async changeMessage(input: ChangeInput, origin?: WebSocket): Promise<ChangeOutcome> {
		const outcome = await this.applyChange(input, origin);
		if (!outcome.ok) {
			if (origin) {
				this.sendFrame(origin, {
					type: "error",
					code: outcome.error.code,
					detail: outcome.error.detail,
					...(input.messageId !== undefined ? { message_id: input.messageId } : {}),
					...(input.seq !== undefined ? { seq: input.seq } : {}),
				});
			}
			this.closeFor(outcome.error, input.userId);
		}
		return outcome;
	}

	private async applyChange(
		input: ChangeInput,
		origin?: WebSocket,
		screen: (text: string) => Promise<Screening> = (text) => screenText(this.env, text),
	): Promise<ChangeOutcome> {
		const { userId, peerId } = input;
		this.bind(userId, peerId);
		this.lastActivity = Date.now();
		const text = input.text?.trim();
		if (text !== undefined && (!hasVisibleText(text) || text.length > MAX_MESSAGE_CHARS)) {
			return changeRefusal(
				422,
				"bad_frame",
				`A message is 1–${MAX_MESSAGE_CHARS} characters, not only invisible ones.`,
			);
		}
		const standing = await this.standingFor(userId, peerId, false);
		if (!standing.ok) return standing;

		const found = this.ownMessage(input);
		if (!found.ok) return found;
		const row = found.row;
		if (text === undefined && row.deleted_at !== null) return { ok: true, message: present(row, userId) };
		if (text !== undefined && row.body === text && row.deleted_at === null) {
			return { ok: true, message: present(row, userId) };
		}
		const screening = text !== undefined ? await screen(text) : undefined;

		// The commit point: the standing and the row are decided again, with no I/O before the write.
		const held = this.heldStanding();
		const recheck = held ? this.verdict(held, userId, peerId) : this.refusal("not_found");
		if (!recheck.ok) return recheck;
		const again = this.ownMessage(input);
		if (!again.ok) return again;
		if (text === undefined && again.row.deleted_at !== null) {
			return { ok: true, message: present(again.row, userId) };
		}
		const now = new Date().toISOString();
		const before = again.row;
		const after = this.transaction(() => {
			// What the other person may have read stays for a report (never shown in the conversation): an edit or
			// a delete cannot wipe abuse before it is reported. Kept REVISION_RETENTION_DAYS.
			if (before.body !== "") {
				this.sql.exec(
					"INSERT INTO message_revisions (message_id, body, replaced_at) VALUES (?, ?, ?)",
					before.id,
					before.body,
					now,
				);
			}
			this.sql.exec(
				"DELETE FROM message_revisions WHERE replaced_at < ?",
				new Date(Date.now() - REVISION_RETENTION_DAYS * 86_400_000).toISOString(),
			);
			const updated =
				text !== undefined && screening
					? this.rows(
							"UPDATE messages SET body = ?, moderation_status = ?, toxicity = ?, edited_at = ? WHERE seq = ? RETURNING *",
							text,
							screening.status,
							screening.toxicity,
							now,
							before.seq,
						)[0]
					: this.rows(
							"UPDATE messages SET body = '', deleted_at = ? WHERE seq = ? RETURNING *",
							now,
							before.seq,
						)[0];
			if (!updated) throw new Error("message vanished while it was changed");
			this.markSummariesDirty();
			if (text !== undefined && screening?.needsReview) {
				const signal: QueueSignal = {
					targetType: "chat_message",
					targetId: updated.id,
					targetAuthorId: userId,
					snapshot: {
						conversation_id: conversationIdOf(userId, peerId),
						seq: updated.seq,
						sender_id: userId,
						recipient_id: peerId,
						text,
						created_at: updated.created_at,
						edited_at: now,
					},
					screening,
				};
				this.sql.exec("INSERT INTO d1_outbox (signal) VALUES (?)", JSON.stringify(signal));
			}
			return updated;
		});
		const resources = screening?.urgent
			? crisisResources(this.env.CRISIS_RESOURCES, input.country)
			: undefined;
		this.announceChange(before, after, origin, resources);
		await this.armAlarm();
		return {
			ok: true,
			message: present(after, userId),
			...(resources ? { crisisResources: resources } : {}),
		};
	}

	/** The message a change names, when it is `userId`'s own and may still be changed. */
	private ownMessage(input: ChangeInput): { ok: true; row: MessageRow } | Refusal {
		const row =
			input.messageId !== undefined
				? this.rows("SELECT * FROM messages WHERE id = ?", input.messageId)[0]
				: this.rows("SELECT * FROM messages WHERE seq = ?", input.seq ?? -1)[0];
		// Another person's message is as unknown as a missing one.
		if (!row || row.sender_id !== input.userId)
			return changeRefusal(404, "not_found", "No such message of yours.");
		// Deleting twice answers the same, whenever it is asked.
		if (input.text === undefined && row.deleted_at !== null) return { ok: true, row };
		if (row.deleted_at !== null) return changeRefusal(409, "conflict", "This message was deleted.");
		if (Date.now() - Date.parse(row.created_at) > EDIT_WINDOW_MS) {
			return changeRefusal(
				409,
				"edit_window_closed",
				`A message can be edited or deleted for ${EDIT_WINDOW_MS / 60_000} minutes after it was sent.`,
			);
		}
		if (input.text !== undefined && isHeldBack(row.moderation_status)) {
			return changeRefusal(409, "conflict", "This message is held back for review and cannot be edited.");
		}
		return { ok: true, row };
	}

	/**
	 * Tells every socket of the room about a change, as each may see it: the sender's all of it; the other
	 * person an update only of text they may see, and a removal when it was visible to them and no longer is
	 * (deleted, or the new text held back). Nothing about a message they never saw.
	 */
	private announceChange(
		before: MessageRow,
		after: MessageRow,
		origin?: WebSocket,
		resources?: CrisisResource[],
	): void {
		const shownBefore = !isHeldBack(before.moderation_status);
		for (const socket of this.ctx.getWebSockets()) {
			const attachment = socket.deserializeAttachment() as Attachment | null;
			if (!attachment) continue;
			const own = attachment.userId === after.sender_id;
			if (after.deleted_at !== null) {
				if (own || shownBefore)
					this.sendFrame(socket, { type: "message_deleted", id: after.id, seq: after.seq });
			} else if (own || !isHeldBack(after.moderation_status)) {
				this.sendFrame(socket, {
					type: "message_updated",
					message: present(after, attachment.userId),
					...(socket === origin && resources ? { crisis_resources: resources } : {}),
				});
			} else if (shownBefore) {
				this.sendFrame(socket, { type: "message_deleted", id: after.id, seq: after.seq });
			}
		}
	}

	// ------------------------------------------------------------------ sending

	/**
	 * The steps of one send, for both paths: may the sender still write here (the held standing) → a retry of
	 * a stored message? → daily quota → moderation → the standing again, then stored (the commit point, with
	 * its pending D1 writes) → ack and live delivery → the alarm writes D1 behind.
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
	 * May `userId` send to `peerId` now? From the held standing when it allows it and is trustworthy; D1 is
	 * read first when none is held, it is older than STANDING_MAX_AGE_MS, a fence is up, the room is not yet
	 * registered in D1 (`strict`, messages only), or it refuses (a refusal is never trusted: whatever granted
	 * the right again — a new connection, a lifted suspension — is found here). A suspended peer's sockets
	 * close at once.
	 */
	private async standingFor(userId: string, peerId: string, strict: boolean): Promise<Standing> {
		const arrived = Date.now();
		const held = this.heldStanding();
		const trusted =
			held !== null &&
			arrived - held.asOf < STANDING_MAX_AGE_MS &&
			!this.fenced() &&
			(!strict || this.registered());
		if (trusted) {
			const verdict = this.verdict(held, userId, peerId);
			if (verdict.ok) return this.noticePeer(verdict, peerId);
		}
		// Under a fence a message may only rely on a read that started after it arrived.
		const standing = await this.readStanding(this.fenced() || strict ? arrived : 0);
		if (!standing) return this.refusal("not_found");
		return this.noticePeer(this.verdict(standing, userId, peerId), peerId);
	}

	private noticePeer(standing: Standing, peerId: string): Standing {
		if (standing.ok && standing.peerSuspended) this.closeAll("This account is suspended.", peerId);
		return standing;
	}

	/** The verdict of a standing for a message from `userId` to `peerId`. */
	private verdict(standing: HeldStanding, userId: string, peerId: string): Standing {
		const peer = standing.people[peerId];
		// A deleted peer does not exist for the sender (the pair's access may read "forbidden" then).
		if (!peer || peer.deleted) return this.refusal("not_found");
		if (standing.access !== "ok") return this.refusal(standing.access);
		const user = standing.people[userId];
		if (!user || user.deleted || suspendedNow(user)) {
			const detail = user?.suspendedUntil
				? `This account is suspended until ${user.suspendedUntil}.`
				: "This account may not chat.";
			return { ok: false, error: { status: 403, code: "forbidden", detail, closes: "sender" } };
		}
		return { ok: true, user, peerSuspended: suspendedNow(peer) };
	}

	private refusal(access: "not_found" | "forbidden"): Refusal {
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

	/**
	 * For read, typing and sync frames: the held standing, D1 only when it is stale, fenced or refuses. A
	 * refusal answers an error frame and closes what it says; false means the frame is not acted on.
	 */
	private async standingHolds(userId: string, peerId: string, ws: WebSocket): Promise<boolean> {
		this.lastActivity = Date.now();
		const standing = await this.standingFor(userId, peerId, false);
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
		this.lastActivity = Date.now();
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
		const standing = await this.standingFor(senderId, peerId, true);
		if (!standing.ok) return standing;

		const existing = this.findByClientId(senderId, clientMessageId);
		if (existing) return this.deliverDuplicate(existing, senderId, origin);

		// The quota reads only id, role and trust level (core/quotas), which the room holds.
		let sender = standing.user as unknown as CurrentUser;
		let use = await this.consumeQuota(sender, peerId);
		if ("ok" in use) {
			// A refusal is never trusted: the sender's trust level may have risen since it was held.
			const fresh = await this.readStanding(Date.now());
			const again = fresh?.people[senderId];
			if (!again || (again.trustLevel === sender.trustLevel && again.role === sender.role)) return use;
			sender = again as unknown as CurrentUser;
			use = await this.consumeQuota(sender, peerId);
			if ("ok" in use) return use;
		}
		const quotaUse = use;

		let screening: Screening;
		try {
			screening = await screen(text);
		} catch (error) {
			releaseReserved(this.quotaReserved, quotaUse);
			throw error;
		}
		// The commit point. The standing may have changed while the quota and the screen were awaited (a
		// revoking write's `revalidate` arrived): decided again here, with no I/O before the insert.
		const now = this.heldStanding();
		const recheck = now ? this.verdict(now, senderId, peerId) : this.refusal("not_found");
		if (!recheck.ok) {
			releaseReserved(this.quotaReserved, quotaUse);
			return recheck;
		}
		const peerSuspended = recheck.peerSuspended;
		// The message and its quota unit are stored together (one commit).
		let leaseGone = false;
		const row = this.transaction(
			() => {
				const inserted = this.insertMessage(senderId, clientMessageId, text, screening);
				if (!inserted) return undefined;
				if (!spendReserved(this.sql, this.quotaReserved, quotaUse)) {
					leaseGone = true;
					throw new Error("the quota lease was replaced during the send");
				}
				// Sending implies having read everything before it.
				// (The newest message: no need to look up the last seq.) Either way the summaries are dirty.
				if (!this.applyRead(senderId, inserted.seq, false, inserted.seq)) this.markSummariesDirty();
				if (screening.needsReview) {
					const signal: QueueSignal = {
						targetType: "chat_message",
						targetId: inserted.id,
						targetAuthorId: senderId,
						snapshot: {
							conversation_id: conversationIdOf(senderId, peerId),
							seq: inserted.seq,
							sender_id: senderId,
							recipient_id: peerId,
							text,
							created_at: inserted.created_at,
						},
						screening,
					};
					this.sql.exec("INSERT INTO d1_outbox (signal) VALUES (?)", JSON.stringify(signal));
				}
				return inserted;
			},
			() => leaseGone,
		);
		if (row === LEASE_GONE) {
			// A new UTC day's lease replaced the one this send counted on (midnight, mid-send): nothing stored.
			return {
				ok: false,
				error: {
					status: 429,
					code: "rate_limited",
					detail: "The day's message allowance changed while this message was sent; send it again.",
					headers: { "Retry-After": "1" },
				},
			};
		}
		if (!row) {
			// A concurrent send of the same client_message_id won while this one was being screened.
			releaseReserved(this.quotaReserved, quotaUse);
			const winner = this.findByClientId(senderId, clientMessageId);
			if (!winner) throw new Error("message vanished after a duplicate insert");
			return this.deliverDuplicate(winner, senderId, origin);
		}

		const message = present(row, senderId);
		const resources = screening.urgent
			? crisisResources(this.env.CRISIS_RESOURCES, input.country)
			: undefined;
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

		// The room's first message waits for its D1 rows: erasure and suspension find rooms through them.
		if (!this.registered()) await this.flushNow().catch(() => undefined);
		else await this.armAlarm();
		return { ok: true, duplicate: false, message, ...(resources ? { crisisResources: resources } : {}) };
	}

	/** Counts one message against the daily quota (a lease: chat-quota.ts); the use, or the refusal. */
	private async consumeQuota(sender: CurrentUser, peerId: string): Promise<Refusal | QuotaUse> {
		try {
			return await consumeChatQuota(
				this.sql,
				this.quotaReserved,
				this.env.PERSON_STREAM,
				conversationIdOf(sender.id, peerId),
				sender,
			);
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

	/** Moves `userId`'s read position forward (never back); true when it moved (the summaries follow). */
	private applyRead(userId: string, seq: number, broadcast = true, lastSeq = this.lastSeq()): boolean {
		const target = Math.min(seq, lastSeq);
		const before = this.lastReadSeq(userId);
		if (target <= before) return false;
		this.transaction(() => {
			this.sql.exec(
				`INSERT INTO read_state (user_id, last_read_seq) VALUES (?, ?)
				 ON CONFLICT (user_id) DO UPDATE SET last_read_seq = max(last_read_seq, excluded.last_read_seq)`,
				userId,
				target,
			);
			this.markSummariesDirty();
		});
		if (broadcast) {
			for (const socket of this.ctx.getWebSockets()) {
				this.sendFrame(socket, { type: "read", user_id: userId, last_read_seq: target });
			}
		}
		return true;
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
				`SELECT count(*) AS n FROM messages
				 WHERE seq > ? AND sender_id <> ? AND moderation_status NOT IN ${HELD_BACK} AND deleted_at IS NULL`,
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

	// ------------------------------------------------------------------ the held standing

	private heldStanding(): HeldStanding | null {
		if (this.standing === undefined) {
			const stored = this.metaValue("standing");
			this.standing = stored ? (JSON.parse(stored) as HeldStanding) : null;
		}
		return this.standing;
	}

	/** Holds `standing` unless a newer one is held; lifts fences that expired before it was read. */
	private adopt(standing: HeldStanding): void {
		const held = this.heldStanding();
		this.sql.exec("DELETE FROM fences WHERE until_ms < ?", standing.asOf);
		for (const [id, until] of this.fenceMap()) if (until < standing.asOf) this.fenceMap().delete(id);
		if (held && held.asOf > standing.asOf) return;
		this.standing = standing;
		this.setMeta("standing", JSON.stringify(standing));
	}

	/** Records what a poke told about `userId` (suspended, deleted), as of now. */
	private learn(userId: string, change: (person: Person) => void): void {
		const held = this.heldStanding();
		const standing: HeldStanding = held
			? structuredClone(held)
			: { asOf: 0, access: "not_found", people: {} };
		const person = standing.people[userId] ?? {
			id: userId,
			role: "user",
			trustLevel: "new_sprout",
			suspendedUntil: null,
			deleted: false,
		};
		change(person);
		standing.people[userId] = person;
		standing.asOf = Math.max(standing.asOf, Date.now());
		this.standing = standing;
		this.setMeta("standing", JSON.stringify(standing));
	}

	private fenced(): boolean {
		return this.fenceMap().size > 0;
	}

	private fenceMap(): Map<string, number> {
		this.fences ??= new Map(
			this.sql
				.exec<{ id: string; until_ms: number }>("SELECT id, until_ms FROM fences")
				.toArray()
				.map(({ id, until_ms }) => [id, until_ms]),
		);
		return this.fences;
	}

	/** The room's summary rows are in D1 (a flush wrote them): erasure and suspension can find it. */
	private registered(): boolean {
		return this.metaValue("registered") === "1";
	}

	/**
	 * Reads the standing from D1 and holds it (unless a newer one arrived meanwhile); returns what is held
	 * after. A read already in flight is shared when it started at or after `notBefore`.
	 */
	private async readStanding(notBefore: number): Promise<HeldStanding | null> {
		const participants = this.participants();
		if (!participants) return null;
		if (!this.check || this.check.startedAt < notBefore) {
			const startedAt = Date.now();
			const done = (async () => {
				const db = createDb(this.env.DB);
				const [a, b] = participants;
				const [people, access] = await db.batch(this.standingQueries(db, a, b));
				this.adopt(this.standingFrom(a, b, people, access[0], startedAt));
				return this.heldStanding();
			})();
			const check = { startedAt, done };
			this.check = check;
			void done
				.finally(() => {
					if (this.check === check) this.check = undefined;
				})
				.catch(() => undefined);
		}
		return this.check.done;
	}

	private standingQueries(db: Db, a: string, b: string) {
		return [
			db
				.select({
					id: users.id,
					role: users.role,
					trustLevel: users.trustLevel,
					suspendedUntil: users.suspendedUntil,
					deletedAt: users.deletedAt,
				})
				.from(users)
				.where(inArray(users.id, [a, b])),
			chatAccessQuery(db, a, b),
		] as const;
	}

	private standingFrom(
		a: string,
		b: string,
		rows: Array<Pick<UserRow, "id" | "role" | "trustLevel" | "suspendedUntil" | "deletedAt">>,
		access: Parameters<typeof chatAccessFrom>[2],
		asOf: number,
	): HeldStanding {
		const people: Record<string, Person> = {};
		for (const row of rows) {
			people[row.id] = {
				id: row.id,
				role: row.role,
				trustLevel: row.trustLevel,
				suspendedUntil: row.suspendedUntil,
				deleted: row.deletedAt !== null,
			};
		}
		return { asOf, access: chatAccessFrom(a, b, access), people };
	}

	/**
	 * Closes the sockets the held standing no longer allows; returns how many. A deleted participant's close;
	 * the other person keeps theirs (read-only: their next message is refused and closes it).
	 */
	private enforce(standing: HeldStanding): number {
		const people = Object.values(standing.people);
		let closed = 0;
		for (const person of people) {
			if (person.deleted) closed += this.closeAll("This account was deleted.", person.id);
			else if (suspendedNow(person)) closed += this.closeAll("This account is suspended.", person.id);
		}
		if (standing.access !== "ok" && !people.some((person) => person.deleted)) {
			closed += this.closeAll("The right to chat in this conversation has ended.");
		}
		return closed;
	}

	// ------------------------------------------------------------------ D1 written behind

	private markSummariesDirty(): void {
		this.setMeta("summaries_version", String(this.metaNumber("summaries_version") + 1));
	}

	private hasPendingWrites(): boolean {
		return (
			this.metaNumber("summaries_version") > this.metaNumber("summaries_written") ||
			this.sql.exec("SELECT 1 FROM d1_outbox LIMIT 1").toArray().length > 0
		);
	}

	/** Flushes now (not waiting for the alarm); on a failure the alarm retries, and this throws. */
	private async flushNow(): Promise<void> {
		try {
			await this.flush();
		} finally {
			await this.armAlarm();
		}
	}

	/** One flush at a time; a failure is recorded (for the backoff) and thrown. */
	private flush(): Promise<void> {
		const run = this.flushChain.then(() => this.flushOnce());
		this.flushChain = run.catch(() => undefined);
		return run;
	}

	/**
	 * One D1 batch: the pending queue items, both participants' summary rows computed from current state (a
	 * deleted participant's row is no longer written), and the standing read after them. Only what the batch
	 * carried is marked written, so a change made while it was in flight is written by the next one.
	 */
	private async flushOnce(): Promise<void> {
		const participants = this.participants();
		if (!participants || !this.hasPendingWrites()) return;
		const [a, b] = participants;
		const version = this.metaNumber("summaries_version");
		const outbox = this.sql
			.exec<{ id: number; signal: string }>(
				"SELECT id, signal FROM d1_outbox ORDER BY id LIMIT ?",
				OUTBOX_PER_FLUSH,
			)
			.toArray();
		const db = createDb(this.env.DB);
		const writes: BatchItem<"sqlite">[] = [];
		let urgent = false;
		let summarised = false;
		for (const item of outbox) {
			const signal = JSON.parse(item.signal) as QueueSignal;
			const statement = queueItemForScreening(db, signal);
			if (statement) writes.push(statement);
			urgent ||= signal.screening.urgent;
		}
		if (version > this.metaNumber("summaries_written")) {
			const held = this.heldStanding();
			const statement = this.summariesStatement(
				db,
				(
					[
						[a, b],
						[b, a],
					] as const
				).filter(([userId]) => !held?.people[userId]?.deleted),
			);
			if (statement) {
				writes.push(statement);
				summarised = true;
			}
		}
		const startedAt = Date.now();
		this.setMeta("last_flush_ms", String(startedAt));
		// The standing rides along when the safety net is due (or the room is not registered yet): not on every
		// flush, which under load is once a second.
		const revalidating = !this.registered() || this.revalidationDue(startedAt);
		let results: unknown[];
		try {
			const [people, access] = this.standingQueries(db, a, b);
			results = revalidating
				? await db.batch([people, access, ...writes])
				: writes.length > 0
					? await db.batch(writes as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]])
					: [];
		} catch (error) {
			this.setMeta("flush_failures", String(this.metaNumber("flush_failures") + 1));
			logEvent("warn", "chat_write_behind_failed", {
				error: error instanceof Error ? error.message : String(error),
				failures: this.metaNumber("flush_failures"),
			});
			throw error;
		}
		this.transaction(() => {
			const last = outbox.at(-1);
			if (last) this.sql.exec("DELETE FROM d1_outbox WHERE id <= ?", last.id);
			this.setMeta("summaries_written", String(version));
			if (summarised) this.setMeta("registered", "1");
			this.setMeta("flush_failures", "0");
		});
		if (revalidating) {
			// The standing is read first in the batch: the batch is atomic, so it sees the same state as the writes.
			const [people, access] = results.slice(0, 2) as [
				Parameters<ChatRoom["standingFrom"]>[2],
				Array<Parameters<typeof chatAccessFrom>[2]>,
			];
			const standing = this.standingFrom(a, b, people, access[0], startedAt);
			this.adopt(standing);
			this.enforce(this.heldStanding() ?? standing);
		}
		// An urgent message's queue item wrote a guardian alert (the table's trigger): hand it to the queue
		// now rather than at the next cron. A failure leaves it for the cron.
		if (urgent) this.ctx.waitUntil(this.dispatchAlerts(db));
	}

	// ------------------------------------------------------------------ D1 conversation summaries

	/** Both participants' rows (those given) in one upsert, computed from the room's current state. */
	private summariesStatement(db: Db, sides: ReadonlyArray<readonly [string, string]>) {
		const updatedAt = new Date().toISOString();
		const values = sides.flatMap(([userId, peerId]) => {
			const last = this.rows(
				`SELECT * FROM messages WHERE sender_id = ? OR moderation_status NOT IN ${HELD_BACK}
				 ORDER BY seq DESC LIMIT 1`,
				userId,
			)[0];
			if (!last) return [];
			const lastReadSeq = this.lastReadSeq(userId);
			return [
				{
					conversationId: conversationIdOf(userId, peerId),
					userId,
					peerId,
					lastMessageSeq: last.seq,
					lastMessagePreview: last.body.slice(0, PREVIEW_CHARS),
					lastMessageAt: last.created_at,
					lastReadSeq,
					unreadCount: this.unreadCount(userId, lastReadSeq),
					updatedAt,
				},
			];
		});
		if (values.length === 0) return undefined;
		return db
			.insert(conversationSummaries)
			.values(values)
			.onConflictDoUpdate({
				target: [conversationSummaries.conversationId, conversationSummaries.userId],
				set: {
					lastMessageSeq: sql`excluded.last_message_seq`,
					lastMessagePreview: sql`excluded.last_message_preview`,
					lastMessageAt: sql`excluded.last_message_at`,
					lastReadSeq: sql`excluded.last_read_seq`,
					unreadCount: sql`excluded.unread_count`,
					updatedAt: sql`excluded.updated_at`,
				},
			});
	}

	// ------------------------------------------------------------------ plumbing

	/** Records the room's participants on first use and refuses anyone else afterwards. */
	private bind(userId: string, peerId: string): void {
		const conversationId = conversationIdOf(userId, peerId);
		const stored = this.metaValue("conversation_id");
		if (stored === undefined) this.setMeta("conversation_id", conversationId);
		else if (stored !== conversationId) throw new Error("This ChatRoom belongs to another conversation.");
	}

	private participants(): [string, string] | undefined {
		const [a, b] = this.metaValue("conversation_id")?.split(":") ?? [];
		return a && b ? [a, b] : undefined;
	}

	/** Closes every socket of the room, or only those of `userId`. */
	private closeAll(reason: string, userId?: string): number {
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

	/**
	 * `meta` read through a write-through memory copy: a send consults it several times, and this object is its
	 * only writer. Dropped whenever a transaction rolls back (`transaction`), so it never outlives storage.
	 */
	private metaValue(key: string): string | undefined {
		if (!this.meta) {
			this.meta = new Map(
				this.sql
					.exec<{ key: string; value: string }>("SELECT key, value FROM meta")
					.toArray()
					.map(({ key, value }) => [key, value]),
			);
		}
		return this.meta.get(key);
	}

	private metaNumber(key: string): number {
		return Number(this.metaValue(key) ?? 0);
	}

	private setMeta(key: string, value: string): void {
		this.sql.exec(
			"INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			key,
			value,
		);
		this.meta?.set(key, value);
	}

	/**
	 * `transactionSync`, forgetting the memory copies of storage when it rolls back. A rollback that
	 * `expected()` owns up to answers LEASE_GONE instead of throwing.
	 */
	private transaction<T>(work: () => T): T;
	private transaction<T>(work: () => T, expected: () => boolean): T | typeof LEASE_GONE;
	private transaction<T>(work: () => T, expected?: () => boolean): T | typeof LEASE_GONE {
		try {
			return this.ctx.storage.transactionSync(work);
		} catch (error) {
			this.meta = undefined;
			this.standing = undefined;
			this.fences = undefined;
			if (expected?.()) return LEASE_GONE;
			throw error;
		}
	}

	private rows(query: string, ...bindings: unknown[]): MessageRow[] {
		return this.sql.exec<MessageRow>(query, ...bindings).toArray();
	}
}
