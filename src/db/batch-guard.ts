/**
 * @module db/batch-guard: a precondition inside a D1 batch. D1 has no interactive transactions, but a
 * batch is atomic: a statement that fails rolls the whole batch back. `batchGuard` is a statement that
 * fails (SQLite's `json()` of malformed text raises an error) unless its condition holds when the batch
 * runs, so "decide only if still open" holds even when two guardians act at the same moment.
 *
 * @example
 * await db.batch([batchGuard(db, sql`EXISTS (SELECT 1 FROM appeals WHERE id = ${id} AND status = 'pending')`), ...]);
 */
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "./client";

const MARKER = "batch-guard";

// A query builder, not `db.run(sql)`: drizzle's D1 batch cannot bind parameters of raw statements.
export const batchGuard = (db: Db, condition: SQL) =>
	db
		.select({ ok: sql<number>`CASE WHEN ${condition} THEN 1 ELSE json(${MARKER}) END` })
		.from(sql`(SELECT 1)`);

/** Whether a batch failed because one of its guards did not hold. */
export function isBatchGuardFailure(error: unknown): boolean {
	for (let e: unknown = error; e instanceof Error; e = e.cause) {
		if (e.message.includes("malformed JSON")) return true;
	}
	return false;
}

/** Whether a statement broke a UNIQUE constraint (e.g. a second report of the same thing). */
export function isUniqueViolation(error: unknown): boolean {
	for (let e: unknown = error; e instanceof Error; e = e.cause) {
		if (e.message.includes("UNIQUE constraint failed")) return true;
	}
	return false;
}
