/**
 * Group membership: join (public), request and approval (private), invitations (secret), roles, bans,
 * leaving and removal — with the last-owner rule, the rank rules between owners, moderators and members,
 * and `member_count` kept equal to the active members.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { createGroup, type Group, invite, join, memberOf, organiser } from "./helpers";

const GROUPS = "/api/v1/fellowship/groups";
type Membership = {
	group_id: string;
	user_id: string;
	role: string;
	status: string;
	invited_by: string | null;
};
type MemberPage = {
	data: Array<{ user: { id: string }; role: string; status: string }>;
	next_cursor: string | null;
};

const patchMember = (by: TestUser, groupId: string, userId: string, body: unknown) =>
	call("PATCH", `${GROUPS}/${groupId}/members/${userId}`, { token: by.token, body });
const removeMember = (by: TestUser, groupId: string, userId: string) =>
	call("DELETE", `${GROUPS}/${groupId}/members/${userId}`, { token: by.token });

async function memberCount(groupId: string) {
	return (
		await env.DB.prepare("SELECT member_count FROM fellowship_groups WHERE id = ?")
			.bind(groupId)
			.first<{ member_count: number }>()
	)?.member_count;
}

/** A group with an owner, a moderator and a member. */
async function staffedGroup(visibility = "public") {
	const owner = await organiser("owner");
	const group = await createGroup(owner, { visibility });
	const moderator = await signUp("moderator");
	const member = await signUp("member");
	for (const person of [moderator, member]) {
		await expectStatus(await invite(owner, group.id, person.id), 201);
		await expectStatus(await join(person, group.id), 201);
	}
	await expectStatus(await patchMember(owner, group.id, moderator.id, { role: "moderator" }), 200);
	return { owner, group, moderator, member };
}

describe("joining", () => {
	it("joins a public group at once and counts the member", async () => {
		const owner = await organiser();
		const group = await createGroup(owner);
		const joiner = await signUp("joiner");
		const membership = await expectStatus<Membership>(await join(joiner, group.id), 201);
		expect(membership).toMatchObject({
			group_id: group.id,
			user_id: joiner.id,
			role: "member",
			status: "active",
		});
		expect(await memberCount(group.id)).toBe(2);
		await expectProblem(await join(joiner, group.id), 409);
		expect(await memberCount(group.id)).toBe(2);
	});

	it("turns a join of a private group into a request an owner or moderator approves", async () => {
		const { group, moderator, member } = await staffedGroup("private");
		const asker = await signUp("asker");
		const request = await expectStatus<Membership>(await join(asker, group.id), 201);
		expect(request.status).toBe("pending");
		await expectProblem(await join(asker, group.id), 409);
		expect(await memberCount(group.id)).toBe(3);
		// A plain member cannot approve; the asker cannot see members yet.
		await expectProblem(await patchMember(member, group.id, asker.id, { status: "active" }), 403);
		await expectProblem(await call("GET", `${GROUPS}/${group.id}/members`, { token: asker.token }), 403);
		// Pending requests are listed for managers only.
		const pending = await expectStatus<MemberPage>(
			await call("GET", `${GROUPS}/${group.id}/members?status=pending`, { token: moderator.token }),
			200,
		);
		expect(pending.data.map((m) => m.user.id)).toEqual([asker.id]);
		await expectProblem(
			await call("GET", `${GROUPS}/${group.id}/members?status=pending`, { token: member.token }),
			403,
		);
		const approved = await expectStatus<Membership>(
			await patchMember(moderator, group.id, asker.id, { status: "active" }),
			200,
		);
		expect(approved.status).toBe("active");
		expect(await memberCount(group.id)).toBe(4);
	});

	it("answers 404 for unknown groups and 401 anonymously", async () => {
		const joiner = await signUp("nowhere");
		await expectProblem(await join(joiner, "0190d4b1-0000-7000-8000-000000000000"), 404);
		await expectProblem(await call("POST", `${GROUPS}/0190d4b1-0000-7000-8000-000000000000/members`), 401);
	});
});

