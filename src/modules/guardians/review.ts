/**
 * @module guardians/review: the moderation queue — listing items by weighted score, reading one with its
 * snapshot and reports, and deciding it. A decision resolves every open report of the item at once.
 *
 * - `dismiss`: the reports were unfounded; hidden or flagged content is shown again.
 * - `remove_content`: the content is removed (kept stored for the snapshot and appeals).
 * - `warn` / `suspend`: a strike (and a suspension) for the author; reported content is removed as well.
 *
 * The author is told in the same batch: their content restored (if it was hidden) or removed
 * (`content_moderated`), and a suspension (`account_status`) — never by whom, never who reported.
 */
import { and, asc, eq, gt, or, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { alias } from "drizzle-orm/sqlite-core";
import type { CurrentUser } from "../../core/accounts/current-user";
import { jsonListOf } from "../../core/content-rules";
import { auditStatement } from "../../core/moderation/audit";
import { contentIs, contentModeratedStatements } from "../../core/moderation/notices";
import type { QueueTargetType } from "../../core/moderation/queue";
import { notificationStatements } from "../../core/notifications";
import { batchGuard, isBatchGuardFailure } from "../../db/batch-guard";
import type { Db } from "../../db/client";
import { fromCursor } from "../../db/keyset";
import { batchQueries } from "../../db/prepared";
import {
	type ModerationQueueItemRow,
	moderationQueueItems,
	penalties,
	type QUEUE_DECISIONS,
	type QUEUE_ITEM_STATUSES,
	reports,
} from "../../db/tables/guardians";
import { PERMANENT_UNTIL, users } from "../../db/tables/users";
import type { Bindings } from "../../env";
import { newId } from "../../lib/ids";
import { conflict, forbidden, notFound, unprocessable } from "../../lib/problem";
import { notificationsForApprovedComment } from "../flourish";
import { suspendedEvent } from "./notices";
import {
	anotherActiveGuardian,
	commitGuardianBatch,
	type Suspension,
	type SuspensionDuration,
	suspensionEndsAt,
} from "./penalties";
import { isRemovable, loadTarget, setModerationStatus } from "./targets";

/** Reports shown per item in the queue list; the item itself shows up to `REPORTS_PER_ITEM`. */
export const REPORTS_PER_LIST_ITEM = 10;
export const REPORTS_PER_ITEM = 100;

const authors = alias(users, "author");
const authorColumns = {
	// Aliased: in a D1 batch a row comes back keyed by column name, and the item's own `id` would win. The
	// first plain column (the name, never null for an account) is what makes a missing author `null`.
	id: sql<string>`${authors.id}`.as("author_id"),
	displayName: authors.displayName,
	role: authors.role,
	trustLevel: authors.trustLevel,
	suspendedUntil: authors.suspendedUntil,
};
export type AuthorSummary = {
	id: string;
	displayName: string;
	role: CurrentUser["role"];
	trustLevel: CurrentUser["trustLevel"];
	suspendedUntil: string | null;
};

export interface QueueFilters {
	status: (typeof QUEUE_ITEM_STATUSES)[number];
	targetType?: QueueTargetType;
	limit: number;
	after?: { is_urgent: boolean; score: number; created_at: string; id: string };
}

/** The queue's items of a status (and target type) after the cursor. */
function queueConditions(filters: QueueFilters): SQL | undefined {
	const { after } = filters;
	const urgent = after?.is_urgent ? 1 : 0;
	return and(
		eq(moderationQueueItems.status, filters.status),
		filters.targetType ? eq(moderationQueueItems.targetType, filters.targetType) : undefined,
		// The order mixes directions (score down, age up), which one row value cannot say: this bound lets
		// SQLite seek to the cursor's (urgency, score) in the index; the exact condition below does the rest.
		after
			? fromCursor("desc", [moderationQueueItems.isUrgent, urgent], [moderationQueueItems.score, after.score])
			: undefined,
		after
			? or(
					sql`${moderationQueueItems.isUrgent} < ${urgent}`,
					and(
						sql`${moderationQueueItems.isUrgent} = ${urgent}`,
						or(
							sql`${moderationQueueItems.score} < ${after.score}`,
							and(
								sql`${moderationQueueItems.score} = ${after.score}`,
								or(
									gt(moderationQueueItems.createdAt, after.created_at),
									and(
										eq(moderationQueueItems.createdAt, after.created_at),
										gt(moderationQueueItems.id, after.id),
									),
								),
							),
						),
					),
				)
			: undefined,
	);
}

/**
 * Items urgent first (someone may be at risk), then by score (highest first), then age (oldest first);
 * served by the (status, is_urgent DESC, score DESC, created_at, id) index.
 */
const QUEUE_ORDER = [
	sql`${moderationQueueItems.isUrgent} DESC`,
	sql`${moderationQueueItems.score} DESC`,
	asc(moderationQueueItems.createdAt),
	asc(moderationQueueItems.id),
];

/** The queue's page query: `limit` + 1 items (the one more tells whether a page follows), each with its author. */
export function listQueue(db: Db, filters: QueueFilters) {
	return db
		.select({ item: moderationQueueItems, author: authorColumns })
		.from(moderationQueueItems)
		.leftJoin(authors, eq(authors.id, moderationQueueItems.targetAuthorId))
		.where(queueConditions(filters))
		.orderBy(...QUEUE_ORDER)
		.limit(filters.limit + 1);
}

/**
 * A page of the queue (`listQueue`) and the newest reports of its first `limit` items, in one batch: the
 * reports' statement selects the page itself, so the list costs one round trip.
 */
export async function queuePage(db: Db, filters: QueueFilters) {
	const pageIds = db
		.select({ id: moderationQueueItems.id })
		.from(moderationQueueItems)
		.where(queueConditions(filters))
		.orderBy(...QUEUE_ORDER)
		.limit(filters.limit);
	const [rows, reportRows] = await batchQueries(db, [
		listQueue(db, filters),
		reportsQuery(db, jsonListOf(pageIds), REPORTS_PER_LIST_ITEM),
	]);
	return { rows, reportsByItem: groupReports(reportRows) };
}

export interface ReportView {
	id: string;
	queueItemId: string;
	reason: string;
	details: string;
	weight: number;
	status: string;
	createdAt: string;
	resolvedAt: string | null;
	reporter: { id: string; displayName: string; trustLevel: string; role: string };
}

/**
 * The newest `perItem` reports of each item in `itemIds` (a JSON list: bound, or made by D1 from a page
 * query), with their reporters, in one query.
 */
function reportsQuery(db: Db, itemIds: string | SQL, perItem: number) {
	return db.all<{
		id: string;
		queue_item_id: string;
		reason: string;
		details: string;
		weight: number;
		status: string;
		created_at: string;
		resolved_at: string | null;
		reporter_id: string;
		display_name: string;
		trust_level: string;
		role: string;
	}>(sql`
		SELECT * FROM (
			SELECT r.id, r.queue_item_id, r.reason, r.details, r.weight, r.status, r.created_at, r.resolved_at,
				r.reporter_id, u.display_name, u.trust_level, u.role,
				row_number() OVER (PARTITION BY r.queue_item_id ORDER BY r.id DESC) AS position
			FROM ${reports} r JOIN ${users} u ON u.id = r.reporter_id
			WHERE r.queue_item_id IN (SELECT value FROM json_each(${itemIds}))
		) WHERE position <= ${perItem}
		ORDER BY queue_item_id, id DESC`);
}

function groupReports(rows: Awaited<ReturnType<typeof reportsQuery>>): Map<string, ReportView[]> {
	const byItem = new Map<string, ReportView[]>();
	for (const row of rows) {
		const list = byItem.get(row.queue_item_id) ?? [];
		list.push({
			id: row.id,
			queueItemId: row.queue_item_id,
			reason: row.reason,
			details: row.details,
			weight: Number(row.weight),
			status: row.status,
			createdAt: row.created_at,
			resolvedAt: row.resolved_at,
			reporter: {
				id: row.reporter_id,
				displayName: row.display_name,
				trustLevel: row.trust_level,
				role: row.role,
			},
		});
		byItem.set(row.queue_item_id, list);
	}
	return byItem;
}

/** The newest `perItem` reports of each item, with their reporters, in one query. */
export async function reportsOfItems(
	db: Db,
	itemIds: string[],
	perItem: number,
): Promise<Map<string, ReportView[]>> {
	if (itemIds.length === 0) return new Map();
	return groupReports(await reportsQuery(db, JSON.stringify(itemIds), perItem));
}

/** One item, its author, its reports and the content's live state (null when the row is gone). */
export async function getQueueItem(db: Db, itemId: string) {
	const found = await db
		.select({ item: moderationQueueItems, author: authorColumns })
		.from(moderationQueueItems)
		.leftJoin(authors, eq(authors.id, moderationQueueItems.targetAuthorId))
		.where(eq(moderationQueueItems.id, itemId))
		.get();
	if (!found) throw notFound("queue item");
	const [reportsByItem, live] = await Promise.all([
		reportsOfItems(db, [itemId], REPORTS_PER_ITEM),
		loadTarget(db, found.item.targetType, found.item.targetId),
	]);
	return { ...found, reports: reportsByItem.get(itemId) ?? [], live };
}

export interface Decision {
	decision: (typeof QUEUE_DECISIONS)[number];
	duration?: SuspensionDuration;
	reason: string;
}

/**
 * Decides an open item: resolves its reports, acts on the content and the author, and logs it, in one batch.
 * A suspension also closes the author's open chat sockets (`commitGuardianBatch`).
 */
export async function decideQueueItem(
	db: Db,
	env: Pick<Bindings, "CHAT_ROOM">,
	guardian: CurrentUser,
	itemId: string,
	input: Decision,
	now = new Date(),
): Promise<{ item: ModerationQueueItemRow; penaltyId: string | null }> {
	const item = await db.select().from(moderationQueueItems).where(eq(moderationQueueItems.id, itemId)).get();
	if (!item) throw notFound("queue item");
	if (item.status !== "open") throw conflict("This item is already resolved; a new report reopens it.");
	if (item.targetAuthorId === guardian.id)
		throw forbidden("Another guardian must decide on reports about you.");
	const { decision } = input;
	const type = item.targetType;
	const author = item.targetAuthorId;
	const penalising = decision === "warn" || decision === "suspend";
	if (penalising && !author) {
		throw unprocessable(
			"The author is unknown (anonymous support, or a deleted account): nobody can be penalised.",
			[{ field: "body/decision", message: "needs a known author" }],
		);
	}
	if (decision === "remove_content" && !isRemovable(type)) {
		throw unprocessable(
			type === "user"
				? "A user cannot be removed: warn or suspend them."
				: "Chat messages cannot be removed from here yet: warn or suspend the sender, or dismiss.",
			[{ field: "body/decision", message: `not available for ${type}` }],
		);
	}
	let suspendingAGuardian = false;
	if (decision === "suspend" && author) {
		const target = await db.select({ role: users.role }).from(users).where(eq(users.id, author)).get();
		suspendingAGuardian = target?.role === "guardian";
	}

	const nowIso = now.toISOString();
	const statements: BatchItem<"sqlite">[] = [
		// Two guardians deciding at once: only the first batch finds the item open.
		batchGuard(
			db,
			sql`EXISTS (SELECT 1 FROM ${moderationQueueItems} WHERE id = ${item.id} AND status = 'open')`,
		),
		db
			.update(moderationQueueItems)
			.set({
				status: "resolved",
				decision,
				resolvedBy: guardian.id,
				resolvedAt: nowIso,
				score: 0,
				reportCount: 0,
				isHidden: false,
				updatedAt: nowIso,
			})
			.where(eq(moderationQueueItems.id, item.id)),
		db
			.update(reports)
			.set({
				status: decision === "dismiss" ? "dismissed" : "resolved",
				resolvedAt: nowIso,
				updatedAt: nowIso,
			})
			.where(and(eq(reports.queueItemId, item.id), eq(reports.status, "open"))),
	];
	const content =
		decision === "dismiss"
			? setModerationStatus(db, type, item.targetId, "clean", ["flagged", "hidden"])
			: setModerationStatus(db, type, item.targetId, "removed", ["unchecked", "clean", "flagged", "hidden"]);
	if (content) {
		// The author learns what happened to their content (hidden content shown again, or content removed),
		// before the change, so only if it is about to apply. No person is shown; the reporters never.
		const dismissing = decision === "dismiss";
		statements.push(
			...contentModeratedStatements(
				db,
				{
					targetType: type,
					targetId: item.targetId,
					authorId: author,
					status: dismissing ? "restored" : "removed",
					cause: nowIso,
					guardianId: guardian.id,
					snapshot: item.contentSnapshot,
					when: dismissing
						? contentIs(type, item.targetId, ["hidden"])
						: contentIs(type, item.targetId, ["unchecked", "clean", "flagged", "hidden"]),
				},
				now,
			),
			content,
		);
	}
	// A held-back comment tells its post's author (and the person it answers) once a guardian approves it;
	// for one that was shown all along this writes nothing new (one notification per comment).
	if (decision === "dismiss" && type === "comment") {
		statements.push(...(await notificationsForApprovedComment(db, item.targetId, now)));
	}

	let penaltyId: string | null = null;
	let endsAt: string | null = null;
	let suspension: Suspension | undefined;
	if (penalising && author) {
		penaltyId = newId(now.getTime());
		const duration = decision === "suspend" ? (input.duration ?? "24h") : null;
		endsAt = duration ? suspensionEndsAt(duration, now) : null;
		statements.push(
			db.insert(penalties).values({
				id: penaltyId,
				userId: author,
				kind: decision === "suspend" ? "suspension" : "warning",
				duration,
				startsAt: nowIso,
				endsAt,
				reason: input.reason,
				queueItemId: item.id,
				issuedBy: guardian.id,
			}),
		);
		if (suspendingAGuardian) statements.push(batchGuard(db, anotherActiveGuardian(author, now)));
		if (duration) {
			suspension = { env, userId: author, until: endsAt ?? PERMANENT_UNTIL };
			// One notification per effect: this one for the account, content_moderated for the content.
			statements.push(...notificationStatements(db, [suspendedEvent(author, penaltyId)], now));
		}
	}
	statements.push(
		auditStatement(db, {
			actorId: guardian.id,
			action: decision,
			targetType: type,
			targetId: item.targetId,
			targetUserId: author,
			reason: input.reason,
			details: {
				queue_item_id: item.id,
				report_count: item.reportCount,
				...(penaltyId ? { penalty_id: penaltyId } : {}),
				...(decision === "suspend" ? { duration: input.duration, ends_at: endsAt } : {}),
			},
		}),
	);
	let results: unknown[];
	try {
		// The item read back at the end of the same batch, after every write: no round trip of its own.
		results = await commitGuardianBatch(
			db,
			statements,
			suspension,
			db.select().from(moderationQueueItems).where(eq(moderationQueueItems.id, item.id)),
		);
	} catch (error) {
		if (isBatchGuardFailure(error)) {
			throw conflict(
				suspendingAGuardian
					? "This item was resolved meanwhile, or the last active guardian would be suspended."
					: "This item was resolved meanwhile.",
			);
		}
		throw error;
	}
	const [updated] = results.at(-1) as ModerationQueueItemRow[];
	if (!updated) throw notFound("queue item");
	return { item: updated, penaltyId };
}
