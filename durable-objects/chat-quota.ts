/**
 * @module chat-quota: the daily chat message quota, leased (docs/decisions/orchard.md, "Daily message quota:
 * leased"), so that a typical send makes no D1 round trip.
 *
 * - The person's PersonStream holds the counter: per UTC day (`utcDay`, as core/quotas), how many units it
 *   has GRANTED to rooms. A lease grants `min(want, ceil((limit − granted) / LEASE_FRACTION))`, so the
 *   total granted never passes the limit (the quota is never exceeded: bound 0 over), and blocks shrink as
 *   the allowance runs out. The limit is `dailyLimit(sender, "messages")` from the trust level the room holds.
 * - Each ChatRoom keeps its leases per sender per day in its own storage (`chat_quota_leases`). A send
 *   promises itself a unit (in memory) before it is screened and spends it in the transaction that stores
 *   the message (one commit for both); a send not stored releases it. Only a lease whose units are all
 *   promised asks the PersonStream (one DO RPC, not D1). The recall never takes a promised unit.
 * - Under-use: units leased to a person's other rooms and not spent there would refuse them early. When a
 *   lease is refused, the PersonStream first RECALLS the unspent units of every other room holding a lease
 *   of that day (`returnChatQuota`), then grants again. So a refusal comes only when the limit is really
 *   spent, except for rooms that could not be reached: under-use ≤ LEASE_MAX × unreachable rooms (0 when
 *   every room answers).
 * - The first lease of a day seeds `granted` from D1's `daily_quotas` row of kind `messages` (one D1 read
 *   per person per day, in the PersonStream): uses counted there before the lease existed are not given twice.
 */
import type { CurrentUser } from "../src/core/accounts/current-user";
import { dailyLimit, dailyLimitProblem, utcDay } from "../src/core/quotas";

/**
 * The objects as the quota reaches them: only their RPC methods, named here rather than imported (the
 * classes import this file, and the module graph has no cycles).
 */
export interface QuotaNamespace<T> {
	idFromName(name: string): DurableObjectId;
	get(id: DurableObjectId): T;
}
/** A ChatRoom, as the recall reaches it. */
export interface LeaseHolder {
	returnChatQuota(userId: string, day: string): Promise<number>;
}
/** A PersonStream, as a room leases from it. */
export interface LeaseGranter {
	leaseChatQuota(request: LeaseRequest): Promise<number>;
}

/** The largest block a room leases at once. */
export const LEASE_MAX = 20;
/** A block is at most this fraction of what remains of the day's allowance (small when few remain). */
export const LEASE_FRACTION = 4;

export interface LeaseRequest {
	userId: string;
	day: string;
	limit: number;
	want: number;
	/** The room asking: its name (`conversationIdOf`), so that unspent units can be recalled. */
	holder: string;
}

/** What a room spent: the day it counts against (a refund goes back to that day's lease). */
export interface QuotaUse {
	userId: string;
	day: string;
}

// ------------------------------------------------------------------ the PersonStream side

export const PERSON_QUOTA_SCHEMA = `
	CREATE TABLE IF NOT EXISTS chat_quota (day TEXT PRIMARY KEY, granted INTEGER NOT NULL);
	CREATE TABLE IF NOT EXISTS chat_quota_holders (
		day TEXT NOT NULL,
		holder TEXT NOT NULL,
		PRIMARY KEY (day, holder)
	);
`;

/** How much to grant now (synchronous: no I/O between the read and the write of `granted`). */
export function grantLease(sql: SqlStorage, request: LeaseRequest): number {
	const granted =
		sql.exec<{ granted: number }>("SELECT granted FROM chat_quota WHERE day = ?", request.day).toArray()[0]
			?.granted ?? 0;
	const left = Math.max(0, request.limit - granted);
	const grant = Math.min(Math.max(0, request.want), LEASE_MAX, Math.ceil(left / LEASE_FRACTION));
	if (grant <= 0) return 0;
	sql.exec(
		`INSERT INTO chat_quota (day, granted) VALUES (?1, ?2)
		 ON CONFLICT (day) DO UPDATE SET granted = granted + ?2`,
		request.day,
		grant,
	);
	sql.exec(
		"INSERT OR IGNORE INTO chat_quota_holders (day, holder) VALUES (?, ?)",
		request.day,
		request.holder,
	);
	return grant;
}

/** Units a room gave back (recalled, or returned): they may be granted again. */
export function takeBack(sql: SqlStorage, day: string, holder: string, units: number): void {
	sql.exec("UPDATE chat_quota SET granted = max(granted - ?, 0) WHERE day = ?", units, day);
	sql.exec("DELETE FROM chat_quota_holders WHERE day = ? AND holder = ?", day, holder);
}

export function otherHolders(sql: SqlStorage, day: string, holder: string): string[] {
	return sql
		.exec<{ holder: string }>(
			"SELECT holder FROM chat_quota_holders WHERE day = ? AND holder != ?",
			day,
			holder,
		)
		.toArray()
		.map((row) => row.holder);
}

/** Whether `day` is known (seeded); forgets the days before it (their counters are never read again). */
export function dayKnown(sql: SqlStorage, day: string): boolean {
	sql.exec("DELETE FROM chat_quota WHERE day < ?", day);
	sql.exec("DELETE FROM chat_quota_holders WHERE day < ?", day);
	return sql.exec("SELECT 1 FROM chat_quota WHERE day = ?", day).toArray().length > 0;
}

