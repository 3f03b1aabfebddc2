/**
 * Group events: owners and moderators create, edit and cancel them (cancelled is final); times, places and
 * capacity are validated; lists show upcoming events soonest first and past ones latest first, with the
 * RSVP counts mirrored in D1; an event that has ended reads as `completed` and takes no more changes.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/lib/ids";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";
import { createEvent, createGroup, type GroupEvent, inHours, join, organiser, rsvp } from "./helpers";

const GROUPS = "/api/v1/fellowship/groups";
const EVENTS = "/api/v1/fellowship/events";
type Page = { data: GroupEvent[]; next_cursor: string | null };

/** An event straight into D1 (the API only creates future events). */
async function insertEvent(groupId: string, createdBy: string, startsInHours: number, endsInHours: number) {
	const id = newId();
	const now = new Date().toISOString();
	await env.DB.prepare(
		`INSERT INTO group_events (id, group_id, created_by, title, event_type, starts_at, ends_at, url, created_at, updated_at)
		 VALUES (?, ?, ?, 'Inserted', 'online', ?, ?, 'https://meet.example/x', ?, ?)`,
	)
		.bind(id, groupId, createdBy, inHours(startsInHours), inHours(endsInHours), now, now)
		.run();
	return id;
}

async function groupWithMember() {
	const owner = await organiser("event-owner");
	const group = await createGroup(owner);
	const member = await signUp("event-member");
	await expectStatus(await join(member, group.id), 201);
	return { owner, group, member };
}

describe("POST /fellowship/groups/{group_id}/events", () => {
	it("lets owners and moderators create online, in-person and hybrid events", async () => {
		const { owner, group, member } = await groupWithMember();
		const online = await createEvent(owner, group.id, {
			event_type: "online",
			location: null,
			url: "https://meet.example/run",
			timezone: "Europe/London",
			capacity: 10,
		});
		expect(online).toMatchObject({
			group_id: group.id,
			status: "scheduled",
			capacity: 10,
			rsvp_counts: { going: 0, maybe: 0, waitlisted: 0, capacity: 10, spots_left: 10 },
			my_rsvp: null,
		});
		await createEvent(owner, group.id, { event_type: "hybrid", url: "https://meet.example/h" });
		await expectStatus(
			await call("PATCH", `${GROUPS}/${group.id}/members/${member.id}`, {
				token: owner.token,
				body: { role: "moderator" },
			}),
			200,
		);
		const byModerator = await createEvent(member, group.id);
		expect(byModerator.capacity).toBeNull();
	});

	it("is 403 for members and strangers, 404 for unknown groups, 401 anonymously", async () => {
		const { group, member } = await groupWithMember();
		const body = {
			title: "Mine",
			event_type: "online",
			url: "https://x.example",
			starts_at: inHours(5),
			ends_at: inHours(6),
		};
		await expectProblem(
			await call("POST", `${GROUPS}/${group.id}/events`, { token: member.token, body }),
			403,
		);
		const stranger = await signUp("stranger");
		await expectProblem(
			await call("POST", `${GROUPS}/${group.id}/events`, { token: stranger.token, body }),
			403,
		);
		await expectProblem(
			await call("POST", `${GROUPS}/0190d4b1-0000-7000-8000-000000000000/events`, {
				token: member.token,
				body,
			}),
			404,
		);
		await expectProblem(await call("POST", `${GROUPS}/${group.id}/events`, { body }), 401);
	});

	it.each([
		["ends before it starts", { starts_at: inHours(10), ends_at: inHours(9) }],
		["starts in the past", { starts_at: inHours(-1), ends_at: inHours(1) }],
		["lasts more than 14 days", { starts_at: inHours(1), ends_at: inHours(1 + 15 * 24) }],
		["starts more than two years ahead", { starts_at: inHours(24 * 800), ends_at: inHours(24 * 800 + 1) }],
		["a time without a zone", { starts_at: "2030-01-01T10:00:00" }],
		["in person without a location", { event_type: "in_person", location: null }],
		["online without a url", { event_type: "online", location: null }],
		["an http url", { event_type: "online", url: "http://meet.example" }],
		["capacity 0", { capacity: 0 }],
		["a fractional capacity", { capacity: 2.5 }],
		["an unknown type", { event_type: "virtual" }],
		["an unknown time zone", { timezone: "Mars/Olympus" }],
		["an oversized title", { title: "t".repeat(121) }],
		["an unknown field", { status: "completed" }],
	])("rejects an event that %s (422)", async (_label, body) => {
		const { owner, group } = await groupWithMember();
		const response = await call("POST", `${GROUPS}/${group.id}/events`, {
			token: owner.token,
			body: {
				title: "Run",
				event_type: "in_person",
				location: "Gate",
				starts_at: inHours(24),
				ends_at: inHours(25),
				...body,
			},
		});
		await expectProblem(response, 422);
		const count = await env.DB.prepare("SELECT count(*) AS n FROM group_events WHERE group_id = ?")
			.bind(group.id)
			.first<{ n: number }>();
		expect(count?.n).toBe(0);
	});
});

