/**
 * @module db/content: how a kind of user-generated content is declared — once, beside its table — so that
 * every mechanism that handles "content" reads the same declaration: the moderation step's queue snapshots,
 * the re-check cron, report targets, hiding and removal by guardians, and the coverage tests of erasure and
 * export. `src/db/content-kinds.ts` lists the declarations.
 *
 * @example
 * export const postContent = defineContent({
 *   type: "post", table: posts, author: posts.authorId, deletedAt: posts.deletedAt, urgent: posts.isUrgent,
 *   text: [posts.body], snapshot: [posts.type, posts.body, posts.createdAt], erasure: "remove",
 * });
 */
import { getTableColumns, getTableName } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { startOfUtcDay } from "../lib/coarse-time";

/**
 * Every kind of content that can be moderated, reported and queued (the CHECK constraint of the queue's
 * and the reports' `target_type`). Target ids are polymorphic: no foreign key.
 */
export const REPORT_TARGET_TYPES = [
	"post",
	"comment",
	"sunlight_share",
	"support_request",
	"support_response",
	"project_discussion",
	"chat_message",
	"fellowship_group",
	"group_event",
	"project",
	"user",
] as const;

export type ContentType = (typeof REPORT_TARGET_TYPES)[number];

/**
 * What happens to a person's content of this kind when they delete their account: `remove` (soft-deleted,
 * text blanked), `keep` (kept for others, signed "Former member"), `anonymous-later` (removed at a random
 * later moment, so the removal does not point at the profile), `account` (the profile row itself), or
 * `durable-object` (erased in the Durable Object that holds it).
 */
export type ErasurePolicy = "remove" | "keep" | "anonymous-later" | "account" | "durable-object";

export interface ContentDeclaration<T extends SQLiteTable> {
	type: ContentType;
	table: T;
	/** The column naming its author (a profile's own id); null when no author is ever stored. */
	author: SQLiteColumn | null;
	/** Set when its author deletes it; absent when it is never soft-deleted. */
	deletedAt?: SQLiteColumn;
	/** Marked when the text reads as a crisis (high self-harm risk). */
	urgent?: SQLiteColumn;
	/** The columns the moderation step screens, joined by a line break. */
	text: readonly SQLiteColumn[];
	/** The columns the Guardian queue keeps as evidence (under their SQL names). */
	snapshot: readonly SQLiteColumn[];
	/** Snapshot columns shown at day precision only (an account's creation, as on its public profile). */
	dayPrecision?: readonly SQLiteColumn[];
	erasure: ErasurePolicy;
}

export interface ContentKind<T extends SQLiteTable = SQLiteTable> extends ContentDeclaration<T> {
	tableName: string;
	/** Carries `moderation_status` and `toxicity_score`: screened, re-checked, hideable and removable. */
	moderated: boolean;
}

/** Content that lives outside D1 (chat messages, in each conversation's ChatRoom). */
export interface ExternalContentKind {
	type: ContentType;
	table: null;
	erasure: ErasurePolicy;
}

export function defineContent<T extends SQLiteTable>(declaration: ContentDeclaration<T>): ContentKind<T> {
	return {
		...declaration,
		tableName: getTableName(declaration.table),
		moderated: "moderationStatus" in getTableColumns(declaration.table),
	};
}

/** The property of a drizzle row holding `column` (drizzle rows are keyed by property, not SQL name). */
function keyOf(kind: ContentKind, column: SQLiteColumn): string {
	for (const [key, candidate] of Object.entries(getTableColumns(kind.table))) {
		if (candidate === column) return key;
	}
	throw new Error(`${column.name} is not a column of ${kind.tableName}`);
}

type Row = Record<string, unknown>;

/** The queue's snapshot of a row (or of the values about to be inserted), keyed by SQL column name. */
export function contentSnapshot(kind: ContentKind, row: Row): Record<string, unknown> {
	const snapshot: Record<string, unknown> = {};
	for (const column of kind.snapshot) {
		const value = row[keyOf(kind, column)] ?? null;
		snapshot[column.name] =
			kind.dayPrecision?.includes(column) && typeof value === "string" ? startOfUtcDay(value) : value;
	}
	return snapshot;
}

/** The text the moderation step screens. */
export const contentText = (kind: ContentKind, row: Row): string =>
	kind.text.map((column) => String(row[keyOf(kind, column)] ?? "")).join("\n");

/** The author's id, or null when none is stored. */
export const contentAuthor = (kind: ContentKind, row: Row): string | null =>
	kind.author ? ((row[keyOf(kind, kind.author)] as string | null) ?? null) : null;

/** True when its author has deleted it. */
export const isDeletedContent = (kind: ContentKind, row: Row): boolean =>
	kind.deletedAt ? row[keyOf(kind, kind.deletedAt)] != null : false;

/** True when the row is marked urgent (a crisis), for kinds that carry the mark. */
export const isUrgentContent = (kind: ContentKind, row: Row): boolean =>
	kind.urgent ? Boolean(row[keyOf(kind, kind.urgent)]) : false;
