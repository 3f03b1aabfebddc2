/**
 * @module core/moderation/recheck: the scheduled re-check of content published while the ML service was down.
 *
 * Every content table keeps its `unchecked` rows in a partial index (`<table>_unchecked_idx`), so each run
 * reads only those, oldest first (by id; the random ids of anonymous rows come in no order, which changes
 * only which of them waits for the next run), in bounded batches. Each row is scored through the same moderation step
 * as a write (`screenText`); its status and toxicity are set, and a Guardian queue item is raised in the
 * same batch when the score calls for one (an automatic hide is audit-logged there too, and tells the
 * author, who saw the content published: `content_moderated`). A row whose state changed meanwhile (a
 * report hid it, its author deleted it) is left as it now is. When the ML service is still down, the run
 * stops at the first failure and leaves everything for the next one.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { createDb, type Db } from "../../db/client";
import {
	type ContentKind,
	contentAuthor,
	contentSnapshot,
	contentText,
	isDeletedContent,
} from "../../db/content";
import { D1_CONTENT_KINDS } from "../../db/content-kinds";
import type { PlatformBindings } from "../../lib/bindings";
import { logEvent } from "../../lib/log";
import { auditStatementIf } from "./audit";
import { contentModeratedStatements } from "./notices";
import { queueItemForScreening } from "./queue";
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

type ModeratedTable = SQLiteTable & {
	id: SQLiteColumn;
	moderationStatus: SQLiteColumn;
	toxicityScore: SQLiteColumn;
};

/** The content kinds that carry a moderation status (db/content-kinds), in their order. */
export const RECHECK_KINDS: ContentKind[] = D1_CONTENT_KINDS.filter((kind) => kind.moderated);

const tableOf = (kind: ContentKind) => kind.table as ModeratedTable;

/** The oldest `unchecked` rows of one kind (served by its partial index), as the re-check reads them. */
async function loadUnchecked(db: Db, kind: ContentKind, limit: number): Promise<UncheckedRow[]> {
	const table = tableOf(kind);
	const rows = (await db.select().from(table).where(UNCHECKED).orderBy(asc(table.id)).limit(limit)) as Array<
		Record<string, unknown> & { id: string }
	>;
	return rows.map((row) => ({
		id: row.id,
		text: contentText(kind, row),
		authorId: contentAuthor(kind, row),
		gone: isDeletedContent(kind, row),
		snapshot: contentSnapshot(kind, row),
	}));
}

export interface RecheckReport {
	checked: number;
	flagged: number;
	hidden: number;
	urgent: number;
	/** True when the ML service failed and the run stopped early. */
	stoppedEarly: boolean;
}

/** Writes one row's screening: status and score, its queue item and, for an automatic hide, the audit entry. */
async function apply(db: Db, kind: ContentKind, row: UncheckedRow, screening: Screening): Promise<void> {
	const table = tableOf(kind);
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
					targetType: kind.type,
					targetId: row.id,
					targetUserId: row.authorId,
					reason: "Automatic: ML toxicity at or above the hide threshold (scheduled re-check).",
					details: { toxicity: screening.toxicity, labels: screening.labels },
				},
				existsUnchecked,
			),
			// Its author saw it published (the ML service was down then): they learn it is hidden now.
			...contentModeratedStatements(db, {
				targetType: kind.type,
				targetId: row.id,
				authorId: row.authorId,
				status: "hidden",
				cause: new Date().toISOString(),
				snapshot: row.snapshot,
				when: existsUnchecked,
			}),
		);
	}
	statements.push(
		db
			.update(table)
			.set({
				moderationStatus: screening.status,
				toxicityScore: screening.toxicity,
				...(screening.urgent && kind.urgent ? { isUrgent: true } : {}),
				// Moderation is not an edit (as in guardians/targets): the row keeps its own time — which for
				// anonymous content is an hour, not the moment of this run.
				updatedAt: sql`updated_at`,
			} as Record<string, unknown>)
			.where(stillUnchecked),
	);
	const queued = row.gone
		? null
		: queueItemForScreening(db, {
				targetType: kind.type,
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
	for (const kind of RECHECK_KINDS) {
		const budget = Math.min(RECHECK_BATCH, RECHECK_MAX_PER_RUN - report.checked);
		if (budget <= 0) break;
		const rows = await loadUnchecked(db, kind, budget);
		for (let start = 0; start < rows.length; start += CONCURRENCY) {
			const slice = rows.slice(start, start + CONCURRENCY);
			const screenings = await Promise.all(slice.map((row) => screenText(env, row.text)));
			for (const [i, row] of slice.entries()) {
				const screening = screenings[i];
				if (!screening || screening.status === "unchecked") {
					report.stoppedEarly = true;
					continue;
				}
				await apply(db, kind, row, screening);
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
