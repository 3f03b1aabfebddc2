/**
 * Orchard chat through REST: who may send, read and list; validation; history with cursors (newest first,
 * or oldest first after `since_seq`); read receipts; the D1 conversation list the rooms keep current;
 * the daily message limit; and the moderation step (held-back messages never reach the other person).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SendOutcome } from "../../durable-objects/chat-protocol";
import type { ChatRoom } from "../../durable-objects/chat-room";
import { conversationIdOf } from "../../src/core/chat-access";
import { classify, type Screening } from "../../src/core/moderation/screen";
import { eraseChatMessagesOf, roomFor, setChatMessageModeration } from "../../src/modules/orchard/chat";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import {
	api,
	connectedPair,
	messagesCounted,
	openChat,
	sendRest,
	settleRoom,
	type WireMessage,
} from "./helpers";

type Page = { data: WireMessage[]; next_cursor: string | null; read_state: Record<string, number> };
type ConversationItem = {
	conversation_id: string;
	peer: { id: string; display_name: string };
	last_message: { seq: number; preview: string };
	unread_count: number;
	last_read_seq: number;
	can_message: boolean;
};

const messagesOf = (peer: TestUser) => `${api}/conversations/${peer.id}/messages`;

async function fillQuota(userId: string, kind: string, count: number) {
	const now = new Date().toISOString();
	await env.DB.prepare(
		`INSERT INTO daily_quotas (id, user_id, day, kind, count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		 ON CONFLICT (user_id, day, kind) DO UPDATE SET count = excluded.count`,
	)
		.bind(crypto.randomUUID(), userId, now.slice(0, 10), kind, count, now, now)
		.run();
}

const verdict = (toxicity: number): Screening =>
	classify({
		toxicity,
		labels: { insult: toxicity, threat: 0, profanity: 0, identity_attack: 0, sexual: 0, self_harm: 0 },
		selfHarmRisk: "none",
		model: "test-verdict",
	});

/** Sends through the room's own send path with a given moderation verdict (the ML Worker's answer). */
function sendWithVerdict(sender: TestUser, peer: TestUser, text: string, screening: Screening) {
	return runInDurableObject(roomFor(env, sender.id, peer.id), (room: ChatRoom) =>
		(
			room as unknown as {
				storeMessage(
					input: unknown,
					origin: undefined,
					screen: () => Promise<Screening>,
				): Promise<SendOutcome>;
			}
		).storeMessage(
			{ senderId: sender.id, peerId: peer.id, text, clientMessageId: crypto.randomUUID() },
			undefined,
			async () => screening,
		),
	);
}

