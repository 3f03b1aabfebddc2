/**
 * Orchard chat over real WebSockets into the ChatRoom Durable Object: live exchange between two people
 * (several devices each), ticket authentication at the upgrade (single use, no token in the URL), a
 * third person refused, idempotent retries, read receipts and typing, and catching up with `since_seq`.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, tokenFor } from "../support/api";
import {
	api,
	connectedPair,
	openChat,
	refusal,
	sendRest,
	settleRoom,
	ticketFor,
	upgrade,
	type WireMessage,
} from "./helpers";

describe("live chat between two connections", () => {
	it("delivers messages both ways with increasing seq, acks the sender, and reaches every device", async () => {
		const [alice, bob] = await connectedPair("live");
		const { client: aliceSocket, ready } = await openChat(alice, bob.id);
		expect(ready).toMatchObject({ user_id: alice.id, peer_id: bob.id, replayed: 0 });
		const { client: bobPhone } = await openChat(bob, alice.id);
		const { client: bobLaptop } = await openChat(bob, alice.id);

		aliceSocket.send({ type: "message", client_message_id: "a-1", text: "Hello Bob" });
		const ack = await aliceSocket.takeType("ack");
		const sent = ack.message as WireMessage;
		expect(ack).toMatchObject({ client_message_id: "a-1", duplicate: false });
		expect(sent).toMatchObject({ sender_id: alice.id, text: "Hello Bob", client_message_id: "a-1" });

		for (const device of [bobPhone, bobLaptop]) {
			const received = (await device.takeType("message")).message as WireMessage;
			expect(received).toMatchObject({ id: sent.id, seq: sent.seq, text: "Hello Bob", sender_id: alice.id });
			// The sender's own client id is not shown to the other person.
			expect(received.client_message_id).toBeNull();
		}

		bobPhone.send({ type: "message", client_message_id: "b-1", text: "Hi Alice" });
		const reply = (await bobPhone.takeType("ack")).message as WireMessage;
		expect(reply.seq).toBeGreaterThan(sent.seq);
		expect(((await aliceSocket.takeType("message")).message as WireMessage).text).toBe("Hi Alice");
		// Bob's other device sees his own message too.
		expect(((await bobLaptop.takeType("message")).message as WireMessage).id).toBe(reply.id);

		for (const socket of [aliceSocket, bobPhone, bobLaptop]) socket.close();
	});

	it("never duplicates a retried send with the same client_message_id (socket or REST)", async () => {
		const [alice, bob] = await connectedPair("retry");
		const { client } = await openChat(alice, bob.id);
		client.send({ type: "message", client_message_id: "same-id", text: "Once only" });
		const first = await client.takeType("ack");
		client.send({ type: "message", client_message_id: "same-id", text: "Once only" });
		const second = await client.takeType("ack");
		expect(second).toMatchObject({ duplicate: true });
		expect((second.message as WireMessage).id).toBe((first.message as WireMessage).id);

		// The REST path recognises the same id: 200 with the original message.
		const again = await sendRest(alice, bob.id, "Once only", "same-id", 200);
		expect(again.id).toBe((first.message as WireMessage).id);

		const history = await expectStatus<{ data: WireMessage[] }>(
			await call("GET", `${api}/conversations/${alice.id}/messages`, { token: bob.token }),
			200,
		);
		expect(history.data.map((m) => m.text)).toEqual(["Once only"]);
		client.close();
	});

	it("shares read receipts and typing, and keeps unread counts", async () => {
		const [alice, bob] = await connectedPair("receipts");
		const { client: aliceSocket } = await openChat(alice, bob.id);
		const { client: bobSocket } = await openChat(bob, alice.id);
		await sendRest(alice, bob.id, "one");
		const second = await sendRest(alice, bob.id, "two");
		await bobSocket.takeType("message", (f) => (f.message as WireMessage).seq === second.seq);

		bobSocket.send({ type: "typing", typing: true });
		expect(await aliceSocket.takeType("typing")).toMatchObject({ user_id: bob.id, typing: true });

		// The list is written behind by the room's alarm.
		await settleRoom(alice.id, bob.id);
		const before = await expectStatus<{ data: Array<{ unread_count: number }> }>(
			await call("GET", `${api}/conversations`, { token: bob.token }),
			200,
		);
		expect(before.data[0]?.unread_count).toBe(2);

		bobSocket.send({ type: "read", seq: second.seq });
		expect(await aliceSocket.takeType("read")).toMatchObject({ user_id: bob.id, last_read_seq: second.seq });

		const page = await expectStatus<{ read_state: Record<string, number> }>(
			await call("GET", `${api}/conversations/${bob.id}/messages`, { token: alice.token }),
			200,
		);
		expect(page.read_state).toMatchObject({ peer_last_read_seq: second.seq, last_seq: second.seq });
		await settleRoom(alice.id, bob.id);
		const after = await expectStatus<{ data: Array<{ unread_count: number; last_read_seq: number }> }>(
			await call("GET", `${api}/conversations`, { token: bob.token }),
			200,
		);
		expect(after.data[0]).toMatchObject({ unread_count: 0, last_read_seq: second.seq });
		aliceSocket.close();
		bobSocket.close();
	});

	it("answers bad frames with an error frame and keeps the socket open", async () => {
		const [alice, bob] = await connectedPair("frames");
		const { client } = await openChat(alice, bob.id);
		client.send("not json");
		expect(await client.takeType("error")).toMatchObject({ code: "bad_frame" });
		client.send({ type: "message", client_message_id: "x", text: "y".repeat(4001) });
		expect(await client.takeType("error")).toMatchObject({ code: "bad_frame" });
		client.send({ type: "message", client_message_id: "ok-1", text: "still here" });
		expect(await client.takeType("ack")).toMatchObject({ client_message_id: "ok-1" });
		client.send({ type: "ping" });
		await client.takeType("pong");
		client.send('{ "type" : "ping" }');
		await client.takeType("pong");
		client.close();
	});
});

describe("authenticating the upgrade", () => {
	it("refuses a third person with 403 at ticket and at upgrade (with a ticket: close 4403 not_allowed)", async () => {
		const [alice, bob] = await connectedPair("third");
		const carol = await signUp("third-carol");
		await expectProblem(
			await call("POST", `${api}/conversations/${bob.id}/tickets`, { token: carol.token }),
			403,
		);
		// A bearer token (native clients) is checked the same way.
		await expectProblem(await upgrade(bob.id, {}, { Authorization: `Bearer ${carol.token}` }), 403);
		// A ticket for another conversation does not open this one.
		const [dave, erin] = await connectedPair("third-other");
		expect(await refusal(await upgrade(bob.id, { ticket: await ticketFor(dave, erin.id) }))).toEqual({
			code: 4403,
			reason: "not_allowed",
		});
		// The two who are connected can.
		const { client } = await openChat(alice, bob.id);
		client.close();
	});

	it("accepts a ticket once; a reused ticket closes 4409, an unknown or expired one 4401", async () => {
		const [alice, bob] = await connectedPair("ticket");
		const ticket = await ticketFor(alice, bob.id);
		const stored = await env.DB.prepare("SELECT ticket_hash FROM chat_tickets WHERE user_id = ?")
			.bind(alice.id)
			.first<{ ticket_hash: string }>();
		expect(stored?.ticket_hash).toMatch(/^[0-9a-f]{64}$/);
		expect(stored?.ticket_hash).not.toContain(ticket);

		const first = await upgrade(bob.id, { ticket });
		expect(first.status).toBe(101);
		first.webSocket?.accept();
		first.webSocket?.close(1000, "done");
		expect(await refusal(await upgrade(bob.id, { ticket }))).toEqual({ code: 4409, reason: "ticket_used" });
		expect(await refusal(await upgrade(bob.id, { ticket: "not-a-real-ticket" }))).toEqual({
			code: 4401,
			reason: "ticket_expired",
		});

		const late = await ticketFor(alice, bob.id);
		await env.DB.prepare(
			"UPDATE chat_tickets SET expires_at = '2000-01-01T00:00:00.000Z' WHERE used_at IS NULL AND user_id = ?",
		)
			.bind(alice.id)
			.run();
		expect(await refusal(await upgrade(bob.id, { ticket: late }))).toEqual({
			code: 4401,
			reason: "ticket_expired",
		});
	});

	it("closes 4403 when the right to chat ended after the ticket was issued: a block, a suspension", async () => {
		const [alice, bob] = await connectedPair("ticket-revoked");
		const beforeBlock = await ticketFor(alice, bob.id);
		await expectStatus(await call("PUT", `${api}/blocks/${alice.id}`, { token: bob.token }), 201);
		expect(await refusal(await upgrade(bob.id, { ticket: beforeBlock }))).toEqual({
			code: 4403,
			reason: "not_allowed",
		});

		const [carol, dave] = await connectedPair("ticket-suspended");
		const beforeSuspension = await ticketFor(carol, dave.id);
		await setUserColumns(carol.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		expect(await refusal(await upgrade(dave.id, { ticket: beforeSuspension }))).toEqual({
			code: 4403,
			reason: "suspended",
		});
		// The same refusals with a bearer token stay problem+json answers (native clients read them).
		await expectProblem(await upgrade(alice.id, {}, { Authorization: `Bearer ${bob.token}` }), 404);
		await expectProblem(await upgrade(dave.id, {}, { Authorization: `Bearer ${carol.token}` }), 403);
	});

	it("is 401 without a ticket or token, 426 without an upgrade, 404 for a stranger id", async () => {
		const [alice, bob] = await connectedPair("upgrade-errors");
		await expectProblem(await upgrade(bob.id, {}), 401);
		await expectProblem(await call("GET", `${api}/conversations/${bob.id}/ws`, { token: alice.token }), 426);
		await expectProblem(
			await call("POST", `${api}/conversations/${crypto.randomUUID()}/tickets`, { token: alice.token }),
			404,
		);
		await expectProblem(await call("POST", `${api}/conversations/${bob.id}/tickets`), 401);
		await expectProblem(await upgrade("not-a-uuid", { ticket: "x" }), 422);
	});

	it("opens with a bearer token for native clients", async () => {
		const [alice, bob] = await connectedPair("bearer");
		const response = await upgrade(bob.id, {}, { Authorization: `Bearer ${await tokenFor(alice.sub)}` });
		expect(response.status).toBe(101);
		response.webSocket?.accept();
		response.webSocket?.close(1000, "done");
	});
});

describe("opening without since_seq", () => {
	it("replays nothing: the history is read over REST, and the socket carries what comes next", async () => {
		const [alice, bob] = await connectedPair("no-replay");
		for (const text of ["one", "two", "three"]) await sendRest(bob, alice.id, text);
		const { client, ready } = await openChat(alice, bob.id);
		expect(ready).toMatchObject({ replayed: 0, has_more: false });
		await sendRest(bob, alice.id, "four");
		const live = await client.takeType("message");
		expect((live.message as WireMessage).text).toBe("four");
		// Only the live one arrived: none of the three before the socket opened.
		expect(client.pending((frame) => frame.type === "message")).toEqual([]);
		client.close();
	});

	it("is 422 with an empty or malformed since_seq, before the ticket is spent", async () => {
		const [alice, bob] = await connectedPair("empty-since");
		const ticket = await ticketFor(alice, bob.id);
		for (const since_seq of ["", "-1", "1.5", "abc", "1e3"]) {
			const problem = await expectProblem(await upgrade(bob.id, { ticket, since_seq }), 422);
			expect(JSON.stringify(problem.errors), since_seq).toContain("since_seq");
		}
		// The ticket still opens the socket: validation ran first.
		const opened = await upgrade(bob.id, { ticket, since_seq: "0" });
		expect(opened.status).toBe(101);
		opened.webSocket?.accept();
		opened.webSocket?.close(1000, "done");
	});
});

describe("reconnecting loses nothing", () => {
	it("replays exactly the messages sent while I was away, in order, after since_seq", async () => {
		const [alice, bob] = await connectedPair("replay");
		const { client: first } = await openChat(bob, alice.id);
		const seen = await sendRest(alice, bob.id, "before I left");
		await first.takeType("message");
		first.close();
		await first.closed;

		const missed = [];
		for (const text of ["while away 1", "while away 2", "while away 3"]) {
			missed.push(await sendRest(alice, bob.id, text));
		}
		const { client: again, ready } = await openChat(bob, alice.id, seen.seq);
		expect(ready).toMatchObject({ replayed: 3, has_more: false });
		// The replay arrives before `ready`, so every replayed frame is already buffered.
		const replayed = again.pending((f) => f.type === "message").map((f) => f.message as WireMessage);
		expect(replayed.map((m) => m.text)).toEqual(missed.map((m) => m.text));
		expect(replayed.map((m) => m.seq)).toEqual(missed.map((m) => m.seq));

		// The REST catch-up gives the same, oldest first.
		const caughtUp = await expectStatus<{ data: WireMessage[] }>(
			await call("GET", `${api}/conversations/${alice.id}/messages?since_seq=${seen.seq}`, {
				token: bob.token,
			}),
			200,
		);
		expect(caughtUp.data.map((m) => m.seq)).toEqual(missed.map((m) => m.seq));

		// `sync` on an open socket replays from any seq too.
		again.send({ type: "sync", since_seq: missed[1]?.seq ?? 0 });
		expect(await again.takeType("sync_done")).toMatchObject({ replayed: 1, has_more: false });
		again.close();
	});
});
