/**
 * Habit reminders, end to end: habits and time zones set through HTTP, the cron's minute task run at chosen
 * instants (the whole cron, minute by minute, across DST nights), the notifications read back. A reminder
 * fires at its local time on each due day, once (repeated and overlapping ticks write nothing twice), not
 * when the habit is logged for that day, late but once after missed ticks; never for a disabled reminder,
 * an archived habit, a suspended or deleted person, or a type turned off.
 *
 * The API schedules from the real clock; to run the cron at instants of 2026 a test "sets the clock" of its
 * habits: it clears `next_reminder_at` (as for a habit from before the column) and lets a tick at the chosen
 * instant schedule them — the backfill step, exercised on the way.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type FiredReminder, runHabitReminders } from "../../src/modules/garden";
import { CRONS, EVERY_MINUTE, EVERY_TEN_MINUTES } from "../../src/scheduled";
import wranglerToml from "../../wrangler.toml?raw";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";

const MINUTE_MS = 60_000;

type Habit = { id: string; reminder_time: string | null; reminder_enabled: boolean };
type Notification = {
	id: string;
	type: string;
	subject: { type: string; id: string };
	text: string;
	actors: unknown[];
};

async function personIn(timezone: string, label = "reminders"): Promise<TestUser> {
	const user = await signUp(label);
	await expectStatus(await call("PATCH", "/api/v1/users/me", { token: user.token, body: { timezone } }), 200);
	return user;
}

async function habit(user: TestUser, body: Record<string, unknown>): Promise<Habit> {
	return expectStatus<Habit>(
		await call("POST", "/api/v1/garden/habits", {
			token: user.token,
			body: { name: "Meditate", category: "mindfulness", reminder_enabled: true, ...body },
		}),
		201,
	);
}

const nextOf = async (habitId: string) =>
	(
		await env.DB.prepare("SELECT next_reminder_at AS at FROM habits WHERE id = ?")
			.bind(habitId)
			.first<{ at: string | null }>()
	)?.at ?? null;

/** Every habit_reminder of a person, oldest first, as stored. */
const remindersOf = async (user: TestUser) =>
	(
		await env.DB.prepare(
			"SELECT subject_id, group_key, created_at FROM notifications WHERE user_id = ? AND type = 'habit_reminder' ORDER BY created_at, id",
		)
			.bind(user.id)
			.all<{ subject_id: string; group_key: string; created_at: string }>()
	).results;

/** One tick of the minute task at `iso`; answers what it handed to delivery. */
async function tick(iso: string): Promise<FiredReminder[]> {
	const fired: FiredReminder[] = [];
	await runHabitReminders(env, new Date(iso), async (_env, reminders) => {
		fired.push(...reminders);
	});
	return fired;
}

/** The cron, every minute from `from` to `to` inclusive. */
async function cron(from: string, to: string): Promise<FiredReminder[]> {
	const fired: FiredReminder[] = [];
	for (let t = Date.parse(from); t <= Date.parse(to); t += MINUTE_MS)
		fired.push(...(await tick(new Date(t).toISOString())));
	return fired;
}

/** Moves habits onto the cron's clock at `iso` (see the file's comment); they count from 2026-01-01. */
async function clockAt(iso: string, ...habits: Habit[]): Promise<void> {
	for (const h of habits) {
		await env.DB.prepare("UPDATE habits SET next_reminder_at = NULL, start_date = '2026-01-01' WHERE id = ?")
			.bind(h.id)
			.run();
	}
	const ids = new Set(habits.map((h) => h.id));
	expect((await tick(iso)).filter((f) => ids.has(f.habitId))).toEqual([]);
	for (const h of habits) expect(await nextOf(h.id), "scheduled by the backfill").not.toBeNull();
}

const mine = (fired: FiredReminder[], user: TestUser) => fired.filter((f) => f.userId === user.id);

/** A local wall time of an instant, `YYYY-MM-DD HH:MM`. */
function wallTime(iso: string, timeZone: string): string {
	return new Intl.DateTimeFormat("en-CA", {
		timeZone,
		year: "numeric",
		month: "2-digit",
		day: "2-digit",
		hour: "2-digit",
		minute: "2-digit",
		hourCycle: "h23",
	})
		.format(new Date(iso))
		.replace(",", "");
}

