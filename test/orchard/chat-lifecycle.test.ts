/**
 * The ChatRoom's life: it hibernates and is evicted without losing history or sockets; losing the right to
 * chat (block, removed connection, ended mentorship, or any change noticed on the next message) closes the
 * conversation's sockets; a mentorship alone is enough to talk.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type ChatRoom, REVALIDATE_MS, STANDING_MAX_AGE_MS } from "../../durable-objects/chat-room";
import type { Bindings } from "../../src/env";
import { roomFor } from "../../src/modules/orchard/chat";
import { decide, guardian, postBy, queueItemFor, reported } from "../guardians/helpers";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";
import { countingD1 } from "../support/d1-counter";
import {
	ageStanding,
	api,
	connect,
	connectedPair,
	growingUser,
	makeGuide,
	openChat,
	sendRest,
	settleRoom,
	type WireMessage,
} from "./helpers";

const ACCESS_REVOKED = 4403;

describe("hibernation and eviction", () => {
	it("keeps history and open sockets working after the room hibernates", async () => {
		const [alice, bob] = await connectedPair("hibernate");
		const { client: aliceSocket } = await openChat(alice, bob.id);
		const { client: bobSocket } = await openChat(bob, alice.id);
		aliceSocket.send({ type: "message", client_message_id: "h-1", text: "before the nap" });
		const before = (await aliceSocket.takeType("ack")).message as WireMessage;
		await bobSocket.takeType("message");

		await evictDurableObject(roomFor(env, alice.id, bob.id), { webSockets: "hibernate" });

		// The same sockets still work: the room wakes from their attachments and its storage.
		aliceSocket.send({ type: "message", client_message_id: "h-2", text: "after the nap" });
		const after = (await aliceSocket.takeType("ack")).message as WireMessage;
		expect(after.seq).toBeGreaterThan(before.seq);
		const received = (await bobSocket.takeType("message")).message as WireMessage;
		expect(received).toMatchObject({ id: after.id, sender_id: alice.id });
		bobSocket.send({ type: "typing", typing: true });
		expect(await aliceSocket.takeType("typing")).toMatchObject({ user_id: bob.id });
		// Keep-alive pings are answered (by the runtime, without waking the room).
		aliceSocket.send({ type: "ping" });
		await aliceSocket.takeType("pong");

		// A retry of a message stored before the eviction is still recognised.
		aliceSocket.send({ type: "message", client_message_id: "h-1", text: "before the nap" });
		expect(await aliceSocket.takeType("ack")).toMatchObject({ duplicate: true });

		await evictDurableObject(roomFor(env, alice.id, bob.id), { webSockets: "hibernate" });
		const history = await expectStatus<{ data: WireMessage[] }>(
			await call("GET", `${api}/conversations/${alice.id}/messages`, { token: bob.token }),
			200,
		);
		expect(history.data.map((m) => m.text)).toEqual(["after the nap", "before the nap"]);
		aliceSocket.close();
		bobSocket.close();
	});
});

describe("losing the right to chat", () => {
	it("blocking closes the other person's sockets and ends the conversation for both", async () => {
		const [alice, bob] = await connectedPair("block-close");
		const { client: bobPhone } = await openChat(bob, alice.id);
		const { client: bobLaptop } = await openChat(bob, alice.id);
		const { client: aliceSocket } = await openChat(alice, bob.id);
		await sendRest(alice, bob.id, "hello");

		await expectStatus(await call("PUT", `${api}/blocks/${bob.id}`, { token: alice.token }), 201);
		for (const socket of [bobPhone, bobLaptop, aliceSocket]) {
			expect((await socket.closed).code).toBe(ACCESS_REVOKED);
		}
		// Blocked either way: the conversation does not exist for either of them now.
		await expectProblem(
			await call("POST", `${api}/conversations/${alice.id}/tickets`, { token: bob.token }),
			404,
		);
		await expectProblem(
			await call("POST", `${api}/conversations/${alice.id}/messages`, {
				token: bob.token,
				body: { text: "are you there?" },
			}),
			404,
		);
		const bobsList = await expectStatus<{ data: unknown[] }>(
			await call("GET", `${api}/conversations`, { token: bob.token }),
			200,
		);
		expect(bobsList.data).toEqual([]);
	});

	it("removing the connection closes the sockets; the list keeps the conversation as read-only", async () => {
		const a = await signUp("remove-a");
		const b = await signUp("remove-b");
		const request = await expectStatus<{ id: string }>(
			await call("POST", `${api}/connections`, { token: a.token, body: { user_id: b.id } }),
			201,
		);
		await call("PATCH", `${api}/connections/${request.id}`, { token: b.token, body: { status: "accepted" } });
		const { client } = await openChat(b, a.id);
		await sendRest(a, b.id, "see you");
		await expectStatus(await call("DELETE", `${api}/connections/${request.id}`, { token: a.token }), 204);
		expect((await client.closed).code).toBe(ACCESS_REVOKED);

		await expectProblem(await call("POST", `${api}/conversations/${a.id}/tickets`, { token: b.token }), 403);
		const list = await expectStatus<{ data: Array<{ can_message: boolean; peer: { id: string } }> }>(
			await call("GET", `${api}/conversations`, { token: b.token }),
			200,
		);
		expect(list.data).toEqual([
			expect.objectContaining({ can_message: false, peer: expect.objectContaining({ id: a.id }) }),
		]);
	});

	it("a change the room was not told about is noticed by its revalidation, and before a message after it slept", async () => {
		// Behind the API's back (as if its call to the room had failed and no fence were up): the room holds
		// the right to chat it last read, until its alarm re-reads D1 (every REVALIDATE_MS while active).
		const [alice, bob] = await connectedPair("next-message");
		await sendRest(bob, alice.id, "hello");
		const { client } = await openChat(alice, bob.id);
		await env.DB.prepare("DELETE FROM connections WHERE requester_id = ? AND addressee_id = ?")
			.bind(alice.id, bob.id)
			.run();
		await ageStanding(alice.id, bob.id, REVALIDATE_MS);
		expect(await settleRoom(alice.id, bob.id)).toBe(true);
		expect((await client.closed).code).toBe(ACCESS_REVOKED);
		await expectProblem(
			await call("POST", `${api}/conversations/${bob.id}/messages`, {
				token: alice.token,
				body: { text: "still there?" },
			}),
			403,
		);

		// A room that slept longer than STANDING_MAX_AGE_MS reads D1 before the next message.
		const [carol, dave] = await connectedPair("after-sleep");
		await sendRest(dave, carol.id, "hello");
		const { client: carolSocket } = await openChat(carol, dave.id);
		await env.DB.prepare("DELETE FROM connections WHERE requester_id = ? AND addressee_id = ?")
			.bind(carol.id, dave.id)
			.run();
		await ageStanding(carol.id, dave.id, STANDING_MAX_AGE_MS);
		carolSocket.send({ type: "message", client_message_id: "late", text: "still there?" });
		expect(await carolSocket.takeType("error")).toMatchObject({
			code: "forbidden",
			client_message_id: "late",
		});
		expect((await carolSocket.closed).code).toBe(ACCESS_REVOKED);
	});
});

describe("suspension", () => {
	it("closes a suspended sender's sockets on their next send after the room slept, and leaves the other person's open", async () => {
		const [alice, bob] = await connectedPair("suspended-sender");
		await sendRest(bob, alice.id, "hello");
		const { client: aliceSocket } = await openChat(alice, bob.id);
		const { client: bobSocket } = await openChat(bob, alice.id);
		// Suspended without the room being told, and the room slept: its held standing is read again.
		await setUserColumns(alice.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await ageStanding(alice.id, bob.id, STANDING_MAX_AGE_MS);
		aliceSocket.send({ type: "message", client_message_id: "s-1", text: "hello?" });
		expect(await aliceSocket.takeType("error")).toMatchObject({
			code: "forbidden",
			client_message_id: "s-1",
		});
		expect((await aliceSocket.closed).code).toBe(ACCESS_REVOKED);
		// Bob's socket still works (he sees typing from nobody, but his own send is acknowledged).
		bobSocket.send({ type: "message", client_message_id: "b-1", text: "are you ok?" });
		expect(await bobSocket.takeType("ack")).toMatchObject({ client_message_id: "b-1" });
		bobSocket.close();
	});

	it("closes a person's open sockets as soon as a guardian suspends them, in every recent conversation", async () => {
		const [alice, bob] = await connectedPair("suspended-live");
		const carol = await signUp("suspended-live-c");
		await connect(alice, carol);
		await sendRest(alice, bob.id, "hi bob");
		await sendRest(alice, carol.id, "hi carol");
		const { client: withBob } = await openChat(alice, bob.id);
		const { client: withCarol } = await openChat(alice, carol.id);
		const { client: bobSocket } = await openChat(bob, alice.id);

		const admin = await guardian("suspends-live");
		await expectStatus(
			await call("PATCH", `/api/v1/guardians/users/${alice.id}`, {
				token: admin.token,
				body: { suspension: { duration: "7d" }, reason: "Harassment in chat" },
			}),
			200,
		);
		// Closed without Alice sending anything.
		expect((await withBob.closed).code).toBe(ACCESS_REVOKED);
		expect((await withCarol.closed).code).toBe(ACCESS_REVOKED);
		// Bob's socket in the same room stays open.
		bobSocket.send({ type: "message", client_message_id: "b-live", text: "still here" });
		expect(await bobSocket.takeType("ack")).toMatchObject({ client_message_id: "b-live" });
		bobSocket.close();
	});
});

describe("suspension through a queue decision, and suspensions the rooms were not told about", () => {
	it("closes the author's open sockets when a guardian's queue decision suspends them", async () => {
		const [alice, bob] = await connectedPair("queue-suspend");
		await sendRest(alice, bob.id, "hi bob");
		const { client: aliceSocket } = await openChat(alice, bob.id, 0);
		const { client: bobSocket } = await openChat(bob, alice.id);
		await aliceSocket.takeType("message"); // replayed on connect (since_seq=0)
		const postId = await postBy(alice.id, "Something worth reporting");
		await reported(await signUp("queue-suspend-reporter"), "post", postId, "harassment");
		const item = await queueItemFor("post", postId);

		const judge = await guardian("queue-suspend-judge");
		await expectStatus(
			await decide(judge, item.id, { decision: "suspend", duration: "72h", reason: "Harassment" }),
			200,
		);
		// Closed without Alice sending anything: she receives nothing more.
		expect((await aliceSocket.closed).code).toBe(ACCESS_REVOKED);
		bobSocket.send({ type: "message", client_message_id: "after-decision", text: "are you there?" });
		expect(await bobSocket.takeType("ack")).toMatchObject({ client_message_id: "after-decision" });
		expect(aliceSocket.pending((frame) => frame.type === "message")).toEqual([]);
		bobSocket.close();
	});

	it.each([
		["sync", { type: "sync", since_seq: 0 }],
		["read", { type: "read", seq: 1 }],
		["typing", { type: "typing", typing: true }],
	])("refuses a %s frame from a person suspended meanwhile and closes their socket", async (kind, frame) => {
		const [alice, bob] = await connectedPair(`stale-${kind}`);
		await sendRest(bob, alice.id, "before the suspension");
		const { client: aliceSocket } = await openChat(alice, bob.id, 0);
		const { client: bobSocket } = await openChat(bob, alice.id);
		await aliceSocket.takeType("message"); // replayed on connect (since_seq=0)
		// Suspended without the room being told (as if its close call had failed, or the room was not among
		// the most recent ones), and the room slept since it last read the participants.
		await setUserColumns(alice.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await ageStanding(alice.id, bob.id, STANDING_MAX_AGE_MS);

		aliceSocket.send(frame);
		expect(await aliceSocket.takeType("error")).toMatchObject({ code: "forbidden" });
		expect((await aliceSocket.closed).code).toBe(ACCESS_REVOKED);
		// Nothing was replayed, and Bob saw neither her typing nor her read receipt.
		expect(aliceSocket.pending((f) => f.type === "message" || f.type === "sync_done")).toEqual([]);
		bobSocket.send({ type: "ping", note: "flush" });
		await bobSocket.takeType("error");
		expect(bobSocket.pending((f) => f.type === "typing" || f.type === "read")).toEqual([]);
		bobSocket.close();
	});

	it("does not deliver a message live to a peer suspended meanwhile, and closes the peer's socket", async () => {
		const [alice, bob] = await connectedPair("stale-peer");
		const { client: aliceSocket } = await openChat(alice, bob.id);
		const { client: bobSocket } = await openChat(bob, alice.id);
		await setUserColumns(alice.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		bobSocket.send({ type: "message", client_message_id: "to-suspended", text: "hello?" });
		// Bob's message is stored (Alice reads it once her suspension ends), but not delivered now.
		expect(await bobSocket.takeType("ack")).toMatchObject({ client_message_id: "to-suspended" });
		expect((await aliceSocket.closed).code).toBe(ACCESS_REVOKED);
		expect(aliceSocket.pending((frame) => frame.type === "message")).toEqual([]);
		bobSocket.close();
	});

	it("reads the standing from D1 once for a burst of frames after the room slept, not once per frame", async () => {
		const [alice, bob] = await connectedPair("standing-budget");
		await sendRest(bob, alice.id, "hello");
		const { client: aliceSocket } = await openChat(alice, bob.id);
		const { client: bobSocket } = await openChat(bob, alice.id);
		await ageStanding(alice.id, bob.id, STANDING_MAX_AGE_MS);
		const counter = countingD1(env.DB);
		await runInDurableObject(roomFor(env, alice.id, bob.id), (room: ChatRoom) => {
			const live = room as unknown as { env: Bindings };
			live.env = { ...live.env, DB: counter.db };
		});
		// Typing indicators are rate-limited now (only the first start and stop are relayed): the frames that
		// each need the standing are read and sync ones.
		for (let i = 0; i < 3; i++) aliceSocket.send({ type: "typing", active: i % 2 === 0 });
		for (let i = 0; i < 3; i++) aliceSocket.send({ type: "sync", since_seq: 1 });
		for (let i = 0; i < 2; i++) await bobSocket.takeType("typing");
		for (let i = 0; i < 3; i++) await aliceSocket.takeType("sync_done");
		expect(counter.roundTrips).toBe(1);
		aliceSocket.close();
		bobSocket.close();
	});
});

describe("mentorship chat", () => {
	it("lets a mentee and guide talk while the mentorship is accepted, and closes when it completes", async () => {
		const guide = await makeGuide("chat-guide");
		const mentee = await growingUser("chat-mentee");
		// Requested is not enough.
		const mentorship = await expectStatus<{ id: string }>(
			await call("POST", `${api}/mentorships`, {
				token: mentee.token,
				body: { guide_id: guide.id, goals: "Build a steady morning routine" },
			}),
			201,
		);
		await expectProblem(
			await call("POST", `${api}/conversations/${guide.id}/tickets`, { token: mentee.token }),
			403,
		);

		await expectStatus(
			await call("PATCH", `${api}/mentorships/${mentorship.id}`, {
				token: guide.token,
				body: { status: "accepted" },
			}),
			200,
		);
		const { client: guideSocket } = await openChat(guide, mentee.id);
		await sendRest(mentee, guide.id, "Thank you for taking me on");
		expect(((await guideSocket.takeType("message")).message as WireMessage).text).toBe(
			"Thank you for taking me on",
		);

		await expectStatus(
			await call("PATCH", `${api}/mentorships/${mentorship.id}`, {
				token: mentee.token,
				body: { status: "completed" },
			}),
			200,
		);
		expect((await guideSocket.closed).code).toBe(ACCESS_REVOKED);
		await expectProblem(
			await call("POST", `${api}/conversations/${mentee.id}/tickets`, { token: guide.token }),
			403,
		);
	});

	it("keeps the chat open when a connection ends but an accepted mentorship remains", async () => {
		const guide = await makeGuide("both-guide");
		const mentee = await growingUser("both-mentee");
		const request = await expectStatus<{ id: string }>(
			await call("POST", `${api}/connections`, { token: mentee.token, body: { user_id: guide.id } }),
			201,
		);
		await call("PATCH", `${api}/connections/${request.id}`, {
			token: guide.token,
			body: { status: "accepted" },
		});
		const mentorship = await expectStatus<{ id: string }>(
			await call("POST", `${api}/mentorships`, {
				token: mentee.token,
				body: { guide_id: guide.id, goals: "Focus" },
			}),
			201,
		);
		await call("PATCH", `${api}/mentorships/${mentorship.id}`, {
			token: guide.token,
			body: { status: "accepted" },
		});
		const { client } = await openChat(mentee, guide.id);
		await expectStatus(await call("DELETE", `${api}/connections/${request.id}`, { token: guide.token }), 204);
		// Still allowed: a message goes through on the same socket.
		client.send({ type: "message", client_message_id: "still", text: "still here" });
		expect(await client.takeType("ack")).toMatchObject({ client_message_id: "still" });
		client.close();
	});
});
