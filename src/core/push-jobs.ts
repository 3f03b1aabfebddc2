/**
 * @module core/push-jobs: asking for pushes (Web Push, the push module delivers them). Whoever wrote
 * notifications — a request, the fan-out consumer, the cron — hands the people concerned to the notifications
 * queue once the writes have committed, with the time they were written from: the consumer reads each person's
 * notifications changed since then and pushes those their preferences allow ("poke, then read", as the live
 * stream does). A ChatRoom asks for a direct message's push when none of the recipient's streams is open.
 *
 * Handing over is retried a few times, then logged: the notification itself is in the list either way, and
 * the consumer's claims (push_deliveries) make a job sent twice push once.
 */
import type { NotifyQueueMessage, PlatformBindings, PushJob } from "../lib/bindings";
import { logEvent } from "../lib/log";

/** `Queue.sendBatch` takes at most 100 messages. */
const SEND_BATCH = 100;
const SEND_ATTEMPTS = 3;

/** True for the queue messages that are push jobs (the others are fan-outs). */
export const isPushJob = (body: NotifyQueueMessage): body is PushJob => "push" in body;

async function send(env: Pick<PlatformBindings, "NOTIFY_QUEUE">, jobs: readonly PushJob[]): Promise<void> {
	for (let start = 0; start < jobs.length; start += SEND_BATCH) {
		const chunk = jobs.slice(start, start + SEND_BATCH).map((body) => ({ body }));
		for (let attempt = 1; ; attempt++) {
			try {
				await env.NOTIFY_QUEUE.sendBatch(chunk);
				break;
			} catch (error) {
				if (attempt >= SEND_ATTEMPTS) {
					logEvent("error", "push_jobs_not_queued", {
						count: chunk.length,
						error: error instanceof Error ? error.name : "unknown",
					});
					break;
				}
				await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
			}
		}
	}
}

/**
 * Asks for the pushes of `userIds`' notifications written at or after `since` (the writer's clock when it
 * built them); with `poke`, each job also pokes the person's live stream. Call after the writes have
 * committed; never throws.
 */
export async function requestNotificationPushes(
	env: Pick<PlatformBindings, "NOTIFY_QUEUE">,
	userIds: Iterable<string>,
	since: Date,
	{ poke = false }: { poke?: boolean } = {},
): Promise<void> {
	const at = since.toISOString();
	const jobs = [...new Set(userIds)].map(
		(userId): PushJob => ({
			push: "notifications",
			userId,
			since: at,
			...(poke ? { poke: true as const } : {}),
		}),
	);
	if (jobs.length > 0) await send(env, jobs);
}

/** Asks for the push of a direct message to a person with no live stream open. Never throws. */
export async function requestMessagePush(
	env: Pick<PlatformBindings, "NOTIFY_QUEUE">,
	job: { userId: string; senderId: string; messageId: string },
): Promise<void> {
	await send(env, [{ push: "message", ...job }]);
}
