/** @module db/tables/fellowship: interest groups, their members, events and the D1 mirror of event RSVPs. */
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, createdAt, deletedAt, enumCheck, id, timestamps } from "../columns";
import { defineContent } from "../content";
import { moderation, moderationExtras } from "./shared";
import { users } from "./users";

export const GROUP_TYPES = ["interest", "support", "faith", "local", "learning", "wellness"] as const;
/** `public` join at once; `private` listed, join by request; `secret` unlisted, invite only. */
export const GROUP_VISIBILITIES = ["public", "private", "secret"] as const;
export const GROUP_MEMBER_ROLES = ["owner", "moderator", "member"] as const;
export const GROUP_MEMBER_STATUSES = ["active", "pending", "invited", "banned"] as const;
export const EVENT_TYPES = ["online", "in_person", "hybrid"] as const;
export const EVENT_STATUSES = ["scheduled", "cancelled", "completed"] as const;
export const RSVP_STATUSES = ["going", "maybe", "not_going", "waitlisted"] as const;

/** The condition of the listed-groups partial indexes; list queries must use this exact SQL. */
export const LISTED_GROUP = sql`visibility <> 'secret' AND deleted_at IS NULL`;

export const fellowshipGroups = sqliteTable(
	"fellowship_groups",
	{
		id: id(),
		/** The creator. Who may manage the group is `group_members.role`, not this column. */
		ownerId: text("owner_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		name: text("name").notNull(),
		description: text("description").notNull().default(""),
		groupType: text("group_type", { enum: GROUP_TYPES }).notNull(),
		visibility: text("visibility", { enum: GROUP_VISIBILITIES }).notNull().default("public"),
		isSpiritual: bool("is_spiritual").notNull().default(false),
		/** Active members only; kept in step with `group_members` in the same batch. */
		memberCount: integer("member_count").notNull().default(0),
		...moderation(),
		deletedAt: deletedAt(),
		...timestamps(),
	},
	(t) => [
		index("fellowship_groups_owner_idx").on(t.ownerId),
		// Listed groups (public and private, not deleted), in the orders lists page by. Queries repeat the
		// partial-index condition `LISTED_GROUP` word for word so SQLite can use these indexes.
		index("fellowship_groups_listed_idx").on(t.id).where(LISTED_GROUP),
		index("fellowship_groups_listed_type_idx").on(t.groupType, t.id).where(LISTED_GROUP),
		index("fellowship_groups_listed_popular_idx").on(t.memberCount, t.id).where(LISTED_GROUP),
		enumCheck("fellowship_groups_group_type_check", t.groupType, GROUP_TYPES),
		enumCheck("fellowship_groups_visibility_check", t.visibility, GROUP_VISIBILITIES),
		check("fellowship_groups_member_count_check", sql`${t.memberCount} >= 0`),
		...moderationExtras("fellowship_groups", t),
	],
);

export const groupMembers = sqliteTable(
	"group_members",
	{
		id: id(),
		groupId: text("group_id")
			.notNull()
			.references(() => fellowshipGroups.id, { onDelete: "cascade" }),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		role: text("role", { enum: GROUP_MEMBER_ROLES }).notNull().default("member"),
		/** `banned` rows are kept so a banned user cannot simply join again. */
		status: text("status", { enum: GROUP_MEMBER_STATUSES }).notNull(),
		/** Who sent the invitation (status `invited`); null for joins and requests. */
		invitedBy: text("invited_by").references(() => users.id, { onDelete: "set null" }),
		...timestamps(),
	},
	(t) => [
		uniqueIndex("group_members_group_user_unique").on(t.groupId, t.userId),
		index("group_members_group_status_idx").on(t.groupId, t.status, t.id),
		index("group_members_user_status_idx").on(t.userId, t.status),
		index("group_members_invited_by_idx").on(t.invitedBy),
		enumCheck("group_members_role_check", t.role, GROUP_MEMBER_ROLES),
		enumCheck("group_members_status_check", t.status, GROUP_MEMBER_STATUSES),
	],
);

export const groupEvents = sqliteTable(
	"group_events",
	{
		id: id(),
		groupId: text("group_id")
			.notNull()
			.references(() => fellowshipGroups.id, { onDelete: "cascade" }),
		createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
		title: text("title").notNull(),
		description: text("description").notNull().default(""),
		eventType: text("event_type", { enum: EVENT_TYPES }).notNull(),
		/** ISO 8601 UTC instants. */
		startsAt: text("starts_at").notNull(),
		endsAt: text("ends_at").notNull(),
		/** IANA zone the organiser planned in, for display only (instants are UTC). */
		timezone: text("timezone").notNull().default("UTC"),
		/** Address for `in_person` / `hybrid`. */
		location: text("location"),
		/** Join link for `online` / `hybrid`. */
		url: text("url"),
		/** Maximum `going`; null = unlimited. Enforced by the EventRsvp Durable Object, not D1. */
		capacity: integer("capacity"),
		/** `completed` may also be derived from `ends_at` at read time; `cancelled` is final. */
		status: text("status", { enum: EVENT_STATUSES }).notNull().default("scheduled"),
		/** Counts mirrored from the EventRsvp Durable Object (the authority) for lists. */
		goingCount: integer("going_count").notNull().default(0),
		maybeCount: integer("maybe_count").notNull().default(0),
		waitlistCount: integer("waitlist_count").notNull().default(0),
		/** The Durable Object's change sequence of the last mirrored counts: older mirrors never overwrite newer. */
		rsvpSeq: integer("rsvp_seq").notNull().default(0),
		cancelledAt: text("cancelled_at"),
		/**
		 * Bumped by every edit and by cancellation. The EventRsvp Durable Object applies an event's capacity,
		 * end and status only from a newer version, so a stale read can never undo a newer edit there.
		 */
		version: integer("version").notNull().default(1),
		...moderation(),
		...timestamps(),
	},
	(t) => [
		index("group_events_group_starts_idx").on(t.groupId, t.startsAt, t.id),
		index("group_events_created_by_idx").on(t.createdBy),
		index("group_events_status_starts_idx").on(t.status, t.startsAt),
		enumCheck("group_events_event_type_check", t.eventType, EVENT_TYPES),
		enumCheck("group_events_status_check", t.status, EVENT_STATUSES),
		check("group_events_time_order_check", sql`${t.endsAt} > ${t.startsAt}`),
		check("group_events_capacity_check", sql`${t.capacity} BETWEEN 1 AND 100000`),
		check(
			"group_events_counts_check",
			sql`${t.goingCount} >= 0 AND ${t.maybeCount} >= 0 AND ${t.waitlistCount} >= 0`,
		),
		check("group_events_cancelled_check", sql`(${t.status} = 'cancelled') = (${t.cancelledAt} IS NOT NULL)`),
		...moderationExtras("group_events", t),
	],
);

/** The D1 mirror of each event's EventRsvp Durable Object (the authority), for "my events" and exports. */
export const eventRsvps = sqliteTable(
	"event_rsvps",
	{
		id: id(),
		eventId: text("event_id")
			.notNull()
			.references(() => groupEvents.id, { onDelete: "cascade" }),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		/** A member who leaves or is removed from the group turns `not_going` for its upcoming events. */
		status: text("status", { enum: RSVP_STATUSES }).notNull(),
		/** 1-based FIFO place while `waitlisted`; null otherwise. */
		waitlistPosition: integer("waitlist_position"),
		/** The Durable Object's change sequence for this row: a late, older mirror write is ignored. */
		seq: integer("seq").notNull().default(0),
		...timestamps(),
	},
	(t) => [
		uniqueIndex("event_rsvps_event_user_unique").on(t.eventId, t.userId),
		index("event_rsvps_event_status_idx").on(t.eventId, t.status, t.waitlistPosition, t.id),
		index("event_rsvps_user_status_idx").on(t.userId, t.status),
		enumCheck("event_rsvps_status_check", t.status, RSVP_STATUSES),
		check(
			"event_rsvps_waitlist_check",
			sql`(${t.status} = 'waitlisted') = (${t.waitlistPosition} IS NOT NULL) AND (${t.waitlistPosition} IS NULL OR ${t.waitlistPosition} >= 1)`,
		),
	],
);

/**
 * Each person's private calendar token: it opens their events feed (`GET /users/me/events.ics?token=…`) and
 * nothing else. Only its keyed hash is stored (HMAC under the deployment's secret, lib/keyed-hash), so the
 * table alone opens no feed. One per person: rotating replaces the hash, and the old token stops at once.
 */
export const calendarTokens = sqliteTable(
	"calendar_tokens",
	{
		userId: text("user_id")
			.primaryKey()
			.references(() => users.id, { onDelete: "cascade" }),
		tokenHash: text("token_hash").notNull(),
		createdAt: createdAt(),
	},
	(t) => [uniqueIndex("calendar_tokens_hash_unique").on(t.tokenHash)],
);

export type FellowshipGroupRow = typeof fellowshipGroups.$inferSelect;
export type GroupMemberRow = typeof groupMembers.$inferSelect;
export type GroupEventRow = typeof groupEvents.$inferSelect;
export type EventRsvpRow = typeof eventRsvps.$inferSelect;

/** Groups, as content (their name and description). When the owner leaves, a moderator takes over. */
export const fellowshipGroupContent = defineContent({
	type: "fellowship_group",
	table: fellowshipGroups,
	author: fellowshipGroups.ownerId,
	deletedAt: fellowshipGroups.deletedAt,
	text: [fellowshipGroups.name, fellowshipGroups.description],
	snapshot: [
		fellowshipGroups.name,
		fellowshipGroups.description,
		fellowshipGroups.groupType,
		fellowshipGroups.visibility,
		fellowshipGroups.isSpiritual,
		fellowshipGroups.createdAt,
	],
	erasure: "keep",
});

export const groupEventContent = defineContent({
	type: "group_event",
	table: groupEvents,
	author: groupEvents.createdBy,
	text: [groupEvents.title, groupEvents.description],
	snapshot: [
		groupEvents.groupId,
		groupEvents.title,
		groupEvents.description,
		groupEvents.eventType,
		groupEvents.startsAt,
		groupEvents.endsAt,
		groupEvents.location,
		groupEvents.url,
		groupEvents.status,
	],
	erasure: "keep",
});
