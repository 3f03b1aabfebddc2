/**
 * Comments as a tree: replies nest under their parent to depth 5 (deeper is 422), top-level comments page
 * oldest first with a cursor, a deleted comment with replies keeps its place as "[removed]" (without one it
 * disappears), the post's comment count follows, and only the author or a guardian deletes (audit-logged).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { createPost, type Page, readPost, setModerationStatus } from "./helpers";

type Comment = {
	id: string;
	parent_id: string | null;
	depth: number;
	body: string;
	removed: boolean;
	author: { id: string } | null;
	pending_review: boolean;
	reaction_count: number;
	replies: Comment[];
	crisis_resources?: unknown[];
};

async function comment(user: TestUser, postId: string, body: string, parentId?: string): Promise<Comment> {
	return expectStatus<Comment>(
		await call("POST", `/api/v1/flourish/posts/${postId}/comments`, {
			token: user.token,
			body: parentId ? { body, parent_id: parentId } : { body },
		}),
		201,
	);
}

async function thread(user: TestUser, postId: string, query = ""): Promise<Page<Comment>> {
	return expectStatus<Page<Comment>>(
		await call("GET", `/api/v1/flourish/posts/${postId}/comments${query}`, { token: user.token }),
		200,
	);
}

/** The tree as nested [body, replies] pairs, for readable assertions. */
const shape = (comments: Comment[]): unknown[] =>
	comments.map((c) => (c.replies.length ? [c.body, shape(c.replies)] : c.body));

