/**
 * @module core/moderation/recheck: the scheduled re-check of content published while the ML service was down.
 *
 * Every content table keeps its `unchecked` rows in a partial index (`<table>_unchecked_idx`), so each run
 * reads only those, oldest first (by id; the random ids of anonymous rows come in no order, which changes
 * only which of them waits for the next run), in bounded batches. Each row is scored through the same moderation step
 * as a write (`screenText`); its status and toxicity are set, and a Guardian queue item is raised in the
 * same batch when the score calls for one (an automatic hide is audit-logged there too). A row whose state
 * changed meanwhile (a report hid it, its author deleted it) is left as it now is. When the ML service is
 * still down, the run stops at the first failure and leaves everything for the next one.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { createDb, type Db } from "../../db/client";
import { fellowshipGroups, groupEvents } from "../../db/tables/fellowship";
import { comments, posts } from "../../db/tables/flourish";
import { sunlightShares } from "../../db/tables/sunlight";
import { supportRequests, supportResponses } from "../../db/tables/support";
import { projectDiscussions, projects } from "../../db/tables/teamup";
import type { PlatformBindings } from "../../lib/bindings";
import { logEvent } from "../../lib/log";
import { auditStatementIf } from "./audit";
import { type QueueTargetType, queueItemForScreening } from "./queue";
import { type Screening, screenText } from "./screen";

/** Rows re-checked per table per run, and in all per run (the cron runs every 10 minutes). */
export const RECHECK_BATCH = 25;
export const RECHECK_MAX_PER_RUN = 150;
/** Rows scored concurrently. */
const CONCURRENCY = 5;

/** The literal condition of the partial indexes, so SQLite can use them (a bound parameter would not match). */
const UNCHECKED = sql.raw("moderation_status = 'unchecked'");

interface UncheckedRow {
	id: string;
	text: string;
	authorId: string | null;
	/** Soft-deleted: scored and marked, but no queue item is raised for it. */
	gone: boolean;
	snapshot: Record<string, unknown>;
}

interface Source {
	targetType: QueueTargetType;
	table: SQLiteTable & { id: SQLiteColumn; moderationStatus: SQLiteColumn; toxicityScore: SQLiteColumn };
	/** Has an `is_urgent` column (posts, support requests): high self-harm risk sets it. */
	urgentColumn?: SQLiteColumn;
	load(db: Db, limit: number): Promise<UncheckedRow[]>;
}