describe("scheduling through the API", () => {
	it("a new reminder is scheduled at its local time; a new schedule moves it; disabling or archiving clears it", async () => {
		const user = await personIn("America/New_York");
		const walk = await habit(user, { name: "Walk", reminder_time: "07:30" });
		const first = await nextOf(walk.id);
		expect(first).not.toBeNull();
		expect(Date.parse(first ?? "")).toBeGreaterThan(Date.now());
		expect(Date.parse(first ?? "") - Date.now()).toBeLessThanOrEqual(25 * 3_600_000);
		expect(wallTime(first ?? "", "America/New_York").slice(11)).toBe("07:30");

		const quiet = await habit(user, { name: "Read", reminder_time: "21:00", reminder_enabled: false });
		expect(await nextOf(quiet.id)).toBeNull();
		const none = await habit(user, { name: "Stretch", reminder_enabled: true });
		expect(await nextOf(none.id), "enabled without a time").toBeNull();

		// A rename leaves the reminder where it is; a new time moves it; disabling clears it, enabling restores it.
		const patch = (body: Record<string, unknown>) =>
			call("PATCH", `/api/v1/garden/habits/${walk.id}`, { token: user.token, body });
		await expectStatus(await patch({ name: "Morning walk" }), 200);
		expect(await nextOf(walk.id)).toBe(first);
		await expectStatus(await patch({ reminder_time: "18:45" }), 200);
		expect(wallTime((await nextOf(walk.id)) ?? "", "America/New_York").slice(11)).toBe("18:45");
		await expectStatus(await patch({ reminder_enabled: false }), 200);
		expect(await nextOf(walk.id)).toBeNull();
		await expectStatus(await patch({ reminder_enabled: true, frequency: "weekdays", weekdays: [3] }), 200);
		const wednesday = (await nextOf(walk.id)) ?? "";
		expect(
			new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", weekday: "long" }).format(
				new Date(wednesday),
			),
		).toBe("Wednesday");
		expect((await call("DELETE", `/api/v1/garden/habits/${walk.id}`, { token: user.token })).status).toBe(
			204,
		);
		expect(await nextOf(walk.id)).toBeNull();
	});

	it("a new time zone or day start moves every reminder of mine, and nothing else does", async () => {
		const user = await personIn("Europe/Berlin");
		const other = await personIn("Europe/Berlin", "reminders-other");
		const morning = await habit(user, { reminder_time: "07:30" });
		const evening = await habit(user, { name: "Journal", reminder_time: "21:00" });
		const theirs = await habit(other, { reminder_time: "07:30" });
		const theirsBefore = await nextOf(theirs.id);
		const before = await nextOf(morning.id);
		await expectStatus(
			await call("PATCH", "/api/v1/users/me", { token: user.token, body: { bio: "Calm." } }),
			200,
		);
		expect(await nextOf(morning.id)).toBe(before);

		await expectStatus(
			await call("PATCH", "/api/v1/users/me", { token: user.token, body: { timezone: "Asia/Kolkata" } }),
			200,
		);
		for (const [h, time] of [
			[morning, "07:30"],
			[evening, "21:00"],
		] as const) {
			const at = (await nextOf(h.id)) ?? "";
			expect(wallTime(at, "Asia/Kolkata").slice(11), h.id).toBe(time);
			expect(Date.parse(at)).toBeGreaterThan(Date.now());
		}
		expect(await nextOf(morning.id)).not.toBe(before);
		expect(await nextOf(theirs.id), "another person's reminders stay").toBe(theirsBefore);

		// A 02:00 reminder with the day starting at 04:00 belongs to the garden day it closes: same instant rule.
		const late = await habit(user, { name: "Lights out", reminder_time: "02:00" });
		await expectStatus(
			await call("PATCH", "/api/v1/users/me", { token: user.token, body: { day_start_hour: 4 } }),
			200,
		);
		expect(wallTime((await nextOf(late.id)) ?? "", "Asia/Kolkata").slice(11)).toBe("02:00");
	});

	it("another person's habit stays 404 for every change", async () => {
		const owner = await personIn("UTC");
		const stranger = await signUp("reminders-stranger");
		const h = await habit(owner, { reminder_time: "08:00" });
		const before = await nextOf(h.id);
		await expectProblem(
			await call("PATCH", `/api/v1/garden/habits/${h.id}`, {
				token: stranger.token,
				body: { reminder_time: "09:00" },
			}),
			404,
		);
		await expectProblem(
			await call("DELETE", `/api/v1/garden/habits/${h.id}`, { token: stranger.token }),
			404,
		);
		expect(await nextOf(h.id)).toBe(before);
	});
});

