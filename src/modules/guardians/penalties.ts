/**
 * @module guardians/penalties: warnings and suspensions. `users.suspended_until` is the fast-path copy the
 * auth guard compares with "now", so a suspension blocks writes at once and ends by itself on time; every
 * suspension is committed through `commitGuardianBatch`, which also closes the person's open chat sockets.
 */
import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../../db/client";
import { penalties, type SUSPENSION_DURATIONS } from "../../db/tables/guardians";
import { PERMANENT_UNTIL, users } from "../../db/tables/users";
import type { Bindings } from "../../env";
import { DAY_MS } from "../../lib/durations";
import { closeChatSocketsOf } from "../orchard";

export type SuspensionDuration = (typeof SUSPENSION_DURATIONS)[number];

/** A warning or suspension can be appealed once, within this many days of being issued. */
export const APPEAL_WINDOW_DAYS = 20;

const HOUR_MS = 60 * 60 * 1000;
const DURATION_MS: Record<Exclude<SuspensionDuration, "permanent">, number> = {
	"24h": 24 * HOUR_MS,
	"72h": 72 * HOUR_MS,
	"7d": 7 * DAY_MS,
	"30d": 30 * DAY_MS,
};

/** When a suspension issued at `now` ends; null for a permanent one. */
export function suspensionEndsAt(duration: SuspensionDuration, now: Date): string | null {
	return duration === "permanent" ? null : new Date(now.getTime() + DURATION_MS[duration]).toISOString();
}

export const appealDeadline = (startsAt: string) =>
	new Date(Date.parse(startsAt) + APPEAL_WINDOW_DAYS * DAY_MS).toISOString();

/** Suspends until `until`, unless the user is already suspended for longer. Only `commitGuardianBatch` uses it. */
function extendSuspension(db: Db, userId: string, until: string) {
	return db
		.update(users)
		.set({
			suspendedUntil: sql`CASE WHEN ${users.suspendedUntil} IS NOT NULL AND ${users.suspendedUntil} > ${until} THEN ${users.suspendedUntil} ELSE ${until} END`,
		})
		.where(sql`${users.id} = ${userId}`);
}

/** A suspension for `commitGuardianBatch`: who, until when, and the chat rooms to close their sockets in. */
export interface Suspension {
	env: Pick<Bindings, "CHAT_ROOM">;
	userId: string;
	until: string;
}

/**
 * Commits a guardian's batch atomically. With `suspension` the batch also suspends that person (never
 * shortening a longer suspension) and, once committed, their open chat sockets close, so they stop
 * receiving messages, typing and sync at once — not only on their next request or send. Every suspending
 * path (the user PATCH, the queue decision) goes through here, so none can leave the sockets open.
 * `readBack`, a read sent last in the same batch (one transaction), sees every write: its result is the
 * last of those answered.
 */
export async function commitGuardianBatch(
	db: Db,
	statements: BatchItem<"sqlite">[],
	suspension?: Suspension,
	readBack?: BatchItem<"sqlite">,
): Promise<unknown[]> {
	const batch = [
		...statements,
		...(suspension ? [extendSuspension(db, suspension.userId, suspension.until)] : []),
		...(readBack ? [readBack] : []),
	];
	const [first, ...rest] = batch;
	if (!first) return [];
	const results: unknown[] = await db.batch([first, ...rest]);
	if (suspension) await closeChatSocketsOf(suspension.env, db, suspension.userId, suspension.until);
	return results;
}

/** Sets `suspended_until` from the user's suspensions still in force (none → null). Run after lifting one. */
export function recomputeSuspension(db: Db, userId: string, now: Date) {
	const nowIso = now.toISOString();
	return db
		.update(users)
		.set({
			suspendedUntil: sql`(SELECT max(coalesce(ends_at, ${PERMANENT_UNTIL})) FROM ${penalties}
				WHERE user_id = ${userId} AND kind = 'suspension' AND lifted_at IS NULL
				AND (ends_at IS NULL OR ends_at > ${nowIso}))`,
		})
		.where(sql`${users.id} = ${userId}`);
}

/** True while at least one other active (not deleted, not suspended) guardian exists. */
export function anotherActiveGuardian(userId: string, now: Date): SQL {
	return sql`(SELECT count(*) FROM ${users} AS other
		WHERE other.role = 'guardian' AND other.deleted_at IS NULL AND other.id <> ${userId}
		AND (other.suspended_until IS NULL OR other.suspended_until <= ${now.toISOString()})) >= 1`;
}
