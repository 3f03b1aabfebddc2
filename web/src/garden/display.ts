/**
 * @module garden/display: a habit's statistics as words. Pure: the unit tests read it without a browser.
 *
 * Calm on purpose: a streak of 0 is a fresh start, not a failure; strength is a word and a percentage, never a
 * red number.
 */
import type { Habit } from "../api/client";

type Stats = Habit["stats"];

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** "3-day streak", "2-week streak", or a fresh start. */
export function streakText(stats: Pick<Stats, "current_streak" | "streak_unit">): string {
	if (stats.current_streak <= 0) return "A fresh start";
	return `${stats.current_streak}-${stats.streak_unit} streak`;
}

/** "Longest: 12 days" once there has been one; empty before. */
export function longestText(stats: Pick<Stats, "longest_streak" | "streak_unit">): string {
	return stats.longest_streak > 0 ? `Longest: ${plural(stats.longest_streak, stats.streak_unit)}` : "";
}

/** Strength in [0, 1] as a whole percentage, clamped. */
export function strengthPercent(strength: number): number {
	if (!Number.isFinite(strength)) return 0;
	return Math.round(Math.min(1, Math.max(0, strength)) * 100);
}

/** Strength as a stage of growth. */
export function strengthWord(strength: number): string {
	const percent = strengthPercent(strength);
	if (percent < 20) return "Seedling";
	if (percent < 50) return "Sprouting";
	if (percent < 80) return "Growing";
	return "Flourishing";
}

/** Today's state: "Done today", "1 of 3 today", "Not logged yet", or a rest day. */
export function todayText(today: Stats["today"]): string {
	if (!today.due && today.count === 0) return "A rest day";
	if (today.done) return today.target > 1 ? `Done today (${today.count} of ${today.target})` : "Done today";
	if (today.count > 0) return `${today.count} of ${today.target} today`;
	return "Not logged yet today";
}

const WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** "Every day", "Mon, Wed, Fri", "3 times a week" (with "twice a day" for a daily target of 2). */
export function scheduleText(habit: Pick<Habit, "frequency" | "weekdays" | "target_count">): string {
	const times = habit.target_count;
	const perDay = times === 1 ? "" : times === 2 ? ", twice" : `, ${times} times`;
	switch (habit.frequency) {
		case "daily":
			return `Every day${perDay}`;
		case "weekdays":
			return `${[...habit.weekdays]
				.sort((a, b) => a - b)
				.map((day) => WEEKDAY_NAMES[day - 1] ?? "?")
				.join(", ")}${perDay}`;
		case "times_per_week":
			return times === 1 ? "Once a week" : `${plural(times, "time")} a week`;
	}
}
