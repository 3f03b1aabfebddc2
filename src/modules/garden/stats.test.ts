import { describe, expect, it } from "vitest";
import { addDays, daysBetween, isoWeekday } from "../../lib/local-date";
import { type HabitSchedule, habitStats, isDue } from "./stats";

// Calendar used below: 2026-03-02, 03-09, 03-16, 03-23, 03-30 are Mondays; 03-07/08 a weekend.

/** Daily habit multiplier m = 0.5^(1/13): the weight yesterday's score keeps. */
const M_DAILY: number = 0.5 ** (1 / 13);
const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

function schedule(overrides: Partial<HabitSchedule> = {}): HabitSchedule {
	return { frequency: "daily", weekdays: [], targetCount: 1, startDate: "2026-03-01", ...overrides };
}

/** Counts of `count` on every day from `from` to `to` inclusive, optionally only on some ISO weekdays. */
function days(from: string, to: string, count = 1, onlyWeekdays?: number[]): [string, number][] {
	const out: [string, number][] = [];
	for (let d = from; d <= to; d = addDays(d, 1)) {
		if (onlyWeekdays === undefined || onlyWeekdays.includes(isoWeekday(d))) out.push([d, count]);
	}
	return out;
}

/** Merges groups of [date, count] (arrays or maps), summing counts on the same date. */
function counts(...groups: Iterable<[string, number]>[]): Map<string, number> {
	const map = new Map<string, number>();
	for (const group of groups) {
		for (const [date, count] of group) map.set(date, (map.get(date) ?? 0) + count);
	}
	return map;
}

const WEEKDAYS_MON_FRI: number[] = [1, 2, 3, 4, 5];

describe("isDue", () => {
	it("makes every day due for daily and times_per_week, only listed weekdays for weekdays", () => {
		expect(isDue(schedule(), "2026-03-07")).toBe(true);
		expect(isDue(schedule({ frequency: "times_per_week", targetCount: 3 }), "2026-03-08")).toBe(true);
		const mwf: HabitSchedule = schedule({ frequency: "weekdays", weekdays: [1, 3, 5] });
		expect(isDue(mwf, "2026-03-02")).toBe(true); // Monday
		expect(isDue(mwf, "2026-03-03")).toBe(false); // Tuesday
		expect(isDue(mwf, "2026-03-08")).toBe(false); // Sunday
	});
});

