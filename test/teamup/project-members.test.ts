/**
 * Project membership: join (public), request and approval (members_only), invitation only (private),
 * roles owner/admin/member with the last-owner rule, leaving and removal — and `max_members` holds even
 * when many people join at the same moment.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, signUp, type TestUser } from "../support/api";
import {
	createProject,
	grower,
	inviteToProject,
	joinProject,
	PROJECTS,
	type ProjectMembership,
	patchProjectMember,
	removeProjectMember,
} from "./helpers";

type MemberPage = {
	data: Array<{ user: { id: string }; role: string; status: string }>;
	next_cursor: string | null;
};

async function activeCount(projectId: string) {
	const row = await env.DB.prepare(
		"SELECT member_count, (SELECT count(*) FROM project_members WHERE project_id = ?1 AND status = 'active') AS actual FROM projects WHERE id = ?1",
	)
		.bind(projectId)
		.first<{ member_count: number; actual: number }>();
	expect(row?.member_count).toBe(row?.actual);
	return row?.actual;
}

describe("joining", () => {
	it("joins a public project at once", async () => {
		const owner = await grower();
		const project = await createProject(owner);
		const joiner = await signUp("joiner");
		const membership = await expectStatus<ProjectMembership>(await joinProject(joiner, project.id), 201);
		expect(membership).toMatchObject({ role: "member", status: "active" });
		await expectProblem(await joinProject(joiner, project.id), 409);
		expect(await activeCount(project.id)).toBe(2);
	});

	it("turns a join of a members_only project into a request that owners and admins approve", async () => {
		const owner = await grower();
		const project = await createProject(owner, { visibility: "members_only" });
		const asker = await signUp("asker");
		expect((await expectStatus<ProjectMembership>(await joinProject(asker, project.id), 201)).status).toBe(
			"pending",
		);
		await expectProblem(await joinProject(asker, project.id), 409);
		const pending = await expectStatus<MemberPage>(
			await call("GET", `${PROJECTS}/${project.id}/members?status=pending`, { token: owner.token }),
			200,
		);
		expect(pending.data.map((m) => m.user.id)).toEqual([asker.id]);
		await expectProblem(await call("GET", `${PROJECTS}/${project.id}/members`, { token: asker.token }), 403);
		await expectProblem(await patchProjectMember(asker, project.id, asker.id, { status: "active" }), 403);
		const approved = await expectStatus<ProjectMembership>(
			await patchProjectMember(owner, project.id, asker.id, { status: "active", role: "admin" }),
			200,
		);
		expect(approved).toMatchObject({ status: "active", role: "admin" });
		expect(await activeCount(project.id)).toBe(2);
	});

	it("makes private projects invitation only: 404 to others, invitees accept by joining", async () => {
		const owner = await grower();
		const project = await createProject(owner, { visibility: "private" });
		const stranger = await signUp("stranger");
		await expectProblem(await joinProject(stranger, project.id), 404);
		const guest = await signUp("guest");
		expect(
			(await expectStatus<ProjectMembership>(await inviteToProject(owner, project.id, guest.id), 201)).status,
		).toBe("invited");
		await expectProblem(await inviteToProject(owner, project.id, guest.id), 409);
		await expectProblem(await inviteToProject(guest, project.id, stranger.id), 403);
		expect((await expectStatus<ProjectMembership>(await joinProject(guest, project.id), 201)).status).toBe(
			"active",
		);
		await expectProblem(
			await inviteToProject(owner, project.id, "0190d4b1-0000-7000-8000-000000000000"),
			404,
		);
		await expectProblem(
			await call("POST", `${PROJECTS}/${project.id}/invitations`, { token: owner.token, body: {} }),
			422,
		);
	});

	it("refuses to go over max_members, for joins, approvals and accepted invitations", async () => {
		const owner = await grower();
		const project = await createProject(owner, { max_members: 2, visibility: "members_only" });
		const [a, b, c] = [await signUp("a"), await signUp("b"), await signUp("c")];
		await expectStatus(await joinProject(a, project.id), 201);
		await expectStatus(await joinProject(b, project.id), 201);
		await expectStatus(await inviteToProject(owner, project.id, c.id), 201);
		await expectStatus(await patchProjectMember(owner, project.id, a.id, { status: "active" }), 200);
		await expectProblem(await patchProjectMember(owner, project.id, b.id, { status: "active" }), 409);
		await expectProblem(await joinProject(c, project.id), 409);
		expect(await activeCount(project.id)).toBe(2);
		// A seat frees up: the next approval passes.
		await expectStatus(await removeProjectMember(a, project.id, a.id), 204);
		await expectStatus(await patchProjectMember(owner, project.id, b.id, { status: "active" }), 200);
		expect(await activeCount(project.id)).toBe(2);
	});

	it("holds max_members under 30 concurrent joins", async () => {
		const owner = await grower("racer");
		const project = await createProject(owner, { max_members: 6 });
		const people: TestUser[] = [];
		for (let i = 0; i < 30; i++) people.push(await signUp(`racer${i}`));
		const statuses = await Promise.all(people.map(async (p) => (await joinProject(p, project.id)).status));
		expect(statuses.filter((s) => s === 201)).toHaveLength(5);
		expect(statuses.filter((s) => s === 409)).toHaveLength(25);
		expect(await activeCount(project.id)).toBe(6);
	});
});

describe("roles, leaving and removal", () => {
	async function staffed() {
		const owner = await grower("owner");
		const project = await createProject(owner);
		const admin = await signUp("admin");
		const member = await signUp("member");
		for (const p of [admin, member]) await expectStatus(await joinProject(p, project.id), 201);
		await expectStatus(await patchProjectMember(owner, project.id, admin.id, { role: "admin" }), 200);
		return { owner, project, admin, member };
	}

	it("lets admins make members admins but not owners, and not touch owners", async () => {
		const { owner, project, admin, member } = await staffed();
		await expectProblem(await patchProjectMember(admin, project.id, member.id, { role: "owner" }), 403);
		await expectProblem(await patchProjectMember(admin, project.id, owner.id, { role: "member" }), 403);
		await expectStatus(await patchProjectMember(admin, project.id, member.id, { role: "admin" }), 200);
		await expectProblem(await patchProjectMember(member, project.id, admin.id, { role: "member" }), 403);
		await expectProblem(await patchProjectMember(owner, project.id, member.id, { role: "boss" }), 422);
		await expectProblem(
			await patchProjectMember(owner, project.id, "0190d4b1-0000-7000-8000-000000000000", { role: "admin" }),
			404,
		);
	});

	it("keeps at least one owner", async () => {
		const { owner, project, admin } = await staffed();
		await expectProblem(await removeProjectMember(owner, project.id, owner.id), 409);
		await expectProblem(await patchProjectMember(owner, project.id, owner.id, { role: "admin" }), 409);
		await expectStatus(await patchProjectMember(owner, project.id, admin.id, { role: "owner" }), 200);
		await expectStatus(await removeProjectMember(owner, project.id, owner.id), 204);
		await expectProblem(await removeProjectMember(admin, project.id, admin.id), 409);
		expect(await activeCount(project.id)).toBe(2);
	});

	it("lets admins remove members but not admins or owners; removal is 404 for non-members", async () => {
		const { owner, project, admin, member } = await staffed();
		await expectProblem(await removeProjectMember(member, project.id, admin.id), 403);
		await expectProblem(await removeProjectMember(admin, project.id, owner.id), 403);
		await expectStatus(await removeProjectMember(admin, project.id, member.id), 204);
		await expectProblem(await removeProjectMember(admin, project.id, member.id), 404);
		await expectProblem(await removeProjectMember(member, project.id, member.id), 404);
		const list = await expectStatus<MemberPage>(
			await call("GET", `${PROJECTS}/${project.id}/members`, { token: (await signUp("viewer")).token }),
			200,
		);
		expect(list.data.map((m) => m.user.id)).toEqual([owner.id, admin.id]);
		await expectProblem(await call("GET", `${PROJECTS}/${project.id}/members`), 401);
	});
});
