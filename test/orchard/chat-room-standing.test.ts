/**
 * The ChatRoom holds the right to chat and writes D1 behind (durable-objects/chat-room.ts):
 * - a block racing a stream of sends: once the block has answered, no later message is stored or delivered;
 * - a revoking write whose post-commit call to the room failed is still covered by its fence, across eviction;
 * - what grants the right again is found by the room itself;
 * - a typical send makes no D1 round trip (the daily quota is leased: chat-quota-lease.test.ts);
 * - summaries and queue items are written behind, coalesced (at most one write per second), retried with
 *   backoff, and nothing is lost when the room is evicted or D1 fails in between.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type ChatRoom, SUMMARY_INTERVAL_MS } from "../../durable-objects/chat-room";
import type { Bindings } from "../../src/env";
import { fenceRoom, roomFor } from "../../src/modules/orchard/chat";
import { call, expectProblem, expectStatus, signUp, type TestUser } from "../support/api";
import { countingD1 } from "../support/d1-counter";
import {
	api,
	connect,
	connectedPair,
	type Frame,
	messagesCounted,
	openChat,
	sendHeldInScreening,
	sendRest,
	settleRoom,
	type WireMessage,
} from "./helpers";

const ACCESS_REVOKED = 4403;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function storedSeqs(a: string, b: string): Promise<number[]> {
	return runInDurableObject(roomFor(env, a, b), (_room, state) =>
		state.storage.sql
			.exec<{ seq: number }>("SELECT seq FROM messages ORDER BY seq")
			.toArray()
			.map((row) => row.seq),
	);
}

/** The room's bookkeeping of its write-behind. */
function pendingOf(a: string, b: string) {
	return runInDurableObject(roomFor(env, a, b), async (_room, state) => {
		const meta = (key: string) =>
			Number(
				state.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]
					?.value ?? 0,
			);
		return {
			dirty: meta("summaries_version") > meta("summaries_written"),
			outbox: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM d1_outbox").one().n,
			failures: meta("flush_failures"),
			lastFlush: meta("last_flush_ms"),
			alarm: await state.storage.getAlarm(),
		};
	});
}

type ListItem = {
	peer: { id: string };
	last_message: { preview: string; seq: number };
	unread_count: number;
};
async function listOf(user: TestUser): Promise<ListItem[]> {
	const page = await expectStatus<{ data: ListItem[] }>(
		await call("GET", `${api}/conversations`, { token: user.token }),
		200,
	);
	return page.data;
}

