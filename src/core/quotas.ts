/**
 * @module core/quotas: the per-trust-level daily limits of API.md, as one mechanism every feature uses.
 *
 * Counters are exact (one D1 upsert-increment that refuses to pass the limit), per UTC day so that
 * changing time zone cannot reset them. A write spends its use inside its own batch (`withDailyQuota`).
 * Burst limits are the Rate Limiting binding's job, not this.
 *
 * @example
 * await withDailyQuota(db, user, "posts", now, (spend) => db.batch([spend, insertThePost])); // 429 at the limit
 */
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { dailyQuotas, type QUOTA_KINDS } from "../db/tables/trust";
import { users } from "../db/tables/users";
import { Problem } from "../lib/problem";
import type { CurrentUser, TrustLevel } from "./accounts/current-user";

export type QuotaKind = (typeof QUOTA_KINDS)[number];

/** new_sprout's allowance per UTC day; higher levels multiply it. `posts` counts posts and sunlight shares. */
export const BASE_DAILY_LIMITS: Record<QuotaKind, number> = {
	posts: 5,
	comments: 20,
	connection_requests: 10,
	messages: 500,
	reports: 20,
};
/**
 * Anonymous support requests per UTC day for new_sprout (multiplied like the others). Counted apart, in
 * `support_quota`, under an HMAC of the user id, so the count cannot lead back to the person.
 */
export const BASE_DAILY_SUPPORT_REQUESTS = 3;
/** Per post, for new_sprout; higher levels multiply these too. */
export const BASE_MEDIA_PER_POST = 1;
export const BASE_LINKS_PER_POST = 2;

export const TRUST_MULTIPLIERS: Record<TrustLevel, number> = {
	new_sprout: 1,
	growing: 2,
	good_soil: 3,
	flourishing: 4,
};
/** Guardians moderate and curate; their limits are generous but still finite (a stolen token stays bounded). */
export const GUARDIAN_MULTIPLIER = 10;

export const multiplierFor = (user: CurrentUser) =>
	user.role === "guardian" ? GUARDIAN_MULTIPLIER : TRUST_MULTIPLIERS[user.trustLevel];

/**
 * `base` × the multiplier of `userId`'s role and trust, computed by D1 from the users row in the statement
 * that counts. So a write counts its use without reading the caller's row first (a remembered caller's row
 * rides along with the request's first round trip: core/accounts/remembered-callers).
 */
export function limitInSql(base: number, userId: string): SQL {
	const levels = Object.entries(TRUST_MULTIPLIERS).map(
		([level, multiplier]) => sql`when ${level} then ${multiplier}`,
	);
	return sql`(${base} * (select case when ${users.role} = 'guardian' then ${GUARDIAN_MULTIPLIER} else case ${users.trustLevel} ${sql.join(levels, sql` `)} end end from ${users} where ${users.id} = ${userId}))`;
}

export const dailyLimit = (user: CurrentUser, kind: QuotaKind) =>
	BASE_DAILY_LIMITS[kind] * multiplierFor(user);
export const dailySupportRequestLimit = (user: CurrentUser) =>
	BASE_DAILY_SUPPORT_REQUESTS * multiplierFor(user);
export const mediaPerPost = (user: CurrentUser) => BASE_MEDIA_PER_POST * multiplierFor(user);
export const linksPerPost = (user: CurrentUser) => BASE_LINKS_PER_POST * multiplierFor(user);

/** Every daily limit of a user, as `GET /trust/me` shows them. */
export function dailyLimitsFor(user: CurrentUser): Record<QuotaKind | "support_requests", number> {
	return {
		posts: dailyLimit(user, "posts"),
		comments: dailyLimit(user, "comments"),
		connection_requests: dailyLimit(user, "connection_requests"),
		messages: dailyLimit(user, "messages"),
		reports: dailyLimit(user, "reports"),
		support_requests: dailySupportRequestLimit(user),
	};
}

export const utcDay = (now: Date) => now.toISOString().slice(0, 10);
export const nextUtcMidnight = (now: Date) =>
	new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));

/**
 * The 429 problem of a spent daily limit: `Retry-After` (seconds until the next UTC midnight),
 * `RateLimit-Policy`/`RateLimit` headers, and `limit_kind`, `limit`, `resets_at` in the body.
 */
