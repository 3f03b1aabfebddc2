/**
 * Fellowship groups: creation needs good_soil (a guardian passes), the creator becomes the owner, groups are
 * read by anyone (public endpoints), listed and searched with filters and cursors, edited by owners and
 * moderators, and deleted by an owner or a guardian (audit-logged). Bad input is a 4xx problem.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";
import { createGroup, type Group, join, organiser } from "./helpers";

type Page = { data: Group[]; next_cursor: string | null };

const GROUPS = "/api/v1/fellowship/groups";

describe("POST /fellowship/groups", () => {
	it("creates a group whose creator is its active owner, counted as its one member", async () => {
		const owner = await organiser();
		const group = await createGroup(owner, {
			name: "Quiet readers",
			description: "We read, slowly.",
			group_type: "learning",
			visibility: "private",
		});
		expect(group).toMatchObject({
			name: "Quiet readers",
			description: "We read, slowly.",
			group_type: "learning",
			visibility: "private",
			is_spiritual: false,
			member_count: 1,
			my_membership: { role: "owner", status: "active" },
			pending_review: false,
		});
		const row = await env.DB.prepare(
			"SELECT role, status FROM group_members WHERE group_id = ? AND user_id = ?",
		)
			.bind(group.id, owner.id)
			.first();
		expect(row).toEqual({ role: "owner", status: "active" });
	});

	it("needs trust good_soil: new_sprout and growing get 403, a guardian passes", async () => {
		const sprout = await signUp("sprout");
		const body = { name: "Walkers", group_type: "wellness" };
		await expectProblem(await call("POST", GROUPS, { token: sprout.token, body }), 403);
		await setUserColumns(sprout.id, { trust_level: "growing" });
		await expectProblem(await call("POST", GROUPS, { token: sprout.token, body }), 403);
		const guardian = await signUp("guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		await expectStatus(await call("POST", GROUPS, { token: guardian.token, body }), 201);
		const count = await env.DB.prepare("SELECT count(*) AS n FROM fellowship_groups WHERE owner_id = ?")
			.bind(sprout.id)
			.first<{ n: number }>();
		expect(count?.n).toBe(0);
	});

	it("is 401 anonymously and 403 when suspended", async () => {
		await expectProblem(
			await call("POST", GROUPS, { body: { name: "Walkers", group_type: "wellness" } }),
			401,
		);
		const owner = await organiser("suspended");
		await setUserColumns(owner.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(
			await call("POST", GROUPS, { token: owner.token, body: { name: "Walkers", group_type: "wellness" } }),
			403,
		);
	});

	it.each([
		["a missing name", { name: undefined }],
		["a too short name", { name: "ab" }],
		["an oversized name", { name: "n".repeat(81) }],
		["an oversized description", { description: "d".repeat(2001) }],
		["an unknown type", { group_type: "gaming" }],
		["an unknown visibility", { visibility: "hidden" }],
		["a wrong type", { is_spiritual: "yes" }],
		["an unknown field", { owner_id: "00000000-0000-7000-8000-000000000000" }],
		["spiritual without the opt-in", { is_spiritual: true }],
	])("rejects %s with 422", async (_label, body) => {
		const owner = await organiser("bad-group");
		await expectProblem(
			await call("POST", GROUPS, {
				token: owner.token,
				body: { name: "Walkers", group_type: "wellness", ...body },
			}),
			422,
		);
	});

	it("rejects malformed JSON with 400", async () => {
		const owner = await organiser("malformed");
		await expectProblem(await call("POST", GROUPS, { token: owner.token, rawBody: '{"name":' }), 400);
	});
});

describe("GET /fellowship/groups/{group_id}", () => {
	it("shows a public group to anyone, with my membership when signed in", async () => {
		const owner = await organiser();
		const group = await createGroup(owner);
		const anonymous = await expectStatus<Group>(await call("GET", `${GROUPS}/${group.id}`), 200);
		expect(anonymous).toMatchObject({ id: group.id, my_membership: null });
		const stranger = await signUp("stranger");
		expect(
			await expectStatus<Group>(await call("GET", `${GROUPS}/${group.id}`, { token: stranger.token }), 200),
		).toMatchObject({ my_membership: null });
		expect(
			await expectStatus<Group>(await call("GET", `${GROUPS}/${group.id}`, { token: owner.token }), 200),
		).toMatchObject({ my_membership: { role: "owner", status: "active" } });
	});

	it("answers 404 for unknown ids, 422 for malformed ones, 401 for a bad token", async () => {
		await expectProblem(await call("GET", `${GROUPS}/0190d4b1-0000-7000-8000-000000000000`), 404);
		await expectProblem(await call("GET", `${GROUPS}/not-a-uuid`), 422);
		await expectProblem(
			await call("GET", `${GROUPS}/0190d4b1-0000-7000-8000-000000000000`, { token: "x.y.z" }),
			401,
		);
	});

	it("hides spiritual groups from anyone who has not opted in (404, and skipped in lists)", async () => {
		const owner = await organiser("spiritual-owner");
		await setUserColumns(owner.id, { spiritual_opt_in: 1 });
		const group = await createGroup(owner, {
			name: "Evening prayer",
			group_type: "faith",
			is_spiritual: true,
		});
		const secular = await signUp("secular");
		await expectProblem(await call("GET", `${GROUPS}/${group.id}`, { token: secular.token }), 404);
		await expectProblem(await call("GET", `${GROUPS}/${group.id}`), 404);
		const list = await expectStatus<Page>(
			await call("GET", `${GROUPS}?group_type=faith&limit=100`, { token: secular.token }),
			200,
		);
		expect(list.data.map((g) => g.id)).not.toContain(group.id);
		const believer = await signUp("believer");
		await setUserColumns(believer.id, { spiritual_opt_in: 1 });
		await expectStatus(await call("GET", `${GROUPS}/${group.id}`, { token: believer.token }), 200);
	});
});

describe("GET /fellowship/groups", () => {
	it("lists newest first with a cursor, filters by type and searches name and description", async () => {
		const owner = await organiser("lister");
		const tag = `zq${Date.now().toString(36)}`;
		const a = await createGroup(owner, { name: `Alpha ${tag}`, group_type: "local" });
		const b = await createGroup(owner, {
			name: "Beta walkers",
			description: `about ${tag}`,
			group_type: "local",
		});
		const c = await createGroup(owner, { name: `Gamma ${tag}`, group_type: "support" });

		const first = await expectStatus<Page>(await call("GET", `${GROUPS}?q=${tag}&limit=2`), 200);
		expect(first.data.map((g) => g.id)).toEqual([c.id, b.id]);
		expect(first.next_cursor).toBeTruthy();
		const second = await expectStatus<Page>(
			await call("GET", `${GROUPS}?q=${tag}&limit=2&cursor=${first.next_cursor}`),
			200,
		);
		expect(second.data.map((g) => g.id)).toEqual([a.id]);
		expect(second.next_cursor).toBeNull();

		const local = await expectStatus<Page>(await call("GET", `${GROUPS}?q=${tag}&group_type=local`), 200);
		expect(local.data.map((g) => g.id)).toEqual([b.id, a.id]);
		// LIKE wildcards in q are literal.
		const wildcard = await expectStatus<Page>(await call("GET", `${GROUPS}?q=${tag}%25`), 200);
		expect(wildcard.data).toEqual([]);
	});

	it("sorts by member count with `popular`, and `recommended` falls back to it", async () => {
		const owner = await organiser("popular");
		const tag = `pop${Date.now().toString(36)}`;
		const small = await createGroup(owner, { name: `Small ${tag}` });
		const big = await createGroup(owner, { name: `Big ${tag}` });
		for (const label of ["p1", "p2"]) await expectStatus(await join(await signUp(label), big.id), 201);
		const popular = await expectStatus<Page>(
			await call("GET", `${GROUPS}?q=${tag}&sort=popular&limit=1`),
			200,
		);
		expect(popular.data.map((g) => [g.id, g.member_count])).toEqual([[big.id, 3]]);
		const next = await expectStatus<Page>(
			await call("GET", `${GROUPS}?q=${tag}&sort=popular&limit=1&cursor=${popular.next_cursor}`),
			200,
		);
		expect(next.data.map((g) => g.id)).toEqual([small.id]);
		// Anonymous callers have nothing to rank by: the popular order.
		const recommended = await expectStatus<Page>(
			await call("GET", `${GROUPS}?q=${tag}&sort=recommended`),
			200,
		);
		expect(recommended.data.map((g) => g.id)).toEqual([big.id, small.id]);
	});

	it("recommends groups I have not joined", async () => {
		const owner = await organiser("recommender");
		const tag = `rec${Date.now().toString(36)}`;
		const mine = await createGroup(owner, { name: `Mine ${tag}` });
		const other = await createGroup(await organiser("other-owner"), { name: `Other ${tag}` });
		const page = await expectStatus<Page>(
			await call("GET", `${GROUPS}?q=${tag}&sort=recommended`, { token: owner.token }),
			200,
		);
		expect(page.data.map((g) => g.id)).toEqual([other.id]);
		expect(page.data.map((g) => g.id)).not.toContain(mine.id);
	});

	it.each([
		["limit 0", "limit=0"],
		["limit 101", "limit=101"],
		["an unknown sort", "sort=random"],
		["an unknown type", "group_type=gaming"],
		["an oversized q", `q=${"q".repeat(101)}`],
	])("rejects %s with 422", async (_label, query) => {
		await expectProblem(await call("GET", `${GROUPS}?${query}`), 422);
	});

	it("rejects a tampered cursor with 400", async () => {
		await expectProblem(await call("GET", `${GROUPS}?cursor=not-a-cursor`), 400);
	});
});

describe("PATCH /fellowship/groups/{group_id}", () => {
	it("lets owners and moderators edit; only owners change visibility", async () => {
		const owner = await organiser("editor");
		const group = await createGroup(owner);
		const moderator = await signUp("moderator");
		await expectStatus(await join(moderator, group.id), 201);
		await expectStatus(
			await call("PATCH", `${GROUPS}/${group.id}/members/${moderator.id}`, {
				token: owner.token,
				body: { role: "moderator" },
			}),
			200,
		);
		const edited = await expectStatus<Group & { description: string }>(
			await call("PATCH", `${GROUPS}/${group.id}`, {
				token: moderator.token,
				body: { description: "Runs at dawn" },
			}),
			200,
		);
		expect(edited.description).toBe("Runs at dawn");
		await expectProblem(
			await call("PATCH", `${GROUPS}/${group.id}`, {
				token: moderator.token,
				body: { visibility: "private" },
			}),
			403,
		);
		const madePrivate = await expectStatus<Group>(
			await call("PATCH", `${GROUPS}/${group.id}`, { token: owner.token, body: { visibility: "private" } }),
			200,
		);
		expect(madePrivate.visibility).toBe("private");
	});

	it("is 403 for members and strangers, 404 for unknown groups, 422 for bad input", async () => {
		const owner = await organiser("editor2");
		const group = await createGroup(owner);
		const member = await signUp("plain-member");
		await expectStatus(await join(member, group.id), 201);
		await expectProblem(
			await call("PATCH", `${GROUPS}/${group.id}`, { token: member.token, body: { name: "Mine now" } }),
			403,
		);
		const stranger = await signUp("stranger");
		await expectProblem(
			await call("PATCH", `${GROUPS}/${group.id}`, { token: stranger.token, body: { name: "Mine now" } }),
			403,
		);
		await expectProblem(
			await call("PATCH", `${GROUPS}/0190d4b1-0000-7000-8000-000000000000`, {
				token: owner.token,
				body: { name: "Whatever" },
			}),
			404,
		);
		await expectProblem(await call("PATCH", `${GROUPS}/${group.id}`, { token: owner.token, body: {} }), 422);
		await expectProblem(
			await call("PATCH", `${GROUPS}/${group.id}`, { token: owner.token, body: { member_count: 99 } }),
			422,
		);
		await expectProblem(await call("PATCH", `${GROUPS}/${group.id}`, { body: { name: "Anon" } }), 401);
	});

	it("lets a guardian edit, audit-logged", async () => {
		const owner = await organiser("guarded");
		const group = await createGroup(owner);
		const guardian = await signUp("guardian-editor");
		await setUserColumns(guardian.id, { role: "guardian" });
		await expectStatus(
			await call("PATCH", `${GROUPS}/${group.id}`, {
				token: guardian.token,
				body: { name: "Renamed by a guardian" },
			}),
			200,
		);
		const audit = await env.DB.prepare(
			"SELECT action, target_type, target_user_id FROM moderation_actions WHERE actor_id = ? AND target_id = ?",
		)
			.bind(guardian.id, group.id)
			.first();
		expect(audit).toEqual({
			action: "edit_content",
			target_type: "fellowship_group",
			target_user_id: owner.id,
		});
	});
});

describe("DELETE /fellowship/groups/{group_id}", () => {
	it("lets the owner delete (soft): the group is gone for everyone", async () => {
		const owner = await organiser("deleter");
		const group = await createGroup(owner);
		await expectStatus(await call("DELETE", `${GROUPS}/${group.id}`, { token: owner.token }), 204);
		await expectProblem(await call("GET", `${GROUPS}/${group.id}`, { token: owner.token }), 404);
		const row = await env.DB.prepare("SELECT deleted_at FROM fellowship_groups WHERE id = ?")
			.bind(group.id)
			.first<{ deleted_at: string | null }>();
		expect(row?.deleted_at).toBeTruthy();
	});

	it("refuses moderators and members (403); a guardian may, audit-logged", async () => {
		const owner = await organiser("deleter2");
		const group = await createGroup(owner);
		const member = await signUp("member");
		await expectStatus(await join(member, group.id), 201);
		await expectProblem(await call("DELETE", `${GROUPS}/${group.id}`, { token: member.token }), 403);
		await expectProblem(await call("DELETE", `${GROUPS}/${group.id}`), 401);
		const guardian = await signUp("guardian-deleter");
		await setUserColumns(guardian.id, { role: "guardian" });
		await expectStatus(await call("DELETE", `${GROUPS}/${group.id}`, { token: guardian.token }), 204);
		const audit = await env.DB.prepare(
			"SELECT action FROM moderation_actions WHERE actor_id = ? AND target_id = ?",
		)
			.bind(guardian.id, group.id)
			.first();
		expect(audit).toEqual({ action: "delete_content" });
	});
});