describe("the minute tick", () => {
	it("fires at the local time as an in-app notification, once, and moves to the next day", async () => {
		const user = await personIn("America/New_York");
		const h = await habit(user, { reminder_time: "07:30" });
		await clockAt("2026-02-10T12:00:00.000Z", h);
		expect(await nextOf(h.id)).toBe("2026-02-10T12:30:00.000Z");

		expect(mine(await tick("2026-02-10T12:29:00.000Z"), user)).toEqual([]);
		const fired = mine(await tick("2026-02-10T12:30:00.000Z"), user);
		expect(fired).toHaveLength(1);
		expect(fired[0]).toMatchObject({ userId: user.id, habitId: h.id, localDate: "2026-02-10" });
		expect(await nextOf(h.id)).toBe("2026-02-11T12:30:00.000Z");

		const page = await expectStatus<{ data: Notification[] }>(
			await call("GET", "/api/v1/notifications", { token: user.token }),
			200,
		);
		const reminder = page.data.find((n) => n.type === "habit_reminder");
		expect(reminder).toMatchObject({
			id: fired[0]?.notificationId,
			subject: { type: "habit", id: h.id },
			text: "Time for “Meditate”.",
			actors: [],
		});

		// The same minute again, and a tick that read the old value before the first moved it: nothing twice.
		expect(mine(await tick("2026-02-10T12:30:00.000Z"), user)).toEqual([]);
		await env.DB.prepare("UPDATE habits SET next_reminder_at = '2026-02-10T12:30:00.000Z' WHERE id = ?")
			.bind(h.id)
			.run();
		expect(mine(await tick("2026-02-10T12:31:00.000Z"), user)).toEqual([]);
		expect(await remindersOf(user)).toHaveLength(1);
		expect(await nextOf(h.id)).toBe("2026-02-11T12:30:00.000Z");
	});

	it("two overlapping ticks fire a reminder once", async () => {
		const user = await personIn("Europe/Berlin");
		const hs = await Promise.all(
			["A", "B", "C"].map((name) => habit(user, { name, reminder_time: "08:00" })),
		);
		await clockAt("2026-02-10T06:00:00.000Z", ...hs);
		const [a, b] = await Promise.all([tick("2026-02-10T07:00:00.000Z"), tick("2026-02-10T07:00:20.000Z")]);
		expect([...mine(a, user), ...mine(b, user)]).toHaveLength(3);
		expect((await remindersOf(user)).map((r) => r.group_key).sort()).toEqual(
			hs.map((h) => `habit_reminder:${h.id}:2026-02-10`).sort(),
		);
	});

	it("fires on a weekday habit's days only", async () => {
		const user = await personIn("America/New_York");
		const h = await habit(user, { reminder_time: "07:00", frequency: "weekdays", weekdays: [1, 3] });
		// Saturday 2026-02-07; the next reminder is Monday 02-09 07:00 EST.
		await clockAt("2026-02-07T15:00:00.000Z", h);
		expect(await nextOf(h.id)).toBe("2026-02-09T12:00:00.000Z");
		expect(mine(await tick("2026-02-08T12:00:00.000Z"), user)).toEqual([]);
		expect(mine(await tick("2026-02-09T12:00:00.000Z"), user).map((f) => f.localDate)).toEqual([
			"2026-02-09",
		]);
		expect(await nextOf(h.id)).toBe("2026-02-11T12:00:00.000Z");
	});
});

