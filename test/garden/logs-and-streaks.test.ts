/**
 * Logging completions against the owner's local "today" (time zone + day_start_hour), the back-fill
 * window, log history with cursors, undo, and streaks/strength as the API reports them.
 */
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, signUp, type TestUser } from "../support/api";

type Stats = {
	today: { date: string; count: number; target: number; done: boolean; due: boolean };
	current_streak: number;
	longest_streak: number;
	strength: number;
};
type Logged = { log: { id: string; local_date: string; count: number }; habit: { stats: Stats } };

/** The local date and hour in a zone, computed here independently of the API's own code. */
function localNow(timeZone: string): { date: string; hour: number } {
	const parts = Object.fromEntries(
		new Intl.DateTimeFormat("en-CA", {
			timeZone,
			year: "numeric",
			month: "2-digit",
			day: "2-digit",
			hour: "2-digit",
			hourCycle: "h23",
		})
			.formatToParts(new Date())
			.map((part) => [part.type, part.value]),
	);
	return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

const shift = (date: string, days: number) =>
	new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

async function userIn(timeZone: string, dayStartHour = 0): Promise<TestUser> {
	const user = await signUp("tz");
	await expectStatus(
		await call("PATCH", "/api/v1/users/me", {
			token: user.token,
			body: { timezone: timeZone, day_start_hour: dayStartHour },
		}),
		200,
	);
	return user;
}

async function habitOf(user: TestUser, body: Record<string, unknown> = {}): Promise<string> {
	const habit = await expectStatus<{ id: string }>(
		await call("POST", "/api/v1/garden/habits", {
			token: user.token,
			body: { name: "Stretch", category: "health", ...body },
		}),
		201,
	);
	return habit.id;
}

const logPath = (habitId: string) => `/api/v1/garden/habits/${habitId}/logs`;
const log = (user: TestUser, habitId: string, body: Record<string, unknown> = {}) =>
	call("POST", logPath(habitId), { token: user.token, body });

describe("today is the owner's local date", () => {
	it("logs 'today' as different dates for a user at UTC+13 and one at UTC−10 at the same instant", async () => {
		const tonga = await userIn("Pacific/Tongatapu");
		const honolulu = await userIn("Pacific/Honolulu");
		const [a, b] = [await habitOf(tonga), await habitOf(honolulu)];
		const fromTonga = await expectStatus<Logged>(await log(tonga, a), 201);
		const fromHonolulu = await expectStatus<Logged>(await log(honolulu, b), 201);
		expect(fromTonga.log.local_date).toBe(localNow("Pacific/Tongatapu").date);
		expect(fromHonolulu.log.local_date).toBe(localNow("Pacific/Honolulu").date);
		expect(fromTonga.habit.stats.today).toMatchObject({ count: 1, done: true });
		// Tonga's today is Honolulu's tomorrow: Honolulu may not log it yet.
		const tongaToday = localNow("Pacific/Tongatapu").date;
		if (tongaToday !== localNow("Pacific/Honolulu").date) {
			await expectProblem(await log(honolulu, b, { local_date: tongaToday }), 422);
		}
	});

	it("treats the hours before day_start_hour as still yesterday", async () => {
		const zone = "Asia/Kolkata";
		const { date, hour } = localNow(zone);
		// A day that starts at 23:00 has not started yet for most of the calendar day, and vice versa.
		const user = await userIn(zone, 23);
		const expected = hour < 23 ? shift(date, -1) : date;
		const garden = await expectStatus<{ today: string }>(
			await call("GET", "/api/v1/garden", { token: user.token }),
			200,
		);
		expect(garden.today).toBe(expected);
		const logged = await expectStatus<Logged>(await log(user, await habitOf(user)), 201);
		expect(logged.log.local_date).toBe(expected);
	});
});

describe("the back-fill window", () => {
	it("accepts up to 7 days back and refuses the 8th day and the future", async () => {
		const user = await userIn("America/New_York");
		const today = localNow("America/New_York").date;
		const habitId = await habitOf(user);
		await expectStatus(await log(user, habitId, { local_date: shift(today, -7) }), 201);
		const old = await expectProblem(await log(user, habitId, { local_date: shift(today, -8) }), 422);
		expect(old.errors?.[0]?.field).toBe("body/local_date");
		await expectProblem(await log(user, habitId, { local_date: shift(today, 1) }), 422);
		await expectProblem(await log(user, habitId, { local_date: "2026-02-30" }), 422);
		await expectProblem(await log(user, habitId, { count: 0 }), 422);
		await expectProblem(await log(user, habitId, { note: "n".repeat(501) }), 422);
	});
});

describe("streaks and strength through the API", () => {
	it("counts consecutive logged days, and an unfinished today does not break the streak", async () => {
		const user = await userIn("Europe/London");
		const today = localNow("Europe/London").date;
		const habitId = await habitOf(user);
		for (const back of [3, 2, 1])
			await expectStatus(await log(user, habitId, { local_date: shift(today, -back) }), 201);
		const before = await expectStatus<{ stats: Stats }>(
			await call("GET", `/api/v1/garden/habits/${habitId}`, { token: user.token }),
			200,
		);
		expect(before.stats).toMatchObject({
			current_streak: 3,
			longest_streak: 3,
			today: { done: false, count: 0 },
		});
		const after = await expectStatus<Logged>(await log(user, habitId), 201);
		expect(after.habit.stats).toMatchObject({ current_streak: 4, longest_streak: 4, today: { done: true } });
		expect(after.habit.stats.strength).toBeGreaterThan(before.stats.strength);
		expect(after.habit.stats.strength).toBeLessThanOrEqual(1);
	});

	it("needs target_count completions on a day for it to count", async () => {
		const user = await userIn("UTC");
		const habitId = await habitOf(user, { target_count: 2 });
		const first = await expectStatus<Logged>(await log(user, habitId), 201);
		expect(first.habit.stats).toMatchObject({
			current_streak: 0,
			today: { count: 1, target: 2, done: false },
		});
		const second = await expectStatus<Logged>(await log(user, habitId), 201);
		expect(second.habit.stats).toMatchObject({ current_streak: 1, today: { count: 2, done: true } });
	});

	it("measures a times-per-week habit in weeks", async () => {
		const user = await userIn("UTC");
		const habitId = await habitOf(user, { frequency: "times_per_week", target_count: 2 });
		const once = await expectStatus<Logged>(await log(user, habitId), 201);
		expect(once.habit.stats.today).toMatchObject({ count: 1, target: 2, done: false });
		const twice = await expectStatus<Logged>(await log(user, habitId, { count: 1 }), 201);
		expect(twice.habit.stats).toMatchObject({ current_streak: 1, today: { count: 2, done: true } });
	});

	it("does not let days off break a weekday habit's streak", async () => {
		const user = await userIn("UTC");
		const today = localNow("UTC").date;
		const weekday = (date: string) => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
		// Due only today and 7 days ago: the six days between are days off.
		const habitId = await habitOf(user, { frequency: "weekdays", weekdays: [weekday(today)] });
		await expectStatus(await log(user, habitId, { local_date: shift(today, -7) }), 201);
		const logged = await expectStatus<Logged>(await log(user, habitId), 201);
		expect(logged.habit.stats).toMatchObject({ current_streak: 2, today: { due: true, done: true } });
	});
});

describe("log history and undo", () => {
	it("pages through logs newest first with a cursor and filters by date range", async () => {
		const user = await userIn("UTC");
		const today = localNow("UTC").date;
		const habitId = await habitOf(user);
		for (const back of [0, 1, 2, 3, 4])
			await expectStatus(await log(user, habitId, { local_date: shift(today, -back) }), 201);

		const seen: string[] = [];
		let cursor: string | null = null;
		do {
			const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
			const page: { data: Array<{ local_date: string }>; next_cursor: string | null } = await expectStatus(
				await call("GET", `${logPath(habitId)}${query}`, { token: user.token }),
				200,
			);
			expect(page.data.length).toBeLessThanOrEqual(2);
			seen.push(...page.data.map((entry) => entry.local_date));
			cursor = page.next_cursor;
		} while (cursor);
		expect(seen).toEqual([0, 1, 2, 3, 4].map((back) => shift(today, -back)));

		const ranged = await expectStatus<{ data: Array<{ local_date: string }> }>(
			await call("GET", `${logPath(habitId)}?from=${shift(today, -3)}&to=${shift(today, -1)}`, {
				token: user.token,
			}),
			200,
		);
		expect(ranged.data.map((entry) => entry.local_date)).toEqual(
			[1, 2, 3].map((back) => shift(today, -back)),
		);
	});

	it("rejects bad list parameters with 4xx problems", async () => {
		const user = await userIn("UTC");
		const habitId = await habitOf(user);
		await expectProblem(await call("GET", `${logPath(habitId)}?limit=0`, { token: user.token }), 422);
		await expectProblem(await call("GET", `${logPath(habitId)}?limit=101`, { token: user.token }), 422);
		await expectProblem(await call("GET", `${logPath(habitId)}?from=yesterday`, { token: user.token }), 422);
		await expectProblem(
			await call("GET", `${logPath(habitId)}?cursor=not-a-cursor`, { token: user.token }),
			400,
		);
	});

	it("undoes a log, which then no longer counts", async () => {
		const user = await userIn("UTC");
		const habitId = await habitOf(user);
		const logged = await expectStatus<Logged>(await log(user, habitId), 201);
		expect((await call("DELETE", `${logPath(habitId)}/${logged.log.id}`, { token: user.token })).status).toBe(
			204,
		);
		await expectProblem(
			await call("DELETE", `${logPath(habitId)}/${logged.log.id}`, { token: user.token }),
			404,
		);
		const habit = await expectStatus<{ stats: Stats }>(
			await call("GET", `/api/v1/garden/habits/${habitId}`, { token: user.token }),
			200,
		);
		expect(habit.stats).toMatchObject({ current_streak: 0, today: { count: 0, done: false } });
	});
});