/** The recall: asks each other holder for its unspent units of the day (failures leave theirs leased). */
export async function recallLeases(
	rooms: QuotaNamespace<LeaseHolder>,
	sql: SqlStorage,
	request: LeaseRequest,
): Promise<void> {
	const holders = otherHolders(sql, request.day, request.holder);
	await Promise.allSettled(
		holders.map(async (holder) => {
			const units = await rooms.get(rooms.idFromName(holder)).returnChatQuota(request.userId, request.day);
			takeBack(sql, request.day, holder, units);
		}),
	);
}

// ------------------------------------------------------------------ the ChatRoom side

export const ROOM_QUOTA_SCHEMA = `
	CREATE TABLE IF NOT EXISTS chat_quota_leases (
		user_id TEXT NOT NULL,
		day TEXT NOT NULL,
		remaining INTEGER NOT NULL,
		spent INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (user_id, day)
	);
`;

/**
 * Units of a room's leases promised to sends in flight (counted, not yet stored), per `user:day`. In memory:
 * a send and its promise die together (eviction), and the recall never takes a promised unit back.
 */
export type QuotaReservations = Map<string, number>;

const reservationKey = (userId: string, day: string) => `${userId}:${day}`;

function reservedOf(reserved: QuotaReservations, userId: string, day: string): number {
	return reserved.get(reservationKey(userId, day)) ?? 0;
}

function adjust(reserved: QuotaReservations, use: QuotaUse, by: number): void {
	const key = reservationKey(use.userId, use.day);
	const next = (reserved.get(key) ?? 0) + by;
	if (next > 0) reserved.set(key, next);
	else reserved.delete(key);
}

/** The room's unspent lease for (user, day), less what is promised to sends in flight. */
function available(sql: SqlStorage, reserved: QuotaReservations, userId: string, day: string): number {
	const remaining =
		sql
			.exec<{ remaining: number }>(
				"SELECT remaining FROM chat_quota_leases WHERE user_id = ? AND day = ?",
				userId,
				day,
			)
			.toArray()[0]?.remaining ?? 0;
	return remaining - reservedOf(reserved, userId, day);
}

/** Adds granted units to the lease. */
function credit(sql: SqlStorage, userId: string, day: string, units: number): void {
	sql.exec("DELETE FROM chat_quota_leases WHERE day < ?", day);
	sql.exec(
		`INSERT INTO chat_quota_leases (user_id, day, remaining, spent) VALUES (?1, ?2, ?3, 0)
		 ON CONFLICT (user_id, day) DO UPDATE SET remaining = remaining + ?3`,
		userId,
		day,
		units,
	);
}

/**
 * Spends the unit promised to a send, in the transaction that stores its message (one commit for both).
 * False only if the lease row vanished meanwhile (a new UTC day's lease replaced it): the send is refused.
 */
export function spendReserved(sql: SqlStorage, reserved: QuotaReservations, use: QuotaUse): boolean {
	adjust(reserved, use, -1);
	return (
		sql
			.exec(
				"UPDATE chat_quota_leases SET remaining = remaining - 1, spent = spent + 1 WHERE user_id = ? AND day = ? AND remaining > 0 RETURNING remaining",
				use.userId,
				use.day,
			)
			.toArray().length > 0
	);
}

/** Forgets the unit promised to a send that will not be stored (refused at the commit point, a duplicate). */
export function releaseReserved(reserved: QuotaReservations, use: QuotaUse): void {
	adjust(reserved, use, -1);
}

/**
 * Empties the lease of (user, day) but for the units promised to sends in flight, and answers how many it
 * gave up (the PersonStream's recall).
 */
export function returnUnspent(
	sql: SqlStorage,
	reserved: QuotaReservations,
	userId: string,
	day: string,
): number {
	const free = available(sql, reserved, userId, day);
	if (free <= 0) return 0;
	sql.exec(
		"UPDATE chat_quota_leases SET remaining = remaining - ? WHERE user_id = ? AND day = ?",
		free,
		userId,
		day,
	);
	return free;
}

/**
 * Promises one unit of today's quota to a send of `sender`: from the room's lease, or, when what is left of it
 * is promised, from a new block leased from the sender's PersonStream. Throws the same 429 problem as
 * `consumeDailyQuota`. The unit is spent with the message (`spendReserved`) or released (`releaseReserved`).
 */
export async function consumeChatQuota(
	sql: SqlStorage,
	reserved: QuotaReservations,
	streams: QuotaNamespace<LeaseGranter>,
	holder: string,
	sender: CurrentUser,
	now = new Date(),
): Promise<QuotaUse> {
	const day = utcDay(now);
	const use = { userId: sender.id, day };
	if (available(sql, reserved, sender.id, day) <= 0) {
		const limit = dailyLimit(sender, "messages");
		const stream = streams.get(streams.idFromName(sender.id));
		const granted = await stream.leaseChatQuota({ userId: sender.id, day, limit, want: LEASE_MAX, holder });
		if (granted <= 0) throw dailyLimitProblem("messages", limit, sender, now);
		credit(sql, sender.id, day, granted);
	}
	// Promised now (no I/O since the check or the credit), spent when the message is stored.
	adjust(reserved, use, 1);
	return use;
}
