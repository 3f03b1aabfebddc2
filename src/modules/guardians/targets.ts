/**
 * @module guardians/targets: where each reportable thing lives — its D1 table, its author column, whether
 * it carries `moderation_status` (so it can be hidden or removed), and what its queue snapshot keeps.
 *
 * The one mapping guardians use to read, hide, restore and remove other features' content. Chat messages
 * live in each conversation's ChatRoom Durable Object, not in D1: a report's snapshot is read from the
 * reporter's room (`ChatRoom.messageForReport`), and removing one is not possible from here yet (see
 * `isRemovable`).
 */
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { QueueTargetType } from "../../core/moderation/queue";
import type { Db } from "../../db/client";
import { fellowshipGroups, groupEvents } from "../../db/tables/fellowship";
import { comments, posts } from "../../db/tables/flourish";
import type { ModerationStatus } from "../../db/tables/shared";
import { sunlightShares } from "../../db/tables/sunlight";
import { supportRequests, supportResponses } from "../../db/tables/support";
import { projectDiscussions, projects } from "../../db/tables/teamup";
import { startOfUtcDay } from "../../lib/coarse-time";

export interface TargetSpec {
	/** The D1 table; null for chat messages. */
	table: string | null;
	/** The column naming the author (the row's own id for users); null when the author is never stored. */
	authorColumn: string | null;
	/** The column set when the owner deletes it (deleted targets cannot be reported); null if none. */
	deletedColumn: string | null;
	/** Carries `moderation_status`, so it can be hidden pending review and removed. */
	moderated: boolean;
	/** Columns copied into the queue item's snapshot (JSON columns are decoded). */
	snapshotColumns: readonly string[];
	jsonColumns?: readonly string[];
	/** Snapshot columns shown as their UTC day only (an account's creation, as on its public profile). */
	dayColumns?: readonly string[];
}

export const REPORT_TARGETS: Record<QueueTargetType, TargetSpec> = {
	post: {
		table: "posts",
		authorColumn: "author_id",
		deletedColumn: "deleted_at",
		moderated: true,
		snapshotColumns: ["type", "body", "media_urls", "visibility", "group_id", "is_spiritual", "created_at"],
		jsonColumns: ["media_urls"],
	},
	comment: {
		table: "comments",
		authorColumn: "author_id",
		deletedColumn: "deleted_at",
		moderated: true,
		snapshotColumns: ["post_id", "parent_id", "body", "created_at"],
	},
	sunlight_share: {
		table: "sunlight_shares",
		authorColumn: "author_id",
		deletedColumn: "deleted_at",
		moderated: true,
		snapshotColumns: ["share_type", "body", "is_anonymous", "is_spiritual", "created_at"],
	},
	support_request: {
		table: "support_requests",
		// Anonymous by design: no author is stored, so none can be warned or suspended.
		authorColumn: null,
		deletedColumn: "deleted_at",
		moderated: true,
		snapshotColumns: ["title", "body", "category", "visibility", "created_at"],
	},
	support_response: {
		table: "support_responses",
		authorColumn: "responder_id",
		deletedColumn: "deleted_at",
		moderated: true,
		snapshotColumns: ["request_id", "body", "created_at"],
	},
	project_discussion: {
		table: "project_discussions",
		authorColumn: "author_id",
		deletedColumn: "deleted_at",
		moderated: true,
		snapshotColumns: ["project_id", "parent_id", "body", "created_at"],
	},
	chat_message: {
		table: null,
		authorColumn: null,
		deletedColumn: null,
		moderated: false,
		snapshotColumns: [],
	},
	fellowship_group: {
		table: "fellowship_groups",
		authorColumn: "owner_id",
		deletedColumn: "deleted_at",
		moderated: true,
		snapshotColumns: ["name", "description", "group_type", "visibility", "is_spiritual", "created_at"],
	},
	group_event: {
		table: "group_events",
		authorColumn: "created_by",
		deletedColumn: null,
		moderated: true,
		snapshotColumns: [
			"group_id",
			"title",
			"description",
			"event_type",
			"starts_at",
			"ends_at",
			"location",
			"url",
			"status",
		],
	},
	project: {
		table: "projects",
		authorColumn: "owner_id",
		deletedColumn: null,
		moderated: true,
		snapshotColumns: ["title", "description", "project_type", "status", "visibility", "is_spiritual"],
	},
	user: {
		table: "users",
		authorColumn: "id",
		deletedColumn: "deleted_at",
		moderated: false,
		snapshotColumns: ["display_name", "bio", "avatar_url", "interests", "created_at"],
		jsonColumns: ["interests"],
		dayColumns: ["created_at"],
	},
};

