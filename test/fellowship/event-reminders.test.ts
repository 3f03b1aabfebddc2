/**
 * Event reminders, end to end: events and RSVPs made through HTTP, the cron's minute task run at chosen
 * instants around each event's start, the fan-outs going through the real notifications queue, the
 * notifications read back (rows and `GET /notifications`). 24 h and 1 h before the start, everyone going is
 * reminded once — not a maybe, not someone waiting for a place, not someone who withdrew or left the group,
 * not someone who turned the type off; nothing for a cancelled event (cancelled before the tick, or between
 * the fan-out and the consumer), a hidden one or one of a deleted group. Repeated, overlapping and late
 * ticks remind once; an event created 3 h ahead has no 24 h reminder; a moved event is reminded of at its new
 * time. Each test's event starts at its own hour, so no tick of one test is in the window of another's.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { runEventReminders } from "../../src/modules/fellowship";
import { eventReminderKey, writeEventReminders } from "../../src/modules/fellowship/reminders";
import { processFanOut } from "../../src/modules/notifications";
import { call, expectStatus, type TestUser } from "../support/api";
import { eventually } from "../support/eventually";
import {
	createEvent,
	createGroup,
	type GroupEvent,
	inHours,
	insertActiveMembers,
	organiser,
	rsvp,
} from "./helpers";

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

type Notification = {
	type: string;
	subject: { type: string; id: string };
	text: string;
	actors: unknown[];
	read_at: string | null;
};
type Event = GroupEvent & { starts_at: string; title: string };

/** The event_reminder notifications of a person, as stored. */
const remindersOf = async (userId: string) =>
	(
		await env.DB.prepare(
			"SELECT subject_id, group_key, data FROM notifications WHERE user_id = ? AND type = 'event_reminder' ORDER BY created_at, id",
		)
			.bind(userId)
			.all<{ subject_id: string; group_key: string; data: string }>()
	).results;

const fanOutsOf = async (eventId: string) =>
	(
		await env.DB.prepare(
			"SELECT id, dedupe_key, data FROM notification_fan_outs WHERE kind = 'event_reminder' AND subject_id = ?",
		)
			.bind(eventId)
			.all<{ id: string; dedupe_key: string; data: string }>()
	).results;

/** The minute task at `ms` before the event's start (negative: after); answers the fan-outs it wrote for it. */
async function tickBefore(event: Event, ms: number): Promise<string[]> {
	const tick = await runEventReminders(env, new Date(Date.parse(event.starts_at) - ms));
	const mine = new Set((await fanOutsOf(event.id)).map((row) => row.id));
	return tick.written.filter((id) => mine.has(id));
}

/** Until the event's reminder fan-outs are all finished by the consumer. */
const drained = async (event: Event) =>
	expect(
		await eventually(
			() => fanOutsOf(event.id),
			(rows) => rows.length === 0,
		),
	).toEqual([]);

const rsvpStatus = async (eventId: string, userId: string) =>
	(
		await env.DB.prepare("SELECT status FROM event_rsvps WHERE event_id = ? AND user_id = ?")
			.bind(eventId, userId)
			.first<{ status: string }>()
	)?.status ?? null;

/** An event `hours` ahead in a new group, with `count` active members. */
async function eventAhead(label: string, hours: number, count: number, body: Record<string, unknown> = {}) {
	const owner = await organiser(`${label}-owner`);
	const group = await createGroup(owner);
	const event = (await createEvent(owner, group.id, {
		starts_at: inHours(hours),
		ends_at: inHours(hours + 2),
		...body,
	})) as Event;
	const people = await insertActiveMembers(group.id, count);
	return { owner, group, event, people };
}

async function going(event: Event, people: readonly TestUser[]) {
	for (const person of people) await expectStatus(await rsvp(person, event.id, "going"), 200);
}

