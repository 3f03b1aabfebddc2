/**
 * @module fellowship/reminders: event reminders, 24 hours and 1 hour before an event starts, to everyone going.
 * A minute cron task finds the events whose reminder has come — per lead, one bounded range of
 * `group_events_status_starts_idx (status, starts_at)` — writes one fan-out per event and lead, and hands the
 * fan-outs to the notifications queue; the queue's consumer (notifications/fan-out) writes the notifications
 * to the people going at that moment, if the event is still on, at that time. The decisions:
 * docs/decisions/fellowship.md ("Event reminders").
 */
import { inArray, type SQL, sql } from "drizzle-orm";
import { dispatchFanOuts, type FanOut, fanOutsStatement } from "../../core/fan-outs";
import { PUBLICLY_VISIBLE_STATUSES } from "../../core/moderation/screen";
import { createDb, type Db } from "../../db/client";
import { eventRsvps, fellowshipGroups, groupEvents } from "../../db/tables/fellowship";
import { notificationFanOuts, notifications } from "../../db/tables/notifications";
import type { Bindings } from "../../env";
import { HOUR_MS } from "../../lib/durations";

/** How long before the start each reminder is due, and how long a missed one is still caught up. */
export const REMINDER_LEADS = [
	{ lead: "24h", beforeMs: 24 * HOUR_MS, catchUpMs: HOUR_MS },
	{ lead: "1h", beforeMs: HOUR_MS, catchUpMs: HOUR_MS },
] as const;
export type ReminderLead = (typeof REMINDER_LEADS)[number]["lead"];

/** Events read (and fan-outs written) per lead per tick: more wait a minute. */
export const EVENT_REMINDERS_PER_TICK = 200;

/**
 * The group key of a reminder's notifications, and the dedupe key of its fan-out: per event, lead and start.
 * The start is part of it so that an event moved to another time is reminded of again at its new time (a
 * reminder of the old time said something that is no longer true); the same key in SQL is `reminderKeySql`.
 */
export const eventReminderKey = (eventId: string, lead: ReminderLead, startsAt: string) =>
	`event_reminder:${eventId}:${lead}:${startsAt}`;

const reminderKeySql = (lead: ReminderLead): SQL =>
	sql`'event_reminder:' || ${groupEvents.id} || ${`:${lead}:`} || ${groupEvents.startsAt}`;

/**
 * An event a reminder may be about: still scheduled, visible (not hidden or removed by moderation), in a
 * group that exists and is visible. The tick selects by it and the consumer checks it again as it writes, so
 * an event the consumer would refuse is never picked again and again.
 */
const remindable = (): SQL => sql`(${groupEvents.status} = 'scheduled'
	AND ${inArray(groupEvents.moderationStatus, [...PUBLICLY_VISIBLE_STATUSES])}
	AND EXISTS (SELECT 1 FROM ${fellowshipGroups} WHERE ${fellowshipGroups.id} = ${groupEvents.groupId}
		AND ${fellowshipGroups.deletedAt} IS NULL AND ${inArray(fellowshipGroups.moderationStatus, [...PUBLICLY_VISIBLE_STATUSES])}))`;

/**
 * The events of one lead whose reminder is due at `now` and not yet under way, earliest first: `starts_at` in
 * (now + before − catch-up, now + before] — one range of `group_events_status_starts_idx`, its `status`
 * term an equality so that the range is on `starts_at`. Of those, only events someone is going to, and none
 * already reminded of:
 * - its fan-out is not waiting for the queue (the unique dedupe key: one probe);
 * - no one going has its notification yet. A finished fan-out is deleted, so the dedupe key alone would let
 *   every minute of the window write the fan-out again; the notifications are what stays (one per person
 *   and group key). Probed per going person on `event_rsvps_event_status_idx` and the notifications'
 *   unique `(user_id, group_key)` — the first person told ends it, so an event reminded of costs a few
 *   rows a tick. "No one", not "someone not": a person who turned the type off, or joined after the fan-out,
 *   would otherwise bring a fan-out every minute. The cost of "no one": an event whose every person going is
 *   left out by the rules (each turned the type off, or opted out of spiritual content) gets a fan-out each
 *   minute of its window, each writing nothing — bounded (60 per lead), and rare.
 */