describe("habitStats: daily streaks", () => {
	it("a gap ends the run: current is the run since the gap, longest the older longer run", () => {
		const log = counts(days("2026-03-01", "2026-03-05"), days("2026-03-07", "2026-03-09"));
		const s = habitStats(schedule(), log, "2026-03-09");
		expect(s).toMatchObject({ currentStreak: 3, longestStreak: 5, streakUnit: "day" });
		expect(s.today).toEqual({ date: "2026-03-09", count: 1, target: 1, done: true, due: true });
	});

	it("an unfinished today does not break the streak, but a missed yesterday does", () => {
		const log = counts(days("2026-03-01", "2026-03-04"));
		const open = habitStats(schedule(), log, "2026-03-05");
		expect(open.currentStreak).toBe(4);
		expect(open.today).toEqual({ date: "2026-03-05", count: 0, target: 1, done: false, due: true });
		expect(habitStats(schedule(), log, "2026-03-06").currentStreak).toBe(0);
		expect(habitStats(schedule(), log, "2026-03-06").longestStreak).toBe(4);
	});

	it("target_count > 1: a day with fewer completions than the target is a miss", () => {
		const log = counts(
			days("2026-03-01", "2026-03-03", 2),
			[["2026-03-04", 1]],
			days("2026-03-05", "2026-03-06", 3),
		);
		const s = habitStats(schedule({ targetCount: 2 }), log, "2026-03-06");
		expect(s).toMatchObject({ currentStreak: 2, longestStreak: 3 });
		expect(s.today).toEqual({ date: "2026-03-06", count: 3, target: 2, done: true, due: true });
		const partial = habitStats(schedule({ targetCount: 2 }), counts([["2026-03-07", 1]], log), "2026-03-07");
		expect(partial.today).toMatchObject({ count: 1, target: 2, done: false });
		expect(partial.currentStreak).toBe(2); // today in progress, not yet a miss
	});

	it("days before startDate without logs are not misses", () => {
		const s = habitStats(
			schedule({ startDate: "2026-03-10" }),
			counts(days("2026-03-10", "2026-03-12")),
			"2026-03-12",
		);
		expect(s).toMatchObject({ currentStreak: 3, longestStreak: 3 });
	});

	it("back-filled logs before startDate extend the history (effective start = earliest log)", () => {
		const start: HabitSchedule = schedule({ startDate: "2026-03-10" });
		const backFilled = habitStats(start, counts(days("2026-03-07", "2026-03-12")), "2026-03-12");
		expect(backFilled).toMatchObject({ currentStreak: 6, longestStreak: 6 });
		const onlyFromStart = habitStats(start, counts(days("2026-03-10", "2026-03-12")), "2026-03-12");
		expect(backFilled.strength).toBeGreaterThan(onlyFromStart.strength);
		// A lone early log makes the days between it and startDate count, so they break the run.
		const lone = habitStats(
			start,
			counts([["2026-03-05", 1]], days("2026-03-10", "2026-03-12")),
			"2026-03-12",
		);
		expect(lone).toMatchObject({ currentStreak: 3, longestStreak: 3 });
	});

	it("ignores logs dated after today", () => {
		const log = counts(days("2026-03-01", "2026-03-03"), [["2026-03-05", 5]]);
		const s = habitStats(schedule(), log, "2026-03-04");
		expect(s).toMatchObject({ currentStreak: 3, longestStreak: 3 });
		expect(s.today.count).toBe(0);
	});

	it("a habit starting in the future has nothing due yet and zero stats", () => {
		const s = habitStats(schedule({ startDate: "2026-03-10" }), new Map(), "2026-03-08");
		expect(s).toEqual({
			today: { date: "2026-03-08", count: 0, target: 1, done: false, due: false },
			currentStreak: 0,
			longestStreak: 0,
			strength: 0,
			streakUnit: "day",
		});
	});
});

describe("habitStats: weekdays streaks", () => {
	const monFri: HabitSchedule = schedule({
		frequency: "weekdays",
		weekdays: WEEKDAYS_MON_FRI,
		startDate: "2026-03-02",
	});

	it("weekends neither break nor extend a Mon–Fri streak", () => {
		const log = counts(days("2026-03-02", "2026-03-16", 1, WEEKDAYS_MON_FRI));
		expect(habitStats(monFri, log, "2026-03-16").currentStreak).toBe(11);
		// Logging on the weekend too adds nothing.
		const withWeekend = counts(days("2026-03-02", "2026-03-16"));
		expect(habitStats(monFri, withWeekend, "2026-03-16")).toMatchObject({
			currentStreak: 11,
			longestStreak: 11,
		});
	});

	it("on a non-due day (Saturday) the streak still stands and today is reported not due", () => {
		const log = counts(days("2026-03-02", "2026-03-06"));
		const s = habitStats(monFri, log, "2026-03-07");
		expect(s.currentStreak).toBe(5);
		expect(s.today).toEqual({ date: "2026-03-07", count: 0, target: 1, done: false, due: false });
		// Still intact on Monday before logging.
		expect(habitStats(monFri, log, "2026-03-09").currentStreak).toBe(5);
		// Missing that Monday breaks it by Tuesday.
		expect(habitStats(monFri, log, "2026-03-10").currentStreak).toBe(0);
	});

	it("a missed due day (Wednesday) breaks the streak", () => {
		const log = counts(days("2026-03-02", "2026-03-13", 1, [1, 2, 4, 5]));
		// Runs: Mon–Tue 2–3 (2), Thu 5–Tue 10 across the weekend (4), Thu–Fri 12–13 (2).
		const s = habitStats(monFri, log, "2026-03-13");
		expect(s).toMatchObject({ currentStreak: 2, longestStreak: 4 });
	});
});

