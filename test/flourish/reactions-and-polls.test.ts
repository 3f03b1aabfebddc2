/**
 * Reactions: one per user per post or comment (another type replaces it), counts per type and mine, the
 * denormalised count and hot score kept in step, `target_author_id` filled. Polls: one vote per user,
 * multiple choice only when allowed, no votes once closed, results hidden until I voted or it closed.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, signUp, type TestUser } from "../support/api";
import { createPost, inMinutes, type Post, readPost } from "./helpers";

type Summary = { reaction_count: number; reactions: Record<string, number>; my_reaction: string | null };

const react = (user: TestUser, path: string, reaction_type: string) =>
	call("PUT", `/api/v1/flourish/${path}/reaction`, { token: user.token, body: { reaction_type } });

describe("reactions on posts", () => {
	it("keeps one reaction per user: setting another type replaces it; removing is idempotent", async () => {
		const author = await signUp("r-author");
		const fan = await signUp("r-fan");
		const other = await signUp("r-other");
		const post = await createPost(author);
		expect(await expectStatus<Summary>(await react(fan, `posts/${post.id}`, "like"), 200)).toMatchObject({
			reaction_count: 1,
			my_reaction: "like",
		});
		const replaced = await expectStatus<Summary>(await react(fan, `posts/${post.id}`, "love"), 200);
		expect(replaced).toMatchObject({ reaction_count: 1, my_reaction: "love" });
		expect(replaced.reactions).toMatchObject({ like: 0, love: 1 });
		await expectStatus(await react(other, `posts/${post.id}`, "love"), 200);

		const rows = await env.DB.prepare(
			"SELECT user_id, reaction_type, target_author_id FROM reactions WHERE target_type = 'post' AND target_id = ? ORDER BY user_id",
		)
			.bind(post.id)
			.all<{ user_id: string; reaction_type: string; target_author_id: string }>();
		expect(rows.results).toHaveLength(2);
		expect(
			rows.results.every((row) => row.target_author_id === author.id && row.reaction_type === "love"),
		).toBe(true);

		for (let i = 0; i < 2; i++) {
			const removed = await call("DELETE", `/api/v1/flourish/posts/${post.id}/reaction`, {
				token: fan.token,
			});
			expect(removed.status).toBe(204);
		}
		const read = await expectStatus<Post>(await readPost(fan, post.id), 200);
		expect(read).toMatchObject({ reaction_count: 1, my_reaction: null });
		expect(read.reactions.love).toBe(1);
	});

	it("keeps reaction_count and hot_score in step with the reaction rows", async () => {
		const author = await signUp("hot-author");
		const post = await createPost(author);
		const fans: TestUser[] = [];
		for (let i = 0; i < 3; i++) fans.push(await signUp(`hot-fan-${i}`));
		for (const fan of fans) await react(fan, `posts/${post.id}`, "celebrate");
		await call("DELETE", `/api/v1/flourish/posts/${post.id}/reaction`, { token: fans[0]?.token });
		const row = await env.DB.prepare("SELECT reaction_count, hot_score, created_at FROM posts WHERE id = ?")
			.bind(post.id)
			.first<{ reaction_count: number; hot_score: number; created_at: string }>();
		expect(row?.reaction_count).toBe(2);
		const expected = Math.log10(2) + Math.floor(Date.parse(row?.created_at ?? "") / 1000) / 45000;
		expect(row?.hot_score).toBeCloseTo(expected, 9);
	});

	it.each([
		["an unknown reaction", { reaction_type: "angry" }],
		["a missing reaction", {}],
		["an unknown field", { reaction_type: "like", extra: 1 }],
	])("rejects %s with 422", async (_label, body) => {
		const author = await signUp("bad-reaction");
		const post = await createPost(author);
		await expectProblem(
			await call("PUT", `/api/v1/flourish/posts/${post.id}/reaction`, { token: author.token, body }),
			422,
		);
	});

	it("is 401 anonymously and 404 for an unknown post", async () => {
		const user = await signUp("reaction-auth");
		const post = await createPost(user);
		await expectProblem(
			await call("PUT", `/api/v1/flourish/posts/${post.id}/reaction`, { body: { reaction_type: "like" } }),
			401,
		);
		await expectProblem(await react(user, `posts/${crypto.randomUUID()}`, "like"), 404);
	});
});

describe("reactions on comments", () => {
	it("set, replace and remove my reaction on a comment, with counts and the comment's author recorded", async () => {
		const author = await signUp("rc-author");
		const commenter = await signUp("rc-commenter");
		const post = await createPost(author);
		const created = await expectStatus<{ id: string }>(
			await call("POST", `/api/v1/flourish/posts/${post.id}/comments`, {
				token: commenter.token,
				body: { body: "Well done" },
			}),
			201,
		);
		await expectStatus(await react(author, `comments/${created.id}`, "support"), 200);
		const summary = await expectStatus<Summary>(
			await react(author, `comments/${created.id}`, "insightful"),
			200,
		);
		expect(summary).toMatchObject({ reaction_count: 1, my_reaction: "insightful" });
		const row = await env.DB.prepare(
			"SELECT target_author_id FROM reactions WHERE target_type = 'comment' AND target_id = ?",
		)
			.bind(created.id)
			.first<{ target_author_id: string }>();
		expect(row?.target_author_id).toBe(commenter.id);
		const tree = await expectStatus<{ data: Array<{ reaction_count: number; my_reaction: string | null }> }>(
			await call("GET", `/api/v1/flourish/posts/${post.id}/comments`, { token: author.token }),
			200,
		);
		expect(tree.data[0]).toMatchObject({ reaction_count: 1, my_reaction: "insightful" });
		const removed = await call("DELETE", `/api/v1/flourish/comments/${created.id}/reaction`, {
			token: author.token,
		});
		expect(removed.status).toBe(204);
		const count = await env.DB.prepare("SELECT reaction_count FROM comments WHERE id = ?")
			.bind(created.id)
			.first<{ reaction_count: number }>();
		expect(count?.reaction_count).toBe(0);
	});

	it("is 404 for an unknown or deleted comment", async () => {
		const author = await signUp("rc-missing");
		const post = await createPost(author);
		const created = await expectStatus<{ id: string }>(
			await call("POST", `/api/v1/flourish/posts/${post.id}/comments`, {
				token: author.token,
				body: { body: "x" },
			}),
			201,
		);
		await call("DELETE", `/api/v1/flourish/comments/${created.id}`, { token: author.token });
		await expectProblem(await react(author, `comments/${created.id}`, "like"), 404);
		await expectProblem(await react(author, `comments/${crypto.randomUUID()}`, "like"), 404);
	});
});

async function poll(author: TestUser, multiple = false, closesAt = inMinutes(60)): Promise<Post> {
	return createPost(author, {
		type: "poll",
		body: "Which habit next?",
		poll: { options: ["Reading", "Running", "Journaling"], multiple_choice: multiple, closes_at: closesAt },
	});
}

const vote = (user: TestUser, postId: string, optionIds: Array<string | undefined>) =>
	call("POST", `/api/v1/flourish/posts/${postId}/votes`, {
		token: user.token,
		body: { option_ids: optionIds },
	});

describe("polls", () => {
	it("hides results until I vote, then shows them; a second vote is 409", async () => {
		const author = await signUp("poll-owner");
		const voter = await signUp("poll-voter");
		const late = await signUp("poll-late");
		const post = await poll(author);
		const before = await expectStatus<Post>(await readPost(voter, post.id), 200);
		expect(before.poll).toMatchObject({ results_visible: false, voter_count: null, my_votes: [] });
		expect(before.poll?.options.every((option) => option.votes === null)).toBe(true);

		const [reading, running] = post.poll?.options.map((option) => option.id) ?? [];
		const after = await expectStatus<Post>(await vote(voter, post.id, [reading]), 201);
		expect(after.poll).toMatchObject({ results_visible: true, voter_count: 1, my_votes: [reading] });
		expect(after.poll?.options.map((option) => option.votes)).toEqual([1, 0, 0]);

		await expectProblem(await vote(voter, post.id, [running]), 409);
		await expectProblem(await vote(voter, post.id, [reading]), 409);
		const stillHidden = await expectStatus<Post>(await readPost(late, post.id), 200);
		expect(stillHidden.poll?.results_visible).toBe(false);
		const votes = await env.DB.prepare("SELECT count(*) AS n FROM poll_votes WHERE post_id = ?")
			.bind(post.id)
			.first<{ n: number }>();
		expect(votes?.n).toBe(1);
	});

	it("takes several options in a multiple-choice poll, one only otherwise", async () => {
		const author = await signUp("multi-owner");
		const voter = await signUp("multi-voter");
		const single = await poll(author, false);
		const multi = await poll(author, true);
		const singleIds = single.poll?.options.map((option) => option.id) ?? [];
		const multiIds = multi.poll?.options.map((option) => option.id) ?? [];
		await expectProblem(await vote(voter, single.id, singleIds.slice(0, 2)), 422);
		const voted = await expectStatus<Post>(await vote(voter, multi.id, [multiIds[0], multiIds[2]]), 201);
		expect(voted.poll?.options.map((option) => option.votes)).toEqual([1, 0, 1]);
		expect(voted.poll?.voter_count).toBe(1);
		expect(voted.poll?.my_votes.sort()).toEqual([multiIds[0], multiIds[2]].sort());
		await expectProblem(await vote(voter, multi.id, [multiIds[1]]), 409);
	});

	it("refuses votes once closed, and then shows results to everyone", async () => {
		const author = await signUp("closed-owner");
		const voter = await signUp("closed-voter");
		const post = await poll(author);
		await env.DB.prepare("UPDATE posts SET poll_closes_at = ? WHERE id = ?")
			.bind(new Date(Date.now() - 1000).toISOString(), post.id)
			.run();
		await expectProblem(await vote(voter, post.id, [post.poll?.options[0]?.id]), 409);
		const read = await expectStatus<Post>(await readPost(voter, post.id), 200);
		expect(read.poll).toMatchObject({ closed: true, results_visible: true, voter_count: 0 });
	});

	it("rejects options of another poll, repeated options, and votes on a non-poll", async () => {
		const author = await signUp("bad-vote-owner");
		const voter = await signUp("bad-voter");
		const one = await poll(author, true);
		const two = await poll(author, true);
		const text = await createPost(author);
		const oneOption = one.poll?.options[0]?.id;
		await expectProblem(await vote(voter, two.id, [oneOption]), 422);
		await expectProblem(await vote(voter, one.id, [oneOption, oneOption]), 422);
		await expectProblem(await vote(voter, one.id, []), 422);
		await expectProblem(await vote(voter, one.id, ["not-a-uuid"]), 422);
		await expectProblem(await vote(voter, text.id, [oneOption]), 409);
		await expectProblem(await vote(voter, crypto.randomUUID(), [oneOption]), 404);
	});

	it("counts concurrent double votes once", async () => {
		const author = await signUp("race-owner");
		const voter = await signUp("race-voter");
		const post = await poll(author);
		const ids = post.poll?.options.map((option) => option.id) ?? [];
		const answers = await Promise.all([vote(voter, post.id, [ids[0]]), vote(voter, post.id, [ids[1]])]);
		expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
		const votes = await env.DB.prepare(
			"SELECT count(*) AS n FROM poll_votes WHERE post_id = ? AND user_id = ?",
		)
			.bind(post.id, voter.id)
			.first<{ n: number }>();
		expect(votes?.n).toBe(1);
	});
});
