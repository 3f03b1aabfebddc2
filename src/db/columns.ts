/**
 * @module db/columns: the column conventions every table shares.
 *
 * - Ids are UUIDv7 text (`id()`), foreign keys `references(() => other.id)` plus an index. Tables of
 *   always-anonymous things use `randomId()` (UUIDv4) and `anonymousTimestamps()` (rounded down to the hour,
 *   on every insert and update): see `lib/coarse-time`.
 * - Timestamps are ISO 8601 UTC text (`2026-11-27T09:00:00.000Z`): they sort as they read.
 * - Enums are text limited by a CHECK constraint (`enumCheck`), values exported as `as const` arrays
 *   so zod schemas reuse the very same lists.
 * - Booleans are integers in boolean mode.
 */
import { type SQL, sql } from "drizzle-orm";
import { check, integer, type SQLiteColumn, text } from "drizzle-orm/sqlite-core";
import { anonymousTime } from "../lib/coarse-time";
import { newId, newRandomId } from "../lib/ids";

export const nowIso = (): string => new Date().toISOString();

/** Primary key: a UUIDv7 generated in the Worker. */
export const id = () =>
	text("id")
		.primaryKey()
		.$defaultFn(() => newId());

/** Primary key of an always-anonymous thing: a UUIDv4, which carries no creation time. */
export const randomId = () => text("id").primaryKey().$defaultFn(newRandomId);

export const createdAt = () => text("created_at").notNull().$defaultFn(nowIso);
export const updatedAt = () => text("updated_at").notNull().$defaultFn(nowIso).$onUpdateFn(nowIso);
/** Soft delete: the row stays (for export, moderation snapshots, threads) but the API treats it as gone. */
export const deletedAt = () => text("deleted_at");

export const timestamps = () => ({ createdAt: createdAt(), updatedAt: updatedAt() });

/**
 * `created_at` and `updated_at` of an always-anonymous thing: every drizzle insert and update that does not
 * set them stores the current hour, so no write can leave an exact time behind.
 */
export const anonymousTimestamps = () => ({
	createdAt: text("created_at")
		.notNull()
		.$defaultFn(() => anonymousTime()),
	updatedAt: text("updated_at")
		.notNull()
		.$defaultFn(() => anonymousTime())
		.$onUpdateFn(() => anonymousTime()),
});

export const bool = (name: string) => integer(name, { mode: "boolean" });

/** A CHECK constraint that keeps an enum column within its values. */
export function enumCheck(name: string, column: SQLiteColumn, values: readonly string[]) {
	const list: SQL = sql.join(
		values.map((value) => sql.raw(`'${value.replaceAll("'", "''")}'`)),
		sql`, `,
	);
	return check(name, sql`${column} IN (${list})`);
}
