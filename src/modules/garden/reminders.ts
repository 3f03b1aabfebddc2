/**
 * @module garden/reminders: habit reminders in the app. `habits.next_reminder_at` (UTC) holds when each
 * habit's reminder next fires; a minute cron task reads the due ones from its partial index, writes a
 * `habit_reminder` notification for each that is not logged yet for its garden day, and moves each to its
 * next reminder — a compare-and-set on the value it read, in the same D1 batch, so overlapping or repeated
 * ticks never fire twice (and the notification is unique per habit and garden day anyway). The work is
 * bounded by the reminders due, not by the people or habits there are. When a reminder fires:
 * garden/reminder-schedule. The decisions: docs/decisions/garden.md ("Habit reminders").
 */
import { and, eq, isNotNull, isNull, lte, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { noteNotified, systemNotificationsStatement } from "../../core/notifications";
import { createDb, type Db } from "../../db/client";
import { habitLogs, habits } from "../../db/tables/garden";
import { users } from "../../db/tables/users";
import type { Bindings } from "../../env";
import { newId } from "../../lib/ids";
import { logEvent } from "../../lib/log";
import { dueReminder, nextReminder, type ReminderHabit, type ReminderZone } from "./reminder-schedule";

/** Due reminders read per tick: more wait for the next minute (one indexed range read, bounded). */
export const REMINDERS_PER_TICK = 1_000;
/** Reminders written per D1 batch (their JSON list is one bound value of each statement). */
export const REMINDERS_PER_BATCH = 500;
/** Reminder habits without a next reminder (from before the column) scheduled per tick. */
export const UNSCHEDULED_PER_TICK = 200;

/** A reminder the tick wrote as an in-app notification. */
export interface FiredReminder {
	userId: string;
	habitId: string;
	notificationId: string;
	/** The garden day it is for (`YYYY-MM-DD`). */
	localDate: string;
}

/**
 * Called by the tick, after each batch has committed, with the reminders it wrote (never empty, never twice
 * for one notification): once the cron's tasks are done, each person's live stream is told to look and their
 * push is queued (scheduled.ts; Web Push pushes a `habit_reminder` whose `push` preference is on).
 */
export async function deliverFiredReminders(_env: Bindings, fired: readonly FiredReminder[]): Promise<void> {
	for (const reminder of fired) noteNotified(reminder.userId);
}

export interface ReminderTick {
	/** Due reminders read. */
	due: number;
	/** Notifications written. */
	fired: number;
	/** Reminder habits given their first `next_reminder_at`. */
	scheduled: number;
}

/** The next reminder of a habit as stored (UTC ISO), or null when it has none. */
export function nextReminderColumn(habit: ReminderHabit, zone: ReminderZone, now: Date): string | null {
	return nextReminder(habit, zone, now)?.at.toISOString() ?? null;
}

const reminderFields = {
	id: habits.id,
	userId: habits.userId,
	frequency: habits.frequency,
	weekdays: habits.weekdays,
	reminderTime: habits.reminderTime,
	reminderEnabled: habits.reminderEnabled,
	startDate: habits.startDate,
	nextReminderAt: habits.nextReminderAt,
	timeZone: users.timezone,
	dayStartHour: users.dayStartHour,
};

/** The due reminders, earliest first: one range of `habits_reminder_due_idx` (its WHERE spelled out). */
const dueReminders = (db: Db, now: Date, limit: number) =>
	db
		.select(reminderFields)
		.from(habits)
		.innerJoin(users, eq(users.id, habits.userId))
		.where(
			and(
				sql`${habits.nextReminderAt} IS NOT NULL AND ${habits.deletedAt} IS NULL`,
				lte(habits.nextReminderAt, now.toISOString()),
			),
		)
		.orderBy(habits.nextReminderAt, habits.id)
		.limit(limit);

/** Reminder habits not scheduled yet: `habits_reminder_unscheduled_idx` (literal terms, so it applies). */
const unscheduledReminders = (db: Db, limit: number) =>
	db
		.select(reminderFields)
		.from(habits)
		.innerJoin(users, eq(users.id, habits.userId))
		.where(
			and(
				sql`${habits.reminderEnabled} = 1 AND ${habits.reminderTime} IS NOT NULL`,
				isNull(habits.nextReminderAt),
				isNull(habits.deletedAt),
			),
		)
		.limit(limit);

type ReminderRow = Awaited<ReturnType<typeof dueReminders>>[number];

/** One habit's move: from the value read (`was`) to `next`; `fire` when a notification is due. */
interface Move {
	habit: string;
	was: string | null;
	next: string | null;
	fire?: { notification: string; date: string };
}

/**
 * Sets `next_reminder_at` of each habit listed to its `next`. The tick's moves only where it still holds the
 * value read (`was`): a change of the habit, or another tick, in between wins. A new time zone's (`"latest"`)
 * wherever the habit still has its reminder on: the person's latest choice wins.
 */
const moveStatement = (db: Db, moves: readonly Move[], compare: "read" | "latest" = "read") =>
	db
		.update(habits)
		.set({ nextReminderAt: sql`json_extract(m.value, '$.next')` })
		.from(sql`json_each(${JSON.stringify(moves)}) AS m`)
		.where(
			and(
				sql`${habits.id} = json_extract(m.value, '$.habit')`,
				compare === "read"
					? sql`${habits.nextReminderAt} IS json_extract(m.value, '$.was')`
					: sql`${habits.reminderEnabled} = 1 AND ${habits.deletedAt} IS NULL`,
			),
		);

/**
 * The notifications of the moves that fire, under the same compare-and-set (run before the move, in its
 * batch): the habit still active with its reminder on, not logged for that garden day, its owner not
 * suspended. The rest of the rules (deleted accounts, preferences) are core/notifications'.
 */
function fireStatement(db: Db, moves: readonly Move[], now: Date) {
	const firing = moves.filter((move) => move.fire !== undefined);
	if (firing.length === 0) return null;
	const rows: SQL = sql`
		SELECT json_extract(m.value, '$.fire.notification') AS id, ${habits.userId} AS recipient_id,
			${habits.id} AS subject_id,
			'habit_reminder:' || ${habits.id} || ':' || json_extract(m.value, '$.fire.date') AS group_key,
			json_object('name', ${habits.name}) AS data
		FROM json_each(${JSON.stringify(firing)}) AS m, ${habits}
		WHERE ${habits.id} = json_extract(m.value, '$.habit')
			AND ${habits.nextReminderAt} = json_extract(m.value, '$.was')
			AND ${habits.deletedAt} IS NULL AND ${habits.reminderEnabled} = 1
			AND NOT EXISTS (SELECT 1 FROM ${habitLogs} WHERE ${habitLogs.habitId} = ${habits.id}
				AND ${habitLogs.localDate} = json_extract(m.value, '$.fire.date'))
			AND NOT EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${habits.userId}
				AND ${users.suspendedUntil} > ${now.toISOString()})`;
	return systemNotificationsStatement(db, { type: "habit_reminder", subjectType: "habit", rows }, now);
}

const zoneOf = (row: ReminderRow): ReminderZone => ({
	timeZone: row.timeZone,
	dayStartHour: row.dayStartHour,
});

/** What to do with a due reminder: fire the latest one that has come (once), move to the first after now. */
function dueMove(row: ReminderRow, now: Date): Move {
	const was = row.nextReminderAt as string;
	try {
		const { fire, next } = dueReminder(row, zoneOf(row), new Date(was), now);
		return {
			habit: row.id,
			was,
			next: next?.at.toISOString() ?? null,
			...(fire ? { fire: { notification: newId(now.getTime()), date: fire.localDate } } : {}),
		};
	} catch (error) {
		// A zone the runtime does not know (the API never accepts one): no reminder, and say so (the backfill step
		// will try, and log, again each minute until the zone is fixed).
		logEvent("error", "habit_reminder_unschedulable", { habit: row.id, error: String(error) });
		return { habit: row.id, was, next: null };
	}
}

function firstMove(row: ReminderRow, now: Date): Move | null {
	try {
		return { habit: row.id, was: null, next: nextReminderColumn(row, zoneOf(row), now) };
	} catch (error) {
		logEvent("error", "habit_reminder_unschedulable", { habit: row.id, error: String(error) });
		return null;
	}
}

/**
 * The cron task (every minute): fires the reminders due at `now` (at most REMINDERS_PER_TICK, earliest
 * first) and schedules reminder habits that have no next reminder yet. One D1 round trip reads both; each
 * REMINDERS_PER_BATCH reminders are one batch (notifications, then the moves). `deliver` gets what was written.
 */
export async function runHabitReminders(
	env: Bindings,
	now = new Date(),
	deliver: (env: Bindings, fired: readonly FiredReminder[]) => Promise<void> = deliverFiredReminders,
): Promise<ReminderTick> {
	const db = createDb(env.DB);
	const [due, unscheduled] = await db.batch([
		dueReminders(db, now, REMINDERS_PER_TICK),
		unscheduledReminders(db, UNSCHEDULED_PER_TICK),
	]);
	const moves = due.map((row) => dueMove(row, now));
	const firstMoves = unscheduled.flatMap((row) => firstMove(row, now) ?? []);
	const tick: ReminderTick = { due: due.length, fired: 0, scheduled: 0 };
	for (let start = 0; start < Math.max(moves.length, 1); start += REMINDERS_PER_BATCH) {
		const chunk = moves.slice(start, start + REMINDERS_PER_BATCH);
		// The first batch also carries the first schedules (a few hundred at most, once per habit).
		const extra = start === 0 && firstMoves.length > 0 ? [moveStatement(db, firstMoves)] : [];
		const fire = fireStatement(db, chunk, now);
		const statements: BatchItem<"sqlite">[] = [
			...(fire ? [fire] : []),
			...(chunk.length > 0 ? [moveStatement(db, chunk)] : []),
			...extra,
		];
		const [first, ...rest] = statements;
		if (!first) continue;
		const results = await db.batch([first, ...rest]);
		if (start === 0) tick.scheduled = firstMoves.length;
		if (!fire) continue;
		const written = results[0] as Array<{ id: string; userId: string; subjectId: string }>;
		if (written.length === 0) continue;
		const dates = new Map(chunk.map((move) => [move.habit, move.fire?.date ?? ""]));
		const fired = written.map((row) => ({
			userId: row.userId,
			habitId: row.subjectId,
			notificationId: row.id,
			localDate: dates.get(row.subjectId) ?? "",
		}));
		tick.fired += fired.length;
		try {
			await deliver(env, fired);
		} catch (error) {
			// In-app notifications are written; delivery elsewhere failing must not stop the rest of the tick.
			logEvent("error", "habit_reminder_delivery_failed", { count: fired.length, error: String(error) });
		}
	}
	return tick;
}

/**
 * After a person's time zone or day start changed: the statements (for the profile change's own batch) that
 * move each of their reminders to its next time in the new zone — none when they have no reminder. One read
 * of their reminder habits (at most MAX_ACTIVE_HABITS, on the owner's index). A list, not a statement: an
 * async function answering a query builder would run it (it is thenable).
 */
export async function rescheduleRemindersStatements(
	db: Db,
	userId: string,
	zone: ReminderZone,
	now: Date,
): Promise<BatchItem<"sqlite">[]> {
	const rows = await db
		.select({
			id: habits.id,
			frequency: habits.frequency,
			weekdays: habits.weekdays,
			reminderTime: habits.reminderTime,
			reminderEnabled: habits.reminderEnabled,
			startDate: habits.startDate,
			nextReminderAt: habits.nextReminderAt,
		})
		.from(habits)
		.where(
			and(
				eq(habits.userId, userId),
				isNull(habits.deletedAt),
				sql`${habits.reminderEnabled} = 1`,
				isNotNull(habits.reminderTime),
			),
		);
	if (rows.length === 0) return [];
	const moves: Move[] = rows.map((row) => ({
		habit: row.id,
		was: row.nextReminderAt,
		next: nextReminderColumn(row, zone, now),
	}));
	return [moveStatement(db, moves, "latest")];
}
