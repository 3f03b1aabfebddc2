/**
 * @module notifications: what Flourish tells a person happened — the list, the unread count, marking read,
 * preferences per type, and the live stream (each person's PersonStream, poked once a change has committed).
 * Features write notifications through core/notifications.
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */

export { consumeDeadLetters, consumeFanOuts, processFanOut } from "./fan-out";
export { notificationsRoutes } from "./routes";
export { purgeOldNotifications } from "./service";
export { announce, announceNotifications, purgeExpiredStreamTickets } from "./stream";