export const RECHECK_SOURCES: Source[] = [
	{
		targetType: "post",
		table: posts,
		urgentColumn: posts.isUrgent,
		async load(db, limit) {
			const rows = await db
				.select({
					id: posts.id,
					body: posts.body,
					type: posts.type,
					authorId: posts.authorId,
					deletedAt: posts.deletedAt,
				})
				.from(posts)
				.where(UNCHECKED)
				.orderBy(asc(posts.id))
				.limit(limit);
			return rows.map((row) => ({
				id: row.id,
				text: row.body,
				authorId: row.authorId,
				gone: row.deletedAt !== null,
				snapshot: { type: row.type, body: row.body },
			}));
		},
	},
	{
		targetType: "comment",
		table: comments,
		async load(db, limit) {
			const rows = await db
				.select({
					id: comments.id,
					body: comments.body,
					postId: comments.postId,
					authorId: comments.authorId,
					deletedAt: comments.deletedAt,
				})
				.from(comments)
				.where(UNCHECKED)
				.orderBy(asc(comments.id))
				.limit(limit);
			return rows.map((row) => ({
				id: row.id,
				text: row.body,
				authorId: row.authorId,
				gone: row.deletedAt !== null,
				snapshot: { body: row.body, post_id: row.postId },
			}));
		},
	},
	{
		targetType: "sunlight_share",
		table: sunlightShares,
		async load(db, limit) {
			const rows = await db
				.select({
					id: sunlightShares.id,
					body: sunlightShares.body,
					shareType: sunlightShares.shareType,
					authorId: sunlightShares.authorId,
					deletedAt: sunlightShares.deletedAt,
				})
				.from(sunlightShares)
				.where(UNCHECKED)
				.orderBy(asc(sunlightShares.id))
				.limit(limit);
			return rows.map((row) => ({
				id: row.id,
				text: row.body,
				authorId: row.authorId,
				gone: row.deletedAt !== null,
				snapshot: { share_type: row.shareType, body: row.body },
			}));
		},
	},
	{
		targetType: "support_request",
		table: supportRequests,
		urgentColumn: supportRequests.isUrgent,
		async load(db, limit) {
			const rows = await db
				.select({
					id: supportRequests.id,
					title: supportRequests.title,
					body: supportRequests.body,
					category: supportRequests.category,
					deletedAt: supportRequests.deletedAt,
				})
				.from(supportRequests)
				.where(UNCHECKED)
				.orderBy(asc(supportRequests.id))
				.limit(limit);
			// Anonymous by design: a support request has no author to link.
			return rows.map((row) => ({
				id: row.id,
				text: `${row.title}\n${row.body}`,
				authorId: null,
				gone: row.deletedAt !== null,
				snapshot: { title: row.title, body: row.body, category: row.category },
			}));
		},
	},
	{
		targetType: "support_response",
		table: supportResponses,
		async load(db, limit) {
			const rows = await db
				.select({
					id: supportResponses.id,
					body: supportResponses.body,
					requestId: supportResponses.requestId,
					responderId: supportResponses.responderId,
					deletedAt: supportResponses.deletedAt,
				})
				.from(supportResponses)
				.where(UNCHECKED)
				.orderBy(asc(supportResponses.id))
				.limit(limit);
			return rows.map((row) => ({
				id: row.id,
				text: row.body,
				authorId: row.responderId,
				gone: row.deletedAt !== null,
				snapshot: { body: row.body, request_id: row.requestId },
			}));
		},
	},
	{
		targetType: "project_discussion",
		table: projectDiscussions,
		async load(db, limit) {
			const rows = await db
				.select({
					id: projectDiscussions.id,
					body: projectDiscussions.body,
					projectId: projectDiscussions.projectId,
					authorId: projectDiscussions.authorId,
					deletedAt: projectDiscussions.deletedAt,
				})
				.from(projectDiscussions)
				.where(UNCHECKED)
				.orderBy(asc(projectDiscussions.id))
				.limit(limit);
			return rows.map((row) => ({
				id: row.id,
				text: row.body,
				authorId: row.authorId,
				gone: row.deletedAt !== null,
				snapshot: { body: row.body, project_id: row.projectId },
			}));
		},
	},
	{
		targetType: "fellowship_group",
		table: fellowshipGroups,
		async load(db, limit) {
			const rows = await db
				.select({
					id: fellowshipGroups.id,
					name: fellowshipGroups.name,
					description: fellowshipGroups.description,
					ownerId: fellowshipGroups.ownerId,
					deletedAt: fellowshipGroups.deletedAt,
				})
				.from(fellowshipGroups)
				.where(UNCHECKED)
				.orderBy(asc(fellowshipGroups.id))
				.limit(limit);
			return rows.map((row) => ({
				id: row.id,
				text: `${row.name}\n${row.description}`,
				authorId: row.ownerId,
				gone: row.deletedAt !== null,
				snapshot: { name: row.name, description: row.description },
			}));
		},
	},
	{
		targetType: "group_event",
		table: groupEvents,
		async load(db, limit) {
			const rows = await db
				.select({
					id: groupEvents.id,
					title: groupEvents.title,
					description: groupEvents.description,
					groupId: groupEvents.groupId,
					createdBy: groupEvents.createdBy,
				})
				.from(groupEvents)
				.where(UNCHECKED)
				.orderBy(asc(groupEvents.id))
				.limit(limit);
			return rows.map((row) => ({
				id: row.id,
				text: `${row.title}\n${row.description}`,
				authorId: row.createdBy,
				gone: false,
				snapshot: { title: row.title, description: row.description, group_id: row.groupId },
			}));
		},
	},
	{
		targetType: "project",
		table: projects,
		async load(db, limit) {
			const rows = await db
				.select({
					id: projects.id,
					title: projects.title,
					description: projects.description,
					ownerId: projects.ownerId,
				})
				.from(projects)
				.where(UNCHECKED)
				.orderBy(asc(projects.id))
				.limit(limit);
			return rows.map((row) => ({
				id: row.id,
				text: `${row.title}\n${row.description}`,
				authorId: row.ownerId,
				gone: false,
				snapshot: { title: row.title, description: row.description },
			}));
		},
	},
];

