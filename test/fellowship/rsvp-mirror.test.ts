/**
 * The D1 mirror of an EventRsvp object: a late, older mirror write never overwrites a newer one (rows and
 * counts carry the object's change number), and changes the object made but could not mirror (D1 down,
 * evicted mid-write) are caught up by its alarm.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { EventRsvp } from "../../durable-objects/event-rsvp";
import type { RsvpRow } from "../../durable-objects/rsvp-ledger";
import { writeMirror } from "../../durable-objects/rsvp-mirror";
import { expectStatus, signUp, type TestUser } from "../support/api";
import { createEvent, createGroup, join, organiser, rsvp } from "./helpers";

const stubFor = (eventId: string) => env.EVENT_RSVP.get(env.EVENT_RSVP.idFromName(eventId));

async function mirrorOf(eventId: string) {
	const rows = await env.DB.prepare(
		"SELECT user_id, status, waitlist_position, seq FROM event_rsvps WHERE event_id = ? ORDER BY user_id",
	)
		.bind(eventId)
		.all();
	const counts = await env.DB.prepare(
		"SELECT going_count, maybe_count, waitlist_count, rsvp_seq FROM group_events WHERE id = ?",
	)
		.bind(eventId)
		.first();
	return { rows: rows.results, counts };
}

async function eventWithRsvps() {
	const owner = await organiser("mirror-owner");
	const group = await createGroup(owner);
	const members: TestUser[] = [];
	for (const label of ["m1", "m2"]) {
		const member = await signUp(label);
		await expectStatus(await join(member, group.id), 201);
		members.push(member);
	}
	const event = await createEvent(owner, group.id, { capacity: 1 });
	for (const member of members) await expectStatus(await rsvp(member, event.id, "going"), 200);
	return { event, members: members as [TestUser, TestUser] };
}

describe("the RSVP mirror in D1", () => {
	it("ignores a write older than what D1 holds", async () => {
		const { event, members } = await eventWithRsvps();
		const before = await mirrorOf(event.id);
		const [first] = members;
		const stale: RsvpRow = {
			user_id: first.id,
			status: "maybe",
			position: null,
			arrival: 1,
			seq: 1,
			mirror_id: crypto.randomUUID(),
			created_at: new Date().toISOString(),
			updated_at: new Date().toISOString(),
		};
		await writeMirror(env.DB, {
			eventId: event.id,
			seq: 1,
			counts: { going: 0, maybe: 1, notGoing: 0, waitlisted: 0, capacity: 1 },
			rows: [stale],
		});
		expect(await mirrorOf(event.id)).toEqual(before);
		expect(before.counts).toMatchObject({ going_count: 1, waitlist_count: 1 });
	});

	it("catches up unmirrored changes from the object's alarm", async () => {
		const { event, members } = await eventWithRsvps();
		const expected = await mirrorOf(event.id);
		// As if D1 had never received the writes: the object still holds them as unmirrored.
		await env.DB.prepare("DELETE FROM event_rsvps WHERE event_id = ?").bind(event.id).run();
		await env.DB.prepare(
			"UPDATE group_events SET going_count = 0, waitlist_count = 0, rsvp_seq = 0 WHERE id = ?",
		)
			.bind(event.id)
			.run();
		const stub = stubFor(event.id);
		await runInDurableObject(stub, async (_instance: EventRsvp, state) => {
			state.storage.sql.exec("UPDATE event SET mirrored_seq = 0");
			await state.storage.setAlarm(Date.now() + 60_000);
		});
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		const caughtUp = await mirrorOf(event.id);
		expect(caughtUp.counts).toEqual(expected.counts);
		expect(caughtUp.rows.map((r) => ({ ...r }))).toEqual(expected.rows);
		expect(caughtUp.rows.map((r) => (r as { user_id: string }).user_id).sort()).toEqual(
			members.map((m) => m.id).sort(),
		);
	});
});
