/**
 * @module orchard/chat: the API side of Orchard chat — reaching a conversation's ChatRoom, the access rule
 * turned into 404/403, WebSocket tickets, and the conversation list (one D1 query over the summaries the
 * rooms keep current).
 */
import { and, desc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { ChatError, ReportableMessage } from "../../../durable-objects/chat-protocol";
import { notBlockedWith } from "../../core/blocks";
import { chatAccess, conversationIdOf, participantsOf } from "../../core/chat-access";
import { announceLater } from "../../core/notifications";
import { createDb, type Db } from "../../db/client";
import { afterCursor } from "../../db/keyset";
import { preparedQuery } from "../../db/prepared";
import { chatTickets, connections, conversationSummaries, mentorships } from "../../db/tables/orchard";
import { users } from "../../db/tables/users";
import type { Bindings } from "../../env";
import type { TicketRefusal } from "../../http/socket-refusal";
import { logEvent } from "../../lib/log";
import { decodeCursor, toPage } from "../../lib/pagination";
import { forbidden, notFound, Problem } from "../../lib/problem";
import { randomTicket, sha256Hex } from "../../lib/tickets";

/** A ticket opens one WebSocket, within this many seconds of being issued. */
export const TICKET_TTL_SECONDS = 60;

/** The ChatRoom of a pair (the same for both of them). */
export function roomFor(env: Pick<Bindings, "CHAT_ROOM">, a: string, b: string) {
	return env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(conversationIdOf(a, b)));
}

/** 404 when the peer does not exist for me (or a block either way), 403 when we may not chat. */
export async function requireChatAccess(db: Db, userId: string, peerId: string): Promise<void> {
	const access = await chatAccess(db, userId, peerId);
	if (access === "not_found") throw notFound("conversation");
	if (access === "forbidden") {
		throw forbidden(
			"Only accepted connections, or a mentee and guide in an accepted mentorship, can message each other.",
		);
	}
}

/**
 * Before a write that may end the pair's right to chat commits: the room re-checks D1 on every message until
 * `revalidateRoom(…, fence)` (or FENCE_MS). A failure throws (503) before anything is committed.
 */
export async function fenceRoom(env: Pick<Bindings, "CHAT_ROOM">, a: string, b: string): Promise<string> {
	return roomFor(env, a, b).fence();
}

/**
 * After such a write committed: the room reads D1, holds what it found, closes the sockets it no longer
 * allows and lifts the fence — and answers before the write does ("within one message"). The change is
 * committed, so a failure is only logged: the fence keeps the room checking D1 on every message until it
 * has read D1 after the fence expired, so nothing sent after this answer is delivered either way.
 */
export async function revalidateRoom(
	env: Pick<Bindings, "CHAT_ROOM">,
	a: string,
	b: string,
	fence?: string,
): Promise<void> {
	try {
		await roomFor(env, a, b).revalidate(fence);
	} catch (error) {
		logEvent("warn", "chat_revalidate_failed", {
			error: error instanceof Error ? error.message : String(error),
		});
	}
}

/** How many of a suspended person's most recent conversations are told to close their sockets at once. */
const SUSPENSION_ROOMS = 200;

/**
 * A guardian suspended `userId` until `until` (through `commitGuardianBatch`): their most recent conversations'
 * rooms hold the suspension (no D1 read) and close their open sockets (the other person's stay open). A room
 * beyond those, or one the call failed for, learns it at its next D1 read: its write-behind flush or its
 * alarm (REVALIDATE_MS while active), or the first message after it slept. Their live stream is asked to look
 * again once the request has succeeded: it reads their standing and closes its sockets too. The suspension
 * is already committed, so a failure here is only logged: a 5xx would invite a retry that issues a second
 * penalty.
 */
export async function closeChatSocketsOf(
	env: Pick<Bindings, "CHAT_ROOM">,
	db: Db,
	userId: string,
	until: string,
): Promise<void> {
	announceLater(userId);
	try {
		const rooms = await db
			.select({ peerId: conversationSummaries.peerId })
			.from(conversationSummaries)
			.where(
				and(
					eq(conversationSummaries.userId, userId),
					sql`${conversationSummaries.lastMessageAt} IS NOT NULL`,
				),
			)
			.orderBy(desc(conversationSummaries.lastMessageAt))
			.limit(SUSPENSION_ROOMS);
		const outcomes = await Promise.allSettled(
			rooms.map(({ peerId }) => roomFor(env, userId, peerId).closeSocketsOf(userId, until)),
		);
		const failed = outcomes.filter((outcome) => outcome.status === "rejected").length;
		if (failed > 0) logEvent("warn", "chat_suspension_close_failed", { rooms: rooms.length, failed });
	} catch (error) {
		logEvent("warn", "chat_suspension_close_failed", {
			error: error instanceof Error ? error.message : String(error),
		});
	}
}

