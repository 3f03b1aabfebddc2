/** @module guardians/schemas: reports, the queue, decisions, applications review, user admin, appeals, audit log. */
import { z } from "@hono/zod-openapi";
import {
	APPEAL_BODY_MAX,
	APPEAL_STATUSES,
	type AppealRow,
	AUDIT_TARGET_TYPES,
	MODERATION_ACTIONS,
	type ModerationActionRow,
	type ModerationQueueItemRow,
	PENALTY_KINDS,
	type PenaltyRow,
	QUEUE_DECISIONS,
	QUEUE_ITEM_SOURCES,
	QUEUE_ITEM_STATUSES,
	REPORT_DETAILS_MAX,
	REPORT_REASONS,
	REPORT_STATUSES,
	REPORT_TARGET_TYPES,
	type ReportRow,
	SELF_HARM_RISKS,
	SUSPENSION_DURATIONS,
} from "../../db/tables/guardians";
import { APPLICATION_STATUSES, APPLIED_TRUST_LEVELS } from "../../db/tables/trust";
import { ROLES, TRUST_LEVELS, type UserRow } from "../../db/tables/users";
import { startOfUtcDay } from "../../lib/coarse-time";
import { PageQuery, pageOf } from "../../lib/pagination";
import { boundedText, IsoTimestamp, Uuid } from "../../lib/schemas";
import type { PendingApplication } from "./admin";
import type { AppealView, PenaltyWithAppeal } from "./appeals";
import { appealDeadline } from "./penalties";
import type { AuthorSummary, ReportView } from "./review";
import type { LoadedTarget } from "./targets";

export const REASON_MAX = 1000;
export const CHAT_MESSAGE_MAX = 4000;
const TargetId = z.string().min(1).max(100);
const Json = z.record(z.string(), z.unknown());

// ---------------------------------------------------------------- reports

export const CreateReport = z
	.strictObject({
		target_type: z.enum(REPORT_TARGET_TYPES),
		target_id: TargetId.openapi({
			description: "The reported thing's id (a UUID; for `chat_message` the message's `id`).",
		}),
		reason: z.enum(REPORT_REASONS),
		details: z.string().trim().max(REPORT_DETAILS_MAX).optional(),
		message: z
			.strictObject({
				author_id: Uuid.openapi({
					description: "Who sent you the message: names the conversation it is looked up in.",
				}),
				body: z.string().max(CHAT_MESSAGE_MAX).optional().openapi({
					description: "Ignored (kept for older clients): the report uses the text the conversation stored.",
				}),
				sent_at: IsoTimestamp.optional().openapi({ description: "Ignored (kept for older clients)." }),
			})
			.optional()
			.openapi({
				description:
					"Chat messages only (required for them): the message is read from your conversation with `author_id`, and the guardians' snapshot is its stored copy (sender, text, seq, time), never what you send here.",
			}),
	})
	.superRefine((body, ctx) => {
		if (body.target_type === "chat_message") {
			if (!body.message)
				ctx.addIssue({ code: "custom", path: ["message"], message: "required for chat_message" });
		} else {
			if (body.message) ctx.addIssue({ code: "custom", path: ["message"], message: "only for chat_message" });
			if (!Uuid.safeParse(body.target_id).success) {
				ctx.addIssue({ code: "custom", path: ["target_id"], message: "must be a UUID" });
			}
		}
	})
	.openapi("CreateReport");

export const Report = z
	.object({
		id: z.uuid(),
		target_type: z.enum(REPORT_TARGET_TYPES),
		target_id: z.string(),
		reason: z.enum(REPORT_REASONS),
		details: z.string(),
		status: z.enum(REPORT_STATUSES),
		created_at: IsoTimestamp,
	})
	.openapi("Report");

export const toReport = (row: ReportRow): z.infer<typeof Report> => ({
	id: row.id,
	target_type: row.targetType,
	target_id: row.targetId,
	reason: row.reason,
	details: row.details,
	status: row.status,
	created_at: row.createdAt,
});

// ---------------------------------------------------------------- the queue

