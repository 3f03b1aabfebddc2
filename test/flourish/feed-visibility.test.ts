/**
 * Who sees which post, in every read path: each visibility (public, connections, group, private) against
 * each kind of viewer (author, connection, group member, stranger, blocked either way, guardian, anonymous),
 * for the feed, a direct read, comments, reactions, votes and similar posts. Plus spiritual content and
 * content hidden by moderation.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import {
	block,
	connect,
	createPost,
	inMinutes,
	makeGroup,
	type Page,
	type Post,
	readPost,
	setModerationStatus,
	wholeFeed,
} from "./helpers";

type Viewer =
	| "author"
	| "connection"
	| "pending_connection"
	| "member"
	| "pending_member"
	| "stranger"
	| "blocked"
	| "blocker"
	| "guardian";

interface World {
	users: Record<Viewer, TestUser>;
	posts: Record<"public" | "connections" | "group" | "private", Post>;
}

let world: World;

beforeAll(async () => {
	const signed: TestUser[] = [];
	// One after another: the first sign-ins of a test file also warm the JWKS cache.
	for (const label of [
		"author",
		"connection",
		"pending-connection",
		"member",
		"pending-member",
		"stranger",
		"blocked",
		"blocker",
		"guardian",
	]) {
		signed.push(await signUp(`vis-${label}`));
	}
	const [author, connection, pendingConnection, member, pendingMember, stranger, blocked, blocker, guardian] =
		signed;
	if (
		!author ||
		!connection ||
		!pendingConnection ||
		!member ||
		!pendingMember ||
		!stranger ||
		!blocked ||
		!blocker ||
		!guardian
	) {
		throw new Error("sign-up failed");
	}
	await setUserColumns(guardian.id, { role: "guardian" });
	// The author posts a lot in this file: lift the daily quota by trust level.
	await setUserColumns(author.id, { trust_level: "flourishing" });
	await connect(connection, author);
	await connect(author, pendingConnection, "pending");
	// Blocked users who are otherwise connected and in the group: the block must still win.
	await connect(author, blocked);
	await connect(blocker, author);
	await block(author, blocked);
	await block(blocker, author);
	const groupId = await makeGroup(author, [member, [pendingMember, "pending"], blocked, blocker]);
	const posts = {
		public: await createPost(author, { body: "A public note" }),
		connections: await createPost(author, { body: "For my connections", visibility: "connections" }),
		group: await createPost(author, { body: "For the group", visibility: "group", group_id: groupId }),
		private: await createPost(author, { body: "My journal", visibility: "private" }),
	};
	world = {
		users: {
			author,
			connection,
			pending_connection: pendingConnection,
			member,
			pending_member: pendingMember,
			stranger,
			blocked,
			blocker,
			guardian,
		},
		posts,
	};
});

/** Which posts each viewer may open. Guardians may open anything but a private journal, for moderation. */
const expected: Record<Viewer, Array<keyof World["posts"]>> = {
	author: ["public", "connections", "group", "private"],
	connection: ["public", "connections"],
	pending_connection: ["public"],
	member: ["public", "group"],
	pending_member: ["public"],
	stranger: ["public"],
	blocked: [],
	blocker: [],
	guardian: ["public", "connections", "group"],
};

/** What shows in each viewer's feed (a guardian's feed follows the ordinary audience rules). */
const expectedInFeed: Record<Viewer, Array<keyof World["posts"]>> = { ...expected, guardian: ["public"] };

const viewers = Object.keys(expected) as Viewer[];
const kinds = ["public", "connections", "group", "private"] as const;

describe("direct reads", () => {
	for (const viewer of viewers) {
		for (const kind of kinds) {
			const allowed = expected[viewer].includes(kind);
			it(`${viewer} ${allowed ? "reads" : "gets 404 for"} a ${kind} post`, async () => {
				const response = await readPost(world.users[viewer], world.posts[kind].id);
				if (allowed) expect((await expectStatus<Post>(response, 200)).id).toBe(world.posts[kind].id);
				else await expectProblem(response, 404);
			});
		}
	}

	it("is 401 for anonymous callers", async () => {
		await expectProblem(await readPost(undefined, world.posts.public.id), 401);
		await expectProblem(await call("GET", "/api/v1/flourish/feed"), 401);
	});
});

describe("the feed", () => {
	for (const viewer of viewers) {
		it(`shows ${viewer} exactly the posts they may see`, async () => {
			const seen = (await wholeFeed(world.users[viewer], `?author_id=${world.users.author.id}`)).map(
				(p) => p.id,
			);
			expect(seen.sort()).toEqual(expectedInFeed[viewer].map((kind) => world.posts[kind].id).sort());
		});
	}

	it("never shows the blocked side's posts to the blocker either", async () => {
		const { blocked, author } = world.users;
		await createPost(blocked, { body: "From the blocked side" });
		const seen = await wholeFeed(author, `?author_id=${blocked.id}`);
		expect(seen).toEqual([]);
		await expectProblem(await readPost(author, (await createPost(blocked)).id), 404);
	});
});

