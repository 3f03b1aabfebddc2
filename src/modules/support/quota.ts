/**
 * @module support/quota: daily limits on anonymous support requests without linking any request to anyone.
 *
 * The counter's key is HMAC-SHA256 under `SUPPORT_HMAC_SECRET` of the user id and the UTC day, so a row
 * never holds the id, rows of different days cannot be joined, and without the secret no key can be tied
 * to a person. The row's timestamps are the start of its day: they cannot be matched to a request's
 * creation time either.
 */
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { CurrentUser } from "../../core/accounts/current-user";
import {
	BASE_DAILY_SUPPORT_REQUESTS,
	dailyLimitProblem,
	dailySupportRequestLimit,
	limitInSql,
	utcDay,
} from "../../core/quotas";
import type { Db } from "../../db/client";
import { supportQuota } from "../../db/tables/support";
import { newId } from "../../lib/ids";
import { logEvent } from "../../lib/log";
import { Problem } from "../../lib/problem";

const MIN_SECRET_LENGTH = 32;

function unconfigured(): Problem {
	logEvent("error", "support_hmac_secret_missing");
	return new Problem(503, {
		detail: "Anonymous support is not available right now; please try again later.",
		kind: "unavailable",
	});
}

/** The counter key of a user for a UTC day: hex HMAC-SHA256(secret, "support-quota:<day>:<user id>"). */
export async function supportQuotaKey(
	secret: string | undefined,
	userId: string,
	day: string,
): Promise<string> {
	if (!secret || secret.length < MIN_SECRET_LENGTH) throw unconfigured();
	const key = await crypto.subtle.importKey(
		"raw",
		new TextEncoder().encode(secret),
		{ name: "HMAC", hash: "SHA-256" },
		false,
		["sign"],
	);
	const mac = await crypto.subtle.sign(
		"HMAC",
		key,
		new TextEncoder().encode(`support-quota:${day}:${userId}`),
	);
	return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The statement that counts one support request for today, to put first in the request's own batch: at the
 * limit it sets the count to -1, which the table's CHECK refuses, so the batch fails as a whole (nothing
 * written, nothing counted; `isSpentAllowance` tells that error apart). Race-safe: one statement.
 */
export async function supportSpendStatement(
	db: Db,
	secret: string | undefined,
	user: CurrentUser,
	now = new Date(),
): Promise<{ spend: BatchItem<"sqlite"> }> {
	const day = utcDay(now);
	const quotaKey = await supportQuotaKey(secret, user.id, day);
	const limit = limitInSql(BASE_DAILY_SUPPORT_REQUESTS, user.id);
	const dayStart = `${day}T00:00:00.000Z`;
	// Wrapped: a drizzle query is thenable, so an async function returning it bare would run it.
	const spend = db
		.insert(supportQuota)
		// The id is a UUIDv7 of the day's start too: one minted now would carry this request's millisecond.
		.values({
			id: newId(Date.parse(dayStart)),
			quotaKey,
			day,
			count: 1,
			createdAt: dayStart,
			updatedAt: dayStart,
		})
		.onConflictDoUpdate({
			target: [supportQuota.quotaKey, supportQuota.day],
			set: {
				count: sql`case when ${supportQuota.count} < ${limit} then ${supportQuota.count} + 1 else -1 end`,
				updatedAt: dayStart,
			},
		});
	return { spend };
}

/** The 429 of a spent support allowance (the caller's row has arrived: the batch that failed was a write). */
export const supportLimitProblem = (user: CurrentUser, now: Date): Problem =>
	dailyLimitProblem("support_requests", dailySupportRequestLimit(user), user, now);

/** Old counters are useless after their day: a scheduled task may drop them. */
export async function purgeOldSupportQuota(db: Db, now = new Date()): Promise<void> {
	await db.delete(supportQuota).where(sql`${supportQuota.day} < ${utcDay(now)}`);
}
