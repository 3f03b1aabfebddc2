/**
 * @module db/tables/guardians: reports, the moderation queue (one item per reported or ML-flagged target),
 * the audit log, penalties (warnings and suspensions) and appeals.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, createdAt, enumCheck, id, timestamps } from "../columns";
import { REPORT_TARGET_TYPES } from "../content";
import { users } from "./users";

/** Everything that can be reported (and so can have a queue item): the content types of db/content. */
export { REPORT_TARGET_TYPES };
export const REPORT_REASONS = [
	"spam",
	"harassment",
	"hate_speech",
	"self_harm",
	"violence",
	"sexual_content",
	"misinformation",
	"privacy",
	"other",
] as const;
export const REPORT_STATUSES = ["open", "resolved", "dismissed"] as const;
export const REPORT_DETAILS_MAX = 1000;

export const QUEUE_ITEM_STATUSES = ["open", "resolved"] as const;
/** What opened the item first: user reports, the ML toxicity check, or a crisis (self-harm) signal. */
export const QUEUE_ITEM_SOURCES = ["reports", "ml", "crisis"] as const;
export const SELF_HARM_RISKS = ["none", "low", "high"] as const;
export const QUEUE_DECISIONS = ["dismiss", "remove_content", "warn", "suspend"] as const;

export const MODERATION_ACTIONS = [
	"dismiss",
	"remove_content",
	"hide_content",
	"warn",
	"suspend",
	"lift_suspension",
	"set_role",
	"set_trust",
	"approve_application",
	"reject_application",
	"uphold_appeal",
	"overturn_appeal",
	"delete_content",
	/** A guardian edited content (or a group/project membership) they hold no role in. */
	"edit_content",
] as const;
/** What an audit-log entry can be about: reportable targets plus the moderation records themselves. */
export const AUDIT_TARGET_TYPES = [
	...REPORT_TARGET_TYPES,
	"nourishment_item",
	"queue_item",
	"trust_application",
	"guide_application",
	"penalty",
	"appeal",
] as const;

export const PENALTY_KINDS = ["warning", "suspension"] as const;
export const SUSPENSION_DURATIONS = ["24h", "72h", "7d", "30d", "permanent"] as const;
export const APPEAL_STATUSES = ["pending", "upheld", "overturned"] as const;
export const APPEAL_BODY_MAX = 2000;

/**
 * One row per reported or ML-flagged target, ever. A new report on a resolved target reopens the same row
 * (status back to `open`, score and counts recomputed from its open reports), so the unique index is on
 * the target alone and the item keeps its history.
 */
export const moderationQueueItems = sqliteTable(
	"moderation_queue_items",
	{
		id: id(),
		targetType: text("target_type", { enum: REPORT_TARGET_TYPES }).notNull(),
		targetId: text("target_id").notNull(),
		/** The author of the content (or the reported user): for penalties and "no upheld report" checks. */
		targetAuthorId: text("target_author_id").references(() => users.id, { onDelete: "set null" }),
		status: text("status", { enum: QUEUE_ITEM_STATUSES }).notNull().default("open"),
		/** Sum of the weights of the open reports, plus an ML/crisis boost: the queue's sort key. */
		score: real("score").notNull().default(0),
		/** Open reports on the item. */
		reportCount: integer("report_count").notNull().default(0),
		mlToxicity: real("ml_toxicity"),
		/** The ML service's per-label scores, e.g. {"insult": 0.82}. */
		mlLabels: text("ml_labels", { mode: "json" })
			.$type<Record<string, number>>()
			.notNull()
			.default(sql`'{}'`),
		mlSelfHarmRisk: text("ml_self_harm_risk", { enum: SELF_HARM_RISKS }),
		/** The content is hidden pending review (weight ≥ 5, toxicity ≥ 0.9, or a flourishing reporter). */
		isHidden: bool("is_hidden").notNull().default(false),
		isUrgent: bool("is_urgent").notNull().default(false),
		/** The content as it was when queued (refreshed on new reports), kept even if its author deletes it. */
		contentSnapshot: text("content_snapshot", { mode: "json" })
			.$type<Record<string, unknown>>()
			.notNull()
			.default(sql`'{}'`),
		source: text("source", { enum: QUEUE_ITEM_SOURCES }).notNull(),
		resolvedBy: text("resolved_by").references(() => users.id, { onDelete: "set null" }),
		resolvedAt: text("resolved_at"),
		/** The last decision taken on the item. */
		decision: text("decision", { enum: QUEUE_DECISIONS }),
		/**
		 * Set when the author deleted their account while this item was open or tied to a penalty in force:
		 * the snapshot is kept as evidence until the case has been closed for `EVIDENCE_RETENTION_DAYS`.
		 */
		authorErasedAt: text("author_erased_at"),
		...timestamps(),
	},
	(t) => [
		uniqueIndex("moderation_queue_items_target_unique").on(t.targetType, t.targetId),
		/** The queue's order: urgent first, then highest score, then longest waiting (oldest) first. */
		index("moderation_queue_items_status_urgent_score_idx").on(
			t.status,
			sql`${t.isUrgent} DESC`,
			sql`${t.score} DESC`,
			t.createdAt,
			t.id,
		),
		index("moderation_queue_items_target_author_idx").on(t.targetAuthorId, t.resolvedAt),
		index("moderation_queue_items_resolved_by_idx").on(t.resolvedBy),
		enumCheck("moderation_queue_items_target_type_check", t.targetType, REPORT_TARGET_TYPES),
		enumCheck("moderation_queue_items_status_check", t.status, QUEUE_ITEM_STATUSES),
		enumCheck("moderation_queue_items_source_check", t.source, QUEUE_ITEM_SOURCES),
		enumCheck("moderation_queue_items_self_harm_check", t.mlSelfHarmRisk, SELF_HARM_RISKS),
		enumCheck("moderation_queue_items_decision_check", t.decision, QUEUE_DECISIONS),
		check("moderation_queue_items_ml_toxicity_check", sql`${t.mlToxicity} BETWEEN 0 AND 1`),
		check("moderation_queue_items_counts_check", sql`${t.score} >= 0 AND ${t.reportCount} >= 0`),
	],
);