describe("POST /orchard/conversations/{user_id}/messages", () => {
	it("stores the message in the room before answering, with an increasing seq", async () => {
		const [alice, bob] = await connectedPair("rest-send");
		const first = await sendRest(alice, bob.id, "  Good morning  ", "m-1");
		const second = await sendRest(alice, bob.id, "How are you?");
		expect(first).toMatchObject({ text: "Good morning", sender_id: alice.id, client_message_id: "m-1" });
		expect(second.seq).toBeGreaterThan(first.seq);
		expect(second.client_message_id).toBeTruthy();

		const stored = await runInDurableObject(roomFor(env, alice.id, bob.id), (_room, state) =>
			state.storage.sql
				.exec<{ id: string; seq: number }>("SELECT id, seq FROM messages ORDER BY seq")
				.toArray(),
		);
		expect(stored).toEqual([
			{ id: first.id, seq: first.seq },
			{ id: second.id, seq: second.seq },
		]);
		expect(await messagesCounted(alice.id, bob.id)).toBe(2);
	});

	it("answers a retry with the same client_message_id with 200 and the original, counted once", async () => {
		const [alice, bob] = await connectedPair("rest-retry");
		const first = await sendRest(alice, bob.id, "Only once", "retry-1");
		const retry = await sendRest(alice, bob.id, "Only once", "retry-1", 200);
		expect(retry.id).toBe(first.id);
		expect(await messagesCounted(alice.id, bob.id)).toBe(1);
		// The same client id from the other person is their own message.
		const theirs = await sendRest(bob, alice.id, "Mine", "retry-1");
		expect(theirs.id).not.toBe(first.id);
	});

	it("enforces who may send: 401, 403 suspended, 403 not connected, 404 unknown, blocked or myself", async () => {
		const [alice, bob] = await connectedPair("rest-authz");
		const stranger = await signUp("rest-stranger");
		await expectProblem(await call("POST", messagesOf(bob), { body: { text: "hi" } }), 401);
		await expectProblem(
			await call("POST", messagesOf(bob), { token: stranger.token, body: { text: "hi" } }),
			403,
		);
		await expectProblem(
			await call("POST", `${api}/conversations/${crypto.randomUUID()}/messages`, {
				token: alice.token,
				body: { text: "hi" },
			}),
			404,
		);
		await expectProblem(
			await call("POST", messagesOf(alice), { token: alice.token, body: { text: "me" } }),
			404,
		);

		const [carol, dave] = await connectedPair("rest-blocked");
		await expectStatus(await call("PUT", `${api}/blocks/${carol.id}`, { token: dave.token }), 201);
		await expectProblem(
			await call("POST", messagesOf(dave), { token: carol.token, body: { text: "hi" } }),
			404,
		);
		await expectProblem(await call("GET", messagesOf(dave), { token: carol.token }), 404);

		await setUserColumns(alice.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(
			await call("POST", messagesOf(bob), { token: alice.token, body: { text: "hi" } }),
			403,
		);
	});

	it("rejects bad input as problem+json", async () => {
		const [alice, bob] = await connectedPair("rest-input");
		const send = (body: unknown) => call("POST", messagesOf(bob), { token: alice.token, body });
		await expectProblem(
			await call("POST", messagesOf(bob), { token: alice.token, rawBody: '{"text":' }),
			400,
		);
		await expectProblem(await send({}), 422);
		await expectProblem(await send({ text: "   " }), 422);
		await expectProblem(await send({ text: 42 }), 422);
		await expectProblem(await send({ text: "x".repeat(4001) }), 422);
		await expectProblem(await send({ text: "ok", client_message_id: "has spaces" }), 422);
		await expectProblem(await send({ text: "ok", mood: "happy" }), 422);
		await expectProblem(
			await call("POST", `${api}/conversations/not-a-uuid/messages`, {
				token: alice.token,
				body: { text: "x" },
			}),
			422,
		);
		// 4,000 characters is fine.
		await sendRest(alice, bob.id, "y".repeat(4000));
	});

	it("answers 429 with Retry-After at the daily message limit, on REST and on a socket", async () => {
		const [alice, bob] = await connectedPair("rest-limit");
		await fillQuota(alice.id, "messages", 500);
		const response = await call("POST", messagesOf(bob), { token: alice.token, body: { text: "one more" } });
		const problem = await expectProblem(response, 429);
		expect(problem.type).toBe("urn:flourish:problem:daily-limit");
		expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);

		const { client } = await openChat(alice, bob.id);
		client.send({ type: "message", client_message_id: "over", text: "and another" });
		expect(await client.takeType("error")).toMatchObject({ code: "rate_limited", client_message_id: "over" });
		client.close();
		// A growing member has twice the allowance.
		await setUserColumns(alice.id, { trust_level: "growing" });
		await sendRest(alice, bob.id, "now allowed");
	});
});

describe("moderation of messages", () => {
	it("holds back a hidden message: never delivered, shown to its sender as pending review, queued for guardians", async () => {
		const [alice, bob] = await connectedPair("mod-hidden");
		const { client: bobSocket } = await openChat(bob, alice.id);
		const hidden = await sendWithVerdict(alice, bob, "something awful", verdict(0.95));
		if (!hidden.ok) throw new Error("expected the message to be stored");
		expect(hidden.message.pending_review).toBe(true);
		const clean = await sendRest(alice, bob.id, "sorry, ignore that");

		// Bob's socket receives the clean message and nothing before it.
		const received = (await bobSocket.takeType("message")).message as WireMessage;
		expect(received.id).toBe(clean.id);
		expect(bobSocket.pending((f) => f.type === "message")).toEqual([]);

		const bobsView = await expectStatus<Page>(
			await call("GET", messagesOf(alice), { token: bob.token }),
			200,
		);
		expect(bobsView.data.map((m) => m.id)).toEqual([clean.id]);
		expect(bobsView.read_state.unread_count).toBe(1);
		const alicesView = await expectStatus<Page>(
			await call("GET", messagesOf(bob), { token: alice.token }),
			200,
		);
		expect(alicesView.data.map((m) => [m.id, m.pending_review])).toEqual([
			[clean.id, false],
			[hidden.message.id, true],
		]);

		const item = await env.DB.prepare(
			"SELECT target_author_id, is_hidden FROM moderation_queue_items WHERE target_type = 'chat_message' AND target_id = ?",
		)
			.bind(hidden.message.id)
			.first<{ target_author_id: string; is_hidden: number }>();
		expect(item).toEqual({ target_author_id: alice.id, is_hidden: 1 });
		bobSocket.close();
	});

	it("delivers a flagged message but queues it; keeps the other person's list free of hidden text", async () => {
		const [alice, bob] = await connectedPair("mod-flagged");
		const flagged = await sendWithVerdict(alice, bob, "borderline words", verdict(0.75));
		if (!flagged.ok) throw new Error("expected the message to be stored");
		expect(flagged.message.pending_review).toBe(false);
		// The queue item is written behind, by the room's alarm.
		await settleRoom(alice.id, bob.id);
		const queued = await env.DB.prepare(
			"SELECT count(*) AS n FROM moderation_queue_items WHERE target_type = 'chat_message' AND target_id = ?",
		)
			.bind(flagged.message.id)
			.first<{ n: number }>();
		expect(queued?.n).toBe(1);

		await sendWithVerdict(alice, bob, "the hidden one", verdict(0.97));
		await settleRoom(alice.id, bob.id);
		const bobsList = await expectStatus<{ data: ConversationItem[] }>(
			await call("GET", `${api}/conversations`, { token: bob.token }),
			200,
		);
		expect(bobsList.data[0]?.last_message.preview).toBe("borderline words");
		expect(bobsList.data[0]?.unread_count).toBe(1);
		const alicesList = await expectStatus<{ data: ConversationItem[] }>(
			await call("GET", `${api}/conversations`, { token: alice.token }),
			200,
		);
		expect(alicesList.data[0]?.last_message.preview).toBe("the hidden one");
	});
});