function dueEvents(db: Db, now: Date, lead: (typeof REMINDER_LEADS)[number]) {
	const latest = new Date(now.getTime() + lead.beforeMs).toISOString();
	const earliest = new Date(now.getTime() + lead.beforeMs - lead.catchUpMs).toISOString();
	const key = reminderKeySql(lead.lead);
	return db
		.select({ id: groupEvents.id, title: groupEvents.title, startsAt: groupEvents.startsAt })
		.from(groupEvents)
		.where(
			// remindable() holds `status = 'scheduled'`: with the range on starts_at, the index's two columns.
			sql`${groupEvents.startsAt} > ${earliest} AND ${groupEvents.startsAt} <= ${latest} AND ${remindable()}
				AND NOT EXISTS (SELECT 1 FROM ${notificationFanOuts} WHERE ${notificationFanOuts.dedupeKey} = ${key})
				AND EXISTS (SELECT 1 FROM ${eventRsvps} WHERE ${eventRsvps.eventId} = ${groupEvents.id} AND ${eventRsvps.status} = 'going')
				AND NOT EXISTS (SELECT 1 FROM ${eventRsvps} JOIN ${notifications} ON ${notifications.userId} = ${eventRsvps.userId}
					AND ${notifications.groupKey} = ${key}
					WHERE ${eventRsvps.eventId} = ${groupEvents.id} AND ${eventRsvps.status} = 'going')`,
		)
		.orderBy(groupEvents.startsAt)
		.limit(EVENT_REMINDERS_PER_TICK);
}

/**
 * Who a reminder's fan-out tells, for the queue's consumer (notifications/fan-out): a SELECT of the user ids
 * (`id`) of the RSVPs `going` — not maybe, not waitlisted, not someone who left (their RSVP turned
 * `not_going`) — at the moment it runs, while the event is still remindable and starts when the reminder
 * says. Nobody once the reminder is out of date: the event moved (its reminder at the new time has its own
 * key), or the 24 h reminder is so late that the 1 h one is due, or the event has started.
 */
export function eventReminderRecipients(
	eventId: string,
	data: { lead?: unknown; starts_at?: unknown },
	now: Date,
): SQL {
	const lead = REMINDER_LEADS.find((l) => l.lead === data.lead);
	const startsAt = typeof data.starts_at === "string" ? data.starts_at : "";
	// The 24 h reminder is current until the 1 h one is due, the 1 h one until the start (NaN: never).
	const upTo = lead ? Date.parse(startsAt) - (lead.lead === "24h" ? HOUR_MS : 0) : Number.NaN;
	const current = now.getTime() < upTo;
	return sql`SELECT ${eventRsvps.userId} AS id FROM ${eventRsvps}
		WHERE ${eventRsvps.eventId} = ${eventId} AND ${eventRsvps.status} = 'going' AND ${current ? sql`1` : sql`0`}
		AND EXISTS (SELECT 1 FROM ${groupEvents} WHERE ${groupEvents.id} = ${eventId}
			AND ${groupEvents.startsAt} = ${startsAt} AND ${remindable()})`;
}

export interface EventReminderTick {
	/** Events whose reminder was due and not yet under way. */
	due: number;
	/** Fan-outs written (and handed to the queue). */
	written: string[];
}

/**
 * Writes the fan-outs of the reminders due at `now` (one read of both leads, then one statement), without
 * handing them to the queue: `runEventReminders` does that. Overlapping ticks write each fan-out once (its
 * dedupe key); a fan-out written twice over (a tick reading just as another's consumer finished) writes no
 * notification twice (one per person and group key).
 */
export async function writeEventReminders(db: Db, now = new Date()): Promise<EventReminderTick> {
	const [day, hour] = await db.batch([
		dueEvents(db, now, REMINDER_LEADS[0]),
		dueEvents(db, now, REMINDER_LEADS[1]),
	]);
	const fanOuts: FanOut[] = [
		...day.map((event) => reminderFanOut(event, "24h")),
		...hour.map((event) => reminderFanOut(event, "1h")),
	];
	if (fanOuts.length === 0) return { due: 0, written: [] };
	const written = await fanOutsStatement(db, fanOuts, now);
	return { due: fanOuts.length, written: written.map((row) => row.id) };
}

const reminderFanOut = (
	event: { id: string; title: string; startsAt: string },
	lead: ReminderLead,
): FanOut => ({
	kind: "event_reminder",
	subjectId: event.id,
	actorId: null,
	dedupeKey: eventReminderKey(event.id, lead, event.startsAt),
	data: { title: event.title, lead, starts_at: event.startsAt },
});

/**
 * The cron task (every minute): writes the reminders due and hands them to the queue. A queue that refuses
 * leaves them to the cron's `dispatch_notification_fan_outs` (every 10 minutes); a 1 h reminder handed over
 * after the event started writes nothing (the consumer's check).
 */
export async function runEventReminders(env: Bindings, now = new Date()): Promise<EventReminderTick> {
	const db = createDb(env.DB);
	const tick = await writeEventReminders(db, now);
	if (tick.written.length > 0) await dispatchFanOuts(env, db, now, new Set(tick.written));
	return tick;
}