describe("every other read path follows the same rule", () => {
	const denied: Array<[Viewer, keyof World["posts"]]> = [
		["stranger", "connections"],
		["stranger", "group"],
		["member", "private"],
		["blocked", "public"],
		["blocker", "public"],
		["pending_member", "group"],
	];

	for (const [viewer, kind] of denied) {
		it(`${viewer} gets 404 on comments, reactions, votes and similar of a ${kind} post`, async () => {
			const user = world.users[viewer];
			const postId = world.posts[kind].id;
			await expectProblem(
				await call("GET", `/api/v1/flourish/posts/${postId}/comments`, { token: user.token }),
				404,
			);
			await expectProblem(
				await call("POST", `/api/v1/flourish/posts/${postId}/comments`, {
					token: user.token,
					body: { body: "hi" },
				}),
				404,
			);
			await expectProblem(
				await call("PUT", `/api/v1/flourish/posts/${postId}/reaction`, {
					token: user.token,
					body: { reaction_type: "like" },
				}),
				404,
			);
			await expectProblem(
				await call("DELETE", `/api/v1/flourish/posts/${postId}/reaction`, { token: user.token }),
				404,
			);
			await expectProblem(
				await call("POST", `/api/v1/flourish/posts/${postId}/votes`, {
					token: user.token,
					body: { option_ids: [crypto.randomUUID()] },
				}),
				404,
			);
			await expectProblem(
				await call("GET", `/api/v1/flourish/posts/${postId}/similar`, { token: user.token }),
				404,
			);
		});
	}

	it("a poll in a group only takes votes from members", async () => {
		const { author, member, stranger } = world.users;
		const groupId = await makeGroup(author, [member]);
		const poll = await createPost(author, {
			type: "poll",
			body: "Meet on Saturday?",
			visibility: "group",
			group_id: groupId,
			poll: { options: ["Yes", "No"], closes_at: inMinutes(60) },
		});
		const option = poll.poll?.options[0]?.id;
		await expectProblem(
			await call("POST", `/api/v1/flourish/posts/${poll.id}/votes`, {
				token: stranger.token,
				body: { option_ids: [option] },
			}),
			404,
		);
		await expectStatus(
			await call("POST", `/api/v1/flourish/posts/${poll.id}/votes`, {
				token: member.token,
				body: { option_ids: [option] },
			}),
			201,
		);
	});

	it("similar posts only ever include posts the viewer may see", async () => {
		const { author, stranger } = world.users;
		await createPost(author, { body: "Tomato seedlings compost watering", visibility: "connections" });
		const probe = await createPost(stranger, { body: "Tomato seedlings compost watering tips" });
		const similar = await expectStatus<{ data: Post[] }>(
			await call("GET", `/api/v1/flourish/posts/${probe.id}/similar`, { token: stranger.token }),
			200,
		);
		expect(similar.data.length).toBeLessThanOrEqual(5);
		for (const post of similar.data) {
			expect(post.id).not.toBe(probe.id);
			expect(post.visibility === "public" || post.author.id === stranger.id).toBe(true);
		}
	});

	it("a blocked user's comments vanish from the thread of a post both can see", async () => {
		const poster = await signUp("thread-poster");
		const troll = await signUp("thread-troll");
		const post = await createPost(poster, { body: "Thread" });
		await expectStatus(
			await call("POST", `/api/v1/flourish/posts/${post.id}/comments`, {
				token: troll.token,
				body: { body: "Hey" },
			}),
			201,
		);
		await block(poster, troll);
		const thread = await expectStatus<Page<{ id: string }>>(
			await call("GET", `/api/v1/flourish/posts/${post.id}/comments`, { token: poster.token }),
			200,
		);
		expect(thread.data).toEqual([]);
	});
});

describe("spiritual content", () => {
	it("is only for people who opted in: skipped in lists, 404 on direct read", async () => {
		const author = await signUp("spiritual-author");
		const secular = await signUp("secular-reader");
		const believer = await signUp("opted-in-reader");
		await setUserColumns(believer.id, { spiritual_opt_in: 1 });
		const prayer = await createPost(author, { body: "A prayer for the week", is_spiritual: true });
		const plain = await createPost(author, { body: "Garden update" });

		const secularFeed = await wholeFeed(secular, `?author_id=${author.id}`);
		expect(secularFeed.map((post) => post.id)).toEqual([plain.id]);
		await expectProblem(await readPost(secular, prayer.id), 404);

		const believerFeed = await wholeFeed(believer, `?author_id=${author.id}`);
		expect(believerFeed.map((post) => post.id)).toEqual([plain.id, prayer.id]);
		await expectStatus(await readPost(believer, prayer.id), 200);

		// The author always sees their own post.
		await expectStatus(await readPost(author, prayer.id), 200);
	});
});

describe("content hidden by moderation", () => {
	it("is shown only to its author (pending review) and guardians", async () => {
		const author = await signUp("hidden-author");
		const reader = await signUp("hidden-reader");
		const guardian = await signUp("hidden-guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		for (const status of ["hidden", "removed"]) {
			const post = await createPost(author, { body: `Post that is ${status}` });
			await setModerationStatus("posts", post.id, status);
			const own = await expectStatus<Post>(await readPost(author, post.id), 200);
			expect(own.pending_review).toBe(true);
			await expectProblem(await readPost(reader, post.id), 404);
			expect((await wholeFeed(reader, `?author_id=${author.id}`)).map((p) => p.id)).not.toContain(post.id);
			expect((await wholeFeed(guardian, `?author_id=${author.id}`)).map((p) => p.id)).toContain(post.id);
			expect((await wholeFeed(author, `?author_id=${author.id}`)).map((p) => p.id)).toContain(post.id);
		}
	});

	it("keeps flagged (still visible) content visible", async () => {
		const author = await signUp("flagged-author");
		const reader = await signUp("flagged-reader");
		const post = await createPost(author);
		await setModerationStatus("posts", post.id, "flagged");
		const read = await expectStatus<Post>(await readPost(reader, post.id), 200);
		expect(read.pending_review).toBe(false);
	});
});
