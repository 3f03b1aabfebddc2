/**
 * Team Up projects: creation needs growing (the creator becomes the owner), projects are read by anyone
 * who may know them (private ones are 404 to non-members), listed with filters and a cursor, edited by
 * owners and admins, and deleting archives them (read-only). Bad input is a 4xx problem.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";
import { createProject, grower, inviteToProject, joinProject, PROJECTS, type Project } from "./helpers";

type Page = { data: Project[]; next_cursor: string | null };

describe("POST /teamup/projects", () => {
	it("creates a project whose creator is its active owner, with the members in the answer", async () => {
		const owner = await grower();
		const project = await createProject(owner, {
			description: "Beds for the estate",
			max_members: 5,
			visibility: "members_only",
		});
		expect(project).toMatchObject({
			title: "Community garden",
			status: "planning",
			visibility: "members_only",
			max_members: 5,
			member_count: 1,
			archived_at: null,
			my_membership: { role: "owner", status: "active" },
			members_truncated: false,
		});
		expect(project.members?.map((m) => [m.user.id, m.role])).toEqual([[owner.id, "owner"]]);
	});

	it("needs trust growing: new_sprout gets 403, a guardian passes; 401 anonymously", async () => {
		const body = { title: "Choir", project_type: "creative" };
		const sprout = await signUp("sprout");
		await expectProblem(await call("POST", PROJECTS, { token: sprout.token, body }), 403);
		const guardian = await signUp("guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		await expectStatus(await call("POST", PROJECTS, { token: guardian.token, body }), 201);
		await expectProblem(await call("POST", PROJECTS, { body }), 401);
	});

	it.each([
		["a missing title", { title: undefined }],
		["an oversized title", { title: "t".repeat(121) }],
		["an unknown type", { project_type: "sports" }],
		["status archived", { status: "archived" }],
		["max_members 0", { max_members: 0 }],
		["max_members too large", { max_members: 10_001 }],
		["an unknown visibility", { visibility: "secret" }],
		["an unknown field", { member_count: 4 }],
		["spiritual without the opt-in", { is_spiritual: true }],
	])("rejects %s with 422", async (_label, body) => {
		const owner = await grower("bad-project");
		await expectProblem(
			await call("POST", PROJECTS, {
				token: owner.token,
				body: { title: "Choir", project_type: "creative", ...body },
			}),
			422,
		);
	});
});

describe("GET /teamup/projects/{project_id}", () => {
	it("shows public projects with members to anyone, members_only ones without members to strangers", async () => {
		const owner = await grower();
		const open = await createProject(owner);
		const anon = await expectStatus<Project>(await call("GET", `${PROJECTS}/${open.id}`), 200);
		expect(anon.members?.map((m) => m.user.id)).toEqual([owner.id]);
		const closed = await createProject(owner, { visibility: "members_only" });
		const stranger = await signUp("stranger");
		const seen = await expectStatus<Project>(
			await call("GET", `${PROJECTS}/${closed.id}`, { token: stranger.token }),
			200,
		);
		expect(seen.members).toBeNull();
		expect(seen.my_membership).toBeNull();
	});

	it("answers 404 for private projects to non-members and unknown ids, 422 for bad ids", async () => {
		const owner = await grower();
		const hidden = await createProject(owner, { visibility: "private" });
		await expectProblem(await call("GET", `${PROJECTS}/${hidden.id}`), 404);
		await expectProblem(
			await call("GET", `${PROJECTS}/${hidden.id}`, { token: (await signUp("s")).token }),
			404,
		);
		const guest = await signUp("guest");
		await expectStatus(await inviteToProject(owner, hidden.id, guest.id), 201);
		await expectStatus(await call("GET", `${PROJECTS}/${hidden.id}`, { token: guest.token }), 200);
		await expectProblem(await call("GET", `${PROJECTS}/0190d4b1-0000-7000-8000-000000000000`), 404);
		await expectProblem(await call("GET", `${PROJECTS}/nope`), 422);
	});
});

describe("GET /teamup/projects", () => {
	it("lists projects I may see, newest first, filtered and searched, with a cursor", async () => {
		const owner = await grower("lister");
		const tag = `tp${Date.now().toString(36)}`;
		const a = await createProject(owner, { title: `Alpha ${tag}`, project_type: "learning" });
		const b = await createProject(owner, {
			title: `Beta ${tag}`,
			visibility: "members_only",
			status: "active",
		});
		const hidden = await createProject(owner, { title: `Hidden ${tag}`, visibility: "private" });
		const stranger = await signUp("stranger");

		const first = await expectStatus<Page>(
			await call("GET", `${PROJECTS}?q=${tag}&limit=1`, { token: stranger.token }),
			200,
		);
		expect(first.data.map((p) => p.id)).toEqual([b.id]);
		const second = await expectStatus<Page>(
			await call("GET", `${PROJECTS}?q=${tag}&limit=1&cursor=${first.next_cursor}`, {
				token: stranger.token,
			}),
			200,
		);
		expect(second.data.map((p) => p.id)).toEqual([a.id]);
		expect(second.next_cursor).toBeNull();
		// Private projects appear to their members only.
		const mine = await expectStatus<Page>(
			await call("GET", `${PROJECTS}?q=${tag}`, { token: owner.token }),
			200,
		);
		expect(mine.data.map((p) => p.id)).toEqual([hidden.id, b.id, a.id]);
		const anon = await expectStatus<Page>(await call("GET", `${PROJECTS}?q=${tag}`), 200);
		expect(anon.data.map((p) => p.id)).toEqual([b.id, a.id]);

		const learning = await expectStatus<Page>(
			await call("GET", `${PROJECTS}?q=${tag}&project_type=learning`),
			200,
		);
		expect(learning.data.map((p) => p.id)).toEqual([a.id]);
		const active = await expectStatus<Page>(await call("GET", `${PROJECTS}?q=${tag}&status=active`), 200);
		expect(active.data.map((p) => p.id)).toEqual([b.id]);
	});

	it("leaves archived projects out unless asked for by status", async () => {
		const owner = await grower("archiver");
		const tag = `ar${Date.now().toString(36)}`;
		const project = await createProject(owner, { title: `Old ${tag}` });
		await expectStatus(await call("DELETE", `${PROJECTS}/${project.id}`, { token: owner.token }), 204);
		expect((await expectStatus<Page>(await call("GET", `${PROJECTS}?q=${tag}`), 200)).data).toEqual([]);
		const archived = await expectStatus<Page>(await call("GET", `${PROJECTS}?q=${tag}&status=archived`), 200);
		expect(archived.data.map((p) => [p.id, p.status])).toEqual([[project.id, "archived"]]);
	});

	it("rejects bad filters with 422", async () => {
		await expectProblem(await call("GET", `${PROJECTS}?project_type=sports`), 422);
		await expectProblem(await call("GET", `${PROJECTS}?limit=500`), 422);
	});
});

describe("PATCH /teamup/projects/{project_id}", () => {
	it("lets owners and admins edit; only owners change visibility; members get 403", async () => {
		const owner = await grower("editor");
		const project = await createProject(owner);
		const admin = await signUp("admin");
		const member = await signUp("member");
		for (const person of [admin, member]) await expectStatus(await joinProject(person, project.id), 201);
		await expectStatus(
			await call("PATCH", `${PROJECTS}/${project.id}/members/${admin.id}`, {
				token: owner.token,
				body: { role: "admin" },
			}),
			200,
		);
		const edited = await expectStatus<Project>(
			await call("PATCH", `${PROJECTS}/${project.id}`, {
				token: admin.token,
				body: { status: "active", title: "Garden v2" },
			}),
			200,
		);
		expect(edited).toMatchObject({ status: "active", title: "Garden v2" });
		await expectProblem(
			await call("PATCH", `${PROJECTS}/${project.id}`, {
				token: admin.token,
				body: { visibility: "private" },
			}),
			403,
		);
		await expectProblem(
			await call("PATCH", `${PROJECTS}/${project.id}`, { token: member.token, body: { title: "Mine" } }),
			403,
		);
		await expectProblem(
			await call("PATCH", `${PROJECTS}/${project.id}`, { token: owner.token, body: {} }),
			422,
		);
		await expectProblem(
			await call("PATCH", `${PROJECTS}/${project.id}`, { token: owner.token, body: { status: "archived" } }),
			422,
		);
	});

	it("refuses a max_members below the current member count (409)", async () => {
		const owner = await grower("capper");
		const project = await createProject(owner);
		await expectStatus(await joinProject(await signUp("j1"), project.id), 201);
		await expectProblem(
			await call("PATCH", `${PROJECTS}/${project.id}`, { token: owner.token, body: { max_members: 1 } }),
			409,
		);
		await expectStatus(
			await call("PATCH", `${PROJECTS}/${project.id}`, { token: owner.token, body: { max_members: 2 } }),
			200,
		);
	});
});

describe("DELETE /teamup/projects/{project_id}", () => {
	it("archives: the project stays readable but takes no edits or joins", async () => {
		const owner = await grower("deleter");
		const project = await createProject(owner);
		const member = await signUp("member");
		await expectStatus(await joinProject(member, project.id), 201);
		await expectProblem(await call("DELETE", `${PROJECTS}/${project.id}`, { token: member.token }), 403);
		await expectStatus(await call("DELETE", `${PROJECTS}/${project.id}`, { token: owner.token }), 204);
		const seen = await expectStatus<Project>(
			await call("GET", `${PROJECTS}/${project.id}`, { token: member.token }),
			200,
		);
		expect(seen.status).toBe("archived");
		expect(seen.archived_at).toBeTruthy();
		await expectProblem(
			await call("PATCH", `${PROJECTS}/${project.id}`, { token: owner.token, body: { title: "Again" } }),
			409,
		);
		await expectProblem(await joinProject(await signUp("late"), project.id), 409);
		// Deleting again changes nothing.
		await expectStatus(await call("DELETE", `${PROJECTS}/${project.id}`, { token: owner.token }), 204);
	});

	it("lets a guardian archive, audit-logged", async () => {
		const owner = await grower("deleter2");
		const project = await createProject(owner);
		const guardian = await signUp("guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		await expectStatus(await call("DELETE", `${PROJECTS}/${project.id}`, { token: guardian.token }), 204);
		const audit = await env.DB.prepare(
			"SELECT action, target_type, target_user_id FROM moderation_actions WHERE actor_id = ?",
		)
			.bind(guardian.id)
			.first();
		expect(audit).toEqual({ action: "delete_content", target_type: "project", target_user_id: owner.id });
		await expectProblem(await call("DELETE", `${PROJECTS}/${project.id}`), 401);
	});
});