describe("across DST, in two time zones (the cron every minute through the night)", () => {
	it("New York, spring forward (2026-03-08): 02:30 fires once at 03:00 EDT; 07:30 keeps its local time", async () => {
		const user = await personIn("America/New_York");
		const gap = await habit(user, { name: "Gap", reminder_time: "02:30" });
		const morning = await habit(user, { name: "Morning", reminder_time: "07:30" });
		await clockAt("2026-03-08T05:00:00.000Z", gap, morning);
		const night = mine(await cron("2026-03-08T05:01:00.000Z", "2026-03-08T08:00:00.000Z"), user);
		expect(night).toHaveLength(1);
		expect(await remindersOf(user)).toEqual([
			{
				subject_id: gap.id,
				group_key: `habit_reminder:${gap.id}:2026-03-08`,
				created_at: "2026-03-08T07:00:00.000Z",
			},
		]);
		expect(await nextOf(gap.id)).toBe("2026-03-09T06:30:00.000Z");
		// 07:30 EST the day before was 12:30Z; on the day it is 07:30 EDT = 11:30Z.
		expect(await nextOf(morning.id)).toBe("2026-03-08T11:30:00.000Z");
		expect(mine(await tick("2026-03-08T11:29:00.000Z"), user)).toEqual([]);
		expect(mine(await tick("2026-03-08T11:30:00.000Z"), user).map((f) => f.habitId)).toEqual([morning.id]);
	});

	it("New York, fall back (2026-11-01): 01:30 happens twice and fires once, at the first", async () => {
		const user = await personIn("America/New_York");
		const twice = await habit(user, { reminder_time: "01:30" });
		await clockAt("2026-11-01T04:00:00.000Z", twice);
		expect(mine(await cron("2026-11-01T04:01:00.000Z", "2026-11-01T07:30:00.000Z"), user)).toHaveLength(1);
		expect((await remindersOf(user)).map((r) => r.created_at)).toEqual(["2026-11-01T05:30:00.000Z"]);
		expect(await nextOf(twice.id)).toBe("2026-11-02T06:30:00.000Z");
	});

	it("Berlin, spring forward (2026-03-29): 02:15 fires once at 03:00 CEST", async () => {
		const user = await personIn("Europe/Berlin");
		const gap = await habit(user, { reminder_time: "02:15" });
		await clockAt("2026-03-28T23:00:00.000Z", gap);
		expect(mine(await cron("2026-03-28T23:01:00.000Z", "2026-03-29T02:00:00.000Z"), user)).toHaveLength(1);
		expect((await remindersOf(user)).map((r) => r.created_at)).toEqual(["2026-03-29T01:00:00.000Z"]);
		expect(await nextOf(gap.id)).toBe("2026-03-30T00:15:00.000Z");
	});

	it("Berlin, fall back (2026-10-25): 02:30 happens twice and fires once, at the first", async () => {
		const user = await personIn("Europe/Berlin");
		const twice = await habit(user, { reminder_time: "02:30" });
		await clockAt("2026-10-24T23:00:00.000Z", twice);
		expect(mine(await cron("2026-10-24T23:01:00.000Z", "2026-10-25T02:00:00.000Z"), user)).toHaveLength(1);
		expect((await remindersOf(user)).map((r) => r.created_at)).toEqual(["2026-10-25T00:30:00.000Z"]);
		expect(await nextOf(twice.id)).toBe("2026-10-26T01:30:00.000Z");
	});
});

