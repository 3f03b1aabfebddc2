/**
 * Habit reminders on the lock screen: the whole minute cron (`runScheduledTasks` with `* * * * *`) writes the
 * reminder, queues the person's push job, and the queue consumer pushes it to their browsers — verified and
 * decrypted by the stand-in push service. Across a DST change in two time zones each reminder is pushed once;
 * a habit already logged for the day, a type whose push is off, quiet hours: nothing pushed, the list unchanged
 * where it should be. A newer reminder of the same habit carries the same Topic, so it replaces an undelivered
 * older one on the device.
 *
 * Negative cases cannot wait for "nothing": each tick also fires a control person's reminder, whose push job
 * travels in the same queue batch; once the control's push has arrived, the other job has been handled.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { EVERY_MINUTE, runScheduledTasks } from "../../src/scheduled";
import { call, expectStatus, signUp, type TestUser } from "../support/api";
import { eventually } from "../support/eventually";
import { type Inbox, newReceiver, type Receiver } from "./helpers";

type Habit = { id: string };

async function subscribed(timezone: string, label: string): Promise<{ user: TestUser; receiver: Receiver }> {
	const user = await signUp(label);
	await expectStatus(await call("PATCH", "/api/v1/users/me", { token: user.token, body: { timezone } }), 200);
	const receiver = await newReceiver();
	await expectStatus(
		await call("POST", "/api/v1/push/subscriptions", {
			token: user.token,
			body: { ...receiver.subscription, expirationTime: null },
		}),
		201,
	);
	return { user, receiver };
}

async function habit(user: TestUser, name: string, reminderTime: string): Promise<Habit> {
	return expectStatus<Habit>(
		await call("POST", "/api/v1/garden/habits", {
			token: user.token,
			body: { name, category: "mindfulness", reminder_enabled: true, reminder_time: reminderTime },
		}),
		201,
	);
}

/** Puts a habit on the cron's clock: its next reminder is `iso` (the API scheduled it from the real clock). */
async function dueAt(h: Habit, iso: string): Promise<void> {
	await env.DB.prepare("UPDATE habits SET next_reminder_at = ?, start_date = '2026-01-01' WHERE id = ?")
		.bind(iso, h.id)
		.run();
}

const cronAt = (iso: string) => runScheduledTasks(env, new Date(iso), EVERY_MINUTE);

const reminderPushes = (inbox: Inbox) =>
	inbox.messages.filter((m) => (m.payload as { type?: string }).type === "habit_reminder");

/** A control person whose reminder fires at `iso`: answers a wait for its push. */
async function control(iso: string) {
	const { user, receiver } = await subscribed("UTC", "reminder-control");
	// Its reminder time is the instant's own UTC wall time, so the tick at `iso` fires it.
	await dueAt(await habit(user, "Control", iso.slice(11, 16)), iso);
	return async () => {
		const inbox = await eventually(receiver.inbox, (value) => reminderPushes(value).length > 0);
		expect(reminderPushes(inbox), "the control's push arrived").toHaveLength(1);
	};
}

