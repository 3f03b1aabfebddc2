/**
 * Who sees what of a group. Secret groups never appear to non-members — not in lists (every sort), not in
 * search, not in recommendations, not by id, members, events, an event by id or its attendees: all 404,
 * exactly like a group that does not exist. Private groups are listed and readable by id, but their
 * members and events are for members (403). Invited people see the secret group they are invited to;
 * banned and removed people do not.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { createEvent, createGroup, type Group, invite, join, organiser } from "./helpers";

const GROUPS = "/api/v1/fellowship/groups";
type Page = { data: Group[]; next_cursor: string | null };

async function listedIds(query: string, user?: TestUser): Promise<string[]> {
	const page = await expectStatus<Page>(
		await call("GET", `${GROUPS}?${query}`, user ? { token: user.token } : {}),
		200,
	);
	return page.data.map((group) => group.id);
}

/** Every way a secret group could leak to `viewer`; each must be 404 (or absent from lists). */
async function expectInvisible(groupId: string, eventId: string, tag: string, viewer?: TestUser) {
	for (const sort of ["newest", "popular", "recommended"]) {
		expect(await listedIds(`sort=${sort}&q=${tag}&limit=100`, viewer)).not.toContain(groupId);
		expect(await listedIds(`sort=${sort}&limit=100`, viewer)).not.toContain(groupId);
	}
	const options = viewer ? { token: viewer.token } : {};
	await expectProblem(await call("GET", `${GROUPS}/${groupId}`, options), 404);
	if (!viewer) return;
	for (const path of [
		`${GROUPS}/${groupId}/members`,
		`${GROUPS}/${groupId}/events`,
		`/api/v1/fellowship/events/${eventId}`,
		`/api/v1/fellowship/events/${eventId}/rsvps`,
	]) {
		await expectProblem(await call("GET", path, options), 404);
	}
	await expectProblem(await join(viewer, groupId), 404);
	await expectProblem(
		await call("PUT", `/api/v1/fellowship/events/${eventId}/rsvp`, { ...options, body: { status: "going" } }),
		404,
	);
	await expectProblem(
		await call("PATCH", `${GROUPS}/${groupId}`, { ...options, body: { name: "Leaked" } }),
		404,
	);
}

describe("secret groups", () => {
	it("are 404 to strangers, anonymous callers, banned and removed people, everywhere", async () => {
		const owner = await organiser("secret-owner");
		const tag = `sec${Date.now().toString(36)}`;
		const group = await createGroup(owner, { name: `Hidden circle ${tag}`, visibility: "secret" });
		const event = await createEvent(owner, group.id);
		const stranger = await signUp("stranger");
		await setUserColumns(stranger.id, { interests: JSON.stringify(["hidden", "circle", tag]) });
		await expectInvisible(group.id, event.id, tag, stranger);
		await expectInvisible(group.id, event.id, tag);

		// A member who is removed, and one who is banned, lose sight of it too.
		const removed = await signUp("removed");
		const banned = await signUp("banned");
		for (const person of [removed, banned]) {
			await expectStatus(await invite(owner, group.id, person.id), 201);
			await expectStatus(await join(person, group.id), 201);
		}
		expect(await listedIds(`q=${tag}`, removed)).toEqual([group.id]);
		await expectStatus(
			await call("DELETE", `${GROUPS}/${group.id}/members/${removed.id}`, { token: owner.token }),
			204,
		);
		await expectStatus(
			await call("PATCH", `${GROUPS}/${group.id}/members/${banned.id}`, {
				token: owner.token,
				body: { status: "banned" },
			}),
			200,
		);
		await expectInvisible(group.id, event.id, tag, removed);
		await expectInvisible(group.id, event.id, tag, banned);
	});

	it("are visible to members and invitees, in lists, search and by id", async () => {
		const owner = await organiser("secret-owner2");
		const tag = `sec2${Date.now().toString(36)}`;
		const group = await createGroup(owner, { name: `Inner room ${tag}`, visibility: "secret" });
		const guest = await signUp("guest");
		await expectStatus(await invite(owner, group.id, guest.id), 201);
		expect(await listedIds(`q=${tag}`, guest)).toEqual([group.id]);
		expect(await listedIds(`q=${tag}&sort=popular`, owner)).toEqual([group.id]);
		// An invitee sees the group, but its content only once they accept.
		await expectStatus(await call("GET", `${GROUPS}/${group.id}`, { token: guest.token }), 200);
		await expectProblem(await call("GET", `${GROUPS}/${group.id}/members`, { token: guest.token }), 403);
		await expectStatus(await join(guest, group.id), 201);
		await expectStatus(await call("GET", `${GROUPS}/${group.id}/members`, { token: guest.token }), 200);
		await expectStatus(await call("GET", `${GROUPS}/${group.id}/events`, { token: guest.token }), 200);
		// Recommendations list the secret groups I am invited to, never the ones I do not know.
		const other = await createGroup(owner, { name: `Second room ${tag}`, visibility: "secret" });
		await expectStatus(await invite(owner, other.id, guest.id), 201);
		expect(await listedIds(`q=${tag}&sort=recommended`, guest)).toEqual([other.id]);
	});

	it("cannot be joined without an invitation", async () => {
		const owner = await organiser("secret-owner3");
		const group = await createGroup(owner, { visibility: "secret" });
		const stranger = await signUp("gatecrasher");
		await expectProblem(await join(stranger, group.id), 404);
		const row = await env.DB.prepare(
			"SELECT count(*) AS n FROM group_members WHERE group_id = ? AND user_id = ?",
		)
			.bind(group.id, stranger.id)
			.first<{ n: number }>();
		expect(row?.n).toBe(0);
	});
});

