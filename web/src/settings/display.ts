/**
 * @module settings/display: the words and choices of Settings, decided here (pure, unit-tested): what each kind
 * of notification is called, the hours a day may start at, the time zones offered, the export's file name, and
 * the word that confirms deleting an account.
 */
import type { Schemas } from "../api/client";

export type NotificationType = keyof Schemas["NotificationPreferences"]["types"];

/** Each kind of notification in people's words, in the order the page lists them. */
export const NOTIFICATION_LABELS: Record<NotificationType, string> = {
	comment: "Comments on my posts",
	reply: "Replies to my comments",
	reaction: "Reactions to what I share",
	connection_request: "Connection requests",
	connection_accepted: "Accepted connection requests",
	mentorship_request: "Mentorship requests",
	mentorship_update: "Mentorship updates",
	group_invitation: "Group invitations",
	group_join_request: "Requests to join my groups",
	event_updated: "Changes to events I'm going to",
	event_cancelled: "Cancelled events",
	waitlist_promoted: "A place opened up for me at an event",
	event_reminder: "Event reminders",
	habit_reminder: "Habit reminders",
	project_invitation: "Project invitations",
	content_moderated: "Moderation of what I posted",
	appeal_decided: "Decisions on my appeals",
	account_status: "My account's standing",
	trust_level: "My trust level",
	application_decided: "Decisions on my applications",
	guardian_alert: "Guardian alerts",
};

export function notificationTypes(): NotificationType[] {
	return Object.keys(NOTIFICATION_LABELS) as NotificationType[];
}

/** "04:00", for the hour a day starts at. */
export function hourLabel(hour: number): string {
	return `${String(hour).padStart(2, "0")}:00`;
}

/** What the day-start hour means, in a sentence. */
export function dayStartSentence(hour: number): string {
	if (hour === 0) return "Your day turns over at midnight.";
	return `Until ${hourLabel(hour)}, you are still logging the day before — handy if you stay up late.`;
}

/** The time zones to offer: the browser's list, with the current one and UTC always in it, sorted. */
export function timeZoneChoices(current: string, supported: readonly string[]): string[] {
	return [...new Set([...supported, current, "UTC"])].sort((a, b) => a.localeCompare(b));
}

/** The browser's time zones, where it can list them. */
export function supportedTimeZones(): string[] {
	const intl = Intl as typeof Intl & { supportedValuesOf?: (key: "timeZone") => string[] };
	try {
		return intl.supportedValuesOf?.("timeZone") ?? [];
	} catch {
		return [];
	}
}

export function timeZoneLabel(zone: string): string {
	return zone.replaceAll("_", " ");
}

/** `flourish-export-2026-12-05.json` (the day in UTC). */
export function exportFileName(now: Date): string {
	return `flourish-export-${now.toISOString().slice(0, 10)}.json`;
}

/** The word a person types to confirm deleting their account. */
export const CONFIRM_WORD = "delete";

export function confirmsDeletion(typed: string): boolean {
	return typed.trim().toLowerCase() === CONFIRM_WORD;
}

/** What quiet hours do, in a sentence; or why the chosen times cannot be kept. */
export function quietHoursSentence(quiet: { start: string; end: string } | null): string {
	if (!quiet) return "Pushes can reach you at any hour.";
	const overnight = quiet.end < quiet.start ? " (overnight)" : "";
	return `Nothing is pushed from ${quiet.start} to ${quiet.end}${overnight}, except guardian alerts. Everything still waits in your notifications.`;
}

export function quietHoursProblem(start: string, end: string): string | null {
	if (!/^\d{2}:\d{2}$/.test(start) || !/^\d{2}:\d{2}$/.test(end)) return "Choose a start and an end time.";
	if (start === end) return "The start and end of quiet hours must differ.";
	return null;
}
