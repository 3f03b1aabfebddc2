/**
 * @module garden/reminder-schedule: when a habit's reminder fires — pure functions of the habit, the owner's
 * time zone and day start, and an instant. No date library: `Intl.DateTimeFormat` (the runtime's own IANA
 * data) answers a zone's UTC offset at an instant, and a local time is resolved from that.
 *
 * - An occurrence belongs to a **garden day** (the day `localToday` names, from `day_start_hour`): the reminder
 *   of garden day G is at `reminder_time` on the calendar date G, or on G + 1 when that time is before the day
 *   starts (with `day_start_hour` 4, a 02:00 reminder closes the day it belongs to).
 * - Due garden days: `daily` and `times_per_week` every day (a weekly habit can be done any day; the firing-time
 *   "already logged today" check is what quiets it), `weekdays` on its ISO weekdays; never before `start_date`.
 * - A time that does not exist that day (the spring-forward gap) fires at the first minute after the gap
 *   (02:30 in New York on 2026-03-08 fires at 03:00 EDT); a time that occurs twice fires at its first
 *   occurrence only.
 */

import { BoundedMap } from "../../lib/bounded-map";
import { DAY_MS, MINUTE_MS } from "../../lib/durations";
import { addDays, localToday } from "../../lib/local-date";
import { isDue } from "./stats";

/** What of a habit decides its reminders (a `HabitRow` has all of it). */
export interface ReminderHabit {
	frequency: "daily" | "weekdays" | "times_per_week";
	/** ISO weekdays (1 = Monday) of a `weekdays` habit. */
	weekdays: number[];
	/** Local `HH:MM`; null: no reminder. */
	reminderTime: string | null;
	reminderEnabled: boolean;
	/** The first garden day it counts (`YYYY-MM-DD`). */
	startDate: string;
}

/** Where and when the owner's days are: their IANA time zone and the hour their day starts (0–23). */
export interface ReminderZone {
	timeZone: string;
	dayStartHour: number;
}

/** One reminder: the instant it fires and the garden day it is for. */
export interface ReminderOccurrence {
	at: Date;
	localDate: string;
}

/** Garden days scanned past the first candidate: a week, plus the day either side of a boundary. */
const SCAN_DAYS = 9;
/** How far back a tick looks for a reminder it missed (more is one reminder anyway). */
export const MISSED_LOOKBACK_DAYS = 8;

/** True when garden day `localDate` has a reminder: a day the habit is due (as its stats count it), from its start. */
export function isReminderDay(habit: ReminderHabit, localDate: string): boolean {
	return localDate >= habit.startDate && isDue(habit, localDate);
}

/**
 * The first reminder strictly after `after`, or null when the habit has none (disabled, no time, or a
 * weekday habit without weekdays).
 *
 * @example
 * nextReminder({ frequency: "daily", weekdays: [], reminderTime: "02:30", reminderEnabled: true,
 *   startDate: "2026-01-01" }, { timeZone: "America/New_York", dayStartHour: 0 },
 *   new Date("2026-03-08T05:00:00Z"))
 * // → { at: 2026-03-08T07:00:00.000Z (03:00 EDT: 02:30 does not exist that day), localDate: "2026-03-08" }
 */
export function nextReminder(
	habit: ReminderHabit,
	zone: ReminderZone,
	after: Date,
): ReminderOccurrence | null {
	const minutes = reminderMinutes(habit);
	if (minutes === null) return null;
	if (habit.frequency === "weekdays" && habit.weekdays.length === 0) return null;
	// A time before the day starts belongs to the previous garden day: it is on the next calendar date.
	const calendarShift = minutes < zone.dayStartHour * 60 ? 1 : 0;
	// Start a day early: the occurrence of yesterday's garden day can still be ahead (just after midnight).
	const today = localToday(zone.timeZone, zone.dayStartHour, after);
	let day = addDays(today, -1);
	if (day < habit.startDate) day = habit.startDate;
	for (let i = 0; i < SCAN_DAYS; i++, day = addDays(day, 1)) {
		if (!isReminderDay(habit, day)) continue;
		const date = addDays(day, calendarShift);
		// No zone is more than 14 h from UTC: a wall time that far before `after` needs no resolving.
		if (wallAsUtc(date, minutes) + MAX_OFFSET_MS <= after.getTime()) continue;
		const at = resolveLocalTime(zone.timeZone, date, minutes);
		if (at > after.getTime()) return { at: new Date(at), localDate: day };
	}
	return null;
}

/** `nextReminder`'s instant alone. */
export function nextReminderAt(habit: ReminderHabit, zone: ReminderZone, after: Date): Date | null {
	return nextReminder(habit, zone, after)?.at ?? null;
}