const QueuedReport = z
	.object({
		id: z.uuid(),
		reason: z.enum(REPORT_REASONS),
		details: z.string(),
		weight: z.number().int(),
		status: z.enum(REPORT_STATUSES),
		reporter: z.object({
			id: z.uuid(),
			display_name: z.string(),
			trust_level: z.enum(TRUST_LEVELS),
			role: z.enum(ROLES),
		}),
		created_at: IsoTimestamp,
		resolved_at: IsoTimestamp.nullable(),
	})
	.openapi("QueuedReport");

const PersonSummary = z
	.object({
		id: z.uuid(),
		display_name: z.string(),
		role: z.enum(ROLES),
		trust_level: z.enum(TRUST_LEVELS),
		suspended_until: IsoTimestamp.nullable(),
	})
	.openapi("PersonSummary");

export const QueueItem = z
	.object({
		id: z.uuid(),
		target_type: z.enum(REPORT_TARGET_TYPES),
		target_id: z.string(),
		status: z.enum(QUEUE_ITEM_STATUSES),
		source: z.enum(QUEUE_ITEM_SOURCES),
		score: z.number().openapi({ description: "Weights of the open reports plus ML boosts: the sort key." }),
		report_count: z.number().int().openapi({ description: "Open reports." }),
		is_hidden: z.boolean(),
		is_urgent: z.boolean(),
		ml: z.object({
			toxicity: z.number().nullable(),
			labels: z.record(z.string(), z.number()),
			self_harm_risk: z.enum(SELF_HARM_RISKS).nullable(),
		}),
		author: PersonSummary.nullable().openapi({
			description: "Null for anonymous support or a deleted account.",
		}),
		reports: z
			.array(QueuedReport)
			.openapi({ description: "The newest reports (up to 10 in lists, 100 on the item)." }),
		decision: z.enum(QUEUE_DECISIONS).nullable(),
		resolved_by: z.uuid().nullable(),
		resolved_at: IsoTimestamp.nullable(),
		created_at: IsoTimestamp,
		updated_at: IsoTimestamp,
	})
	.openapi("QueueItem");
export const QueueItemPage = pageOf(QueueItem, "QueueItemPage");

export const QueueItemDetail = QueueItem.extend({
	content_snapshot: Json.openapi({
		description: "The content as reported; kept even if it was deleted since.",
	}),
	live: z
		.object({ deleted: z.boolean(), moderation_status: z.string().nullable(), content: Json })
		.nullable()
		.openapi({ description: "The content's current state; null when the row is gone (or a chat message)." }),
}).openapi("QueueItemDetail");

export const QueueQuery = PageQuery.extend({
	status: z.enum(QUEUE_ITEM_STATUSES).default("open"),
	target_type: z.enum(REPORT_TARGET_TYPES).optional(),
});

const toPerson = (person: AuthorSummary | null) =>
	person
		? {
				id: person.id,
				display_name: person.displayName,
				role: person.role,
				trust_level: person.trustLevel,
				suspended_until: person.suspendedUntil,
			}
		: null;

const toQueuedReport = (report: ReportView) =>
	({
		id: report.id,
		reason: report.reason,
		details: report.details,
		weight: report.weight,
		status: report.status,
		reporter: {
			id: report.reporter.id,
			display_name: report.reporter.displayName,
			trust_level: report.reporter.trustLevel,
			role: report.reporter.role,
		},
		created_at: report.createdAt,
		resolved_at: report.resolvedAt,
	}) as z.infer<typeof QueuedReport>;

export function toQueueItem(
	item: ModerationQueueItemRow,
	author: AuthorSummary | null,
	queued: ReportView[],
): z.infer<typeof QueueItem> {
	return {
		id: item.id,
		target_type: item.targetType,
		target_id: item.targetId,
		status: item.status,
		source: item.source,
		score: item.score,
		report_count: item.reportCount,
		is_hidden: item.isHidden,
		is_urgent: item.isUrgent,
		ml: { toxicity: item.mlToxicity, labels: item.mlLabels, self_harm_risk: item.mlSelfHarmRisk },
		author: toPerson(author),
		reports: queued.map(toQueuedReport),
		decision: item.decision,
		resolved_by: item.resolvedBy,
		resolved_at: item.resolvedAt,
		created_at: item.createdAt,
		updated_at: item.updatedAt,
	};
}

