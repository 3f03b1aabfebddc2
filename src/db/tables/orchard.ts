/**
 * @module db/tables/orchard: connections, blocks, conversation summaries (messages themselves live in each
 * conversation's ChatRoom Durable Object), WebSocket tickets and mentorships.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, enumCheck, id, timestamps } from "../columns";
import { users } from "./users";

export const CONNECTION_TYPES = ["friend", "accountability_partner", "peer_support"] as const;
export const CONNECTION_STATUSES = ["pending", "accepted", "declined"] as const;
export const MENTORSHIP_STATUSES = ["requested", "accepted", "declined", "completed", "cancelled"] as const;

export const connections = sqliteTable(
	"connections",
	{
		id: id(),
		requesterId: text("requester_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		addresseeId: text("addressee_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		/**
		 * The two ids sorted (`user_low_id < user_high_id`): their unique index allows one row per unordered
		 * pair, so A→B and B→A requests cannot both exist. A new request after `declined` reuses the row.
		 */
		userLowId: text("user_low_id").notNull(),
		userHighId: text("user_high_id").notNull(),
		connectionType: text("connection_type", { enum: CONNECTION_TYPES }).notNull(),
		status: text("status", { enum: CONNECTION_STATUSES }).notNull().default("pending"),
		note: text("note").notNull().default(""),
		respondedAt: text("responded_at"),
		...timestamps(),
	},
	(t) => [
		uniqueIndex("connections_pair_unique").on(t.userLowId, t.userHighId),
		index("connections_user_high_idx").on(t.userHighId),
		index("connections_requester_idx").on(t.requesterId, t.status, t.id),
		index("connections_addressee_idx").on(t.addresseeId, t.status, t.id),
		enumCheck("connections_connection_type_check", t.connectionType, CONNECTION_TYPES),
		enumCheck("connections_status_check", t.status, CONNECTION_STATUSES),
		check(
			"connections_pair_check",
			sql`${t.userLowId} < ${t.userHighId} AND ((${t.userLowId} = ${t.requesterId} AND ${t.userHighId} = ${t.addresseeId}) OR (${t.userLowId} = ${t.addresseeId} AND ${t.userHighId} = ${t.requesterId}))`,
		),
	],
);

/**
 * The wait after a declined connection request, kept apart from the request row: the requester can delete
 * the declined row, or block and unblock (which deletes it), and the wait must survive both. One row per
 * (requester, addressee), refreshed by each decline; the cron purges rows that have ended.
 */
export const connectionCooldowns = sqliteTable(
	"connection_cooldowns",
	{
		id: id(),
		requesterId: text("requester_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		addresseeId: text("addressee_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		/** The requester may ask the addressee again from this instant. */
		until: text("until").notNull(),
		createdAt: createdAt(),
	},
	(t) => [
		uniqueIndex("connection_cooldowns_pair_unique").on(t.requesterId, t.addresseeId),
		index("connection_cooldowns_addressee_idx").on(t.addresseeId),
		index("connection_cooldowns_until_idx").on(t.until),
	],
);

export const blocks = sqliteTable(
	"blocks",
	{
		id: id(),
		blockerId: text("blocker_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		blockedId: text("blocked_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		createdAt: createdAt(),
	},
	(t) => [
		uniqueIndex("blocks_pair_unique").on(t.blockerId, t.blockedId),
		/** "Users I block", newest first, one page at a time. */
		index("blocks_blocker_idx").on(t.blockerId, t.id),
		/** "Is either side blocked" checks look up both directions. */
		index("blocks_blocked_idx").on(t.blockedId, t.blockerId),
		check("blocks_not_self_check", sql`${t.blockerId} <> ${t.blockedId}`),
	],
);

/**
 * One row per participant per conversation: the conversation list without waking every ChatRoom.
 * The ChatRoom Durable Object is the authority; it updates both rows after persisting a message.
 */
export const conversationSummaries = sqliteTable(
	"conversation_summaries",
	{
		id: id(),
		/** The ChatRoom's name: derived from the two user ids sorted, identical in both participants' rows. */
		conversationId: text("conversation_id").notNull(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		peerId: text("peer_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		/** The ChatRoom's `seq` of the newest message; 0 = none yet. */
		lastMessageSeq: integer("last_message_seq").notNull().default(0),
		/** A short excerpt of the newest message (truncated by the writer). */
		lastMessagePreview: text("last_message_preview").notNull().default(""),
		lastMessageAt: text("last_message_at"),
		lastReadSeq: integer("last_read_seq").notNull().default(0),
		unreadCount: integer("unread_count").notNull().default(0),
		...timestamps(),
	},
	(t) => [
		uniqueIndex("conversation_summaries_conversation_user_unique").on(t.conversationId, t.userId),
		uniqueIndex("conversation_summaries_user_peer_unique").on(t.userId, t.peerId),
		index("conversation_summaries_user_last_idx").on(t.userId, t.lastMessageAt, t.id),
		index("conversation_summaries_peer_idx").on(t.peerId),
		check("conversation_summaries_not_self_check", sql`${t.userId} <> ${t.peerId}`),
		check(
			"conversation_summaries_counts_check",
			sql`${t.lastMessageSeq} >= 0 AND ${t.lastReadSeq} >= 0 AND ${t.unreadCount} >= 0`,
		),
	],
);

/**
 * Short-lived, single-use tickets that authenticate a chat WebSocket upgrade (browsers cannot send an
 * Authorization header on a WebSocket, and access tokens must not go in URLs). Only a hash is stored;
 * redeeming sets `used_at` with a conditional UPDATE, so a ticket works once.
 */
export const chatTickets = sqliteTable(
	"chat_tickets",
	{
		id: id(),
		/** SHA-256 (hex) of the random ticket. */
		ticketHash: text("ticket_hash").notNull(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		/** The conversation the ticket opens. */
		peerId: text("peer_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		expiresAt: text("expires_at").notNull(),
		usedAt: text("used_at"),
		createdAt: createdAt(),
	},
	(t) => [
		uniqueIndex("chat_tickets_hash_unique").on(t.ticketHash),
		index("chat_tickets_user_idx").on(t.userId),
		index("chat_tickets_peer_idx").on(t.peerId),
		index("chat_tickets_expires_idx").on(t.expiresAt),
	],
);

export const mentorships = sqliteTable(
	"mentorships",
	{
		id: id(),
		menteeId: text("mentee_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		guideId: text("guide_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		status: text("status", { enum: MENTORSHIP_STATUSES }).notNull().default("requested"),
		goals: text("goals").notNull().default(""),
		message: text("message").notNull().default(""),
		respondedAt: text("responded_at"),
		completedAt: text("completed_at"),
		...timestamps(),
	},
	(t) => [
		index("mentorships_guide_status_idx").on(t.guideId, t.status, t.id),
		index("mentorships_mentee_status_idx").on(t.menteeId, t.status, t.id),
		/** At most one open (requested or accepted) mentorship per mentee and guide. */
		uniqueIndex("mentorships_open_pair_unique")
			.on(t.menteeId, t.guideId)
			.where(sql`status IN ('requested', 'accepted')`),
		enumCheck("mentorships_status_check", t.status, MENTORSHIP_STATUSES),
		check("mentorships_not_self_check", sql`${t.menteeId} <> ${t.guideId}`),
	],
);

export type ConnectionRow = typeof connections.$inferSelect;
export type BlockRow = typeof blocks.$inferSelect;
export type ConversationSummaryRow = typeof conversationSummaries.$inferSelect;
export type ChatTicketRow = typeof chatTickets.$inferSelect;
export type MentorshipRow = typeof mentorships.$inferSelect;
