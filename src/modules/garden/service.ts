/**
 * @module garden/service: the rules of My Garden — created on first access, habits with their
 * statistics, completion logs for the owner's local "today" with a short back-fill window.
 * Every read of a habit is scoped by its owner, so another user's habit is simply not found.
 */
import { and, desc, eq, gte, inArray, isNull, lte, type Placeholder, sql } from "drizzle-orm";
import type { CurrentUser } from "../../core/accounts/current-user";
import type { Db } from "../../db/client";
import { afterCursor } from "../../db/keyset";
import { batchPrepared, preparedQuery } from "../../db/prepared";
import { gardens, type HabitLogRow, type HabitRow, habitLogs, habits } from "../../db/tables/garden";
import { addDays, compareDates, localToday } from "../../lib/local-date";
import { conflict, notFound, unprocessable } from "../../lib/problem";
import { nextReminderColumn } from "./reminders";
import { BACKFILL_DAYS, MAX_ACTIVE_HABITS, scheduleProblems } from "./schemas";
import { type HabitStats, habitStats } from "./stats";

export type HabitWithStats = HabitRow & { stats: HabitStats };
export type GardenView = {
	id: string;
	name: string;
	today: string;
	createdAt: string;
	habits: HabitWithStats[];
};

export const userToday = (user: CurrentUser, now: Date = new Date()): string =>
	localToday(user.timezone, user.dayStartHour, now);

const zoneOf = (user: CurrentUser) => ({ timeZone: user.timezone, dayStartHour: user.dayStartHour });

const createGardenIfMissing = (db: Db, userId: string) =>
	db.insert(gardens).values({ userId }).onConflictDoNothing({ target: gardens.userId });

const activeHabitsOf = (userId: string | Placeholder) =>
	and(eq(habits.userId, userId), isNull(habits.deletedAt));

/** Per-day completion totals, for one habit or for all of the user's active habits. */
function dailyTotals(db: Db, userId: string | Placeholder, habitId?: string) {
	const ofHabits = habitId
		? eq(habitLogs.habitId, habitId)
		: inArray(habitLogs.habitId, db.select({ id: habits.id }).from(habits).where(activeHabitsOf(userId)));
	return db
		.select({
			habitId: habitLogs.habitId,
			localDate: habitLogs.localDate,
			count: sql<number>`sum(${habitLogs.count})`.mapWith(Number),
		})
		.from(habitLogs)
		.where(and(eq(habitLogs.userId, userId), ofHabits))
		.groupBy(habitLogs.habitId, habitLogs.localDate);
}

type DailyTotal = { habitId: string; localDate: string; count: number };

function withStats(habit: HabitRow, totals: DailyTotal[], today: string): HabitWithStats {
	const counts = new Map<string, number>();
	for (const row of totals) if (row.habitId === habit.id) counts.set(row.localDate, row.count);
	return { ...habit, stats: habitStats(habit, counts, today) };
}

// The garden's reads, built once per isolate (db/prepared): GET /garden is among the busiest reads.
const gardenOf = preparedQuery((db) =>
	db
		.select()
		.from(gardens)
		.where(eq(gardens.userId, sql.placeholder("userId")))
		.prepare(),
);
const activeHabits = preparedQuery((db) =>
	db
		.select()
		.from(habits)
		.where(activeHabitsOf(sql.placeholder("userId")))
		.orderBy(habits.id)
		.prepare(),
);
const allDailyTotals = preparedQuery((db) => dailyTotals(db, sql.placeholder("userId")).prepare());

/**
 * My garden with every active habit and its statistics, in one D1 round trip of reads. Only the very first
 * access writes (a second round trip creating the garden), so reading a garden never needs the primary.
 */
export async function loadGarden(db: Db, user: CurrentUser, now = new Date()): Promise<GardenView> {
	const [gardenRows, habitRows, totals] = await batchPrepared(db, [
		[gardenOf(db), { userId: user.id }],
		[activeHabits(db), { userId: user.id }],
		[allDailyTotals(db), { userId: user.id }],
	]);
	let garden = gardenRows[0];
	if (!garden) {
		const [, created] = await db.batch([
			createGardenIfMissing(db, user.id),
			db.select().from(gardens).where(eq(gardens.userId, user.id)),
		]);
		garden = created[0];
	}
	if (!garden) throw new Error("garden missing right after its upsert");
	const today = userToday(user, now);
	return {
		id: garden.id,
		name: garden.name,
		today,
		createdAt: garden.createdAt,
		habits: habitRows.map((habit) => withStats(habit, totals, today)),
	};
}

