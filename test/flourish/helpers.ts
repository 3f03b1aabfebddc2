/**
 * Helpers for the feed tests: posting through the API, and setting up relationships (connections, blocks,
 * group memberships) directly in D1 — those features have their own endpoints and tests; here they are
 * only the precondition of a visibility rule.
 */
import { env } from "cloudflare:workers";
import { call, expectStatus, type TestUser } from "../support/api";

export type Post = {
	id: string;
	type: string;
	body: string;
	visibility: string;
	group_id: string | null;
	media_urls: string[];
	media: Array<{
		id: string;
		url: string;
		content_type: string;
		width: number | null;
		height: number | null;
		alt: string | null;
	}>;
	is_spiritual: boolean;
	author: { id: string; display_name: string };
	reaction_count: number;
	reactions: Record<string, number>;
	my_reaction: string | null;
	comment_count: number;
	pending_review: boolean;
	edited_at: string | null;
	milestone: { habit_id: string | null; habit_name: string | null; streak: number | null } | null;
	poll: {
		multiple_choice: boolean;
		closes_at: string;
		closed: boolean;
		results_visible: boolean;
		voter_count: number | null;
		my_votes: string[];
		options: Array<{ id: string; label: string; votes: number | null }>;
	} | null;
	crisis_resources?: unknown[];
};

export type Page<T> = { data: T[]; next_cursor: string | null };

export async function createPost(user: TestUser, body: Record<string, unknown> = {}): Promise<Post> {
	return expectStatus<Post>(
		await call("POST", "/api/v1/flourish/posts", {
			token: user.token,
			body: { type: "text", body: "Planted tomatoes today", ...body },
		}),
		201,
	);
}

export const readPost = (user: TestUser | undefined, postId: string) =>
	call("GET", `/api/v1/flourish/posts/${postId}`, user ? { token: user.token } : {});

export async function feed(user: TestUser, query = ""): Promise<Page<Post>> {
	return expectStatus<Page<Post>>(
		await call("GET", `/api/v1/flourish/feed${query}`, { token: user.token }),
		200,
	);
}

/** Every page of a feed query, following `next_cursor`. */
export async function wholeFeed(user: TestUser, query: string): Promise<Post[]> {
	const all: Post[] = [];
	let cursor: string | null = null;
	for (let i = 0; i < 100; i++) {
		const sep = query.includes("?") ? "&" : "?";
		const page = await feed(user, cursor ? `${query}${sep}cursor=${encodeURIComponent(cursor)}` : query);
		all.push(...page.data);
		cursor = page.next_cursor;
		if (!cursor) return all;
	}
	throw new Error("feed did not end");
}

const uuid = () => crypto.randomUUID();
const now = () => new Date().toISOString();

/** An accepted connection between two users (either may have asked). */
export async function connect(a: TestUser, b: TestUser, status: "accepted" | "pending" = "accepted") {
	const [low, high] = a.id < b.id ? [a.id, b.id] : [b.id, a.id];
	await env.DB.prepare(
		"INSERT INTO connections (id, requester_id, addressee_id, user_low_id, user_high_id, connection_type, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'friend', ?, ?, ?)",
	)
		.bind(uuid(), a.id, b.id, low, high, status, now(), now())
		.run();
}

export async function block(blocker: TestUser, blocked: TestUser) {
	await env.DB.prepare("INSERT INTO blocks (id, blocker_id, blocked_id, created_at) VALUES (?, ?, ?, ?)")
		.bind(uuid(), blocker.id, blocked.id, now())
		.run();
}

/** A group owned by `owner` with the given members (status active unless said otherwise). */
export async function makeGroup(
	owner: TestUser,
	members: Array<TestUser | [TestUser, "active" | "pending" | "invited" | "banned"]> = [],
): Promise<string> {
	const groupId = uuid();
	await env.DB.prepare(
		"INSERT INTO fellowship_groups (id, owner_id, name, group_type, visibility, created_at, updated_at) VALUES (?, ?, 'Gardeners', 'interest', 'private', ?, ?)",
	)
		.bind(groupId, owner.id, now(), now())
		.run();
	const rows: Array<[TestUser, string, string]> = [[owner, "owner", "active"]];
	for (const member of members) {
		const [user, status] = Array.isArray(member) ? member : [member, "active"];
		rows.push([user, "member", status]);
	}
	for (const [user, role, status] of rows) {
		await env.DB.prepare(
			"INSERT INTO group_members (id, group_id, user_id, role, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		)
			.bind(uuid(), groupId, user.id, role, status, now(), now())
			.run();
	}
	return groupId;
}

/** Test setup only: a moderation state set as the ML service or a guardian would. */
export async function setModerationStatus(table: string, id: string, status: string) {
	await env.DB.prepare(`UPDATE ${table} SET moderation_status = ? WHERE id = ?`).bind(status, id).run();
}

/** A poll closing `minutes` from now. */
export const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
