/** @module db/tables/trust: applications for a higher trust level or for Guide status, and daily quotas. */
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { enumCheck, id, timestamps } from "../columns";
import { isoDateCheck } from "./shared";
import { TRUST_LEVELS, users } from "./users";

/** `growing` is reached automatically; only the two higher levels are applied for. */
export const APPLIED_TRUST_LEVELS = ["good_soil", "flourishing"] as const;
export const APPLICATION_STATUSES = ["pending", "approved", "rejected", "withdrawn"] as const;
/** Per-user daily counters; `posts` counts posts and sunlight shares together (one "posts+shares" limit). */
export const QUOTA_KINDS = ["posts", "comments", "connection_requests", "messages", "reports"] as const;

export const trustApplications = sqliteTable(
	"trust_applications",
	{
		id: id(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		/** The applicant's level when applying (the guardian sees the jump requested). */
		fromLevel: text("from_level", { enum: TRUST_LEVELS }).notNull(),
		requestedLevel: text("requested_level", { enum: APPLIED_TRUST_LEVELS }).notNull(),
		status: text("status", { enum: APPLICATION_STATUSES }).notNull().default("pending"),
		statement: text("statement").notNull().default(""),
		reviewerId: text("reviewer_id").references(() => users.id, { onDelete: "set null" }),
		reviewerNotes: text("reviewer_notes"),
		reviewedAt: text("reviewed_at"),
		...timestamps(),
	},
	(t) => [
		index("trust_applications_user_idx").on(t.userId, t.id),
		index("trust_applications_status_idx").on(t.status, t.id),
		index("trust_applications_reviewer_idx").on(t.reviewerId),
		/** One pending application per user at a time. */
		uniqueIndex("trust_applications_pending_unique").on(t.userId).where(sql`status = 'pending'`),
		enumCheck("trust_applications_from_level_check", t.fromLevel, TRUST_LEVELS),
		enumCheck("trust_applications_requested_level_check", t.requestedLevel, APPLIED_TRUST_LEVELS),
		enumCheck("trust_applications_status_check", t.status, APPLICATION_STATUSES),
	],
);

export const guideApplications = sqliteTable(
	"guide_applications",
	{
		id: id(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		motivation: text("motivation").notNull(),
		experience: text("experience").notNull().default(""),
		/** JSON array of specialty tags; copied to the guide profile on approval. */
		specialties: text("specialties", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
		status: text("status", { enum: APPLICATION_STATUSES }).notNull().default("pending"),
		reviewerId: text("reviewer_id").references(() => users.id, { onDelete: "set null" }),
		reviewerNotes: text("reviewer_notes"),
		reviewedAt: text("reviewed_at"),
		...timestamps(),
	},
	(t) => [
		index("guide_applications_user_idx").on(t.userId, t.id),
		index("guide_applications_status_idx").on(t.status, t.id),
		index("guide_applications_reviewer_idx").on(t.reviewerId),
		/** One pending guide application per user at a time. */
		uniqueIndex("guide_applications_pending_unique").on(t.userId).where(sql`status = 'pending'`),
		enumCheck("guide_applications_status_check", t.status, APPLICATION_STATUSES),
	],
);

/** Exact per-trust-level daily limits (the rate-limit binding only handles bursts). Upsert-increment. */
export const dailyQuotas = sqliteTable(
	"daily_quotas",
	{
		id: id(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		/** UTC date YYYY-MM-DD (not the local date: changing time zone must not reset a quota). */
		day: text("day").notNull(),
		kind: text("kind", { enum: QUOTA_KINDS }).notNull(),
		count: integer("count").notNull().default(0),
		...timestamps(),
	},
	(t) => [
		uniqueIndex("daily_quotas_user_day_kind_unique").on(t.userId, t.day, t.kind),
		index("daily_quotas_day_idx").on(t.day),
		enumCheck("daily_quotas_kind_check", t.kind, QUOTA_KINDS),
		isoDateCheck("daily_quotas_day_check", t.day),
		check("daily_quotas_count_check", sql`${t.count} >= 0`),
	],
);

export type TrustApplicationRow = typeof trustApplications.$inferSelect;
export type GuideApplicationRow = typeof guideApplications.$inferSelect;
export type DailyQuotaRow = typeof dailyQuotas.$inferSelect;