describe("guardian decisions and erasure", () => {
	it("a guardian's removal takes a message out of the other person's history and list", async () => {
		const [alice, bob] = await connectedPair("mod-removed");
		const first = await sendRest(alice, bob.id, "first");
		const second = await sendRest(alice, bob.id, "second, later removed");
		const removed = await setChatMessageModeration(
			env,
			conversationIdOf(alice.id, bob.id),
			second.id,
			"removed",
		);
		expect(removed).toBe(true);
		const bobsView = await expectStatus<Page>(
			await call("GET", messagesOf(alice), { token: bob.token }),
			200,
		);
		expect(bobsView.data.map((m) => m.id)).toEqual([first.id]);
		const bobsList = await expectStatus<{ data: ConversationItem[] }>(
			await call("GET", `${api}/conversations`, { token: bob.token }),
			200,
		);
		expect(bobsList.data[0]).toMatchObject({ last_message: { preview: "first" }, unread_count: 1 });
		// Not a message of this conversation.
		expect(
			await setChatMessageModeration(env, conversationIdOf(alice.id, bob.id), crypto.randomUUID(), "removed"),
		).toBe(false);
	});

	it("erasing an account blanks what it wrote, keeping the other person's messages", async () => {
		const [alice, bob] = await connectedPair("erase");
		await sendRest(alice, bob.id, "something personal");
		const reply = await sendRest(bob, alice.id, "a reply");
		await eraseChatMessagesOf(env, alice.id, [conversationIdOf(alice.id, bob.id)]);
		const bobsView = await expectStatus<Page>(
			await call("GET", messagesOf(alice), { token: bob.token }),
			200,
		);
		expect(bobsView.data.map((m) => m.text)).toEqual([reply.text]);
		const stored = await runInDurableObject(roomFor(env, alice.id, bob.id), (_room, state) =>
			state.storage.sql
				.exec<{ body: string }>("SELECT body FROM messages WHERE sender_id = ?", alice.id)
				.toArray(),
		);
		expect(stored).toEqual([{ body: "" }]);
	});
});

describe("GET /orchard/conversations/{user_id}/messages", () => {
	it("pages newest first with a cursor, and oldest first after since_seq", async () => {
		const [alice, bob] = await connectedPair("history");
		const sent: WireMessage[] = [];
		for (let i = 1; i <= 5; i++)
			sent.push(await sendRest(i % 2 ? alice : bob, i % 2 ? bob.id : alice.id, `m${i}`));

		const first = await expectStatus<Page>(
			await call("GET", `${messagesOf(bob)}?limit=2`, { token: alice.token }),
			200,
		);
		expect(first.data.map((m) => m.text)).toEqual(["m5", "m4"]);
		const second = await expectStatus<Page>(
			await call("GET", `${messagesOf(bob)}?limit=2&cursor=${first.next_cursor}`, { token: alice.token }),
			200,
		);
		expect(second.data.map((m) => m.text)).toEqual(["m3", "m2"]);
		const third = await expectStatus<Page>(
			await call("GET", `${messagesOf(bob)}?limit=2&cursor=${second.next_cursor}`, { token: alice.token }),
			200,
		);
		expect(third.data.map((m) => m.text)).toEqual(["m1"]);
		expect(third.next_cursor).toBeNull();

		const since = sent[1]?.seq ?? 0;
		const forward = await expectStatus<Page>(
			await call("GET", `${messagesOf(bob)}?since_seq=${since}&limit=2`, { token: alice.token }),
			200,
		);
		expect(forward.data.map((m) => m.text)).toEqual(["m3", "m4"]);
		const rest = await expectStatus<Page>(
			await call("GET", `${messagesOf(bob)}?since_seq=${since}&limit=2&cursor=${forward.next_cursor}`, {
				token: alice.token,
			}),
			200,
		);
		expect(rest.data.map((m) => m.text)).toEqual(["m5"]);
	});

	it("is 401 anonymously, 403 for a stranger, 400 for a bad cursor, 422 for bad paging", async () => {
		const [alice, bob] = await connectedPair("history-authz");
		const stranger = await signUp("history-stranger");
		await expectProblem(await call("GET", messagesOf(bob)), 401);
		await expectProblem(await call("GET", messagesOf(bob), { token: stranger.token }), 403);
		await expectProblem(await call("GET", `${messagesOf(bob)}?cursor=nonsense`, { token: alice.token }), 400);
		await expectProblem(await call("GET", `${messagesOf(bob)}?limit=1000`, { token: alice.token }), 422);
		await expectProblem(await call("GET", `${messagesOf(bob)}?since_seq=-1`, { token: alice.token }), 422);
	});
});