/**
 * For Guardians: applies a decision to a chat message (`removed`, or `clean` when a report is dismissed).
 * `conversationId` is in the queue item's snapshot. False when the message is not in that conversation.
 */
export async function setChatMessageModeration(
	env: Pick<Bindings, "CHAT_ROOM">,
	conversationId: string,
	messageId: string,
	status: "clean" | "flagged" | "hidden" | "removed",
): Promise<boolean> {
	const participants = participantsOf(conversationId);
	if (!participants) return false;
	return roomFor(env, ...participants).setModerationStatus(messageId, status);
}

/**
 * For `POST /reports`: message `messageId` of the conversation between `reporterId` and `authorId`, as the
 * reporter's room stores it; undefined when there is no such message there or the reporter never saw it.
 */
export async function chatMessageForReport(
	env: Pick<Bindings, "CHAT_ROOM">,
	reporterId: string,
	authorId: string,
	messageId: string,
): Promise<ReportableMessage | undefined> {
	// Nobody has a conversation with themselves.
	if (reporterId === authorId) return undefined;
	return roomFor(env, reporterId, authorId).messageForReport(messageId, reporterId);
}

/**
 * For account erasure: closes `userId`'s sockets and blanks what they wrote in each of their conversations
 * (ids from the summaries) — or, with `keepAsEvidence`, leaves the words for the other person.
 */
export async function eraseChatMessagesOf(
	env: Pick<Bindings, "CHAT_ROOM">,
	userId: string,
	conversationIds: string[],
	keepAsEvidence = false,
): Promise<void> {
	for (const conversationId of conversationIds) {
		const participants = participantsOf(conversationId);
		if (participants) await roomFor(env, ...participants).eraseMessagesOf(userId, keepAsEvidence);
	}
}

/**
 * History may be read with a person who has deleted their account: the other participant keeps their copy
 * of the conversation, read-only (the deleted person's words are blanked unless kept as evidence). Sending,
 * tickets and sockets still need the right to chat.
 */
export async function requireChatReadAccess(db: Db, userId: string, peerId: string): Promise<void> {
	if (userId !== peerId) {
		const peer = await db
			.select({ deletedAt: users.deletedAt })
			.from(users)
			.where(eq(users.id, peerId))
			.get();
		if (peer?.deletedAt) return;
	}
	await requireChatAccess(db, userId, peerId);
}

/** Scheduled sweep: spent and expired chat tickets (served by chat_tickets_expires_idx). */
export async function purgeExpiredChatTickets(d1: D1Database, now = new Date()): Promise<void> {
	await createDb(d1).delete(chatTickets).where(lt(chatTickets.expiresAt, now.toISOString()));
}

/** A ChatRoom refusal as problem+json. */
export function chatProblem(error: ChatError): Problem {
	return new Problem(error.status, {
		detail: error.detail,
		kind: error.code === "rate_limited" ? "daily-limit" : error.code.replaceAll("_", "-"),
		...(error.headers ? { headers: error.headers } : {}),
		...(error.extensions ? { extensions: error.extensions } : {}),
	});
}

// ---------------------------------------------------------------- tickets

/** A new single-use ticket for `userId` to open the conversation with `peerId`; only its hash is stored. */
export async function issueTicket(
	db: Db,
	userId: string,
	peerId: string,
	now = new Date(),
): Promise<{ ticket: string; expiresAt: string }> {
	const ticket = randomTicket();
	const expiresAt = new Date(now.getTime() + TICKET_TTL_SECONDS * 1000).toISOString();
	await db.batch([
		// My own spent and expired tickets are dead weight.
		db
			.delete(chatTickets)
			.where(
				and(
					eq(chatTickets.userId, userId),
					or(sql`${chatTickets.usedAt} IS NOT NULL`, lt(chatTickets.expiresAt, now.toISOString())),
				),
			),
		db.insert(chatTickets).values({ ticketHash: await sha256Hex(ticket), userId, peerId, expiresAt }),
	]);
	return { ticket, expiresAt };
}

/**
 * Spends a ticket (one conditional UPDATE, so it works once): its owner and peer, or why it opens nothing —
 * `ticket_used` while its spent row is kept, else `ticket_expired` (expired, swept, or never issued).
 */