export function dailyLimitProblem(kind: string, limit: number, user: CurrentUser, now: Date): Problem {
	const resetsAt = nextUtcMidnight(now);
	const retryAfter = Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000));
	const level = user.role === "guardian" ? "guardian" : `trust level ${user.trustLevel}`;
	return new Problem(429, {
		detail: `Daily limit reached: ${limit} ${kind.replaceAll("_", " ")} per day at ${level}. It resets at ${resetsAt.toISOString()}.`,
		kind: "daily-limit",
		headers: {
			"Retry-After": String(retryAfter),
			"RateLimit-Policy": `"${kind}";q=${limit};w=86400`,
			RateLimit: `"${kind}";r=0;t=${retryAfter}`,
		},
		extensions: { limit_kind: kind, limit, resets_at: resetsAt.toISOString() },
	});
}

/**
 * Counts one use of `kind` for today, or throws 429 problem+json naming the limit and when it resets.
 * Race-safe: the increment and the limit check are one statement. Returns the uses left today.
 */
export async function consumeDailyQuota(
	db: Db,
	user: CurrentUser,
	kind: QuotaKind,
	now = new Date(),
): Promise<number> {
	const [counted] = await db
		.insert(dailyQuotas)
		.values({ userId: user.id, day: utcDay(now), kind, count: 1 })
		.onConflictDoUpdate({
			target: [dailyQuotas.userId, dailyQuotas.day, dailyQuotas.kind],
			set: { count: sql`${dailyQuotas.count} + 1`, updatedAt: now.toISOString() },
			setWhere: sql`${dailyQuotas.count} < ${limitInSql(BASE_DAILY_LIMITS[kind], user.id)}`,
		})
		.returning({ count: dailyQuotas.count });
	// The caller's row has arrived by now: a write is sent only once it has.
	const limit = dailyLimit(user, kind);
	if (counted) return limit - counted.count;
	throw dailyLimitProblem(kind, limit, user, now);
}

/** Gives back one use (when the write it was counted for turned out not to happen). */
export async function refundDailyQuota(
	db: Db,
	user: CurrentUser,
	kind: QuotaKind,
	now = new Date(),
): Promise<void> {
	await db
		.update(dailyQuotas)
		.set({ count: sql`max(${dailyQuotas.count} - 1, 0)` })
		.where(
			and(eq(dailyQuotas.userId, user.id), eq(dailyQuotas.day, utcDay(now)), eq(dailyQuotas.kind, kind)),
		);
}

type Statement = BatchItem<"sqlite">;

/**
 * The statement that spends one use of `kind` today. Under the limit it counts one; at the limit it sets the
 * count to -1, which the table's CHECK refuses, so the D1 batch it opens fails as a whole: the write and its
 * quota are one transaction and one round trip.
 */
function spendStatement(db: Db, user: CurrentUser, kind: QuotaKind, now: Date): Statement {
	const limit = limitInSql(BASE_DAILY_LIMITS[kind], user.id);
	return db
		.insert(dailyQuotas)
		.values({ userId: user.id, day: utcDay(now), kind, count: 1 })
		.onConflictDoUpdate({
			target: [dailyQuotas.userId, dailyQuotas.day, dailyQuotas.kind],
			set: {
				count: sql`case when ${dailyQuotas.count} < ${limit} then ${dailyQuotas.count} + 1 else -1 end`,
				updatedAt: now.toISOString(),
			},
		});
}

/** The error of a batch whose spend statement found the allowance spent (the count CHECK refused -1). */
export function isSpentAllowance(error: unknown): boolean {
	for (let cause = error; cause instanceof Error; cause = cause.cause) {
		if (/CHECK constraint failed: \w*_count_check/.test(cause.message)) return true;
	}
	return false;
}

/**
 * The one way a write spends a daily allowance: `write` gets the spend statement and puts it first in its
 * one D1 batch; an allowance already spent fails that batch (nothing written, nothing counted) and answers
 * the 429 problem naming the limit. A write that throws before its batch has spent nothing.
 *
 * @example
 * const post = await withDailyQuota(db, user, "posts", now, (spend) => db.batch([spend, insertThePost]));
 */
export async function withDailyQuota<T>(
	db: Db,
	user: CurrentUser,
	kind: QuotaKind,
	now: Date,
	write: (spend: Statement) => Promise<T>,
): Promise<T> {
	try {
		return await write(spendStatement(db, user, kind, now));
	} catch (error) {
		// The caller's row has arrived by now: a write is sent only once it has.
		if (isSpentAllowance(error)) throw dailyLimitProblem(kind, dailyLimit(user, kind), user, now);
		throw error;
	}
}

/** Counters of past days are never read again: a scheduled task may drop them. */
export async function purgeOldDailyQuotas(db: Db, now = new Date()): Promise<void> {
	await db.delete(dailyQuotas).where(sql`${dailyQuotas.day} < ${utcDay(now)}`);
}
