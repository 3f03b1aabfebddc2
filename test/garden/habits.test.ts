/**
 * My Garden's habits: the garden appears on first access, habits are created, read, updated and archived
 * by their owner only (anyone else gets 404), and bad input is a 4xx problem.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";

type Habit = {
	id: string;
	name: string;
	frequency: string;
	weekdays: number[];
	target_count: number;
	stats: Record<string, unknown>;
};

async function createHabit(user: TestUser, body: Record<string, unknown> = {}): Promise<Habit> {
	return expectStatus<Habit>(
		await call("POST", "/api/v1/garden/habits", {
			token: user.token,
			body: { name: "Morning walk", category: "health", ...body },
		}),
		201,
	);
}

describe("GET /garden", () => {
	it("creates my garden on first access, once", async () => {
		const user = await signUp("garden");
		const first = await expectStatus<{ id: string; habits: unknown[]; today: string }>(
			await call("GET", "/api/v1/garden", { token: user.token }),
			200,
		);
		const second = await expectStatus<{ id: string }>(
			await call("GET", "/api/v1/garden", { token: user.token }),
			200,
		);
		expect(second.id).toBe(first.id);
		expect(first.habits).toEqual([]);
		expect(first.today).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		const rows = await env.DB.prepare("SELECT count(*) AS n FROM gardens WHERE user_id = ?")
			.bind(user.id)
			.first<{ n: number }>();
		expect(rows?.n).toBe(1);
	});

	it("lists my active habits with today's progress, streaks and strength", async () => {
		const user = await signUp("garden-list");
		const walk = await createHabit(user);
		const read = await createHabit(user, {
			name: "Read",
			category: "learning",
			frequency: "times_per_week",
			target_count: 3,
		});
		const garden = await expectStatus<{ habits: Habit[] }>(
			await call("GET", "/api/v1/garden", { token: user.token }),
			200,
		);
		expect(garden.habits.map((h) => h.id)).toEqual([walk.id, read.id]);
		expect(garden.habits[1]?.stats).toMatchObject({
			current_streak: 0,
			longest_streak: 0,
			strength: 0,
			streak_unit: "week",
		});
	});

	it("is 401 anonymously and 403 when suspended", async () => {
		await expectProblem(await call("GET", "/api/v1/garden"), 401);
		const user = await signUp("garden-suspended");
		await setUserColumns(user.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(await call("GET", "/api/v1/garden", { token: user.token }), 403);
	});
});

describe("POST /garden/habits", () => {
	it("creates daily, weekday and times-per-week habits with defaults", async () => {
		const user = await signUp("create");
		const daily = await createHabit(user);
		expect(daily).toMatchObject({
			frequency: "daily",
			weekdays: [],
			target_count: 1,
			reminder_enabled: false,
		});
		const weekdays = await createHabit(user, {
			frequency: "weekdays",
			weekdays: [1, 3, 5],
			reminder_time: "07:30",
			reminder_enabled: true,
		});
		expect(weekdays).toMatchObject({ weekdays: [1, 3, 5], reminder_time: "07:30", reminder_enabled: true });
		const weekly = await createHabit(user, { frequency: "times_per_week", target_count: 4 });
		expect(weekly).toMatchObject({ frequency: "times_per_week", target_count: 4 });
	});

	it.each([
		["a missing name", { name: undefined }],
		["a blank name", { name: "  " }],
		["an oversized name", { name: "n".repeat(101) }],
		["an unknown category", { category: "hobbies" }],
		["an unknown frequency", { frequency: "hourly" }],
		["weekday habit without weekdays", { frequency: "weekdays" }],
		["weekdays on a daily habit", { frequency: "daily", weekdays: [1] }],
		["weekday 8", { frequency: "weekdays", weekdays: [8] }],
		["repeated weekdays", { frequency: "weekdays", weekdays: [1, 1] }],
		["target 0", { target_count: 0 }],
		["target 101", { target_count: 101 }],
		["a bad reminder time", { reminder_time: "7:30pm" }],
		["an unknown field", { owner_id: "someone" }],
		["a wrong type", { reminder_enabled: "yes" }],
	])("rejects %s with 422", async (_label, body) => {
		const user = await signUp("bad-habit");
		const response = await call("POST", "/api/v1/garden/habits", {
			token: user.token,
			body: { name: "Walk", category: "health", ...body },
		});
		await expectProblem(response, 422);
		const rows = await env.DB.prepare("SELECT count(*) AS n FROM habits WHERE user_id = ?")
			.bind(user.id)
			.first<{ n: number }>();
		expect(rows?.n).toBe(0);
	});

	it("is 401 anonymously", async () => {
		await expectProblem(
			await call("POST", "/api/v1/garden/habits", { body: { name: "x", category: "health" } }),
			401,
		);
	});
});

describe("one habit: read, update, archive", () => {
	it("reads, patches and puts my habit", async () => {
		const user = await signUp("rw");
		const habit = await createHabit(user);
		const path = `/api/v1/garden/habits/${habit.id}`;
		expect(await expectStatus(await call("GET", path, { token: user.token }), 200)).toMatchObject({
			id: habit.id,
		});
		const patched = await expectStatus(
			await call("PATCH", path, { token: user.token, body: { name: "Evening walk", target_count: 2 } }),
			200,
		);
		expect(patched).toMatchObject({ name: "Evening walk", target_count: 2, category: "health" });
		const put = await expectStatus(
			await call("PUT", path, { token: user.token, body: { frequency: "weekdays", weekdays: [6, 7] } }),
			200,
		);
		expect(put).toMatchObject({ frequency: "weekdays", weekdays: [6, 7], name: "Evening walk" });
	});

	it("clears weekdays when leaving the weekday schedule, and refuses weekdays without a weekday schedule", async () => {
		const user = await signUp("schedule-change");
		const habit = await createHabit(user, { frequency: "weekdays", weekdays: [2] });
		const path = `/api/v1/garden/habits/${habit.id}`;
		const daily = await expectStatus(
			await call("PATCH", path, { token: user.token, body: { frequency: "daily" } }),
			200,
		);
		expect(daily).toMatchObject({ frequency: "daily", weekdays: [] });
		await expectProblem(
			await call("PATCH", path, { token: user.token, body: { frequency: "weekdays" } }),
			422,
		);
		await expectProblem(await call("PATCH", path, { token: user.token, body: { weekdays: [1] } }), 422);
	});

	it("archives a habit: gone from the API, logs kept in D1", async () => {
		const user = await signUp("archive");
		const habit = await createHabit(user);
		const path = `/api/v1/garden/habits/${habit.id}`;
		await expectStatus(await call("POST", `${path}/logs`, { token: user.token, body: {} }), 201);
		expect((await call("DELETE", path, { token: user.token })).status).toBe(204);
		await expectProblem(await call("GET", path, { token: user.token }), 404);
		await expectProblem(await call("DELETE", path, { token: user.token }), 404);
		await expectProblem(await call("POST", `${path}/logs`, { token: user.token, body: {} }), 404);
		const garden = await expectStatus<{ habits: Habit[] }>(
			await call("GET", "/api/v1/garden", { token: user.token }),
			200,
		);
		expect(garden.habits).toEqual([]);
		const row = await env.DB.prepare("SELECT deleted_at FROM habits WHERE id = ?")
			.bind(habit.id)
			.first<{ deleted_at: string }>();
		expect(row?.deleted_at).toBeTruthy();
		const logs = await env.DB.prepare("SELECT count(*) AS n FROM habit_logs WHERE habit_id = ?")
			.bind(habit.id)
			.first<{ n: number }>();
		expect(logs?.n).toBe(1);
	});

	it("answers 404 to anyone but the owner, for every habit endpoint, and changes nothing", async () => {
		const owner = await signUp("owner");
		const stranger = await signUp("stranger");
		const habit = await createHabit(owner);
		const path = `/api/v1/garden/habits/${habit.id}`;
		const { token } = stranger;
		await expectProblem(await call("GET", path, { token }), 404);
		await expectProblem(await call("PATCH", path, { token, body: { name: "mine now" } }), 404);
		await expectProblem(await call("PUT", path, { token, body: { name: "mine now" } }), 404);
		await expectProblem(await call("DELETE", path, { token }), 404);
		await expectProblem(await call("POST", `${path}/logs`, { token, body: {} }), 404);
		await expectProblem(await call("GET", `${path}/logs`, { token }), 404);
		const log = await expectStatus<{ log: { id: string } }>(
			await call("POST", `${path}/logs`, { token: owner.token, body: {} }),
			201,
		);
		await expectProblem(await call("DELETE", `${path}/logs/${log.log.id}`, { token }), 404);
		const still = await expectStatus<Habit & { stats: { today: { count: number } } }>(
			await call("GET", path, { token: owner.token }),
			200,
		);
		expect(still).toMatchObject({ name: "Morning walk" });
		expect(still.stats.today.count).toBe(1);
	});

	it("answers 422 for a malformed habit id and 404 for an unknown one", async () => {
		const user = await signUp("ids");
		await expectProblem(await call("GET", "/api/v1/garden/habits/123", { token: user.token }), 422);
		await expectProblem(
			await call("GET", "/api/v1/garden/habits/0190a0a0-0000-7000-8000-000000000000", { token: user.token }),
			404,
		);
	});
});
