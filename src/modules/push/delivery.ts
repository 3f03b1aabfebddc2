/**
 * @module push/delivery: the queue consumer of push jobs (core/push-jobs). A job names a person and what to
 * push: their notifications changed since a time (each whose type's `push` preference is on — the defaults
 * are core/notifications' — and, inside their quiet hours, only guardian alerts), or a direct message. It
 * reads what it needs in one D1 batch, sends (push/send), and asks the queue to retry only what a push
 * service asked to have retried; the claims make the retry push only that.
 */
import { and, asc, desc, eq, gte, inArray, isNull, lt, sql } from "drizzle-orm";
import { actorProfiles, DEFAULT_PREFERENCES } from "../../core/notifications";
import { createDb, type Db } from "../../db/client";
import { NOTIFICATION_TYPES, notificationPreferences, notifications } from "../../db/tables/notifications";
import { pushDeliveries, pushQuietHours } from "../../db/tables/push";
import { users } from "../../db/tables/users";
import type { PlatformBindings, PushJob } from "../../lib/bindings";
import { DAY_MS } from "../../lib/durations";
import { logEvent } from "../../lib/log";
import { messagePush, notificationPush } from "./payload";
import { inQuietHours } from "./quiet-hours";
import { canPush, type Push, type PushEnv, type SendOutcome, sendPushes, subscriptionsOf } from "./send";

/** Notifications pushed per job at most (a person's subscriptions × these = the requests one job makes). */
export const NOTIFICATIONS_PER_JOB = 10;
/** Backoff of a retried job: 30 s, 60 s, 120 s… (the queue gives up after `max_retries`), at most an hour. */
const RETRY_BASE_SECONDS = 30;
const RETRY_MAX_SECONDS = 60 * 60;
/** Claims are kept longer than a queue message can wait for its retries. */
export const PUSH_CLAIM_RETENTION_DAYS = 7;

type Env = PushEnv & Pick<PlatformBindings, "DB">;

/** The person a push is for: gone (deleted) accounts get nothing; their zone and quiet hours. */
const personQuery = (db: Db, userId: string) =>
	db
		.select({
			deletedAt: users.deletedAt,
			timeZone: users.timezone,
			quietStart: pushQuietHours.start,
			quietEnd: pushQuietHours.end,
		})
		.from(users)
		.leftJoin(pushQuietHours, eq(pushQuietHours.userId, users.id))
		.where(eq(users.id, userId));

/** The types pushed unless the person turned them off (core/notifications' defaults). */
const PUSHED_BY_DEFAULT = NOTIFICATION_TYPES.filter((type) => DEFAULT_PREFERENCES[type].push);

const EMPTY: SendOutcome = { delivered: 0, removed: 0, failed: 0, retry: 0 };

/** Pushes what a job names. Answers what happened (`retry` > 0: the queue should try the job again). */
export async function deliverPushJob(env: Env, job: PushJob, now = new Date()): Promise<SendOutcome> {
	if (!canPush(env)) return EMPTY;
	const db = createDb(env.DB);
	if (job.push === "message") {
		const [[person], subscriptions, [sender]] = await db.batch([
			personQuery(db, job.userId),
			subscriptionsOf(db, job.userId),
			db
				.select({ id: users.id, displayName: users.displayName })
				.from(users)
				.where(and(eq(users.id, job.senderId), isNull(users.deletedAt))),
		]);
		if (!person || person.deletedAt !== null || subscriptions.length === 0) return EMPTY;
		if (quiet(person, now)) return EMPTY;
		const push: Push = { key: `m:${job.messageId}`, prepared: await messagePush(sender ?? null) };
		return sendPushes(env, db, subscriptions, [push], now);
	}
	const [[person], subscriptions, rows] = await db.batch([
		personQuery(db, job.userId),
		subscriptionsOf(db, job.userId),
		// Unread ones changed since the job's time whose type the person has pushed (their setting, else the
		// default) — filtered before the limit, so ones not pushed never crowd out one that is — guardian alerts
		// first, so quiet hours (which keep only those) cannot leave one behind the limit.
		db
			.select({ notification: notifications })
			.from(notifications)
			.leftJoin(
				notificationPreferences,
				and(
					eq(notificationPreferences.userId, notifications.userId),
					eq(notificationPreferences.type, notifications.type),
				),
			)
			.where(
				and(
					eq(notifications.userId, job.userId),
					gte(notifications.updatedAt, job.since),
					isNull(notifications.readAt),
					sql`coalesce(${notificationPreferences.push}, ${inArray(notifications.type, PUSHED_BY_DEFAULT)}) <> 0`,
				),
			)
			.orderBy(
				desc(sql`${notifications.type} = 'guardian_alert'`),
				asc(notifications.updatedAt),
				asc(notifications.id),
			)
			.limit(NOTIFICATIONS_PER_JOB),
	]);
	if (!person || person.deletedAt !== null || subscriptions.length === 0) return EMPTY;
	const quietNow = quiet(person, now);
	const wanted = rows
		.filter(({ notification }) => !quietNow || notification.type === "guardian_alert")
		.map(({ notification }) => notification);
	if (wanted.length === 0) return EMPTY;
	const profiles = await actorProfiles(db, wanted);
	const pushes = await Promise.all(
		wanted.map(async (row): Promise<Push> => {
			const actors = row.actorIds.flatMap((id) => profiles.get(id) ?? []);
			return { key: `n:${row.id}:${row.updatedAt}`, prepared: await notificationPush(row, actors) };
		}),
	);
	return sendPushes(env, db, subscriptions, pushes, now);
}

const quiet = (person: { timeZone: string; quietStart: string | null; quietEnd: string | null }, now: Date) =>
	inQuietHours(
		person.quietStart && person.quietEnd ? { start: person.quietStart, end: person.quietEnd } : null,
		person.timeZone,
		now,
	);

/** The delay before a job's next attempt: its backoff, or the push service's `Retry-After` if longer. */
export function retryDelaySeconds(attempts: number, retryAfter?: number): number {
	const backoff = RETRY_BASE_SECONDS * 2 ** Math.max(0, attempts - 1);
	return Math.min(RETRY_MAX_SECONDS, Math.max(backoff, retryAfter ?? 0));
}

/** The queue handler of push jobs: each acked once done; retried (with backoff) when a push service asked. */
export async function consumePushJobs(messages: readonly Message<PushJob>[], env: Env): Promise<void> {
	await Promise.all(
		messages.map(async (message) => {
			try {
				const outcome = await deliverPushJob(env, message.body);
				if (outcome.retry > 0) {
					message.retry({ delaySeconds: retryDelaySeconds(message.attempts, outcome.retryAfter) });
				} else {
					message.ack();
				}
			} catch (error) {
				logEvent("warn", "push_job_failed", {
					attempts: message.attempts,
					error: error instanceof Error ? error.name : "unknown",
				});
				message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
			}
		}),
	);
}

/** The cron: claims older than any queue message could still be retried are forgotten. */
export async function purgeOldPushDeliveries(db: Db, now = new Date()): Promise<void> {
	const before = new Date(now.getTime() - PUSH_CLAIM_RETENTION_DAYS * DAY_MS).toISOString();
	await db.delete(pushDeliveries).where(lt(pushDeliveries.claimedAt, before));
}