export const reports = sqliteTable(
	"reports",
	{
		id: id(),
		reporterId: text("reporter_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		targetType: text("target_type", { enum: REPORT_TARGET_TYPES }).notNull(),
		targetId: text("target_id").notNull(),
		reason: text("reason", { enum: REPORT_REASONS }).notNull(),
		details: text("details").notNull().default(""),
		/** 1 + the reporter's trust rank at report time (new_sprout 0 … flourishing 3, guardian 5). */
		weight: integer("weight").notNull(),
		/** What the report adds toward hiding the content: `weight` from an established reporter, else 0. */
		hideWeight: integer("hide_weight").notNull().default(0),
		status: text("status", { enum: REPORT_STATUSES }).notNull().default("open"),
		/** The target's queue item (created or reopened in the same batch as the report). */
		queueItemId: text("queue_item_id")
			.notNull()
			.references(() => moderationQueueItems.id, { onDelete: "cascade" }),
		resolvedAt: text("resolved_at"),
		...timestamps(),
	},
	(t) => [
		uniqueIndex("reports_reporter_target_unique").on(t.reporterId, t.targetType, t.targetId),
		index("reports_queue_item_idx").on(t.queueItemId, t.status),
		/** An item's newest reports, for the queue views. */
		index("reports_queue_item_id_idx").on(t.queueItemId, t.id),
		index("reports_created_reason_idx").on(t.createdAt, t.reason),
		enumCheck("reports_target_type_check", t.targetType, REPORT_TARGET_TYPES),
		enumCheck("reports_reason_check", t.reason, REPORT_REASONS),
		enumCheck("reports_status_check", t.status, REPORT_STATUSES),
		check("reports_details_check", sql`length(${t.details}) <= ${sql.raw(String(REPORT_DETAILS_MAX))}`),
		check("reports_weight_check", sql`${t.weight} BETWEEN 1 AND 6`),
	],
);

/** The append-only audit log: every moderation action, who took it, on what, and why. */
export const moderationActions = sqliteTable(
	"moderation_actions",
	{
		id: id(),
		/** Null for automatic actions (ML hide, report-weight hide) and once the actor's account is gone. */
		actorId: text("actor_id").references(() => users.id, { onDelete: "set null" }),
		action: text("action", { enum: MODERATION_ACTIONS }).notNull(),
		targetType: text("target_type", { enum: AUDIT_TARGET_TYPES }).notNull(),
		targetId: text("target_id").notNull(),
		/** The user affected (author of the content, the penalised or promoted user), for per-user history. */
		targetUserId: text("target_user_id").references(() => users.id, { onDelete: "set null" }),
		reason: text("reason").notNull().default(""),
		/** Action specifics, e.g. {"duration": "7d"} or {"from": "growing", "to": "good_soil"}. */
		details: text("details", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
		createdAt: createdAt(),
	},
	(t) => [
		index("moderation_actions_created_idx").on(t.createdAt, t.id),
		index("moderation_actions_target_user_idx").on(t.targetUserId, t.createdAt, t.id),
		index("moderation_actions_actor_idx").on(t.actorId, t.createdAt, t.id),
		index("moderation_actions_target_idx").on(t.targetType, t.targetId),
		enumCheck("moderation_actions_action_check", t.action, MODERATION_ACTIONS),
		enumCheck("moderation_actions_target_type_check", t.targetType, AUDIT_TARGET_TYPES),
	],
);

/** Warnings and suspensions (strikes). `users.suspended_until` is the fast-path copy of the active one. */
export const penalties = sqliteTable(
	"penalties",
	{
		id: id(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		kind: text("kind", { enum: PENALTY_KINDS }).notNull(),
		/** Suspensions only. */
		duration: text("duration", { enum: SUSPENSION_DURATIONS }),
		startsAt: text("starts_at").notNull(),
		/** Null for warnings and permanent suspensions. */
		endsAt: text("ends_at"),
		reason: text("reason").notNull().default(""),
		queueItemId: text("queue_item_id").references(() => moderationQueueItems.id, { onDelete: "set null" }),
		issuedBy: text("issued_by").references(() => users.id, { onDelete: "set null" }),
		/** Lifted early by a Guardian or by an overturned appeal. */
		liftedAt: text("lifted_at"),
		liftedBy: text("lifted_by").references(() => users.id, { onDelete: "set null" }),
		...timestamps(),
	},
	(t) => [
		index("penalties_user_idx").on(t.userId, t.createdAt, t.id),
		index("penalties_queue_item_idx").on(t.queueItemId),
		index("penalties_issued_by_idx").on(t.issuedBy),
		index("penalties_lifted_by_idx").on(t.liftedBy),
		enumCheck("penalties_kind_check", t.kind, PENALTY_KINDS),
		enumCheck("penalties_duration_check", t.duration, SUSPENSION_DURATIONS),
		check(
			"penalties_shape_check",
			sql`(${t.kind} = 'warning' AND ${t.duration} IS NULL AND ${t.endsAt} IS NULL) OR (${t.kind} = 'suspension' AND ${t.duration} IS NOT NULL AND (${t.duration} = 'permanent') = (${t.endsAt} IS NULL))`,
		),
	],
);

/** One appeal per penalty (warning or suspension), within 20 days of it. */
export const appeals = sqliteTable(
	"appeals",
	{
		id: id(),
		penaltyId: text("penalty_id")
			.notNull()
			.references(() => penalties.id, { onDelete: "cascade" }),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		body: text("body").notNull(),
		/** `upheld` = the penalty stands; `overturned` = the penalty is lifted. */
		status: text("status", { enum: APPEAL_STATUSES }).notNull().default("pending"),
		reviewerId: text("reviewer_id").references(() => users.id, { onDelete: "set null" }),
		reviewerNotes: text("reviewer_notes"),
		decidedAt: text("decided_at"),
		...timestamps(),
	},
	(t) => [
		uniqueIndex("appeals_penalty_unique").on(t.penaltyId),
		index("appeals_user_idx").on(t.userId),
		index("appeals_status_idx").on(t.status, t.id),
		index("appeals_reviewer_idx").on(t.reviewerId),
		enumCheck("appeals_status_check", t.status, APPEAL_STATUSES),
		check("appeals_body_check", sql`length(${t.body}) <= ${sql.raw(String(APPEAL_BODY_MAX))}`),
	],
);

export type ModerationQueueItemRow = typeof moderationQueueItems.$inferSelect;
export type ReportRow = typeof reports.$inferSelect;
export type ModerationActionRow = typeof moderationActions.$inferSelect;
export type PenaltyRow = typeof penalties.$inferSelect;
export type AppealRow = typeof appeals.$inferSelect;

/**
 * A suspension that outlives its account: when a person deletes their account while suspended, the
 * suspension stays here, keyed by a keyed hash of their Auth0 `sub` (nothing else: no email, no name, no
 * user id), and is applied to the account the same `sub` signs in to next. Purged once it has ended.
 */
export const penaltyTombstones = sqliteTable(
	"penalty_tombstones",
	{
		/** HMAC-SHA256 of the `sub` (see users/tombstone.ts); the only link to the person. */
		subjectHash: text("subject_hash").primaryKey(),
		/** When the suspension ends (`PERMANENT_UNTIL` for a permanent one). */
		suspendedUntil: text("suspended_until").notNull(),
		/** The suspension's duration as issued (the new account's penalty repeats it). */
		duration: text("duration", { enum: SUSPENSION_DURATIONS }).notNull(),
		createdAt: createdAt(),
	},
	(t) => [index("penalty_tombstones_until_idx").on(t.suspendedUntil)],
);