export function toQueueItemDetail(
	item: ModerationQueueItemRow,
	author: AuthorSummary | null,
	queued: ReportView[],
	live: LoadedTarget | undefined,
): z.infer<typeof QueueItemDetail> {
	return {
		...toQueueItem(item, author, queued),
		content_snapshot: item.contentSnapshot,
		live: live
			? { deleted: live.deleted, moderation_status: live.moderationStatus, content: live.snapshot }
			: null,
	};
}

export const QueueDecision = z
	.strictObject({
		decision: z.enum(QUEUE_DECISIONS),
		duration: z.enum(SUSPENSION_DURATIONS).optional().openapi({ description: "Required for `suspend`." }),
		reason: boundedText(1, REASON_MAX).openapi({ description: "Why; kept in the audit log." }),
	})
	.superRefine((body, ctx) => {
		if (body.decision === "suspend" && !body.duration) {
			ctx.addIssue({ code: "custom", path: ["duration"], message: "required to suspend" });
		}
		if (body.decision !== "suspend" && body.duration) {
			ctx.addIssue({ code: "custom", path: ["duration"], message: "only for suspend" });
		}
	})
	.openapi("QueueDecision");

export const QueueDecisionResult = z
	.object({
		item: QueueItem.omit({ reports: true, author: true }),
		penalty_id: z.uuid().nullable().openapi({ description: "The warning or suspension issued, if any." }),
	})
	.openapi("QueueDecisionResult");

// ---------------------------------------------------------------- applications

const Applicant = z
	.object({
		id: z.uuid(),
		display_name: z.string(),
		role: z.enum(ROLES),
		trust_level: z.enum(TRUST_LEVELS),
		trust_level_since: IsoTimestamp,
		member_since: IsoTimestamp,
	})
	.openapi("Applicant");

export const ReviewableApplication = z
	.object({
		id: z.uuid(),
		kind: z.enum(["trust", "guide"]),
		status: z.enum(APPLICATION_STATUSES),
		applicant: Applicant,
		trust: z
			.object({
				from_level: z.enum(TRUST_LEVELS),
				requested_level: z.enum(APPLIED_TRUST_LEVELS),
				statement: z.string(),
			})
			.nullable(),
		guide: z
			.object({ motivation: z.string(), experience: z.string(), specialties: z.array(z.string()) })
			.nullable(),
		reviewer_notes: z.string().nullable(),
		reviewed_at: IsoTimestamp.nullable(),
		created_at: IsoTimestamp,
	})
	.openapi("ReviewableApplication");
export const ReviewableApplicationPage = pageOf(ReviewableApplication, "ReviewableApplicationPage");

export const ApplicationsQuery = PageQuery.extend({
	kind: z.enum(["trust", "guide"]).optional().openapi({ description: "Both kinds by default." }),
});

export const ApplicationDecision = z
	.strictObject({
		decision: z.enum(["approve", "reject"]),
		notes: z.string().trim().max(REASON_MAX).optional(),
	})
	.openapi("ApplicationDecision");

export function toReviewableApplication(view: PendingApplication): z.infer<typeof ReviewableApplication> {
	const { application, applicant } = view;
	return {
		id: application.id,
		kind: view.kind,
		status: application.status,
		applicant: {
			id: applicant.id,
			display_name: applicant.displayName,
			role: applicant.role,
			trust_level: applicant.trustLevel,
			// Days, as on the public profile: exact account times could be lined up with anonymous activity.
			trust_level_since: startOfUtcDay(applicant.trustLevelSince),
			member_since: startOfUtcDay(applicant.createdAt),
		},
		trust:
			view.kind === "trust"
				? {
						from_level: view.application.fromLevel,
						requested_level: view.application.requestedLevel,
						statement: view.application.statement,
					}
				: null,
		guide:
			view.kind === "guide"
				? {
						motivation: view.application.motivation,
						experience: view.application.experience,
						specialties: view.application.specialties,
					}
				: null,
		reviewer_notes: application.reviewerNotes,
		reviewed_at: application.reviewedAt,
		created_at: application.createdAt,
	};
}

