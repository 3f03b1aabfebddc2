/**
 * @module garden/stats: habit statistics from per-day completion counts. Pure; no I/O.
 *
 * Rules
 * - Due periods: `daily` → every day; `weekdays` → only the listed ISO weekdays (1 = Mon … 7 = Sun);
 *   `times_per_week` → ISO weeks (Mon–Sun), met when the week's total count ≥ target. A due day of a
 *   `daily`/`weekdays` habit is met when that day's count ≥ target.
 * - Streak = consecutive due periods met. Days that are not due never break it, nor extend it (logs on
 *   them are ignored). The current streak counts back from the most recent period; the current period
 *   (today / this week) counts if already met, and if not yet met it does not break the streak (we count
 *   from the previous period).
 * - Effective start = min(startDate, earliest log date): logs back-filled before startDate still count.
 *   Periods before it are not considered; for `times_per_week` the week containing it is the first.
 *   Logs dated after `today` are ignored.
 * - Longest streak = longest run over the whole history up to today (always ≥ current).
 * - Strength (Loop Habit Tracker): score_t = score_{t−1}·m + done_t·(1−m), m = 0.5^(√freq/13), starting
 *   at 0 before the effective start and stepped once per calendar day up to today; in [0, 1], 4 decimals.
 *   - daily: freq = 1, done_t = min(1, count_t / target).
 *   - weekdays: days not due are skipped (score unchanged); on due days freq = 1 as for daily.
 *   - times_per_week: freq = min(1, target / 7), done_t = min(1, trailing-7-day sum ending at t / target).
 *   - Today is applied only when it raises the score: an unfinished today never lowers strength.
 *   - CPU bound: at most 400 steps before today (400 calendar days; for `weekdays`, 400 due days, so a
 *     sparse schedule still gets a long enough window). Older steps weigh ≤ m^400. Streaks use all history.
 * - `today`: for daily/weekdays, count/target are today's count and the daily target and `due` is whether
 *   today is due; for times_per_week, count is this ISO week's total, target the weekly target, `due` true.
 *   `due` is false while today is before the effective start.
 */
import { daysBetween, isoWeekday, isValidDate } from "../../lib/local-date";

export interface HabitSchedule {
	frequency: "daily" | "weekdays" | "times_per_week";
	/** ISO weekdays (1 = Monday … 7 = Sunday); used by `weekdays` only. */
	weekdays: number[];
	/** Completions per due day (daily, weekdays) or per ISO week (times_per_week). */
	targetCount: number;
	/** Local YYYY-MM-DD the habit starts counting from. */
	startDate: string;
}

export interface HabitStats {
	today: { date: string; count: number; target: number; done: boolean; due: boolean };
	currentStreak: number;
	longestStreak: number;
	strength: number;
	streakUnit: "day" | "week";
}

/** Steps of the strength score kept before today; beyond this the weight is negligible. */
const MAX_STRENGTH_STEPS = 400;

/**
 * Whether `date` falls on the habit's schedule, ignoring its start date. Every day of a
 * `times_per_week` habit is due: any of them can contribute to the week.
 */
export function isDue(schedule: Pick<HabitSchedule, "frequency" | "weekdays">, date: string): boolean {
	if (schedule.frequency !== "weekdays") return true;
	return schedule.weekdays.includes(isoWeekday(date));
}

