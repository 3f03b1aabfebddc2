/**
 * @module PersonStream: one Durable Object per person (`idFromName(user_id)`), holding their live stream's
 * WebSockets — every device of theirs — and telling them what changed. Reached only through the API Worker.
 *
 * - Poke, then read: whoever writes notifications pokes the person's object (`changed()`) once the write has
 *   committed. With no open socket a poke does nothing (no D1 read). With sockets, the object reads from D1
 *   the notifications changed since its high-water mark (one range read of `notifications_user_updated_idx`,
 *   re-reading CLOCK_SKEW_WINDOW_MS behind it), sends the ones not sent yet and the unread count, and
 *   remembers the new mark in its storage. A lost poke is caught up by the next one or by a reconnect: the
 *   list is the source of truth, the stream only tells.
 * - Every read also reads the person's standing: a suspended or deleted account's sockets close (4403), and a
 *   deleted account's object forgets what it kept.
 * - Chat messages are not read here: the ChatRoom that stored one forwards it (`message()`), and the
 *   conversation's own history is where a reconnecting client catches up.
 * - At most MAX_STREAMS_PER_PERSON sockets: a new one beyond that closes the oldest (4429), so a flood of
 *   connections (a client reconnecting in a loop, a stolen token) holds a bounded number open.
 * - Hibernation: the person lives in each socket's attachment and the mark in storage; ping/pong never wakes it.
 */
import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { isSuspended } from "../src/core/accounts/current-user";
import {
	actorProfiles,
	notificationsChangedQuery,
	presentNotification,
	unreadCountQuery,
} from "../src/core/notifications";
import { createDb, type Db } from "../src/db/client";
import type { NotificationRow } from "../src/db/tables/notifications";
import { users } from "../src/db/tables/users";
import type { PlatformBindings } from "../src/lib/bindings";
import { allowChatFrame, CHAT_FRAME_POLICY } from "../src/lib/burst-policies";
import { logEvent } from "../src/lib/log";
import {
	dayKnown,
	grantLease,
	type LeaseHolder,
	type LeaseRequest,
	PERSON_QUOTA_SCHEMA,
	type QuotaNamespace,
	recallLeases,
} from "./chat-quota";
import { closeOnError, completeClose } from "./socket-close";
import {
	CATCH_UP_LIMIT,
	CLOCK_SKEW_WINDOW_MS,
	CLOSE_ACCOUNT_CLOSED,
	CLOSE_TOO_MANY_STREAMS,
	type DirectMessageFrame,
	MAX_STREAM_FRAME_BYTES,
	MAX_STREAMS_PER_PERSON,
	STREAM_PING_FRAME,
	STREAM_PONG_FRAME,
	STREAM_USER_HEADER,
	StreamClientFrame,
	type StreamServerFrame,
	StreamSince,
} from "./stream-protocol";

/** Notifications read per D1 round trip when a poke is answered. */
const PUSH_PAGE = 100;
/** Pages per poke at most (a burst larger than this arrives with the next poke, or the list). */
const PUSH_PAGES = 5;

interface Attachment {
	userId: string;
	/** When the socket was accepted (ms): the oldest closes first when there are too many. */
	openedAt?: number;
}

type Standing = "ok" | "suspended" | "deleted";

const iso = (ms: number) => new Date(ms).toISOString();

/** Streams poked at once by one call of `pokeStreams`. */
const POKES_IN_FLIGHT = 20;

/** The live streams, as a Durable Object that writes notifications names them beside its other bindings. */
export interface PersonStreamBindings {
	PERSON_STREAM: DurableObjectNamespace<PersonStream>;
}

/**
 * For the Durable Objects that write notifications themselves (outside any request, so no request pokes for
 * them): tells the streams of `userIds` to look again, once the write has committed. Never throws: a failed
 * poke is logged, and the next poke or the client's reconnect catches up from the list.
 */
export async function pokeStreams(
	namespace: PersonStreamBindings["PERSON_STREAM"],
	userIds: Iterable<string>,
): Promise<void> {
	const people = [...new Set(userIds)];
	let failed = 0;
	for (let start = 0; start < people.length; start += POKES_IN_FLIGHT) {
		const outcomes = await Promise.allSettled(
			people
				.slice(start, start + POKES_IN_FLIGHT)
				.map((userId) => namespace.get(namespace.idFromName(userId)).changed()),
		);
		failed += outcomes.filter((outcome) => outcome.status === "rejected").length;
	}
	if (failed > 0) logEvent("warn", "stream_poke_failed", { people: people.length, failed });
}

export class PersonStream extends DurableObject<PlatformBindings> {
	private readonly sql: SqlStorage;
	/** The poke being answered, and whether another arrived meanwhile (in memory: a woken object reads anew). */
	private pushing: Promise<void> | undefined;
	private pushAgain = false;

