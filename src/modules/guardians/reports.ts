/**
 * @module guardians/reports: `POST /reports`. One report per reporter per target; each report joins the
 * target's single queue item (created, or reopened if it was resolved) with weight 1 + the reporter's
 * trust rank (guardian 5), which orders the queue.
 *
 * Hiding is a separate, stricter weight (`hide_weight`), because hiding silences someone before a person
 * has looked: only established reporters carry it (trust ≥ growing, an account at least
 * `ESTABLISHED_AFTER_DAYS` old, and `ESTABLISHED_CONTRIBUTIONS` contributions other people can see), so a
 * handful of fresh accounts cannot hide anything. The content is hidden pending review, in the same batch,
 * once the open reports' hide weight is ≥ 5 or a flourishing member reports spam or harassment — never when
 * the item is urgent (a person may be at risk): an urgent item goes to the top of the queue and stays
 * visible to the people who can help. The batch that hides it also tells its author (`content_moderated`,
 * no person shown: nothing in it leads to a reporter).
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { ReportableMessage } from "../../../durable-objects/chat-protocol";
import {
	type CurrentUser,
	hasTrust,
	isGuardian,
	isVerifiedGuide,
	trustRank,
} from "../../core/accounts/current-user";
import { isBlockedBy } from "../../core/blocks";
import { noteFanOut } from "../../core/fan-outs";
import { auditStatementIf } from "../../core/moderation/audit";
import { contentIs, contentModeratedStatements } from "../../core/moderation/notices";
import type { QueueTargetType } from "../../core/moderation/queue";
import { withDailyQuota } from "../../core/quotas";
import { isUniqueViolation } from "../../db/batch-guard";
import type { Db } from "../../db/client";
import { contentKindOf } from "../../db/content-kinds";
import { groupMembers } from "../../db/tables/fellowship";
import {
	moderationQueueItems,
	type REPORT_REASONS,
	type ReportRow,
	reports,
} from "../../db/tables/guardians";
import { connections, mentorships } from "../../db/tables/orchard";
import { projectMembers } from "../../db/tables/teamup";
import { users } from "../../db/tables/users";
import { DAY_MS } from "../../lib/durations";
import { conflict, notFound, unprocessable } from "../../lib/problem";
import { isRemovable, loadTarget, setModerationStatus, targetStatusIs } from "./targets";

/** Open reports whose hide weight adds up to this much hide the content pending review. */
export const HIDE_AT_WEIGHT = 5;
/** A reporter's account must be this old before their reports count toward hiding anything. */
export const ESTABLISHED_AFTER_DAYS = 7;
/** …and have this many contributions other people can see (posts, comments, sunlight shares; not habit logs). */
export const ESTABLISHED_CONTRIBUTIONS = 5;
export const GUARDIAN_REPORT_RANK = 5;
/** Reasons for which a flourishing reporter hides content at once. */
export const INSTANT_HIDE_REASONS = ["spam", "harassment"] as const;
const VISIBLE_BEFORE_HIDING = ["unchecked", "clean", "flagged"] as const;

export interface NewReport {
	target_type: QueueTargetType;
	target_id: string;
	reason: (typeof REPORT_REASONS)[number];
	details?: string;
	/** Chat messages: `author_id` (the other participant) names the conversation; `body`, `sent_at` are ignored. */
	message?: { author_id: string; body?: string | undefined; sent_at?: string | undefined };
	/**
	 * Chat messages live in their conversation's ChatRoom: reads message `messageId` of the reporter's
	 * conversation with `authorId` (undefined when absent or never shown to the reporter). Bound to the
	 * caller by the route, never taken from the request.
	 */
	readChatMessage?: (authorId: string, messageId: string) => Promise<ReportableMessage | undefined>;
}

export const reportWeight = (reporter: CurrentUser) =>
	1 + (isGuardian(reporter) ? GUARDIAN_REPORT_RANK : trustRank(reporter.trustLevel));

/**
 * What a report adds toward hiding: its weight when the reporter is established (see the module comment),
 * else 0. Guardians are always established (the role comes from D1).
 */
