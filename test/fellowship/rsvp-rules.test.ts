/**
 * RSVP rules through the HTTP API (the EventRsvp Durable Object decides, D1 mirrors): going, maybe and
 * not_going; at capacity `going` waits in a FIFO waitlist; a freed seat (a changed answer, leaving or
 * being removed or banned from the group) goes to the first waiting; raising the capacity promotes;
 * lowering it keeps those going and stops new ones; only active members RSVP.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { createEvent, createGroup, type GroupEvent, join, organiser, type RsvpAnswer, rsvp } from "./helpers";

const EVENTS = "/api/v1/fellowship/events";
type AttendeePage = {
	data: Array<{ user: { id: string }; status: string; waitlist_position: number | null }>;
	next_cursor: string | null;
};

async function answer(user: TestUser, eventId: string, status: string) {
	return expectStatus<RsvpAnswer>(await rsvp(user, eventId, status), 200);
}

async function mine(user: TestUser, eventId: string) {
	return (
		await expectStatus<GroupEvent>(await call("GET", `${EVENTS}/${eventId}`, { token: user.token }), 200)
	).my_rsvp;
}

async function mirrored(eventId: string, userId: string) {
	return env.DB.prepare(
		"SELECT status, waitlist_position FROM event_rsvps WHERE event_id = ? AND user_id = ?",
	)
		.bind(eventId, userId)
		.first<{ status: string; waitlist_position: number | null }>();
}

/** An owner, `count` active members and an event of `capacity`. */
async function setup(count: number, capacity: number | null) {
	const owner = await organiser("rsvp-owner");
	const group = await createGroup(owner);
	const members: TestUser[] = [];
	for (let i = 0; i < count; i++) {
		const member = await signUp(`rsvp-m${i}`);
		await expectStatus(await join(member, group.id), 201);
		members.push(member);
	}
	const event = await createEvent(owner, group.id, { capacity });
	return { owner, group, event, members };
}

