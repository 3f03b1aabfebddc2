/**
 * @module fellowship: Fellowship: interest groups (public, private, secret), their members, and events with RSVPs (capacity and waitlist held by each event's EventRsvp Durable Object).
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */
export {
	type EventReminderTick,
	eventReminderRecipients,
	runEventReminders,
} from "./reminders";
export { fellowshipRoutes } from "./routes";
export { rsvpObject, termsOf } from "./rsvp-client";
export { Group as GroupSchema } from "./schemas";
export { groupSearch } from "./search";