export function hideWeight(reporter: CurrentUser, visibleContributions: number, now: Date): number {
	if (isGuardian(reporter)) return reportWeight(reporter);
	const ageDays = (now.getTime() - Date.parse(reporter.createdAt)) / DAY_MS;
	const established =
		hasTrust(reporter, "growing") &&
		ageDays >= ESTABLISHED_AFTER_DAYS &&
		visibleContributions >= ESTABLISHED_CONTRIBUTIONS;
	return established ? reportWeight(reporter) : 0;
}

/** The reporter's earlier report on this target, and their visible contributions (capped), in one read. */
function reporterStanding(db: Db, reporterId: string, targetType: QueueTargetType, targetId: string) {
	const capped = (table: string, column: string) =>
		sql`(SELECT count(*) FROM (SELECT 1 FROM ${sql.identifier(table)} WHERE ${sql.identifier(column)} = ${reporterId}
			AND deleted_at IS NULL AND moderation_status <> 'removed' LIMIT ${ESTABLISHED_CONTRIBUTIONS}))`;
	return db.get<{ reported: number; contributions: number }>(sql`
		SELECT EXISTS (SELECT 1 FROM ${reports} WHERE reporter_id = ${reporterId} AND target_type = ${targetType}
				AND target_id = ${targetId}) AS reported,
			${capped("posts", "author_id")} + ${capped("comments", "author_id")}
				+ ${capped("sunlight_shares", "author_id")} AS contributions`);
}

/**
 * True when the target is urgent: its queue item is (ML crisis signal, high self-harm risk, a self-harm
 * report), or the content itself is marked urgent (a post or support request read as a crisis). Reports
 * never hide urgent content.
 */
function urgentSql(targetType: QueueTargetType, targetId: string) {
	const kind = contentKindOf(targetType);
	const own =
		kind?.urgent !== undefined
			? sql` OR EXISTS (SELECT 1 FROM ${kind.table} WHERE id = ${targetId} AND ${kind.urgent} = 1)`
			: sql``;
	return sql`(${moderationQueueItems.isUrgent} = 1 OR ${moderationQueueItems.mlSelfHarmRisk} IS 'high'${own})`;
}

interface ResolvedTarget {
	authorId: string | null;
	urgent?: boolean;
	snapshot: Record<string, unknown>;
	toxicity: number | null;
}

/**
 * What the reported person wrote to the reporter directly — connection request notes, mentorship goals and
 * messages — read from D1 (never the reporter's word), so a person reporting a harasser puts those words in
 * front of a guardian. Notes go with the request row: a block deletes it, so report before blocking.
 */
async function wordsAddressedTo(db: Db, authorId: string, reporterId: string) {
	const rows = await db.all<{ context: string; text: string; created_at: string }>(sql`
		SELECT 'connection_request' AS context, note AS text, created_at FROM ${connections}
			WHERE requester_id = ${authorId} AND addressee_id = ${reporterId} AND note <> ''
		UNION ALL
		SELECT 'mentorship_request', trim(goals || char(10) || message), created_at FROM ${mentorships}
			WHERE mentee_id = ${authorId} AND guide_id = ${reporterId} AND (goals <> '' OR message <> '')
		ORDER BY created_at DESC LIMIT 10`);
	return rows;
}

async function resolveTarget(db: Db, input: NewReport, reporterId: string): Promise<ResolvedTarget> {
	if (input.target_type === "chat_message") {
		// Only a message that exists, in the reporter's own conversation, as the room stored it: a made-up
		// id, another conversation's message or the reporter's own words never reach the queue.
		const { message, readChatMessage } = input;
		if (!message) {
			throw unprocessable("A chat message report needs `message.author_id` (who sent it to you).", [
				{ field: "body/message", message: "required for chat_message" },
			]);
		}
		if (!readChatMessage) throw new Error("chat message reports need readChatMessage");
		const author = await db
			.select({ id: users.id })
			.from(users)
			.where(and(eq(users.id, message.author_id), isNull(users.deletedAt)))
			.get();
		const stored = author ? await readChatMessage(author.id, input.target_id) : undefined;
		if (!stored) throw notFound("chat message");
		const { toxicity, id: _id, ...snapshot } = stored;
		// The sender is the room's: reporting one's own message meets fileReport's own-content 422.
		return { authorId: stored.sender_id, snapshot, toxicity };
	}
	const target = await loadTarget(db, input.target_type, input.target_id);
	// Deleted or removed content is shown to nobody but its author and guardians: nothing to report.
	if (!target || target.deleted || target.moderationStatus === "removed") {
		throw notFound(input.target_type.replaceAll("_", " "));
	}
	if (input.target_type === "user" && input.target_id !== reporterId) {
		const addressed = await wordsAddressedTo(db, input.target_id, reporterId);
		if (addressed.length > 0) {
			return {
				authorId: target.authorId,
				urgent: target.urgent,
				snapshot: { ...target.snapshot, addressed_to_reporter: addressed },
				toxicity: target.toxicity,
			};
		}
	}
	return {
		authorId: target.authorId,
		urgent: target.urgent,
		snapshot: target.snapshot,
		toxicity: target.toxicity,
	};
}

