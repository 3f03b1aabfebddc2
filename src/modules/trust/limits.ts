/**
 * @module trust/limits: the per-trust-level daily limits of API.md, as one mechanism every feature uses.
 *
 * Counters are exact (one D1 upsert-increment that refuses to pass the limit), per UTC day so that
 * changing time zone cannot reset them. Burst limits are the Rate Limiting binding's job, not this.
 */
import { and, eq, sql } from "drizzle-orm";
import type { CurrentUser, TrustLevel } from "../../auth/current-user";
import type { Db } from "../../db/client";
import { Problem } from "../../lib/problem";
import { dailyQuotas, type QUOTA_KINDS } from "./tables";

export type QuotaKind = (typeof QUOTA_KINDS)[number];

/** new_sprout's allowance per UTC day; higher levels multiply it. `posts` counts posts and sunlight shares. */
export const BASE_DAILY_LIMITS: Record<QuotaKind, number> = {
	posts: 5,
	comments: 20,
	connection_requests: 10,
	messages: 500,
	reports: 20,
};
/** Per post, for new_sprout; higher levels multiply these too. */
export const BASE_MEDIA_PER_POST = 1;
export const BASE_LINKS_PER_POST = 2;

const MULTIPLIER: Record<TrustLevel, number> = { new_sprout: 1, growing: 2, good_soil: 3, flourishing: 4 };
/** Guardians moderate and curate; their limits are generous but still finite (a stolen token stays bounded). */
const GUARDIAN_MULTIPLIER = 10;

export const multiplierFor = (user: CurrentUser) =>
	user.role === "guardian" ? GUARDIAN_MULTIPLIER : MULTIPLIER[user.trustLevel];

export const dailyLimit = (user: CurrentUser, kind: QuotaKind) =>
	BASE_DAILY_LIMITS[kind] * multiplierFor(user);
export const mediaPerPost = (user: CurrentUser) => BASE_MEDIA_PER_POST * multiplierFor(user);
export const linksPerPost = (user: CurrentUser) => BASE_LINKS_PER_POST * multiplierFor(user);

const utcDay = (now: Date) => now.toISOString().slice(0, 10);
const nextUtcMidnight = (now: Date) =>
	new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));

/**
 * Counts one use of `kind` for today, or throws 429 problem+json naming the limit and when it resets.
 * Race-safe: the increment and the limit check are one statement.
 */
export async function consumeDailyQuota(
	db: Db,
	user: CurrentUser,
	kind: QuotaKind,
	now = new Date(),
): Promise<number> {
	const limit = dailyLimit(user, kind);
	const day = utcDay(now);
	const [counted] = await db
		.insert(dailyQuotas)
		.values({ userId: user.id, day, kind, count: 1 })
		.onConflictDoUpdate({
			target: [dailyQuotas.userId, dailyQuotas.day, dailyQuotas.kind],
			set: { count: sql`${dailyQuotas.count} + 1`, updatedAt: now.toISOString() },
			setWhere: sql`${dailyQuotas.count} < ${limit}`,
		})
		.returning({ count: dailyQuotas.count });
	if (counted) return limit - counted.count;
	const resetsAt = nextUtcMidnight(now);
	const retryAfter = Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000));
	throw new Problem(429, {
		detail: `Daily limit reached: ${limit} ${kind.replace("_", " ")} per day at trust level ${user.trustLevel}. It resets at ${resetsAt.toISOString()}.`,
		kind: "daily-limit",
		headers: {
			"Retry-After": String(retryAfter),
			"RateLimit-Policy": `"${kind}";q=${limit};w=86400`,
			RateLimit: `"${kind}";r=0;t=${retryAfter}`,
		},
		extensions: { limit_kind: kind, limit, resets_at: resetsAt.toISOString() },
	});
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
