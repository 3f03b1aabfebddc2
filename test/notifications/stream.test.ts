/**
 * The live stream over real WebSockets into each person's PersonStream Durable Object: tickets at the
 * upgrade (single use, hashed, expiring, one person's only), notification and unread-count frames on every
 * device, marking read, direct messages (never held-back ones), catching up after being offline, nothing to
 * a third or blocked person, hibernation and eviction, lost pokes, late commits, and suspension and
 * deletion closing the stream. Nothing of ours is mocked: pokes come from the Worker's own middleware.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SendOutcome } from "../../durable-objects/chat-protocol";
import type { ChatRoom } from "../../durable-objects/chat-room";
import {
	CLOCK_SKEW_WINDOW_MS,
	CLOSE_TOO_MANY_STREAMS,
	MAX_STREAMS_PER_PERSON,
} from "../../durable-objects/stream-protocol";
import { classify } from "../../src/core/moderation/screen";
import { notificationStatement } from "../../src/core/notifications";
import { createDb } from "../../src/db/client";
import { announceNotifications } from "../../src/modules/notifications";
import { DIRECT_POKES, streamOf } from "../../src/modules/notifications/stream";
import { roomFor } from "../../src/modules/orchard/chat";
import { runScheduledTasks } from "../../src/scheduled";
import { createEvent, createGroup, insertActiveMembers, organiser, rsvp } from "../fellowship/helpers";
import { guardian } from "../guardians/helpers";
import { insertRow } from "../ml/fixtures";
import {
	ChatClient,
	connect,
	type Frame,
	refusal,
	sendRest,
	ticketFor,
	type WireMessage,
} from "../orchard/helpers";
import {
	call,
	expectProblem,
	expectStatus,
	ORIGIN,
	setUserColumns,
	signUp,
	type TestUser,
	tokenFor,
} from "../support/api";

const ACCOUNT_CLOSED = 4403;

type Notification = {
	id: string;
	type: string;
	updated_at: string;
	read_at: string | null;
	actors: Array<{ id: string; display_name: string }>;
	subject: { type: string; id: string };
	text: string;
};

async function streamTicket(user: TestUser): Promise<string> {
	const body = await expectStatus<{ ticket: string; expires_at: string; url: string }>(
		await call("POST", "/api/v1/stream/tickets", { token: user.token }),
		201,
	);
	expect(body.url).toBe(`/api/v1/stream?ticket=${body.ticket}`);
	return body.ticket;
}

/** The upgrade as a browser sends it (ticket in the URL, no Authorization header). */
function upgradeStream(query: Record<string, string>, headers: Record<string, string> = {}) {
	const search = new URLSearchParams(query).toString();
	return exports.default.fetch(
		new Request(`${ORIGIN}/api/v1/stream?${search}`, { headers: { Upgrade: "websocket", ...headers } }),
	);
}

/** Ticket, upgrade, accept; resolves once `ready` arrived (the catch-up and the count come before it). */
async function openStream(user: TestUser, since?: string): Promise<{ client: ChatClient; ready: Frame }> {
	const response = await upgradeStream({
		ticket: await streamTicket(user),
		...(since !== undefined ? { since } : {}),
	});
	if (response.status !== 101 || !response.webSocket) {
		throw new Error(`expected 101, got ${response.status}: ${await response.text()}`);
	}
	response.webSocket.accept();
	const client = new ChatClient(response.webSocket);
	const ready = await client.takeType("ready");
	return { client, ready };
}

async function postOf(author: TestUser, body = "Morning pages, day twelve") {
	return expectStatus<{ id: string }>(
		await call("POST", "/api/v1/flourish/posts", {
			token: author.token,
			body: { type: "text", body, visibility: "public" },
		}),
		201,
	);
}

const commentOn = (by: TestUser, postId: string, body: string) =>
	call("POST", `/api/v1/flourish/posts/${postId}/comments`, { token: by.token, body: { body } });

const notificationOf = (frame: Frame) => frame.notification as Notification;
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
const countFrame = (count: number) => (frame: Frame) => frame.count === count;

