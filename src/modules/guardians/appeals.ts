/**
 * @module guardians/appeals: a warned or suspended person appeals once per penalty, within 20 days of it;
 * a guardian upholds it (the penalty stands) or overturns it (the penalty is lifted and a suspension ends).
 * The appellant is told the decision (`appeal_decided`) in the decision's batch.
 */
import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import type { CurrentUser } from "../../core/accounts/current-user";
import { auditStatement } from "../../core/moderation/audit";
import { notificationStatements } from "../../core/notifications";
import { batchGuard, isBatchGuardFailure } from "../../db/batch-guard";
import type { Db } from "../../db/client";
import { afterCursor } from "../../db/keyset";
import {
	type APPEAL_STATUSES,
	type AppealRow,
	appeals,
	type PenaltyRow,
	penalties,
} from "../../db/tables/guardians";
import { users } from "../../db/tables/users";
import { conflict, forbidden, notFound } from "../../lib/problem";
import { appealDecidedEvent } from "./notices";
import { APPEAL_WINDOW_DAYS, appealDeadline, recomputeSuspension } from "./penalties";

export type PenaltyWithAppeal = { penalty: PenaltyRow; appeal: AppealRow | null };

/** My warnings and suspensions, newest first, each with its appeal (if any). */
export async function listMyPenalties(
	db: Db,
	userId: string,
	page: { limit: number; after?: { created_at: string; id: string } },
): Promise<PenaltyWithAppeal[]> {
	const { after } = page;
	const rows = await db
		.select()
		.from(penalties)
		.where(
			and(
				eq(penalties.userId, userId),
				after
					? afterCursor("desc", [penalties.createdAt, after.created_at], [penalties.id, after.id])
					: undefined,
			),
		)
		.orderBy(desc(penalties.createdAt), desc(penalties.id))
		.limit(page.limit + 1);
	if (rows.length === 0) return [];
	const appealRows = await db
		.select()
		.from(appeals)
		.where(
			sql`${appeals.penaltyId} IN (SELECT value FROM json_each(${JSON.stringify(rows.map((row) => row.id))}))`,
		);
	const byPenalty = new Map(appealRows.map((appeal) => [appeal.penaltyId, appeal]));
	return rows.map((penalty) => ({ penalty, appeal: byPenalty.get(penalty.id) ?? null }));
}

/** Whether `penalty` may still be appealed at `now` (ignoring whether an appeal already exists). */
export function withinAppealWindow(penalty: PenaltyRow, now: Date): boolean {
	return now.toISOString() <= appealDeadline(penalty.startsAt);
}

export async function fileAppeal(
	db: Db,
	user: CurrentUser,
	input: { penalty_id: string; body: string },
	now = new Date(),
): Promise<{ appeal: AppealRow; penalty: PenaltyRow }> {
	const penalty = await db
		.select()
		.from(penalties)
		.where(and(eq(penalties.id, input.penalty_id), eq(penalties.userId, user.id)))
		.get();
	if (!penalty) throw notFound("penalty");
	if (penalty.liftedAt !== null) throw conflict("This penalty has already been lifted.");
	if (!withinAppealWindow(penalty, now)) {
		throw conflict(
			`Appeals are accepted within ${APPEAL_WINDOW_DAYS} days of the penalty; that time has passed.`,
		);
	}
	const [created] = await db
		.insert(appeals)
		.values({ penaltyId: penalty.id, userId: user.id, body: input.body })
		.onConflictDoNothing({ target: appeals.penaltyId })
		.returning();
	if (!created) throw conflict("This penalty has already been appealed; each penalty can be appealed once.");
	return { appeal: created, penalty };
}

const appellant = {
	id: users.id,
	displayName: users.displayName,
	trustLevel: users.trustLevel,
	suspendedUntil: users.suspendedUntil,
};

export type AppealView = {
	appeal: AppealRow;
	penalty: PenaltyRow;
	appellant: { id: string; displayName: string; trustLevel: string; suspendedUntil: string | null };
};

