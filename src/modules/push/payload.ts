/**
 * @module push/payload: what a push carries — the JSON the service worker shows
 * (`{ type, title, body, url, tag, notification_id }`, at most 3 KB) and how the push service treats it
 * (TTL, urgency, and a topic so that a newer push of the same thing replaces an undelivered older one).
 *
 * A lock screen is seen by whoever holds the phone: a push says what kind of thing happened and who acted,
 * never the words of a post, comment or message (the app shows those once opened).
 */
import { type ActorView, notificationText } from "../../core/notifications";
import type { NotificationRow, NotificationType } from "../../db/tables/notifications";
import { MAX_PAYLOAD_BYTES, type PushOptions, pushTopic } from "../../lib/web-push";

export interface PushPayload {
	type: NotificationType | "message" | "test";
	title: string;
	body: string;
	/** The app's path to open on a tap. */
	url: string;
	/** The service worker's `tag`: a newer notification with the same tag replaces the older one. */
	tag: string;
	notification_id: string | null;
}

export interface PreparedPush {
	payload: string;
	options: PushOptions;
}

const HOUR = 60 * 60;

const TITLES: Partial<Record<NotificationType, string>> = {
	habit_reminder: "Habit reminder",
	event_reminder: "Event reminder",
	event_updated: "Event changed",
	event_cancelled: "Event cancelled",
	waitlist_promoted: "You have a place",
	guardian_alert: "Someone may need help",
	content_moderated: "From the moderators",
	appeal_decided: "From the moderators",
	account_status: "Your account",
};

/** Where a tap leads: the app's page of the notification's subject. */
const subjectPath = (row: NotificationRow) => `/${row.subjectType}s/${row.subjectId}`;

/**
 * How long a push service keeps it for an offline device: a reminder or an alert is worthless late; the rest
 * is still news for a day.
 */
function ttlOf(type: NotificationType): number {
	if (type === "event_reminder") return HOUR;
	if (type === "habit_reminder" || type === "guardian_alert") return 2 * HOUR;
	return 24 * HOUR;
}

/** Replaced on the device by a newer one of the same key (a habit's reminders, an event's changes). */
function topicKeyOf(row: NotificationRow): string {
	if (row.type === "habit_reminder") return `habit:${row.subjectId}`;
	if (row.subjectType === "event") return `event:${row.subjectId}`;
	return `notification:${row.groupKey}`;
}

/** Cuts a JSON payload's body until it fits MAX_PAYLOAD_BYTES (a long group or event name). */
function withinPayloadLimit(payload: PushPayload): string {
	let text = JSON.stringify(payload);
	while (new TextEncoder().encode(text).length > MAX_PAYLOAD_BYTES && payload.body.length > 1) {
		payload.body = `${[...payload.body].slice(0, Math.floor(payload.body.length * 0.8)).join("")}…`;
		text = JSON.stringify(payload);
	}
	return text;
}

/** The push of a notification (`actors`: the ones that still exist, as the list shows them). */
export async function notificationPush(
	row: NotificationRow,
	actors: readonly ActorView[],
): Promise<PreparedPush> {
	const topic = await pushTopic(topicKeyOf(row));
	const payload: PushPayload = {
		type: row.type,
		title: TITLES[row.type] ?? "Flourish",
		body: notificationText(row, actors),
		url: subjectPath(row),
		tag: topic,
		notification_id: row.id,
	};
	return {
		payload: withinPayloadLimit(payload),
		options: {
			ttl: ttlOf(row.type),
			urgency: row.type === "guardian_alert" ? "high" : row.type === "reaction" ? "low" : "normal",
			topic,
		},
	};
}

/** The push of a direct message: who wrote, never what. */
export async function messagePush(sender: { id: string; displayName: string } | null): Promise<PreparedPush> {
	const topic = await pushTopic(`chat:${sender?.id ?? "unknown"}`);
	const payload: PushPayload = {
		type: "message",
		title: "New message",
		body: sender ? `${sender.displayName} sent you a message.` : "You have a new message.",
		url: sender ? `/messages/${sender.id}` : "/messages",
		tag: topic,
		notification_id: null,
	};
	return { payload: withinPayloadLimit(payload), options: { ttl: 24 * HOUR, urgency: "high", topic } };
}

/** `POST /push/test`'s push: kept a minute, never stored by the push service beyond that. */
export function testPush(): PreparedPush {
	const payload: PushPayload = {
		type: "test",
		title: "Flourish",
		body: "Push notifications work on this device.",
		url: "/",
		tag: "test",
		notification_id: null,
	};
	return { payload: JSON.stringify(payload), options: { ttl: 60, urgency: "normal" } };
}