export interface RecheckReport {
	checked: number;
	flagged: number;
	hidden: number;
	urgent: number;
	/** True when the ML service failed and the run stopped early. */
	stoppedEarly: boolean;
}

/** Writes one row's screening: status and score, its queue item and, for an automatic hide, the audit entry. */
async function apply(db: Db, source: Source, row: UncheckedRow, screening: Screening): Promise<void> {
	const { table } = source;
	const stillUnchecked = and(eq(table.id, row.id), UNCHECKED);
	const existsUnchecked = sql`EXISTS (SELECT 1 FROM ${table} WHERE ${stillUnchecked})`;
	const statements = [];
	if (screening.status === "hidden" && !row.gone) {
		// Before the update: written only if the update below is about to apply.
		statements.push(
			auditStatementIf(
				db,
				{
					actorId: null,
					action: "hide_content",
					targetType: source.targetType,
					targetId: row.id,
					targetUserId: row.authorId,
					reason: "Automatic: ML toxicity at or above the hide threshold (scheduled re-check).",
					details: { toxicity: screening.toxicity, labels: screening.labels },
				},
				existsUnchecked,
			),
		);
	}
	statements.push(
		db
			.update(table)
			.set({
				moderationStatus: screening.status,
				toxicityScore: screening.toxicity,
				...(screening.urgent && source.urgentColumn ? { isUrgent: true } : {}),
				// Moderation is not an edit (as in guardians/targets): the row keeps its own time — which for
				// anonymous content is an hour, not the moment of this run.
				updatedAt: sql`updated_at`,
			} as Record<string, unknown>)
			.where(stillUnchecked),
	);
	const queued = row.gone
		? null
		: queueItemForScreening(db, {
				targetType: source.targetType,
				targetId: row.id,
				targetAuthorId: row.authorId,
				snapshot: row.snapshot,
				screening,
			});
	if (queued) statements.push(queued);
	const [first, ...rest] = statements;
	if (first) await db.batch([first, ...rest]);
}

/** One run of the re-check over every content table. */
export async function recheckUncheckedContent(
	env: Pick<PlatformBindings, "DB" | "ML">,
): Promise<RecheckReport> {
	const db = createDb(env.DB);
	const report: RecheckReport = { checked: 0, flagged: 0, hidden: 0, urgent: 0, stoppedEarly: false };
	for (const source of RECHECK_SOURCES) {
		const budget = Math.min(RECHECK_BATCH, RECHECK_MAX_PER_RUN - report.checked);
		if (budget <= 0) break;
		const rows = await source.load(db, budget);
		for (let start = 0; start < rows.length; start += CONCURRENCY) {
			const slice = rows.slice(start, start + CONCURRENCY);
			const screenings = await Promise.all(slice.map((row) => screenText(env, row.text)));
			for (const [i, row] of slice.entries()) {
				const screening = screenings[i];
				if (!screening || screening.status === "unchecked") {
					report.stoppedEarly = true;
					continue;
				}
				await apply(db, source, row, screening);
				report.checked++;
				if (screening.status === "flagged") report.flagged++;
				if (screening.status === "hidden") report.hidden++;
				if (screening.urgent) report.urgent++;
			}
			if (report.stoppedEarly) break;
		}
		if (report.stoppedEarly) break;
	}
	if (report.checked > 0 || report.stoppedEarly) logEvent("info", "moderation_recheck", { ...report });
	return report;
}
