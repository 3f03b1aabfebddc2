/**
 * Orchard chat features on the same socket and REST: typing indicators (ephemeral, rate-limited, only for a
 * person who may chat) and editing or deleting one's own message within 15 minutes (screened like a new
 * message; the other person's socket, the history, the conversation list and the export follow; read
 * receipts and unread counts stay right).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { EDIT_WINDOW_MS, TYPING_INTERVAL_MS } from "../../durable-objects/chat-protocol";
import { type ChatRoom, STANDING_MAX_AGE_MS } from "../../durable-objects/chat-room";
import { roomFor } from "../../src/modules/orchard/chat";
import { queueItemFor, report } from "../guardians/helpers";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { ageStanding, api, connectedPair, openChat, sendRest, settleRoom, type WireMessage } from "./helpers";

type Message = WireMessage & { created_at: string; edited_at: string | null; deleted_at: string | null };
type Page = { data: Message[]; read_state: Record<string, number> };
type ConversationItem = {
	peer: { id: string };
	last_message: { seq: number; preview: string };
	unread_count: number;
};

const THREAT = "I will kill you if I ever see you.";
const CRISIS = "I want to end my life tonight, I have nothing left";

const messagePath = (peer: TestUser | string, messageId: string) =>
	`${api}/conversations/${typeof peer === "string" ? peer : peer.id}/messages/${messageId}`;

const edit = (user: TestUser, peer: TestUser | string, messageId: string, text: unknown) =>
	call("PATCH", messagePath(peer, messageId), { token: user.token, body: { text } });

const remove = (user: TestUser, peer: TestUser | string, messageId: string) =>
	call("DELETE", messagePath(peer, messageId), { token: user.token });

async function historyOf(user: TestUser, peer: TestUser): Promise<Page> {
	return expectStatus<Page>(
		await call("GET", `${api}/conversations/${peer.id}/messages`, { token: user.token }),
		200,
	);
}

async function listOf(user: TestUser): Promise<ConversationItem[]> {
	const page = await expectStatus<{ data: ConversationItem[] }>(
		await call("GET", `${api}/conversations`, { token: user.token }),
		200,
	);
	return page.data;
}

/** As if the message had been sent `ms` ago. */
async function age(a: TestUser, b: TestUser, messageId: string, ms: number): Promise<void> {
	await runInDurableObject(roomFor(env, a.id, b.id), (_room: ChatRoom, state) => {
		const row = state.storage.sql
			.exec<{ created_at: string }>("SELECT created_at FROM messages WHERE id = ?", messageId)
			.one();
		const earlier = new Date(Date.parse(row.created_at) - ms).toISOString();
		state.storage.sql.exec("UPDATE messages SET created_at = ? WHERE id = ?", earlier, messageId);
	});
}

