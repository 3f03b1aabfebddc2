/**
 * @module push/subscriptions: a person's push subscriptions — saving one (the same endpoint again is the same
 * subscription; at most MAX_SUBSCRIPTIONS each, the oldest goes), listing, deleting, and the test push.
 *
 * An endpoint is one browser profile: registered by someone else before, it moves to whoever registers it
 * now — the browser's signed-in person — but only with the keys it was registered with. Anyone else holding
 * just the URL cannot take it over with their own keys (they could not read the pushes, but the owner would
 * stop getting theirs).
 */
import { and, desc, eq, ne, notInArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { pushSubscriptions } from "../../db/tables/push";
import { newId } from "../../lib/ids";
import { conflict, notFound, unprocessable } from "../../lib/problem";
import { checkPushEndpoint, checkSubscriptionKeys, WebPushError } from "../../lib/web-push";
import { testPush } from "./payload";
import { type PushEnv, sendPushes, subscriptionsOf } from "./send";

/** Subscriptions a person may have; a new one beyond this ends their oldest. */
export const MAX_SUBSCRIPTIONS = 10;

export interface NewSubscription {
	endpoint: string;
	expirationTime?: number | null | undefined;
	keys: { p256dh: string; auth: string };
}

export interface SavedSubscription {
	id: string;
	endpoint: string;
	created_at: string;
	created: boolean;
}

/** Refuses what can never be pushed to: an endpoint off the allowlist, broken keys, an expired subscription. */
async function checkNew(subscription: NewSubscription, allowlist: string, now: Date): Promise<void> {
	const endpoint = checkPushEndpoint(subscription.endpoint, allowlist);
	if (!endpoint.ok) {
		throw unprocessable("The endpoint is not a known push service.", [
			{ field: "endpoint", message: `refused (${endpoint.reason})` },
		]);
	}
	try {
		await checkSubscriptionKeys(subscription.keys);
	} catch (error) {
		if (!(error instanceof WebPushError)) throw error;
		const field = error.message.startsWith("auth") ? "keys.auth" : "keys.p256dh";
		throw unprocessable("The subscription's keys are not valid.", [{ field, message: error.message }]);
	}
	const expires = subscription.expirationTime;
	if (expires !== undefined && expires !== null && expires <= now.getTime()) {
		throw unprocessable("The subscription has already expired.", [
			{ field: "expirationTime", message: "is in the past" },
		]);
	}
}

/** Saves my subscription: one D1 batch (take over, upsert, trim to the newest MAX_SUBSCRIPTIONS). */
export async function saveSubscription(
	db: Db,
	userId: string,
	subscription: NewSubscription,
	allowlist: string,
	now: Date,
): Promise<SavedSubscription> {
	await checkNew(subscription, allowlist, now);
	const { endpoint, keys } = subscription;
	const expirationTime = subscription.expirationTime ?? null;
	const proposed = newId(now.getTime());
	const [, saved] = await db.batch([
		// Someone else's registration of this browser, with the same keys: the browser is mine now.
		db
			.delete(pushSubscriptions)
			.where(
				and(
					eq(pushSubscriptions.endpoint, endpoint),
					ne(pushSubscriptions.userId, userId),
					eq(pushSubscriptions.p256dh, keys.p256dh),
					eq(pushSubscriptions.auth, keys.auth),
				),
			),
		// Mine again: the same id, its keys and expiry refreshed. Someone else's with other keys: untouched.
		db
			.insert(pushSubscriptions)
			.values({
				id: proposed,
				userId,
				endpoint,
				p256dh: keys.p256dh,
				auth: keys.auth,
				expirationTime,
				createdAt: now.toISOString(),
			})
			.onConflictDoUpdate({
				target: pushSubscriptions.endpoint,
				set: { p256dh: keys.p256dh, auth: keys.auth, expirationTime },
				setWhere: eq(pushSubscriptions.userId, userId),
			})
			.returning({
				id: pushSubscriptions.id,
				endpoint: pushSubscriptions.endpoint,
				createdAt: pushSubscriptions.createdAt,
			}),
		db
			.delete(pushSubscriptions)
			.where(
				and(
					eq(pushSubscriptions.userId, userId),
					notInArray(
						pushSubscriptions.id,
						db
							.select({ id: pushSubscriptions.id })
							.from(pushSubscriptions)
							.where(eq(pushSubscriptions.userId, userId))
							.orderBy(desc(pushSubscriptions.createdAt), desc(pushSubscriptions.id))
							.limit(MAX_SUBSCRIPTIONS),
					),
				),
			),
	]);
	const [row] = saved;
	if (!row) throw conflict("This endpoint is registered by another account with other keys.");
	return { id: row.id, endpoint: row.endpoint, created_at: row.createdAt, created: row.id === proposed };
}

export async function listSubscriptions(db: Db, userId: string) {
	const rows = await subscriptionsOf(db, userId);
	return rows.map((row) => ({
		id: row.id,
		endpoint: row.endpoint,
		created_at: row.createdAt,
		expiration_time: row.expirationTime,
	}));
}

/** Deletes one of mine; someone else's id is as unknown as one that never existed (404). */
export async function deleteSubscription(db: Db, userId: string, id: string): Promise<void> {
	const deleted = await db
		.delete(pushSubscriptions)
		.where(and(eq(pushSubscriptions.id, id), eq(pushSubscriptions.userId, userId)))
		.returning({ id: pushSubscriptions.id });
	if (deleted.length === 0) throw notFound("push subscription");
}

/** Sends a test push to each of my subscriptions now; answers how many were tried, accepted and removed. */
export async function sendTestPush(env: PushEnv, db: Db, userId: string, now: Date) {
	const subscriptions = await subscriptionsOf(db, userId);
	const outcome = await sendPushes(env, db, subscriptions, [{ key: "test", prepared: testPush() }], now, {
		claimed: false,
	});
	return { subscriptions: subscriptions.length, accepted: outcome.delivered, removed: outcome.removed };
}
