/** @module guardians/insights: the audit log (every moderation action: who, what, on what, why, when) and stats. */
import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../../db/client";
import { afterCursor } from "../../db/keyset";
import {
	type AUDIT_TARGET_TYPES,
	appeals,
	type MODERATION_ACTIONS,
	moderationActions,
	moderationQueueItems,
	reports,
} from "../../db/tables/guardians";
import { guideApplications, trustApplications } from "../../db/tables/trust";
import { users } from "../../db/tables/users";

const actors = alias(users, "actor");

export interface AuditFilters {
	actorId?: string;
	targetUserId?: string;
	action?: (typeof MODERATION_ACTIONS)[number];
	targetType?: (typeof AUDIT_TARGET_TYPES)[number];
	targetId?: string;
	limit: number;
	after?: { created_at: string; id: string };
}

/** Newest first. Each filter has its index (actor, target user, target, or time alone). */
export function listAuditLog(db: Db, filters: AuditFilters) {
	const { after } = filters;
	const conditions: Array<SQL | undefined> = [
		filters.actorId ? eq(moderationActions.actorId, filters.actorId) : undefined,
		filters.targetUserId ? eq(moderationActions.targetUserId, filters.targetUserId) : undefined,
		filters.action ? eq(moderationActions.action, filters.action) : undefined,
		filters.targetType ? eq(moderationActions.targetType, filters.targetType) : undefined,
		filters.targetId ? eq(moderationActions.targetId, filters.targetId) : undefined,
		after
			? afterCursor("desc", [moderationActions.createdAt, after.created_at], [moderationActions.id, after.id])
			: undefined,
	];
	return db
		.select({ entry: moderationActions, actor: { id: actors.id, displayName: actors.displayName } })
		.from(moderationActions)
		.leftJoin(actors, eq(actors.id, moderationActions.actorId))
		.where(and(...conditions))
		.orderBy(desc(moderationActions.createdAt), desc(moderationActions.id))
		.limit(filters.limit + 1);
}

export interface GuardianStats {
	queue: { open: number; open_hidden: number; open_urgent: number; resolved_in_period: number };
	reports_by_reason: Record<string, number>;
	actions_over_time: Array<{ date: string; action: string; count: number }>;
	pending: { trust_applications: number; guide_applications: number; appeals: number };
}

export async function guardianStats(db: Db, days: number, now = new Date()): Promise<GuardianStats> {
	const since = new Date(now.getTime() - days * 24 * 60 * 60 * 1000).toISOString();
	const [queue, resolved, byReason, actions, pending] = await db.batch([
		db
			.select({
				open: sql<number>`count(*)`,
				hidden: sql<number>`coalesce(sum(${moderationQueueItems.isHidden}), 0)`,
				urgent: sql<number>`coalesce(sum(${moderationQueueItems.isUrgent}), 0)`,
			})
			.from(moderationQueueItems)
			.where(eq(moderationQueueItems.status, "open")),
		db
			.select({ count: sql<number>`count(*)` })
			.from(moderationActions)
			.where(
				and(
					sql`${moderationActions.createdAt} >= ${since}`,
					sql`${moderationActions.action} IN ('dismiss', 'remove_content', 'warn', 'suspend')`,
					sql`json_extract(${moderationActions.details}, '$.queue_item_id') IS NOT NULL`,
				),
			),
		db
			.select({ reason: reports.reason, count: sql<number>`count(*)` })
			.from(reports)
			.where(sql`${reports.createdAt} >= ${since}`)
			.groupBy(reports.reason),
		db
			.select({
				date: sql<string>`substr(${moderationActions.createdAt}, 1, 10)`,
				action: moderationActions.action,
				count: sql<number>`count(*)`,
			})
			.from(moderationActions)
			.where(sql`${moderationActions.createdAt} >= ${since}`)
			.groupBy(sql`substr(${moderationActions.createdAt}, 1, 10)`, moderationActions.action)
			.orderBy(sql`substr(${moderationActions.createdAt}, 1, 10)`, moderationActions.action),
		db
			.select({
				trust: sql<number>`(SELECT count(*) FROM ${trustApplications} WHERE status = 'pending')`,
				guide: sql<number>`(SELECT count(*) FROM ${guideApplications} WHERE status = 'pending')`,
				appeals: sql<number>`(SELECT count(*) FROM ${appeals} WHERE status = 'pending')`,
			})
			.from(sql`(SELECT 1)`),
	]);
	return {
		queue: {
			open: Number(queue[0]?.open ?? 0),
			open_hidden: Number(queue[0]?.hidden ?? 0),
			open_urgent: Number(queue[0]?.urgent ?? 0),
			resolved_in_period: Number(resolved[0]?.count ?? 0),
		},
		reports_by_reason: Object.fromEntries(byReason.map((row) => [row.reason, Number(row.count)])),
		actions_over_time: actions.map((row) => ({
			date: row.date,
			action: row.action,
			count: Number(row.count),
		})),
		pending: {
			trust_applications: Number(pending[0]?.trust ?? 0),
			guide_applications: Number(pending[0]?.guide ?? 0),
			appeals: Number(pending[0]?.appeals ?? 0),
		},
	};
}
