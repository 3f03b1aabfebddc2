import { describe, expect, it } from "vitest";
import { longestText, scheduleText, streakText, strengthPercent, strengthWord, todayText } from "./display";

describe("streakText", () => {
	it("calls no streak a fresh start, never a failure", () => {
		expect(streakText({ current_streak: 0, streak_unit: "day" })).toBe("A fresh start");
	});
	it("names days and weeks", () => {
		expect(streakText({ current_streak: 1, streak_unit: "day" })).toBe("1-day streak");
		expect(streakText({ current_streak: 3, streak_unit: "week" })).toBe("3-week streak");
	});
	it("shows the longest streak only once there is one", () => {
		expect(longestText({ longest_streak: 0, streak_unit: "day" })).toBe("");
		expect(longestText({ longest_streak: 1, streak_unit: "day" })).toBe("Longest: 1 day");
		expect(longestText({ longest_streak: 12, streak_unit: "week" })).toBe("Longest: 12 weeks");
	});
});

describe("strength", () => {
	it("is a clamped whole percentage", () => {
		expect(strengthPercent(0)).toBe(0);
		expect(strengthPercent(0.456)).toBe(46);
		expect(strengthPercent(1.2)).toBe(100);
		expect(strengthPercent(-1)).toBe(0);
		expect(strengthPercent(Number.NaN)).toBe(0);
	});
	it("reads as a stage of growth", () => {
		expect([0, 0.19, 0.2, 0.49, 0.5, 0.79, 0.8, 1].map(strengthWord)).toEqual([
			"Seedling",
			"Seedling",
			"Sprouting",
			"Sprouting",
			"Growing",
			"Growing",
			"Flourishing",
			"Flourishing",
		]);
	});
});

describe("todayText", () => {
	const today = { date: "2026-12-03", count: 0, target: 1, done: false, due: true };
	it("says what is left, kindly", () => {
		expect(todayText(today)).toBe("Not logged yet today");
		expect(todayText({ ...today, count: 1, done: true })).toBe("Done today");
		expect(todayText({ ...today, target: 3, count: 1 })).toBe("1 of 3 today");
		expect(todayText({ ...today, target: 2, count: 2, done: true })).toBe("Done today (2 of 2)");
	});
	it("a day that is not due is a rest day, unless it was logged anyway", () => {
		expect(todayText({ ...today, due: false })).toBe("A rest day");
		expect(todayText({ ...today, due: false, count: 1, done: true })).toBe("Done today");
	});
});

describe("scheduleText", () => {
	it("describes each frequency", () => {
		expect(scheduleText({ frequency: "daily", weekdays: [], target_count: 1 })).toBe("Every day");
		expect(scheduleText({ frequency: "daily", weekdays: [], target_count: 2 })).toBe("Every day, twice");
		expect(scheduleText({ frequency: "weekdays", weekdays: [5, 1, 3], target_count: 1 })).toBe(
			"Mon, Wed, Fri",
		);
		expect(scheduleText({ frequency: "times_per_week", weekdays: [], target_count: 3 })).toBe(
			"3 times a week",
		);
		expect(scheduleText({ frequency: "times_per_week", weekdays: [], target_count: 1 })).toBe("Once a week");
	});
});