describe("24 h and 1 h before the start, everyone going is reminded", () => {
	it("reaches each person going, once per lead; not a maybe, a waitlisted person, one who withdrew or left, or the type turned off", async () => {
		const { owner, group, event, people } = await eventAhead("rem-who", 30, 8, { capacity: 4 });
		const [a, b, withdrew, left, waiting, secondWaiting, maybe, quiet] = people as [
			TestUser,
			TestUser,
			TestUser,
			TestUser,
			TestUser,
			TestUser,
			TestUser,
			TestUser,
		];
		// a, b, withdrew, left fill the event; waiting and secondWaiting wait; maybe says maybe.
		await going(event, [a, b, withdrew, left, waiting, secondWaiting]);
		await expectStatus(await rsvp(maybe, event.id, "maybe"), 200);
		// withdrew and left go: waiting and secondWaiting move up to going, in turn.
		await expectStatus(await rsvp(withdrew, event.id, "not_going"), 200);
		await expectStatus(
			await call("DELETE", `/api/v1/fellowship/groups/${group.id}/members/${left.id}`, { token: left.token }),
			204,
		);
		// The event is full again (a, b, waiting, secondWaiting): quiet waits for a place.
		await expectStatus(await rsvp(quiet, event.id, "going"), 200);
		expect(await rsvpStatus(event.id, withdrew.id)).toBe("not_going");
		expect(
			await eventually(
				() => rsvpStatus(event.id, left.id),
				(s) => s === "not_going",
			),
		).toBe("not_going");
		expect(await rsvpStatus(event.id, waiting.id)).toBe("going");
		expect(await rsvpStatus(event.id, secondWaiting.id)).toBe("going");
		expect(await rsvpStatus(event.id, quiet.id)).toBe("waitlisted");

		const told = [a, b, waiting, secondWaiting];
		// One of them turned the type off in the app.
		const off = b;
		await expectStatus(
			await call("PATCH", "/api/v1/notifications/preferences", {
				token: off.token,
				body: { types: { event_reminder: { in_app: false } } },
			}),
			200,
		);

		// The 24 h reminder: due from exactly 24 h before the start.
		expect(await tickBefore(event, 24 * HOUR_MS + MINUTE_MS)).toEqual([]);
		expect(await tickBefore(event, 24 * HOUR_MS)).toHaveLength(1);
		await drained(event);
		const dayKey = eventReminderKey(event.id, "24h", event.starts_at);
		for (const person of told.filter((p) => p !== off)) {
			expect(await remindersOf(person.id), person.id).toEqual([
				{
					subject_id: event.id,
					group_key: dayKey,
					data: JSON.stringify({ title: "Saturday run", lead: "24h", starts_at: event.starts_at }),
				},
			]);
		}
		for (const person of [off, withdrew, left, maybe, quiet, owner])
			expect(await remindersOf(person.id), person.id).toEqual([]);
		const page = await expectStatus<{ data: Notification[] }>(
			await call("GET", "/api/v1/notifications", { token: a.token }),
			200,
		);
		expect(page.data[0]).toMatchObject({
			type: "event_reminder",
			subject: { type: "event", id: event.id },
			actors: [],
			read_at: null,
			text: "“Saturday run” starts in 24 hours.",
		});

		// The 1 h reminder: due from exactly 1 h before; the same people.
		expect(await tickBefore(event, HOUR_MS + MINUTE_MS)).toEqual([]);
		expect(await tickBefore(event, HOUR_MS)).toHaveLength(1);
		await drained(event);
		const hourKey = eventReminderKey(event.id, "1h", event.starts_at);
		for (const person of told.filter((p) => p !== off))
			expect(
				(await remindersOf(person.id)).map((r) => r.group_key),
				person.id,
			).toEqual([dayKey, hourKey]);
		for (const person of [off, withdrew, left, maybe, quiet, owner])
			expect(await remindersOf(person.id), person.id).toEqual([]);
		const latest = await expectStatus<{ data: Notification[] }>(
			await call("GET", "/api/v1/notifications", { token: waiting.token }),
			200,
		);
		expect(latest.data[0]).toMatchObject({
			type: "event_reminder",
			text: "“Saturday run” starts in 1 hour.",
		});
		// Once it has started, nothing more.
		expect(await tickBefore(event, 0)).toEqual([]);
		expect(await tickBefore(event, -MINUTE_MS)).toEqual([]);
	});

	it("an event no one is going to writes no fan-out", async () => {
		const { event, people } = await eventAhead("rem-nobody", 35, 1);
		await expectStatus(await rsvp(people[0] as TestUser, event.id, "maybe"), 200);
		expect(await tickBefore(event, 24 * HOUR_MS)).toEqual([]);
		expect(await fanOutsOf(event.id)).toEqual([]);
	});
});