describe("GET /fellowship/groups/{group_id}/events", () => {
	it("lists upcoming (and ongoing) events soonest first, and past ones latest first", async () => {
		const { owner, group, member } = await groupWithMember();
		const later = await createEvent(owner, group.id, { starts_at: inHours(72), ends_at: inHours(73) });
		const soon = await createEvent(owner, group.id, { starts_at: inHours(2), ends_at: inHours(3) });
		const ongoing = await insertEvent(group.id, owner.id, -1, 1);
		const ended = await insertEvent(group.id, owner.id, -50, -49);
		const endedEarlier = await insertEvent(group.id, owner.id, -100, -99);

		const first = await expectStatus<Page>(
			await call("GET", `${GROUPS}/${group.id}/events?limit=2`, { token: member.token }),
			200,
		);
		expect(first.data.map((e) => e.id)).toEqual([ongoing, soon.id]);
		const second = await expectStatus<Page>(
			await call("GET", `${GROUPS}/${group.id}/events?limit=2&cursor=${first.next_cursor}`, {
				token: member.token,
			}),
			200,
		);
		expect(second.data.map((e) => e.id)).toEqual([later.id]);
		expect(second.next_cursor).toBeNull();

		const past = await expectStatus<Page>(
			await call("GET", `${GROUPS}/${group.id}/events?past=true`, { token: member.token }),
			200,
		);
		expect(past.data.map((e) => [e.id, e.status])).toEqual([
			[ended, "completed"],
			[endedEarlier, "completed"],
		]);
	});

	it("shows my RSVP and the mirrored counts in the list", async () => {
		const { owner, group, member } = await groupWithMember();
		const event = await createEvent(owner, group.id, { capacity: 1 });
		await expectStatus(await rsvp(owner, event.id, "going"), 200);
		await expectStatus(await rsvp(member, event.id, "going"), 200);
		const page = await expectStatus<Page>(
			await call("GET", `${GROUPS}/${group.id}/events`, { token: member.token }),
			200,
		);
		expect(page.data[0]).toMatchObject({
			id: event.id,
			rsvp_counts: { going: 1, waitlisted: 1, capacity: 1, spots_left: 0 },
			my_rsvp: { status: "waitlisted", waitlist_position: 1 },
		});
	});

	it("rejects bad queries with 422 and bad cursors with 400", async () => {
		const { group, member } = await groupWithMember();
		await expectProblem(
			await call("GET", `${GROUPS}/${group.id}/events?past=maybe`, { token: member.token }),
			422,
		);
		await expectProblem(
			await call("GET", `${GROUPS}/${group.id}/events?cursor=abc`, { token: member.token }),
			400,
		);
	});
});

describe("GET /fellowship/events/{event_id}", () => {
	it("shows the event with counts and my RSVP; unknown ids are 404", async () => {
		const { owner, group, member } = await groupWithMember();
		const event = await createEvent(owner, group.id, { capacity: 5 });
		await expectStatus(await rsvp(member, event.id, "maybe"), 200);
		const seen = await expectStatus<GroupEvent>(
			await call("GET", `${EVENTS}/${event.id}`, { token: member.token }),
			200,
		);
		expect(seen).toMatchObject({
			rsvp_counts: { going: 0, maybe: 1, waitlisted: 0, spots_left: 5 },
			my_rsvp: { status: "maybe", waitlist_position: null },
		});
		await expectProblem(
			await call("GET", `${EVENTS}/0190d4b1-0000-7000-8000-000000000000`, { token: member.token }),
			404,
		);
		await expectProblem(await call("GET", `${EVENTS}/${event.id}`), 401);
	});
});