/**
 * What a tick does with a habit whose stored next reminder (`due`) has come (`due <= now`): it fires the
 * latest occurrence that has come by `now` — the due one when no tick was missed, otherwise the most recent
 * one missed, so several missed days give one (late) reminder, not a burst — and moves on to the first one
 * after `now`. `fire` is null only when the schedule has no occurrence in `[due, now]` (it changed under a
 * stale value).
 */
export function dueReminder(
	habit: ReminderHabit,
	zone: ReminderZone,
	due: Date,
	now: Date,
): { fire: ReminderOccurrence | null; next: ReminderOccurrence | null } {
	const from = Math.max(due.getTime() - 1, now.getTime() - MISSED_LOOKBACK_DAYS * DAY_MS);
	let fire: ReminderOccurrence | null = null;
	let next = nextReminder(habit, zone, new Date(from));
	// At most one occurrence per garden day, from at most MISSED_LOOKBACK_DAYS ago: a bounded loop.
	while (next !== null && next.at.getTime() <= now.getTime()) {
		fire = next;
		next = nextReminder(habit, zone, next.at);
	}
	return { fire, next };
}

/** Minutes after local midnight of the habit's reminder, or null when it has none. */
function reminderMinutes(habit: ReminderHabit): number | null {
	if (!habit.reminderEnabled || habit.reminderTime === null) return null;
	const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(habit.reminderTime);
	if (!match) return null;
	return Number(match[1]) * 60 + Number(match[2]);
}

// ---------------------------------------------------------------- local time → instant

/** UTC offsets lie within ±14 h (Pacific/Kiritimati is +14). */
const MAX_OFFSET_MS = 14 * 3_600_000;

/** A local date and time read as if it were UTC (ms). */
const wallAsUtc = (date: string, minutes: number) =>
	Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) +
	minutes * MINUTE_MS;

/** Formatters are costly to build; one per zone serves every habit in the isolate. */
const formatters = new Map<string, Intl.DateTimeFormat>();
/** Resolved local times (zone, date, minute): most reminders share a few zones and round times. */
const resolved = new BoundedMap<string, number>(20_000);
/** The end of `format()` with `timeZoneName: "longOffset"`: `GMT`, `GMT+05:30`, `GMT-04:56:02`. */
const LONG_OFFSET = /GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
	let formatter = formatters.get(timeZone);
	if (formatter === undefined) {
		// The offset alone: three times cheaper than formatting every field with formatToParts.
		formatter = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
		formatters.set(timeZone, formatter);
	}
	return formatter;
}

/** The zone's offset from UTC at instant `t` (ms; positive east of Greenwich). */
function offsetAt(timeZone: string, t: number): number {
	const match = LONG_OFFSET.exec(formatterFor(timeZone).format(t));
	if (match === null) throw new RangeError(`No UTC offset for ${timeZone}`);
	if (match[1] === undefined) return 0;
	const ms = (Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4] ?? 0)) * 1000;
	return match[1] === "-" ? -ms : ms;
}

/**
 * The instant the wall clock of `timeZone` shows `minutes` after midnight of `date`: its first occurrence
 * when the clock passes it twice, and the first valid minute after it when the clock skips it.
 */
export function resolveLocalTime(timeZone: string, date: string, minutes: number): number {
	const key = `${timeZone}|${date}|${minutes}`;
	let instant = resolved.get(key);
	if (instant === undefined) {
		instant = resolveUncached(timeZone, date, minutes);
		resolved.set(key, instant);
	}
	return instant;
}

function resolveUncached(timeZone: string, date: string, minutes: number): number {
	// The wall time read as if it were UTC; the instant is this minus the offset in force then.
	const wall = wallAsUtc(date, minutes);
	// The instant is within 14 h of `wall`: the offsets a day either side cover one transition in between.
	const offsets = [...new Set([wall - DAY_MS, wall, wall + DAY_MS].map((t) => offsetAt(timeZone, t)))];
	const valid = offsets.map((offset) => wall - offset).filter((t) => offsetAt(timeZone, t) === wall - t);
	if (valid.length > 0) return Math.min(...valid);
	// A gap: the clock jumps over this time. Before the jump is `wall - larger offset`, after it `wall -
	// smaller offset`; the jump itself (found to the minute) is the first valid minute after the wall time.
	let before = wall - Math.max(...offsets);
	let afterJump = wall - Math.min(...offsets);
	const offsetBefore = offsetAt(timeZone, before);
	while (afterJump - before > MINUTE_MS) {
		const mid = before + Math.floor((afterJump - before) / MINUTE_MS / 2) * MINUTE_MS;
		if (offsetAt(timeZone, mid) === offsetBefore) before = mid;
		else afterJump = mid;
	}
	return afterJump;
}
