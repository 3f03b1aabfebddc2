/** @module orchard/display: the Orchard's words — unread counts, times, requests — as people read them. */

/** "1 unread message", "3 unread messages"; nothing for none. */
export function unreadText(count: number): string {
	if (count <= 0) return "";
	return count === 1 ? "1 unread message" : `${count} unread messages`;
}

/** The badge's short form: the number, capped so it stays small ("99+"). */
export function unreadBadge(count: number): string {
	return count > 99 ? "99+" : String(count);
}

/** A message's time: the hour today, else the day and hour. */
export function timeText(iso: string, now = new Date()): string {
	const at = new Date(iso);
	if (Number.isNaN(at.getTime())) return "";
	const sameDay = at.toDateString() === now.toDateString();
	return new Intl.DateTimeFormat(undefined, {
		...(sameDay ? {} : { day: "numeric", month: "short" }),
		hour: "numeric",
		minute: "2-digit",
	}).format(at);
}

/** The last message's preview on the conversation list, with who wrote it when it was me. */
export function previewText(preview: string, empty = "No messages yet"): string {
	const trimmed = preview.trim();
	return trimmed ? trimmed : empty;
}

/** Who is typing, in a few words. */
export function typingText(name: string): string {
	return `${name} is typing…`;
}

/** What a member ID field holds once tidied (people paste with spaces or quotes); null when it cannot be one. */
export function memberId(raw: string): string | null {
	const tidy = raw
		.trim()
		.replace(/^["'<]+|["'>]+$/g, "")
		.toLowerCase();
	return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(tidy) ? tidy : null;
}
