/**
 * Notifications to many people go through the notifications queue: the action writes a fan-out row in its
 * own batch, the request hands it to the queue after answering (the cron hands over what that missed), and
 * the consumer writes every notification in one statement and finishes the fan-out. A redelivered message
 * writes nothing twice; a failing one is retried. Types: event_updated, event_cancelled (everyone going or
 * waitlisted), guardian_alert (every active guardian, when an urgent item enters the queue).
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { dispatchFanOuts, fanOutsStatement } from "../../src/core/fan-outs";
import { createDb } from "../../src/db/client";
import worker from "../../src/index";
import { processFanOut } from "../../src/modules/notifications";
import { runScheduledTasks } from "../../src/scheduled";
import { createRequest } from "../anonymous-support/helpers";
import { createEvent, createGroup, insertActiveMembers, join, organiser, rsvp } from "../fellowship/helpers";
import { guardian } from "../guardians/helpers";
import { connectedPair, sendRest } from "../orchard/helpers";
import { call, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { eventually } from "../support/eventually";

type Notification = { type: string; subject: { type: string; id: string }; text: string; actors: unknown[] };

const notificationsOf = async (userId: string, type: string) =>
	(
		await env.DB.prepare("SELECT id FROM notifications WHERE user_id = ? AND type = ?")
			.bind(userId, type)
			.all<{ id: string }>()
	).results;

const fanOutsLeft = async (dedupeKey: string) =>
	(
		await env.DB.prepare("SELECT count(*) AS n FROM notification_fan_outs WHERE dedupe_key = ?")
			.bind(dedupeKey)
			.first<{ n: number }>()
	)?.n ?? 0;

async function eventWithAttendees(label: string, going: number) {
	const owner = await organiser(`${label}-owner`);
	const group = await createGroup(owner);
	const event = await createEvent(owner, group.id, { capacity: going });
	const people = await insertActiveMembers(group.id, going + 2);
	// `going` people fill the event, one more is waitlisted, one says maybe.
	for (const person of people.slice(0, going + 1))
		await expectStatus(await rsvp(person, event.id, "going"), 200);
	await expectStatus(await rsvp(people[going + 1] as TestUser, event.id, "maybe"), 200);
	return {
		owner,
		group,
		event,
		going: people.slice(0, going),
		waitlisted: people[going] as TestUser,
		maybe: people[going + 1] as TestUser,
	};
}

describe("events: everyone going or waitlisted is told, through the queue", () => {
	it("cancelled: each person going or waiting gets one notification; not the organiser, not a maybe", async () => {
		const { owner, event, going, waitlisted, maybe } = await eventWithAttendees("fan-cancel", 20);
		await expectStatus(
			await call("POST", `/api/v1/fellowship/events/${event.id}/cancel`, { token: owner.token }),
			200,
		);
		const told = [...going, waitlisted];
		const last = told.at(-1) as TestUser;
		await eventually(
			() => notificationsOf(last.id, "event_cancelled"),
			(rows) => rows.length > 0,
		);
		for (const person of told)
			expect(await notificationsOf(person.id, "event_cancelled"), person.id).toHaveLength(1);
		expect(await notificationsOf(maybe.id, "event_cancelled")).toHaveLength(0);
		expect(await notificationsOf(owner.id, "event_cancelled")).toHaveLength(0);
		expect(await fanOutsLeft(`event_cancelled:${event.id}`)).toBe(0);
		const page = await expectStatus<{ data: Notification[] }>(
			await call("GET", "/api/v1/notifications", { token: waitlisted.token }),
			200,
		);
		expect(page.data[0]).toMatchObject({
			type: "event_cancelled",
			subject: { type: "event", id: event.id },
			text: "“Saturday run” was cancelled.",
		});
	});

	it("updated: told once per applied edit (two edits, two notifications)", async () => {
		const { owner, event, going } = await eventWithAttendees("fan-update", 3);
		const edit = (body: Record<string, unknown>) =>
			call("PATCH", `/api/v1/fellowship/events/${event.id}`, { token: owner.token, body });
		await expectStatus(await edit({ location: "The north gate" }), 200);
		await expectStatus(await edit({ title: "Saturday run (moved)" }), 200);
		const first = going[0] as TestUser;
		const rows = await eventually(
			() => notificationsOf(first.id, "event_updated"),
			(r) => r.length >= 2,
		);
		expect(rows).toHaveLength(2);
		const pending = async () =>
			(
				await env.DB.prepare("SELECT count(*) AS n FROM notification_fan_outs WHERE dedupe_key LIKE ?")
					.bind(`event_updated:${event.id}:%`)
					.first<{ n: number }>()
			)?.n ?? 0;
		expect(await eventually(pending, (n) => n === 0)).toBe(0);
	});

	it("never tells a person blocked by (or blocking) the organiser", async () => {
		const { owner, event, going } = await eventWithAttendees("fan-block", 3);
		const [blockedByOwner, blockingOwner] = going as [TestUser, TestUser];
		await expectStatus(
			await call("PUT", `/api/v1/orchard/blocks/${blockedByOwner.id}`, { token: owner.token }),
			201,
		);
		await expectStatus(
			await call("PUT", `/api/v1/orchard/blocks/${owner.id}`, { token: blockingOwner.token }),
			201,
		);
		await expectStatus(
			await call("POST", `/api/v1/fellowship/events/${event.id}/cancel`, { token: owner.token }),
			200,
		);
		const third = going[2] as TestUser;
		await eventually(
			() => notificationsOf(third.id, "event_cancelled"),
			(rows) => rows.length > 0,
		);
		expect(await notificationsOf(blockedByOwner.id, "event_cancelled")).toHaveLength(0);
		expect(await notificationsOf(blockingOwner.id, "event_cancelled")).toHaveLength(0);
	});
});

describe("waitlist promotion", () => {
	it("tells the person moved from the waitlist to going, once", async () => {
		const { event, going, waitlisted } = await eventWithAttendees("promote", 1);
		const leaving = going[0] as TestUser;
		await expectStatus(await rsvp(leaving, event.id, "not_going"), 200);
		const rows = await eventually(
			() => notificationsOf(waitlisted.id, "waitlist_promoted"),
			(r) => r.length > 0,
		);
		expect(rows).toHaveLength(1);
		const page = await expectStatus<{ data: Notification[] }>(
			await call("GET", "/api/v1/notifications", { token: waitlisted.token }),
			200,
		);
		expect(page.data[0]).toMatchObject({
			type: "waitlist_promoted",
			subject: { type: "event", id: event.id },
			actors: [],
			text: "A place opened up: you are going to “Saturday run”.",
		});
		expect(await notificationsOf(leaving.id, "waitlist_promoted")).toHaveLength(0);
	});
});

describe("guardian alerts", () => {
	it("tells every active guardian when an urgent item enters the queue, not a suspended one or anyone else", async () => {
		const guardians = [await guardian("alert-g1"), await guardian("alert-g2")];
		const resting = await guardian("alert-resting");
		await setUserColumns(resting.id, { suspended_until: "9999-12-31T23:59:59.999Z" });
		const member = await signUp("alert-member");
		const writer = await signUp("alert-writer");
		await createRequest(writer, {
			title: "I can't go on",
			body: "I have saved up enough pills and tonight I am going to take them all. I want to die.",
			category: "depression",
		});
		const [first] = guardians as [TestUser];
		await eventually(
			() => notificationsOf(first.id, "guardian_alert"),
			(rows) => rows.length > 0,
		);
		for (const g of guardians) expect(await notificationsOf(g.id, "guardian_alert")).toHaveLength(1);
		expect(await notificationsOf(resting.id, "guardian_alert")).toHaveLength(0);
		expect(await notificationsOf(member.id, "guardian_alert")).toHaveLength(0);
		expect(await notificationsOf(writer.id, "guardian_alert")).toHaveLength(0);
		const page = await expectStatus<{ data: Notification[] }>(
			await call("GET", "/api/v1/notifications", { token: first.token }),
			200,
		);
		expect(page.data.find((n) => n.type === "guardian_alert")).toMatchObject({
			subject: { type: "report" },
			actors: [],
			text: "Someone may be at risk: an urgent item is in the moderation queue.",
		});
	});

	it("an urgent chat message alerts the guardians at once, not at the next cron", async () => {
		const watcher = await guardian("alert-chat-g");
		const [writer, friend] = await connectedPair("alert-chat");
		const message = await sendRest(
			writer,
			friend.id,
			"I have saved up enough pills and tonight I am going to take them all.",
		);
		const item = await env.DB.prepare(
			"SELECT id FROM moderation_queue_items WHERE target_type = 'chat_message' AND target_id = ? AND is_urgent = 1",
		)
			.bind(message.id)
			.first<{ id: string }>();
		expect(item).not.toBeNull();
		const alerts = await eventually(
			() =>
				env.DB.prepare(
					"SELECT id FROM notifications WHERE user_id = ? AND type = 'guardian_alert' AND subject_id = ?",
				)
					.bind(watcher.id, item?.id)
					.all(),
			(rows) => rows.results.length > 0,
		);
		expect(alerts.results).toHaveLength(1);
	});
});

describe("delivery guarantees", () => {
	it("a redelivered fan-out never writes a second notification", async () => {
		const { owner, event, going } = await eventWithAttendees("fan-redeliver", 2);
		// The cancel's fan-out, before the queue has it: run it, restore it as if the consumer had died before
		// finishing it, and run it again.
		const db = createDb(env.DB);
		await expectStatus(
			await call("POST", `/api/v1/fellowship/events/${event.id}/cancel`, { token: owner.token }),
			200,
		);
		const row = await env.DB.prepare("SELECT * FROM notification_fan_outs WHERE dedupe_key = ?")
			.bind(`event_cancelled:${event.id}`)
			.first<Record<string, unknown>>();
		if (row) {
			await processFanOut(db, String(row.id));
			await env.DB.prepare(
				"INSERT INTO notification_fan_outs (id, kind, subject_id, actor_id, dedupe_key, data, created_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
			)
				.bind(row.id, row.kind, row.subject_id, row.actor_id, row.dedupe_key, row.data, row.created_at)
				.run();
			expect(await processFanOut(db, String(row.id))).toEqual([]);
		}
		await eventually(
			() => fanOutsLeft(`event_cancelled:${event.id}`),
			(n) => n === 0,
		);
		for (const person of going) expect(await notificationsOf(person.id, "event_cancelled")).toHaveLength(1);
	});

	it("retries a message that fails, and acks the ones that worked", async () => {
		await env.DB.prepare(
			"INSERT INTO notification_fan_outs (id, kind, subject_id, actor_id, dedupe_key, data, created_at, attempts) VALUES (?, 'no_such_kind', ?, NULL, ?, '{}', ?, 0)",
		)
			.bind("broken-fan-out", "x", "broken:1", new Date().toISOString())
			.run();
		const batch = createMessageBatch("flourish-notifications", [
			{ id: "m-broken", timestamp: new Date(), attempts: 1, body: { fanOutId: "broken-fan-out" } },
			{ id: "m-done", timestamp: new Date(), attempts: 1, body: { fanOutId: "already-finished" } },
		]);
		const ctx = createExecutionContext();
		await worker.queue(batch, env);
		const result = await getQueueResult(batch, ctx);
		expect(result.explicitAcks).toEqual(["m-done"]);
		expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m-broken"]);
		await env.DB.prepare("DELETE FROM notification_fan_outs WHERE id = 'broken-fan-out'").run();
	});

	it("the cron hands over a fan-out the request never handed to the queue", async () => {
		const { event, going } = await eventWithAttendees("fan-cron", 2);
		// Written as if the request died right after its commit: never dispatched.
		await env.DB.prepare(
			"INSERT INTO notification_fan_outs (id, kind, subject_id, actor_id, dedupe_key, data, created_at, attempts) VALUES (?, 'event_cancelled', ?, NULL, ?, '{\"title\":\"Saturday run\"}', ?, 0)",
		)
			.bind(crypto.randomUUID(), event.id, `event_cancelled:${event.id}`, new Date().toISOString())
			.run();
		await runScheduledTasks(env);
		const first = going[0] as TestUser;
		const rows = await eventually(
			() => notificationsOf(first.id, "event_cancelled"),
			(r) => r.length > 0,
		);
		expect(rows).toHaveLength(1);
	});
});

describe("many fan-outs at once", () => {
	it("hands over more than one queue send holds (100) and one statement binds (100 values)", async () => {
		const db = createDb(env.DB);
		const now = new Date();
		// Guardian alerts of queue items that do not exist: the consumer notifies no one and finishes each.
		const written = await fanOutsStatement(
			db,
			Array.from({ length: 150 }, () => {
				const item = crypto.randomUUID();
				return {
					kind: "guardian_alert" as const,
					subjectId: item,
					actorId: null,
					dedupeKey: `test-many:${item}`,
				};
			}),
			now,
		);
		expect(written).toHaveLength(150);
		expect(await dispatchFanOuts(env, db, now, new Set(written.map((row) => row.id)))).toBe(150);
		const left = await eventually(
			async () =>
				(
					await env.DB.prepare(
						"SELECT count(*) AS n FROM notification_fan_outs WHERE dedupe_key LIKE 'test-many:%'",
					).first<{
						n: number;
					}>()
				)?.n ?? -1,
			(n) => n === 0,
			20,
		);
		expect(left, "every fan-out reached the consumer").toBe(0);
	});
});

describe("joining a group leaves no one behind", () => {
	it("(sanity) a member who joined after the fan-out was written is not told of what happened before", async () => {
		const { owner, group, event } = await eventWithAttendees("fan-late", 1);
		await expectStatus(
			await call("POST", `/api/v1/fellowship/events/${event.id}/cancel`, { token: owner.token }),
			200,
		);
		const late = await signUp("fan-late-joiner");
		await join(late, group.id);
		await eventually(
			() => fanOutsLeft(`event_cancelled:${event.id}`),
			(n) => n === 0,
		);
		expect(await notificationsOf(late.id, "event_cancelled")).toHaveLength(0);
	});
});