describe("opening the stream", () => {
	it("opens with a ticket once; a reused ticket closes 4409, an unknown, expired or chat ticket 4401, none is 401", async () => {
		const alice = await signUp("stream-ticket");
		const ticket = await streamTicket(alice);
		const stored = await env.DB.prepare(
			"SELECT ticket_hash, expires_at FROM stream_tickets WHERE user_id = ?",
		)
			.bind(alice.id)
			.first<{ ticket_hash: string; expires_at: string }>();
		expect(stored?.ticket_hash).toMatch(/^[0-9a-f]{64}$/);
		expect(stored?.ticket_hash).not.toContain(ticket);
		expect(Date.parse(stored?.expires_at ?? "") - Date.now()).toBeLessThanOrEqual(60_000);

		const first = await upgradeStream({ ticket });
		expect(first.status).toBe(101);
		first.webSocket?.accept();
		first.webSocket?.close(1000, "done");
		expect(await refusal(await upgradeStream({ ticket }))).toEqual({ code: 4409, reason: "ticket_used" });
		expect(await refusal(await upgradeStream({ ticket: "not-a-real-ticket" }))).toEqual({
			code: 4401,
			reason: "ticket_expired",
		});
		const none = await upgradeStream({});
		expect((await expectProblem(none, 401)).detail).toBeTruthy();
		expect(none.webSocket).toBeNull();

		const late = await streamTicket(alice);
		await env.DB.prepare(
			"UPDATE stream_tickets SET expires_at = '2000-01-01T00:00:00.000Z' WHERE used_at IS NULL AND user_id = ?",
		)
			.bind(alice.id)
			.run();
		expect(await refusal(await upgradeStream({ ticket: late }))).toEqual({
			code: 4401,
			reason: "ticket_expired",
		});

		// A chat ticket is not a stream ticket.
		const bob = await signUp("stream-ticket-bob");
		await connect(alice, bob);
		expect(await refusal(await upgradeStream({ ticket: await ticketFor(alice, bob.id) }))).toEqual({
			code: 4401,
			reason: "ticket_expired",
		});
		// Not a WebSocket: 426, and the ticket is not spent.
		const unspent = await streamTicket(alice);
		await expectProblem(
			await exports.default.fetch(new Request(`${ORIGIN}/api/v1/stream?ticket=${unspent}`)),
			426,
		);
		expect((await upgradeStream({ ticket: unspent })).status).toBe(101);
	});

	it("refuses another person's ticket beside my own token, and opens with a bearer token for native clients", async () => {
		const alice = await signUp("stream-other-a");
		const carol = await signUp("stream-other-c");
		const alicesTicket = await streamTicket(alice);
		expect(
			await refusal(
				await upgradeStream({ ticket: alicesTicket }, { Authorization: `Bearer ${carol.token}` }),
			),
		).toEqual({ code: 4403, reason: "not_allowed" });
		const bearer = await upgradeStream({}, { Authorization: `Bearer ${await tokenFor(carol.sub)}` });
		expect(bearer.status).toBe(101);
		bearer.webSocket?.accept();
		bearer.webSocket?.close(1000, "done");
		await expectProblem(await upgradeStream({}, { Authorization: "Bearer not-a-jwt" }), 401);
		await expectProblem(await call("POST", "/api/v1/stream/tickets"), 401);
		await expectProblem(
			await upgradeStream({ since: "yesterday" }, { Authorization: `Bearer ${carol.token}` }),
			422,
		);
	});

	it("refuses a suspended person at the ticket (403), at a ticket issued before (close 4403), and with a bearer token (403); the list stays readable", async () => {
		const alice = await signUp("stream-suspended");
		const earlier = await streamTicket(alice);
		await setUserColumns(alice.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(await call("POST", "/api/v1/stream/tickets", { token: alice.token }), 403);
		expect(await refusal(await upgradeStream({ ticket: earlier }))).toEqual({
			code: 4403,
			reason: "suspended",
		});
		await expectProblem(await upgradeStream({}, { Authorization: `Bearer ${alice.token}` }), 403);
		await expectStatus(await call("GET", "/api/v1/notifications", { token: alice.token }), 200);
	});

	it("holds at most 5 streams per person: a flood of connections closes the oldest, the newest keep working", async () => {
		const alice = await signUp("stream-flood-a");
		const bea = await signUp("stream-flood-b");
		const post = await postOf(alice);
		const clients: ChatClient[] = [];
		for (let i = 0; i < MAX_STREAMS_PER_PERSON + 3; i += 1) clients.push((await openStream(alice)).client);
		const oldest = clients.slice(0, 3);
		const newest = clients.slice(3);
		for (const client of oldest) {
			expect(await client.closed).toMatchObject({ code: CLOSE_TOO_MANY_STREAMS });
		}
		const open = await runInDurableObject(
			streamOf(env, alice.id),
			(_object, state) => state.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length,
		);
		expect(open).toBe(MAX_STREAMS_PER_PERSON);

		// The five still open each get what happens next.
		await expectStatus(await commentOn(bea, post.id, "Still here?"), 201);
		for (const client of newest) {
			expect(notificationOf(await client.takeType("notification")).actors[0]?.id).toBe(bea.id);
		}
		// Someone else's streams are not counted against mine.
		const { client: beas } = await openStream(bea);
		await settle();
		for (const client of [...newest, beas]) expect(client.ws.readyState).toBe(WebSocket.OPEN);
		for (const client of [...newest, beas]) client.close();
	});

	it("is documented: operation ids, the ticket, the upgrade and each refusal as problem+json", async () => {
		type Operation = { operationId?: string; responses: Record<string, { content?: object }> };
		const doc = await expectStatus<{ paths: Record<string, Record<string, Operation>> }>(
			await call("GET", "/api/v1/openapi.json"),
			200,
		);
		const ticket = doc.paths["/api/v1/stream/tickets"]?.post;
		const stream = doc.paths["/api/v1/stream"]?.get;
		expect(ticket?.operationId).toBe("createStreamTicket");
		expect(stream?.operationId).toBe("openStream");
		expect(Object.keys(ticket?.responses ?? {})).toEqual(expect.arrayContaining(["201", "401", "403"]));
		expect(Object.keys(stream?.responses ?? {})).toEqual(
			expect.arrayContaining(["101", "401", "403", "422", "426"]),
		);
		for (const code of ["401", "403", "422", "426"]) {
			expect(Object.keys(stream?.responses[code]?.content ?? {})).toEqual(["application/problem+json"]);
		}
		// Bad input is a 4xx problem, and spends nothing.
		const alice = await signUp("stream-bad-input");
		await expectProblem(await upgradeStream({ ticket: "x".repeat(101) }), 422);
		await expectProblem(await upgradeStream({ ticket: await streamTicket(alice), since: "2026-13-45" }), 422);
		const spent = await env.DB.prepare(
			"SELECT count(*) AS n FROM stream_tickets WHERE user_id = ? AND used_at IS NOT NULL",
		)
			.bind(alice.id)
			.first<{ n: number }>();
		expect(spent?.n).toBe(0);
	});

	it("answers ping with pong and a bad frame with an error, keeping the socket open", async () => {
		const alice = await signUp("stream-frames");
		const { client, ready } = await openStream(alice);
		expect(ready).toMatchObject({ replayed: 0, has_more: false });
		client.send({ type: "ping" });
		await client.takeType("pong");
		client.send("not json");
		expect(await client.takeType("error")).toMatchObject({ code: "bad_frame" });
		client.send({ type: "sync", since: "not a time" });
		expect(await client.takeType("error")).toMatchObject({ code: "bad_frame" });
		client.send({ type: "sync", since: new Date().toISOString() });
		expect(await client.takeType("sync_done")).toMatchObject({ replayed: 0 });
		client.close();
	});
});

describe("notifications, live", () => {
	it("sends a comment on my post as a notification frame and the unread count to each of my devices", async () => {
		const alice = await signUp("stream-live-a", { name: "Ada" });
		const bea = await signUp("stream-live-b", { name: "Bea" });
		const post = await postOf(alice);
		const { client: phone } = await openStream(alice);
		const { client: laptop } = await openStream(alice);
		await phone.takeType("unread_count");
		await laptop.takeType("unread_count");

		await expectStatus(await commentOn(bea, post.id, "Lovely!"), 201);
		const [listed] = (
			await expectStatus<{ data: Notification[] }>(
				await call("GET", "/api/v1/notifications", { token: alice.token }),
				200,
			)
		).data;
		for (const device of [phone, laptop]) {
			const frame = notificationOf(await device.takeType("notification"));
			// The same object the list returns.
			expect(frame).toEqual(listed);
			expect(frame).toMatchObject({ type: "comment", text: "Bea commented on your post." });
			expect(await device.takeType("unread_count")).toMatchObject({ count: 1 });
		}

		// Marking read on one device updates the count on both (and sends nothing else).
		await expectStatus(
			await call("POST", "/api/v1/notifications/read", { token: alice.token, body: { all: true } }),
			200,
		);
		for (const device of [phone, laptop]) {
			await device.takeType("unread_count", countFrame(0));
			expect(device.pending((f) => f.type === "notification")).toEqual([]);
		}
		phone.close();
		laptop.close();
	});

	it("tells a blocked or third person nothing of mine, and nothing of a blocked person's reaches me", async () => {
		const alice = await signUp("stream-private-a");
		const bob = await signUp("stream-private-b");
		const carol = await signUp("stream-private-c");
		await connect(alice, carol);
		await connect(alice, bob);
		const post = await postOf(alice);
		const { client: mine } = await openStream(alice);
		const { client: bobs } = await openStream(bob);
		const { client: carols } = await openStream(carol);
		await expectStatus(await call("PUT", `/api/v1/orchard/blocks/${bob.id}`, { token: alice.token }), 201);
		for (const client of [mine, bobs, carols]) await client.takeType("unread_count");

		// Bob cannot reach me through a notification or a message.
		await commentOn(bob, post.id, "Can you see me?");
		await expectProblem(
			await call("POST", `/api/v1/orchard/conversations/${alice.id}/messages`, {
				token: bob.token,
				body: { text: "hello?" },
			}),
			404,
		);
		// Carol's comment and message reach me, and only me.
		await expectStatus(await commentOn(carol, post.id, "Lovely!"), 201);
		await sendRest(carol, alice.id, "Thinking of you");
		expect(notificationOf(await mine.takeType("notification")).actors[0]?.id).toBe(carol.id);
		expect(await mine.takeType("message")).toMatchObject({ peer_id: carol.id });
		await settle();
		expect(mine.pending((f) => f.type === "notification" || f.type === "message")).toEqual([]);
		for (const other of [bobs, carols]) {
			expect(other.pending((f) => f.type === "notification" || f.type === "message")).toEqual([]);
		}
		for (const client of [mine, bobs, carols]) client.close();
	});

	it("catches up after being offline: what changed since my newest arrives on connect, then the count", async () => {
		const alice = await signUp("stream-offline-a");
		const [bea, cy, di] = await Promise.all(["b", "c", "d"].map((l) => signUp(`stream-offline-${l}`)));
		const post = await postOf(alice);
		const { client: first } = await openStream(alice);
		await expectStatus(await commentOn(bea as TestUser, post.id, "one"), 201);
		const seen = notificationOf(await first.takeType("notification"));
		first.close();
		await first.closed;

		// Written while no socket is open: the pokes find nobody and do nothing; the list keeps them.
		await expectStatus(await commentOn(cy as TestUser, post.id, "two"), 201);
		await expectStatus(await commentOn(di as TestUser, post.id, "three"), 201);

		const { client: again, ready } = await openStream(alice, seen.updated_at);
		// The catch-up arrives before `ready`; frames are upserts by id, so `seen` may come again.
		const replayed = again.pending((f) => f.type === "notification").map(notificationOf);
		const missed = replayed.filter((n) => n.id !== seen.id);
		expect(missed.map((n) => n.actors[0]?.id)).toEqual([cy?.id, di?.id]);
		expect(ready).toMatchObject({ replayed: replayed.length, has_more: false });
		expect(again.pending((f) => f.type === "unread_count")).toEqual([{ type: "unread_count", count: 3 }]);

		// Without `since`: only the count (the client loads the list itself).
		const { client: fresh, ready: plain } = await openStream(alice);
		expect(plain).toMatchObject({ replayed: 0 });
		expect(fresh.pending((f) => f.type === "notification")).toEqual([]);
		await fresh.takeType("unread_count", countFrame(3));

		// `sync` on an open socket does the same from any point.
		fresh.send({ type: "sync", since: seen.updated_at });
		expect(await fresh.takeType("sync_done")).toMatchObject({ has_more: false });
		expect(
			fresh
				.pending((f) => f.type === "notification")
				.map(notificationOf)
				.map((n) => n.id),
		).toEqual(expect.arrayContaining(missed.map((n) => n.id)));
		again.close();
		fresh.close();
	});
});

describe("direct messages", () => {
	it("forwards a message sent to me in any conversation, with peer_id, but never one moderation holds back", async () => {
		const alice = await signUp("stream-dm-a");
		const bob = await signUp("stream-dm-b");
		const carol = await signUp("stream-dm-c");
		await connect(alice, bob);
		await connect(alice, carol);
		const { client: mine } = await openStream(alice);
		const { client: bobs } = await openStream(bob);

		const fromBob = await sendRest(bob, alice.id, "Hello Alice");
		const frame = await mine.takeType("message");
		expect(frame.peer_id).toBe(bob.id);
		// The same message the history shows me.
		const history = await expectStatus<{ data: WireMessage[] }>(
			await call("GET", `/api/v1/orchard/conversations/${bob.id}/messages`, { token: alice.token }),
			200,
		);
		expect(frame.message).toEqual(history.data[0]);
		expect((frame.message as WireMessage).id).toBe(fromBob.id);
		expect((frame.message as WireMessage).client_message_id).toBeNull();

		// Held back by moderation: stored, shown to Bob as pending review, never forwarded to me.
		const held = await runInDurableObject(roomFor(env, bob.id, alice.id), (room: ChatRoom) =>
			(
				room as unknown as {
					storeMessage(
						input: unknown,
						origin: undefined,
						screen: () => Promise<unknown>,
					): Promise<SendOutcome>;
				}
			).storeMessage(
				{ senderId: bob.id, peerId: alice.id, text: "something awful", clientMessageId: "held-1" },
				undefined,
				async () =>
					classify({
						toxicity: 0.95,
						labels: { insult: 0.95, threat: 0, profanity: 0, identity_attack: 0, sexual: 0, self_harm: 0 },
						selfHarmRisk: "none",
						model: "test-verdict",
					}),
			),
		);
		expect(held.ok && held.message.pending_review).toBe(true);
		// Another conversation reaches the same stream.
		const fromCarol = await sendRest(carol, alice.id, "Hi from Carol");
		const next = await mine.takeType("message");
		expect(next).toMatchObject({ peer_id: carol.id, message: { id: fromCarol.id, text: "Hi from Carol" } });
		expect(mine.pending((f) => f.type === "message")).toEqual([]);
		// The sender's own stream is not told of what they sent.
		expect(bobs.pending((f) => f.type === "message")).toEqual([]);
		mine.close();
		bobs.close();
	});
});

describe("nothing is lost", () => {
	it("keeps working after hibernation and eviction, and a lost poke is caught up by the next one", async () => {
		const alice = await signUp("stream-evict-a");
		const [bea, cy] = await Promise.all(["b", "c"].map((l) => signUp(`stream-evict-${l}`)));
		const post = await postOf(alice);
		const { client: phone } = await openStream(alice);
		const { client: laptop } = await openStream(alice);

		await evictDurableObject(streamOf(env, alice.id), { webSockets: "hibernate" });
		phone.send({ type: "ping" });
		await phone.takeType("pong");
		await expectStatus(await commentOn(bea as TestUser, post.id, "after the nap"), 201);
		for (const device of [phone, laptop]) {
			expect(notificationOf(await device.takeType("notification")).actors[0]?.id).toBe(bea?.id);
			await device.takeType("unread_count", countFrame(1));
		}

		// A notification whose poke was lost (written straight to D1, nobody told)...
		const db = createDb(env.DB);
		const lost = notificationStatement(db, {
			type: "comment",
			recipientId: alice.id,
			actorId: cy?.id as string,
			subject: { type: "post", id: post.id },
			groupKey: `lost-poke:${crypto.randomUUID()}`,
		});
		if (lost) await db.batch([lost]);
		await evictDurableObject(streamOf(env, alice.id), { webSockets: "hibernate" });
		// ...arrives with the next poke, after the eviction, and what was sent already is not sent again.
		await announceNotifications(env, [alice.id]);
		for (const device of [phone, laptop]) {
			expect(notificationOf(await device.takeType("notification")).actors[0]?.id).toBe(cy?.id);
			await device.takeType("unread_count", countFrame(2));
			expect(device.pending((f) => f.type === "notification")).toEqual([]);
		}
		await announceNotifications(env, [alice.id]);
		await phone.takeType("unread_count", countFrame(2));
		expect(phone.pending((f) => f.type === "notification")).toEqual([]);
		phone.close();
		laptop.close();
	});

	it("still sends a notification stamped before the newest one it sent, when it commits later", async () => {
		const alice = await signUp("stream-late-a");
		const [bea, cy] = await Promise.all(["b", "c"].map((l) => signUp(`stream-late-${l}`)));
		const post = await postOf(alice);
		const { client } = await openStream(alice);
		await expectStatus(await commentOn(bea as TestUser, post.id, "now"), 201);
		await client.takeType("notification");

		// A write whose clock was read a while ago (a slow request) commits only now.
		const db = createDb(env.DB);
		const stamped = new Date(Date.now() - CLOCK_SKEW_WINDOW_MS / 2);
		const late = notificationStatement(
			db,
			{
				type: "comment",
				recipientId: alice.id,
				actorId: cy?.id as string,
				subject: { type: "post", id: post.id },
				groupKey: `late:${crypto.randomUUID()}`,
			},
			stamped,
		);
		if (late) await db.batch([late]);
		await announceNotifications(env, [alice.id]);
		const frame = notificationOf(await client.takeType("notification"));
		expect(frame).toMatchObject({ updated_at: stamped.toISOString() });
		expect(frame.actors[0]?.id).toBe(cy?.id);
		client.close();
	});

	it("does nothing for a person with no open socket, and keeps no ticket past the cron", async () => {
		const alice = await signUp("stream-idle");
		await announceNotifications(env, [alice.id]);
		const stored = await runInDurableObject(streamOf(env, alice.id), (_object, state) =>
			state.storage.sql.exec("SELECT count(*) AS n FROM meta").one(),
		);
		expect(stored.n).toBe(0);

		await streamTicket(alice);
		await runScheduledTasks(env, new Date(Date.now() + 120_000));
		const left = await env.DB.prepare("SELECT count(*) AS n FROM stream_tickets WHERE user_id = ?")
			.bind(alice.id)
			.first<{ n: number }>();
		expect(left?.n).toBe(0);
	});
});

describe("notifications written outside a request", () => {
	it("pokes the attendees the queue consumer notified of a cancelled event, and the person promoted from the waitlist", async () => {
		const owner = await organiser("stream-queue-owner");
		const group = await createGroup(owner);
		const event = await createEvent(owner, group.id, { capacity: 1 });
		const [going, waiting] = (await insertActiveMembers(group.id, 2)) as [TestUser, TestUser];
		await expectStatus(await rsvp(going, event.id, "going"), 200);
		await expectStatus(await rsvp(waiting, event.id, "going"), 200);
		const { client: goings } = await openStream(going);
		const { client: waitings } = await openStream(waiting);

		// The mirror of the event's RSVPs writes the promotion inside the EventRsvp object: it pokes.
		await expectStatus(await rsvp(going, event.id, "not_going"), 200);
		expect(notificationOf(await waitings.takeType("notification"))).toMatchObject({
			type: "waitlist_promoted",
			subject: { type: "event", id: event.id },
		});
		await waitings.takeType("unread_count", countFrame(1));

		// A cancellation is a fan-out: written by the queue consumer, which pokes whom it told.
		await expectStatus(
			await call("POST", `/api/v1/fellowship/events/${event.id}/cancel`, { token: owner.token }),
			200,
		);
		expect(notificationOf(await waitings.takeType("notification"))).toMatchObject({
			type: "event_cancelled",
			subject: { type: "event", id: event.id },
		});
		await settle();
		expect(goings.pending((f) => f.type === "notification")).toEqual([]);
		goings.close();
		waitings.close();
	});

	it("pokes, through their push jobs, attendees of an event told in bulk (more than DIRECT_POKES people)", async () => {
		const owner = await organiser("stream-bulk-owner");
		const group = await createGroup(owner);
		const people = await insertActiveMembers(group.id, DIRECT_POKES + 5);
		const event = await createEvent(owner, group.id, { capacity: people.length });
		for (const person of people) await expectStatus(await rsvp(person, event.id, "going"), 200);
		const watcher = people.at(-1) as TestUser;
		const { client } = await openStream(watcher);
		await expectStatus(
			await call("POST", `/api/v1/fellowship/events/${event.id}/cancel`, { token: owner.token }),
			200,
		);
		expect(notificationOf(await client.takeType("notification"))).toMatchObject({
			type: "event_cancelled",
			subject: { type: "event", id: event.id },
		});
		client.close();
	});

	it("pokes the author the scheduled moderation re-check told that their post is hidden", async () => {
		const author = await signUp("stream-recheck-author");
		const { client } = await openStream(author);
		const postId = await insertRow("posts", {
			author_id: author.id,
			type: "text",
			body: "I will kill you if I see you again.",
			visibility: "public",
		});
		await runScheduledTasks(env);
		expect(notificationOf(await client.takeType("notification"))).toMatchObject({
			type: "content_moderated",
			subject: { type: "post", id: postId },
		});
		await client.takeType("unread_count", countFrame(1));
		client.close();
	});

	it("pokes a person whose habit reminder the minute cron fired", async () => {
		const person = await signUp("stream-reminder");
		// The cron's minute is tomorrow's, at the habit's reminder time (the person's zone is UTC).
		const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 86_400_000);
		const habit = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/garden/habits", {
				token: person.token,
				body: {
					name: "Stretch",
					category: "health",
					reminder_enabled: true,
					reminder_time: at.toISOString().slice(11, 16),
				},
			}),
			201,
		);
		await env.DB.prepare("UPDATE habits SET next_reminder_at = ? WHERE id = ?")
			.bind(at.toISOString(), habit.id)
			.run();
		const { client } = await openStream(person);
		await runScheduledTasks(env, at, "* * * * *");
		expect(notificationOf(await client.takeType("notification"))).toMatchObject({
			type: "habit_reminder",
			subject: { type: "habit", id: habit.id },
		});
		client.close();
	});
});

