/** @module garden/schemas: habits, their statistics and logs on the wire. */
import { z } from "@hono/zod-openapi";
import { HABIT_CATEGORIES, HABIT_FREQUENCIES } from "../../db/tables/garden";
import { PageQuery, pageOf } from "../../lib/pagination";
import { boundedText, IsoTimestamp, LocalDate } from "../../lib/schemas";

export const MAX_ACTIVE_HABITS = 100;
/** A completion may be logged for today or up to this many days back, never for the future. */
export const BACKFILL_DAYS = 7;

const Weekdays = z
	.array(z.number().int().min(1).max(7))
	.min(1)
	.max(7)
	.refine((days) => new Set(days).size === days.length, "weekdays must not repeat")
	.openapi({ description: "ISO weekdays: 1 = Monday … 7 = Sunday.", example: [1, 3, 5] });

const ReminderTime = z
	.string()
	.regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be local time HH:MM")
	.openapi({ example: "07:30" });

const habitFields = {
	name: boundedText(1, 100),
	description: z.string().trim().max(500),
	category: z.enum(HABIT_CATEGORIES),
	frequency: z.enum(HABIT_FREQUENCIES),
	weekdays: Weekdays,
	target_count: z.number().int().min(1).max(100).openapi({
		description: "Completions per due day (daily, weekdays) or per ISO week (times_per_week).",
	}),
	reminder_time: ReminderTime.nullable(),
	reminder_enabled: z.boolean(),
};

type Schedule = { frequency?: string; weekdays?: number[]; target_count?: number };

/** `weekdays` belongs to weekday habits only; a weekly target cannot exceed 7 days × 100. */
export function scheduleProblems(schedule: Schedule): string | undefined {
	if (schedule.frequency === "weekdays" && !schedule.weekdays?.length)
		return "weekday habits need `weekdays`";
	if (schedule.frequency !== "weekdays" && schedule.weekdays?.length)
		return "`weekdays` is only for weekday habits";
	return undefined;
}

export const CreateHabit = z
	.strictObject({
		...habitFields,
		description: habitFields.description.default(""),
		frequency: habitFields.frequency.default("daily"),
		weekdays: habitFields.weekdays.optional(),
		target_count: habitFields.target_count.default(1),
		reminder_time: habitFields.reminder_time.default(null),
		reminder_enabled: habitFields.reminder_enabled.default(false),
	})
	.superRefine((body, ctx) => {
		const problem = scheduleProblems(body);
		if (problem) ctx.addIssue({ code: "custom", path: ["weekdays"], message: problem });
	})
	.openapi("CreateHabit");

export const UpdateHabit = z
	.strictObject(habitFields)
	.partial()
	.refine((body) => Object.keys(body).length > 0, "send at least one field to change")
	.openapi("UpdateHabit", {
		description: "Any subset of the fields. Switching away from `weekdays` clears the weekday list.",
	});

export const HabitStatsSchema = z
	.object({
		today: z.object({
			date: LocalDate,
			count: z.number().int(),
			target: z.number().int(),
			done: z.boolean(),
			due: z.boolean(),
		}),
		current_streak: z.number().int(),
		longest_streak: z.number().int(),
		streak_unit: z.enum(["day", "week"]),
		strength: z.number().min(0).max(1).openapi({ description: "Exponentially smoothed score in [0, 1]." }),
	})
	.openapi("HabitStats");

export const Habit = z
	.object({
		id: z.uuid(),
		name: z.string(),
		description: z.string(),
		category: z.enum(HABIT_CATEGORIES),
		frequency: z.enum(HABIT_FREQUENCIES),
		weekdays: z.array(z.number().int()),
		target_count: z.number().int(),
		reminder_time: z.string().nullable(),
		reminder_enabled: z.boolean(),
		start_date: LocalDate,
		created_at: IsoTimestamp,
		updated_at: IsoTimestamp,
		stats: HabitStatsSchema,
	})
	.openapi("Habit");

export const Garden = z
	.object({
		id: z.uuid(),
		name: z.string(),
		today: LocalDate.openapi({ description: "My local date from my time zone and day_start_hour." }),
		habits: z.array(Habit),
		created_at: IsoTimestamp,
	})
	.openapi("Garden");

export const CreateLog = z
	.strictObject({
		local_date: LocalDate.optional().openapi({
			description: `My local date the completion counts for; default today, at most ${BACKFILL_DAYS} days back.`,
		}),
		count: z.number().int().min(1).max(100).default(1),
		note: z.string().trim().max(500).default(""),
	})
	.openapi("CreateHabitLog");

export const HabitLog = z
	.object({
		id: z.uuid(),
		habit_id: z.uuid(),
		local_date: LocalDate,
		count: z.number().int(),
		note: z.string(),
		created_at: IsoTimestamp,
	})
	.openapi("HabitLog");

export const LoggedCompletion = z.object({ log: HabitLog, habit: Habit }).openapi("LoggedCompletion");

export const LogListQuery = PageQuery.extend({
	from: LocalDate.optional().openapi({ description: "Earliest local date, inclusive." }),
	to: LocalDate.optional().openapi({ description: "Latest local date, inclusive." }),
});

export const HabitLogPage = pageOf(HabitLog, "HabitLogPage");
