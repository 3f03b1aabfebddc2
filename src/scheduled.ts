/**
 * @module scheduled: the cron handler (`[triggers]` in wrangler.toml). Two schedules, each its own invocation:
 * every minute (habit and event reminders: delivered within a minute of their time) and every 10 minutes
 * (housekeeping). Each task is independent: one failing is logged and does not stop the others. The people a task notified
 * (the moderation re-check tells an author their content is hidden) have their live streams poked once the
 * tasks are done, and their pushes queued.
 */

import { purgeEndedTombstones } from "./core/accounts/tombstones";
import { dispatchFanOuts } from "./core/fan-outs";
import { recheckUncheckedContent } from "./core/moderation/recheck";
import { collectingRecipients } from "./core/notifications";
import { purgeOldDailyQuotas } from "./core/quotas";
import { createDb } from "./db/client";
import type { Bindings } from "./env";
import { purgeExpiredIdempotencyKeys } from "./http/idempotency";
import { logEvent } from "./lib/log";
import { runEventReminders } from "./modules/fellowship";
import { runHabitReminders } from "./modules/garden";
import { runMediaLifecycle, sweepOrphanedObjects } from "./modules/media";
import { announce, purgeExpiredStreamTickets, purgeOldNotifications } from "./modules/notifications";
import { purgeEndedCooldowns, purgeExpiredChatTickets } from "./modules/orchard";
import { eraseExpiredEvidence, runDueErasureJobs } from "./modules/privacy";
import { purgeOldPushDeliveries } from "./modules/push";
import { purgeOldSupportQuota } from "./modules/support";

/** The cron expressions of wrangler.toml's `[triggers]`: the handler runs the tasks of the one that fired. */
export const EVERY_MINUTE = "* * * * *";
export const EVERY_TEN_MINUTES = "*/10 * * * *";
export const CRONS = [EVERY_MINUTE, EVERY_TEN_MINUTES] as const;
export type Cron = (typeof CRONS)[number];

export interface ScheduledTask {
	name: string;
	run: (env: Bindings, now: Date) => Promise<unknown>;
	/** Which schedule runs it (default: every 10 minutes). */
	cron?: Cron;
}

/** Features append their periodic work here (e.g. the ML re-check of unchecked content). */
export const scheduledTasks: ScheduledTask[] = [
	// Habit reminders due this minute become notifications; each reminder moves to its next time.
	{ name: "habit_reminders", cron: EVERY_MINUTE, run: (env, now) => runHabitReminders(env, now) },
	// Event reminders, 24 h and 1 h before the start, to everyone going: fan-outs handed to the queue.
	{ name: "event_reminders", cron: EVERY_MINUTE, run: (env, now) => runEventReminders(env, now) },
	{ name: "purge_expired_idempotency_keys", run: (env, now) => purgeExpiredIdempotencyKeys(env.DB, now) },
	// Content published while the ML service was down (`moderation_status = 'unchecked'`) is scored now; an
	// urgent item it raises alerts the guardians at once (its fan-out is handed to the queue right after).
	{
		name: "moderation_recheck",
		run: async (env, now) => {
			await recheckUncheckedContent(env);
			await dispatchFanOuts(env, createDb(env.DB), now);
		},
	},
	// Notifications to many people not yet handed to the queue, or handed over and not finished.
	{ name: "dispatch_notification_fan_outs", run: (env, now) => dispatchFanOuts(env, createDb(env.DB), now) },
	{ name: "purge_expired_chat_tickets", run: (env, now) => purgeExpiredChatTickets(env.DB, now) },
	{ name: "purge_ended_connection_cooldowns", run: (env, now) => purgeEndedCooldowns(createDb(env.DB), now) },
	{ name: "purge_old_daily_quotas", run: (env, now) => purgeOldDailyQuotas(createDb(env.DB), now) },
	{ name: "purge_old_support_quota", run: (env, now) => purgeOldSupportQuota(createDb(env.DB), now) },
	// Uploads never attached within 24 h are deleted; deleted uploads' bytes leave R2, then their rows.
	{ name: "media_lifecycle", run: async (env, now) => void (await runMediaLifecycle(env, now)) },
	// Bytes no row names (an upload that died between R2 and D1): one page of the bucket per run.
	{ name: "media_orphans", run: async (env, now) => void (await sweepOrphanedObjects(env, now)) },
	// Deleted accounts: chat blanking and RSVP withdrawal that failed inline, and the delayed D1 sweep.
	{ name: "account_erasure_jobs", run: (env, now) => runDueErasureJobs(env, now) },
	// Evidence kept after its author left, once the case has been closed for 90 days; ended carried suspensions.
	{ name: "erase_expired_evidence", run: (env, now) => eraseExpiredEvidence(env.DB, now) },
	{ name: "purge_ended_tombstones", run: (env, now) => purgeEndedTombstones(createDb(env.DB), now) },
	// Notifications are kept 90 days after their last change.
	{ name: "purge_old_notifications", run: (env, now) => purgeOldNotifications(createDb(env.DB), now) },
	{ name: "purge_expired_stream_tickets", run: (env, now) => purgeExpiredStreamTickets(env.DB, now) },
	// Push claims outlive any retry of their queue message, then go.
	{ name: "purge_old_push_deliveries", run: (env, now) => purgeOldPushDeliveries(createDb(env.DB), now) },
];

/**
 * Runs the tasks of schedule `cron` — every task when there is none (tests; `wrangler dev`'s
 * `/cdn-cgi/local/scheduled` without `?cron=`, which has no or an empty expression).
 */
export async function runScheduledTasks(env: Bindings, now = new Date(), cron?: string): Promise<void> {
	const tasks = !cron
		? scheduledTasks
		: scheduledTasks.filter((task) => (task.cron ?? EVERY_TEN_MINUTES) === cron);
	if (tasks.length === 0) logEvent("error", "scheduled_cron_unknown", { cron });
	const {
		result: results,
		recipients,
		notified,
	} = await collectingRecipients(() => Promise.allSettled(tasks.map((task) => task.run(env, now))));
	// Also after a task that failed: what it committed before failing is in the list (a poke only reads; a
	// push job pushes what it finds written from `now`).
	if (recipients.size > 0) {
		await announce(env, { streams: [...recipients], notified: [...notified], since: now });
	}
	results.forEach((result, i) => {
		const task = tasks[i]?.name;
		if (result.status === "rejected") {
			logEvent("error", "scheduled_task_failed", { task, error: String(result.reason) });
		}
	});
}
