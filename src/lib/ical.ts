/**
 * @module ical: a small iCalendar (RFC 5545) writer for published calendars: one VCALENDAR of VEVENTs, every
 * instant in UTC (`…Z`), TEXT values escaped (§3.3.11) and every content line folded at 75 octets (§3.1)
 * without splitting a UTF-8 character. Text can never start a line of its own: line breaks become `\n`, and
 * the control characters TEXT may not hold are dropped, so a title cannot inject properties.
 *
 * @example
 * icsCalendar({
 *   prodId: "-//Flourish//Events//EN",
 *   events: [{ uid: "42@flourish.app", stamp: "2026-12-01T10:00:00.000Z", start: "…", end: "…", summary: "Run" }],
 * }); // "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n…"
 */

export const ICS_CONTENT_TYPE = "text/calendar; charset=utf-8";

/** Octets per line, CRLF excluded (RFC 5545 §3.1). */
const MAX_LINE_OCTETS = 75;
const CRLF = "\r\n";

export interface IcsEvent {
	/** Globally unique and stable for the event (`<id>@<host>`). */
	uid: string;
	/** DTSTAMP: when the event's information last changed (a published calendar has no METHOD:REQUEST). */
	stamp: string | Date;
	start: string | Date;
	end: string | Date;
	summary: string;
	description?: string | undefined;
	location?: string | undefined;
	url?: string | undefined;
	status?: "TENTATIVE" | "CONFIRMED" | "CANCELLED" | undefined;
	/** Revision number: raised by every change, so calendar apps take the newer copy. */
	sequence?: number | undefined;
	created?: string | Date | undefined;
	lastModified?: string | Date | undefined;
}

export interface IcsCalendar {
	/** PRODID, e.g. `-//Flourish//Events//EN`. */
	prodId: string;
	/** The calendar's display name (RFC 7986 NAME and the widely read X-WR-CALNAME). */
	name?: string | undefined;
	/** How often subscribers should fetch it again (RFC 7986 REFRESH-INTERVAL, X-PUBLISHED-TTL). */
	refreshMinutes?: number | undefined;
	events: readonly IcsEvent[];
}

/** `20261201T180000Z`: a DATE-TIME in UTC (§3.3.5, form #2). */
export function icsDateTime(instant: string | Date): string {
	const date = typeof instant === "string" ? new Date(instant) : instant;
	if (Number.isNaN(date.getTime())) throw new RangeError("not a valid instant");
	return date
		.toISOString()
		.replace(/\.\d{3}Z$/, "Z")
		.replace(/[-:]/g, "");
}

// TEXT may hold any character but the controls (other than HTAB); line breaks are escaped before this runs.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to remove
const FORBIDDEN_CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f]/g;

/** A TEXT value (§3.3.11): backslash, semicolon and comma escaped, every line break as `\n`. */
export function escapeText(text: string): string {
	return text
		.replace(/[\\;,]/g, (match) => `\\${match}`)
		.replace(/\r\n|\r|\n/g, "\\n")
		.replace(FORBIDDEN_CONTROLS, "");
}

/** A URI value is not escaped (§3.3.13), but may not break the line either. */
const uriValue = (uri: string) => uri.replace(FORBIDDEN_CONTROLS, "").replace(/\s/g, (ch) => encodeURI(ch));

const utf8Length = (codePoint: number) =>
	codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;

/**
 * One content line folded (§3.1): at most 75 octets per line, each continuation begun by a space, and never
 * inside a UTF-8 character. The result has no trailing CRLF.
 */
export function foldLine(line: string): string {
	const parts: string[] = [];
	let current = "";
	let octets = 0;
	// A continuation line's leading space counts towards its 75 octets.
	let limit = MAX_LINE_OCTETS;
	for (const char of line) {
		const size = utf8Length(char.codePointAt(0) ?? 0);
		if (octets + size > limit) {
			parts.push(current);
			current = "";
			octets = 0;
			limit = MAX_LINE_OCTETS - 1;
		}
		current += char;
		octets += size;
	}
	parts.push(current);
	return parts.join(`${CRLF} `);
}

type Value = { text: string } | { raw: string } | { uri: string };

const contentLine = (name: string, value: Value) => {
	const written = "text" in value ? escapeText(value.text) : "uri" in value ? uriValue(value.uri) : value.raw;
	return foldLine(`${name}:${written}`);
};

function eventLines(event: IcsEvent): string[] {
	const lines = [
		contentLine("BEGIN", { raw: "VEVENT" }),
		contentLine("UID", { text: event.uid }),
		contentLine("DTSTAMP", { raw: icsDateTime(event.stamp) }),
		contentLine("DTSTART", { raw: icsDateTime(event.start) }),
		contentLine("DTEND", { raw: icsDateTime(event.end) }),
		contentLine("SUMMARY", { text: event.summary }),
	];
	if (event.description) lines.push(contentLine("DESCRIPTION", { text: event.description }));
	if (event.location) lines.push(contentLine("LOCATION", { text: event.location }));
	if (event.url) lines.push(contentLine("URL", { uri: event.url }));
	if (event.status) lines.push(contentLine("STATUS", { raw: event.status }));
	if (event.sequence !== undefined)
		lines.push(contentLine("SEQUENCE", { raw: String(Math.max(0, Math.trunc(event.sequence))) }));
	if (event.created) lines.push(contentLine("CREATED", { raw: icsDateTime(event.created) }));
	if (event.lastModified) lines.push(contentLine("LAST-MODIFIED", { raw: icsDateTime(event.lastModified) }));
	lines.push(contentLine("END", { raw: "VEVENT" }));
	return lines;
}

/** The whole iCalendar object, every line (the last included) ended by CRLF. */
export function icsCalendar(calendar: IcsCalendar): string {
	const lines = [
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		contentLine("PRODID", { text: calendar.prodId }),
		"CALSCALE:GREGORIAN",
		"METHOD:PUBLISH",
	];
	if (calendar.name) {
		lines.push(
			contentLine("NAME", { text: calendar.name }),
			contentLine("X-WR-CALNAME", { text: calendar.name }),
		);
	}
	if (calendar.refreshMinutes) {
		const duration = `PT${Math.max(1, Math.trunc(calendar.refreshMinutes))}M`;
		lines.push(`REFRESH-INTERVAL;VALUE=DURATION:${duration}`, `X-PUBLISHED-TTL:${duration}`);
	}
	for (const event of calendar.events) lines.push(...eventLines(event));
	lines.push("END:VCALENDAR");
	return lines.join(CRLF) + CRLF;
}
