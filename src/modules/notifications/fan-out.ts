/**
 * @module notifications/fan-out: the queue consumer that turns a fan-out (core/fan-outs) into notifications
 * for everyone concerned, in one set-based statement each — 500 people going to a cancelled event are one
 * D1 statement — then finishes the fan-out. A redelivered message writes nothing twice (one notification
 * per person and cause) and a finished fan-out is simply gone.
 */
import { sql } from "drizzle-orm";
import { fanOutById, finishFanOut } from "../../core/fan-outs";
import { fanOutNotificationsStatement } from "../../core/notifications";
import { createDb, type Db } from "../../db/client";
import { eventRsvps } from "../../db/tables/fellowship";
import { moderationQueueItems } from "../../db/tables/guardians";
import type { NotificationFanOutRow } from "../../db/tables/notifications";
import { users } from "../../db/tables/users";
import type { FanOutMessage, NotifyQueueMessage, PlatformBindings } from "../../lib/bindings";
import { logEvent } from "../../lib/log";
import { eventReminderRecipients } from "../fellowship";

/** Retry delays of a message that failed (the queue gives up after `max_retries` in wrangler.toml). */
const RETRY_DELAY_SECONDS = 30;

/** Writes one fan-out's notifications; answers the people notified. */
async function deliver(db: Db, fanOut: NotificationFanOutRow, now: Date): Promise<string[]> {
	const data = fanOut.data as Record<string, unknown>;
	switch (fanOut.kind) {
		case "event_updated":
		case "event_cancelled": {
			// Everyone going or waiting for a place (the D1 mirror of the event's RSVPs).
			const rows = await fanOutNotificationsStatement(
				db,
				{
					type: fanOut.kind,
					actorId: fanOut.actorId,
					subject: { type: "event", id: fanOut.subjectId },
					groupKey: fanOut.dedupeKey,
					data,
					recipients: sql`SELECT ${eventRsvps.userId} AS id FROM ${eventRsvps}
						WHERE ${eventRsvps.eventId} = ${fanOut.subjectId} AND ${eventRsvps.status} IN ('going', 'waitlisted')`,
				},
				now,
			);
			return rows.map((row) => row.user_id);
		}
		case "event_reminder": {
			// Everyone going (not maybe, not waiting), while the event is still on at the time the reminder is
			// of (fellowship's rules). No actor: the system reminds.
			const rows = await fanOutNotificationsStatement(
				db,
				{
					type: "event_reminder",
					actorId: null,
					subject: { type: "event", id: fanOut.subjectId },
					groupKey: fanOut.dedupeKey,
					data,
					recipients: eventReminderRecipients(fanOut.subjectId, data, now),
				},
				now,
			);
			return rows.map((row) => row.user_id);
		}
		case "guardian_alert": {
			// Every active guardian, while the item is still open and urgent.
			const rows = await fanOutNotificationsStatement(
				db,
				{
					type: "guardian_alert",
					actorId: null,
					subject: { type: "report", id: fanOut.subjectId },
					groupKey: fanOut.dedupeKey,
					recipients: sql`SELECT ${users.id} AS id FROM ${users}
						WHERE ${users.role} = 'guardian' AND ${users.deletedAt} IS NULL
						AND (${users.suspendedUntil} IS NULL OR ${users.suspendedUntil} <= ${now.toISOString()})
						AND EXISTS (SELECT 1 FROM ${moderationQueueItems} WHERE ${moderationQueueItems.id} = ${fanOut.subjectId}
							AND ${moderationQueueItems.isUrgent} = 1 AND ${moderationQueueItems.status} = 'open')`,
				},
				now,
			);
			return rows.map((row) => row.user_id);
		}
	}
}

/**
 * Works off one fan-out: its notifications, then the row. Answers the people notified (empty when the
 * fan-out was already done).
 */
export async function processFanOut(db: Db, fanOutId: string, now = new Date()): Promise<string[]> {
	const fanOut = await fanOutById(db, fanOutId);
	if (!fanOut) return [];
	const notified = await deliver(db, fanOut, now);
	await finishFanOut(db, fanOut.id);
	return notified;
}

/**
 * The queue handler of fan-outs: each message acked once done, retried when it failed. `onNotified` gets the
 * people each fan-out notified and the time their notifications were written from (live streams, pushes).
 */
export async function consumeFanOuts(
	messages: readonly Message<FanOutMessage>[],
	env: Pick<PlatformBindings, "DB">,
	onNotified: (userIds: string[], since: Date) => Promise<void> = async () => {},
): Promise<void> {
	const db = createDb(env.DB);
	for (const message of messages) {
		try {
			const now = new Date();
			const notified = await processFanOut(db, message.body.fanOutId, now);
			if (notified.length > 0) await onNotified(notified, now);
			message.ack();
		} catch (error) {
			logEvent("warn", "notification_fan_out_failed", {
				attempts: message.attempts,
				error: error instanceof Error ? error.name : "unknown",
			});
			message.retry({ delaySeconds: RETRY_DELAY_SECONDS * message.attempts });
		}
	}
}

/**
 * The dead-letter queue's handler: a message that failed every retry is logged for a person to look at (its
 * kind, never whom it was for). A fan-out's row stays, and the cron hands it to the queue again a few more
 * times (core/fan-outs); a push job is given up (the notification is in the person's list).
 */
export function consumeDeadLetters(batch: MessageBatch<NotifyQueueMessage>): void {
	for (const message of batch.messages) {
		const kind = "fanOutId" in message.body ? "fan_out" : `push_${message.body.push}`;
		logEvent("error", "notification_queue_dead_letter", { kind, attempts: message.attempts });
		message.ack();
	}
}
