/**
 * @module guardians/reports: `POST /reports`. One report per reporter per target; each report joins the
 * target's single queue item (created, or reopened if it was resolved) with weight 1 + the reporter's
 * trust rank (guardian 5). The content is hidden pending review, in the same batch, once the open reports
 * weigh ≥ 5 or a flourishing user reports spam or harassment.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { type CurrentUser, isGuardian, trustRank } from "../../auth/current-user";
import type { Db } from "../../db/client";
import { conflict, notFound, unprocessable } from "../../lib/problem";
import { consumeDailyQuota, refundDailyQuota } from "../trust/limits";
import { users } from "../users/tables";
import { auditStatementIf } from "./audit";
import { isUniqueViolation } from "./batch-guard";
import type { QueueTargetType } from "./queue";
import { moderationQueueItems, type REPORT_REASONS, type ReportRow, reports } from "./tables";
import { loadTarget, REPORT_TARGETS, setModerationStatus, targetStatusIs } from "./targets";

/** Open reports weighing this much hide the content pending review. */
export const HIDE_AT_WEIGHT = 5;
export const GUARDIAN_REPORT_RANK = 5;
/** Reasons for which a flourishing reporter hides content at once. */
export const INSTANT_HIDE_REASONS = ["spam", "harassment"] as const;
const VISIBLE_BEFORE_HIDING = ["unchecked", "clean", "flagged"] as const;

export interface NewReport {
	target_type: QueueTargetType;
	target_id: string;
	reason: (typeof REPORT_REASONS)[number];
	details?: string;
	/** Chat messages live in Durable Objects: the reporter supplies what they saw. */
	message?: { author_id: string; body: string; sent_at?: string };
}

export const reportWeight = (reporter: CurrentUser) =>
	1 + (isGuardian(reporter) ? GUARDIAN_REPORT_RANK : trustRank(reporter.trustLevel));

interface ResolvedTarget {
	authorId: string | null;
	snapshot: Record<string, unknown>;
	toxicity: number | null;
}

async function resolveTarget(db: Db, input: NewReport): Promise<ResolvedTarget> {
	if (input.target_type === "chat_message") {
		const { message } = input;
		if (!message) {
			throw unprocessable("A chat message report needs `message` (its sender and text as you saw them).", [
				{ field: "body/message", message: "required for chat_message" },
			]);
		}
		const author = await db
			.select({ id: users.id })
			.from(users)
			.where(and(eq(users.id, message.author_id), isNull(users.deletedAt)))
			.get();
		if (!author) throw notFound("message author");
		return {
			authorId: author.id,
			snapshot: {
				author_id: author.id,
				body: message.body,
				sent_at: message.sent_at ?? null,
				supplied_by_reporter: true,
			},
			toxicity: null,
		};
	}
	const target = await loadTarget(db, input.target_type, input.target_id);
	// Deleted or removed content is shown to nobody but its author and guardians: nothing to report.
	if (!target || target.deleted || target.moderationStatus === "removed") {
		throw notFound(input.target_type.replaceAll("_", " "));
	}
	return { authorId: target.authorId, snapshot: target.snapshot, toxicity: target.toxicity };
}

