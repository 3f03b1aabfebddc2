/**
 * @module scheduled: the cron handler (`[triggers]` in wrangler.toml). Each task is independent: one
 * failing is logged and does not stop the others.
 */
import type { Bindings } from "./env";
import { purgeExpiredIdempotencyKeys } from "./lib/idempotency";
import { logEvent } from "./lib/log";
import { recheckUncheckedContent } from "./ml/recheck";

export interface ScheduledTask {
	name: string;
	run: (env: Bindings, now: Date) => Promise<unknown>;
}

/** Features append their periodic work here (e.g. the ML re-check of unchecked content). */
export const scheduledTasks: ScheduledTask[] = [
	{ name: "purge_expired_idempotency_keys", run: (env, now) => purgeExpiredIdempotencyKeys(env.DB, now) },
	// Content published while the ML service was down (`moderation_status = 'unchecked'`) is scored now.
	{ name: "moderation_recheck", run: (env) => recheckUncheckedContent(env) },
];

export async function runScheduledTasks(env: Bindings, now = new Date()): Promise<void> {
	const results = await Promise.allSettled(scheduledTasks.map((task) => task.run(env, now)));
	results.forEach((result, i) => {
		const task = scheduledTasks[i]?.name;
		if (result.status === "rejected") {
			logEvent("error", "scheduled_task_failed", { task, error: String(result.reason) });
		}
	});
}
