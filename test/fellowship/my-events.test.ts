/**
 * `GET /users/me/events`: the upcoming events I am going to or waitlisted for across all my groups, soonest
 * first, with my status and waitlist position, paged by a keyset cursor. Never another person's RSVPs;
 * never events of groups I left, was removed or banned from, or that were deleted; never past events, nor
 * events hidden by moderation or my spiritual opt-in; cancelled events for CANCELLED_SHOWN_DAYS only.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CANCELLED_SHOWN_DAYS } from "../../src/modules/fellowship/my-events";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { createEvent, createGroup, type GroupEvent, inHours, invite, join, organiser, rsvp } from "./helpers";

const MINE = "/api/v1/users/me/events";
const GROUPS = "/api/v1/fellowship/groups";
const EVENTS = "/api/v1/fellowship/events";
type Page = { data: GroupEvent[]; next_cursor: string | null };

const myEvents = async (user: TestUser, query = "") =>
	expectStatus<Page>(await call("GET", `${MINE}${query}`, { token: user.token }), 200);
const ids = (page: Page) => page.data.map((event) => event.id);

async function groupWithMember(visibility: "public" | "private" | "secret" = "public") {
	const owner = await organiser("mine-owner");
	const group = await createGroup(owner, { visibility });
	const member = await signUp("mine-member");
	if (visibility !== "public") await expectStatus(await invite(owner, group.id, member.id), 201);
	await expectStatus(await join(member, group.id), 201);
	return { owner, group, member };
}

async function going(user: TestUser, eventId: string) {
	return expectStatus<{ status: string }>(await rsvp(user, eventId, "going"), 200);
}

describe("GET /users/me/events", () => {
	it("lists my going and waitlisted events across groups, soonest first, with my status and position", async () => {
		const a = await groupWithMember();
		const b = await organiser("mine-other-owner");
		const groupB = await createGroup(b, { name: "Evening walkers" });
		await expectStatus(await join(a.member, groupB.id), 201);

		const later = await createEvent(a.owner, a.group.id, { starts_at: inHours(90), ends_at: inHours(91) });
		const soon = await createEvent(b, groupB.id, { starts_at: inHours(5), ends_at: inHours(6) });
		const full = await createEvent(b, groupB.id, {
			capacity: 1,
			starts_at: inHours(30),
			ends_at: inHours(31),
		});
		const maybe = await createEvent(a.owner, a.group.id, { starts_at: inHours(10), ends_at: inHours(11) });
		const notGoing = await createEvent(a.owner, a.group.id, { starts_at: inHours(12), ends_at: inHours(13) });
		await createEvent(a.owner, a.group.id, { title: "No RSVP at all" });

		await going(a.member, later.id);
		await going(a.member, soon.id);
		await going(b, full.id);
		expect((await going(a.member, full.id)).status).toBe("waitlisted");
		await expectStatus(await rsvp(a.member, maybe.id, "maybe"), 200);
		await expectStatus(await rsvp(a.member, notGoing.id, "not_going"), 200);

		const page = await myEvents(a.member);
		expect(ids(page)).toEqual([soon.id, full.id, later.id]);
		expect(page.next_cursor).toBeNull();
		const byId = new Map(page.data.map((event) => [event.id, event]));
		expect(byId.get(soon.id)?.my_rsvp).toEqual({ status: "going", waitlist_position: null });
		expect(byId.get(full.id)?.my_rsvp).toEqual({ status: "waitlisted", waitlist_position: 1 });
		// The same Event shape as everywhere else.
		expect(byId.get(full.id)).toMatchObject({
			group_id: groupB.id,
			status: "scheduled",
			rsvp_counts: { going: 1, waitlisted: 1, capacity: 1, spots_left: 0 },
		});

		// The owner of group B sees only their own: the full event they go to.
		expect(ids(await myEvents(b))).toEqual([full.id]);
	});

	it("pages with a keyset cursor, without gaps or repeats, and refuses a tampered cursor", async () => {
		const { owner, group, member } = await groupWithMember();
		const created: string[] = [];
		for (const hours of [40, 10, 30, 20, 50]) {
			const event = await createEvent(owner, group.id, {
				starts_at: inHours(hours),
				ends_at: inHours(hours + 1),
			});
			await going(member, event.id);
			created.push(event.id);
		}
		const seen: string[] = [];
		let cursor: string | null = null;
		do {
			const page: Page = await myEvents(member, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
			expect(page.data.length).toBeLessThanOrEqual(2);
			seen.push(...ids(page));
			cursor = page.next_cursor;
		} while (cursor);
		const [at40, at10, at30, at20, at50] = created;
		expect(seen).toEqual([at10, at20, at30, at40, at50]);

		await expectProblem(await call("GET", `${MINE}?cursor=not-a-cursor`, { token: member.token }), 400);
		await expectProblem(await call("GET", `${MINE}?limit=0`, { token: member.token }), 422);
		await expectProblem(await call("GET", `${MINE}?limit=101`, { token: member.token }), 422);
	});

	it("drops events of groups I left, was removed or banned from, or that were deleted", async () => {
		const left = await groupWithMember();
		const removed = await groupWithMember("secret");
		const banned = await groupWithMember("private");
		const deleted = await groupWithMember();
		const member = left.member;
		// One person in all four groups.
		for (const g of [removed, banned]) {
			await expectStatus(await invite(g.owner, g.group.id, member.id), 201);
			await expectStatus(await join(member, g.group.id), 201);
		}
		await expectStatus(await join(member, deleted.group.id), 201);
		const events = new Map<string, string>();
		for (const [name, g] of Object.entries({ left, removed, banned, deleted })) {
			const event = await createEvent(g.owner, g.group.id);
			await going(member, event.id);
			events.set(name, event.id);
		}
		expect(new Set(ids(await myEvents(member)))).toEqual(new Set(events.values()));

		// Leaving withdraws the RSVP, but the list does not rely on that: the membership itself is checked,
		// so the RSVPs are put back to `going` in the mirror after each change.
		const restore = () =>
			env.DB.prepare(
				`UPDATE event_rsvps SET status = 'going', waitlist_position = NULL WHERE user_id = ? AND event_id IN (SELECT value FROM json_each(?))`,
			)
				.bind(member.id, JSON.stringify([...events.values()]))
				.run();
		await expectStatus(
			await call("DELETE", `${GROUPS}/${left.group.id}/members/${member.id}`, { token: member.token }),
			204,
		);
		await expectStatus(
			await call("DELETE", `${GROUPS}/${removed.group.id}/members/${member.id}`, {
				token: removed.owner.token,
			}),
			204,
		);
		await expectStatus(
			await call("PATCH", `${GROUPS}/${banned.group.id}/members/${member.id}`, {
				token: banned.owner.token,
				body: { status: "banned" },
			}),
			200,
		);
		await expectStatus(
			await call("DELETE", `${GROUPS}/${deleted.group.id}`, { token: deleted.owner.token }),
			204,
		);
		await restore();
		expect(ids(await myEvents(member))).toEqual([]);
	});

	it("shows ongoing events, not past ones; a cancelled one for a few days with status cancelled", async () => {
		const { owner, group, member } = await groupWithMember();
		const ongoing = await createEvent(owner, group.id, { starts_at: inHours(1), ends_at: inHours(3) });
		const past = await createEvent(owner, group.id, { starts_at: inHours(2), ends_at: inHours(4) });
		const cancelled = await createEvent(owner, group.id, { starts_at: inHours(20), ends_at: inHours(21) });
		for (const event of [ongoing, past, cancelled]) await going(member, event.id);
		const move = (id: string, starts: number, ends: number) =>
			env.DB.prepare("UPDATE group_events SET starts_at = ?, ends_at = ? WHERE id = ?")
				.bind(inHours(starts), inHours(ends), id)
				.run();
		await move(ongoing.id, -1, 1);
		await move(past.id, -5, -4);
		await expectStatus(await call("POST", `${EVENTS}/${cancelled.id}/cancel`, { token: owner.token }), 200);

		const page = await myEvents(member);
		expect(ids(page)).toEqual([ongoing.id, cancelled.id]);
		expect(page.data[1]).toMatchObject({ status: "cancelled", my_rsvp: { status: "going" } });

		await env.DB.prepare("UPDATE group_events SET cancelled_at = ? WHERE id = ?")
			.bind(inHours(-24 * (CANCELLED_SHOWN_DAYS + 1)), cancelled.id)
			.run();
		expect(ids(await myEvents(member))).toEqual([ongoing.id]);
	});

	it("hides events and groups hidden by moderation (but not from the event's managers), and spiritual ones without the opt-in", async () => {
		const { owner, group, member } = await groupWithMember();
		const hidden = await createEvent(owner, group.id);
		await going(member, hidden.id);
		await going(owner, hidden.id);
		await env.DB.prepare("UPDATE group_events SET moderation_status = 'hidden' WHERE id = ?")
			.bind(hidden.id)
			.run();
		expect(ids(await myEvents(member))).toEqual([]);
		expect(ids(await myEvents(owner))).toEqual([hidden.id]);

		const believer = await organiser("mine-believer");
		await setUserColumns(believer.id, { spiritual_opt_in: 1 });
		const spiritual = await createGroup(believer, { is_spiritual: true, group_type: "faith" });
		const prayer = await createEvent(believer, spiritual.id);
		const seeker = await signUp("mine-seeker");
		await setUserColumns(seeker.id, { spiritual_opt_in: 1 });
		await expectStatus(await join(seeker, spiritual.id), 201);
		await going(seeker, prayer.id);
		expect(ids(await myEvents(seeker))).toEqual([prayer.id]);
		await setUserColumns(seeker.id, { spiritual_opt_in: 0 });
		expect(ids(await myEvents(seeker))).toEqual([]);

		const flagged = await createEvent(owner, group.id);
		await going(member, flagged.id);
		await env.DB.prepare("UPDATE fellowship_groups SET moderation_status = 'hidden' WHERE id = ?")
			.bind(group.id)
			.run();
		expect(ids(await myEvents(member))).toEqual([]);
	});

	it("is 401 without a token and 403 for a suspended account", async () => {
		await expectProblem(await call("GET", MINE), 401);
		const suspended = await signUp("mine-suspended");
		await setUserColumns(suspended.id, { suspended_until: inHours(24) });
		await expectProblem(await call("GET", MINE, { token: suspended.token }), 403);
	});

	it("is declared in the OpenAPI document as listMyEvents", async () => {
		const doc = await expectStatus<{ paths: Record<string, Record<string, { operationId?: string }>> }>(
			await call("GET", "/api/v1/openapi.json"),
			200,
		);
		expect(doc.paths["/api/v1/users/me/events"]?.get?.operationId).toBe("listMyEvents");
	});
});
