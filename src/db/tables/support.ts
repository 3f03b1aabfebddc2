/**
 * @module db/tables/support: anonymous support requests and their responses.
 *
 * A support request has NO column that can lead back to its author: no user id, no IP, no quota link. The
 * author proves ownership with the raw token, which only they hold; the database keeps a PBKDF2 hash of it.
 * Nor can its time: its id is random (UUIDv4) and every time it stores is rounded down to the hour
 * (`lib/coarse-time`), so it cannot be lined up with what its author did under their name at that moment.
 * Lists sort by (urgent, created_at, id), which the indexes below serve.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { anonymousTimestamps, bool, deletedAt, enumCheck, id, randomId, timestamps } from "../columns";
import { defineContent } from "../content";
import { isoDateCheck, moderation, moderationExtras } from "./shared";
import { users } from "./users";

export const SUPPORT_CATEGORIES = [
	"anxiety",
	"depression",
	"grief",
	"relationships",
	"addiction",
	"faith",
	"stress",
	"loneliness",
	"other",
] as const;
export const SUPPORT_VISIBILITIES = ["community", "guides_only"] as const;
export const SUPPORT_STATUSES = ["open", "responded", "resolved", "closed"] as const;
/** Statuses of a request still waiting for help. */
export const ACTIVE_SUPPORT_STATUSES = ["open", "responded"] as const;

/**
 * The condition of the partial "active" indexes, written once: queries must repeat it literally (not with
 * bound parameters) for SQLite to use those indexes.
 */
export const ACTIVE_SUPPORT_REQUEST = sql.raw(`status IN ('open', 'responded') AND deleted_at IS NULL`);

export const supportRequests = sqliteTable(
	"support_requests",
	{
		id: randomId(),
		title: text("title").notNull(),
		body: text("body").notNull(),
		category: text("category", { enum: SUPPORT_CATEGORIES }).notNull(),
		visibility: text("visibility", { enum: SUPPORT_VISIBILITIES }).notNull().default("community"),
		status: text("status", { enum: SUPPORT_STATUSES }).notNull().default("open"),
		/** High self-harm risk from the ML service: sorted first for guides and raised to Guardians. */
		isUrgent: bool("is_urgent").notNull().default(false),
		/** PBKDF2-SHA256 of the raw token (base64), with its per-request random salt and iteration count. */
		tokenHash: text("token_hash").notNull(),
		tokenSalt: text("token_salt").notNull(),
		/** Recorded per row so the count can change later without invalidating existing tokens. */
		tokenIterations: integer("token_iterations").notNull(),
		...moderation(),
		/** Denormalised count of live responses. */
		responseCount: integer("response_count").notNull().default(0),
		/** Rounded down to the hour too, when set (`deleteSupportRequest`). */
		deletedAt: deletedAt(),
		...anonymousTimestamps(),
	},
	(t) => [
		/** Lists filtered by one status: urgent first, newest hour first, then the random id. */
		index("support_requests_status_urgent_idx").on(t.status, t.isUrgent, t.createdAt, t.id),
		/** The default list (still-active requests), in the same order; and the same by category. */
		index("support_requests_active_idx").on(t.isUrgent, t.createdAt, t.id).where(ACTIVE_SUPPORT_REQUEST),
		index("support_requests_active_category_idx")
			.on(t.category, t.isUrgent, t.createdAt, t.id)
			.where(ACTIVE_SUPPORT_REQUEST),
		enumCheck("support_requests_category_check", t.category, SUPPORT_CATEGORIES),
		enumCheck("support_requests_visibility_check", t.visibility, SUPPORT_VISIBILITIES),
		enumCheck("support_requests_status_check", t.status, SUPPORT_STATUSES),
		check("support_requests_token_iterations_check", sql`${t.tokenIterations} BETWEEN 1 AND 100000`),
		check("support_requests_response_count_check", sql`${t.responseCount} >= 0`),
		...moderationExtras("support_requests", t),
	],
);

export const supportResponses = sqliteTable(
	"support_responses",
	{
		id: id(),
		requestId: text("request_id")
			.notNull()
			.references(() => supportRequests.id, { onDelete: "cascade" }),
		responderId: text("responder_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		/** Fixed at creation: the responder was a verified Guide when responding. */
		isGuideResponse: bool("is_guide_response").notNull().default(false),
		/** Set by the requester (token holder). */
		isHelpful: bool("is_helpful").notNull().default(false),
		body: text("body").notNull(),
		...moderation(),
		deletedAt: deletedAt(),
		...timestamps(),
	},
	(t) => [
		index("support_responses_request_idx").on(t.requestId, t.id),
		index("support_responses_responder_idx").on(t.responderId, t.id),
		...moderationExtras("support_responses", t),
	],
);

/**
 * Daily support-request counts per user without linking any request to anyone: the key is an HMAC of the
 * user id under a server secret, and the row holds only a count (no request ids).
 */
export const supportQuota = sqliteTable(
	"support_quota",
	{
		id: id(),
		quotaKey: text("quota_key").notNull(),
		/** UTC date YYYY-MM-DD. */
		day: text("day").notNull(),
		count: integer("count").notNull().default(0),
		...timestamps(),
	},
	(t) => [
		uniqueIndex("support_quota_key_day_unique").on(t.quotaKey, t.day),
		index("support_quota_day_idx").on(t.day),
		isoDateCheck("support_quota_day_check", t.day),
		check("support_quota_count_check", sql`${t.count} >= 0`),
	],
);

export type SupportRequestRow = typeof supportRequests.$inferSelect;
export type SupportResponseRow = typeof supportResponses.$inferSelect;
export type SupportQuotaRow = typeof supportQuota.$inferSelect;

/** Support requests, as content: anonymous by design, so no author is ever stored (none can be penalised). */
export const supportRequestContent = defineContent({
	type: "support_request",
	table: supportRequests,
	author: null,
	deletedAt: supportRequests.deletedAt,
	urgent: supportRequests.isUrgent,
	text: [supportRequests.title, supportRequests.body],
	snapshot: [
		supportRequests.title,
		supportRequests.body,
		supportRequests.category,
		supportRequests.visibility,
		supportRequests.createdAt,
	],
	erasure: "keep",
});

/** Answers to support requests: kept when their author leaves (the person who asked keeps the help). */
export const supportResponseContent = defineContent({
	type: "support_response",
	table: supportResponses,
	author: supportResponses.responderId,
	deletedAt: supportResponses.deletedAt,
	text: [supportResponses.body],
	snapshot: [supportResponses.requestId, supportResponses.body, supportResponses.createdAt],
	erasure: "keep",
});
