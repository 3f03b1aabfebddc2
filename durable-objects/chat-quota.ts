/**
 * @module chat-quota: the daily chat message quota, leased (docs/decisions/orchard.md, "Daily message quota:
 * leased"), so that a typical send makes no D1 round trip.
 *
 * - The person's PersonStream holds the counter: per UTC day (`utcDay`, as core/quotas), how many units it
 *   has GRANTED to rooms. A lease grants `min(want, ceil((limit − granted) / LEASE_FRACTION))`, so the
 *   total granted never passes the limit (the quota is never exceeded: bound 0 over), and blocks shrink as
 *   the allowance runs out. The limit is `dailyLimit(sender, "messages")` from the trust level the room holds.
 * - Each ChatRoom keeps its leases per sender per day in its own storage (`chat_quota_leases`) and spends
 *   them locally; a refund (the message was not stored) goes back to the lease. Only an empty lease asks
 *   the PersonStream (one DO RPC, not D1).
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

/** Spends one unit of the room's lease for (user, day); false when the lease is empty. */
function spendLocal(sql: SqlStorage, userId: string, day: string): boolean {
	const spent = sql
		.exec(
			"UPDATE chat_quota_leases SET remaining = remaining - 1, spent = spent + 1 WHERE user_id = ? AND day = ? AND remaining > 0 RETURNING remaining",
			userId,
			day,
		)
		.toArray();
	return spent.length > 0;
}

/** Adds granted units to the lease, `spentNow` of them spent at once. */
function credit(sql: SqlStorage, userId: string, day: string, units: number, spentNow: number): void {
	sql.exec("DELETE FROM chat_quota_leases WHERE day < ?", day);
	sql.exec(
		`INSERT INTO chat_quota_leases (user_id, day, remaining, spent) VALUES (?1, ?2, ?3, ?4)
		 ON CONFLICT (user_id, day) DO UPDATE SET remaining = remaining + ?3, spent = spent + ?4`,
		userId,
		day,
		units - spentNow,
		spentNow,
	);
}

/** Gives one use back to the lease it was spent from (the message was not stored). */
export function refundChatQuota(sql: SqlStorage, use: QuotaUse): void {
	sql.exec(
		"UPDATE chat_quota_leases SET remaining = remaining + 1, spent = max(spent - 1, 0) WHERE user_id = ? AND day = ?",
		use.userId,
		use.day,
	);
}

/** Empties the lease of (user, day) and answers how many units were unspent (the PersonStream's recall). */
export function returnUnspent(sql: SqlStorage, userId: string, day: string): number {
	const row = sql
		.exec<{ remaining: number }>(
			"SELECT remaining FROM chat_quota_leases WHERE user_id = ? AND day = ?",
			userId,
			day,
		)
		.toArray()[0];
	if (!row) return 0;
	sql.exec("UPDATE chat_quota_leases SET remaining = 0 WHERE user_id = ? AND day = ?", userId, day);
	return row.remaining;
}

/**
 * Counts one message of `sender` against today's quota: from the room's lease, or, when it is empty, from a
 * new block leased from the sender's PersonStream. Throws the same 429 problem as `consumeDailyQuota`.
 */
export async function consumeChatQuota(
	sql: SqlStorage,
	streams: QuotaNamespace<LeaseGranter>,
	holder: string,
	sender: CurrentUser,
	now = new Date(),
): Promise<QuotaUse> {
	const day = utcDay(now);
	const use = { userId: sender.id, day };
	if (spendLocal(sql, sender.id, day)) return use;
	const limit = dailyLimit(sender, "messages");
	const stream = streams.get(streams.idFromName(sender.id));
	const granted = await stream.leaseChatQuota({ userId: sender.id, day, limit, want: LEASE_MAX, holder });
	if (granted > 0) {
		credit(sql, sender.id, day, granted, 1);
		return use;
	}
	throw dailyLimitProblem("messages", limit, sender, now);
}
