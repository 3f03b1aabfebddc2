/**
 * @module push/quiet-hours: a person's quiet hours — wall times (`HH:MM`) in their own time zone during which
 * nothing is pushed to them but guardian alerts (their list still records everything). `end` before `start`
 * crosses midnight (22:00–07:00); the start minute is inside, the end minute is not.
 */

export interface QuietHours {
	start: string;
	end: string;
}

/** `HH:MM`, 00:00 to 23:59. */
export const WALL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

const minutesOf = (wall: string) => Number(wall.slice(0, 2)) * 60 + Number(wall.slice(3, 5));

/** The wall clock minute of `now` in `timeZone` (minutes after local midnight). */
export function localMinute(timeZone: string, now: Date): number {
	const parts = new Intl.DateTimeFormat("en-GB", {
		timeZone,
		hour: "2-digit",
		minute: "2-digit",
		hourCycle: "h23",
	}).formatToParts(now);
	const value = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
	return value("hour") * 60 + value("minute");
}

/** True when `now` falls inside `quiet` in `timeZone`. No quiet hours (null) is never quiet. */
export function inQuietHours(quiet: QuietHours | null, timeZone: string, now: Date): boolean {
	if (!quiet) return false;
	const start = minutesOf(quiet.start);
	const end = minutesOf(quiet.end);
	if (start === end) return false;
	let minute: number;
	try {
		minute = localMinute(timeZone, now);
	} catch {
		// A zone the runtime does not know (the API never stores one): quiet hours in UTC rather than none.
		minute = localMinute("UTC", now);
	}
	return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}