/** Targets a guardian can remove (`remove_content`): moderated rows in D1. */
export const isRemovable = (type: QueueTargetType) => REPORT_TARGETS[type].moderated;

export interface LoadedTarget {
	authorId: string | null;
	deleted: boolean;
	moderationStatus: ModerationStatus | null;
	toxicity: number | null;
	snapshot: Record<string, unknown>;
}

function decode(value: unknown): unknown {
	if (typeof value !== "string") return value;
	try {
		return JSON.parse(value);
	} catch {
		return value;
	}
}

/** Reads a D1 target by id (deleted or not); undefined when there is no such row or it is a chat message. */
export async function loadTarget(
	db: Db,
	type: QueueTargetType,
	id: string,
): Promise<LoadedTarget | undefined> {
	const spec = REPORT_TARGETS[type];
	if (!spec.table) return undefined;
	const row = await db.get<Record<string, unknown>>(
		sql`SELECT * FROM ${sql.identifier(spec.table)} WHERE id = ${id}`,
	);
	if (!row) return undefined;
	const snapshot: Record<string, unknown> = {};
	for (const column of spec.snapshotColumns) {
		const value = row[column];
		snapshot[column] = spec.jsonColumns?.includes(column)
			? decode(value)
			: spec.dayColumns?.includes(column) && typeof value === "string"
				? startOfUtcDay(value)
				: value;
	}
	return {
		authorId: spec.authorColumn ? ((row[spec.authorColumn] as string | null) ?? null) : null,
		deleted: spec.deletedColumn ? row[spec.deletedColumn] != null : false,
		moderationStatus: spec.moderated ? (row.moderation_status as ModerationStatus) : null,
		toxicity: spec.moderated ? ((row.toxicity_score as number | null) ?? null) : null,
		snapshot,
	};
}

const statusList = (statuses: readonly ModerationStatus[]) =>
	sql.join(
		statuses.map((status) => sql`${status}`),
		sql`, `,
	);

/** The drizzle tables of the moderated targets (all share `id`, `moderationStatus` and `updatedAt`). */
const MODERATED_TABLES: Partial<Record<QueueTargetType, typeof posts>> = {
	post: posts,
	comment: comments as unknown as typeof posts,
	sunlight_share: sunlightShares as unknown as typeof posts,
	support_request: supportRequests as unknown as typeof posts,
	support_response: supportResponses as unknown as typeof posts,
	project_discussion: projectDiscussions as unknown as typeof posts,
	fellowship_group: fellowshipGroups as unknown as typeof posts,
	group_event: groupEvents as unknown as typeof posts,
	project: projects as unknown as typeof posts,
};

/**
 * The statement that moves a moderated target to `to` when its status is one of `from` (and `when`, if
 * given, holds); null for targets without moderation status. `updated_at` is left alone: moderation is not
 * an edit.
 */
export function setModerationStatus(
	db: Db,
	type: QueueTargetType,
	id: string,
	to: ModerationStatus,
	from: readonly ModerationStatus[],
	when?: SQL,
) {
	const table = MODERATED_TABLES[type];
	if (!table) return null;
	return db
		.update(table)
		.set({ moderationStatus: to, updatedAt: sql`${table.updatedAt}` })
		.where(and(eq(table.id, id), inArray(table.moderationStatus, [...from]), when));
}

/** A condition true while the target's moderation status is one of `statuses`. */
export function targetStatusIs(
	type: QueueTargetType,
	id: string,
	statuses: readonly ModerationStatus[],
): SQL {
	const spec = REPORT_TARGETS[type];
	if (!spec.table || !spec.moderated) return sql`0`;
	return sql`EXISTS (SELECT 1 FROM ${sql.identifier(spec.table)} WHERE id = ${id} AND moderation_status IN (${statusList(statuses)}))`;
}
