/**
 * @module guardians/targets: the reportable things as guardians read, hide, restore and remove them — all
 * derived from the content kinds declared beside their tables (db/content-kinds): the table, the author and
 * deletion columns, whether it carries `moderation_status`, and what the queue's snapshot keeps.
 *
 * Chat messages live in each conversation's ChatRoom Durable Object, not in D1: a report's snapshot is read
 * from the reporter's room (`ChatRoom.messageForReport`), and removing one is not possible from here yet
 * (see `isRemovable`).
 */
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { QueueTargetType } from "../../core/moderation/queue";
import type { Db } from "../../db/client";
import { contentAuthor, contentSnapshot, isDeletedContent, isUrgentContent } from "../../db/content";
import { contentKindOf } from "../../db/content-kinds";
import type { ModerationStatus } from "../../db/tables/shared";

/** What every moderated content table has: an id, a moderation status, a toxicity score, `updated_at`. */
type ModeratedTable = SQLiteTable & {
	id: SQLiteColumn;
	moderationStatus: SQLiteColumn;
	toxicityScore: SQLiteColumn;
	updatedAt: SQLiteColumn;
};

function moderatedTable(type: QueueTargetType): ModeratedTable | null {
	const kind = contentKindOf(type);
	return kind?.moderated ? (kind.table as ModeratedTable) : null;
}

/** Targets a guardian can remove (`remove_content`): moderated rows in D1. */
export const isRemovable = (type: QueueTargetType) => moderatedTable(type) !== null;

export interface LoadedTarget {
	authorId: string | null;
	/** Marked urgent (a crisis): reports never hide it, and it alerts the guardians. */
	urgent: boolean;
	deleted: boolean;
	moderationStatus: ModerationStatus | null;
	toxicity: number | null;
	snapshot: Record<string, unknown>;
}

/** Reads a D1 target by id (deleted or not); undefined when there is no such row or it is a chat message. */
export async function loadTarget(
	db: Db,
	type: QueueTargetType,
	id: string,
): Promise<LoadedTarget | undefined> {
	const kind = contentKindOf(type);
	if (!kind) return undefined;
	const table = kind.table as SQLiteTable & { id: SQLiteColumn };
	const row = (await db.select().from(table).where(eq(table.id, id)).get()) as
		| (Record<string, unknown> & { moderationStatus?: ModerationStatus; toxicityScore?: number | null })
		| undefined;
	if (!row) return undefined;
	return {
		authorId: contentAuthor(kind, row),
		urgent: isUrgentContent(kind, row),
		deleted: isDeletedContent(kind, row),
		moderationStatus: kind.moderated ? (row.moderationStatus ?? null) : null,
		toxicity: kind.moderated ? (row.toxicityScore ?? null) : null,
		snapshot: contentSnapshot(kind, row),
	};
}

const statusList = (statuses: readonly ModerationStatus[]) =>
	sql.join(
		statuses.map((status) => sql`${status}`),
		sql`, `,
	);

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
	const table = moderatedTable(type);
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
	const table = moderatedTable(type);
	if (!table) return sql`0`;
	return sql`EXISTS (SELECT 1 FROM ${table} WHERE ${table.id} = ${id} AND ${table.moderationStatus} IN (${statusList(statuses)}))`;
}
