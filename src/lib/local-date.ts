/**
 * @module local-date: a user's local calendar dates as `YYYY-MM-DD` strings.
 *
 * "Today" is derived from an instant, an IANA time zone and the user's day-start hour. All arithmetic
 * on dates runs in UTC on the date string itself, so the runtime's own zone and DST never shift a day.
 */
import { DAY_MS } from "./durations";

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Offsets such as "+05:00" are accepted by newer Intl engines, but they are not IANA names. */
const ZONE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

/** Formatters are costly to build; one per zone serves every request in the isolate. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
	let formatter = formatters.get(timeZone);
	if (formatter === undefined) {
		formatter = new Intl.DateTimeFormat("en-US", {
			timeZone,
			year: "numeric",
			month: "2-digit",
			day: "2-digit",
			hour: "2-digit",
			hourCycle: "h23",
			numberingSystem: "latn",
		});
		formatters.set(timeZone, formatter);
	}
	return formatter;
}

/** True for an IANA time zone name the runtime knows, e.g. "Pacific/Kiritimati" or "UTC". */
export function isValidTimeZone(tz: string): boolean {
	if (typeof tz !== "string" || !ZONE_NAME_PATTERN.test(tz)) return false;
	try {
		formatterFor(tz);
		return true;
	} catch {
		return false;
	}
}

/**
 * The user's local date at `now`. Before `dayStartHour` (0–23) local time it is still the previous
 * date, so a late-night log counts for the day the user is finishing.
 */
export function localToday(timeZone: string, dayStartHour: number, now: Date): string {
	if (!Number.isInteger(dayStartHour) || dayStartHour < 0 || dayStartHour > 23) {
		throw new RangeError(`dayStartHour must be an integer 0–23, got ${dayStartHour}`);
	}
	if (!isValidTimeZone(timeZone)) throw new RangeError(`Unknown time zone: ${timeZone}`);
	const parts: Record<string, string> = {};
	for (const part of formatterFor(timeZone).formatToParts(now)) parts[part.type] = part.value;
	const date = `${(parts.year ?? "").padStart(4, "0")}-${parts.month}-${parts.day}`;
	// Some engines still print midnight as "24" even with h23; treat it as 0.
	const hour = Number(parts.hour) % 24;
	return hour < dayStartHour ? addDays(date, -1) : date;
}

/** Strict `YYYY-MM-DD` naming a day that exists (rejects 2026-02-30). */
export function isValidDate(s: string): boolean {
	if (typeof s !== "string") return false;
	const match = DATE_PATTERN.exec(s);
	if (match === null) return false;
	const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
	if (month < 1 || month > 12 || day < 1) return false;
	// Round-trip through UTC: an overflowing day (Feb 30) lands in the next month.
	const utc = new Date(utcMs(year, month, day));
	return utc.getUTCMonth() === month - 1 && utc.getUTCDate() === day;
}

/** Milliseconds of UTC midnight; setUTCFullYear keeps years 0–99 literal (Date.UTC maps them to 19xx). */
function utcMs(year: number, month: number, day: number): number {
	const d = new Date(0);
	d.setUTCFullYear(year, month - 1, day);
	return d.getTime();
}

/** Whole days since 1970-01-01 for a valid date string; throws RangeError otherwise. */
function dayNumber(date: string): number {
	if (!isValidDate(date)) throw new RangeError(`Invalid date (want YYYY-MM-DD): ${date}`);
	return Math.round(
		utcMs(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))) / DAY_MS,
	);
}

function fromDayNumber(n: number): string {
	return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** `date` moved by `n` calendar days (n may be negative). */
export function addDays(date: string, n: number): string {
	if (!Number.isInteger(n)) throw new RangeError(`Day offset must be an integer, got ${n}`);
	return fromDayNumber(dayNumber(date) + n);
}

/** Calendar days from `a` to `b` (b − a): negative when b is earlier. */
export function daysBetween(a: string, b: string): number {
	return dayNumber(b) - dayNumber(a);
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
	// 1970-01-01 was a Thursday (ISO 4); the double modulo keeps pre-1970 dates positive.
	return ((((dayNumber(date) + 3) % 7) + 7) % 7) + 1;
}

/** The Monday of the ISO week (Monday–Sunday) containing `date`. */
export function isoWeekStart(date: string): string {
	return addDays(date, 1 - isoWeekday(date));
}

/** −1, 0 or 1 as `a` is before, equal to or after `b`; usable as a sort comparator. */
export function compareDates(a: string, b: string): number {
	// Valid YYYY-MM-DD strings order lexicographically; validate so bad input fails loudly.
	if (!isValidDate(a)) throw new RangeError(`Invalid date (want YYYY-MM-DD): ${a}`);
	if (!isValidDate(b)) throw new RangeError(`Invalid date (want YYYY-MM-DD): ${b}`);
	return a < b ? -1 : a > b ? 1 : 0;
}