describe("exactly once", () => {
	it("a repeated tick, overlapping ticks and every minute of the window remind once; a missed tick is caught up", async () => {
		const { event, people } = await eventAhead("rem-once", 40, 3);
		await going(event, people);
		// Missed ticks: the first one to run is 30 minutes into the window, and twice at once.
		const [first, second] = await Promise.all([
			tickBefore(event, 24 * HOUR_MS - 30 * MINUTE_MS),
			tickBefore(event, 24 * HOUR_MS - 30 * MINUTE_MS),
		]);
		expect([...(first ?? []), ...(second ?? [])]).toHaveLength(1);
		// The same minute again, while the fan-out waits for the consumer or after it: nothing new.
		expect(await tickBefore(event, 24 * HOUR_MS - 30 * MINUTE_MS)).toEqual([]);
		await drained(event);
		for (let m = 31; m < 60; m += 7)
			expect(await tickBefore(event, 24 * HOUR_MS - m * MINUTE_MS)).toEqual([]);
		// The window's end: the 24 h reminder is no longer due, the 1 h one not yet.
		expect(await tickBefore(event, 23 * HOUR_MS)).toEqual([]);
		for (const person of people) expect(await remindersOf(person.id), person.id).toHaveLength(1);
	});

	it("a fan-out written again after the consumer finished one writes no second notification", async () => {
		const { event, people } = await eventAhead("rem-again", 45, 2);
		await going(event, people);
		const db = createDb(env.DB);
		const now = new Date(Date.parse(event.starts_at) - HOUR_MS);
		await writeEventReminders(db, now);
		const rows = await fanOutsOf(event.id);
		expect(rows).toHaveLength(1);
		const row = rows[0] as { id: string; dedupe_key: string; data: string };
		expect(await processFanOut(db, row.id)).toHaveLength(2);
		// As if a tick had read just before the consumer finished: the same fan-out once more.
		await env.DB.prepare(
			"INSERT INTO notification_fan_outs (id, kind, subject_id, actor_id, dedupe_key, data, created_at, attempts) VALUES (?, 'event_reminder', ?, NULL, ?, ?, ?, 0)",
		)
			.bind(crypto.randomUUID(), event.id, row.dedupe_key, row.data, now.toISOString())
			.run();
		const again = (await fanOutsOf(event.id))[0] as { id: string };
		expect(await processFanOut(db, again.id)).toEqual([]);
		for (const person of people) expect(await remindersOf(person.id), person.id).toHaveLength(1);
	});

	it("an event created 3 h ahead gets no 24 h reminder, only the 1 h one", async () => {
		const { event, people } = await eventAhead("rem-late", 3, 2);
		await going(event, people);
		// Every tick from now until its 1 h reminder is due (every 10 minutes stands for every minute).
		for (let ms = Date.parse(event.starts_at) - Date.now(); ms > HOUR_MS; ms -= 10 * MINUTE_MS)
			expect(await tickBefore(event, ms)).toEqual([]);
		expect(await tickBefore(event, HOUR_MS)).toHaveLength(1);
		await drained(event);
		for (const person of people) {
			expect(
				(await remindersOf(person.id)).map((r) => r.group_key),
				person.id,
			).toEqual([eventReminderKey(event.id, "1h", event.starts_at)]);
		}
	});
});

