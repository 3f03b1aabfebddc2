/**
 * @module push: Web Push — the key browsers subscribe with, each person's subscriptions, and delivering
 * notifications, direct messages and reminders to them (push jobs on the notifications queue, asked for
 * through core/push-jobs). The standards' side (encryption, VAPID, the SSRF guard) is src/lib/web-push.
 *
 * The module's public face: other modules and the Worker's entry import only what is exported here.
 */

export { consumePushJobs, deliverPushJob, purgeOldPushDeliveries } from "./delivery";
export { inQuietHours, type QuietHours, WALL_TIME } from "./quiet-hours";
export { pushRoutes } from "./routes";
