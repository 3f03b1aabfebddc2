/** @module index: the Worker entry — the Hono app as the fetch handler, and the Durable Object classes. */
import { createApp } from "./app";

export { ChatRoom } from "../durable-objects/chat-room";
export { EventRsvp } from "../durable-objects/event-rsvp";

const app = createApp();

export default {
	fetch: app.fetch,
} satisfies ExportedHandler<import("./env").Bindings>;
