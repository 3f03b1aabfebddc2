/**
 * @module coarse-time: the times of anonymous things, rounded down so that they cannot date an act to the
 * moment it happened.
 *
 * A support request (always anonymous) and an anonymous sunlight share store and show their times floored
 * to the hour, and their ids are random (`newRandomId`), so neither can be lined up with what its author
 * did under their name at that moment (an account's first request, a profile's creation time). Accounts
 * show their creation to the day. Lists of anonymous things are ordered by (rounded time DESC, id DESC):
 * within one hour the order is random — which is the point — yet stable, so cursors page without repeats
 * or gaps.
 *
 * Why an hour, floored: it is still "how recent" enough for people who answer requests (an hour-old cry
 * for help reads differently from a day-old one, and the newest-first list still means something), while
 * every account active in that hour is as likely an author. Floored, so a time is never in the future and
 * every act of one hour carries exactly the same stamp.
 *
 * @example
 * anonymousTime(new Date("2026-11-27T09:41:12.345Z")); // "2026-11-27T09:00:00.000Z"
 * startOfUtcDay("2026-11-27T09:41:12.345Z"); // "2026-11-27T00:00:00.000Z"
 */
import { DAY_MS } from "./durations";

/** The unit anonymous times are rounded down to. */
export const ANONYMOUS_TIME_UNIT_MS = 60 * 60 * 1000;

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
const millisOf = (at: Date | number | string) =>
	typeof at === "number" ? at : typeof at === "string" ? Date.parse(at) : at.getTime();

/** `at` (default now) rounded down to the hour, as ISO 8601 UTC text. */
export function anonymousTime(at: Date | number | string = Date.now()): string {
	return new Date(floorTo(millisOf(at), ANONYMOUS_TIME_UNIT_MS)).toISOString();
}

/** Milliseconds of the start of `at`'s UTC day. */
export function startOfUtcDayMs(at: Date | number | string = Date.now()): number {
	return floorTo(millisOf(at), DAY_MS);
}

/** `at` rounded down to its UTC day, as ISO 8601 UTC text (midnight). */
export function startOfUtcDay(at: Date | number | string = Date.now()): string {
	return new Date(startOfUtcDayMs(at)).toISOString();
}
