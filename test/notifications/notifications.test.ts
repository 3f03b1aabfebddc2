/**
 * Notifications: the list, the unread count, marking read, preferences, and the rules every notification
 * obeys — never one's own action, never across a block, never from content moderation holds back (a held
 * comment notifies once a guardian approves it), reactions grouped per target — plus deletion, export and
 * retention. Triggers covered here: comment, reply, reaction, connection_request, connection_accepted.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { notificationStatement } from "../../src/core/notifications";
import { createDb } from "../../src/db/client";
import { runScheduledTasks } from "../../src/scheduled";
import { decide, guardian, queueItemFor } from "../guardians/helpers";
import { call, expectProblem, expectStatus, signUp, type TestUser } from "../support/api";

type Notification = {
	id: string;
	type: string;
	updated_at: string;
	read_at: string | null;
	actors: Array<{ id: string; display_name: string }>;
	actor_count: number;
	subject: { type: string; id: string };
	text: string;
};
type Page = { data: Notification[]; next_cursor: string | null; unread_count: number };

const DAY_MS = 86_400_000;

const inbox = async (user: TestUser, query = "") =>
	expectStatus<Page>(await call("GET", `/api/v1/notifications${query}`, { token: user.token }), 200);
const unread = async (user: TestUser) =>
	(
		await expectStatus<{ count: number }>(
			await call("GET", "/api/v1/notifications/unread-count", { token: user.token }),
			200,
		)
	).count;

async function postOf(author: TestUser, body = "Morning pages, day twelve") {
	return expectStatus<{ id: string }>(
		await call("POST", "/api/v1/flourish/posts", {
			token: author.token,
			body: { type: "text", body, visibility: "public" },
		}),
		201,
	);
}
async function commentOn(by: TestUser, postId: string, body: string, parentId?: string) {
	return call("POST", `/api/v1/flourish/posts/${postId}/comments`, {
		token: by.token,
		body: { body, ...(parentId ? { parent_id: parentId } : {}) },
	});
}
const react = (by: TestUser, postId: string, reaction = "love") =>
	call("PUT", `/api/v1/flourish/posts/${postId}/reaction`, {
		token: by.token,
		body: { reaction_type: reaction },
	});

describe("comments and replies", () => {
	it("tells the post's author who commented, with a sentence and what a tap opens", async () => {
		const author = await signUp("n-author", { name: "Ada" });
		const friend = await signUp("n-friend", { name: "Bea" });
		const post = await postOf(author);
		await expectStatus(await commentOn(friend, post.id, "Lovely!"), 201);
		const page = await inbox(author);
		expect(page.unread_count).toBe(1);
		expect(page.data).toEqual([
			expect.objectContaining({
				type: "comment",
				read_at: null,
				actors: [expect.objectContaining({ id: friend.id, display_name: "Bea" })],
				actor_count: 1,
				subject: { type: "post", id: post.id },
				text: "Bea commented on your post.",
			}),
		]);
		expect(await unread(author)).toBe(1);
		// Never one's own action.
		await expectStatus(await commentOn(author, post.id, "Thanks!"), 201);
		expect(await unread(author)).toBe(1);
	});

	it("tells the person answered (reply) and the post's author (comment), each once", async () => {
		const author = await signUp("n-thread-author");
		const first = await signUp("n-thread-first");
		const second = await signUp("n-thread-second");
		const post = await postOf(author);
		const top = await expectStatus<{ id: string }>(await commentOn(first, post.id, "First!"), 201);
		await expectStatus(await commentOn(second, post.id, "Agreed", top.id), 201);
		expect((await inbox(first)).data.map((n) => [n.type, n.subject.type])).toEqual([["reply", "comment"]]);
		expect((await inbox(author)).data.map((n) => n.type)).toEqual(["comment", "comment"]);
		// Replying to the post's author on their own post: one notification (the reply), not two.
		const own = await expectStatus<{ id: string }>(await commentOn(author, post.id, "Thanks all"), 201);
		await expectStatus(await commentOn(second, post.id, "You're welcome", own.id), 201);
		expect((await inbox(author)).data.map((n) => n.type)).toEqual(["reply", "comment", "comment"]);
	});

	it("never crosses a block, either way (the rule is in the statement itself)", async () => {
		const db = createDb(env.DB);
		const [recipient, actor, blockedActor, blockingActor] = await Promise.all(
			["n-rule-recipient", "n-rule-actor", "n-rule-blocked", "n-rule-blocking"].map((label) => signUp(label)),
		);
		await expectStatus(
			await call("PUT", `/api/v1/orchard/blocks/${blockedActor?.id}`, { token: recipient?.token }),
			201,
		);
		await expectStatus(
			await call("PUT", `/api/v1/orchard/blocks/${recipient?.id}`, { token: blockingActor?.token }),
			201,
		);
		for (const [who, label] of [
			[actor, "plain"],
			[blockedActor, "blocked"],
			[blockingActor, "blocking"],
			[recipient, "self"],
		] as const) {
			const statement = notificationStatement(db, {
				type: "comment",
				recipientId: recipient?.id as string,
				actorId: who?.id as string,
				subject: { type: "post", id: crypto.randomUUID() },
				groupKey: `rule-test:${label}`,
			});
			if (statement) await db.batch([statement]);
		}
		expect((await inbox(recipient as TestUser)).data.map((n) => n.actors[0]?.id)).toEqual([actor?.id]);
	});

	it("tells of spiritual content only a person who has opted in to it", async () => {
		const optIn = (user: TestUser, on: boolean) =>
			call("PATCH", "/api/v1/users/me", { token: user.token, body: { spiritual_opt_in: on } });
		const [author, first, second] = await Promise.all(
			["n-spirit-author", "n-spirit-first", "n-spirit-second"].map((label) => signUp(label)),
		);
		for (const user of [author, first, second]) await expectStatus(await optIn(user as TestUser, true), 200);
		const post = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/flourish/posts", {
				token: author?.token,
				body: { type: "text", body: "A prayer for the week", visibility: "public", is_spiritual: true },
			}),
			201,
		);
		// The author turns spiritual content off: a comment on their spiritual post tells them nothing…
		await expectStatus(await optIn(author as TestUser, false), 200);
		await expectStatus(await commentOn(first as TestUser, post.id, "Amen to that"), 201);
		expect((await inbox(author as TestUser)).data).toEqual([]);
		// …and once it is back on, the next one does.
		await expectStatus(await optIn(author as TestUser, true), 200);
		await expectStatus(await commentOn(second as TestUser, post.id, "Thank you for sharing"), 201);
		expect((await inbox(author as TestUser)).data.map((n) => [n.type, n.actors[0]?.id])).toEqual([
			["comment", second?.id],
		]);
	});

	it("tells nothing of a held-back comment until a guardian approves it", async () => {
		const author = await signUp("n-held-author");
		const troll = await signUp("n-held-troll");
		const post = await postOf(author);
		const held = await expectStatus<{ id: string; pending_review: boolean }>(
			await commentOn(troll, post.id, "I will kill you."),
			201,
		);
		expect(held.pending_review).toBe(true);
		expect(await unread(author)).toBe(0);
		const judge = await guardian("n-held-judge");
		await expectStatus(
			await decide(judge, (await queueItemFor("comment", held.id)).id, {
				decision: "dismiss",
				reason: "Song lyric",
			}),
			200,
		);
		expect((await inbox(author)).data).toEqual([expect.objectContaining({ type: "comment" })]);
	});
});

describe("reactions, grouped per target", () => {
	it("keeps one notification per post: newest actor first, the count, back on top and unread again", async () => {
		const author = await signUp("n-react-author");
		const [a, b, c, d] = await Promise.all(
			["a", "b", "c", "d"].map((l) => signUp(`n-react-${l}`, { name: l.toUpperCase() })),
		);
		const post = await postOf(author);
		const other = await postOf(author, "Another post");
		for (const person of [a, b, c] as TestUser[]) await expectStatus(await react(person, post.id), 200);
		let [grouped] = (await inbox(author)).data;
		expect(grouped).toMatchObject({
			type: "reaction",
			actor_count: 3,
			subject: { type: "post", id: post.id },
		});
		expect(grouped?.actors.map((actor) => actor.display_name)).toEqual(["C", "B", "A"]);
		expect(grouped?.text).toBe("C and 2 others reacted to your post.");

		// Read, then another reaction elsewhere, then a new reactor here: back on top, unread again.
		await expectStatus(
			await call("POST", "/api/v1/notifications/read", { token: author.token, body: { all: true } }),
			200,
		);
		await expectStatus(await react(a as TestUser, other.id), 200);
		await expectStatus(await react(d as TestUser, post.id), 200);
		const page = await inbox(author);
		expect(page.data.map((n) => n.subject.id)).toEqual([post.id, other.id]);
		[grouped] = page.data;
		expect(grouped).toMatchObject({ read_at: null, actor_count: 4 });
		expect(grouped?.actors.map((actor) => actor.display_name)).toEqual(["D", "C", "B"]);
		// Changing one's reaction is not a new actor.
		await expectStatus(await react(d as TestUser, post.id, "celebrate"), 200);
		expect((await inbox(author)).data[0]).toMatchObject({ actor_count: 4 });
		expect(page.data).toHaveLength(2);
	});
});

describe("connections", () => {
	it("tells the person asked, and the person who asked when it is accepted (also by asking back)", async () => {
		const alice = await signUp("n-conn-alice", { name: "Alice" });
		const bob = await signUp("n-conn-bob", { name: "Bob" });
		const request = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/orchard/connections", { token: alice.token, body: { user_id: bob.id } }),
			201,
		);
		expect((await inbox(bob)).data).toEqual([
			expect.objectContaining({
				type: "connection_request",
				subject: { type: "connection", id: request.id },
				text: "Alice asked to connect with you.",
			}),
		]);
		await expectStatus(
			await call("PATCH", `/api/v1/orchard/connections/${request.id}`, {
				token: bob.token,
				body: { status: "accepted" },
			}),
			200,
		);
		expect((await inbox(alice)).data).toEqual([
			expect.objectContaining({ type: "connection_accepted", text: "Bob accepted your connection request." }),
		]);

		const carol = await signUp("n-conn-carol");
		await expectStatus(
			await call("POST", "/api/v1/orchard/connections", { token: carol.token, body: { user_id: bob.id } }),
			201,
		);
		await expectStatus(
			await call("POST", "/api/v1/orchard/connections", { token: bob.token, body: { user_id: carol.id } }),
			200,
		);
		expect((await inbox(carol)).data.map((n) => n.type)).toEqual(["connection_accepted"]);
	});
});

describe("reading, paging and preferences", () => {
	it("marks some or all read (others' ids ignored) and answers the unread count", async () => {
		const me = await signUp("n-read-me");
		const someone = await signUp("n-read-someone");
		for (let i = 0; i < 3; i++) await commentOn(someone, (await postOf(me)).id, `Nice ${i}`);
		const mine = (await inbox(me)).data;
		const theirsPost = await postOf(someone);
		await commentOn(me, theirsPost.id, "Hello");
		const theirs = (await inbox(someone)).data[0];
		const after = await expectStatus<{ unread_count: number }>(
			await call("POST", "/api/v1/notifications/read", {
				token: me.token,
				body: { ids: [mine[0]?.id, theirs?.id] },
			}),
			200,
		);
		expect(after.unread_count).toBe(2);
		expect(await unread(someone)).toBe(1);
		expect((await inbox(me, "?unread=false")).data.map((n) => n.id)).toEqual([mine[0]?.id]);
		expect((await inbox(me, "?unread=true")).data).toHaveLength(2);
		for (const body of [
			{},
			{ ids: [] },
			{ ids: ["nope"] },
			{ all: false },
			{ all: true, ids: [mine[1]?.id] },
		]) {
			await expectProblem(await call("POST", "/api/v1/notifications/read", { token: me.token, body }), 422);
		}
		await expectProblem(await call("GET", "/api/v1/notifications"), 401);
	});

	it("pages newest change first without repeats", async () => {
		const me = await signUp("n-page-me");
		const fan = await signUp("n-page-fan");
		for (let i = 0; i < 5; i++) await commentOn(fan, (await postOf(me)).id, `Comment ${i}`);
		const seen: string[] = [];
		let cursor: string | null = null;
		do {
			const page: Page = await inbox(me, `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
			seen.push(...page.data.map((n) => n.updated_at));
			cursor = page.next_cursor;
		} while (cursor);
		expect(seen).toHaveLength(5);
		expect([...seen].sort().reverse()).toEqual(seen);
		await expectProblem(await call("GET", "/api/v1/notifications?cursor=zzz", { token: me.token }), 400);
		await expectProblem(await call("GET", "/api/v1/notifications?unread=maybe", { token: me.token }), 422);
	});

	it("lists every type with its default, and a type turned off is not written", async () => {
		const me = await signUp("n-prefs-me");
		const prefs = await expectStatus<{ types: Record<string, { in_app: boolean; push: boolean }> }>(
			await call("GET", "/api/v1/notifications/preferences", { token: me.token }),
			200,
		);
		expect(Object.keys(prefs.types)).toHaveLength(21);
		expect(prefs.types.comment).toEqual({ in_app: true, push: true });
		expect(prefs.types.habit_reminder).toEqual({ in_app: true, push: true });
		expect(prefs.types.event_reminder).toEqual({ in_app: true, push: true });
		expect(prefs.types.reaction).toEqual({ in_app: true, push: false });
		const changed = await expectStatus<typeof prefs>(
			await call("PATCH", "/api/v1/notifications/preferences", {
				token: me.token,
				body: { types: { comment: { in_app: false } } },
			}),
			200,
		);
		expect(changed.types.comment).toEqual({ in_app: false, push: true });
		await commentOn(await signUp("n-prefs-other"), (await postOf(me)).id, "Hi");
		expect(await unread(me)).toBe(0);
		for (const body of [
			{ types: { unknown_type: { push: true } } },
			{ types: { comment: { email: true } } },
			{ sound: true },
		]) {
			await expectProblem(
				await call("PATCH", "/api/v1/notifications/preferences", { token: me.token, body }),
				422,
			);
		}
	});

	it("counts unread through the partial index of unread notifications", async () => {
		const plan = await env.DB.prepare(
			"EXPLAIN QUERY PLAN SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL",
		)
			.bind("x")
			.all<{ detail: string }>();
		expect(plan.results.map((row) => row.detail).join(" ")).toContain("notifications_unread_idx");
	});
});

describe("privacy", () => {
	it("erases a deleted account's notifications, shows it as no person where it acted, and exports mine", async () => {
		const me = await signUp("n-priv-me");
		const leaver = await signUp("n-priv-leaver", { name: "Leaving Lee" });
		const post = await postOf(me);
		await commentOn(leaver, post.id, "Bye all");
		const leaverPost = await postOf(leaver);
		await commentOn(me, leaverPost.id, "Take care");

		const exported = await expectStatus<{
			notifications: { notifications: unknown[]; preferences: unknown[] };
		}>(await call("GET", "/api/v1/users/me/export", { token: me.token }), 200);
		expect(exported.notifications.notifications).toHaveLength(1);

		expect((await call("DELETE", "/api/v1/users/me", { token: leaver.token })).status).toBe(204);
		const left = await env.DB.prepare("SELECT count(*) AS n FROM notifications WHERE user_id = ?")
			.bind(leaver.id)
			.first<{ n: number }>();
		expect(left?.n).toBe(0);
		const [shown] = (await inbox(me)).data;
		expect(shown).toMatchObject({ actors: [], text: "Someone commented on your post." });
		expect(JSON.stringify(shown)).not.toContain("Leaving Lee");
	});

	it("keeps a notification 90 days after its last change", async () => {
		const me = await signUp("n-retention");
		await commentOn(await signUp("n-retention-other"), (await postOf(me)).id, "Old news");
		await runScheduledTasks(env, new Date(Date.now() + 89 * DAY_MS));
		expect(await unread(me)).toBe(1);
		await runScheduledTasks(env, new Date(Date.now() + 91 * DAY_MS));
		expect(await unread(me)).toBe(0);
	});
});
