/**
 * @module db/tables/notifications: what Flourish tells a person happened — one row per notification (a
 * grouped one, such as reactions on one post, is one row updated in place), the person's preferences per
 * type, and the single-use tickets that open their live stream.
 *
 * `type` and `subject_type` carry no CHECK constraint, unlike other enums: new types arrive with new
 * features (reminders, for one), and on D1 a changed CHECK means rebuilding the table, which cascades to
 * foreign keys. The code validates them (`NOTIFICATION_TYPES`).
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, createdAt, id } from "../columns";
import { users } from "./users";

/** Every kind of notification, as the API names it. */
export const NOTIFICATION_TYPES = [
	"comment",
	"reply",
	"reaction",
	"connection_request",
	"connection_accepted",
	"mentorship_request",
	"mentorship_update",
	"group_invitation",
	"group_join_request",
	"event_updated",
	"event_cancelled",
	"waitlist_promoted",
	"project_invitation",
	"content_moderated",
	"appeal_decided",
	"account_status",
	"trust_level",
	"application_decided",
	"guardian_alert",
	"habit_reminder",
	"event_reminder",
] as const;

/** What a tap on a notification opens. */
export const NOTIFICATION_SUBJECT_TYPES = [
	"post",
	"comment",
	"connection",
	"mentorship",
	"group",
	"event",
	"project",
	"report",
	"appeal",
	"application",
	"user",
	"habit",
] as const;

export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
export type NotificationSubjectType = (typeof NOTIFICATION_SUBJECT_TYPES)[number];

export const notifications = sqliteTable(
	"notifications",
	{
		id: id(),
		/** The person told. */
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		type: text("type").$type<NotificationType>().notNull(),
		subjectType: text("subject_type").$type<NotificationSubjectType>().notNull(),
		subjectId: text("subject_id").notNull(),
		/**
		 * What makes two events one notification for this person: the cause itself for most types (so a
		 * retried or redelivered write never creates a second row), the target for grouped ones (reactions).
		 */
		groupKey: text("group_key").notNull(),
		/** Up to three people who acted, most recent first (ids; shown as profiles while they exist). */
		actorIds: text("actor_ids", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
		/** How many people acted in all (a grouped notification shows three of them). */
		actorCount: integer("actor_count").notNull().default(0),
		/** What the sentence needs beyond the actors, e.g. `{"status": "hidden"}` or `{"level": "growing"}`. */
		data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
		createdAt: createdAt(),
		/** When it last changed (a new actor of a grouped notification moves it to the top). */
		updatedAt: text("updated_at").notNull(),
		/** Null while unread. */
		readAt: text("read_at"),
	},
	(t) => [
		uniqueIndex("notifications_group_unique").on(t.userId, t.groupKey),
		/** My list, newest change first. */
		index("notifications_user_updated_idx").on(t.userId, t.updatedAt, t.id),
		/** My unread ones: the unread count and the `unread=true` list read only these. */
		index("notifications_unread_idx").on(t.userId, t.updatedAt, t.id).where(sql`read_at IS NULL`),
		/** Retention: the cron deletes what has not changed for 90 days. */
		index("notifications_updated_idx").on(t.updatedAt),
	],
);

/** A person's choice per type; a type without a row has its default (see core/notifications). */
export const notificationPreferences = sqliteTable(
	"notification_preferences",
	{
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		type: text("type").$type<NotificationType>().notNull(),
		inApp: bool("in_app").notNull(),
		push: bool("push").notNull(),
		updatedAt: text("updated_at").notNull(),
	},
	(t) => [primaryKey({ columns: [t.userId, t.type] })],
);

/** Single-use, short-lived tickets that open a person's live stream (a WebSocket URL carries no token). */
export const streamTickets = sqliteTable(
	"stream_tickets",
	{
		id: id(),
		/** SHA-256 (hex) of the random ticket. */
		ticketHash: text("ticket_hash").notNull(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		expiresAt: text("expires_at").notNull(),
		usedAt: text("used_at"),
		createdAt: createdAt(),
	},
	(t) => [
		uniqueIndex("stream_tickets_hash_unique").on(t.ticketHash),
		index("stream_tickets_user_idx").on(t.userId),
		index("stream_tickets_expires_idx").on(t.expiresAt),
	],
);

export type NotificationRow = typeof notifications.$inferSelect;

/** What a fan-out tells many people about. */
export const FAN_OUT_KINDS = [
	"event_updated",
	"event_cancelled",
	"guardian_alert",
	"event_reminder",
] as const;
export type FanOutKind = (typeof FAN_OUT_KINDS)[number];

/**
 * The outbox of notifications to many people (everyone going to a cancelled event, every guardian): written
 * in the same D1 batch as the action (or, for a guardian alert, by the trigger on urgent queue items — see
 * migration 0004), sent to the notifications queue after the commit and again by the cron until the queue
 * consumer has written every notification and deleted the row. One row per `dedupe_key`, so an action
 * retried writes one fan-out.
 */
export const notificationFanOuts = sqliteTable(
	"notification_fan_outs",
	{
		id: id(),
		kind: text("kind").$type<FanOutKind>().notNull(),
		/** The event, or the moderation queue item. */
		subjectId: text("subject_id").notNull(),
		/** The person who acted (never told themselves); null for system alerts. */
		actorId: text("actor_id"),
		/**
		 * E.g. `event_cancelled:<event id>`, `event_updated:<event id>:<version>`, `guardian_alert:<item id>`,
		 * `event_reminder:<event id>:<24h|1h>:<starts_at>`.
		 */
		dedupeKey: text("dedupe_key").notNull(),
		data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
		createdAt: createdAt(),
		/** When it was last handed to the queue (null: not yet). */
		dispatchedAt: text("dispatched_at"),
		attempts: integer("attempts").notNull().default(0),
	},
	(t) => [
		uniqueIndex("notification_fan_outs_dedupe_unique").on(t.dedupeKey),
		index("notification_fan_outs_dispatched_idx").on(t.dispatchedAt, t.createdAt),
	],
);

export type NotificationFanOutRow = typeof notificationFanOuts.$inferSelect;