describe("closing", () => {
	it("closes every device's stream when a guardian suspends the person", async () => {
		const alice = await signUp("stream-suspend-a");
		const { client: phone } = await openStream(alice);
		const { client: laptop } = await openStream(alice);
		const admin = await guardian("stream-suspend-admin");
		await expectStatus(
			await call("PATCH", `/api/v1/guardians/users/${alice.id}`, {
				token: admin.token,
				body: { suspension: { duration: "7d" }, reason: "Harassment" },
			}),
			200,
		);
		for (const device of [phone, laptop]) expect((await device.closed).code).toBe(ACCOUNT_CLOSED);
		await expectProblem(await call("POST", "/api/v1/stream/tickets", { token: alice.token }), 403);
	});

	it("closes the stream of a deleted account and forgets what it kept", async () => {
		const alice = await signUp("stream-delete-a");
		const bea = await signUp("stream-delete-b");
		const post = await postOf(alice);
		const { client } = await openStream(alice);
		const unspent = await streamTicket(alice);
		await expectStatus(await commentOn(bea, post.id, "hello"), 201);
		await client.takeType("notification");

		expect((await call("DELETE", "/api/v1/users/me", { token: alice.token })).status).toBe(204);
		expect((await client.closed).code).toBe(ACCOUNT_CLOSED);
		// A ticket issued before the deletion opens nothing after it: it went with the account.
		expect(await refusal(await upgradeStream({ ticket: unspent }))).toEqual({
			code: 4401,
			reason: "ticket_expired",
		});
		const kept = await runInDurableObject(streamOf(env, alice.id), (_object, state) => ({
			meta: state.storage.sql.exec("SELECT count(*) AS n FROM meta").one().n,
			sent: state.storage.sql.exec("SELECT count(*) AS n FROM sent").one().n,
		}));
		expect(kept).toEqual({ meta: 0, sent: 0 });
	});
});
