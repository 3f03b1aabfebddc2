/**
 * @module index: the Worker entry — the Hono app, the cron handler, the queue consumers (notifications to
 * many people, and their dead letters), and the Durable Object classes.
 */
import { createApp } from "./app";
import type { Bindings } from "./env";
import type { FanOutMessage } from "./lib/bindings";
import { consumeDeadFanOuts, consumeFanOuts } from "./modules/notifications";
import { runScheduledTasks } from "./scheduled";

/** Queue names (wrangler.toml): the fan-outs, and where the ones that failed every retry go. */
export const NOTIFY_QUEUE_NAME = "flourish-notifications";
export const NOTIFY_DEAD_LETTER_QUEUE_NAME = "flourish-notifications-dlq";

export { ChatRoom } from "../durable-objects/chat-room";
export { EventRsvp } from "../durable-objects/event-rsvp";

const app = createApp();

export default {
	fetch: app.fetch,
	scheduled: (controller, env, ctx) =>
		ctx.waitUntil(runScheduledTasks(env, new Date(controller.scheduledTime), controller.cron)),
	queue: async (batch, env) => {
		if (batch.queue === NOTIFY_DEAD_LETTER_QUEUE_NAME) consumeDeadFanOuts(batch);
		else await consumeFanOuts(batch, env);
	},
} satisfies ExportedHandler<Bindings, FanOutMessage>;
