/**
 * `GET /search` over the kinds beside posts — groups, projects, Guides, daily nourishment and Sunlight shares:
 * each kind's visibility (the rules of its own `GET` or list, never held, removed, deleted or archived), the
 * index following its writes at once, its `item` being what its own `GET` answers, and anonymous Sunlight
 * shares never giving their author away. Every test tags its things with a word of its own.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createGroup, invite, organiser } from "../fellowship/helpers";
import { block, setModerationStatus } from "../flourish/helpers";
import { makeGuide } from "../orchard/helpers";
import { share } from "../sunlight/helpers";
import { call, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { createProject, grower, inviteToProject } from "../teamup/helpers";
import { search, tagMaker } from "./helpers";

const tag = tagMaker("kqw", "x");
const found = async (user: TestUser | undefined, q: string, type = "all") =>
	(await search(user, { q, type })).data.map((result) => `${result.type}:${result.id}`);
const get = async (user: TestUser | undefined, path: string) =>
	expectStatus<Record<string, unknown>>(await call("GET", path, user ? { token: user.token } : {}), 200);

async function guardian(label: string): Promise<TestUser> {
	const user = await signUp(label);
	await setUserColumns(user.id, { role: "guardian" });
	return user;
}

describe("groups", () => {
	it("are found by name and description, by anyone the lists show them to, as their own GET shows them", async () => {
		const owner = await organiser("search-group-owner");
		const reader = await signUp("search-group-reader");
		const t = tag();
		const group = await createGroup(owner, { name: `${t} Allotment circle`, description: "Seeds and soil" });
		expect(await found(reader, `${t} allotment`)).toEqual([`group:${group.id}`]);
		expect(await found(undefined, `${t} seeds`, "groups")).toEqual([`group:${group.id}`]);
		const [result] = (await search(reader, { q: `${t} soil` })).data;
		expect(result?.title).toBe(`${t} Allotment circle`);
		expect(result?.item).toEqual(await get(reader, `/api/v1/fellowship/groups/${group.id}`));
		// The owner's view carries their membership, as the GET does for them.
		const [mine] = (await search(owner, { q: `${t} soil` })).data;
		expect(mine?.item).toEqual(await get(owner, `/api/v1/fellowship/groups/${group.id}`));
		expect(mine?.item.my_membership).toEqual({ role: "owner", status: "active" });
	});

	it("secret ones only to their active or invited members; never deleted, held or removed ones", async () => {
		const owner = await organiser("search-secret-owner");
		const invited = await signUp("search-secret-invited");
		const stranger = await signUp("search-secret-stranger");
		const watcher = await guardian("search-secret-guardian");
		const t = tag();
		const secret = await createGroup(owner, { name: `${t} quiet circle`, visibility: "secret" });
		await invite(owner, secret.id, invited.id);
		expect(await found(owner, t)).toEqual([`group:${secret.id}`]);
		expect(await found(invited, t)).toEqual([`group:${secret.id}`]);
		for (const outsider of [stranger, watcher, undefined]) expect(await found(outsider, t)).toEqual([]);

		const open = await createGroup(owner, { name: `${t} open circle` });
		await setModerationStatus("fellowship_groups", open.id, "hidden");
		expect(await found(owner, `${t} open`)).toEqual([]);
		await setModerationStatus("fellowship_groups", open.id, "clean");
		expect(await found(stranger, `${t} open`)).toEqual([`group:${open.id}`]);
		expect(
			(await call("DELETE", `/api/v1/fellowship/groups/${open.id}`, { token: owner.token })).status,
		).toBe(204);
		expect(await found(owner, `${t} open`)).toEqual([]);
	});

	it("spiritual ones only with the opt-in; an edit re-indexes at once", async () => {
		const owner = await organiser("search-group-spirit");
		await setUserColumns(owner.id, { spiritual_opt_in: 1 });
		const reader = await signUp("search-group-spirit-reader");
		const t = tag();
		const group = await createGroup(owner, {
			name: `${t} evening prayer`,
			group_type: "faith",
			is_spiritual: true,
		});
		expect(await found(reader, t)).toEqual([]);
		await setUserColumns(reader.id, { spiritual_opt_in: 1 });
		expect(await found(reader, t)).toEqual([`group:${group.id}`]);
		await expectStatus(
			await call("PATCH", `/api/v1/fellowship/groups/${group.id}`, {
				token: owner.token,
				body: { name: `${t} morning stillness` },
			}),
			200,
		);
		expect(await found(reader, `${t} prayer`)).toEqual([]);
		expect(await found(reader, `${t} stillness`)).toEqual([`group:${group.id}`]);
	});
});

describe("projects", () => {
	it("public ones to everyone, private ones to members only, archived ones to nobody; item as the list shows it", async () => {
		const owner = await grower("search-project-owner");
		const invited = await signUp("search-project-invited");
		const stranger = await signUp("search-project-stranger");
		const t = tag();
		const open = await createProject(owner, { title: `${t} beach clean`, description: "Bring gloves" });
		const closed = await createProject(owner, { title: `${t} private build`, visibility: "private" });
		await inviteToProject(owner, closed.id, invited.id);
		expect(new Set(await found(owner, t))).toEqual(new Set([`project:${open.id}`, `project:${closed.id}`]));
		expect(new Set(await found(invited, t))).toEqual(new Set([`project:${open.id}`, `project:${closed.id}`]));
		expect(await found(stranger, t)).toEqual([`project:${open.id}`]);
		expect(await found(undefined, `${t} gloves`, "projects")).toEqual([`project:${open.id}`]);

		const [result] = (await search(stranger, { q: `${t} gloves` })).data;
		const {
			members: _members,
			members_truncated: _truncated,
			...detail
		} = await get(stranger, `/api/v1/teamup/projects/${open.id}`);
		expect(result?.title).toBe(`${t} beach clean`);
		expect(result?.item).toEqual(detail);

		expect((await call("DELETE", `/api/v1/teamup/projects/${open.id}`, { token: owner.token })).status).toBe(
			204,
		);
		expect(await found(owner, `${t} gloves`)).toEqual([]);
	});
});

describe("guides", () => {
	it("are found by name, bio and focus areas only when verified and accepting mentees", async () => {
		const t = tag();
		const reader = await signUp("search-guide-reader");
		const guide = await makeGuide("search-guide", {
			displayName: `${t} Rowan`,
			headline: "Grief and loss",
			specialties: ["bereavement", "sleep"],
		});
		await setUserColumns(guide.id, { bio: "Former nurse, listener" });
		for (const q of [`${t} rowan`, `${t} nurse`, `${t} bereavement`, `${t} grief`])
			expect(await found(reader, q), q).toEqual([`guide:${guide.id}`]);
		const [result] = (await search(reader, { q: `${t} sleep` })).data;
		const directory = await get(reader, "/api/v1/orchard/guides?limit=100");
		expect(result?.title).toBe(`${t} Rowan`);
		expect(result?.item).toEqual(
			(directory.data as Array<{ user_id: string }>).find((g) => g.user_id === guide.id),
		);
		expect(await found(undefined, t)).toEqual([]);

		// Not accepting, not trusted enough, suspended, or blocked either way: not found.
		await env.DB.prepare("UPDATE guide_profiles SET accepting_mentees = 0 WHERE user_id = ?")
			.bind(guide.id)
			.run();
		expect(await found(reader, t)).toEqual([]);
		await env.DB.prepare("UPDATE guide_profiles SET accepting_mentees = 1 WHERE user_id = ?")
			.bind(guide.id)
			.run();
		await setUserColumns(guide.id, { trust_level: "growing" });
		expect(await found(reader, t)).toEqual([]);
		await setUserColumns(guide.id, { trust_level: "good_soil", suspended_until: "9999-12-31T23:59:59.999Z" });
		expect(await found(reader, t)).toEqual([]);
		await setUserColumns(guide.id, { suspended_until: null });
		expect(await found(reader, t)).toEqual([`guide:${guide.id}`]);
		await block(guide, reader);
		expect(await found(reader, t)).toEqual([]);
	});

	it("a changed name or bio is searched at once, and an erased account's words are gone", async () => {
		const t = tag();
		const reader = await signUp("search-guide-edit-reader");
		const guide = await makeGuide("search-guide-edit", { displayName: `${t} Alder` });
		await expectStatus(
			await call("PATCH", "/api/v1/users/me", { token: guide.token, body: { bio: "Walks and talks" } }),
			200,
		);
		expect(await found(reader, `${t} walks`)).toEqual([`guide:${guide.id}`]);
		expect((await call("DELETE", "/api/v1/users/me", { token: guide.token })).status).toBe(204);
		expect(await found(reader, t)).toEqual([]);
		const indexed = await env.DB.prepare("SELECT count(*) AS n FROM search_index WHERE search_index MATCH ?")
			.bind(`"${t}"`)
			.first<{ n: number }>();
		expect(indexed?.n).toBe(0);
	});
});

describe("daily nourishment", () => {
	it("published items to everyone; future ones only to guardians; spiritual ones with the opt-in; deletions at once", async () => {
		const curator = await guardian("search-nourish-guardian");
		const reader = await signUp("search-nourish-reader");
		const t = tag();
		const create = async (body: Record<string, unknown>) =>
			expectStatus<{ id: string }>(
				await call("POST", "/api/v1/nourishment", {
					token: curator.token,
					body: { content_type: "quote", category: "hope", ...body },
				}),
				201,
			);
		const today = await create({ title: `${t} Small steps`, body: "One at a time", author: "Anon Poet" });
		const later = await create({ title: `${t} Tomorrow's light`, publish_date: "2999-01-01" });
		const spirit = await create({ title: `${t} Psalm of rest`, is_spiritual: true });

		expect(await found(reader, `${t} poet`)).toEqual([`nourishment:${today.id}`]);
		expect(await found(undefined, t, "nourishment")).toEqual([`nourishment:${today.id}`]);
		const [result] = (await search(reader, { q: `${t} steps` })).data;
		expect(result?.title).toBe(`${t} Small steps`);
		expect(result?.item).toEqual(await get(reader, `/api/v1/nourishment/${today.id}`));

		expect(new Set(await found(curator, t))).toEqual(
			new Set([`nourishment:${today.id}`, `nourishment:${later.id}`]),
		);
		await setUserColumns(reader.id, { spiritual_opt_in: 1 });
		expect(new Set(await found(reader, t))).toEqual(
			new Set([`nourishment:${today.id}`, `nourishment:${spirit.id}`]),
		);

		expect((await call("DELETE", `/api/v1/nourishment/${today.id}`, { token: curator.token })).status).toBe(
			204,
		);
		expect(await found(reader, `${t} steps`)).toEqual([]);
	});
});

describe("sunlight shares", () => {
	it("named shares as their GET shows them, hidden across a block; held ones never, not even to their author", async () => {
		const author = await signUp("search-sun-author");
		const reader = await signUp("search-sun-reader");
		const t = tag();
		const mine = await share(author, { body: `${t} grateful for the rain` });
		expect(await found(reader, t)).toEqual([`sunlight:${mine.id}`]);
		const [result] = (await search(reader, { q: `${t} rain` })).data;
		expect(result?.title).toBeNull();
		expect(result?.item).toEqual(await get(reader, `/api/v1/sunlight/${mine.id}`));
		expect(await found(undefined, t)).toEqual([]);

		await block(reader, author);
		expect(await found(reader, t)).toEqual([]);
		await setModerationStatus("sunlight_shares", mine.id, "hidden");
		expect(await found(author, t)).toEqual([]);
	});

	it("an anonymous share never gives its author away: not in the item, not by the author's name, not by blocks", async () => {
		const t = tag();
		const author = await signUp("search-sun-anon");
		await setUserColumns(author.id, { display_name: `${t} Juniper` });
		const reader = await signUp("search-sun-anon-reader");
		const anonymous = await share(author, { body: `${t} a win I will not sign`, anonymous: true });
		const named = await share(author, { body: `${t} a win I sign` });

		const page = await search(reader, { q: `${t} win`, sort: "recent" });
		const result = page.data.find((r) => r.id === anonymous.id);
		expect(result?.item.author).toBeNull();
		expect(result?.item).toEqual(await get(reader, `/api/v1/sunlight/${anonymous.id}`));
		expect(JSON.stringify(result)).not.toContain(author.id);
		expect(JSON.stringify(result)).not.toContain("Juniper");
		// The author's name finds nothing of theirs (their anonymous words are not linked to it).
		expect(await found(reader, `${t} juniper`)).toEqual([]);
		// A block hides the named share only: the anonymous one missing for exactly those people would name its author.
		await block(author, reader);
		expect(await found(reader, `${t} win`)).toEqual([`sunlight:${anonymous.id}`]);
		expect(named.id).not.toBe(anonymous.id);
	});
});

describe("every kind at once", () => {
	it("type=all mixes kinds on one scale, `type` narrows to one, and each result's item is its kind's", async () => {
		const t = tag();
		const owner = await organiser("search-all-owner");
		const person = await signUp("search-all-person");
		const group = await createGroup(owner, { name: `${t} kindness club` });
		const project = await createProject(owner, { title: `${t} kindness drive` });
		const shared = await share(person, { body: `${t} a kindness today`, share_type: "kindness" });
		const all = await found(person, t);
		expect(new Set(all)).toEqual(
			new Set([`group:${group.id}`, `project:${project.id}`, `sunlight:${shared.id}`]),
		);
		expect(await found(person, t, "groups")).toEqual([`group:${group.id}`]);
		expect(await found(person, t, "projects")).toEqual([`project:${project.id}`]);
		expect(await found(person, t, "sunlight")).toEqual([`sunlight:${shared.id}`]);
		expect(await found(person, t, "posts")).toEqual([]);
		// A title match outranks the same word in a body (titles weigh twice).
		const ranked = (await search(person, { q: `${t} kindness` })).data.map((r) => r.type);
		expect(ranked.at(-1)).toBe("sunlight");
	});
});

describe("newest first, across kinds", () => {
	it("lists every kind in the order it was created, whenever it was indexed", async () => {
		const t = tag();
		const owner = await organiser("search-order-owner");
		const reader = await signUp("search-order-reader");
		const fresh = await createGroup(owner, { name: `${t} fresh circle` });
		// Rows older than the one above, written after it (as a migration's backfill or an import would).
		const groupId = crypto.randomUUID();
		await env.DB.prepare(
			`INSERT INTO fellowship_groups (id, owner_id, name, description, group_type, visibility, member_count, moderation_status, created_at, updated_at)
			 VALUES (?, ?, ?, '', 'wellness', 'public', 1, 'clean', '2020-03-01T10:00:00.000Z', '2020-03-01T10:00:00.000Z')`,
		)
			.bind(groupId, owner.id, `${t} old circle`)
			.run();
		const project = await createProject(await grower("search-order-grower"), {
			title: `${t} middle project`,
		});
		const page = await search(reader, { q: t, sort: "recent" });
		expect(page.data.map((r) => r.id)).toEqual([project.id, fresh.id, groupId]);
	});

	it("places an anonymous share at a random moment of its hour, so its key says nothing of when it was written", async () => {
		const t = tag();
		// Three people, four shares each (a new member's daily allowance is five).
		const authors = [
			await signUp("search-order-anon-1"),
			await signUp("search-order-anon-2"),
			await signUp("search-order-anon-3"),
		];
		const shares: string[] = [];
		for (let i = 0; i < 12; i++)
			shares.push(
				(await share(authors[i % 3] as TestUser, { body: `${t} quiet win ${i}`, anonymous: true })).id,
			);
		const rows = await env.DB.prepare(
			"SELECT k.ref_id, k.key, s.created_at FROM search_keys AS k JOIN sunlight_shares AS s ON s.id = k.ref_id WHERE k.kind = 'sunlight' AND k.ref_id IN (SELECT value FROM json_each(?))",
		)
			.bind(JSON.stringify(shares))
			.all<{ ref_id: string; key: number; created_at: string }>();
		expect(rows.results).toHaveLength(12);
		for (const row of rows.results) {
			const ms = Math.floor(row.key / 1024);
			const hour = Date.parse(row.created_at);
			expect(ms).toBeGreaterThanOrEqual(hour);
			expect(ms).toBeLessThan(hour + 3_600_000);
		}
		const byKey = [...rows.results].sort((a, b) => a.key - b.key).map((row) => row.ref_id);
		// Twelve shares in the order they were written has odds of 1 in 12! by chance.
		expect(byKey).not.toEqual(shares);
		expect(byKey).not.toEqual([...shares].reverse());
	});
});