describe("already logged today", () => {
	it("a habit logged for the day gets no reminder, and still moves to the next day", async () => {
		// Real today, through HTTP: the reminder was due at 00:00 UTC today and the cron has not fired it yet.
		const user = await personIn("UTC");
		const logged = await habit(user, { name: "Logged", reminder_time: "00:00" });
		const partly = await habit(user, { name: "Partly", reminder_time: "00:00", target_count: 3 });
		const open = await habit(user, { name: "Open", reminder_time: "00:00" });
		const today = new Date().toISOString().slice(0, 10);
		const dueAt = `${today}T00:00:00.000Z`;
		for (const h of [logged, partly, open]) {
			await env.DB.prepare("UPDATE habits SET next_reminder_at = ? WHERE id = ?").bind(dueAt, h.id).run();
		}
		await expectStatus(
			await call("POST", `/api/v1/garden/habits/${logged.id}/logs`, { token: user.token, body: {} }),
			201,
		);
		// One of three: logged is logged (a reminder for a part-done habit would nag).
		await expectStatus(
			await call("POST", `/api/v1/garden/habits/${partly.id}/logs`, { token: user.token, body: {} }),
			201,
		);
		const fired = mine(await tick(new Date().toISOString()), user);
		expect(fired.map((f) => f.habitId)).toEqual([open.id]);
		expect(fired[0]?.localDate).toBe(today);
		for (const h of [logged, partly, open]) {
			expect(await nextOf(h.id)).toBe(
				`${new Date(Date.parse(dueAt) + 86_400_000).toISOString().slice(0, 10)}T00:00:00.000Z`,
			);
		}
	});

	it("a log for another day does not quiet today's reminder (the garden's day boundary decides)", async () => {
		const user = await personIn("America/New_York");
		await expectStatus(
			await call("PATCH", "/api/v1/users/me", { token: user.token, body: { day_start_hour: 4 } }),
			200,
		);
		const h = await habit(user, { reminder_time: "02:00" });
		await clockAt("2026-02-10T12:00:00.000Z", h);
		// 02:00 on 02-11 closes garden day 02-10: a log for 02-10 quiets it, one for 02-11 would not.
		expect(await nextOf(h.id)).toBe("2026-02-11T07:00:00.000Z");
		await env.DB.prepare(
			"INSERT INTO habit_logs (id, habit_id, user_id, local_date, count, note, created_at) VALUES (?, ?, ?, '2026-02-11', 1, '', ?)",
		)
			.bind(crypto.randomUUID(), h.id, user.id, new Date().toISOString())
			.run();
		expect(mine(await tick("2026-02-11T07:00:00.000Z"), user).map((f) => f.localDate)).toEqual([
			"2026-02-10",
		]);
		await env.DB.prepare(
			"INSERT INTO habit_logs (id, habit_id, user_id, local_date, count, note, created_at) VALUES (?, ?, ?, '2026-02-11', 1, '', ?)",
		)
			.bind(crypto.randomUUID(), h.id, user.id, new Date().toISOString())
			.run();
		expect(mine(await tick("2026-02-12T07:00:00.000Z"), user)).toEqual([]);
	});
});

describe("missed cron ticks", () => {
	it("a missed minute fires late, once; missed days give one reminder, not a burst, and skip nothing after", async () => {
		const user = await personIn("America/New_York");
		const h = await habit(user, { reminder_time: "07:30" });
		await clockAt("2026-02-10T12:00:00.000Z", h);
		// The 12:30 tick never ran: 12:34 fires it.
		expect(mine(await tick("2026-02-10T12:34:00.000Z"), user).map((f) => f.localDate)).toEqual([
			"2026-02-10",
		]);
		// No tick from 02-11 to 02-13 15:00: one reminder, today's (02-13), then tomorrow's as usual.
		expect(mine(await tick("2026-02-13T15:00:00.000Z"), user).map((f) => f.localDate)).toEqual([
			"2026-02-13",
		]);
		expect(await nextOf(h.id)).toBe("2026-02-14T12:30:00.000Z");
		expect(mine(await tick("2026-02-14T12:30:00.000Z"), user).map((f) => f.localDate)).toEqual([
			"2026-02-14",
		]);
		// Missed days ending before today's time: yesterday's is the one that came.
		expect(mine(await tick("2026-02-17T09:00:00.000Z"), user).map((f) => f.localDate)).toEqual([
			"2026-02-16",
		]);
		expect(await nextOf(h.id)).toBe("2026-02-17T12:30:00.000Z");
		expect((await remindersOf(user)).map((r) => r.group_key.slice(-10))).toEqual([
			"2026-02-10",
			"2026-02-13",
			"2026-02-14",
			"2026-02-16",
		]);
	});
});