async function membershipStatus(db: Db, table: "group" | "project", id: string, userId: string) {
	const row =
		table === "group"
			? await db
					.select({ status: groupMembers.status })
					.from(groupMembers)
					.where(and(eq(groupMembers.groupId, id), eq(groupMembers.userId, userId)))
					.get()
			: await db
					.select({ status: projectMembers.status })
					.from(projectMembers)
					.where(and(eq(projectMembers.projectId, id), eq(projectMembers.userId, userId)))
					.get();
	return row?.status;
}

/**
 * Whether the reporter may know the target exists: its audience (private posts, connections- and
 * group-only posts, secret groups, private projects, members-only content, guides_only support), and no
 * block between the reporter and a named author. Moderation hiding does not count: hidden content stays
 * reportable. Without this, a report would confirm, hide, and copy into the queue what its reporter may
 * not see (OWASP API1).
 */
async function mayKnowTarget(
	db: Db,
	reporter: CurrentUser,
	type: QueueTargetType,
	id: string,
	target: { authorId: string | null; snapshot: Record<string, unknown> },
): Promise<boolean> {
	const s = target.snapshot;
	const guardian = isGuardian(reporter);
	if (target.authorId === reporter.id) return true;
	// An author who blocks the reporter hides their named content from them (never anonymous content: that
	// would name its author), so the reporter cannot get it hidden. The other way round stays open: a person
	// who blocked their harasser can still report what the harasser wrote to them.
	const named = target.authorId !== null && type !== "user" && !(type === "sunlight_share" && s.is_anonymous);
	if (named && !guardian && (await isBlockedBy(db, reporter.id, target.authorId as string))) return false;
	const memberOf = async (table: "group" | "project", of: unknown, statuses: string[]) =>
		guardian || statuses.includes((await membershipStatus(db, table, String(of), reporter.id)) ?? "");
	const parent = async (parentType: QueueTargetType, parentId: unknown) => {
		const loaded = await loadTarget(db, parentType, String(parentId));
		return (
			loaded !== undefined &&
			!loaded.deleted &&
			mayKnowTarget(db, reporter, parentType, String(parentId), loaded)
		);
	};
	switch (type) {
		case "post": {
			if (s.visibility === "private") return false;
			if (s.visibility === "group") return memberOf("group", s.group_id, ["active"]);
			if (s.visibility !== "connections" || guardian) return true;
			const [low, high] = [reporter.id, target.authorId as string].sort() as [string, string];
			const connected = await db
				.select({ id: connections.id })
				.from(connections)
				.where(
					and(
						eq(connections.userLowId, low),
						eq(connections.userHighId, high),
						eq(connections.status, "accepted"),
					),
				)
				.get();
			return connected !== undefined;
		}
		case "comment":
			return parent("post", s.post_id);
		case "support_request":
			return s.visibility !== "guides_only" || isVerifiedGuide(reporter);
		case "support_response":
			return parent("support_request", s.request_id);
		case "fellowship_group":
			return s.visibility !== "secret" || memberOf("group", id, ["active", "invited"]);
		case "group_event": {
			const group = await loadTarget(db, "fellowship_group", String(s.group_id));
			if (!group || group.deleted) return false;
			return group.snapshot.visibility === "public" || memberOf("group", s.group_id, ["active"]);
		}
		case "project":
			return s.visibility !== "private" || memberOf("project", id, ["active", "invited"]);
		case "project_discussion": {
			const project = await loadTarget(db, "project", String(s.project_id));
			if (!project) return false;
			return project.snapshot.visibility === "public" || memberOf("project", s.project_id, ["active"]);
		}
		default:
			return true;
	}
}