// ---------------------------------------------------------------- user administration

export const AdministerUser = z
	.strictObject({
		role: z.enum(ROLES).optional(),
		trust_level: z.enum(TRUST_LEVELS).optional(),
		trust_locked: z.boolean().optional().openapi({ description: "Locked: no automatic trust change." }),
		suspension: z
			.strictObject({ duration: z.enum(SUSPENSION_DURATIONS) })
			.nullable()
			.optional()
			.openapi({ description: "`{ duration }` suspends; `null` lifts the current suspension." }),
		reason: boundedText(1, REASON_MAX).openapi({ description: "Why; kept in the audit log." }),
	})
	.refine(
		(body) =>
			body.role !== undefined ||
			body.trust_level !== undefined ||
			body.trust_locked !== undefined ||
			body.suspension !== undefined,
		"send at least one of role, trust_level, trust_locked, suspension",
	)
	.openapi("AdministerUser");

export const AdministeredUser = z
	.object({
		id: z.uuid(),
		display_name: z.string(),
		role: z.enum(ROLES),
		trust_level: z.enum(TRUST_LEVELS),
		trust_level_since: IsoTimestamp,
		trust_locked: z.boolean(),
		suspended_until: IsoTimestamp.nullable(),
		created_at: IsoTimestamp,
	})
	.openapi("AdministeredUser");

export const toAdministeredUser = (user: UserRow): z.infer<typeof AdministeredUser> => ({
	id: user.id,
	display_name: user.displayName,
	role: user.role,
	trust_level: user.trustLevel,
	// Days, as on the public profile: exact account times could be lined up with anonymous activity.
	trust_level_since: startOfUtcDay(user.trustLevelSince),
	trust_locked: user.trustLocked,
	suspended_until: user.suspendedUntil,
	created_at: startOfUtcDay(user.createdAt),
});

// ---------------------------------------------------------------- penalties and appeals

const AppealSummary = z
	.object({ id: z.uuid(), status: z.enum(APPEAL_STATUSES), decided_at: IsoTimestamp.nullable() })
	.openapi("AppealSummary");

export const Penalty = z
	.object({
		id: z.uuid(),
		kind: z.enum(PENALTY_KINDS),
		duration: z.enum(SUSPENSION_DURATIONS).nullable(),
		starts_at: IsoTimestamp,
		ends_at: IsoTimestamp.nullable().openapi({ description: "Null for warnings and permanent suspensions." }),
		reason: z.string(),
		lifted_at: IsoTimestamp.nullable(),
		appeal_deadline: IsoTimestamp,
		can_appeal: z.boolean(),
		appeal: AppealSummary.nullable(),
	})
	.openapi("Penalty");
export const PenaltyPage = pageOf(Penalty, "PenaltyPage");

export function toPenalty(
	penalty: PenaltyRow,
	appeal: AppealRow | null,
	now = new Date(),
): z.infer<typeof Penalty> {
	const deadline = appealDeadline(penalty.startsAt);
	return {
		id: penalty.id,
		kind: penalty.kind,
		duration: penalty.duration,
		starts_at: penalty.startsAt,
		ends_at: penalty.endsAt,
		reason: penalty.reason,
		lifted_at: penalty.liftedAt,
		appeal_deadline: deadline,
		can_appeal: appeal === null && penalty.liftedAt === null && now.toISOString() <= deadline,
		appeal: appeal ? { id: appeal.id, status: appeal.status, decided_at: appeal.decidedAt } : null,
	};
}

export const toMyPenalty = ({ penalty, appeal }: PenaltyWithAppeal) => toPenalty(penalty, appeal);

export const CreateAppeal = z
	.strictObject({
		penalty_id: Uuid.openapi({ description: "From `GET /penalties`." }),
		body: boundedText(1, APPEAL_BODY_MAX),
	})
	.openapi("CreateAppeal");

