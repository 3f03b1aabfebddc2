/**
 * Posts of every type: created, read, edited and deleted through the API, by the right people only, with
 * bad input answered as 4xx problem+json. Edits re-run moderation; guardian deletes are audit-logged.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { jpeg, mp4 } from "../media/fixtures";
import { upload } from "../media/helpers";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";
import { createPost, inMinutes, type Post, readPost, setModerationStatus } from "./helpers";

describe("POST /flourish/posts", () => {
	it("creates a text post, public by default, with empty counters", async () => {
		const author = await signUp("text-author");
		const post = await createPost(author, { body: "First sprouts in the garden" });
		expect(post).toMatchObject({
			type: "text",
			body: "First sprouts in the garden",
			visibility: "public",
			group_id: null,
			media_urls: [],
			is_spiritual: false,
			author: { id: author.id },
			reaction_count: 0,
			comment_count: 0,
			my_reaction: null,
			poll: null,
			milestone: null,
			pending_review: false,
			edited_at: null,
		});
		const row = await env.DB.prepare("SELECT author_id, moderation_status, hot_score FROM posts WHERE id = ?")
			.bind(post.id)
			.first<{ author_id: string; moderation_status: string; hot_score: number }>();
		expect(row?.author_id).toBe(author.id);
		expect(row?.moderation_status).not.toBe("hidden");
		expect(row?.hot_score).toBeGreaterThan(0);
	});

	it("creates image and video posts from my uploads, with an optional caption", async () => {
		const author = await signUp("media-author");
		await setUserColumns(author.id, { trust_level: "flourishing" });
		const a = await upload(author, jpeg(), "image/jpeg");
		const b = await upload(author, jpeg(), "image/jpeg");
		const image = await createPost(author, { type: "image", body: "", media_ids: [b.id, a.id] });
		expect(image.media_urls).toEqual([b.url, a.url]);
		expect(image.media.map((item) => item.id)).toEqual([b.id, a.id]);
		const clip = await upload(author, mp4(), "video/mp4");
		const video = await createPost(author, { type: "video", body: "Morning stretch", media_ids: [clip.id] });
		expect(video).toMatchObject({ type: "video", body: "Morning stretch" });
		expect(video.media[0]).toMatchObject({ url: clip.url, content_type: "video/mp4" });
	});

	it("creates a poll with its options, closing time and choice mode", async () => {
		const author = await signUp("poll-author");
		const post = await createPost(author, {
			type: "poll",
			body: "Best time to meditate?",
			poll: { options: ["Morning", "Noon", "Night"], multiple_choice: true, closes_at: inMinutes(60) },
		});
		expect(post.poll?.multiple_choice).toBe(true);
		expect(post.poll?.closed).toBe(false);
		expect(post.poll?.options.map((option) => option.label)).toEqual(["Morning", "Noon", "Night"]);
	});

	it("creates a milestone linked to my habit with its current streak", async () => {
		const author = await signUp("milestone-author");
		const habit = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/garden/habits", {
				token: author.token,
				body: { name: "Evening walk", category: "health" },
			}),
			201,
		);
		await expectStatus(
			await call("POST", `/api/v1/garden/habits/${habit.id}/logs`, { token: author.token, body: {} }),
			201,
		);
		const post = await createPost(author, { type: "milestone", body: "Walking again!", habit_id: habit.id });
		expect(post.milestone).toEqual({ habit_id: habit.id, habit_name: "Evening walk", streak: 1 });
	});

	it("refuses a milestone linking someone else's habit", async () => {
		const owner = await signUp("habit-owner");
		const other = await signUp("habit-thief");
		const habit = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/garden/habits", {
				token: owner.token,
				body: { name: "Secret habit", category: "other" },
			}),
			201,
		);
		const problem = await expectProblem(
			await call("POST", "/api/v1/flourish/posts", {
				token: other.token,
				body: { type: "milestone", body: "Mine now", habit_id: habit.id },
			}),
			422,
		);
		expect(problem.errors?.map((error) => error.field)).toContain("body/habit_id");
	});

	it.each([
		["a missing type", { type: undefined }],
		["an unknown type", { type: "story" }],
		["an empty text post", { body: "" }],
		["an oversized body", { body: "x".repeat(5001) }],
		["an unknown visibility", { visibility: "friends" }],
		["an unknown field", { pinned: true }],
		["a wrong type", { is_spiritual: "yes" }],
		["media on a text post", { media_ids: [crypto.randomUUID()] }],
		["an image post without media", { type: "image", body: "" }],
		["a third-party media URL", { type: "image", media_urls: ["https://img.example/a.jpg"] }],
		["a media id that is no id", { type: "image", media_ids: ["javascript:alert(1)"] }],
		["five media ids", { type: "image", media_ids: [1, 2, 3, 4, 5].map(() => crypto.randomUUID()) }],
		[
			"the same media id twice",
			{ type: "image", media_ids: Array(2).fill("0190a4e2-0000-7000-8000-000000000001") },
		],
		["a poll without options", { type: "poll", body: "Q?" }],
		[
			"a poll with one option",
			{ type: "poll", body: "Q?", poll: { options: ["a"], closes_at: inMinutes(60) } },
		],
		[
			"a poll with seven options",
			{
				type: "poll",
				body: "Q?",
				poll: { options: ["a", "b", "c", "d", "e", "f", "g"], closes_at: inMinutes(60) },
			},
		],
		[
			"a poll with repeated options",
			{ type: "poll", body: "Q?", poll: { options: ["Yes", "yes"], closes_at: inMinutes(60) } },
		],
		[
			"a poll closing in 2 minutes",
			{ type: "poll", body: "Q?", poll: { options: ["a", "b"], closes_at: inMinutes(2) } },
		],
		[
			"a poll closing in 31 days",
			{ type: "poll", body: "Q?", poll: { options: ["a", "b"], closes_at: inMinutes(31 * 24 * 60) } },
		],
		[
			"a poll with a non-date closing",
			{ type: "poll", body: "Q?", poll: { options: ["a", "b"], closes_at: "soon" } },
		],
		["poll data on a text post", { poll: { options: ["a", "b"], closes_at: inMinutes(60) } }],
		["a habit on a text post", { habit_id: "01a21c53-d7fe-78dc-bddb-ba2076dd9ff7" }],
		["group visibility without a group", { visibility: "group" }],
		["a group on a public post", { group_id: "01a21c53-d7fe-78dc-bddb-ba2076dd9ff7" }],
		["a malformed group id", { visibility: "group", group_id: "42" }],
	])("rejects %s with 422", async (_label, body) => {
		const author = await signUp("bad-post");
		await setUserColumns(author.id, { trust_level: "flourishing" });
		await expectProblem(
			await call("POST", "/api/v1/flourish/posts", {
				token: author.token,
				body: { type: "text", body: "Hello", ...body },
			}),
			422,
		);
		const rows = await env.DB.prepare("SELECT count(*) AS n FROM posts WHERE author_id = ?")
			.bind(author.id)
			.first<{ n: number }>();
		expect(rows?.n).toBe(0);
	});

	it("answers malformed JSON with 400", async () => {
		const author = await signUp("malformed-post");
		await expectProblem(
			await call("POST", "/api/v1/flourish/posts", { token: author.token, rawBody: '{"type": "text",' }),
			400,
		);
	});

	it("refuses a group post to a group I do not belong to, without revealing whether it exists", async () => {
		const author = await signUp("outsider-poster");
		const problem = await expectProblem(
			await call("POST", "/api/v1/flourish/posts", {
				token: author.token,
				body: { type: "text", body: "Hi group", visibility: "group", group_id: crypto.randomUUID() },
			}),
			422,
		);
		expect(problem.errors?.[0]?.field).toBe("body/group_id");
	});

	it("is 401 anonymously and 403 when suspended", async () => {
		await expectProblem(
			await call("POST", "/api/v1/flourish/posts", { body: { type: "text", body: "x" } }),
			401,
		);
		const suspended = await signUp("suspended-poster");
		await setUserColumns(suspended.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(
			await call("POST", "/api/v1/flourish/posts", {
				token: suspended.token,
				body: { type: "text", body: "x" },
			}),
			403,
		);
	});

	it("publishes a post whose text reads as a crisis, marks it urgent, raises a crisis queue item and answers crisis resources", async () => {
		const author = await signUp("crisis-author");
		const response = await call("POST", "/api/v1/flourish/posts", {
			token: author.token,
			body: { type: "text", body: "I want to end it all. I don't want to be here anymore." },
		});
		const post = await expectStatus<Post & { crisis_resources?: Array<{ name: string }> }>(response, 201);
		expect(post.crisis_resources?.length).toBeGreaterThan(0);
		const row = await env.DB.prepare("SELECT is_urgent, moderation_status FROM posts WHERE id = ?")
			.bind(post.id)
			.first<{ is_urgent: number; moderation_status: string }>();
		expect(row?.is_urgent).toBe(1);
		expect(row?.moderation_status).not.toBe("hidden");
		const item = await env.DB.prepare(
			"SELECT source, is_urgent FROM moderation_queue_items WHERE target_type = 'post' AND target_id = ?",
		)
			.bind(post.id)
			.first<{ source: string; is_urgent: number }>();
		expect(item).toMatchObject({ source: "crisis", is_urgent: 1 });
	});

	it("answers an ordinary post without crisis resources", async () => {
		const author = await signUp("calm-author");
		const post = await createPost(author, { body: "Lovely walk by the river" });
		expect(post.crisis_resources).toBeUndefined();
	});
});

describe("GET /flourish/posts/{post_id}", () => {
	it("reads one post with counts and my reaction", async () => {
		const author = await signUp("reader-author");
		const reader = await signUp("reader");
		const post = await createPost(author);
		await expectStatus(
			await call("PUT", `/api/v1/flourish/posts/${post.id}/reaction`, {
				token: reader.token,
				body: { reaction_type: "celebrate" },
			}),
			200,
		);
		const read = await expectStatus<Post>(await readPost(reader, post.id), 200);
		expect(read).toMatchObject({ id: post.id, reaction_count: 1, my_reaction: "celebrate" });
		expect(read.reactions.celebrate).toBe(1);
	});

	it("is 404 for an unknown id, 422 for a malformed one, 401 anonymously", async () => {
		const reader = await signUp("reader-404");
		await expectProblem(await readPost(reader, crypto.randomUUID()), 404);
		await expectProblem(await readPost(reader, "not-a-uuid"), 422);
		const post = await createPost(reader);
		await expectProblem(await readPost(undefined, post.id), 401);
	});
});

describe("PATCH /flourish/posts/{post_id}", () => {
	it("lets the author edit text, visibility and spiritual flag, and records the edit", async () => {
		const author = await signUp("editor");
		const post = await createPost(author, { body: "Draft" });
		const edited = await expectStatus<Post>(
			await call("PATCH", `/api/v1/flourish/posts/${post.id}`, {
				token: author.token,
				body: { body: "Final words", visibility: "private", is_spiritual: true },
			}),
			200,
		);
		expect(edited).toMatchObject({ body: "Final words", visibility: "private", is_spiritual: true });
		expect(edited.edited_at).not.toBeNull();
	});

	it("re-runs moderation on the new text", async () => {
		const author = await signUp("re-moderated");
		const post = await createPost(author, { body: "Something borderline" });
		// As if the first text had been flagged into the queue: the new, harmless text is checked afresh.
		await setModerationStatus("posts", post.id, "flagged");
		await expectStatus(
			await call("PATCH", `/api/v1/flourish/posts/${post.id}`, {
				token: author.token,
				body: { body: "A kind note about my neighbour's garden" },
			}),
			200,
		);
		const row = await env.DB.prepare("SELECT moderation_status, toxicity_score FROM posts WHERE id = ?")
			.bind(post.id)
			.first<{ moderation_status: string; toxicity_score: number | null }>();
		expect(["clean", "unchecked"]).toContain(row?.moderation_status);
	});

	it("keeps hidden content hidden through an edit (a guardian decides)", async () => {
		const author = await signUp("hidden-editor");
		const post = await createPost(author);
		await setModerationStatus("posts", post.id, "hidden");
		const edited = await expectStatus<Post>(
			await call("PATCH", `/api/v1/flourish/posts/${post.id}`, {
				token: author.token,
				body: { body: "Reworded" },
			}),
			200,
		);
		expect(edited.pending_review).toBe(true);
	});

	it("lets a new_sprout edit within 24 hours but not after; growing members any time", async () => {
		const sprout = await signUp("sprout-editor");
		const post = await createPost(sprout);
		await expectStatus(
			await call("PATCH", `/api/v1/flourish/posts/${post.id}`, {
				token: sprout.token,
				body: { body: "Fixed typo" },
			}),
			200,
		);
		await env.DB.prepare("UPDATE posts SET created_at = ? WHERE id = ?")
			.bind(new Date(Date.now() - 25 * 3600_000).toISOString(), post.id)
			.run();
		await expectProblem(
			await call("PATCH", `/api/v1/flourish/posts/${post.id}`, {
				token: sprout.token,
				body: { body: "Too late" },
			}),
			403,
		);
		await setUserColumns(sprout.id, { trust_level: "growing" });
		await expectStatus(
			await call("PATCH", `/api/v1/flourish/posts/${post.id}`, {
				token: sprout.token,
				body: { body: "Now fine" },
			}),
			200,
		);
	});

	it("is 403 for someone else's visible post, 404 for one I cannot see", async () => {
		const author = await signUp("patch-owner");
		const other = await signUp("patch-other");
		const open = await createPost(author);
		const journal = await createPost(author, { visibility: "private" });
		await expectProblem(
			await call("PATCH", `/api/v1/flourish/posts/${open.id}`, {
				token: other.token,
				body: { body: "mine" },
			}),
			403,
		);
		await expectProblem(
			await call("PATCH", `/api/v1/flourish/posts/${journal.id}`, {
				token: other.token,
				body: { body: "mine" },
			}),
			404,
		);
	});

	it.each([
		["an empty change", {}],
		["a type change", { type: "poll" }],
		["an empty text body", { body: "" }],
		["group visibility without a group", { visibility: "group" }],
		["media on a text post", { media_ids: [crypto.randomUUID()] }],
		["a third-party media URL", { media_urls: ["https://img.example/a.jpg"] }],
	])("rejects %s with 422", async (_label, body) => {
		const author = await signUp("bad-patch");
		const post = await createPost(author);
		await expectProblem(
			await call("PATCH", `/api/v1/flourish/posts/${post.id}`, { token: author.token, body }),
			422,
		);
	});
});

describe("DELETE /flourish/posts/{post_id}", () => {
	it("soft-deletes my post: gone from the API, kept in the table", async () => {
		const author = await signUp("deleter");
		const post = await createPost(author);
		const response = await call("DELETE", `/api/v1/flourish/posts/${post.id}`, { token: author.token });
		expect(response.status).toBe(204);
		await expectProblem(await readPost(author, post.id), 404);
		const row = await env.DB.prepare("SELECT deleted_at FROM posts WHERE id = ?")
			.bind(post.id)
			.first<{ deleted_at: string | null }>();
		expect(row?.deleted_at).not.toBeNull();
		await expectProblem(
			await call("DELETE", `/api/v1/flourish/posts/${post.id}`, { token: author.token }),
			404,
		);
	});

	it("is 403 for another member, and guardians may delete anything, audit-logged", async () => {
		const author = await signUp("deleted-author");
		const other = await signUp("not-allowed-deleter");
		const guardian = await signUp("guardian-deleter");
		await setUserColumns(guardian.id, { role: "guardian" });
		const post = await createPost(author, { body: "Buy cheap pills here" });
		await expectProblem(
			await call("DELETE", `/api/v1/flourish/posts/${post.id}`, { token: other.token }),
			403,
		);
		const response = await call("DELETE", `/api/v1/flourish/posts/${post.id}?reason=Spam`, {
			token: guardian.token,
		});
		expect(response.status).toBe(204);
		const audit = await env.DB.prepare(
			"SELECT actor_id, action, target_type, target_user_id, reason FROM moderation_actions WHERE target_id = ?",
		)
			.bind(post.id)
			.all<{
				actor_id: string;
				action: string;
				target_type: string;
				target_user_id: string;
				reason: string;
			}>();
		expect(audit.results).toEqual([
			{
				actor_id: guardian.id,
				action: "delete_content",
				target_type: "post",
				target_user_id: author.id,
				reason: "Spam",
			},
		]);
	});

	it("lets a guardian delete even a post they cannot open (a private one, known from the queue)", async () => {
		const author = await signUp("private-deleted");
		const guardian = await signUp("private-guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		const journal = await createPost(author, { visibility: "private", body: "Journal entry" });
		await expectProblem(await readPost(guardian, journal.id), 404);
		expect(
			(await call("DELETE", `/api/v1/flourish/posts/${journal.id}`, { token: guardian.token })).status,
		).toBe(204);
		const audit = await env.DB.prepare("SELECT count(*) AS n FROM moderation_actions WHERE target_id = ?")
			.bind(journal.id)
			.first<{ n: number }>();
		expect(audit?.n).toBe(1);
		await expectProblem(
			await call("DELETE", `/api/v1/flourish/posts/${crypto.randomUUID()}`, { token: guardian.token }),
			404,
		);
	});

	it("does not audit-log an author deleting their own post", async () => {
		const author = await signUp("self-deleter");
		const post = await createPost(author);
		await call("DELETE", `/api/v1/flourish/posts/${post.id}`, { token: author.token });
		const audit = await env.DB.prepare("SELECT count(*) AS n FROM moderation_actions WHERE target_id = ?")
			.bind(post.id)
			.first<{ n: number }>();
		expect(audit?.n).toBe(0);
	});
});
