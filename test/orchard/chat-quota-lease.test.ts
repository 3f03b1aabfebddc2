/**
 * The daily chat message quota, leased (durable-objects/chat-quota.ts): rooms lease blocks from the
 * sender's PersonStream and spend them from their own storage.
 * - across several conversations of one sender the limit is never passed (bound 0 over), and the next
 *   message is refused with the same 429 as before;
 * - under-use: a refusal recalls the unspent units of the sender's other rooms first, so it comes only when
 *   the limit is spent (the stated bound, LEASE_MAX × unreachable rooms, is 0 here); blocks shrink as the
 *   allowance runs out;
 * - a new UTC day gives a new allowance; leases survive eviction without granting extra; refunds go back.
 * The D1 round trips of a send are counted in chat-room-standing.test.ts (0 on the typical send).
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SendOutcome } from "../../durable-objects/chat-protocol";
import { consumeChatQuota, LEASE_FRACTION, LEASE_MAX } from "../../durable-objects/chat-quota";
import type { CurrentUser } from "../../src/core/accounts/current-user";
import { conversationIdOf } from "../../src/core/chat-access";
import { Problem } from "../../src/lib/problem";
import { roomFor } from "../../src/modules/orchard/chat";
import { call, expectProblem, expectStatus, signUp, type TestUser } from "../support/api";
import { api, connect, messagesCounted, sendHeldInScreening, sendRest } from "./helpers";

const LIMIT = 500; // new_sprout's messages per UTC day (core/quotas)
const today = () => new Date().toISOString().slice(0, 10);

/** Uses of today counted in D1 before the lease existed: the first lease of the day starts from them. */
async function countedInD1(userId: string, count: number, day = today()) {
	const now = new Date().toISOString();
	await env.DB.prepare(
		`INSERT INTO daily_quotas (id, user_id, day, kind, count, created_at, updated_at) VALUES (?, ?, ?, 'messages', ?, ?, ?)
		 ON CONFLICT (user_id, day, kind) DO UPDATE SET count = excluded.count`,
	)
		.bind(crypto.randomUUID(), userId, day, count, now, now)
		.run();
}

/** A sender connected to `peers` people. */
async function senderWithPeers(label: string, peers: number): Promise<[TestUser, TestUser[]]> {
	const sender = await signUp(`${label}-s`);
	const others: TestUser[] = [];
	for (let k = 0; k < peers; k++) {
		const peer = await signUp(`${label}-p${k}`);
		await connect(sender, peer);
		others.push(peer);
	}
	return [sender, others];
}

const send = (sender: TestUser, peer: TestUser, clientMessageId: string): Promise<SendOutcome> =>
	roomFor(env, sender.id, peer.id).send({
		senderId: sender.id,
		peerId: peer.id,
		text: `message ${clientMessageId}`,
		clientMessageId,
		country: null,
	});

const storedBy = (sender: TestUser, peer: TestUser) =>
	runInDurableObject(
		roomFor(env, sender.id, peer.id),
		(_room, state) =>
			state.storage.sql
				.exec<{ n: number }>("SELECT count(*) AS n FROM messages WHERE sender_id = ?", sender.id)
				.one().n,
	);

const lease = (sender: TestUser, peer: TestUser) =>
	runInDurableObject(
		roomFor(env, sender.id, peer.id),
		(_room, state) =>
			state.storage.sql
				.exec<{ remaining: number; spent: number }>(
					"SELECT remaining, spent FROM chat_quota_leases WHERE user_id = ? AND day = ?",
					sender.id,
					today(),
				)
				.toArray()[0],
	);

const granted = (userId: string, day = today()) =>
	runInDurableObject(
		env.PERSON_STREAM.get(env.PERSON_STREAM.idFromName(userId)),
		(_stream, state) =>
			state.storage.sql
				.exec<{ granted: number }>("SELECT granted FROM chat_quota WHERE day = ?", day)
				.toArray()[0]?.granted ?? 0,
	);

