/** @module db/tables/garden: each user's private garden, its habits and their completion logs. */
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, createdAt, deletedAt, enumCheck, id, timestamps } from "../columns";
import { users } from "./users";

export const HABIT_CATEGORIES = [
	"health",
	"mindfulness",
	"learning",
	"relationships",
	"creativity",
	"spiritual",
	"service",
	"other",
] as const;
export const HABIT_FREQUENCIES = ["daily", "weekdays", "times_per_week"] as const;

export const gardens = sqliteTable(
	"gardens",
	{
		id: id(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		name: text("name").notNull().default("My Garden"),
		...timestamps(),
	},
	(t) => [uniqueIndex("gardens_user_unique").on(t.userId)],
);

export const habits = sqliteTable(
	"habits",
	{
		id: id(),
		gardenId: text("garden_id")
			.notNull()
			.references(() => gardens.id, { onDelete: "cascade" }),
		/** The owner, kept on the habit so every read is one indexed lookup by (user, id). */
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		name: text("name").notNull(),
		description: text("description").notNull().default(""),
		category: text("category", { enum: HABIT_CATEGORIES }).notNull(),
		frequency: text("frequency", { enum: HABIT_FREQUENCIES }).notNull(),
		/** For `weekdays`: ISO weekdays (1 = Monday … 7 = Sunday) as a JSON array. */
		weekdays: text("weekdays", { mode: "json" }).$type<number[]>().notNull().default(sql`'[]'`),
		/** Completions needed per due day (`daily`, `weekdays`) or per ISO week (`times_per_week`). */
		targetCount: integer("target_count").notNull().default(1),
		/** Local HH:MM in the owner's time zone. */
		reminderTime: text("reminder_time"),
		reminderEnabled: bool("reminder_enabled").notNull().default(false),
		/**
		 * The instant (UTC ISO) the reminder next fires; null when there is none (disabled, no time, archived).
		 * Written with every change of the schedule or the owner's time zone, and advanced by the cron when it
		 * fires (modules/garden/reminders). A reminder habit still null (from before this column) is filled in
		 * by the cron's backfill step.
		 */
		nextReminderAt: text("next_reminder_at"),
		/** The owner's local date the habit starts counting from (its creation day). */
		startDate: text("start_date").notNull(),
		deletedAt: deletedAt(),
		...timestamps(),
	},
	(t) => [
		index("habits_garden_idx").on(t.gardenId),
		index("habits_user_active_idx").on(t.userId, t.deletedAt, t.id),
		/** The cron's read of due reminders: one range of this index, as long as the reminders due. */
		index("habits_reminder_due_idx")
			.on(t.nextReminderAt, t.id)
			.where(sql`next_reminder_at IS NOT NULL AND deleted_at IS NULL`),
		/** Reminder habits with no next reminder yet (from before the column): the cron's backfill reads these. */
		index("habits_reminder_unscheduled_idx")
			.on(t.id)
			.where(
				sql`reminder_enabled = 1 AND reminder_time IS NOT NULL AND next_reminder_at IS NULL AND deleted_at IS NULL`,
			),
		enumCheck("habits_category_check", t.category, HABIT_CATEGORIES),
		enumCheck("habits_frequency_check", t.frequency, HABIT_FREQUENCIES),
		check("habits_target_count_check", sql`${t.targetCount} BETWEEN 1 AND 100`),
	],
);

export const habitLogs = sqliteTable(
	"habit_logs",
	{
		id: id(),
		habitId: text("habit_id")
			.notNull()
			.references(() => habits.id, { onDelete: "cascade" }),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		/** The owner's local date (YYYY-MM-DD) the completion counts for. */
		localDate: text("local_date").notNull(),
		count: integer("count").notNull().default(1),
		note: text("note").notNull().default(""),
		createdAt: createdAt(),
	},
	(t) => [
		index("habit_logs_habit_date_idx").on(t.habitId, t.localDate, t.id),
		index("habit_logs_user_date_idx").on(t.userId, t.localDate),
		check("habit_logs_count_check", sql`${t.count} BETWEEN 1 AND 100`),
	],
);

export type HabitRow = typeof habits.$inferSelect;
export type HabitLogRow = typeof habitLogs.$inferSelect;
