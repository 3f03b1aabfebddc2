/**
 * The EventRsvp Durable Object under load: 300 members answer `going` at once to an event of capacity 50.
 * Exactly 50 go and 250 wait, in arrival order with positions 1..250, and D1 mirrors it exactly; when 10
 * going members cancel at once, exactly the first 10 waiting are promoted — also after the object is
 * evicted from memory (its state lives in its own SQLite).
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { EventRsvp } from "../../durable-objects/event-rsvp";
import { call, expectStatus, type TestUser } from "../support/api";
import {
	createEvent,
	createGroup,
	type GroupEvent,
	insertActiveMembers,
	organiser,
	type RsvpAnswer,
	rsvp,
} from "./helpers";

type ObjectRow = { user_id: string; status: string; position: number | null; arrival: number };
type MirrorRow = { user_id: string; status: string; waitlist_position: number | null };

const stubFor = (eventId: string) => env.EVENT_RSVP.get(env.EVENT_RSVP.idFromName(eventId));

async function objectRows(eventId: string): Promise<ObjectRow[]> {
	return runInDurableObject(stubFor(eventId), (_instance: EventRsvp, state) =>
		state.storage.sql
			.exec<ObjectRow>("SELECT user_id, status, position, arrival FROM rsvps ORDER BY arrival")
			.toArray(),
	);
}

async function mirrorRows(eventId: string): Promise<MirrorRow[]> {
	const { results } = await env.DB.prepare(
		"SELECT user_id, status, waitlist_position FROM event_rsvps WHERE event_id = ?",
	)
		.bind(eventId)
		.all<MirrorRow>();
	return results;
}

async function mirroredCounts(eventId: string) {
	return env.DB.prepare("SELECT going_count, maybe_count, waitlist_count FROM group_events WHERE id = ?")
		.bind(eventId)
		.first<{ going_count: number; maybe_count: number; waitlist_count: number }>();
}

/** The waitlist in FIFO order, as the object holds it. */
const waitlistOf = (rows: ObjectRow[]) =>
	rows
		.filter((row) => row.status === "waitlisted")
		.sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
		.map((row) => row.user_id);

/** D1 holds exactly what the object holds: every status and every waitlist position. */
async function expectMirrorMatches(eventId: string, going: number, waitlisted: number) {
	const rows = await objectRows(eventId);
	const mirror = await mirrorRows(eventId);
	const byUser = new Map(mirror.map((row) => [row.user_id, row]));
	expect(mirror).toHaveLength(rows.length);
	for (const row of rows) {
		expect(byUser.get(row.user_id)).toEqual({
			user_id: row.user_id,
			status: row.status,
			waitlist_position: row.position,
		});
	}
	expect(await mirroredCounts(eventId)).toEqual({
		going_count: going,
		maybe_count: 0,
		waitlist_count: waitlisted,
	});
	return rows;
}

async function cancelConcurrently(people: TestUser[], eventId: string) {
	const answers = await Promise.all(
		people.map(async (p) => expectStatus<RsvpAnswer>(await rsvp(p, eventId, "not_going"), 200)),
	);
	for (const answer of answers) expect(answer.status).toBe("not_going");
}

describe("300 concurrent RSVPs to an event of capacity 50", () => {
	it("seats exactly 50, waitlists 250 in arrival order, and promotes exactly the first waiting", async () => {
		const owner = await organiser("rsvp-load-owner");
		const group = await createGroup(owner, { name: "Big gathering" });
		const event = await createEvent(owner, group.id, { capacity: 50 });
		const members = await insertActiveMembers(group.id, 300);
		const byId = new Map(members.map((m) => [m.id, m]));

		const answers = await Promise.all(
			members.map(async (m) => ({
				id: m.id,
				...(await expectStatus<RsvpAnswer>(await rsvp(m, event.id, "going"), 200)),
			})),
		);

		// Exactly 50 going and 250 waiting, the waiting numbered 1..250 without gaps or repeats.
		const going = answers.filter((a) => a.status === "going");
		const waiting = answers.filter((a) => a.status === "waitlisted");
		expect(going).toHaveLength(50);
		expect(waiting).toHaveLength(250);
		expect(waiting.map((a) => a.waitlist_position).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
			Array.from({ length: 250 }, (_, i) => i + 1),
		);

		// Arrival order: everyone seated arrived before everyone waiting, and the waitlist is FIFO.
		let rows = await expectMirrorMatches(event.id, 50, 250);
		const lastSeated = Math.max(...rows.filter((r) => r.status === "going").map((r) => r.arrival));
		const waitlisted = rows.filter((r) => r.status === "waitlisted");
		expect(Math.min(...waitlisted.map((r) => r.arrival))).toBeGreaterThan(lastSeated);
		const fifo = [...waitlisted].sort((a, b) => a.arrival - b.arrival).map((r) => r.position);
		expect(fifo).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
		// Each answer told its member the position the object gave them.
		for (const answer of waiting) {
			expect(rows.find((r) => r.user_id === answer.id)?.position).toBe(answer.waitlist_position);
		}

		// 10 going members cancel at once: exactly the first 10 waiting are promoted, the rest move up 10.
		let queue = waitlistOf(rows);
		await cancelConcurrently(
			going.slice(0, 10).map((a) => byId.get(a.id) as TestUser),
			event.id,
		);
		rows = await expectMirrorMatches(event.id, 50, 240);
		for (const id of queue.slice(0, 10)) expect(rows.find((r) => r.user_id === id)?.status).toBe("going");
		expect(waitlistOf(rows)).toEqual(queue.slice(10));

		// The same after the object is evicted from memory: its state comes back from its own storage.
		await evictDurableObject(stubFor(event.id));
		queue = waitlistOf(rows);
		const stillGoing = rows.filter((r) => r.status === "going").map((r) => r.user_id);
		await cancelConcurrently(
			stillGoing.slice(0, 10).map((id) => byId.get(id) as TestUser),
			event.id,
		);
		rows = await expectMirrorMatches(event.id, 50, 230);
		for (const id of queue.slice(0, 10)) expect(rows.find((r) => r.user_id === id)?.status).toBe("going");
		expect(waitlistOf(rows)).toEqual(queue.slice(10));

		// The event as a promoted member sees it: counts and their own seat, from the object.
		const promoted = byId.get(queue[0] as string) as TestUser;
		const detail = await expectStatus<GroupEvent>(
			await call("GET", `/api/v1/fellowship/events/${event.id}`, {
				token: promoted.token,
			}),
			200,
		);
		expect(detail.rsvp_counts).toMatchObject({ going: 50, waitlisted: 230, capacity: 50, spots_left: 0 });
		expect(detail.my_rsvp).toEqual({ status: "going", waitlist_position: null });
	}, 120_000);
});