export async function fileReport(
	db: Db,
	reporter: CurrentUser,
	input: NewReport,
	now = new Date(),
): Promise<ReportRow> {
	const { target_type: targetType, target_id: targetId } = input;
	const target = await resolveTarget(db, input);
	if (target.authorId === reporter.id) {
		throw unprocessable("You cannot report yourself or your own content.", [
			{ field: "body/target_id", message: "is your own" },
		]);
	}
	const mine = and(
		eq(reports.reporterId, reporter.id),
		eq(reports.targetType, targetType),
		eq(reports.targetId, targetId),
	);
	if (await db.select({ id: reports.id }).from(reports).where(mine).get()) {
		throw conflict("You have already reported this.");
	}
	await consumeDailyQuota(db, reporter, "reports", now);

	const weight = reportWeight(reporter);
	const instantHide =
		(INSTANT_HIDE_REASONS as readonly string[]).includes(input.reason) &&
		(isGuardian(reporter) || reporter.trustLevel === "flourishing");
	const nowIso = now.toISOString();
	const itemOfTarget = sql`(SELECT id FROM ${moderationQueueItems} WHERE target_type = ${targetType} AND target_id = ${targetId})`;
	const itemHidden = sql`EXISTS (SELECT 1 FROM ${moderationQueueItems} WHERE target_type = ${targetType} AND target_id = ${targetId} AND is_hidden = 1)`;
	const spec = REPORT_TARGETS[targetType];

	const upsertItem = db
		.insert(moderationQueueItems)
		.values({
			targetType,
			targetId,
			targetAuthorId: target.authorId,
			status: "open",
			source: "reports",
			mlToxicity: target.toxicity,
			contentSnapshot: target.snapshot,
		})
		.onConflictDoUpdate({
			target: [moderationQueueItems.targetType, moderationQueueItems.targetId],
			set: {
				status: "open",
				resolvedAt: null,
				resolvedBy: null,
				// The evidence as first reported stays while the item is open (the author may edit it away).
				contentSnapshot: sql`CASE WHEN ${moderationQueueItems.status} = 'open' THEN ${moderationQueueItems.contentSnapshot} ELSE ${JSON.stringify(target.snapshot)} END`,
				mlToxicity: sql`coalesce(${moderationQueueItems.mlToxicity}, ${target.toxicity})`,
				updatedAt: nowIso,
			},
		});
	const insertReport = db
		.insert(reports)
		.values({
			reporterId: reporter.id,
			targetType,
			targetId,
			reason: input.reason,
			details: input.details ?? "",
			weight,
			queueItemId: itemOfTarget,
		})
		.returning();
	const weighItem = db
		.update(moderationQueueItems)
		.set({
			score: sql`${moderationQueueItems.score} + ${weight}`,
			reportCount: sql`${moderationQueueItems.reportCount} + 1`,
			isHidden: sql`${moderationQueueItems.isHidden} OR ${instantHide ? 1 : 0} OR (SELECT coalesce(sum(weight), 0) FROM ${reports} WHERE queue_item_id = ${moderationQueueItems.id} AND status = 'open') >= ${HIDE_AT_WEIGHT}`,
			// Someone may be at risk: guardians see the item marked urgent.
			isUrgent: sql`${moderationQueueItems.isUrgent} OR ${input.reason === "self_harm" ? 1 : 0}`,
			updatedAt: nowIso,
		})
		.where(and(eq(moderationQueueItems.targetType, targetType), eq(moderationQueueItems.targetId, targetId)));

	const hiding = spec.moderated
		? [
				// The audit entry first: it is written only if this batch is the one that hides the content.
				auditStatementIf(
					db,
					{
						actorId: null,
						action: "hide_content",
						targetType,
						targetId,
						targetUserId: target.authorId,
						reason: instantHide
							? `Reported for ${input.reason} by a flourishing member: hidden pending review.`
							: `Open reports weigh ${HIDE_AT_WEIGHT} or more: hidden pending review.`,
						details: { automatic: true, trigger: instantHide ? "trusted_reporter" : "report_weight" },
					},
					sql`${itemHidden} AND ${targetStatusIs(targetType, targetId, VISIBLE_BEFORE_HIDING)}`,
				),
				setModerationStatus(db, targetType, targetId, "hidden", VISIBLE_BEFORE_HIDING, itemHidden),
				// Reported but still visible: flagged for review.
				setModerationStatus(db, targetType, targetId, "flagged", ["clean"]),
			].filter((statement) => statement !== null)
		: [];

	try {
		const [, inserted] = await db.batch([upsertItem, insertReport, weighItem, ...hiding]);
		const report = inserted[0];
		if (!report) throw new Error("report insert returned nothing");
		return report;
	} catch (error) {
		await refundDailyQuota(db, reporter, "reports", now);
		if (isUniqueViolation(error)) throw conflict("You have already reported this.");
		throw error;
	}
}