describe("no reminder", () => {
	it("for a disabled reminder or an archived habit, even when a stale due value is left", async () => {
		const user = await personIn("UTC");
		const disabled = await habit(user, { name: "Disabled", reminder_time: "08:00" });
		const archived = await habit(user, { name: "Archived", reminder_time: "08:00" });
		await clockAt("2026-02-10T07:00:00.000Z", disabled, archived);
		// The schedule changes as a tick is about to run: the tick's read is stale, its write checks again.
		await env.DB.prepare("UPDATE habits SET reminder_enabled = 0 WHERE id = ?").bind(disabled.id).run();
		expect(mine(await tick("2026-02-10T08:00:00.000Z"), user).map((f) => f.habitId)).toEqual([archived.id]);
		expect(await nextOf(disabled.id)).toBeNull();
		expect((await call("DELETE", `/api/v1/garden/habits/${archived.id}`, { token: user.token })).status).toBe(
			204,
		);
		expect(await nextOf(archived.id)).toBeNull();
		expect(mine(await tick("2026-02-11T08:00:00.000Z"), user)).toEqual([]);
	});

	it("while the person is suspended (the reminders move on and resume after), or has left", async () => {
		const user = await personIn("UTC");
		const h = await habit(user, { reminder_time: "08:00" });
		await clockAt("2026-02-10T07:00:00.000Z", h);
		await setUserColumns(user.id, { suspended_until: "2026-02-11T00:00:00.000Z" });
		expect(mine(await tick("2026-02-10T08:00:00.000Z"), user)).toEqual([]);
		expect(await nextOf(h.id)).toBe("2026-02-11T08:00:00.000Z");
		expect(mine(await tick("2026-02-11T08:00:00.000Z"), user)).toHaveLength(1);

		const leaving = await personIn("UTC", "reminders-leaving");
		const theirs = await habit(leaving, { reminder_time: "08:00" });
		await clockAt("2026-02-10T07:00:00.000Z", theirs);
		expect((await call("DELETE", "/api/v1/users/me", { token: leaving.token })).status).toBeLessThan(300);
		expect(mine(await tick("2026-02-12T08:00:00.000Z"), leaving)).toEqual([]);
		expect(await nextOf(theirs.id)).toBeNull();
	});

	it("when the person turned habit reminders off in the app", async () => {
		const user = await personIn("UTC");
		const h = await habit(user, { reminder_time: "08:00" });
		await clockAt("2026-02-10T07:00:00.000Z", h);
		const prefs = await expectStatus<{ types: Record<string, { in_app: boolean; push: boolean }> }>(
			await call("GET", "/api/v1/notifications/preferences", { token: user.token }),
			200,
		);
		expect(prefs.types.habit_reminder).toEqual({ in_app: true, push: true });
		await expectStatus(
			await call("PATCH", "/api/v1/notifications/preferences", {
				token: user.token,
				body: { types: { habit_reminder: { in_app: false } } },
			}),
			200,
		);
		expect(mine(await tick("2026-02-10T08:00:00.000Z"), user)).toEqual([]);
		expect(await nextOf(h.id)).toBe("2026-02-11T08:00:00.000Z");
	});
});

describe("the cron", () => {
	it("runs reminders every minute, on their own schedule; wrangler.toml has exactly the schedules the tasks use", async () => {
		const crons = /crons\s*=\s*\[([^\]]*)\]/
			.exec(wranglerToml)?.[1]
			?.match(/"[^"]*"/g)
			?.map((c) => JSON.parse(c));
		expect(new Set(crons)).toEqual(new Set(CRONS));

		const user = await personIn("UTC");
		const h = await habit(user, { reminder_time: "08:00" });
		await clockAt("2026-02-10T07:00:00.000Z", h);
		const worker = (await import("../../src/index")).default;
		const run = async (cron: string) => {
			const ctx = createExecutionContext();
			await worker.scheduled(
				createScheduledController({ scheduledTime: Date.parse("2026-02-10T08:00:00.000Z"), cron }),
				env,
				ctx,
			);
			await waitOnExecutionContext(ctx);
		};
		await run(EVERY_TEN_MINUTES);
		expect(await remindersOf(user)).toEqual([]);
		await run(EVERY_MINUTE);
		expect(await remindersOf(user)).toHaveLength(1);
	});
});