describe("POST /orchard/conversations/{user_id}/read", () => {
	it("marks read up to a message, never backwards, clamped to the newest", async () => {
		const [alice, bob] = await connectedPair("read");
		const one = await sendRest(alice, bob.id, "one");
		const two = await sendRest(alice, bob.id, "two");
		const read = (seq: number) =>
			call("POST", `${api}/conversations/${alice.id}/read`, { token: bob.token, body: { seq } });

		expect(await expectStatus(await read(one.seq), 200)).toMatchObject({
			my_last_read_seq: one.seq,
			unread_count: 1,
		});
		expect(await expectStatus(await read(0), 200)).toMatchObject({ my_last_read_seq: one.seq });
		expect(await expectStatus(await read(10_000), 200)).toMatchObject({
			my_last_read_seq: two.seq,
			unread_count: 0,
		});
		// The list follows once the room's alarm has written it behind.
		await settleRoom(alice.id, bob.id);
		const row = await env.DB.prepare(
			"SELECT last_read_seq, unread_count FROM conversation_summaries WHERE user_id = ? AND peer_id = ?",
		)
			.bind(bob.id, alice.id)
			.first();
		expect(row).toEqual({ last_read_seq: two.seq, unread_count: 0 });

		await expectProblem(await read(-1), 422);
		await expectProblem(
			await call("POST", `${api}/conversations/${alice.id}/read`, { token: bob.token, body: { seq: "x" } }),
			422,
		);
		const stranger = await signUp("read-stranger");
		await expectProblem(
			await call("POST", `${api}/conversations/${alice.id}/read`, {
				token: stranger.token,
				body: { seq: 1 },
			}),
			403,
		);
	});
});

describe("GET /orchard/conversations", () => {
	it("lists my conversations newest first with peer, preview and my unread count, paged", async () => {
		const me = await signUp("list-me");
		const peers: TestUser[] = [];
		for (const label of ["list-p1", "list-p2", "list-p3"]) {
			const [peer] = [await signUp(label)];
			const request = await expectStatus<{ id: string }>(
				await call("POST", `${api}/connections`, { token: me.token, body: { user_id: peer.id } }),
				201,
			);
			await call("PATCH", `${api}/connections/${request.id}`, {
				token: peer.token,
				body: { status: "accepted" },
			});
			peers.push(peer);
		}
		const [p1, p2, p3] = peers as [TestUser, TestUser, TestUser];
		await sendRest(p1, me.id, "from p1");
		await sendRest(me, p2.id, "to p2");
		await sendRest(p3, me.id, "from p3, first");
		await sendRest(p3, me.id, "from p3, second");
		await sendRest(p1, me.id, "from p1 again");
		for (const peer of peers) await settleRoom(me.id, peer.id);

		const page = await expectStatus<{ data: ConversationItem[]; next_cursor: string | null }>(
			await call("GET", `${api}/conversations?limit=2`, { token: me.token }),
			200,
		);
		expect(page.data.map((c) => [c.peer.id, c.last_message.preview, c.unread_count])).toEqual([
			[p1.id, "from p1 again", 2],
			[p3.id, "from p3, second", 2],
		]);
		expect(page.data.every((c) => c.can_message)).toBe(true);
		const next = await expectStatus<{ data: ConversationItem[]; next_cursor: string | null }>(
			await call("GET", `${api}/conversations?limit=2&cursor=${page.next_cursor}`, { token: me.token }),
			200,
		);
		expect(next.data.map((c) => [c.peer.id, c.last_message.preview, c.unread_count])).toEqual([
			[p2.id, "to p2", 0],
		]);
		expect(next.next_cursor).toBeNull();

		await expectProblem(await call("GET", `${api}/conversations`), 401);
		await expectProblem(await call("GET", `${api}/conversations?cursor=%%%`, { token: me.token }), 400);
	});
});