describe("invitations", () => {
	it("lets owners and moderators invite; the invitee accepts by joining or declines by leaving", async () => {
		const { group, moderator, member } = await staffedGroup("secret");
		const guest = await signUp("guest");
		const invitation = await expectStatus<Membership>(await invite(moderator, group.id, guest.id), 201);
		expect(invitation).toMatchObject({ status: "invited", invited_by: moderator.id });
		await expectProblem(await invite(moderator, group.id, guest.id), 409);
		await expectProblem(await invite(member, group.id, (await signUp("x")).id), 403);
		// The invitee now knows the secret group and can accept.
		const seen = await expectStatus<Group>(
			await call("GET", `${GROUPS}/${group.id}`, { token: guest.token }),
			200,
		);
		expect(seen.my_membership).toEqual({ role: "member", status: "invited" });
		expect((await expectStatus<Membership>(await join(guest, group.id), 201)).status).toBe("active");

		const decliner = await signUp("decliner");
		await expectStatus(await invite(moderator, group.id, decliner.id), 201);
		await expectStatus(await removeMember(decliner, group.id, decliner.id), 204);
		expect(await memberOf(group.id, decliner.id)).toBeNull();
		await expectProblem(await call("GET", `${GROUPS}/${group.id}`, { token: decliner.token }), 404);
	});

	it("approves a pending request when the requester is invited", async () => {
		const { owner, group } = await staffedGroup("private");
		const asker = await signUp("asker");
		await expectStatus(await join(asker, group.id), 201);
		const approved = await expectStatus<Membership>(await invite(owner, group.id, asker.id), 201);
		expect(approved.status).toBe("active");
	});

	it("validates the invitee: unknown or blocking users are 404, bad bodies 422", async () => {
		const { owner, group } = await staffedGroup();
		await expectProblem(await invite(owner, group.id, "0190d4b1-0000-7000-8000-000000000000"), 404);
		const blocker = await signUp("blocker");
		await env.DB.prepare("INSERT INTO blocks (id, blocker_id, blocked_id, created_at) VALUES (?, ?, ?, ?)")
			.bind(crypto.randomUUID(), blocker.id, owner.id, new Date().toISOString())
			.run();
		await expectProblem(await invite(owner, group.id, blocker.id), 404);
		await expectProblem(
			await call("POST", `${GROUPS}/${group.id}/invitations`, {
				token: owner.token,
				body: { user_id: "nope" },
			}),
			422,
		);
		await expectProblem(
			await call("POST", `${GROUPS}/${group.id}/invitations`, {
				token: owner.token,
				body: { user_id: blocker.id, note: "hi" },
			}),
			422,
		);
	});
});

describe("roles", () => {
	it("lets moderators promote members to moderator but not to owner, nor touch other moderators", async () => {
		const { owner, group, moderator, member } = await staffedGroup();
		await expectProblem(await patchMember(moderator, group.id, member.id, { role: "owner" }), 403);
		const other = await signUp("other-mod");
		await expectStatus(await join(other, group.id), 201);
		await expectStatus(await patchMember(moderator, group.id, other.id, { role: "moderator" }), 200);
		await expectProblem(await patchMember(moderator, group.id, other.id, { role: "member" }), 403);
		await expectProblem(await patchMember(moderator, group.id, owner.id, { role: "member" }), 403);
		// A moderator may step down.
		expect(
			(await expectStatus<Membership>(await patchMember(other, group.id, other.id, { role: "member" }), 200))
				.role,
		).toBe("member");
	});

	it("keeps at least one owner: the last owner can neither step down nor leave", async () => {
		const { owner, group, moderator } = await staffedGroup();
		await expectProblem(await patchMember(owner, group.id, owner.id, { role: "member" }), 409);
		await expectProblem(await removeMember(owner, group.id, owner.id), 409);
		expect(await memberOf(group.id, owner.id)).toEqual({ role: "owner", status: "active" });
		// Hand over ownership, then leaving works.
		await expectStatus(await patchMember(owner, group.id, moderator.id, { role: "owner" }), 200);
		await expectStatus(await removeMember(owner, group.id, owner.id), 204);
		expect(await memberOf(group.id, owner.id)).toBeNull();
		await expectProblem(await removeMember(moderator, group.id, moderator.id), 409);
	});

	it("rejects role changes for people who are not active, and bad bodies", async () => {
		const { owner, group } = await staffedGroup("private");
		const asker = await signUp("asker");
		await expectStatus(await join(asker, group.id), 201);
		await expectProblem(await patchMember(owner, group.id, asker.id, { role: "moderator" }), 409);
		await expectProblem(await patchMember(owner, group.id, asker.id, {}), 422);
		await expectProblem(await patchMember(owner, group.id, asker.id, { role: "admin" }), 422);
		await expectProblem(await patchMember(owner, group.id, asker.id, { status: "invited" }), 422);
		await expectProblem(
			await patchMember(owner, group.id, "0190d4b1-0000-7000-8000-000000000000", { status: "active" }),
			404,
		);
	});
});