export async function fileReport(
	db: Db,
	reporter: CurrentUser,
	input: NewReport,
	now = new Date(),
): Promise<ReportRow> {
	const { target_type: targetType, target_id: targetId } = input;
	const target = await resolveTarget(db, input, reporter.id);
	if (target.authorId === reporter.id) {
		throw unprocessable("You cannot report yourself or your own content.", [
			{ field: "body/target_id", message: "is your own" },
		]);
	}
	if (!(await mayKnowTarget(db, reporter, targetType, targetId, target))) {
		throw notFound(targetType.replaceAll("_", " "));
	}
	const standing = await reporterStanding(db, reporter.id, targetType, targetId);
	if (standing?.reported) throw conflict("You have already reported this.");

	const weight = reportWeight(reporter);
	const hiding = hideWeight(reporter, Number(standing?.contributions ?? 0), now);
	const instantHide =
		(INSTANT_HIDE_REASONS as readonly string[]).includes(input.reason) &&
		hiding > 0 &&
		(isGuardian(reporter) || reporter.trustLevel === "flourishing");
	const nowIso = now.toISOString();
	const itemOfTarget = sql`(SELECT id FROM ${moderationQueueItems} WHERE target_type = ${targetType} AND target_id = ${targetId})`;
	const itemHidden = sql`EXISTS (SELECT 1 FROM ${moderationQueueItems} WHERE target_type = ${targetType} AND target_id = ${targetId} AND is_hidden = 1)`;

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
			hideWeight: hiding,
			queueItemId: itemOfTarget,
		})
		.returning();
	const selfHarm = input.reason === "self_harm" ? 1 : 0;
	// A report can make the item urgent (a self-harm report, urgent content): the queue table's trigger then
	// writes the guardians' alert, which this request hands to the queue once it has answered.
	if (selfHarm || target.urgent) noteFanOut();
	// SQLite evaluates every SET expression against the row as it was, so urgency is computed once for both.
	const urgent = sql`(${selfHarm} OR ${urgentSql(targetType, targetId)})`;
	const weighItem = db
		.update(moderationQueueItems)
		.set({
			score: sql`${moderationQueueItems.score} + ${weight}`,
			reportCount: sql`${moderationQueueItems.reportCount} + 1`,
			isHidden: sql`${moderationQueueItems.isHidden} OR (NOT ${urgent} AND (${instantHide ? 1 : 0} OR (SELECT coalesce(sum(hide_weight), 0) FROM ${reports} WHERE queue_item_id = ${moderationQueueItems.id} AND status = 'open') >= ${HIDE_AT_WEIGHT}))`,
			// Someone may be at risk: the item goes to the top of the queue (urgent first) and stays visible.
			isUrgent: urgent,
			updatedAt: nowIso,
		})
		.where(and(eq(moderationQueueItems.targetType, targetType), eq(moderationQueueItems.targetId, targetId)));

	const hideStatements = isRemovable(targetType)
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
				// The author is told, likewise only by the batch that hides it — and never by whom.
				...contentModeratedStatements(
					db,
					{
						targetType,
						targetId,
						authorId: target.authorId,
						status: "hidden",
						cause: nowIso,
						snapshot: target.snapshot,
						when: sql`${itemHidden} AND ${contentIs(targetType, targetId, VISIBLE_BEFORE_HIDING)}`,
					},
					now,
				),
				setModerationStatus(db, targetType, targetId, "hidden", VISIBLE_BEFORE_HIDING, itemHidden),
				// Reported but still visible: flagged for review.
				setModerationStatus(db, targetType, targetId, "flagged", ["clean"]),
			].filter((statement) => statement !== null)
		: [];

	return withDailyQuota(db, reporter, "reports", now, async (spend) => {
		try {
			const [, , inserted] = await db.batch([spend, upsertItem, insertReport, weighItem, ...hideStatements]);
			const report = inserted[0];
			if (!report) throw new Error("report insert returned nothing");
			return report;
		} catch (error) {
			// A concurrent report by the same person won the unique index.
			if (isUniqueViolation(error)) throw conflict("You have already reported this.");
			throw error;
		}
	});
}
