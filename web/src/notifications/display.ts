/**
 * @module notifications/display: the words and small numbers the bell and the list show — pure functions, so
 * they are tested without a browser (display.test.ts).
 */

/** The bell's accessible name: what a screen reader hears, e.g. "Notifications, 3 unread". */
export function bellLabel(count: number | undefined): string {
	if (count === undefined || count <= 0) return "Notifications";
	return `Notifications, ${count} unread`;
}

/** The badge's visible text: nothing at zero, and "99+" beyond 99 so it stays small. */
export function badgeText(count: number | undefined): string {
	if (count === undefined || count <= 0) return "";
	return count > 99 ? "99+" : String(count);
}

/** What the page says about the unread count under its heading. */
export function unreadSummary(count: number): string {
	if (count <= 0) return "You're all caught up.";
	return count === 1 ? "1 unread notification." : `${count} unread notifications.`;
}

/** A polite announcement when the count rises while the person is here (nothing when it falls). */
export function arrivalAnnouncement(before: number | undefined, after: number): string {
	if (before === undefined || after <= before) return "";
	const added = after - before;
	return added === 1 ? "1 new notification." : `${added} new notifications.`;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
	["year", 365 * 24 * 3600],
	["month", 30 * 24 * 3600],
	["week", 7 * 24 * 3600],
	["day", 24 * 3600],
	["hour", 3600],
	["minute", 60],
];

/** "just now", "5 minutes ago", "yesterday": when a notification last changed, relative to `now`. */
export function whenText(iso: string, now: Date = new Date(), locale = "en"): string {
	const seconds = Math.round((new Date(iso).getTime() - now.getTime()) / 1000);
	if (Number.isNaN(seconds)) return "";
	if (Math.abs(seconds) < 60) return "just now";
	const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
	for (const [unit, size] of UNITS) {
		if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit);
	}
	return "just now";
}
