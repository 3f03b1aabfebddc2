/** @module garden/routes: My Garden — private to its owner; another user's habit is always 404. */
import { type RouteHandler, z } from "@hono/zod-openapi";
import { currentUser } from "../../auth/guards";
import type { AppEnv } from "../../env";
import { defineRoute, jsonContent, problemResponse } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { decodeCursor, toPage } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { checksPromotionAfterContribution } from "../trust";
import {
	CreateHabit,
	CreateLog,
	Garden,
	Habit,
	HabitLogPage,
	LoggedCompletion,
	LogListQuery,
	UpdateHabit,
} from "./schemas";
import {
	archiveHabit,
	createHabit,
	deleteLog,
	getHabit,
	type HabitLogRow,
	type HabitWithStats,
	listLogs,
	loadGarden,
	logCompletion,
	updateHabit,
} from "./service";

const HabitParams = idParam("habit_id");
const LogParams = HabitParams.extend(idParam("log_id").shape);
const LogCursor = z.object({ local_date: z.string(), id: z.string() });
const habitNotFound = { 404: problemResponse("No such habit among my active habits.") };

function toHabit(habit: HabitWithStats): z.infer<typeof Habit> {
	const { stats } = habit;
	return {
		id: habit.id,
		name: habit.name,
		description: habit.description,
		category: habit.category,
		frequency: habit.frequency,
		weekdays: habit.weekdays,
		target_count: habit.targetCount,
		reminder_time: habit.reminderTime,
		reminder_enabled: habit.reminderEnabled,
		start_date: habit.startDate,
		created_at: habit.createdAt,
		updated_at: habit.updatedAt,
		stats: {
			today: stats.today,
			current_streak: stats.currentStreak,
			longest_streak: stats.longestStreak,
			streak_unit: stats.streakUnit,
			strength: stats.strength,
		},
	};
}

const toLog = (log: HabitLogRow) => ({
	id: log.id,
	habit_id: log.habitId,
	local_date: log.localDate,
	count: log.count,
	note: log.note,
	created_at: log.createdAt,
});

const getGarden = defineRoute("user", {
	method: "get",
	path: "/garden",
	operationId: "getGarden",
	tags: ["garden"],
	summary: "My garden (created on first access) with today's progress, streaks and strength per habit",
	responses: { 200: { description: "My garden.", content: jsonContent(Garden) } },
});

const postHabit = defineRoute("user", {
	method: "post",
	path: "/garden/habits",
	operationId: "createHabit",
	tags: ["garden"],
	summary: "Create a habit",
	request: { body: { required: true, content: jsonContent(CreateHabit) } },
	responses: {
		201: { description: "The new habit.", content: jsonContent(Habit) },
		409: problemResponse("The garden already holds the maximum number of active habits."),
	},
});

const getOneHabit = defineRoute("user", {
	method: "get",
	path: "/garden/habits/{habit_id}",
	operationId: "getHabit",
	tags: ["garden"],
	summary: "One habit with its statistics",
	request: { params: HabitParams },
	responses: { 200: { description: "The habit.", content: jsonContent(Habit) }, ...habitNotFound },
});

const updateHabitRoute = <M extends "patch" | "put">(method: M, operationId: string, summary: string) =>
	defineRoute("user", {
		method,
		operationId,
		path: "/garden/habits/{habit_id}",
		tags: ["garden"],
		summary,
		request: { params: HabitParams, body: { required: true, content: jsonContent(UpdateHabit) } },
		responses: { 200: { description: "The updated habit.", content: jsonContent(Habit) }, ...habitNotFound },
	});
const patchHabit = updateHabitRoute("patch", "updateHabit", "Update a habit");
const putHabit = updateHabitRoute("put", "replaceHabit", "Update a habit (alias of PATCH)");