describe("habitStats: times_per_week streaks", () => {
	const threeAWeek: HabitSchedule = schedule({
		frequency: "times_per_week",
		targetCount: 3,
		startDate: "2026-03-02",
	});
	// Week of 03-02: 3 (met); 03-09: 2 (unmet); 03-16: 3 (met); 03-23: 4 (met); 03-30: 1 so far.
	const log = counts(
		days("2026-03-02", "2026-03-04"),
		days("2026-03-10", "2026-03-11"),
		days("2026-03-17", "2026-03-19"),
		days("2026-03-23", "2026-03-26"),
		[["2026-03-30", 1]],
	);

	it("counts met weeks; the unfinished current week does not break the streak", () => {
		const s = habitStats(threeAWeek, log, "2026-04-01");
		expect(s).toMatchObject({ currentStreak: 2, longestStreak: 2, streakUnit: "week" });
		expect(s.today).toEqual({ date: "2026-04-01", count: 1, target: 3, done: false, due: true });
	});

	it("the current week counts once it reaches the target", () => {
		const met = counts(log, [["2026-04-01", 2]]);
		const s = habitStats(threeAWeek, met, "2026-04-01");
		expect(s).toMatchObject({ currentStreak: 3, longestStreak: 3 });
		expect(s.today).toMatchObject({ count: 3, done: true });
	});

	it("a past week short of the target breaks the streak", () => {
		// Seen from the week of 03-16 (before it is met): last week had only 2.
		expect(habitStats(threeAWeek, log, "2026-03-16").currentStreak).toBe(0);
		expect(habitStats(threeAWeek, log, "2026-03-16").longestStreak).toBe(1);
	});

	it("the week containing a mid-week startDate is the first period", () => {
		const thursdayStart: HabitSchedule = { ...threeAWeek, startDate: "2026-03-05" };
		const s = habitStats(thursdayStart, counts(days("2026-03-05", "2026-03-07")), "2026-03-09");
		expect(s).toMatchObject({ currentStreak: 1, longestStreak: 1 });
		expect(s.today).toMatchObject({ count: 0, target: 3, due: true });
	});
});

describe("habitStats: longest ≥ current", () => {
	it("holds on a pseudo-random history for every frequency and target", () => {
		let seed = 42;
		const random = (): number => {
			seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; // fixed LCG: deterministic
			return seed / 2 ** 31;
		};
		const log = new Map<string, number>();
		for (let d = "2025-01-01"; d <= "2026-03-31"; d = addDays(d, 1)) {
			if (random() < 0.7) log.set(d, 1 + Math.floor(random() * 3));
		}
		const schedules: HabitSchedule[] = [
			schedule({ startDate: "2025-01-01" }),
			schedule({ startDate: "2025-01-01", targetCount: 2 }),
			schedule({ startDate: "2025-01-01", frequency: "weekdays", weekdays: [2, 4, 6] }),
			schedule({ startDate: "2025-01-01", frequency: "times_per_week", targetCount: 5 }),
		];
		for (const sched of schedules) {
			for (let today = "2025-01-01"; today <= "2026-03-31"; today = addDays(today, 17)) {
				const s = habitStats(sched, log, today);
				expect(s.longestStreak).toBeGreaterThanOrEqual(s.currentStreak);
				expect(s.strength).toBeGreaterThanOrEqual(0);
				expect(s.strength).toBeLessThanOrEqual(1);
			}
		}
	});
});

