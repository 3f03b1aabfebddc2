/**
 * @module index: the Worker entry — the Hono app, the cron handler, the queue consumers (notifications to
 * many people and push jobs, and their dead letters), and the Durable Object classes.
 */
import { createApp } from "./app";
import { isPushJob } from "./core/push-jobs";
import { sessionAware } from "./db/session";
import type { Bindings } from "./env";
import type { FanOutMessage, NotifyQueueMessage, PushJob } from "./lib/bindings";
import { announce, announceNotifications, consumeDeadLetters, consumeFanOuts } from "./modules/notifications";
import { consumePushJobs } from "./modules/push";
import { runScheduledTasks } from "./scheduled";

/**
 * The dead-letter queue of `flourish-notifications` (wrangler.toml); every other batch is of that queue.
 * Not exported: workerd takes every export of the entry module for a handler or a class, and refuses to
 * start on a string.
 */
const NOTIFY_DEAD_LETTER_QUEUE_NAME = "flourish-notifications-dlq";

export { ChatRoom } from "../durable-objects/chat-room";
export { EventRsvp } from "../durable-objects/event-rsvp";
export { PersonStream } from "../durable-objects/person-stream";

const app = createApp();

export default {
	// A request's D1 work runs in its session (http/context), also where a module uses `env.DB` itself.
	fetch: (request: Request, env: Bindings, ctx: ExecutionContext) =>
		app.fetch(request, { ...env, DB: sessionAware(env.DB) }, ctx),
	scheduled: (controller, env, ctx) =>
		ctx.waitUntil(runScheduledTasks(env, new Date(controller.scheduledTime), controller.cron)),
	queue: async (batch, env) => {
		if (batch.queue === NOTIFY_DEAD_LETTER_QUEUE_NAME) return consumeDeadLetters(batch);
		const pushes = batch.messages.filter((message): message is Message<PushJob> => isPushJob(message.body));
		const fanOuts = batch.messages.filter(
			(message): message is Message<FanOutMessage> => !isPushJob(message.body),
		);
		// Jobs of people notified in bulk also poke their live streams (notifications/stream `announce`).
		const poked = pushes.flatMap(({ body }) =>
			body.push === "notifications" && body.poke ? [body.userId] : [],
		);
		await Promise.all([
			// The people each fan-out notified: their live streams are poked, their pushes queued.
			consumeFanOuts(fanOuts, env, (userIds, since) =>
				announce(env, { streams: userIds, notified: userIds, since }),
			),
			announceNotifications(env, poked),
			consumePushJobs(pushes, env),
		]);
	},
} satisfies ExportedHandler<Bindings, NotifyQueueMessage>;
