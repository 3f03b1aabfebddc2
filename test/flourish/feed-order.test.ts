/**
 * The feed's three orders and its filters: `recent` pages stay exact while new posts arrive (no duplicates,
 * no gaps), `top` follows the Reddit hot ranking over reaction counts with an exact cursor, `for_you`
 * ranks by similarity to my interests without repeating itself across pages; filters by type, author and
 * group; tampered cursors are 400.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { createPost, feed, inMinutes, makeGroup, type Post, wholeFeed } from "./helpers";

async function poster(label: string): Promise<TestUser> {
	const user = await signUp(label);
	// Many posts in one test: lift the daily quota by trust level.
	await setUserColumns(user.id, { trust_level: "flourishing" });
	return user;
}

describe("sort=recent", () => {
	it("pages newest first, and new posts arriving between fetches cause no duplicates and no gaps", async () => {
		const author = await poster("cursor-author");
		const reader = await signUp("cursor-reader");
		const original: Post[] = [];
		for (let i = 0; i < 7; i++) original.push(await createPost(author, { body: `Post ${i}` }));

		const seen: string[] = [];
		let cursor: string | null = null;
		let arrivals = 0;
		do {
			const query = `?author_id=${author.id}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
			const page = await feed(reader, query);
			seen.push(...page.data.map((post) => post.id));
			cursor = page.next_cursor;
			// Someone posts while I scroll.
			await createPost(author, { body: `Arrived ${arrivals++}` });
		} while (cursor);

		expect(new Set(seen).size).toBe(seen.length);
		expect(seen).toEqual(original.map((post) => post.id).reverse());
	});

	it("filters by type, author and group", async () => {
		const author = await poster("filter-author");
		const other = await poster("filter-other");
		const groupId = await makeGroup(author, [other]);
		const text = await createPost(author, { body: "Text" });
		const poll = await createPost(author, {
			type: "poll",
			body: "Which?",
			poll: { options: ["a", "b"], closes_at: inMinutes(30) },
		});
		const grouped = await createPost(other, { body: "In the group", visibility: "group", group_id: groupId });

		expect((await wholeFeed(author, `?author_id=${author.id}&type=poll`)).map((p) => p.id)).toEqual([
			poll.id,
		]);
		expect((await wholeFeed(author, `?author_id=${author.id}&type=text`)).map((p) => p.id)).toEqual([
			text.id,
		]);
		expect((await wholeFeed(author, `?group_id=${groupId}`)).map((p) => p.id)).toEqual([grouped.id]);
		const outsider = await signUp("filter-outsider");
		expect(await wholeFeed(outsider, `?group_id=${groupId}`)).toEqual([]);
	});

	it.each([
		["an unknown sort", "?sort=oldest"],
		["an unknown type", "?type=story"],
		["a malformed author id", "?author_id=42"],
		["limit 0", "?limit=0"],
		["limit 101", "?limit=101"],
	])("rejects %s with 422", async (_label, query) => {
		const reader = await signUp("bad-feed-query");
		await expectProblem(await call("GET", `/api/v1/flourish/feed${query}`, { token: reader.token }), 422);
	});

	it("rejects a tampered cursor with 400, and a cursor of another sort too", async () => {
		const reader = await signUp("bad-cursor");
		await expectProblem(
			await call("GET", "/api/v1/flourish/feed?cursor=nonsense", { token: reader.token }),
			400,
		);
		const recentCursor = btoa(JSON.stringify({ id: "x" })).replace(/=+$/, "");
		await expectProblem(
			await call("GET", `/api/v1/flourish/feed?sort=top&cursor=${recentCursor}`, { token: reader.token }),
			400,
		);
	});
});

describe("sort=top", () => {
	it("ranks by the hot score: more reactions beat a little recency, and the cursor is exact", async () => {
		const author = await poster("top-author");
		const older = await createPost(author, { body: "Older but loved" });
		const newer = await createPost(author, { body: "Newer, quiet" });
		const middle = await createPost(author, { body: "Newest, some love" });
		const fans: TestUser[] = [];
		for (let i = 0; i < 10; i++) fans.push(await signUp(`fan-${i}`));
		for (const fan of fans) {
			await expectStatus(
				await call("PUT", `/api/v1/flourish/posts/${older.id}/reaction`, {
					token: fan.token,
					body: { reaction_type: "love" },
				}),
				200,
			);
		}
		for (const fan of fans.slice(0, 3)) {
			await expectStatus(
				await call("PUT", `/api/v1/flourish/posts/${middle.id}/reaction`, {
					token: fan.token,
					body: { reaction_type: "support" },
				}),
				200,
			);
		}
		const ranked = await wholeFeed(author, `?sort=top&author_id=${author.id}&limit=1`);
		expect(ranked.map((post) => post.id)).toEqual([older.id, middle.id, newer.id]);

		// The stored score is Reddit's formula: log10(reactions) + seconds since the epoch / 45000.
		const row = await env.DB.prepare("SELECT hot_score, reaction_count, created_at FROM posts WHERE id = ?")
			.bind(older.id)
			.first<{ hot_score: number; reaction_count: number; created_at: string }>();
		expect(row?.reaction_count).toBe(10);
		const expectedScore = Math.log10(10) + Math.floor(Date.parse(row?.created_at ?? "") / 1000) / 45000;
		expect(row?.hot_score).toBeCloseTo(expectedScore, 9);
	});
});

describe("sort=for_you", () => {
	it("ranks visible posts by similarity to my interests, and pages without repeats", async () => {
		const author = await poster("fy-author");
		const reader = await signUp("fy-reader");
		const bodies = [
			"Knitting a scarf with wool yarn",
			"Sourdough bread baking with a starter",
			"Meditation and breathing exercises for calm",
			"Running a marathon training plan",
			"Watercolor painting of mountain landscapes",
		];
		const created = [];
		for (const body of bodies) created.push(await createPost(author, { body }));
		await call("PATCH", "/api/v1/users/me", {
			token: reader.token,
			body: { interests: ["meditation", "breathing", "calm"] },
		});
		const ranked = await wholeFeed(reader, `?sort=for_you&author_id=${author.id}&limit=2`);
		expect(ranked).toHaveLength(bodies.length);
		expect(new Set(ranked.map((post) => post.id)).size).toBe(bodies.length);
		expect(ranked[0]?.body).toBe("Meditation and breathing exercises for calm");
	});

	it("without anything to rank by, falls back to newest first", async () => {
		const author = await poster("fy-plain-author");
		const reader = await signUp("fy-plain-reader");
		const first = await createPost(author, { body: "One" });
		const second = await createPost(author, { body: "Two" });
		const ranked = await wholeFeed(reader, `?sort=for_you&author_id=${author.id}`);
		expect(ranked.map((post) => post.id)).toEqual([second.id, first.id]);
	});
});

describe("GET /flourish/posts/{post_id}/similar", () => {
	it("returns at most 5 posts, most similar first, never the post itself", async () => {
		const author = await poster("similar-author");
		const probe = await createPost(author, { body: "Growing tomatoes in a balcony garden" });
		const related = await createPost(author, { body: "My balcony tomatoes are finally growing" });
		for (let i = 0; i < 6; i++) await createPost(author, { body: `Unrelated note number ${i} about taxes` });
		const similar = await expectStatus<{ data: Post[] }>(
			await call("GET", `/api/v1/flourish/posts/${probe.id}/similar`, { token: author.token }),
			200,
		);
		expect(similar.data.length).toBeLessThanOrEqual(5);
		expect(similar.data.map((post) => post.id)).not.toContain(probe.id);
		expect(similar.data[0]?.id).toBe(related.id);
	});
});