const applyHabitUpdate: RouteHandler<typeof patchHabit, AppEnv> = async (c) => {
	const { habit_id } = c.req.valid("param");
	const habit = await updateHabit(c.var.db, currentUser(c), habit_id, c.req.valid("json"));
	return c.json(toHabit(habit), 200);
};

const deleteHabit = defineRoute("user", {
	method: "delete",
	path: "/garden/habits/{habit_id}",
	operationId: "archiveHabit",
	tags: ["garden"],
	summary: "Archive a habit (its logs are kept)",
	request: { params: HabitParams },
	responses: { 204: { description: "Archived." }, ...habitNotFound },
});

const postLog = defineRoute(
	"user",
	{
		method: "post",
		path: "/garden/habits/{habit_id}/logs",
		operationId: "createHabitLog",
		tags: ["garden"],
		summary: "Log a completion (today by default, back-fill up to 7 days)",
		request: { params: HabitParams, body: { required: true, content: jsonContent(CreateLog) } },
		responses: {
			201: {
				description: "The log and the habit's updated statistics.",
				content: jsonContent(LoggedCompletion),
			},
			...habitNotFound,
		},
	},
	{ middleware: [checksPromotionAfterContribution] },
);

const getLogs = defineRoute("user", {
	method: "get",
	path: "/garden/habits/{habit_id}/logs",
	operationId: "listHabitLogs",
	tags: ["garden"],
	summary: "A habit's logs, newest first, by date range and cursor",
	request: { params: HabitParams, query: LogListQuery },
	responses: {
		200: { description: "A page of logs.", content: jsonContent(HabitLogPage) },
		...habitNotFound,
	},
});

const deleteOneLog = defineRoute("user", {
	method: "delete",
	path: "/garden/habits/{habit_id}/logs/{log_id}",
	operationId: "deleteHabitLog",
	tags: ["garden"],
	summary: "Undo a log",
	request: { params: LogParams },
	responses: { 204: { description: "Removed." }, 404: problemResponse("No such log of my active habit.") },
});

export const gardenRoutes = createRouter()
	.openapi(getGarden, async (c) => {
		const garden = await loadGarden(c.var.db, currentUser(c));
		return c.json(
			{
				id: garden.id,
				name: garden.name,
				today: garden.today,
				created_at: garden.createdAt,
				habits: garden.habits.map(toHabit),
			},
			200,
		);
	})
	.openapi(postHabit, async (c) => {
		const habit = await createHabit(c.var.db, currentUser(c), c.req.valid("json"));
		return c.json(toHabit(habit), 201);
	})
	.openapi(getOneHabit, async (c) => {
		const habit = await getHabit(c.var.db, currentUser(c), c.req.valid("param").habit_id);
		return c.json(toHabit(habit), 200);
	})
	.openapi(patchHabit, applyHabitUpdate)
	.openapi(putHabit, applyHabitUpdate)
	.openapi(deleteHabit, async (c) => {
		await archiveHabit(c.var.db, currentUser(c), c.req.valid("param").habit_id);
		return c.body(null, 204);
	})
	.openapi(postLog, async (c) => {
		const { habit_id } = c.req.valid("param");
		const result = await logCompletion(c.var.db, currentUser(c), habit_id, c.req.valid("json"));
		return c.json({ log: toLog(result.log), habit: toHabit(result.habit) }, 201);
	})
	.openapi(getLogs, async (c) => {
		const { habit_id } = c.req.valid("param");
		const { from, to, limit, cursor } = c.req.valid("query");
		const after = decodeCursor(cursor, LogCursor);
		const rows = await listLogs(c.var.db, currentUser(c), habit_id, { from, to, limit, after });
		return c.json(
			toPage(rows, limit, (log) => ({ local_date: log.localDate, id: log.id }), toLog),
			200,
		);
	})
	.openapi(deleteOneLog, async (c) => {
		const { habit_id, log_id } = c.req.valid("param");
		await deleteLog(c.var.db, currentUser(c), habit_id, log_id);
		return c.body(null, 204);
	});
