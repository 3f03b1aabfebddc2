/**
 * @module core/chat-access: who may talk to whom, and which ChatRoom a pair talks in. Used by the API
 * Worker (before a request reaches the room) and by the ChatRoom itself (on every message), so the rule
 * lives in one place: not blocked either way, and an accepted connection or an accepted mentorship.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { blocks, connections, mentorships } from "../db/tables/orchard";
import { users } from "../db/tables/users";

/** `not_found`: no such (live) person, or a block either way. `forbidden`: they exist but we may not chat. */
export type ChatAccess = "ok" | "not_found" | "forbidden";

/** The two ids sorted: the unordered pair, as connections store it. */
export function sortedPair(a: string, b: string): [string, string] {
	return a < b ? [a, b] : [b, a];
}

/** The ChatRoom's name (and `conversation_id`): the two user ids sorted, so both sides find one room. */
export function conversationIdOf(a: string, b: string): string {
	const [low, high] = sortedPair(a, b);
	return `${low}:${high}`;
}

/** The participants of a conversation id, or undefined when it is not one. */
export function participantsOf(conversationId: string): [string, string] | undefined {
	const [low, high, ...rest] = conversationId.split(":");
	return low && high && rest.length === 0 && low < high ? [low, high] : undefined;
}

/**
 * The columns `chatAccessFrom` decides on, for a query over `users` whose row is `peerId`: other reads that
 * must agree with the chat rule (a profile's `can_message`) select these same columns.
 */
export function chatAccessColumns(userId: string, peerId: string) {
	const [low, high] = sortedPair(userId, peerId);
	return {
		id: users.id,
		// The room closes a suspended peer's sockets when it sees this (no extra round trip).
		suspendedUntil: users.suspendedUntil,
		blocked: sql<number>`EXISTS (SELECT 1 FROM ${blocks} WHERE (${blocks.blockerId} = ${userId} AND ${blocks.blockedId} = ${peerId}) OR (${blocks.blockerId} = ${peerId} AND ${blocks.blockedId} = ${userId}))`,
		connected: sql<number>`EXISTS (SELECT 1 FROM ${connections} WHERE ${connections.userLowId} = ${low} AND ${connections.userHighId} = ${high} AND ${connections.status} = 'accepted')`,
		mentoring: sql<number>`EXISTS (SELECT 1 FROM ${mentorships} WHERE ${mentorships.status} = 'accepted' AND ((${mentorships.menteeId} = ${userId} AND ${mentorships.guideId} = ${peerId}) OR (${mentorships.menteeId} = ${peerId} AND ${mentorships.guideId} = ${userId})))`,
	};
}

/** One query: does `peerId` exist for `userId`, and may the two of them chat right now? */
export function chatAccessQuery(db: Db, userId: string, peerId: string) {
	return db
		.select(chatAccessColumns(userId, peerId))
		.from(users)
		.where(and(eq(users.id, peerId), isNull(users.deletedAt)));
}

export type ChatAccessRow = Awaited<ReturnType<ReturnType<typeof chatAccessQuery>["get"]>>;

export function chatAccessFrom(userId: string, peerId: string, row: ChatAccessRow): ChatAccess {
	if (userId === peerId || !row || row.blocked) return "not_found";
	return row.connected || row.mentoring ? "ok" : "forbidden";
}

export async function chatAccess(db: Db, userId: string, peerId: string): Promise<ChatAccess> {
	if (userId === peerId) return "not_found";
	return chatAccessFrom(userId, peerId, await chatAccessQuery(db, userId, peerId).get());
}