describe("PUT /fellowship/events/{event_id}/rsvp", () => {
	it("sets going, maybe and not_going, idempotently, with counts and the D1 mirror", async () => {
		const { event, members } = await setup(1, null);
		const [member] = members as [TestUser];
		const going = await answer(member, event.id, "going");
		expect(going).toMatchObject({ status: "going", waitlist_position: null, counts: { going: 1, maybe: 0 } });
		expect((await answer(member, event.id, "going")).counts.going).toBe(1);
		expect(await mirrored(event.id, member.id)).toEqual({ status: "going", waitlist_position: null });
		const maybe = await answer(member, event.id, "maybe");
		expect(maybe.counts).toMatchObject({ going: 0, maybe: 1, spots_left: null });
		await answer(member, event.id, "not_going");
		expect(await mine(member, event.id)).toEqual({ status: "not_going", waitlist_position: null });
		expect(await mirrored(event.id, member.id)).toEqual({ status: "not_going", waitlist_position: null });
	});

	it("waitlists at capacity in FIFO order and promotes the first waiting when a seat frees", async () => {
		const { event, members } = await setup(5, 2);
		const [a, b, c, d, e] = members as [TestUser, TestUser, TestUser, TestUser, TestUser];
		expect((await answer(a, event.id, "going")).status).toBe("going");
		expect((await answer(b, event.id, "going")).status).toBe("going");
		expect(await answer(c, event.id, "going")).toMatchObject({ status: "waitlisted", waitlist_position: 1 });
		expect(await answer(d, event.id, "going")).toMatchObject({ status: "waitlisted", waitlist_position: 2 });
		// Asking again keeps my place.
		expect(await answer(c, event.id, "going")).toMatchObject({ status: "waitlisted", waitlist_position: 1 });
		// Leaving the waitlist closes the gap.
		await answer(c, event.id, "maybe");
		expect(await mine(d, event.id)).toEqual({ status: "waitlisted", waitlist_position: 1 });
		expect(await answer(e, event.id, "going")).toMatchObject({ status: "waitlisted", waitlist_position: 2 });
		// A going member steps back: the first waiting is promoted in the same step.
		const back = await answer(a, event.id, "not_going");
		expect(back.counts).toMatchObject({ going: 2, waitlisted: 1 });
		expect(await mine(d, event.id)).toEqual({ status: "going", waitlist_position: null });
		expect(await mine(e, event.id)).toEqual({ status: "waitlisted", waitlist_position: 1 });
		expect(await mirrored(event.id, d.id)).toEqual({ status: "going", waitlist_position: null });
		expect(await mirrored(event.id, e.id)).toEqual({ status: "waitlisted", waitlist_position: 1 });
		// Coming back does not jump the queue.
		expect(await answer(a, event.id, "going")).toMatchObject({ status: "waitlisted", waitlist_position: 2 });
	});

	it("promotes on a capacity raise, and a lowered capacity keeps those going but stops new ones", async () => {
		const { owner, event, members } = await setup(5, 1);
		const [a, b, c, d, e] = members as [TestUser, TestUser, TestUser, TestUser, TestUser];
		for (const m of [a, b, c, d]) await answer(m, event.id, "going");
		const raised = await expectStatus<GroupEvent>(
			await call("PATCH", `${EVENTS}/${event.id}`, { token: owner.token, body: { capacity: 3 } }),
			200,
		);
		expect(raised.rsvp_counts).toMatchObject({ going: 3, waitlisted: 1, capacity: 3 });
		expect(await mine(c, event.id)).toEqual({ status: "going", waitlist_position: null });
		expect(await mine(d, event.id)).toEqual({ status: "waitlisted", waitlist_position: 1 });

		const lowered = await expectStatus<GroupEvent>(
			await call("PATCH", `${EVENTS}/${event.id}`, { token: owner.token, body: { capacity: 1 } }),
			200,
		);
		expect(lowered.rsvp_counts).toMatchObject({ going: 3, waitlisted: 1, capacity: 1, spots_left: 0 });
		expect(await answer(e, event.id, "going")).toMatchObject({ status: "waitlisted", waitlist_position: 2 });
		// Still over the new capacity after one leaves: nobody is promoted.
		await answer(a, event.id, "not_going");
		expect(await mine(d, event.id)).toEqual({ status: "waitlisted", waitlist_position: 1 });
		// Unlimited capacity seats everyone waiting.
		const unlimited = await expectStatus<GroupEvent>(
			await call("PATCH", `${EVENTS}/${event.id}`, { token: owner.token, body: { capacity: null } }),
			200,
		);
		expect(unlimited.rsvp_counts).toMatchObject({ going: 4, waitlisted: 0, capacity: null });
	});

	it("frees the seat of a member who leaves, is removed or banned, promoting the first waiting", async () => {
		const { owner, group, event, members } = await setup(5, 1);
		const [a, b, c, d] = members as [TestUser, TestUser, TestUser, TestUser];
		for (const m of [a, b, c, d]) await answer(m, event.id, "going");
		await expectStatus(
			await call("DELETE", `/api/v1/fellowship/groups/${group.id}/members/${a.id}`, { token: a.token }),
			204,
		);
		expect(await mine(b, event.id)).toEqual({ status: "going", waitlist_position: null });
		expect(await mirrored(event.id, a.id)).toEqual({ status: "not_going", waitlist_position: null });
		await expectStatus(
			await call("PATCH", `/api/v1/fellowship/groups/${group.id}/members/${b.id}`, {
				token: owner.token,
				body: { status: "banned" },
			}),
			200,
		);
		expect(await mine(c, event.id)).toEqual({ status: "going", waitlist_position: null });
		await expectStatus(
			await call("DELETE", `/api/v1/fellowship/groups/${group.id}/members/${c.id}`, { token: owner.token }),
			204,
		);
		expect(await mine(d, event.id)).toEqual({ status: "going", waitlist_position: null });
		// Gone members cannot RSVP again.
		await expectProblem(await rsvp(a, event.id, "going"), 403);
	});

	it("is only for active members: strangers, pending requesters and suspended users are refused", async () => {
		const owner = await organiser("rsvp-private");
		const group = await createGroup(owner, { visibility: "private" });
		const event = await createEvent(owner, group.id);
		const asker = await signUp("asker");
		await expectStatus(await join(asker, group.id), 201);
		await expectProblem(await rsvp(asker, event.id, "going"), 403);
		await expectProblem(await rsvp(await signUp("stranger"), event.id, "going"), 403);
		const suspended = await signUp("suspended");
		await setUserColumns(suspended.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(await rsvp(suspended, event.id, "going"), 403);
		await expectProblem(await call("PUT", `${EVENTS}/${event.id}/rsvp`, { body: { status: "going" } }), 401);
		const count = await env.DB.prepare("SELECT count(*) AS n FROM event_rsvps WHERE event_id = ?")
			.bind(event.id)
			.first<{ n: number }>();
		expect(count?.n).toBe(0);
	});

	it.each([
		["waitlisted (not a choice)", { status: "waitlisted" }],
		["an unknown answer", { status: "yes" }],
		["a missing answer", {}],
		["an unknown field", { status: "going", guests: 2 }],
	])("rejects %s with 422", async (_label, body) => {
		const { event, members } = await setup(1, null);
		await expectProblem(
			await call("PUT", `${EVENTS}/${event.id}/rsvp`, { token: (members[0] as TestUser).token, body }),
			422,
		);
	});

	it("answers 404 for unknown events and 400 for malformed JSON", async () => {
		const member = await signUp("lost");
		await expectProblem(await rsvp(member, "0190d4b1-0000-7000-8000-000000000000", "going"), 404);
		await expectProblem(
			await call("PUT", `${EVENTS}/0190d4b1-0000-7000-8000-000000000000/rsvp`, {
				token: member.token,
				rawBody: "{",
			}),
			400,
		);
	});
});

describe("GET /fellowship/events/{event_id}/rsvps", () => {
	it("lists attendees by status, the waitlist in FIFO order, with a cursor", async () => {
		const { event, members } = await setup(4, 1);
		const [a, b, c, d] = members as [TestUser, TestUser, TestUser, TestUser];
		for (const m of [a, b, c]) await answer(m, event.id, "going");
		await answer(d, event.id, "maybe");
		const going = await expectStatus<AttendeePage>(
			await call("GET", `${EVENTS}/${event.id}/rsvps`, { token: d.token }),
			200,
		);
		expect(going.data.map((x) => x.user.id)).toEqual([a.id]);
		const first = await expectStatus<AttendeePage>(
			await call("GET", `${EVENTS}/${event.id}/rsvps?status=waitlisted&limit=1`, { token: d.token }),
			200,
		);
		expect(first.data.map((x) => [x.user.id, x.waitlist_position])).toEqual([[b.id, 1]]);
		const rest = await expectStatus<AttendeePage>(
			await call("GET", `${EVENTS}/${event.id}/rsvps?status=waitlisted&limit=1&cursor=${first.next_cursor}`, {
				token: d.token,
			}),
			200,
		);
		expect(rest.data.map((x) => [x.user.id, x.waitlist_position])).toEqual([[c.id, 2]]);
		expect(rest.next_cursor).toBeNull();
		const maybe = await expectStatus<AttendeePage>(
			await call("GET", `${EVENTS}/${event.id}/rsvps?status=maybe`, { token: a.token }),
			200,
		);
		expect(maybe.data.map((x) => x.user.id)).toEqual([d.id]);
		await expectProblem(await call("GET", `${EVENTS}/${event.id}/rsvps?status=all`, { token: a.token }), 422);
	});
});