/** Appeals by status (pending by default), oldest first. */
export function listAppeals(
	db: Db,
	filters: { status: (typeof APPEAL_STATUSES)[number]; limit: number; after?: string },
): Promise<AppealView[]> {
	return db
		.select({ appeal: appeals, penalty: penalties, appellant })
		.from(appeals)
		.innerJoin(penalties, eq(penalties.id, appeals.penaltyId))
		.innerJoin(users, eq(users.id, appeals.userId))
		.where(and(eq(appeals.status, filters.status), filters.after ? gt(appeals.id, filters.after) : undefined))
		.orderBy(asc(appeals.id))
		.limit(filters.limit + 1);
}

async function appealView(db: Db, appealId: string): Promise<AppealView | undefined> {
	return db
		.select({ appeal: appeals, penalty: penalties, appellant })
		.from(appeals)
		.innerJoin(penalties, eq(penalties.id, appeals.penaltyId))
		.innerJoin(users, eq(users.id, appeals.userId))
		.where(eq(appeals.id, appealId))
		.get();
}

/** Upholds or overturns a pending appeal; overturning lifts the penalty (and ends a suspension). */
export async function decideAppeal(
	db: Db,
	guardian: CurrentUser,
	appealId: string,
	input: { decision: "uphold" | "overturn"; notes?: string },
	now = new Date(),
): Promise<AppealView> {
	const found = await appealView(db, appealId);
	if (!found) throw notFound("appeal");
	const { appeal, penalty } = found;
	if (appeal.userId === guardian.id) throw forbidden("Another guardian must decide on your own appeal.");
	if (appeal.status !== "pending") throw conflict(`This appeal is already ${appeal.status}.`);
	const nowIso = now.toISOString();
	const overturn = input.decision === "overturn";
	const statements = [
		batchGuard(db, sql`EXISTS (SELECT 1 FROM ${appeals} WHERE id = ${appeal.id} AND status = 'pending')`),
		db
			.update(appeals)
			.set({
				status: overturn ? "overturned" : "upheld",
				reviewerId: guardian.id,
				reviewerNotes: input.notes ?? null,
				decidedAt: nowIso,
				updatedAt: nowIso,
			})
			.where(eq(appeals.id, appeal.id)),
		auditStatement(db, {
			actorId: guardian.id,
			action: overturn ? "overturn_appeal" : "uphold_appeal",
			targetType: "appeal",
			targetId: appeal.id,
			targetUserId: appeal.userId,
			reason: input.notes ?? "",
			details: { penalty_id: penalty.id, penalty_kind: penalty.kind },
		}),
	] as const;
	const lifting = overturn
		? [
				db
					.update(penalties)
					.set({ liftedAt: nowIso, liftedBy: guardian.id, updatedAt: nowIso })
					.where(and(eq(penalties.id, penalty.id), sql`${penalties.liftedAt} IS NULL`)),
				...(penalty.kind === "suspension" ? [recomputeSuspension(db, appeal.userId, now)] : []),
			]
		: [];
	// The appellant is told in the same batch (an overturned suspension's end included: one notification).
	const told = notificationStatements(
		db,
		[appealDecidedEvent(appeal, overturn ? "overturned" : "upheld")],
		now,
	);
	// The decided appeal, its penalty and the appellant read back at the batch's end, each from its own table
	// (in a D1 batch a join's same-named columns would collide): no round trip of its own.
	const readBack = [
		db.select().from(appeals).where(eq(appeals.id, appeal.id)),
		db.select().from(penalties).where(eq(penalties.id, penalty.id)),
		db.select(appellant).from(users).where(eq(users.id, appeal.userId)),
	] as const;
	let results: unknown[];
	try {
		results = await db.batch([...statements, ...lifting, ...told, ...readBack]);
	} catch (error) {
		if (isBatchGuardFailure(error)) throw conflict("This appeal was decided meanwhile.");
		throw error;
	}
	const [decided, penaltyNow, appellantNow] = results.slice(-readBack.length) as [
		AppealRow[],
		PenaltyRow[],
		AppealView["appellant"][],
	];
	const [decidedAppeal, decidedPenalty, person] = [decided[0], penaltyNow[0], appellantNow[0]];
	if (!decidedAppeal || !decidedPenalty || !person) throw notFound("appeal");
	return { appeal: decidedAppeal, penalty: decidedPenalty, appellant: person };
}
