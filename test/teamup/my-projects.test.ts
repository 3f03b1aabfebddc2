/**
 * `GET /teamup/projects?member=me`: only the projects I am an active member of (any role), private ones
 * included; never one I am only invited to or waiting for, never another person's private project; archived
 * ones only with `status=archived`, as in the full list. Keyset pages walk it without duplicates or gaps.
 * Without a token it is a 401; another value is a 422.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, signUp, type TestUser } from "../support/api";
import { createProject, grower, inviteToProject, joinProject, PROJECTS, type Project } from "./helpers";

type Page = { data: Project[]; next_cursor: string | null };

let me: TestUser;
let other: TestUser;
const mine: Record<string, Project> = {};
const notMine: Record<string, Project> = {};
let archived: Project;

async function everyPage(user: TestUser, query: string): Promise<Project[]> {
	const seen: Project[] = [];
	let cursor: string | null = null;
	do {
		const url: string = `${PROJECTS}?member=me&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
		const page: Page = await expectStatus<Page>(await call("GET", url, { token: user.token }), 200);
		seen.push(...page.data);
		cursor = page.next_cursor;
	} while (cursor);
	return seen;
}

beforeAll(async () => {
	me = await grower("my-projects-me");
	other = await grower("my-projects-other");
	mine.owned = await createProject(me, { title: "Mine, owned" });
	mine.ownedPrivate = await createProject(me, { title: "Mine, owned and private", visibility: "private" });
	mine.joined = await createProject(other, { title: "Joined public" });
	await expectStatus(await joinProject(me, mine.joined.id), 201);
	mine.private = await createProject(other, {
		title: "Private, invited and accepted",
		visibility: "private",
	});
	await expectStatus(await inviteToProject(other, mine.private.id, me.id), 201);
	await expectStatus(await joinProject(me, mine.private.id), 201);

	notMine.invited = await createProject(other, { title: "Private, only invited", visibility: "private" });
	await expectStatus(await inviteToProject(other, notMine.invited.id, me.id), 201);
	notMine.pending = await createProject(other, {
		title: "Members only, pending",
		visibility: "members_only",
	});
	await expectStatus(await joinProject(me, notMine.pending.id), 201);
	notMine.othersPrivate = await createProject(other, {
		title: "Someone else's private",
		visibility: "private",
	});
	notMine.stranger = await createProject(other, { title: "A public project I never joined" });
	archived = await createProject(me, { title: "Mine, archived" });
	await expectStatus(await call("DELETE", `${PROJECTS}/${archived.id}`, { token: me.token }), 204);
});

describe("GET /teamup/projects?member=me", () => {
	it("lists exactly the projects I am an active member of, private ones included", async () => {
		const listed = await everyPage(me, "limit=100");
		expect(new Set(listed.map((project) => project.id))).toEqual(
			new Set(Object.values(mine).map((project) => project.id)),
		);
		for (const project of listed) expect(project.my_membership?.status).toBe("active");
	});

	it("walks keyset pages without duplicates or gaps, newest first", async () => {
		const all = (await everyPage(me, "limit=100")).map((project) => project.id);
		const paged = (await everyPage(me, "limit=1")).map((project) => project.id);
		expect(paged).toEqual(all);
		expect(paged).toEqual([...paged].sort().reverse());
	});

	it("shows archived ones only when asked for by status", async () => {
		const listed = await everyPage(me, "status=archived");
		expect(listed.map((project) => project.id)).toEqual([archived.id]);
	});

	it("is someone else's own list for them: none of my private projects leak into it", async () => {
		const theirs = (await everyPage(other, "limit=100")).map((project) => project.id);
		expect(theirs).not.toContain(mine.owned?.id);
		expect(theirs).not.toContain(mine.ownedPrivate?.id);
		expect(theirs).toContain(notMine.othersPrivate?.id);
	});

	it("is 401 problem+json without a token, 422 for any other value", async () => {
		const problem = await expectProblem(await call("GET", `${PROJECTS}?member=me`), 401);
		expect(problem.detail).toContain("member=me");
		await expectStatus(await call("GET", PROJECTS), 200);
		for (const value of ["you", "all", "", me.id]) {
			const invalid = await expectProblem(
				await call("GET", `${PROJECTS}?member=${encodeURIComponent(value)}`, { token: me.token }),
				422,
			);
			expect(invalid.errors?.map((error) => error.field)).toContain("query/member");
		}
	});

	it("is empty for someone in no project", async () => {
		const loner = await signUp("my-projects-loner");
		const page = await expectStatus<Page>(
			await call("GET", `${PROJECTS}?member=me`, { token: loner.token }),
			200,
		);
		expect(page).toEqual({ data: [], next_cursor: null });
	});
});