describe("the daily message quota, leased", () => {
	it("holds across 3 conversations sending concurrently: never more than the limit, then the same 429", async () => {
		const [alice, peers] = await senderWithPeers("lease-3rooms", 3);
		const left = 30;
		await countedInD1(alice.id, LIMIT - left);
		const perRoom = 16;
		const outcomes = await Promise.all(
			peers.flatMap((peer, room) =>
				Array.from({ length: perRoom }, (_, k) => send(alice, peer, `r${room}-${k}`)),
			),
		);
		const stored = outcomes.filter((outcome) => outcome.ok).length;
		const refused = outcomes.filter((outcome) => !outcome.ok);
		expect(stored).toBe(left);
		const inRooms = await Promise.all(peers.map((peer) => storedBy(alice, peer)));
		expect(inRooms.reduce((a, b) => a + b, 0)).toBe(left);
		expect(await granted(alice.id)).toBeLessThanOrEqual(LIMIT);
		for (const outcome of refused) {
			expect(outcome).toMatchObject({
				ok: false,
				error: {
					status: 429,
					code: "rate_limited",
					extensions: { limit_kind: "messages", limit: LIMIT },
				},
			});
		}
		// The next message, on REST, is the same 429 problem as before the lease.
		const [bob] = peers as [TestUser];
		const response = await call("POST", `${api}/conversations/${bob.id}/messages`, {
			token: alice.token,
			body: { text: "one more" },
		});
		const problem = await expectProblem(response, 429);
		expect(problem.type).toBe("urn:flourish:problem:daily-limit");
		expect(problem).toMatchObject({ limit_kind: "messages", limit: LIMIT });
		expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
		expect(response.headers.get("RateLimit-Policy")).toBe(`"messages";q=${LIMIT};w=86400`);
	});

	it("under-use bound: a refusal first recalls the other rooms' unspent units, so the whole limit is usable", async () => {
		const [alice, [bob, carol] = []] = await senderWithPeers("lease-underuse", 2);
		if (!bob || !carol) throw new Error("peers");
		const left = 30;
		await countedInD1(alice.id, LIMIT - left);
		// One message with Bob: the room leases a block, small because few remain, and holds the rest unspent.
		expect((await send(alice, bob, "b-0")).ok).toBe(true);
		const block = Math.min(LEASE_MAX, Math.ceil(left / LEASE_FRACTION));
		expect(await lease(alice, bob)).toEqual({ remaining: block - 1, spent: 1 });
		// With Carol, Alice sends until refused: every remaining unit, including Bob's room's unspent ones.
		let sentToCarol = 0;
		for (;;) {
			const outcome = await send(alice, carol, `c-${sentToCarol}`);
			if (!outcome.ok) {
				expect(outcome.error.status).toBe(429);
				break;
			}
			sentToCarol++;
		}
		expect(1 + sentToCarol).toBe(left);
		expect(await lease(alice, bob)).toEqual({ remaining: 0, spent: 1 });
		expect((await send(alice, bob, "b-1")).ok).toBe(false);
		expect(await granted(alice.id)).toBe(LIMIT);
	});

	it("a new UTC day gives a new allowance", async () => {
		const [alice, [bob] = []] = await senderWithPeers("lease-day", 1);
		if (!bob) throw new Error("peer");
		await countedInD1(alice.id, LIMIT);
		expect(await send(alice, bob, "today")).toMatchObject({ ok: false, error: { status: 429 } });
		const sender = { id: alice.id, role: "member", trustLevel: "new_sprout" } as unknown as CurrentUser;
		const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
		const holder = conversationIdOf(alice.id, bob.id);
		await runInDurableObject(roomFor(env, alice.id, bob.id), async (_room, state) => {
			await expect(
				consumeChatQuota(state.storage.sql, new Map(), env.PERSON_STREAM, holder, sender, new Date()),
			).rejects.toBeInstanceOf(Problem);
			const use = await consumeChatQuota(
				state.storage.sql,
				new Map(),
				env.PERSON_STREAM,
				holder,
				sender,
				tomorrow,
			);
			expect(use.day).toBe(tomorrow.toISOString().slice(0, 10));
		});
		expect(await granted(alice.id, tomorrow.toISOString().slice(0, 10))).toBe(LEASE_MAX);
	});

	it("leases survive eviction of the room and of the person's stream, without granting extra", async () => {
		const [alice, [bob] = []] = await senderWithPeers("lease-evict", 1);
		if (!bob) throw new Error("peer");
		const left = 12;
		await countedInD1(alice.id, LIMIT - left);
		expect((await send(alice, bob, "e-0")).ok).toBe(true);
		const block = Math.ceil(left / LEASE_FRACTION);
		expect(await lease(alice, bob)).toEqual({ remaining: block - 1, spent: 1 });
		const grantedBefore = await granted(alice.id);
		await evictDurableObject(roomFor(env, alice.id, bob.id));
		await evictDurableObject(env.PERSON_STREAM.get(env.PERSON_STREAM.idFromName(alice.id)));
		// The rest of the block is spent from the evicted room's storage: no new grant.
		for (let k = 1; k < block; k++) expect((await send(alice, bob, `e-${k}`)).ok).toBe(true);
		expect(await granted(alice.id)).toBe(grantedBefore);
		// And the day's allowance is exactly what remains, nothing more.
		let more = 0;
		while ((await send(alice, bob, `more-${more}`)).ok) more++;
		expect(block + more).toBe(left);
		expect(await storedBy(alice, bob)).toBe(left);
	});

	it("a message refused at its commit point gives its use back (usable in another room)", async () => {
		const [alice, [bob, carol] = []] = await senderWithPeers("lease-refund", 2);
		if (!bob || !carol) throw new Error("peers");
		await countedInD1(alice.id, LIMIT - 1);
		const { inFlight, release } = await sendHeldInScreening(alice, bob, "the last one", "last");
		await expectStatus(await call("PUT", `${api}/blocks/${alice.id}`, { token: bob.token }), 201);
		release();
		expect(await inFlight).toMatchObject({ ok: false });
		expect(await messagesCounted(alice.id, bob.id)).toBe(0);
		// The unit went back to Bob's room's lease; Carol's room gets it by recall.
		await sendRest(alice, carol.id, "still one left");
		await expectProblem(
			await call("POST", `${api}/conversations/${carol.id}/messages`, {
				token: alice.token,
				body: { text: "and now none" },
			}),
			429,
		);
	});

	it("a recall while a send is being screened never takes the unit promised to it (never over, never short)", async () => {
		const [alice, [bob, carol] = []] = await senderWithPeers("lease-promised", 2);
		if (!bob || !carol) throw new Error("peers");
		await countedInD1(alice.id, LIMIT - 1);
		const { inFlight, release } = await sendHeldInScreening(alice, bob, "the last one", "promised");
		// The only unit left is promised to the send in Bob's room: Carol's room recalls, and gets nothing.
		await expectProblem(
			await call("POST", `${api}/conversations/${carol.id}/messages`, {
				token: alice.token,
				body: { text: "meanwhile" },
			}),
			429,
		);
		release();
		expect(await inFlight).toMatchObject({ ok: true });
		expect(await messagesCounted(alice.id, bob.id)).toBe(1);
		expect(await storedBy(alice, bob)).toBe(1);
	});
});
