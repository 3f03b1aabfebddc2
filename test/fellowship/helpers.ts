/** Shared setup for the fellowship tests: people at a trust level, groups, events, bulk members. */
import { env } from "cloudflare:workers";
import { newId } from "../../src/lib/ids";
import {
	call,
	expectStatus,
	setUserColumns,
	signUp,
	type TestUser,
	tokenFor,
	uniqueSub,
} from "../support/api";

export type Group = {
	id: string;
	name: string;
	visibility: string;
	member_count: number;
	my_membership: { role: string; status: string } | null;
	pending_review: boolean;
};

export type GroupEvent = {
	id: string;
	group_id: string;
	status: string;
	capacity: number | null;
	rsvp_counts: {
		going: number;
		maybe: number;
		waitlisted: number;
		capacity: number | null;
		spots_left: number | null;
	};
	my_rsvp: { status: string; waitlist_position: number | null } | null;
};

export type RsvpAnswer = {
	event_id: string;
	status: string;
	waitlist_position: number | null;
	counts: GroupEvent["rsvp_counts"];
};

export const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

/** Someone who may create groups (good_soil). */
export async function organiser(label = "organiser"): Promise<TestUser> {
	const user = await signUp(label);
	await setUserColumns(user.id, { trust_level: "good_soil" });
	return user;
}

export async function createGroup(owner: TestUser, body: Record<string, unknown> = {}): Promise<Group> {
	return expectStatus<Group>(
		await call("POST", "/api/v1/fellowship/groups", {
			token: owner.token,
			body: { name: "Morning runners", group_type: "wellness", ...body },
		}),
		201,
	);
}

export async function createEvent(
	owner: TestUser,
	groupId: string,
	body: Record<string, unknown> = {},
): Promise<GroupEvent> {
	return expectStatus<GroupEvent>(
		await call("POST", `/api/v1/fellowship/groups/${groupId}/events`, {
			token: owner.token,
			body: {
				title: "Saturday run",
				event_type: "in_person",
				location: "The park gate",
				starts_at: inHours(48),
				ends_at: inHours(50),
				...body,
			},
		}),
		201,
	);
}

/** Joins a public group or accepts an invitation. */
export async function join(user: TestUser, groupId: string) {
	return call("POST", `/api/v1/fellowship/groups/${groupId}/members`, { token: user.token });
}

export async function invite(by: TestUser, groupId: string, userId: string) {
	return call("POST", `/api/v1/fellowship/groups/${groupId}/invitations`, {
		token: by.token,
		body: { user_id: userId },
	});
}

export async function rsvp(user: TestUser, eventId: string, status: string) {
	return call("PUT", `/api/v1/fellowship/events/${eventId}/rsvp`, { token: user.token, body: { status } });
}

export async function memberOf(groupId: string, userId: string) {
	return env.DB.prepare("SELECT role, status FROM group_members WHERE group_id = ? AND user_id = ?")
		.bind(groupId, userId)
		.first<{ role: string; status: string }>();
}

/**
 * `count` active members of a group, inserted straight into D1 (a few statements, one JSON parameter each)
 * rather than signed up one by one; each gets a real token for their `sub`.
 */
export async function insertActiveMembers(groupId: string, count: number): Promise<TestUser[]> {
	const now = new Date().toISOString();
	const people = Array.from({ length: count }, (_, i) => ({
		id: newId(),
		sub: uniqueSub(`bulk${i}`),
		name: `Member ${i}`,
		member_id: newId(),
	}));
	const statements: D1PreparedStatement[] = [];
	for (let start = 0; start < people.length; start += 100) {
		const chunk = JSON.stringify(people.slice(start, start + 100));
		statements.push(
			env.DB.prepare(
				`INSERT INTO users (id, auth0_sub, display_name, trust_level_since, created_at, updated_at)
				 SELECT json_extract(value, '$.id'), json_extract(value, '$.sub'), json_extract(value, '$.name'), ?1, ?1, ?1
				 FROM json_each(?2)`,
			).bind(now, chunk),
			env.DB.prepare(
				`INSERT INTO group_members (id, group_id, user_id, role, status, created_at, updated_at)
				 SELECT json_extract(value, '$.member_id'), ?1, json_extract(value, '$.id'), 'member', 'active', ?2, ?2
				 FROM json_each(?3)`,
			).bind(groupId, now, chunk),
		);
	}
	statements.push(
		env.DB.prepare(
			"UPDATE fellowship_groups SET member_count = (SELECT count(*) FROM group_members WHERE group_id = ?1 AND status = 'active') WHERE id = ?1",
		).bind(groupId),
	);
	await env.DB.batch(statements);
	return Promise.all(people.map(async (p) => ({ id: p.id, sub: p.sub, token: await tokenFor(p.sub) })));
}