describe("PATCH /fellowship/events/{event_id}", () => {
	it("lets managers edit time, place and capacity; members get 403", async () => {
		const { owner, group, member } = await groupWithMember();
		const event = await createEvent(owner, group.id);
		const startsAt = inHours(30);
		const edited = await expectStatus<GroupEvent & { starts_at: string; title: string }>(
			await call("PATCH", `${EVENTS}/${event.id}`, {
				token: owner.token,
				body: { title: "Sunday run", starts_at: startsAt, ends_at: inHours(31), capacity: 3 },
			}),
			200,
		);
		expect(edited).toMatchObject({ title: "Sunday run", starts_at: startsAt, capacity: 3 });
		const row = await env.DB.prepare("SELECT version, capacity FROM group_events WHERE id = ?")
			.bind(event.id)
			.first();
		expect(row).toEqual({ version: 2, capacity: 3 });
		await expectProblem(
			await call("PATCH", `${EVENTS}/${event.id}`, { token: member.token, body: { title: "Mine" } }),
			403,
		);
	});

	it.each([
		["ends before it starts", { ends_at: inHours(1) }],
		["moves into the past", { starts_at: inHours(-2) }],
		["turns online without a url", { event_type: "online" }],
		["is empty", {}],
		["has an unknown field", { going_count: 3 }],
	])("rejects an edit that %s (422)", async (_label, body) => {
		const { owner, group } = await groupWithMember();
		const event = await createEvent(owner, group.id);
		await expectProblem(await call("PATCH", `${EVENTS}/${event.id}`, { token: owner.token, body }), 422);
	});

	it("lets a guardian edit, audit-logged", async () => {
		const { owner, group } = await groupWithMember();
		const event = await createEvent(owner, group.id);
		const guardian = await signUp("guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		await expectStatus(
			await call("PATCH", `${EVENTS}/${event.id}`, {
				token: guardian.token,
				body: { title: "Edited by guardian" },
			}),
			200,
		);
		const audit = await env.DB.prepare(
			"SELECT action, target_type FROM moderation_actions WHERE actor_id = ?",
		)
			.bind(guardian.id)
			.first();
		expect(audit).toEqual({ action: "edit_content", target_type: "group_event" });
	});
});

describe("POST /fellowship/events/{event_id}/cancel", () => {
	it("cancels for good: no more edits, RSVPs or second cancellation", async () => {
		const { owner, group, member } = await groupWithMember();
		const event = await createEvent(owner, group.id);
		await expectStatus(await rsvp(member, event.id, "going"), 200);
		await expectProblem(await call("POST", `${EVENTS}/${event.id}/cancel`, { token: member.token }), 403);
		const cancelled = await expectStatus<GroupEvent & { cancelled_at: string }>(
			await call("POST", `${EVENTS}/${event.id}/cancel`, { token: owner.token }),
			200,
		);
		expect(cancelled.status).toBe("cancelled");
		expect(cancelled.cancelled_at).toBeTruthy();
		await expectProblem(await call("POST", `${EVENTS}/${event.id}/cancel`, { token: owner.token }), 409);
		await expectProblem(
			await call("PATCH", `${EVENTS}/${event.id}`, { token: owner.token, body: { title: "Back" } }),
			409,
		);
		await expectProblem(await rsvp(member, event.id, "not_going"), 409);
		const seen = await expectStatus<GroupEvent>(
			await call("GET", `${EVENTS}/${event.id}`, { token: member.token }),
			200,
		);
		expect(seen.status).toBe("cancelled");
		expect(seen.my_rsvp).toEqual({ status: "going", waitlist_position: null });
	});

	it("refuses events that are over (409) and unknown ones (404)", async () => {
		const { owner, group, member } = await groupWithMember();
		const ended = await insertEvent(group.id, owner.id, -5, -4);
		await expectProblem(await call("POST", `${EVENTS}/${ended}/cancel`, { token: owner.token }), 409);
		await expectProblem(
			await call("PATCH", `${EVENTS}/${ended}`, { token: owner.token, body: { title: "Redo" } }),
			409,
		);
		await expectProblem(await rsvp(member, ended, "going"), 409);
		await expectProblem(
			await call("POST", `${EVENTS}/0190d4b1-0000-7000-8000-000000000000/cancel`, { token: owner.token }),
			404,
		);
	});
});