export function habitStats(
	schedule: HabitSchedule,
	dailyCounts: ReadonlyMap<string, number>,
	today: string,
): HabitStats {
	const target: number = Math.max(1, Math.floor(schedule.targetCount));
	const weekly: boolean = schedule.frequency === "times_per_week";
	const streakUnit: "day" | "week" = weekly ? "week" : "day";

	// Keep only real completions on valid dates up to today; a future-dated log must not count yet.
	const logs: [string, number][] = [];
	let effectiveStart: string = schedule.startDate;
	for (const [date, count] of dailyCounts) {
		if (!isValidDate(date) || date > today || !Number.isFinite(count) || count <= 0) continue;
		logs.push([date, count]);
		if (date < effectiveStart) effectiveStart = date;
	}

	// Day offsets are relative to the effective start: index 0 = effectiveStart, n − 1 = today.
	const n: number = daysBetween(effectiveStart, today) + 1;
	if (n <= 0) {
		return {
			today: { date: today, count: 0, target, done: false, due: false },
			currentStreak: 0,
			longestStreak: 0,
			strength: 0,
			streakUnit,
		};
	}
	const counts: number[] = new Array<number>(n).fill(0);
	for (const [date, count] of logs) {
		const i: number = daysBetween(effectiveStart, date);
		counts[i] = (counts[i] ?? 0) + count;
	}
	// prefix[i] = total count of days [0, i), for O(1) week and trailing-window sums.
	const prefix: number[] = new Array<number>(n + 1).fill(0);
	for (let i = 0; i < n; i++) prefix[i + 1] = (prefix[i] ?? 0) + (counts[i] ?? 0);
	const sum = (from: number, to: number): number =>
		(prefix[Math.min(to, n - 1) + 1] ?? 0) - (prefix[Math.max(from, 0)] ?? 0);

	const startWeekday: number = isoWeekday(effectiveStart);
	const weekdaySet: ReadonlySet<number> = new Set(schedule.weekdays);
	const dueAt = (i: number): boolean =>
		schedule.frequency !== "weekdays" || weekdaySet.has(((startWeekday - 1 + i) % 7) + 1);

	// Periods oldest → newest as met/unmet; the last one is the current period (today or this week).
	const periods: boolean[] = [];
	let todayCount: number;
	if (weekly) {
		// Week k spans offsets [firstMonday + 7k, firstMonday + 7k + 6]; firstMonday ≤ 0.
		const firstMonday: number = 1 - startWeekday;
		for (let monday = firstMonday; monday < n; monday += 7) periods.push(sum(monday, monday + 6) >= target);
		todayCount = sum(n - 1 - (isoWeekday(today) - 1), n - 1);
	} else {
		for (let i = 0; i < n; i++) if (dueAt(i)) periods.push((counts[i] ?? 0) >= target);
		todayCount = counts[n - 1] ?? 0;
	}
	const todayDue: boolean = dueAt(n - 1);

	let longestStreak = 0;
	let run = 0;
	for (const met of periods) {
		run = met ? run + 1 : 0;
		longestStreak = Math.max(longestStreak, run);
	}
	// The current period is the last one only if today is due (weekly: always).
	const currentIsLast: boolean = weekly || todayDue;
	let currentStreak = 0;
	for (let p = periods.length - 1; p >= 0; p--) {
		if (periods[p]) currentStreak++;
		else if (p === periods.length - 1 && currentIsLast)
			continue; // not yet met: still in progress
		else break;
	}

	return {
		today: { date: today, count: todayCount, target, done: todayCount >= target, due: todayDue },
		currentStreak,
		longestStreak,
		strength: strengthScore(schedule.frequency, target, n, counts, sum, dueAt),
		streakUnit,
	};
}

/** The Loop-style exponentially smoothed score over offsets [0, n − 1], today being n − 1. */
function strengthScore(
	frequency: HabitSchedule["frequency"],
	target: number,
	n: number,
	counts: readonly number[],
	sum: (from: number, to: number) => number,
	dueAt: (i: number) => boolean,
): number {
	const weekly: boolean = frequency === "times_per_week";
	const freq: number = weekly ? Math.min(1, target / 7) : 1;
	const m: number = 0.5 ** (Math.sqrt(freq) / 13);
	const done = (i: number): number => Math.min(1, (weekly ? sum(i - 6, i) : (counts[i] ?? 0)) / target);

	// Walk back at most MAX_STRENGTH_STEPS due steps before today; earlier history starts from 0.
	let first: number = n - 1;
	for (let steps = 0; first > 0 && steps < MAX_STRENGTH_STEPS; ) {
		first--;
		if (dueAt(first)) steps++;
	}
	let score = 0;
	for (let i = first; i < n - 1; i++) if (dueAt(i)) score = score * m + done(i) * (1 - m);
	if (dueAt(n - 1)) score = Math.max(score, score * m + done(n - 1) * (1 - m));
	return Math.round(Math.min(1, Math.max(0, score)) * 10_000) / 10_000;
}
