/** @module db/tables/users: people, their role and trust level (authoritative here, never in tokens), and guide profiles. */
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, deletedAt, enumCheck, id, nowIso, timestamps } from "../columns";
import { defineContent } from "../content";

export const ROLES = ["user", "guide", "guardian"] as const;
/** `suspended_until` of a permanent suspension. */
export const PERMANENT_UNTIL = "9999-12-31T23:59:59.999Z";
export const TRUST_LEVELS = ["new_sprout", "growing", "good_soil", "flourishing"] as const;

export const users = sqliteTable(
	"users",
	{
		id: id(),
		/** The Auth0 `sub`. Never returned to other users. */
		auth0Sub: text("auth0_sub").notNull(),
		/** Only from the token's `email` claim when present; never returned to other users. */
		email: text("email"),
		displayName: text("display_name").notNull(),
		bio: text("bio").notNull().default(""),
		avatarUrl: text("avatar_url"),
		/** JSON array of short interest tags (used for recommendations). */
		interests: text("interests", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
		role: text("role", { enum: ROLES }).notNull().default("user"),
		trustLevel: text("trust_level", { enum: TRUST_LEVELS }).notNull().default("new_sprout"),
		trustLevelSince: text("trust_level_since").notNull().$defaultFn(nowIso),
		/** Set by a guardian: automatic promotion leaves the level alone. */
		trustLocked: bool("trust_locked").notNull().default(false),
		timezone: text("timezone").notNull().default("UTC"),
		/** 0–23: before this local hour it is still "yesterday" for habits and daily content. */
		dayStartHour: integer("day_start_hour").notNull().default(0),
		spiritualOptIn: bool("spiritual_opt_in").notNull().default(false),
		/** Suspended while this instant is in the future; permanent suspensions use 9999-12-31. */
		suspendedUntil: text("suspended_until"),
		deletedAt: deletedAt(),
		...timestamps(),
	},
	(t) => [
		uniqueIndex("users_auth0_sub_unique").on(t.auth0Sub),
		index("users_role_idx").on(t.role),
		index("users_trust_level_idx").on(t.trustLevel),
		enumCheck("users_role_check", t.role, ROLES),
		enumCheck("users_trust_level_check", t.trustLevel, TRUST_LEVELS),
		check("users_day_start_hour_check", sql`${t.dayStartHour} BETWEEN 0 AND 23`),
	],
);

export const guideProfiles = sqliteTable(
	"guide_profiles",
	{
		id: id(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		headline: text("headline").notNull().default(""),
		/** JSON array of specialty tags. */
		specialties: text("specialties", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
		experience: text("experience").notNull().default(""),
		/** Free-form availability, e.g. "weekday evenings (Europe/London)". */
		availability: text("availability").notNull().default(""),
		acceptingMentees: bool("accepting_mentees").notNull().default(true),
		maxMentees: integer("max_mentees").notNull().default(3),
		...timestamps(),
	},
	(t) => [
		uniqueIndex("guide_profiles_user_unique").on(t.userId),
		index("guide_profiles_accepting_idx").on(t.acceptingMentees),
	],
);

/**
 * Account erasure's outbox: the Durable Object work a deleted account still needs (blank its messages in a
 * conversation's ChatRoom, withdraw its RSVP from an event's EventRsvp object) and a delayed second pass
 * over D1 (`sweep`). Written in the same atomic D1 batch as the erasure itself, done right after it, and
 * retried by the cron until it succeeds, so nothing is left behind even when an object is unavailable.
 */
export const ERASURE_JOB_KINDS = ["chat", "rsvp", "sweep"] as const;

export const accountErasureJobs = sqliteTable(
	"account_erasure_jobs",
	{
		id: id(),
		/** The deleted account (its tombstone row). */
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		kind: text("kind", { enum: ERASURE_JOB_KINDS }).notNull(),
		/** The conversation id (`chat`), the event id (`rsvp`), or the user id again (`sweep`). */
		targetId: text("target_id").notNull(),
		/** Not attempted before this instant (the sweep waits for requests still in flight). */
		notBefore: text("not_before").notNull(),
		attempts: integer("attempts").notNull().default(0),
		/** The last failure, log-safe (no message text). */
		lastError: text("last_error"),
		...timestamps(),
	},
	(t) => [
		uniqueIndex("account_erasure_jobs_target_unique").on(t.userId, t.kind, t.targetId),
		index("account_erasure_jobs_due_idx").on(t.notBefore, t.id),
		enumCheck("account_erasure_jobs_kind_check", t.kind, ERASURE_JOB_KINDS),
	],
);

export type UserRow = typeof users.$inferSelect;
export type GuideProfileRow = typeof guideProfiles.$inferSelect;

/**
 * A profile, as content: what everyone sees of a person (reportable; its words screened on every change,
 * see core/moderation/personal). Its creation is shown to the day, as on the public profile.
 */
export const profileContent = defineContent({
	type: "user",
	table: users,
	author: users.id,
	deletedAt: users.deletedAt,
	text: [users.displayName, users.bio],
	snapshot: [users.displayName, users.bio, users.avatarUrl, users.interests, users.createdAt],
	dayPrecision: [users.createdAt],
	erasure: "account",
});
