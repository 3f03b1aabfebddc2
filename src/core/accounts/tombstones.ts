/**
 * @module core/accounts/tombstones: a suspension outlives the account it was given to.
 *
 * Deleting an account while suspended leaves a row in `penalty_tombstones` keyed by a keyed hash of the
 * Auth0 `sub` (no email, no name, no user id), carrying when the suspension ends. The next account that
 * `sub` signs in to starts with that suspension (a penalty row, an audit entry, `suspended_until`), written in
 * the same batch that creates the account. The cron forgets tombstones whose suspension has ended.
 */
import { lt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { moderationActions, penalties, penaltyTombstones } from "../../db/tables/guardians";
import { PERMANENT_UNTIL } from "../../db/tables/users";
import { newId } from "../../lib/ids";
import { keyedHash } from "../../lib/keyed-hash";

export const CARRIED_OVER_REASON =
	"A suspension that was in force when this person deleted a previous account carries over to this one.";

/** The tombstone key of an Auth0 `sub`: hex HMAC-SHA256(secret, "penalty-tombstone:<sub>"). */
export const tombstoneKey = (secret: string | undefined, sub: string) =>
	keyedHash(secret, "penalty-tombstone", sub);

/** The suspension end a new account inherits, as an SQL value (null when there is none in force). */
export function inheritedSuspension(subjectHash: string, now: Date): SQL {
	return sql`(SELECT ${penaltyTombstones.suspendedUntil} FROM ${penaltyTombstones}
		WHERE ${penaltyTombstones.subjectHash} = ${subjectHash} AND ${penaltyTombstones.suspendedUntil} > ${now.toISOString()})`;
}

/**
 * The penalty and audit rows of an inherited suspension, for the batch that creates account `userId`. Both
 * are written only when a tombstone in force exists and `userId` was really created by that batch (a lost
 * creation race writes nothing).
 */
export function carryOverStatements(db: Db, subjectHash: string, userId: string, now: Date) {
	const nowIso = now.toISOString();
	const penaltyId = newId();
	const inForce = sql`FROM ${penaltyTombstones} WHERE ${penaltyTombstones.subjectHash} = ${subjectHash}
		AND ${penaltyTombstones.suspendedUntil} > ${nowIso}
		AND EXISTS (SELECT 1 FROM users WHERE id = ${userId} AND suspended_until = ${penaltyTombstones.suspendedUntil})`;
	// Columns in the tables' order (see guardians/tables.ts).
	const penalty = db.insert(penalties).select(sql`
		SELECT ${penaltyId}, ${userId}, 'suspension', ${penaltyTombstones.duration}, ${nowIso},
			CASE WHEN ${penaltyTombstones.suspendedUntil} = ${PERMANENT_UNTIL} THEN NULL ELSE ${penaltyTombstones.suspendedUntil} END,
			${CARRIED_OVER_REASON}, NULL, NULL, NULL, NULL, ${nowIso}, ${nowIso} ${inForce}`);
	const audit = db.insert(moderationActions).select(sql`
		SELECT ${newId()}, NULL, 'suspend', 'user', ${userId}, ${userId}, ${CARRIED_OVER_REASON},
			json_object('penalty_id', ${penaltyId}, 'carried_over', json('true'), 'duration', ${penaltyTombstones.duration}),
			${nowIso} ${inForce}`);
	return [penalty, audit] as const;
}

/** The cron: tombstones whose suspension has ended are forgotten. */
export async function purgeEndedTombstones(db: Db, now = new Date()): Promise<void> {
	await db.delete(penaltyTombstones).where(lt(penaltyTombstones.suspendedUntil, now.toISOString()));
}