async function findHabitWithTotals(db: Db, userId: string, habitId: string) {
	const [habitRows, totals] = await db.batch([
		db
			.select()
			.from(habits)
			.where(and(eq(habits.id, habitId), activeHabitsOf(userId))),
		dailyTotals(db, userId, habitId),
	]);
	const habit = habitRows[0];
	if (!habit) throw notFound("habit");
	return { habit, totals };
}

export async function getHabit(db: Db, user: CurrentUser, habitId: string, now = new Date()) {
	const { habit, totals } = await findHabitWithTotals(db, user.id, habitId);
	return withStats(habit, totals, userToday(user, now));
}

export interface HabitInput {
	name: string;
	description: string;
	category: HabitRow["category"];
	frequency: HabitRow["frequency"];
	weekdays?: number[] | undefined;
	target_count: number;
	reminder_time: string | null;
	reminder_enabled: boolean;
}

export async function createHabit(db: Db, user: CurrentUser, input: HabitInput, now = new Date()) {
	const active = await db
		.select({ n: sql<number>`count(*)`.mapWith(Number) })
		.from(habits)
		.where(activeHabitsOf(user.id))
		.get();
	if ((active?.n ?? 0) >= MAX_ACTIVE_HABITS) {
		throw conflict(`A garden holds at most ${MAX_ACTIVE_HABITS} active habits; archive one first.`);
	}
	const today = userToday(user, now);
	const [, inserted] = await db.batch([
		createGardenIfMissing(db, user.id),
		db
			.insert(habits)
			.values({
				gardenId: sql`(SELECT ${gardens.id} FROM ${gardens} WHERE ${gardens.userId} = ${user.id})`,
				userId: user.id,
				name: input.name,
				description: input.description,
				category: input.category,
				frequency: input.frequency,
				weekdays: input.weekdays ?? [],
				targetCount: input.target_count,
				reminderTime: input.reminder_time,
				reminderEnabled: input.reminder_enabled,
				startDate: today,
				nextReminderAt: nextReminderColumn(
					{
						frequency: input.frequency,
						weekdays: input.weekdays ?? [],
						reminderTime: input.reminder_time,
						reminderEnabled: input.reminder_enabled,
						startDate: today,
					},
					zoneOf(user),
					now,
				),
			})
			.returning(),
	]);
	const habit = inserted[0];
	if (!habit) throw new Error("habit insert returned no row");
	return withStats(habit, [], today);
}

export async function updateHabit(
	db: Db,
	user: CurrentUser,
	habitId: string,
	changes: Partial<HabitInput>,
	now = new Date(),
) {
	const { habit, totals } = await findHabitWithTotals(db, user.id, habitId);
	const frequency = changes.frequency ?? habit.frequency;
	// Leaving the weekday schedule drops its weekday list; staying keeps it unless replaced.
	const weekdays = frequency === "weekdays" ? (changes.weekdays ?? habit.weekdays) : (changes.weekdays ?? []);
	const problem = scheduleProblems({ frequency, weekdays });
	if (problem) throw unprocessable(problem, [{ field: "body/weekdays", message: problem }]);
	const reminder = {
		frequency,
		weekdays,
		reminderTime: changes.reminder_time === undefined ? habit.reminderTime : changes.reminder_time,
		reminderEnabled: changes.reminder_enabled ?? habit.reminderEnabled,
		startDate: habit.startDate,
	};
	// A new schedule moves the next reminder (from now); other edits leave it, so a reminder due this very
	// minute and not yet fired by the cron is not skipped because the habit's name changed.
	const rescheduled =
		reminder.frequency !== habit.frequency ||
		JSON.stringify(reminder.weekdays) !== JSON.stringify(habit.weekdays) ||
		reminder.reminderTime !== habit.reminderTime ||
		reminder.reminderEnabled !== habit.reminderEnabled;
	const [updated] = await db
		.update(habits)
		.set({
			name: changes.name,
			description: changes.description,
			category: changes.category,
			frequency,
			weekdays,
			targetCount: changes.target_count,
			reminderTime: changes.reminder_time,
			reminderEnabled: changes.reminder_enabled,
			nextReminderAt: rescheduled ? nextReminderColumn(reminder, zoneOf(user), now) : undefined,
		})
		.where(and(eq(habits.id, habitId), activeHabitsOf(user.id)))
		.returning();
	if (!updated) throw notFound("habit");
	return withStats(updated, totals, userToday(user, now));
}

