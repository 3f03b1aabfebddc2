/**
 * @module index: the Worker entry — the Hono app, the cron handler, the queue consumers (notifications to
 * many people, and their dead letters), and the Durable Object classes.
 */
import { createApp } from "./app";
import type { Bindings } from "./env";
import type { FanOutMessage } from "./lib/bindings";
import { consumeDeadFanOuts, consumeFanOuts } from "./modules/notifications";
import { runScheduledTasks } from "./scheduled";

/**
 * The dead-letter queue of the fan-outs (wrangler.toml); every other batch is of `flourish-notifications`.
 * Not exported: workerd takes every export of the entry module for a handler or a class, and refuses to
 * start on a string.
 */
const NOTIFY_DEAD_LETTER_QUEUE_NAME = "flourish-notifications-dlq";

export { ChatRoom } from "../durable-objects/chat-room";
export { EventRsvp } from "../durable-objects/event-rsvp";

const app = createApp();

export default {
	fetch: app.fetch,
	scheduled: (controller, env, ctx) =>
		ctx.waitUntil(runScheduledTasks(env, new Date(controller.scheduledTime))),
	queue: async (batch, env) => {
		if (batch.queue === NOTIFY_DEAD_LETTER_QUEUE_NAME) consumeDeadFanOuts(batch);
		else await consumeFanOuts(batch, env);
	},
} satisfies ExportedHandler<Bindings, FanOutMessage>;