describe("editing a message over REST", () => {
	it("edits my own message: the other person's socket, the history, the list and the export follow", async () => {
		const [alice, bob] = await connectedPair("edit-happy");
		const { client: bobSocket } = await openChat(bob, alice.id);
		const sent = await sendRest(alice, bob.id, "See you at 5");
		await bobSocket.takeType("message");

		const edited = await expectStatus<Message>(await edit(alice, bob, sent.id, "  See you at 6  "), 200);
		expect(edited).toMatchObject({ id: sent.id, seq: sent.seq, text: "See you at 6", deleted_at: null });
		expect(edited.edited_at).toEqual(expect.any(String));

		const update = await bobSocket.takeType("message_updated");
		expect(update.message).toMatchObject({
			id: sent.id,
			seq: sent.seq,
			text: "See you at 6",
			client_message_id: null,
		});

		// The same text again is fine, and changes nothing.
		const again = await expectStatus<Message>(await edit(alice, bob, sent.id, "See you at 6"), 200);
		expect(again.edited_at).toBe(edited.edited_at);

		const bobsView = await historyOf(bob, alice);
		expect(bobsView.data.map((m) => [m.text, m.edited_at])).toEqual([["See you at 6", edited.edited_at]]);

		await settleRoom(alice.id, bob.id);
		expect((await listOf(bob))[0]?.last_message.preview).toBe("See you at 6");
		expect((await listOf(alice))[0]?.last_message.preview).toBe("See you at 6");

		const exported = await expectStatus<{
			orchard: { conversations: Array<{ messages_sent: Array<Record<string, unknown>> }> };
		}>(await call("GET", "/api/v1/users/me/export", { token: alice.token }), 200);
		const exportedMessages = exported.orchard.conversations.flatMap((c) => c.messages_sent);
		expect(exportedMessages).toEqual([
			expect.objectContaining({
				id: sent.id,
				text: "See you at 6",
				edited_at: edited.edited_at,
				deleted_at: null,
			}),
		]);
		bobSocket.close();
	});

	it("holds back a toxic edit exactly as a new message: the other person never sees it", async () => {
		const [alice, bob] = await connectedPair("edit-toxic");
		const { client: bobSocket } = await openChat(bob, alice.id);
		const sent = await sendRest(alice, bob.id, "Good morning");
		await bobSocket.takeType("message");

		const edited = await expectStatus<Message>(await edit(alice, bob, sent.id, THREAT), 200);
		expect(edited).toMatchObject({ text: THREAT, pending_review: true });

		// Bob's socket is told the message is gone, never the new text.
		expect(await bobSocket.takeType("message_deleted")).toMatchObject({ id: sent.id, seq: sent.seq });
		expect(bobSocket.pending((f) => JSON.stringify(f).includes("kill"))).toEqual([]);
		expect((await historyOf(bob, alice)).data).toEqual([]);
		expect((await historyOf(bob, alice)).read_state.unread_count).toBe(0);

		await settleRoom(alice.id, bob.id);
		const item = await env.DB.prepare(
			"SELECT is_hidden FROM moderation_queue_items WHERE target_type = 'chat_message' AND target_id = ?",
		)
			.bind(sent.id)
			.first<{ is_hidden: number }>();
		expect(item?.is_hidden).toBe(1);
		const bobsList = await listOf(bob);
		expect(bobsList.find((c) => c.peer.id === alice.id)?.last_message.preview ?? "").not.toContain("kill");

		// A held-back message cannot be edited back into view.
		await expectProblem(await edit(alice, bob, sent.id, "Good morning!"), 409);
		bobSocket.close();
	});

	it("answers crisis resources when the new text reads as a high self-harm risk", async () => {
		const [alice, bob] = await connectedPair("edit-crisis");
		const { client: aliceSocket } = await openChat(alice, bob.id);
		const sent = await sendRest(alice, bob.id, "rough day");
		const edited = await expectStatus<Message & { crisis_resources?: unknown[] }>(
			await edit(alice, bob, sent.id, CRISIS),
			200,
		);
		expect(edited.crisis_resources?.length).toBeGreaterThan(0);
		aliceSocket.send({ type: "edit", message_id: sent.id, text: `${CRISIS}.` });
		const update = await aliceSocket.take(
			(f) => f.type === "message_updated" && f.crisis_resources !== undefined,
		);
		expect((update.crisis_resources as unknown[]).length).toBeGreaterThan(0);
		aliceSocket.close();
	});

	it("refuses another person's message, an unknown one, and a stranger", async () => {
		const [alice, bob] = await connectedPair("edit-authz");
		const carol = await signUp("edit-authz-c");
		const sent = await sendRest(alice, bob.id, "mine");

		// Bob cannot edit or delete Alice's message: as unknown as a missing one.
		await expectProblem(await edit(bob, alice, sent.id, "hijacked"), 404);
		await expectProblem(await remove(bob, alice, sent.id), 404);
		await expectProblem(await edit(alice, bob, crypto.randomUUID(), "nothing"), 404);
		// A stranger naming Alice's message in a conversation with Alice has no right to chat with her.
		await expectProblem(await edit(carol, alice, sent.id, "hijacked"), 403);
		await expectProblem(await remove(carol, alice, sent.id), 403);
		// Myself as the peer.
		await expectProblem(await edit(alice, alice, sent.id, "self"), 404);
		expect((await historyOf(bob, alice)).data.map((m) => m.text)).toEqual(["mine"]);
	});

	it("refuses after a block, and a suspended sender", async () => {
		const [alice, bob] = await connectedPair("edit-blocked");
		const sent = await sendRest(alice, bob.id, "before the block");
		await expectStatus(await call("PUT", `${api}/blocks/${alice.id}`, { token: bob.token }), 201);
		await expectProblem(await edit(alice, bob, sent.id, "after the block"), 404);
		await expectProblem(await remove(alice, bob, sent.id), 404);

		const [dan, erin] = await connectedPair("edit-suspended");
		const other = await sendRest(dan, erin.id, "before the suspension");
		await setUserColumns(dan.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(await edit(dan, erin, other.id, "while suspended"), 403);
		expect((await historyOf(erin, dan)).data.map((m) => m.text)).toEqual(["before the suspension"]);
	});

	it("refuses bad input with a problem, never a 500", async () => {
		const [alice, bob] = await connectedPair("edit-input");
		const sent = await sendRest(alice, bob.id, "fine");
		await expectProblem(await edit(alice, bob, sent.id, ""), 422);
		await expectProblem(await edit(alice, bob, sent.id, "\u200b\u200b \u2060"), 422);
		await expectProblem(await edit(alice, bob, sent.id, "x".repeat(4001)), 422);
		await expectProblem(await edit(alice, bob, sent.id, 42), 422);
		const extra = await call("PATCH", messagePath(bob, sent.id), {
			token: alice.token,
			body: { text: "ok", sender_id: bob.id },
		});
		expect(extra.status).toBeGreaterThanOrEqual(400);
		expect(extra.status).toBeLessThan(500);
		const badId = await call("PATCH", `${api}/conversations/${bob.id}/messages/not-a-uuid`, {
			token: alice.token,
			body: { text: "ok" },
		});
		expect(badId.status).toBeGreaterThanOrEqual(400);
		expect(badId.status).toBeLessThan(500);
		const badDelete = await call("DELETE", `${api}/conversations/not-a-uuid/messages/${sent.id}`, {
			token: alice.token,
		});
		expect(badDelete.status).toBeGreaterThanOrEqual(400);
		expect(badDelete.status).toBeLessThan(500);
		expect((await call("PATCH", messagePath(bob, sent.id), { body: { text: "anon" } })).status).toBe(401);
		expect((await historyOf(bob, alice)).data.map((m) => m.text)).toEqual(["fine"]);
	});

	it("closes the window 15 minutes after the message was sent", async () => {
		const [alice, bob] = await connectedPair("edit-window");
		const sent = await sendRest(alice, bob.id, "old news");
		await age(alice, bob, sent.id, EDIT_WINDOW_MS - 60_000);
		await expectStatus(await edit(alice, bob, sent.id, "still in time"), 200);
		await age(alice, bob, sent.id, 2 * 60_000);
		const late = await expectProblem(await edit(alice, bob, sent.id, "too late"), 409);
		expect(late.type).toBe("urn:flourish:problem:edit-window-closed");
		await expectProblem(await remove(alice, bob, sent.id), 409);
		expect((await historyOf(bob, alice)).data.map((m) => m.text)).toEqual(["still in time"]);
	});
});

describe("deleting a message over REST", () => {
	it("leaves a tombstone in seq order; read receipts and unread counts stay right; twice answers the same", async () => {
		const [alice, bob] = await connectedPair("delete-happy");
		const { client: bobSocket } = await openChat(bob, alice.id);
		const first = await sendRest(alice, bob.id, "one");
		const second = await sendRest(alice, bob.id, "two, regretted");
		const third = await sendRest(alice, bob.id, "three");
		for (let i = 0; i < 3; i++) await bobSocket.takeType("message");

		const tombstone = await expectStatus<Message>(await remove(alice, bob, second.id), 200);
		expect(tombstone).toMatchObject({ id: second.id, seq: second.seq, text: "" });
		expect(tombstone.deleted_at).toEqual(expect.any(String));
		expect(await bobSocket.takeType("message_deleted")).toEqual({
			type: "message_deleted",
			id: second.id,
			seq: second.seq,
		});
		// Twice: the same answer, nothing new on the socket.
		expect(await expectStatus<Message>(await remove(alice, bob, second.id), 200)).toEqual(tombstone);
		// Editing a deleted message is refused.
		await expectProblem(await edit(alice, bob, second.id, "back again"), 409);

		const bobsView = await historyOf(bob, alice);
		expect(bobsView.data.map((m) => [m.seq, m.text, m.deleted_at !== null])).toEqual([
			[third.seq, "three", false],
			[second.seq, "", true],
			[first.seq, "one", false],
		]);
		// The tombstone keeps its seq; it is not unread.
		expect(bobsView.read_state).toMatchObject({ last_seq: third.seq, unread_count: 2 });
		await expectStatus(
			await call("POST", `${api}/conversations/${alice.id}/read`, {
				token: bob.token,
				body: { seq: second.seq },
			}),
			200,
		);
		expect((await historyOf(bob, alice)).read_state).toMatchObject({
			my_last_read_seq: second.seq,
			unread_count: 1,
		});

		// Deleting the newest message moves the list's preview back to it, blank.
		await expectStatus(await remove(alice, bob, third.id), 200);
		await settleRoom(alice.id, bob.id);
		const bobsList = await listOf(bob);
		expect(bobsList[0]).toMatchObject({ last_message: { seq: third.seq, preview: "" }, unread_count: 0 });
		expect(bobSocket.pending((f) => f.type === "message_deleted")).toHaveLength(1);
		bobSocket.close();
	});

	it("never tells the other person about deleting a message they never saw", async () => {
		const [alice, bob] = await connectedPair("delete-held");
		const { client: bobSocket } = await openChat(bob, alice.id);
		const held = await sendRest(alice, bob.id, THREAT);
		expect(held.pending_review).toBe(true);
		await expectStatus(await remove(alice, bob, held.id), 200);
		const marker = await sendRest(alice, bob.id, "hello");
		expect(((await bobSocket.takeType("message")).message as Message).id).toBe(marker.id);
		expect(bobSocket.pending((f) => f.type === "message_deleted")).toEqual([]);
		bobSocket.close();
	});
});

describe("edit and delete frames", () => {
	it("edits by seq and deletes by id on the socket; every device of both people is told", async () => {
		const [alice, bob] = await connectedPair("frames");
		const { client: aliceSocket } = await openChat(alice, bob.id);
		const { client: bobSocket } = await openChat(bob, alice.id);
		aliceSocket.send({ type: "message", client_message_id: "m1", text: "hi" });
		const ack = await aliceSocket.takeType("ack");
		const message = ack.message as Message;
		await bobSocket.takeType("message");

		aliceSocket.send({ type: "edit", seq: message.seq, text: "hi there" });
		expect((await aliceSocket.takeType("message_updated")).message).toMatchObject({
			id: message.id,
			text: "hi there",
			client_message_id: "m1",
		});
		expect((await bobSocket.takeType("message_updated")).message).toMatchObject({
			id: message.id,
			text: "hi there",
		});

		// Bob may not edit or delete Alice's message.
		bobSocket.send({ type: "edit", message_id: message.id, text: "mine now" });
		expect(await bobSocket.takeType("error")).toMatchObject({ code: "not_found", message_id: message.id });
		bobSocket.send({ type: "delete", seq: message.seq });
		expect(await bobSocket.takeType("error")).toMatchObject({ code: "not_found", seq: message.seq });

		aliceSocket.send({ type: "delete", message_id: message.id });
		expect(await aliceSocket.takeType("message_deleted")).toMatchObject({ id: message.id });
		expect(await bobSocket.takeType("message_deleted")).toMatchObject({ id: message.id, seq: message.seq });
		// Deleting then editing.
		aliceSocket.send({ type: "edit", message_id: message.id, text: "resurrected" });
		expect(await aliceSocket.takeType("error")).toMatchObject({ code: "conflict" });

		// Bad frames: both refs, neither, invisible text.
		for (const frame of [
			{ type: "edit", message_id: message.id, seq: message.seq, text: "x" },
			{ type: "delete" },
			{ type: "edit", seq: message.seq, text: "\u200b" },
			{ type: "edit", seq: message.seq, text: "x".repeat(4001) },
		]) {
			aliceSocket.send(frame);
			expect(await aliceSocket.takeType("error")).toMatchObject({ code: "bad_frame" });
		}
		expect(bobSocket.pending((f) => f.type === "message_updated")).toEqual([]);
		aliceSocket.close();
		bobSocket.close();
	});
});

describe("typing indicators", () => {
	it("relays typing with active, accepts the older spelling, and stores nothing", async () => {
		const [alice, bob] = await connectedPair("typing-relay");
		const { client: aliceSocket } = await openChat(alice, bob.id);
		const { client: bobSocket } = await openChat(bob, alice.id);
		aliceSocket.send({ type: "typing" });
		expect(await bobSocket.takeType("typing")).toEqual({
			type: "typing",
			user_id: alice.id,
			active: true,
			typing: true,
		});
		aliceSocket.send({ type: "typing", active: false });
		expect(await bobSocket.takeType("typing")).toMatchObject({ user_id: alice.id, active: false });
		bobSocket.send({ type: "typing", typing: true });
		expect(await aliceSocket.takeType("typing")).toMatchObject({ user_id: bob.id, active: true });
		// Not echoed to the typist, never stored.
		expect(aliceSocket.pending((f) => f.type === "typing")).toEqual([]);
		expect((await historyOf(alice, bob)).read_state.last_seq).toBe(0);
		aliceSocket.close();
		bobSocket.close();
	});

	it("drops a flood silently: at most a start and a stop per interval", async () => {
		const [alice, bob] = await connectedPair("typing-flood");
		const { client: aliceSocket } = await openChat(alice, bob.id);
		const { client: bobSocket } = await openChat(bob, alice.id);
		for (let i = 0; i < 20; i++) aliceSocket.send({ type: "typing", active: i % 2 === 0 });
		// A marker behind the flood: every frame before it has been handled.
		aliceSocket.send({ type: "sync", since_seq: 0 });
		await aliceSocket.takeType("sync_done");
		expect(aliceSocket.pending((f) => f.type === "error")).toEqual([]);
		const relayed = bobSocket.pending((f) => f.type === "typing");
		expect(relayed.map((f) => f.active)).toEqual([true, false]);
		expect(TYPING_INTERVAL_MS).toBeGreaterThanOrEqual(2_000);
		aliceSocket.close();
		bobSocket.close();
	});

	it("never relays typing from a person who may not chat", async () => {
		const [alice, bob] = await connectedPair("typing-blocked");
		const { client: aliceSocket } = await openChat(alice, bob.id);
		const { client: bobSocket } = await openChat(bob, alice.id);
		await expectStatus(await call("PUT", `${api}/blocks/${alice.id}`, { token: bob.token }), 201);
		await aliceSocket.closed;
		await bobSocket.closed;

		const [dan, erin] = await connectedPair("typing-suspended");
		const { client: danSocket } = await openChat(dan, erin.id);
		const { client: erinSocket } = await openChat(erin, dan.id);
		danSocket.send({ type: "typing" });
		expect(await erinSocket.takeType("typing")).toMatchObject({ user_id: dan.id, active: true });
		// Suspended without the room being told, and the room slept since it last read the participants:
		// the stop that would be relayed next needs the standing, which refuses it.
		await setUserColumns(dan.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await ageStanding(dan.id, erin.id, STANDING_MAX_AGE_MS);
		danSocket.send({ type: "typing", active: false });
		expect(await danSocket.takeType("error")).toMatchObject({ code: "forbidden" });
		await danSocket.closed;
		erinSocket.send({ type: "sync", since_seq: 0 });
		await erinSocket.takeType("sync_done");
		expect(erinSocket.pending((f) => f.type === "typing")).toEqual([]);
		erinSocket.close();
	});
});

describe("an edit or a delete does not hide a message from a report", () => {
	it("the report carries every version the other person may have read, newest first", async () => {
		const [author, reader] = await connectedPair("revisions");
		const sent = await sendRest(author, reader.id, "Meet me behind the station at nine");
		await expectStatus(await edit(author, reader, sent.id, "Never mind"), 200);
		await expectStatus(await remove(author, reader, sent.id), 200);
		expect((await historyOf(reader, author)).data.find((m) => m.id === sent.id)?.text).toBe("");

		await expectStatus(
			await report(reader, "chat_message", sent.id, "harassment", { message: { author_id: author.id } }),
			201,
		);
		const item = await queueItemFor("chat_message", sent.id);
		const snapshot = String(item.content_snapshot);
		expect(snapshot).toContain("[deleted by its author]");
		expect(snapshot.indexOf("Never mind")).toBeLessThan(
			snapshot.indexOf("Meet me behind the station at nine"),
		);
		expect(snapshot).toContain("Meet me behind the station at nine");
	});
});