describe("habit reminders are pushed", () => {
	it("at the local time, once, with a payload the service worker can show", async () => {
		const { user, receiver } = await subscribed("America/New_York", "reminder-push");
		const h = await habit(user, "Evening walk", "19:00");
		await dueAt(h, "2026-02-10T00:00:00.000Z");
		await cronAt("2026-02-10T00:00:00.000Z");
		const inbox = await eventually(receiver.inbox, (value) => reminderPushes(value).length > 0);
		expect(inbox.failures).toEqual([]);
		const [push] = reminderPushes(inbox);
		const [stored] = (
			await env.DB.prepare("SELECT id FROM notifications WHERE user_id = ? AND type = 'habit_reminder'")
				.bind(user.id)
				.all<{ id: string }>()
		).results;
		expect(push?.payload).toEqual({
			type: "habit_reminder",
			title: "Habit reminder",
			body: "Time for “Evening walk”.",
			url: `/habits/${h.id}`,
			tag: push?.headers.topic,
			notification_id: stored?.id,
		});
		expect(push?.headers.topic).toMatch(/^[A-Za-z0-9_-]{32}$/);
		expect(Number(push?.headers.ttl)).toBeGreaterThan(0);

		// The same minute again: nothing new is written, nothing pushed twice.
		const check = await control("2026-02-10T00:00:00.000Z");
		await cronAt("2026-02-10T00:00:00.000Z");
		await check();
		expect(reminderPushes(await receiver.inbox())).toHaveLength(1);

		// The next day's reminder has the same Topic: an undelivered older one is replaced, not stacked.
		await cronAt("2026-02-11T00:00:00.000Z");
		const next = await eventually(receiver.inbox, (value) => reminderPushes(value).length > 1);
		const topics = reminderPushes(next).map((m) => m.headers.topic);
		expect(topics).toHaveLength(2);
		expect(topics[1]).toBe(topics[0]);
	});

	it("across DST in New York and Berlin: a minute that does not exist, and one that happens twice, push once", async () => {
		const ny = await subscribed("America/New_York", "reminder-dst-ny");
		const berlin = await subscribed("Europe/Berlin", "reminder-dst-berlin");
		// New York springs forward on 2026-03-08: 02:30 does not exist, it fires at 03:00 EDT (07:00 UTC).
		const gap = await habit(ny.user, "Gap", "02:30");
		// Berlin falls back on 2026-10-25: 02:30 happens twice, first at 00:30 UTC.
		const twice = await habit(berlin.user, "Twice", "02:30");
		await env.DB.prepare(
			"UPDATE habits SET next_reminder_at = NULL, start_date = '2026-01-01' WHERE id IN (?, ?)",
		)
			.bind(gap.id, twice.id)
			.run();
		// Scheduled by the tick's backfill from the night before each change, then the cron through the night.
		await cronAt("2026-03-08T04:00:00.000Z");
		await cronAt("2026-03-08T06:59:00.000Z");
		await cronAt("2026-03-08T07:00:00.000Z");
		await cronAt("2026-03-08T07:01:00.000Z");
		const nyInbox = await eventually(ny.receiver.inbox, (value) => reminderPushes(value).length > 0);
		expect(reminderPushes(nyInbox)).toHaveLength(1);

		await env.DB.prepare("UPDATE habits SET next_reminder_at = NULL WHERE id = ?").bind(twice.id).run();
		await cronAt("2026-10-24T22:00:00.000Z");
		for (const at of ["00:29", "00:30", "00:31", "01:29", "01:30", "01:31"])
			await cronAt(`2026-10-25T${at}:00.000Z`);
		const check = await control("2026-10-25T01:31:00.000Z");
		await cronAt("2026-10-25T01:31:00.000Z");
		await check();
		const berlinInbox = await berlin.receiver.inbox();
		expect(reminderPushes(berlinInbox)).toHaveLength(1);
		expect(berlinInbox.failures).toEqual([]);
	});

	it("not when the habit is already logged for the day, nor when its push is turned off; still in the list then", async () => {
		// Real today (a log is for the person's own today): due at 00:00 UTC, the cron has not fired it yet.
		const today = new Date().toISOString().slice(0, 10);
		const due = `${today}T00:00:00.000Z`;
		const logged = await subscribed("UTC", "reminder-logged");
		const h = await habit(logged.user, "Logged", "00:00");
		await expectStatus(
			await call("POST", `/api/v1/garden/habits/${h.id}/logs`, { token: logged.user.token, body: {} }),
			201,
		);
		await dueAt(h, due);

		const off = await subscribed("UTC", "reminder-push-off");
		await expectStatus(
			await call("PATCH", "/api/v1/notifications/preferences", {
				token: off.user.token,
				body: { types: { habit_reminder: { push: false } } },
			}),
			200,
		);
		await dueAt(await habit(off.user, "Quiet", "00:00"), due);

		const check = await control(due);
		await cronAt(new Date().toISOString());
		await check();
		expect((await logged.receiver.inbox()).messages).toEqual([]);
		expect((await off.receiver.inbox()).messages).toEqual([]);
		const listed = await env.DB.prepare(
			"SELECT user_id FROM notifications WHERE type = 'habit_reminder' AND user_id IN (?, ?)",
		)
			.bind(logged.user.id, off.user.id)
			.all<{ user_id: string }>();
		expect(listed.results.map((row) => row.user_id)).toEqual([off.user.id]);
	});

	it("missed ticks: the reminder is pushed late, once", async () => {
		const { user, receiver } = await subscribed("UTC", "reminder-missed");
		await dueAt(await habit(user, "Late", "08:00"), "2026-02-10T08:00:00.000Z");
		// The ticks of 08:00 to 08:06 never ran.
		await cronAt("2026-02-10T08:07:00.000Z");
		await eventually(receiver.inbox, (value) => reminderPushes(value).length > 0);
		const check = await control("2026-02-10T08:08:00.000Z");
		await cronAt("2026-02-10T08:08:00.000Z");
		await check();
		expect(reminderPushes(await receiver.inbox())).toHaveLength(1);
	});
});
