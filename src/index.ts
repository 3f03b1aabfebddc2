/** @module index: the Worker entry — the Hono app, the cron handler, and the Durable Object classes. */
import { createApp } from "./app";
import type { Bindings } from "./env";
import { runScheduledTasks } from "./scheduled";

export { ChatRoom } from "../durable-objects/chat-room";
export { EventRsvp } from "../durable-objects/event-rsvp";

const app = createApp();

export default {
	fetch: app.fetch,
	scheduled: (controller, env, ctx) =>
		ctx.waitUntil(runScheduledTasks(env, new Date(controller.scheduledTime))),
} satisfies ExportedHandler<Bindings>;