describe("private groups", () => {
	it("are listed and readable by id, but members and events are for members (403)", async () => {
		const owner = await organiser("private-owner");
		const tag = `prv${Date.now().toString(36)}`;
		const group = await createGroup(owner, { name: `Book club ${tag}`, visibility: "private" });
		const event = await createEvent(owner, group.id);
		const stranger = await signUp("stranger");
		expect(await listedIds(`q=${tag}`, stranger)).toEqual([group.id]);
		expect(await listedIds(`q=${tag}`)).toEqual([group.id]);
		await expectStatus(await call("GET", `${GROUPS}/${group.id}`, { token: stranger.token }), 200);
		for (const path of [
			`${GROUPS}/${group.id}/members`,
			`${GROUPS}/${group.id}/events`,
			`/api/v1/fellowship/events/${event.id}`,
			`/api/v1/fellowship/events/${event.id}/rsvps`,
		]) {
			await expectProblem(await call("GET", path, { token: stranger.token }), 403);
		}
		await expectProblem(
			await call("PUT", `/api/v1/fellowship/events/${event.id}/rsvp`, {
				token: stranger.token,
				body: { status: "going" },
			}),
			403,
		);
		// A guardian passes the membership check for reading.
		const guardian = await signUp("guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		await expectStatus(await call("GET", `${GROUPS}/${group.id}/members`, { token: guardian.token }), 200);
	});
});

describe("public groups", () => {
	it("show members and events to every signed-in user, but only members RSVP", async () => {
		const owner = await organiser("public-owner");
		const group = await createGroup(owner);
		const event = await createEvent(owner, group.id);
		const stranger = await signUp("stranger");
		await expectStatus(await call("GET", `${GROUPS}/${group.id}/members`, { token: stranger.token }), 200);
		await expectStatus(await call("GET", `${GROUPS}/${group.id}/events`, { token: stranger.token }), 200);
		await expectStatus(
			await call("GET", `/api/v1/fellowship/events/${event.id}`, { token: stranger.token }),
			200,
		);
		await expectProblem(
			await call("PUT", `/api/v1/fellowship/events/${event.id}/rsvp`, {
				token: stranger.token,
				body: { status: "going" },
			}),
			403,
		);
		await expectProblem(await call("GET", `${GROUPS}/${group.id}/events`), 401);
	});
});