describe("the comment tree", () => {
	it("nests replies under their parents, oldest first", async () => {
		const author = await signUp("tree-author");
		const friend = await signUp("tree-friend");
		const post = await createPost(author);
		const a = await comment(friend, post.id, "A");
		const b = await comment(author, post.id, "B");
		const a1 = await comment(author, post.id, "A1", a.id);
		await comment(friend, post.id, "A1a", a1.id);
		await comment(friend, post.id, "A2", a.id);
		await comment(friend, post.id, "B1", b.id);
		expect(a1).toMatchObject({ parent_id: a.id, depth: 1, removed: false, author: { id: author.id } });

		const page = await thread(author, post.id);
		expect(shape(page.data)).toEqual([
			["A", [["A1", ["A1a"]], "A2"]],
			["B", ["B1"]],
		]);
		expect(page.next_cursor).toBeNull();
		const read = await expectStatus<{ comment_count: number }>(await readPost(author, post.id), 200);
		expect(read.comment_count).toBe(6);
	});

	it("allows replies to depth 5 and refuses a sixth level with 422", async () => {
		const author = await signUp("deep-author");
		await setUserColumns(author.id, { trust_level: "growing" });
		const post = await createPost(author);
		let parent = await comment(author, post.id, "level 0");
		for (let depth = 1; depth <= 5; depth++) {
			parent = await comment(author, post.id, `level ${depth}`, parent.id);
			expect(parent.depth).toBe(depth);
		}
		await expectProblem(
			await call("POST", `/api/v1/flourish/posts/${post.id}/comments`, {
				token: author.token,
				body: { body: "level 6", parent_id: parent.id },
			}),
			422,
		);
		const page = await thread(author, post.id);
		let node = page.data[0];
		for (let depth = 0; depth <= 5; depth++) {
			expect(node?.body).toBe(`level ${depth}`);
			node = node?.replies[0];
		}
		expect(node).toBeUndefined();
	});

	it("pages top-level comments with a cursor, each with all its replies", async () => {
		const author = await signUp("paged-author");
		await setUserColumns(author.id, { trust_level: "growing" });
		const post = await createPost(author);
		const tops: Comment[] = [];
		for (let i = 0; i < 5; i++) tops.push(await comment(author, post.id, `top ${i}`));
		await comment(author, post.id, "reply to 3", tops[3]?.id);
		const first = await thread(author, post.id, "?limit=2");
		expect(first.data.map((c) => c.body)).toEqual(["top 0", "top 1"]);
		const second = await thread(
			author,
			post.id,
			`?limit=2&cursor=${encodeURIComponent(first.next_cursor ?? "")}`,
		);
		expect(shape(second.data)).toEqual(["top 2", ["top 3", ["reply to 3"]]]);
		const third = await thread(
			author,
			post.id,
			`?limit=2&cursor=${encodeURIComponent(second.next_cursor ?? "")}`,
		);
		expect(third.data.map((c) => c.body)).toEqual(["top 4"]);
		expect(third.next_cursor).toBeNull();
	});

	it("keeps a deleted comment with replies as [removed], and drops one without replies", async () => {
		const author = await signUp("removed-author");
		const friend = await signUp("removed-friend");
		const post = await createPost(author);
		const parent = await comment(friend, post.id, "Parent");
		await comment(author, post.id, "Child", parent.id);
		const lonely = await comment(friend, post.id, "Lonely");
		for (const target of [parent, lonely]) {
			const response = await call("DELETE", `/api/v1/flourish/comments/${target.id}`, {
				token: friend.token,
			});
			expect(response.status).toBe(204);
		}
		const page = await thread(author, post.id);
		expect(page.data).toHaveLength(1);
		expect(page.data[0]).toMatchObject({ id: parent.id, body: "[removed]", removed: true, author: null });
		expect(page.data[0]?.replies.map((c) => c.body)).toEqual(["Child"]);
		const read = await expectStatus<{ comment_count: number }>(await readPost(author, post.id), 200);
		expect(read.comment_count).toBe(1);
		const row = await env.DB.prepare("SELECT body, deleted_at FROM comments WHERE id = ?")
			.bind(parent.id)
			.first<{ body: string; deleted_at: string | null }>();
		expect(row?.body).toBe("Parent");
		expect(row?.deleted_at).not.toBeNull();
	});

	it("shows a comment hidden by moderation only to its author and guardians", async () => {
		const author = await signUp("mod-comment-post");
		const commenter = await signUp("mod-commenter");
		const guardian = await signUp("mod-comment-guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		const post = await createPost(author);
		const hidden = await comment(commenter, post.id, "Something nasty");
		await setModerationStatus("comments", hidden.id, "hidden");
		expect((await thread(author, post.id)).data).toEqual([]);
		const own = await thread(commenter, post.id);
		expect(own.data[0]).toMatchObject({ id: hidden.id, pending_review: true });
		expect((await thread(guardian, post.id)).data.map((c) => c.id)).toEqual([hidden.id]);
	});
});

describe("POST /flourish/posts/{post_id}/comments", () => {
	it.each([
		["an empty body", { body: "" }],
		["a blank body", { body: "   " }],
		["an oversized body", { body: "x".repeat(2001) }],
		["an unknown field", { body: "hi", pinned: true }],
		["a malformed parent", { body: "hi", parent_id: "nope" }],
		["a wrong type", { body: 42 }],
	])("rejects %s with 422", async (_label, body) => {
		const author = await signUp("bad-comment");
		const post = await createPost(author);
		await expectProblem(
			await call("POST", `/api/v1/flourish/posts/${post.id}/comments`, { token: author.token, body }),
			422,
		);
	});

	it("is 404 for a parent on another post, or an unknown post", async () => {
		const author = await signUp("wrong-parent");
		const one = await createPost(author);
		const two = await createPost(author);
		const onOne = await comment(author, one.id, "On one");
		await expectProblem(
			await call("POST", `/api/v1/flourish/posts/${two.id}/comments`, {
				token: author.token,
				body: { body: "Misplaced", parent_id: onOne.id },
			}),
			404,
		);
		await expectProblem(
			await call("POST", `/api/v1/flourish/posts/${crypto.randomUUID()}/comments`, {
				token: author.token,
				body: { body: "Nowhere" },
			}),
			404,
		);
	});

	it("is 401 anonymously, 403 when suspended, 400 for malformed JSON", async () => {
		const author = await signUp("comment-auth");
		const post = await createPost(author);
		await expectProblem(
			await call("POST", `/api/v1/flourish/posts/${post.id}/comments`, { body: { body: "x" } }),
			401,
		);
		await expectProblem(
			await call("POST", `/api/v1/flourish/posts/${post.id}/comments`, { token: author.token, rawBody: "{" }),
			400,
		);
		await setUserColumns(author.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(
			await call("POST", `/api/v1/flourish/posts/${post.id}/comments`, {
				token: author.token,
				body: { body: "x" },
			}),
			403,
		);
	});

	it("queues a comment that reads as a crisis and answers crisis resources", async () => {
		const author = await signUp("crisis-comment-post");
		const commenter = await signUp("crisis-commenter");
		const post = await createPost(author);
		const created = await comment(
			commenter,
			post.id,
			"I want to end it all. I don't want to be here anymore.",
		);
		expect(created.crisis_resources?.length).toBeGreaterThan(0);
		const item = await env.DB.prepare(
			"SELECT source FROM moderation_queue_items WHERE target_type = 'comment' AND target_id = ?",
		)
			.bind(created.id)
			.first<{ source: string }>();
		expect(item?.source).toBe("crisis");
	});
});

describe("DELETE /flourish/comments/{comment_id}", () => {
	it("is 403 for another member, 404 for an unknown id; guardians delete, audit-logged", async () => {
		const author = await signUp("c-del-author");
		const other = await signUp("c-del-other");
		const guardian = await signUp("c-del-guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		const post = await createPost(author);
		const target = await comment(author, post.id, "Spammy link farm");
		await expectProblem(
			await call("DELETE", `/api/v1/flourish/comments/${target.id}`, { token: other.token }),
			403,
		);
		await expectProblem(
			await call("DELETE", `/api/v1/flourish/comments/${crypto.randomUUID()}`, { token: other.token }),
			404,
		);
		const response = await call("DELETE", `/api/v1/flourish/comments/${target.id}`, {
			token: guardian.token,
		});
		expect(response.status).toBe(204);
		const audit = await env.DB.prepare(
			"SELECT action, target_type, target_user_id FROM moderation_actions WHERE target_id = ? AND actor_id = ?",
		)
			.bind(target.id, guardian.id)
			.first<{ action: string; target_type: string; target_user_id: string }>();
		expect(audit).toEqual({ action: "delete_content", target_type: "comment", target_user_id: author.id });
		await expectProblem(
			await call("DELETE", `/api/v1/flourish/comments/${target.id}`, { token: author.token }),
			404,
		);
	});
});