describe("habitStats: strength", () => {
	it("rises every day of a perfect daily history and approaches 1 (exactly 1 − m^n)", () => {
		const log = counts(days("2026-01-01", "2026-12-31"));
		let previous = 0;
		for (let n = 1; n <= 120; n++) {
			const today: string = addDays("2026-01-01", n - 1);
			const { strength } = habitStats(schedule({ startDate: "2026-01-01" }), log, today);
			expect(strength).toBe(round4(1 - M_DAILY ** n));
			expect(strength).toBeGreaterThan(previous);
			previous = strength;
		}
		expect(previous).toBeGreaterThan(0.99);
		expect(habitStats(schedule({ startDate: "2026-01-01" }), log, "2026-12-31").strength).toBe(1);
	});

	it("decays geometrically after misses", () => {
		const start: HabitSchedule = schedule({ startDate: "2026-01-01" });
		const log = counts(days("2026-01-01", "2026-01-30")); // 30 perfect days, then nothing
		const peak: number = 1 - M_DAILY ** 30;
		expect(habitStats(start, log, "2026-01-30").strength).toBe(round4(peak));
		let previous: number = round4(peak);
		for (let missed = 1; missed <= 20; missed++) {
			// Today is the day after `missed` missed days; an empty today is not applied.
			const { strength } = habitStats(start, log, addDays("2026-01-30", missed + 1));
			expect(strength).toBe(round4(peak * M_DAILY ** missed));
			expect(strength).toBeLessThan(previous);
			previous = strength;
		}
	});

	it("an unfinished today never lowers strength; finishing it raises strength", () => {
		const log = counts(days("2026-03-01", "2026-03-10"));
		const yesterday = habitStats(schedule(), log, "2026-03-10").strength;
		expect(habitStats(schedule(), log, "2026-03-11").strength).toBe(yesterday);
		const done = habitStats(schedule(), counts(log, [["2026-03-11", 1]]), "2026-03-11").strength;
		expect(done).toBeGreaterThan(yesterday);
	});

	it("stays within [0, 1]: 0 with no logs, capped at 1 with counts far above target", () => {
		expect(habitStats(schedule(), new Map(), "2026-03-10").strength).toBe(0);
		const s = habitStats(
			schedule({ startDate: "2025-01-01" }),
			counts(days("2025-01-01", "2026-03-10", 100)),
			"2026-03-10",
		);
		expect(s.strength).toBe(1);
	});

	it("partial completion counts as count/target", () => {
		// One day at 1 of 2: score = 0.5·(1 − m).
		const s = habitStats(schedule({ targetCount: 2 }), counts([["2026-03-01", 1]]), "2026-03-01");
		expect(s.strength).toBe(round4(0.5 * (1 - M_DAILY)));
	});

	it("weekdays: non-due days are skipped, so 10 perfect weekdays score like 10 perfect days", () => {
		const monFri: HabitSchedule = schedule({
			frequency: "weekdays",
			weekdays: WEEKDAYS_MON_FRI,
			startDate: "2026-03-02",
		});
		const s = habitStats(monFri, counts(days("2026-03-02", "2026-03-13", 1, WEEKDAYS_MON_FRI)), "2026-03-15");
		expect(s.strength).toBe(round4(1 - M_DAILY ** 10));
	});

	it("times_per_week with target 7 scores like a daily habit (freq 1, trailing 7-day sum)", () => {
		const weekly: HabitSchedule = schedule({ frequency: "times_per_week", targetCount: 7 });
		const log = counts(days("2026-03-01", "2026-03-20"));
		const daily = habitStats(schedule(), log, "2026-03-20").strength;
		// Days 1–6 have a partial trailing sum (k/7), so weekly is lower at first but keeps rising.
		const s = habitStats(weekly, log, "2026-03-20").strength;
		expect(s).toBeGreaterThan(0);
		expect(s).toBeLessThan(daily);
	});

	it("times_per_week target 1: one log a week keeps done = 1 every day, and strength rises week on week", () => {
		const once: HabitSchedule = schedule({
			frequency: "times_per_week",
			targetCount: 1,
			startDate: "2026-01-05",
		});
		const log = new Map<string, number>();
		for (let d = "2026-01-05"; d <= "2026-06-30"; d = addDays(d, 7)) log.set(d, 1);
		const m: number = 0.5 ** (Math.sqrt(1 / 7) / 13);
		let previous = 0;
		for (let week = 1; week <= 20; week++) {
			const today: string = addDays("2026-01-05", week * 7 - 1); // Sunday: n = 7·week days all done
			const { strength } = habitStats(once, log, today);
			expect(strength).toBe(round4(1 - m ** (week * 7)));
			expect(strength).toBeGreaterThan(previous);
			previous = strength;
		}
	});

	it("uses at most 400 days for strength but the whole history for streaks", () => {
		const start = "2022-01-01";
		const today = "2026-03-10";
		const log = counts(days(start, today));
		const s = habitStats(schedule({ startDate: start }), log, today);
		expect(s.currentStreak).toBe(daysBetween(start, today) + 1);
		expect(s.longestStreak).toBe(s.currentStreak);
		expect(s.strength).toBe(1);
		// Removing a log 500 days back breaks the streak there but cannot move strength.
		const gap = new Map(log);
		gap.delete(addDays(today, -500));
		const withGap = habitStats(schedule({ startDate: start }), gap, today);
		expect(withGap.currentStreak).toBe(500);
		expect(withGap.strength).toBe(s.strength);
	});
});
