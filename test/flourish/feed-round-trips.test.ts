/**
 * A feed page costs a bounded number of D1 round trips, whatever its size: authors, reaction counts, my
 * reactions, poll options, results and my votes, and milestone habits are batched, never fetched per post.
 * Counted with an instrumented (delegating) D1 binding around the real local database.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { jpeg } from "../media/fixtures";
import { upload } from "../media/helpers";
import { call, callWithConfig, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { countingD1 } from "../support/d1-counter";
import { createPost, inMinutes, type Page, type Post } from "./helpers";

/** Auth (user lookup) + the page query + one batch that presents the page. */
const MAX_ROUND_TRIPS = 3;

let reader: TestUser;
let authorIds: string[];

beforeAll(async () => {
	reader = await signUp("rt-reader");
	const authors: TestUser[] = [];
	for (let i = 0; i < 6; i++) authors.push(await signUp(`rt-author-${i}`));
	authorIds = authors.map((author) => author.id);
	const habitOwner = authors[0];
	if (!habitOwner) throw new Error("no author");
	const habit = await expectStatus<{ id: string }>(
		await call("POST", "/api/v1/garden/habits", {
			token: habitOwner.token,
			body: { name: "Yoga", category: "health" },
		}),
		201,
	);
	// 24 posts of every kind, by different authors, with reactions, votes and comments, so that a per-post
	// query anywhere would show up as a page-size-dependent count.
	for (const [i, author] of authors.entries()) {
		await setUserColumns(author.id, { trust_level: "flourishing" });
		await createPost(author, { body: `Text ${i}` });
		const poll = await createPost(author, {
			type: "poll",
			body: `Poll ${i}?`,
			poll: { options: ["Yes", "No"], closes_at: inMinutes(60) },
		});
		await call("POST", `/api/v1/flourish/posts/${poll.id}/votes`, {
			token: reader.token,
			body: { option_ids: [poll.poll?.options[0]?.id] },
		});
		await createPost(author, {
			type: "image",
			body: "",
			media_ids: [(await upload(author, jpeg(), "image/jpeg")).id],
		});
		const last = await createPost(
			author,
			i === 0 ? { type: "milestone", body: "Streak!", habit_id: habit.id } : { body: `More ${i}` },
		);
		await call("PUT", `/api/v1/flourish/posts/${last.id}/reaction`, {
			token: reader.token,
			body: { reaction_type: "like" },
		});
		await call("POST", `/api/v1/flourish/posts/${last.id}/comments`, {
			token: reader.token,
			body: { body: "Nice" },
		});
	}
});

async function roundTripsFor(query: string): Promise<{ trips: number; page: Page<Post> }> {
	const counter = countingD1(env.DB);
	const response = await callWithConfig({ DB: counter.db }, "GET", `/api/v1/flourish/feed${query}`, {
		token: reader.token,
	});
	const page = await expectStatus<Page<Post>>(response, 200);
	return { trips: counter.roundTrips, page };
}

describe("D1 round trips per feed page", () => {
	for (const sort of ["recent", "top", "for_you"]) {
		it(`sort=${sort}: a page of 20 costs no more round trips than a page of 5`, async () => {
			const small = await roundTripsFor(`?sort=${sort}&limit=5`);
			const large = await roundTripsFor(`?sort=${sort}&limit=20`);
			expect(small.page.data).toHaveLength(5);
			expect(large.page.data).toHaveLength(20);
			// The page really holds what needs presenting.
			expect(large.page.data.some((post) => post.poll !== null)).toBe(true);
			expect(new Set(large.page.data.map((post) => post.author.id)).size).toBeGreaterThan(3);
			expect(large.page.data.every((post) => authorIds.includes(post.author.id))).toBe(true);

			expect(large.trips).toBe(small.trips);
			expect(large.trips).toBeLessThanOrEqual(MAX_ROUND_TRIPS);
		});
	}

	it("counts what it should: the instrumented binding sees every call", async () => {
		const counter = countingD1(env.DB);
		await counter.db.prepare("SELECT 1").first();
		await counter.db.batch([counter.db.prepare("SELECT 1"), counter.db.prepare("SELECT 2")]);
		expect(counter.roundTrips).toBe(2);
		expect(counter.prepared).toBe(3);
	});
});
