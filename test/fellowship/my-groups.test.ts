/**
 * `GET /fellowship/groups?member=me`: only the groups I am an active member of (any role), secret ones
 * included; never a group I am only invited to, waiting for, banned from, or that was deleted; never another
 * person's secret group. Keyset pages walk it without duplicates or gaps. Without a token it is a 401;
 * another value is a 422.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, signUp, type TestUser } from "../support/api";
import { createGroup, type Group, invite, join, organiser } from "./helpers";

type Page = { data: Group[]; next_cursor: string | null };

const GROUPS = "/api/v1/fellowship/groups";

let me: TestUser;
let other: TestUser;
const mine: Record<string, Group> = {};
const notMine: Record<string, Group> = {};

async function everyPage(user: TestUser, query: string): Promise<Group[]> {
	const seen: Group[] = [];
	let cursor: string | null = null;
	do {
		const url: string = `${GROUPS}?member=me&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
		const page: Page = await expectStatus<Page>(await call("GET", url, { token: user.token }), 200);
		seen.push(...page.data);
		cursor = page.next_cursor;
	} while (cursor);
	return seen;
}

beforeAll(async () => {
	me = await organiser("my-groups-me");
	other = await organiser("my-groups-other");
	mine.owned = await createGroup(me, { name: "Mine, owned" });
	mine.ownedSecret = await createGroup(me, { name: "Mine, owned and secret", visibility: "secret" });
	const joined = await createGroup(other, { name: "Joined public" });
	await expectStatus(await join(me, joined.id), 201);
	mine.joined = joined;
	const secret = await createGroup(other, { name: "Secret, invited and accepted", visibility: "secret" });
	await expectStatus(await invite(other, secret.id, me.id), 201);
	await expectStatus(await join(me, secret.id), 201);
	mine.secret = secret;

	notMine.invited = await createGroup(other, { name: "Secret, only invited", visibility: "secret" });
	await expectStatus(await invite(other, notMine.invited.id, me.id), 201);
	notMine.pending = await createGroup(other, { name: "Private, request pending", visibility: "private" });
	await expectStatus(await join(me, notMine.pending.id), 201);
	notMine.banned = await createGroup(other, { name: "Banned from" });
	await expectStatus(await join(me, notMine.banned.id), 201);
	await expectStatus(
		await call("PATCH", `${GROUPS}/${notMine.banned.id}/members/${me.id}`, {
			token: other.token,
			body: { status: "banned" },
		}),
		200,
	);
	notMine.deleted = await createGroup(other, { name: "Deleted later" });
	await expectStatus(await join(me, notMine.deleted.id), 201);
	await expectStatus(await call("DELETE", `${GROUPS}/${notMine.deleted.id}`, { token: other.token }), 204);
	notMine.othersSecret = await createGroup(other, { name: "Someone else's secret", visibility: "secret" });
	notMine.stranger = await createGroup(other, { name: "A public group I never joined" });
});

describe("GET /fellowship/groups?member=me", () => {
	it("lists exactly the groups I am an active member of, secret ones included", async () => {
		const listed = await everyPage(me, "limit=100");
		expect(new Set(listed.map((group) => group.id))).toEqual(
			new Set(Object.values(mine).map((group) => group.id)),
		);
		for (const group of listed) expect(group.my_membership?.status).toBe("active");
	});

	it("walks keyset pages of one without duplicates or gaps, newest and popular", async () => {
		const all = (await everyPage(me, "limit=100")).map((group) => group.id);
		for (const sort of ["newest", "popular"]) {
			const paged = (await everyPage(me, `limit=1&sort=${sort}`)).map((group) => group.id);
			expect(paged).toHaveLength(all.length);
			expect(new Set(paged)).toEqual(new Set(all));
		}
		const newest = (await everyPage(me, "limit=2&sort=newest")).map((group) => group.id);
		expect(newest).toEqual([...newest].sort().reverse());
	});

	it("is someone else's own list for them: none of my secret groups leak into it", async () => {
		const theirs = (await everyPage(other, "limit=100")).map((group) => group.id);
		expect(theirs).not.toContain(mine.owned?.id);
		expect(theirs).not.toContain(mine.ownedSecret?.id);
		expect(theirs).toContain(notMine.othersSecret?.id);
	});

	it("keeps the other filters", async () => {
		const found = await everyPage(me, "q=invited");
		expect(found.map((group) => group.id)).toEqual([mine.secret?.id]);
	});

	it("is 401 problem+json without a token, even though the list itself is public", async () => {
		const problem = await expectProblem(await call("GET", `${GROUPS}?member=me`), 401);
		expect(problem.detail).toContain("member=me");
		// The plain list stays public.
		await expectStatus(await call("GET", GROUPS), 200);
	});

	it("is 422 for any other value, and with sort=recommended", async () => {
		for (const value of ["you", "ME", "", me.id]) {
			const problem = await expectProblem(
				await call("GET", `${GROUPS}?member=${encodeURIComponent(value)}`, { token: me.token }),
				422,
			);
			expect(problem.errors?.map((error) => error.field)).toContain("query/member");
		}
		const problem = await expectProblem(
			await call("GET", `${GROUPS}?member=me&sort=recommended`, { token: me.token }),
			422,
		);
		expect(problem.errors?.map((error) => error.field)).toContain("query/member");
	});

	it("is empty for someone in no group", async () => {
		const loner = await signUp("my-groups-loner");
		const page = await expectStatus<Page>(
			await call("GET", `${GROUPS}?member=me`, { token: loner.token }),
			200,
		);
		expect(page).toEqual({ data: [], next_cursor: null });
	});
});