export const Appeal = z
	.object({
		id: z.uuid(),
		status: z.enum(APPEAL_STATUSES),
		body: z.string(),
		reviewer_notes: z.string().nullable(),
		decided_at: IsoTimestamp.nullable(),
		created_at: IsoTimestamp,
		penalty: Penalty,
	})
	.openapi("Appeal");

export const ReviewableAppeal = Appeal.extend({
	appellant: z.object({
		id: z.uuid(),
		display_name: z.string(),
		trust_level: z.enum(TRUST_LEVELS),
		suspended_until: IsoTimestamp.nullable(),
	}),
}).openapi("ReviewableAppeal");
export const ReviewableAppealPage = pageOf(ReviewableAppeal, "ReviewableAppealPage");

export const AppealsQuery = PageQuery.extend({ status: z.enum(APPEAL_STATUSES).default("pending") });

export const AppealDecision = z
	.strictObject({
		decision: z.enum(["uphold", "overturn"]),
		notes: z.string().trim().max(REASON_MAX).optional(),
	})
	.openapi("AppealDecision");

export const toAppeal = (appeal: AppealRow, penalty: PenaltyRow): z.infer<typeof Appeal> => ({
	id: appeal.id,
	status: appeal.status,
	body: appeal.body,
	reviewer_notes: appeal.reviewerNotes,
	decided_at: appeal.decidedAt,
	created_at: appeal.createdAt,
	penalty: toPenalty(penalty, appeal),
});

export const toReviewableAppeal = (view: AppealView): z.infer<typeof ReviewableAppeal> => ({
	...toAppeal(view.appeal, view.penalty),
	appellant: {
		id: view.appellant.id,
		display_name: view.appellant.displayName,
		trust_level: view.appellant.trustLevel as z.infer<typeof ReviewableAppeal>["appellant"]["trust_level"],
		suspended_until: view.appellant.suspendedUntil,
	},
});

// ---------------------------------------------------------------- audit log and stats

export const AuditEntry = z
	.object({
		id: z.uuid(),
		actor: z
			.object({ id: z.uuid(), display_name: z.string() })
			.nullable()
			.openapi({ description: "Null for automatic actions (or a deleted account)." }),
		action: z.enum(MODERATION_ACTIONS),
		target_type: z.enum(AUDIT_TARGET_TYPES),
		target_id: z.string(),
		target_user_id: z.uuid().nullable(),
		reason: z.string(),
		details: Json,
		created_at: IsoTimestamp,
	})
	.openapi("AuditEntry");
export const AuditPage = pageOf(AuditEntry, "AuditPage");

export const AuditQuery = PageQuery.extend({
	actor_id: Uuid.optional(),
	target_user_id: Uuid.optional(),
	action: z.enum(MODERATION_ACTIONS).optional(),
	target_type: z.enum(AUDIT_TARGET_TYPES).optional(),
	target_id: TargetId.optional(),
});

export const toAuditEntry = ({
	entry,
	actor,
}: {
	entry: ModerationActionRow;
	actor: { id: string; displayName: string } | null;
}): z.infer<typeof AuditEntry> => ({
	id: entry.id,
	actor: actor ? { id: actor.id, display_name: actor.displayName } : null,
	action: entry.action,
	target_type: entry.targetType,
	target_id: entry.targetId,
	target_user_id: entry.targetUserId,
	reason: entry.reason,
	details: entry.details,
	created_at: entry.createdAt,
});

export const StatsQuery = z.object({
	days: z.coerce.number().int().min(1).max(365).default(30).openapi({ description: "The period, in days." }),
});

export const GuardianStats = z
	.object({
		period_days: z.number().int(),
		queue: z.object({
			open: z.number().int(),
			open_hidden: z.number().int(),
			open_urgent: z.number().int(),
			resolved_in_period: z.number().int(),
		}),
		reports_by_reason: z.record(z.string(), z.number().int()),
		actions_over_time: z.array(z.object({ date: z.string(), action: z.string(), count: z.number().int() })),
		pending: z.object({
			trust_applications: z.number().int(),
			guide_applications: z.number().int(),
			appeals: z.number().int(),
		}),
	})
	.openapi("GuardianStats");