	constructor(ctx: DurableObjectState, env: PlatformBindings) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		this.sql.exec(`
			CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
			CREATE TABLE IF NOT EXISTS sent (id TEXT PRIMARY KEY, updated_at TEXT NOT NULL);
		`);
		this.sql.exec(PERSON_QUOTA_SCHEMA);
		// Keep-alive pings are answered by the runtime without waking a hibernated object.
		ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(STREAM_PING_FRAME, STREAM_PONG_FRAME));
	}

	// ------------------------------------------------------------------ RPC used by the API Worker and ChatRoom

	/**
	 * Something of this person's changed in D1 (notifications written or read, their standing): with open
	 * sockets, read what changed and tell them. Concurrent pokes share one read, plus one more after it.
	 */
	async changed(): Promise<void> {
		if (this.ctx.getWebSockets().length === 0) return;
		if (this.pushing) {
			this.pushAgain = true;
			return this.pushing;
		}
		this.pushing = (async () => {
			do {
				this.pushAgain = false;
				await this.push();
			} while (this.pushAgain && this.ctx.getWebSockets().length > 0);
		})().finally(() => {
			this.pushing = undefined;
		});
		return this.pushing;
	}

	/**
	 * A ChatRoom leases a block of this person's daily chat message quota (durable-objects/chat-quota.ts):
	 * how many units it may spend. 0 means the limit is spent — after recalling the unspent units of the
	 * person's other rooms. The first lease of a day seeds the count from D1 (uses counted there before).
	 */
	async leaseChatQuota(request: LeaseRequest): Promise<number> {
		if (!dayKnown(this.sql, request.day)) {
			await this.ctx.blockConcurrencyWhile(async () => {
				if (dayKnown(this.sql, request.day)) return;
				const row = await this.env.DB.prepare(
					"SELECT count FROM daily_quotas WHERE user_id = ? AND day = ? AND kind = 'messages'",
				)
					.bind(request.userId, request.day)
					.first<{ count: number }>();
				this.sql.exec("INSERT INTO chat_quota (day, granted) VALUES (?, ?)", request.day, row?.count ?? 0);
			});
		}
		const granted = grantLease(this.sql, request);
		if (granted > 0) return granted;
		const rooms = (this.env as unknown as { CHAT_ROOM?: QuotaNamespace<LeaseHolder> }).CHAT_ROOM;
		if (!rooms) return 0;
		await recallLeases(rooms, this.sql, request);
		return grantLease(this.sql, request);
	}

	/** A ChatRoom stored a message this person may see: every open socket gets it. Returns how many. */
	async message(frame: DirectMessageFrame): Promise<number> {
		const sockets = this.ctx.getWebSockets();
		for (const socket of sockets) this.sendFrame(socket, frame);
		return sockets.length;
	}

	// ------------------------------------------------------------------ WebSockets (Hibernation API)

	/** The upgrade, already authenticated by the API Worker (the person's standing was checked there). */
	override async fetch(request: Request): Promise<Response> {
		if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
			return new Response("Expected a WebSocket upgrade.", { status: 426 });
		}
		const userId = request.headers.get(STREAM_USER_HEADER);
		if (!userId) return new Response("Missing the person.", { status: 400 });
		if (!this.bind(userId)) return new Response("This stream belongs to someone else.", { status: 403 });
		const since = StreamSince.safeParse(new URL(request.url).searchParams.get("since") ?? undefined);

		const pair = new WebSocketPair();
		const [client, server] = [pair[0], pair[1]];
		const first = this.ctx.getWebSockets().length === 0;
		this.ctx.acceptWebSocket(server, [userId]);
		server.serializeAttachment({ userId, openedAt: Date.now() } satisfies Attachment);
		this.closeOldest(server);
		if (first) {
			// Nobody was told anything while no socket was open: the mark starts now (the client catches up
			// from its own `since`), and what was sent to sockets long gone is forgotten.
			this.sql.exec("DELETE FROM sent");
			this.setMark(new Date().toISOString());
		}
		// Accepted before reading, so a poke that arrives during the catch-up reaches this socket too.
		const outcome = await this.catchUp(server, userId, since.success ? since.data : undefined);
		if (outcome) this.sendFrame(server, { type: "ready", ...outcome });
		return new Response(null, { status: 101, webSocket: client });
	}

	override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
		const attachment = ws.deserializeAttachment() as Attachment | null;
		if (!attachment) {
			ws.close(1011, "Lost track of this connection; reconnect.");
			return;
		}
		const frame = this.parseFrame(data);
		// The chat frame limiter, under its own key: a flood of syncs (each a D1 read) is refused.
		if (frame?.type !== "ping" && !(await allowChatFrame(this.env, `stream:${attachment.userId}`))) {
			this.sendFrame(ws, {
				type: "error",
				code: "rate_limited",
				detail: `Too many frames: at most ${CHAT_FRAME_POLICY.limit} per ${CHAT_FRAME_POLICY.period} seconds. Nothing was done; retry later.`,
				retry_after: CHAT_FRAME_POLICY.period,
			});
			return;
		}
		if (!frame) {
			this.sendFrame(ws, {
				type: "error",
				code: "bad_frame",
				detail: `Frames are JSON objects of type sync (with an ISO 8601 \`since\`) or ping, at most ${MAX_STREAM_FRAME_BYTES} bytes.`,
			});
			return;
		}
		if (frame.type === "ping") {
			this.sendFrame(ws, { type: "pong" });
			return;
		}
		const outcome = await this.catchUp(ws, attachment.userId, frame.since);
		if (outcome) this.sendFrame(ws, { type: "sync_done", ...outcome });
	}

	override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
		completeClose(ws, code, reason);
	}

	override async webSocketError(ws: WebSocket): Promise<void> {
		closeOnError(ws);
	}

	// ------------------------------------------------------------------ reading from the list

	/**
	 * One socket's catch-up (on connect, and on `sync`): the notifications changed since `since` (and the
	 * window before it), oldest first, then the unread count. Without `since`, only the count: the client
	 * holds nothing yet and reads the list. Undefined when the socket was closed or the read failed (an error
	 * frame says so).
	 */
	private async catchUp(
		ws: WebSocket,
		userId: string,
		since: string | undefined,
	): Promise<{ replayed: number; has_more: boolean } | undefined> {
		const db = createDb(this.env.DB);
		const from = iso((since ? Date.parse(since) : Date.now()) - CLOCK_SKEW_WINDOW_MS);
		try {
			const [standing, rows, count] = await this.read(db, userId, { since: from }, CATCH_UP_LIMIT + 1);
			if (standing !== "ok") {
				this.closeFor(standing);
				return undefined;
			}
			const read = rows.slice(0, CATCH_UP_LIMIT);
			const shown = since ? read : [];
			const profiles = await actorProfiles(db, shown);
			for (const row of shown) {
				this.sendFrame(ws, { type: "notification", notification: presentNotification(row, profiles) });
			}
			this.sendFrame(ws, { type: "unread_count", count });
			// With this the only socket, what it holds now is what every socket holds: a poke need not send
			// these again (one that commits later, stamped earlier, is not among them and still goes out).
			const sockets = this.ctx.getWebSockets();
			if (sockets.length === 1 && sockets[0] === ws) this.recordSent(read);
			return { replayed: shown.length, has_more: since !== undefined && rows.length > CATCH_UP_LIMIT };
		} catch (error) {
			logEvent("warn", "stream_catch_up_failed", { error: describe(error) });
			this.sendFrame(ws, {
				type: "error",
				code: "unavailable",
				detail: "Could not read your notifications just now; send a sync or reload the list.",
			});
			return undefined;
		}
	}

	/** Answers a poke: what changed since the mark (and the window before it) that no socket was sent yet. */
	private async push(): Promise<void> {
		const owner = this.owner();
		if (!owner) return;
		const db = createDb(this.env.DB);
		const mark = this.mark() ?? new Date().toISOString();
		const since = iso(Date.parse(mark) - CLOCK_SKEW_WINDOW_MS);
		try {
			let [standing, rows, count] = await this.read(db, owner, { since }, PUSH_PAGE + 1);
			if (standing !== "ok") {
				this.closeFor(standing);
				return;
			}
			for (let page = 1; ; page += 1) {
				await this.sendChanged(db, rows.slice(0, PUSH_PAGE));
				const last = rows[PUSH_PAGE - 1];
				if (rows.length <= PUSH_PAGE || !last || page >= PUSH_PAGES) break;
				rows = await notificationsChangedQuery(
					db,
					owner,
					{ after: { at: last.updatedAt, id: last.id } },
					PUSH_PAGE + 1,
				);
				count = Number((await unreadCountQuery(db, owner).get())?.count ?? 0);
			}
			for (const socket of this.ctx.getWebSockets()) this.sendFrame(socket, { type: "unread_count", count });
			this.sql.exec("DELETE FROM sent WHERE updated_at < ?", iso(Date.parse(since) - CLOCK_SKEW_WINDOW_MS));
		} catch (error) {
			// Nothing is lost: the mark did not move past what was not sent, and the next poke reads again.
			logEvent("warn", "stream_push_failed", { error: describe(error) });
		}
	}

	/** Sends every open socket the rows it was not sent yet (in this version), and moves the mark. */
	private async sendChanged(db: Db, rows: NotificationRow[]): Promise<void> {
		const fresh = rows.filter((row) => this.sentVersion(row.id) !== row.updatedAt);
		if (fresh.length > 0) {
			const profiles = await actorProfiles(db, fresh);
			const sockets = this.ctx.getWebSockets();
			for (const row of fresh) {
				const frame: StreamServerFrame = {
					type: "notification",
					notification: presentNotification(row, profiles),
				};
				for (const socket of sockets) this.sendFrame(socket, frame);
			}
			this.recordSent(fresh);
		}
		const newest = rows.at(-1)?.updatedAt;
		if (newest) this.setMark(newest);
	}

	/** One D1 round trip: the person's standing, a page of changed notifications, and the unread count. */
	private async read(
		db: Db,
		userId: string,
		from: { since: string },
		limit: number,
	): Promise<[Standing, NotificationRow[], number]> {
		const [people, rows, [count]] = await db.batch([
			db
				.select({ deletedAt: users.deletedAt, suspendedUntil: users.suspendedUntil })
				.from(users)
				.where(eq(users.id, userId)),
			notificationsChangedQuery(db, userId, from, limit),
			unreadCountQuery(db, userId),
		]);
		const person = people[0];
		const standing: Standing =
			!person || person.deletedAt !== null ? "deleted" : isSuspended(person) ? "suspended" : "ok";
		return [standing, rows, Number(count?.count ?? 0)];
	}

	// ------------------------------------------------------------------ plumbing

	/** Closes every socket (4403); a deleted account's object also forgets its mark and what it sent. */
	private closeFor(standing: Exclude<Standing, "ok">): void {
		const reason = standing === "deleted" ? "This account was deleted." : "This account is suspended.";
		for (const socket of this.ctx.getWebSockets()) {
			try {
				socket.close(CLOSE_ACCOUNT_CLOSED, reason);
			} catch {
				// already closing
			}
		}
		if (standing === "deleted") {
			this.sql.exec("DELETE FROM sent");
			this.sql.exec("DELETE FROM meta");
		}
	}

	/** Beyond MAX_STREAMS_PER_PERSON open sockets, closes the oldest (never `newest`, the one just accepted). */
	private closeOldest(newest: WebSocket): void {
		const open = this.ctx
			.getWebSockets()
			.filter((socket) => socket !== newest && socket.readyState === WebSocket.OPEN)
			.map((socket) => ({
				socket,
				openedAt: (socket.deserializeAttachment() as Attachment | null)?.openedAt ?? 0,
			}))
			.sort((a, b) => a.openedAt - b.openedAt);
		const excess = open.length + 1 - MAX_STREAMS_PER_PERSON;
		for (const { socket } of open.slice(0, Math.max(0, excess))) {
			try {
				socket.close(
					CLOSE_TOO_MANY_STREAMS,
					`At most ${MAX_STREAMS_PER_PERSON} streams at once: this, the oldest, was closed.`,
				);
			} catch {
				// already closing
			}
		}
		if (excess > 0) logEvent("info", "stream_oldest_closed", { closed: excess });
	}

	/** Records the object's person on first use; false for anyone else afterwards. */
	private bind(userId: string): boolean {
		const owner = this.owner();
		if (!owner) this.sql.exec("INSERT INTO meta (key, value) VALUES ('owner', ?)", userId);
		return !owner || owner === userId;
	}

	private owner(): string | undefined {
		return this.metaValue("owner");
	}

	private mark(): string | undefined {
		return this.metaValue("mark");
	}

	/** Moves the high-water mark forward (never back). */
	private setMark(at: string): void {
		this.sql.exec(
			`INSERT INTO meta (key, value) VALUES ('mark', ?)
			 ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`,
			at,
		);
	}

	private metaValue(key: string): string | undefined {
		return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
	}

	private recordSent(rows: readonly NotificationRow[]): void {
		for (const row of rows) {
			this.sql.exec(
				"INSERT INTO sent (id, updated_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at",
				row.id,
				row.updatedAt,
			);
		}
	}

	private sentVersion(id: string): string | undefined {
		return this.sql.exec<{ updated_at: string }>("SELECT updated_at FROM sent WHERE id = ?", id).toArray()[0]
			?.updated_at;
	}

	private parseFrame(data: string | ArrayBuffer): StreamClientFrame | undefined {
		if (typeof data !== "string" || data.length > MAX_STREAM_FRAME_BYTES) return undefined;
		try {
			const parsed = StreamClientFrame.safeParse(JSON.parse(data));
			return parsed.success ? parsed.data : undefined;
		} catch {
			return undefined;
		}
	}

	private sendFrame(ws: WebSocket, frame: StreamServerFrame | DirectMessageFrame): void {
		try {
			ws.send(JSON.stringify(frame));
		} catch {
			// The socket is closing; the client catches up with `since` when it reconnects.
		}
	}
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : "failed");