/** The real D1, except that its `batch` (the room's flush and standing reads) fails while `refusing()`. */
function refusingBatch(real: D1Database, refusing: () => boolean): D1Database {
	return new Proxy(real, {
		get(target, property) {
			if (property === "batch" && refusing()) {
				return () => Promise.reject(new Error("D1_ERROR: Network connection lost."));
			}
			const value = Reflect.get(target, property, target);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

/** Puts a D1 binding in front of the live room instance (until it is evicted). */
async function useDb(a: string, b: string, db: D1Database): Promise<void> {
	await runInDurableObject(roomFor(env, a, b), (room: ChatRoom) => {
		const live = room as unknown as { env: Bindings };
		live.env = { ...live.env, DB: db };
	});
}

describe("the right to chat, held by the room", () => {
	it("a block racing a stream of sends: nothing sent after the block answered is stored or delivered", async () => {
		const [alice, bob] = await connectedPair("race-block");
		await sendRest(bob, alice.id, "hello"); // the room is registered and holds the standing
		const { client: aliceSocket } = await openChat(alice, bob.id);
		const { client: bobSocket } = await openChat(bob, alice.id);

		let answered = false;
		const restAfterAnswer: Array<Promise<Response>> = [];
		const restBefore: Array<Promise<Response>> = [];
		const sentAfterAnswer: string[] = [];
		let i = 0;
		const socketStream = (async () => {
			for (; i < 300 && !answered; i++) {
				bobSocket.send({ type: "message", client_message_id: `ws-${i}`, text: `ws ${i}` });
				await sleep(3);
			}
			// A few more after the answer: the socket is closed by then, or they are refused.
			for (let k = 0; k < 5; k++) {
				sentAfterAnswer.push(`ws-late-${k}`);
				try {
					bobSocket.send({ type: "message", client_message_id: `ws-late-${k}`, text: "late" });
				} catch {
					// already closed by the room
				}
			}
		})();
		const restStream = (async () => {
			for (let j = 0; j < 60; j++) {
				const after = answered;
				const sent = call("POST", `${api}/conversations/${alice.id}/messages`, {
					token: bob.token,
					body: { text: `rest ${j}`, client_message_id: `rest-${j}${after ? "-after" : ""}` },
				});
				(after ? restAfterAnswer : restBefore).push(sent);
				if (after && restAfterAnswer.length >= 5) return;
				await sleep(15);
			}
		})();

		await sleep(150);
		const blocked = await call("PUT", `${api}/blocks/${bob.id}`, { token: alice.token });
		answered = true;
		// Read right after the answer: the newest seq the room stored.
		const atAnswer = await storedSeqs(alice.id, bob.id);
		expect(blocked.status).toBe(201);
		await socketStream;
		await restStream;
		for (const response of await Promise.all(restAfterAnswer)) expect(response.status).toBe(404);
		await Promise.all(restBefore);
		expect((await bobSocket.closed).code).toBe(ACCESS_REVOKED);
		expect((await aliceSocket.closed).code).toBe(ACCESS_REVOKED);
		await sleep(200);

		// The race was real: messages got through before the block (more than the first "hello").
		const lastAtAnswer = atAnswer.at(-1) ?? 0;
		expect(lastAtAnswer).toBeGreaterThan(1);
		// Nothing stored after the answer …
		expect(await storedSeqs(alice.id, bob.id)).toEqual(atAnswer);
		// … and Alice received nothing newer than what was stored by then.
		const received = aliceSocket
			.pending((frame: Frame) => frame.type === "message")
			.map((frame) => (frame.message as WireMessage).seq);
		expect(received.every((seq) => seq <= lastAtAnswer)).toBe(true);
		const stored = await runInDurableObject(roomFor(env, alice.id, bob.id), (_room, state) =>
			state.storage.sql
				.exec<{ client_message_id: string }>("SELECT client_message_id FROM messages")
				.toArray()
				.map((row) => row.client_message_id),
		);
		expect(stored.filter((id) => sentAfterAnswer.includes(id) || id.endsWith("-after"))).toEqual([]);
	});

	it("a message in flight (being screened) when the block answers is not stored", async () => {
		const [alice, bob] = await connectedPair("race-in-flight");
		await sendRest(bob, alice.id, "hello");
		// Bob's send passes the standing check and the quota, then waits in the moderation step.
		const { inFlight, release } = await sendHeldInScreening(bob, alice, "sent just before", "in-flight");
		await expectStatus(await call("PUT", `${api}/blocks/${bob.id}`, { token: alice.token }), 201);
		release();
		const outcome = await inFlight;
		expect(outcome).toMatchObject({ ok: false, error: { code: "not_found" } });
		expect((await storedSeqs(alice.id, bob.id)).length).toBe(1);
		// Its quota use was given back.
		expect(await messagesCounted(bob.id, alice.id)).toBe(1);
	});

	it("a revoking write whose call to the room failed after the commit is covered by its fence, across eviction", async () => {
		const [alice, bob] = await connectedPair("fence-fallback");
		await sendRest(bob, alice.id, "hello");
		const { client: bobSocket } = await openChat(bob, alice.id);
		// The write's first step (as routes.ts does it): fence, then commit — and the room is never told after.
		await fenceRoom(env, alice.id, bob.id);
		await env.DB.prepare(
			"DELETE FROM connections WHERE user_low_id = min(?1, ?2) AND user_high_id = max(?1, ?2)",
		)
			.bind(alice.id, bob.id)
			.run();
		await evictDurableObject(roomFor(env, alice.id, bob.id), { webSockets: "hibernate" });
		bobSocket.send({ type: "message", client_message_id: "after-commit", text: "can you read this?" });
		expect(await bobSocket.takeType("error")).toMatchObject({
			code: "forbidden",
			client_message_id: "after-commit",
		});
		expect((await bobSocket.closed).code).toBe(ACCESS_REVOKED);
		expect((await storedSeqs(alice.id, bob.id)).length).toBe(1);
	});

	it("finds by itself what grants the right again: a lifted block and a new connection", async () => {
		const [alice, bob] = await connectedPair("regrant");
		await sendRest(bob, alice.id, "hello");
		await expectStatus(await call("PUT", `${api}/blocks/${bob.id}`, { token: alice.token }), 201);
		await expectProblem(
			await call("POST", `${api}/conversations/${alice.id}/messages`, {
				token: bob.token,
				body: { text: "hi" },
			}),
			404,
		);
		await expectStatus(await call("DELETE", `${api}/blocks/${bob.id}`, { token: alice.token }), 204);
		await connect(alice, bob);
		// The room was not told: it held the refusal, and asks D1 before refusing again.
		await sendRest(bob, alice.id, "hello again");
	});

	it("a typical send makes no D1 round trip: the quota is leased, the summaries are written behind", async () => {
		const [alice, bob] = await connectedPair("round-trips");
		await sendRest(bob, alice.id, "hello");
		const { client } = await openChat(alice, bob.id);
		const counter = countingD1(env.DB);
		await useDb(alice.id, bob.id, counter.db);
		const sends = 10;
		for (let k = 0; k < sends; k++) {
			client.send({ type: "message", client_message_id: `rt-${k}`, text: `message ${k}` });
			await client.takeType("ack", (frame) => frame.client_message_id === `rt-${k}`);
		}
		const byTrip = new Map<number, string[]>();
		for (const statement of counter.executed) {
			byTrip.set(statement.roundTrip ?? 0, [...(byTrip.get(statement.roundTrip ?? 0) ?? []), statement.sql]);
		}
		const flushes = [...byTrip.values()].filter((sqls) =>
			sqls.some((sql) => sql.includes("conversation_summaries")),
		);
		const onTheSendPath = [...byTrip.values()].filter(
			(sqls) => !sqls.some((sql) => sql.includes("conversation_summaries")),
		);
		expect(onTheSendPath).toEqual([]);
		expect(flushes.length).toBeLessThan(sends);
		client.close();
	});
});

describe("D1 written behind", () => {
	it("coalesces the summaries: at most one write per room per second under a burst", async () => {
		const [alice, bob] = await connectedPair("coalesce");
		await sendRest(bob, alice.id, "hello");
		const { client } = await openChat(alice, bob.id);
		const counter = countingD1(env.DB);
		await useDb(alice.id, bob.id, counter.db);
		const started = Date.now();
		const burst = 40;
		for (let k = 0; k < burst; k++) {
			client.send({ type: "message", client_message_id: `b-${k}`, text: `burst ${k}` });
		}
		for (let k = 0; k < burst; k++) await client.takeType("ack");
		await sleep(SUMMARY_INTERVAL_MS + 500);
		await settleRoom(alice.id, bob.id);
		const elapsed = Date.now() - started;
		const summaryTrips = new Set(
			counter.executed.filter((s) => s.sql.includes("conversation_summaries")).map((s) => s.roundTrip),
		);
		expect(summaryTrips.size).toBeGreaterThan(0);
		expect(summaryTrips.size).toBeLessThanOrEqual(Math.ceil(elapsed / SUMMARY_INTERVAL_MS) + 1);
		const [item] = await listOf(bob);
		expect(item).toMatchObject({ last_message: { preview: `burst ${burst - 1}` }, unread_count: burst });
		client.close();
	});

	it("loses nothing when the room is evicted before its alarm ran", async () => {
		const [alice, bob] = await connectedPair("evict-pending");
		await sendRest(bob, alice.id, "hello");
		const { client: aliceSocket } = await openChat(alice, bob.id);
		// No write-behind reaches D1 from this instance (its summary writes wait in storage) …
		await useDb(
			alice.id,
			bob.id,
			refusingBatch(env.DB, () => true),
		);
		await sendRest(bob, alice.id, "one");
		await sendRest(bob, alice.id, "two");
		aliceSocket.send({ type: "read", seq: 2 });
		await aliceSocket.takeType("read");
		// … and the instance is gone before its alarm wrote them.
		await evictDurableObject(roomFor(env, alice.id, bob.id), { webSockets: "hibernate" });
		expect(await pendingOf(alice.id, bob.id)).toMatchObject({ dirty: true });
		expect(await runDurableObjectAlarm(roomFor(env, alice.id, bob.id))).toBe(true);
		expect(await pendingOf(alice.id, bob.id)).toMatchObject({ dirty: false, failures: 0 });
		const [aliceItem] = await listOf(alice);
		expect(aliceItem).toMatchObject({ last_message: { preview: "two" }, unread_count: 1 });
		aliceSocket.close();
	});

	it("keeps what D1 refused and retries it with backoff until it lands", async () => {
		const [alice, bob] = await connectedPair("d1-refuses");
		await sendRest(bob, alice.id, "hello");
		let refusing = true;
		await useDb(
			alice.id,
			bob.id,
			refusingBatch(env.DB, () => refusing),
		);
		await sendRest(bob, alice.id, "while D1 is down");
		await runDurableObjectAlarm(roomFor(env, alice.id, bob.id));
		const first = await pendingOf(alice.id, bob.id);
		expect(first).toMatchObject({ dirty: true, failures: 1 });
		expect((first.alarm ?? 0) - first.lastFlush).toBeGreaterThanOrEqual(2 * SUMMARY_INTERVAL_MS);
		await runDurableObjectAlarm(roomFor(env, alice.id, bob.id));
		const second = await pendingOf(alice.id, bob.id);
		expect(second.failures).toBe(2);
		expect((second.alarm ?? 0) - second.lastFlush).toBeGreaterThanOrEqual(4 * SUMMARY_INTERVAL_MS);
		expect((await listOf(alice))[0]?.last_message.preview).toBe("hello");

		refusing = false;
		await runDurableObjectAlarm(roomFor(env, alice.id, bob.id));
		expect(await pendingOf(alice.id, bob.id)).toMatchObject({ dirty: false, failures: 0 });
		expect((await listOf(alice))[0]).toMatchObject({
			last_message: { preview: "while D1 is down" },
			unread_count: 2,
		});
	});

	it("writes a brand-new room's rows before its first send answers (erasure and suspension find rooms by them)", async () => {
		const alice = await signUp("first-send-a");
		const bob = await signUp("first-send-b");
		await connect(alice, bob);
		await sendRest(alice, bob.id, "first ever");
		const [item] = await listOf(bob);
		expect(item).toMatchObject({ peer: { id: alice.id }, last_message: { preview: "first ever" } });
	});
});
