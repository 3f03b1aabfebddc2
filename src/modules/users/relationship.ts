/**
 * @module users/relationship: another person's profile with where I stand with them — our connection, my
 * block, whether I may message them — read in the same single query as the profile.
 *
 * `can_message` is the chat rule itself (core/chat-access: the same columns, the same verdict), so it never
 * disagrees with what sending a message would do. A person who blocks me stays a 404, as before: the
 * answer tells nothing about their block that a 404 did not already.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { chatAccessColumns, chatAccessFrom, sortedPair } from "../../core/chat-access";
import type { Db } from "../../db/client";
import { blocks, connections } from "../../db/tables/orchard";
import { type UserRow, users } from "../../db/tables/users";

export const CONNECTION_STATES = ["none", "pending_incoming", "pending_outgoing", "connected"] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export interface Relationship {
	connection: ConnectionState;
	blockedByMe: boolean;
	canMessage: boolean;
}

/**
 * The live person `userId` as `viewerId` may see them, with our relationship (null when it is the viewer
 * themself); undefined when there is no such live person or they block the viewer.
 */
export async function profileWithRelationship(
	db: Db,
	viewerId: string,
	userId: string,
): Promise<{ user: UserRow; relationship: Relationship | null } | undefined> {
	const [low, high] = sortedPair(viewerId, userId);
	const row = await db
		.select({
			user: users,
			chat: chatAccessColumns(viewerId, userId),
			blockedByMe: sql<number>`EXISTS (SELECT 1 FROM ${blocks} WHERE ${blocks.blockerId} = ${viewerId} AND ${blocks.blockedId} = ${userId})`,
			blocksMe: sql<number>`EXISTS (SELECT 1 FROM ${blocks} WHERE ${blocks.blockerId} = ${userId} AND ${blocks.blockedId} = ${viewerId})`,
			connection: sql<ConnectionState | null>`(SELECT CASE
				WHEN ${connections.status} = 'accepted' THEN 'connected'
				WHEN ${connections.status} = 'pending' AND ${connections.requesterId} = ${viewerId} THEN 'pending_outgoing'
				WHEN ${connections.status} = 'pending' THEN 'pending_incoming'
				ELSE 'none' END
				FROM ${connections} WHERE ${connections.userLowId} = ${low} AND ${connections.userHighId} = ${high})`,
		})
		.from(users)
		.where(and(eq(users.id, userId), isNull(users.deletedAt)))
		.get();
	if (!row || row.blocksMe) return undefined;
	if (viewerId === userId) return { user: row.user, relationship: null };
	return {
		user: row.user,
		relationship: {
			connection: row.connection ?? "none",
			blockedByMe: Boolean(row.blockedByMe),
			canMessage: chatAccessFrom(viewerId, userId, row.chat) === "ok",
		},
	};
}