/** Archives the habit: it leaves the garden and the API, its logs stay (history, export). */
export async function archiveHabit(db: Db, user: CurrentUser, habitId: string): Promise<void> {
	const [archived] = await db
		.update(habits)
		.set({ deletedAt: new Date().toISOString(), nextReminderAt: null })
		.where(and(eq(habits.id, habitId), activeHabitsOf(user.id)))
		.returning({ id: habits.id });
	if (!archived) throw notFound("habit");
}

export interface LogInput {
	local_date?: string | undefined;
	count: number;
	note: string;
}

/** Logs a completion for a local date: today by default, back-filled at most 7 days, never the future. */
export async function logCompletion(
	db: Db,
	user: CurrentUser,
	habitId: string,
	input: LogInput,
	now = new Date(),
) {
	const { habit, totals } = await findHabitWithTotals(db, user.id, habitId);
	const today = userToday(user, now);
	const localDate = input.local_date ?? today;
	if (compareDates(localDate, today) > 0) {
		throw unprocessable(`${localDate} is in the future (today is ${today} for you).`, [
			{ field: "body/local_date", message: "must not be after today" },
		]);
	}
	if (compareDates(localDate, addDays(today, -BACKFILL_DAYS)) < 0) {
		throw unprocessable(`Completions can be back-filled at most ${BACKFILL_DAYS} days.`, [
			{ field: "body/local_date", message: `must be within ${BACKFILL_DAYS} days of today` },
		]);
	}
	const [log] = await db
		.insert(habitLogs)
		.values({ habitId, userId: user.id, localDate, count: input.count, note: input.note })
		.returning();
	if (!log) throw new Error("log insert returned no row");
	const updatedTotals = [...totals, { habitId, localDate, count: input.count }];
	return { log, habit: withStats(habit, mergeTotals(updatedTotals), today) };
}

function mergeTotals(totals: DailyTotal[]): DailyTotal[] {
	const merged = new Map<string, DailyTotal>();
	for (const row of totals) {
		const key = `${row.habitId}|${row.localDate}`;
		const seen = merged.get(key);
		merged.set(key, seen ? { ...seen, count: seen.count + row.count } : row);
	}
	return [...merged.values()];
}

export interface LogPageRequest {
	from?: string | undefined;
	to?: string | undefined;
	limit: number;
	after?: { local_date: string; id: string } | undefined;
}

/** A page of logs, newest local date first, ties by id; `limit + 1` rows tell whether more exist. */
export async function listLogs(db: Db, user: CurrentUser, habitId: string, page: LogPageRequest) {
	const [habitRows, logRows] = await db.batch([
		db
			.select({ id: habits.id })
			.from(habits)
			.where(and(eq(habits.id, habitId), activeHabitsOf(user.id))),
		db
			.select()
			.from(habitLogs)
			.where(
				and(
					eq(habitLogs.habitId, habitId),
					eq(habitLogs.userId, user.id),
					page.from ? gte(habitLogs.localDate, page.from) : undefined,
					page.to ? lte(habitLogs.localDate, page.to) : undefined,
					page.after
						? afterCursor("desc", [habitLogs.localDate, page.after.local_date], [habitLogs.id, page.after.id])
						: undefined,
				),
			)
			.orderBy(desc(habitLogs.localDate), desc(habitLogs.id))
			.limit(page.limit + 1),
	]);
	if (habitRows.length === 0) throw notFound("habit");
	return logRows;
}

/** Undoes a log of one of my active habits. */
export async function deleteLog(db: Db, user: CurrentUser, habitId: string, logId: string): Promise<void> {
	const [deleted] = await db
		.delete(habitLogs)
		.where(
			and(
				eq(habitLogs.id, logId),
				eq(habitLogs.habitId, habitId),
				eq(habitLogs.userId, user.id),
				inArray(habitLogs.habitId, db.select({ id: habits.id }).from(habits).where(activeHabitsOf(user.id))),
			),
		)
		.returning({ id: habitLogs.id });
	if (!deleted) throw notFound("log");
}

export type { HabitLogRow };