describe("bans", () => {
	it("bans a member, who can then neither rejoin, request, nor lift the ban; removing the ban lifts it", async () => {
		const { owner, group, moderator, member } = await staffedGroup();
		const banned = await expectStatus<Membership>(
			await patchMember(moderator, group.id, member.id, { status: "banned" }),
			200,
		);
		expect(banned.status).toBe("banned");
		expect(await memberCount(group.id)).toBe(2);
		await expectProblem(await join(member, group.id), 403);
		await expectProblem(await removeMember(member, group.id, member.id), 403);
		const list = await expectStatus<MemberPage>(
			await call("GET", `${GROUPS}/${group.id}/members?status=banned`, { token: owner.token }),
			200,
		);
		expect(list.data.map((m) => m.user.id)).toEqual([member.id]);
		await expectStatus(await removeMember(moderator, group.id, member.id), 204);
		expect((await expectStatus<Membership>(await join(member, group.id), 201)).status).toBe("active");
	});

	it("never bans owners, and moderators cannot ban moderators", async () => {
		const { owner, group, moderator } = await staffedGroup();
		await expectProblem(await patchMember(moderator, group.id, owner.id, { status: "banned" }), 409);
		const other = await signUp("mod2");
		await expectStatus(await join(other, group.id), 201);
		await expectStatus(await patchMember(owner, group.id, other.id, { role: "moderator" }), 200);
		await expectProblem(await patchMember(moderator, group.id, other.id, { status: "banned" }), 403);
		await expectStatus(await patchMember(owner, group.id, other.id, { status: "banned" }), 200);
		expect(await memberOf(group.id, other.id)).toEqual({ role: "member", status: "banned" });
	});
});

describe("removal and the member list", () => {
	it("lets moderators remove members (not owners), and lists active members oldest first", async () => {
		const { owner, group, moderator, member } = await staffedGroup();
		const list = await expectStatus<MemberPage>(
			await call("GET", `${GROUPS}/${group.id}/members?limit=2`, { token: member.token }),
			200,
		);
		expect(list.data.map((m) => m.user.id)).toEqual([owner.id, moderator.id]);
		const rest = await expectStatus<MemberPage>(
			await call("GET", `${GROUPS}/${group.id}/members?limit=2&cursor=${list.next_cursor}`, {
				token: member.token,
			}),
			200,
		);
		expect(rest.data.map((m) => m.user.id)).toEqual([member.id]);

		await expectProblem(await removeMember(member, group.id, moderator.id), 403);
		await expectProblem(await removeMember(moderator, group.id, owner.id), 403);
		await expectStatus(await removeMember(moderator, group.id, member.id), 204);
		expect(await memberCount(group.id)).toBe(2);
		await expectProblem(await removeMember(moderator, group.id, member.id), 404);
	});

	it("shows a public group's members to any signed-in user, hiding people who block me", async () => {
		const { group, member } = await staffedGroup();
		const stranger = await signUp("stranger");
		await env.DB.prepare("INSERT INTO blocks (id, blocker_id, blocked_id, created_at) VALUES (?, ?, ?, ?)")
			.bind(crypto.randomUUID(), member.id, stranger.id, new Date().toISOString())
			.run();
		const list = await expectStatus<MemberPage>(
			await call("GET", `${GROUPS}/${group.id}/members`, { token: stranger.token }),
			200,
		);
		expect(list.data).toHaveLength(2);
		expect(list.data.map((m) => m.user.id)).not.toContain(member.id);
		await expectProblem(await call("GET", `${GROUPS}/${group.id}/members`), 401);
		await expectProblem(
			await call("GET", `${GROUPS}/${group.id}/members?status=left`, { token: stranger.token }),
			422,
		);
	});

	it("lets a guardian remove anyone but the last owner, audit-logged", async () => {
		const { owner, group, member } = await staffedGroup();
		const guardian = await signUp("guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		await expectStatus(await removeMember(guardian, group.id, member.id), 204);
		await expectProblem(await removeMember(guardian, group.id, owner.id), 409);
		const audit = await env.DB.prepare(
			"SELECT action, target_type, target_user_id FROM moderation_actions WHERE actor_id = ? AND target_id = ?",
		)
			.bind(guardian.id, group.id)
			.all();
		expect(audit.results).toEqual([
			{ action: "edit_content", target_type: "fellowship_group", target_user_id: member.id },
		]);
	});
});