describe("nothing about an event that is off", () => {
	it("cancelled before the tick: no fan-out, no reminder", async () => {
		const { owner, event, people } = await eventAhead("rem-cancel", 50, 2);
		await going(event, people);
		await expectStatus(
			await call("POST", `/api/v1/fellowship/events/${event.id}/cancel`, { token: owner.token }),
			200,
		);
		expect(await tickBefore(event, 24 * HOUR_MS)).toEqual([]);
		expect(await tickBefore(event, HOUR_MS)).toEqual([]);
		for (const person of people) expect(await remindersOf(person.id)).toEqual([]);
	});

	it("cancelled after the fan-out was written, before the consumer ran: nothing is written", async () => {
		const { owner, event, people } = await eventAhead("rem-cancel-late", 55, 2);
		await going(event, people);
		const db = createDb(env.DB);
		// The tick's write, not yet handed to the queue.
		await writeEventReminders(db, new Date(Date.parse(event.starts_at) - 24 * HOUR_MS));
		const [fanOut] = await fanOutsOf(event.id);
		expect(fanOut).toBeDefined();
		await expectStatus(
			await call("POST", `/api/v1/fellowship/events/${event.id}/cancel`, { token: owner.token }),
			200,
		);
		expect(await processFanOut(db, (fanOut as { id: string }).id)).toEqual([]);
		expect(await fanOutsOf(event.id)).toEqual([]);
		for (const person of people) expect(await remindersOf(person.id)).toEqual([]);
	});

	it("a hidden event, or one of a deleted group: none", async () => {
		const hidden = await eventAhead("rem-hidden", 60, 1);
		await going(hidden.event, hidden.people);
		await env.DB.prepare("UPDATE group_events SET moderation_status = 'hidden' WHERE id = ?")
			.bind(hidden.event.id)
			.run();
		expect(await tickBefore(hidden.event, 24 * HOUR_MS)).toEqual([]);

		const gone = await eventAhead("rem-gone", 65, 1);
		await going(gone.event, gone.people);
		await expectStatus(
			await call("DELETE", `/api/v1/fellowship/groups/${gone.group.id}`, { token: gone.owner.token }),
			204,
		);
		expect(await tickBefore(gone.event, 24 * HOUR_MS)).toEqual([]);
		for (const person of [...hidden.people, ...gone.people]) expect(await remindersOf(person.id)).toEqual([]);
	});
});

describe("a moved event", () => {
	it("is reminded of at its new time; a reminder of the old time not yet written is dropped", async () => {
		const { owner, event, people } = await eventAhead("rem-moved", 70, 2);
		await going(event, people);
		// The 24 h reminder of the original time is delivered.
		expect(await tickBefore(event, 24 * HOUR_MS)).toHaveLength(1);
		await drained(event);
		// The 1 h fan-out of the original time is written, then the event moves 5 h later before it runs.
		const db = createDb(env.DB);
		await writeEventReminders(db, new Date(Date.parse(event.starts_at) - HOUR_MS));
		const [stale] = await fanOutsOf(event.id);
		const moved = await expectStatus<Event>(
			await call("PATCH", `/api/v1/fellowship/events/${event.id}`, {
				token: owner.token,
				body: { starts_at: inHours(75), ends_at: inHours(77) },
			}),
			200,
		);
		expect(await processFanOut(db, (stale as { id: string }).id)).toEqual([]);
		// At the new time, both reminders again (the old ones said a time that is no longer true).
		expect(await tickBefore(moved, 24 * HOUR_MS)).toHaveLength(1);
		expect(await tickBefore(moved, HOUR_MS)).toHaveLength(1);
		await drained(moved);
		for (const person of people) {
			expect(
				(await remindersOf(person.id)).map((r) => r.group_key),
				person.id,
			).toEqual([
				eventReminderKey(event.id, "24h", event.starts_at),
				eventReminderKey(event.id, "24h", moved.starts_at),
				eventReminderKey(event.id, "1h", moved.starts_at),
			]);
		}
	});
});