export async function redeemTicket(
	db: Db,
	ticket: string,
	now = new Date(),
): Promise<{ userId: string; peerId: string } | { refused: TicketRefusal }> {
	const ticketHash = await sha256Hex(ticket);
	const [redeemed] = await db
		.update(chatTickets)
		.set({ usedAt: now.toISOString() })
		.where(
			and(
				eq(chatTickets.ticketHash, ticketHash),
				isNull(chatTickets.usedAt),
				gt(chatTickets.expiresAt, now.toISOString()),
			),
		)
		.returning({ userId: chatTickets.userId, peerId: chatTickets.peerId });
	if (redeemed) return redeemed;
	// Only a refusal reads again, to tell the client what to do.
	const spent = await db
		.select({ usedAt: chatTickets.usedAt })
		.from(chatTickets)
		.where(eq(chatTickets.ticketHash, ticketHash))
		.get();
	return { refused: spent?.usedAt ? "ticket_used" : "ticket_expired" };
}

// ---------------------------------------------------------------- the conversation list

const ConversationCursor = z.object({ at: z.string(), id: z.string() });

/**
 * A page of my conversations, newest message first: one indexed query, bounded by the page size. Built once
 * per isolate in two shapes (first page, and after a cursor), its values bound as placeholders.
 */
function conversationPageQuery(db: Db, later: boolean) {
	const s = conversationSummaries;
	const userId = sql.placeholder("userId");
	return db
		.select({
			id: s.id,
			conversationId: s.conversationId,
			peerId: s.peerId,
			lastMessageSeq: s.lastMessageSeq,
			lastMessagePreview: s.lastMessagePreview,
			lastMessageAt: s.lastMessageAt,
			lastReadSeq: s.lastReadSeq,
			unreadCount: s.unreadCount,
			peerName: users.displayName,
			peerAvatar: users.avatarUrl,
			peerTrust: users.trustLevel,
			canMessage: sql<number>`(EXISTS (SELECT 1 FROM ${connections} WHERE ${connections.userLowId} = min(${s.userId}, ${s.peerId}) AND ${connections.userHighId} = max(${s.userId}, ${s.peerId}) AND ${connections.status} = 'accepted') OR EXISTS (SELECT 1 FROM ${mentorships} WHERE ${mentorships.status} = 'accepted' AND ((${mentorships.menteeId} = ${s.userId} AND ${mentorships.guideId} = ${s.peerId}) OR (${mentorships.menteeId} = ${s.peerId} AND ${mentorships.guideId} = ${s.userId}))))`,
		})
		.from(s)
		.innerJoin(users, eq(users.id, s.peerId))
		.where(
			and(
				eq(s.userId, userId),
				sql`${s.lastMessageAt} IS NOT NULL`,
				// A conversation with someone who has left stays on my list (read-only, as "Former member").
				notBlockedWith(db, userId, s.peerId),
				later
					? afterCursor(
							"desc",
							[s.lastMessageAt, sql.placeholder("afterAt")],
							[s.id, sql.placeholder("afterId")],
						)
					: undefined,
			),
		)
		.orderBy(desc(s.lastMessageAt), desc(s.id))
		.limit(sql.placeholder("limit"))
		.prepare();
}
const firstConversationPage = preparedQuery((db) => conversationPageQuery(db, false));
const laterConversationPage = preparedQuery((db) => conversationPageQuery(db, true));

/** My conversations, newest message first. */
export async function listConversations(db: Db, userId: string, limit: number, cursor: string | undefined) {
	const after = decodeCursor(cursor, ConversationCursor);
	const rows = after
		? await laterConversationPage(db).all({ userId, limit: limit + 1, afterAt: after.at, afterId: after.id })
		: await firstConversationPage(db).all({ userId, limit: limit + 1 });
	return toPage(
		rows,
		limit,
		(row) => ({ at: row.lastMessageAt, id: row.id }),
		(row) => ({
			conversation_id: row.conversationId,
			peer: {
				id: row.peerId,
				display_name: row.peerName,
				avatar_url: row.peerAvatar,
				trust_level: row.peerTrust,
			},
			last_message: {
				seq: row.lastMessageSeq,
				preview: row.lastMessagePreview,
				sent_at: row.lastMessageAt ?? "",
			},
			last_read_seq: row.lastReadSeq,
			unread_count: row.unreadCount,
			can_message: Boolean(row.canMessage),
		}),
	);
}
