/**
 * A person with something in every part of Flourish, built through the API the way clients do, and tools
 * to look for their traces in every D1 table and in the Durable Objects.
 */

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { conversationIdOf } from "../../src/core/chat-access";
import { roomFor } from "../../src/modules/orchard/chat";
import { call, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";

let counter = 0;

/**
 * A word no other row contains, so finding it anywhere means it was kept. One word, deterministic: the learned
 * heads read no text under two words, so the marker is never flagged. ("zq-comment-<time>-<n>" was: about one in
 * six such random strings reached the review threshold, and a flagged comment's snapshot is rightly kept as
 * evidence under its open case — the erasure test then failed at random.) The closing "z" keeps one marker
 * from being the start of another ("…1z" is not in "…10z").
 */
export const marker = (what: string) => `zq${what.replace(/-/g, "")}${counter++}z`;

export async function ok<T = Record<string, unknown>>(response: Promise<Response>, status = 200): Promise<T> {
	return expectStatus<T>(await response, status);
}

const post = (user: TestUser, path: string, body?: unknown, headers?: Record<string, string>) =>
	call("POST", `/api/v1${path}`, {
		token: user.token,
		...(body !== undefined ? { body } : {}),
		...(headers ? { headers } : {}),
	});

export interface RichAccount {
	alice: TestUser;
	email: string;
	/** Peers: bob (connected, chats), mod (moderator of alice's group), dave (waitlisted), guide. */
	bob: TestUser;
	mod: TestUser;
	dave: TestUser;
	guide: TestUser;
	/** Phrases alice wrote, by where they went. */
	texts: Record<
		| "bio"
		| "habit"
		| "logNote"
		| "post"
		| "comment"
		| "share"
		| "note"
		| "message"
		| "goals"
		| "report"
		| "supportResponse"
		| "discussion"
		| "supportRequest"
		| "idempotent",
		string
	>;
	/** What bob wrote to alice (his, not hers). */
	bobMessage: string;
	ids: {
		habit: string;
		post: string;
		bobPost: string;
		comment: string;
		share: string;
		group: string;
		soloGroup: string;
		event: string;
		project: string;
		supportRequest: string;
		supportResponse: string;
		discussion: string;
		conversation: string;
	};
	supportToken: string;
}

/** Builds alice's account (and the peers around it). About 40 requests. */
export async function richAccount(label: string): Promise<RichAccount> {
	const email = `${marker("email")}@example.test`;
	const alice = await signUp(`${label}-alice`, { email, name: "Alice Example" });
	const [bob, mod, dave, guide, asker] = await Promise.all([
		signUp(`${label}-bob`),
		signUp(`${label}-mod`),
		signUp(`${label}-dave`),
		signUp(`${label}-guide`),
		signUp(`${label}-asker`),
	]);
	await setUserColumns(alice.id, { trust_level: "good_soil" });
	await setUserColumns(guide.id, { role: "guide", trust_level: "good_soil" });
	await env.DB.prepare(
		"INSERT INTO guide_profiles (id, user_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
	)
		.bind(crypto.randomUUID(), guide.id, new Date().toISOString())
		.run();

	const texts = {
		bio: marker("bio"),
		habit: marker("habit"),
		logNote: marker("lognote"),
		post: marker("post"),
		comment: marker("comment"),
		share: marker("share"),
		note: marker("note"),
		message: marker("message"),
		goals: marker("goals"),
		report: marker("report"),
		supportResponse: marker("support-response"),
		discussion: marker("discussion"),
		supportRequest: marker("support-request"),
		idempotent: marker("idempotent"),
	};
	const bobMessage = marker("bob-message");

	await ok(
		call("PATCH", "/api/v1/users/me", {
			token: alice.token,
			body: { bio: texts.bio, interests: ["running"] },
		}),
	);
	const habit = await ok<{ id: string }>(
		post(alice, "/garden/habits", { name: texts.habit, category: "health" }),
		201,
	);
	await ok(post(alice, `/garden/habits/${habit.id}/logs`, { note: texts.logNote }), 201);

	const alicePost = await ok<{ id: string }>(
		post(
			alice,
			"/flourish/posts",
			{ type: "text", body: texts.post },
			{ "Idempotency-Key": texts.idempotent },
		),
		201,
	);
	const bobPost = await ok<{ id: string }>(
		post(bob, "/flourish/posts", { type: "text", body: "Bob's walk" }),
		201,
	);
	const comment = await ok<{ id: string }>(
		post(alice, `/flourish/posts/${bobPost.id}/comments`, { body: texts.comment }),
		201,
	);
	await ok(post(bob, `/flourish/posts/${alicePost.id}/comments`, { body: "Nice one, Alice" }), 201);
	await ok(
		call("PUT", `/api/v1/flourish/posts/${bobPost.id}/reaction`, {
			token: alice.token,
			body: { reaction_type: "love" },
		}),
	);
	const share = await ok<{ id: string }>(
		post(alice, "/sunlight", { share_type: "win", body: texts.share, anonymous: true }),
		201,
	);

	const connection = await ok<{ id: string }>(
		post(alice, "/orchard/connections", { user_id: bob.id, note: texts.note }),
		201,
	);
	await ok(
		call("PATCH", `/api/v1/orchard/connections/${connection.id}`, {
			token: bob.token,
			body: { status: "accepted" },
		}),
	);
	await ok(post(alice, `/orchard/conversations/${bob.id}/messages`, { text: texts.message }), 201);
	await ok(post(bob, `/orchard/conversations/${alice.id}/messages`, { text: bobMessage }), 201);
	await ok(call("PUT", `/api/v1/orchard/blocks/${asker.id}`, { token: alice.token }), 201);
	await ok(post(alice, "/orchard/mentorships", { guide_id: guide.id, goals: texts.goals }), 201);

	// A group alice owns with a moderator (handed over), and one she owns alone with a member (archived).
	const group = await ok<{ id: string }>(
		post(alice, "/fellowship/groups", { name: "Dawn walkers", group_type: "wellness" }),
		201,
	);
	for (const member of [mod, dave]) await ok(post(member, `/fellowship/groups/${group.id}/members`), 201);
	await ok(
		call("PATCH", `/api/v1/fellowship/groups/${group.id}/members/${mod.id}`, {
			token: alice.token,
			body: { role: "moderator" },
		}),
	);
	const soloGroup = await ok<{ id: string }>(
		post(alice, "/fellowship/groups", { name: "Quiet readers", group_type: "learning" }),
		201,
	);
	await ok(post(bob, `/fellowship/groups/${soloGroup.id}/members`), 201);
	const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
	const event = await ok<{ id: string }>(
		post(alice, `/fellowship/groups/${group.id}/events`, {
			title: "Sunrise walk",
			event_type: "in_person",
			location: "The pier",
			starts_at: inHours(24),
			ends_at: inHours(26),
			capacity: 1,
		}),
		201,
	);
	const rsvp = (user: TestUser) =>
		ok<{ status: string }>(
			call("PUT", `/api/v1/fellowship/events/${event.id}/rsvp`, {
				token: user.token,
				body: { status: "going" },
			}),
		);
	expect((await rsvp(alice)).status).toBe("going");
	expect((await rsvp(dave)).status).toBe("waitlisted");

	// A project alice owns alone (archived) with her discussion in it.
	const project = await ok<{ id: string }>(
		post(alice, "/teamup/projects", { title: "Park clean-up", project_type: "community_service" }),
		201,
	);
	const discussion = await ok<{ id: string }>(
		post(alice, `/teamup/projects/${project.id}/discussions`, { body: texts.discussion }),
		201,
	);

	// Support: alice answers someone's request; she also asked for help anonymously herself.
	const asked = await ok<{ request: { id: string } }>(
		post(asker, "/support/requests", {
			title: "Cannot sleep",
			body: "Nights are long lately.",
			category: "stress",
		}),
		201,
	);
	const response = await ok<{ id: string }>(
		post(alice, `/support/requests/${asked.request.id}/responses`, { body: texts.supportResponse }),
		201,
	);
	const own = await ok<{ request: { id: string }; token: string }>(
		post(alice, "/support/requests", {
			title: "Feeling low",
			body: texts.supportRequest,
			category: "loneliness",
		}),
		201,
	);

	await ok(
		post(alice, "/reports", {
			target_type: "post",
			target_id: bobPost.id,
			reason: "spam",
			details: texts.report,
		}),
		201,
	);

	return {
		alice,
		email,
		bob,
		mod,
		dave,
		guide,
		texts,
		bobMessage,
		ids: {
			habit: habit.id,
			post: alicePost.id,
			bobPost: bobPost.id,
			comment: comment.id,
			share: share.id,
			group: group.id,
			soloGroup: soloGroup.id,
			event: event.id,
			project: project.id,
			supportRequest: own.request.id,
			supportResponse: response.id,
			discussion: discussion.id,
			conversation: conversationIdOf(alice.id, bob.id),
		},
		supportToken: own.token,
	};
}

/** Every row of every D1 table, as one string per table. */
export async function everyTable(): Promise<Map<string, string>> {
	const tables = await env.DB.prepare(
		"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'",
	).all<{ name: string }>();
	const dump = new Map<string, string>();
	for (const { name } of tables.results) {
		const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
		dump.set(name, JSON.stringify(rows.results));
	}
	return dump;
}

/** The tables whose rows contain `text`. */
export async function tablesContaining(text: string): Promise<string[]> {
	const found: string[] = [];
	for (const [table, rows] of await everyTable()) if (rows.includes(text)) found.push(table);
	return found;
}

/** The raw message rows of a pair's ChatRoom (its SQLite storage). */
export function roomMessages(a: string, b: string) {
	return runInDurableObject(roomFor(env, a, b), (_instance, state) =>
		state.storage.sql
			.exec<{ sender_id: string; body: string; moderation_status: string }>(
				"SELECT sender_id, body, moderation_status FROM messages ORDER BY seq",
			)
			.toArray(),
	);
}
