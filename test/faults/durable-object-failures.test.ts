/**
 * Durable Objects failing mid-request: a ChatRoom that throws, every object aborted while requests are
 * in flight, an object evicted while requests are in flight. The client always gets either the answer or a
 * clear 503 problem+json with Retry-After (never a 500), and nothing is lost: a retried send is stored once,
 * every RSVP ends up counted, `going` never exceeds the capacity.
 */

import { abortAllDurableObjects, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { rsvpObject } from "../../src/modules/fellowship/rsvp-client";
import { roomFor } from "../../src/modules/orchard/chat";
import { createEvent, createGroup, insertActiveMembers, organiser, rsvp } from "../fellowship/helpers";
import { connectedPair } from "../orchard/helpers";
import { call, expectProblem, expectStatus, type TestUser } from "../support/api";

type Message = { id: string; seq: number; text: string; client_message_id: string | null };

const send = (from: TestUser, to: TestUser, text: string, clientMessageId: string) =>
	call("POST", `/api/v1/orchard/conversations/${to.id}/messages`, {
		token: from.token,
		body: { text, client_message_id: clientMessageId },
	});

async function history(viewer: TestUser, peer: TestUser): Promise<Message[]> {
	const page = await expectStatus<{ data: Message[] }>(
		await call("GET", `/api/v1/orchard/conversations/${peer.id}/messages?limit=100`, { token: viewer.token }),
		200,
	);
	return page.data;
}

/** Sends until each message is stored, retrying 503s with the same client_message_id; returns the statuses seen. */
async function sendAll(from: TestUser, to: TestUser, texts: string[], during?: () => Promise<unknown>) {
	const statuses: number[] = [];
	const attempt = async (text: string) => {
		const response = await send(from, to, text, `cm-${text}`);
		statuses.push(response.status);
		if (response.status === 503) {
			expect(response.headers.get("content-type")).toContain("application/problem+json");
			expect(response.headers.get("Retry-After")).toBeTruthy();
		} else {
			expect([200, 201]).toContain(response.status);
		}
		return response.status;
	};
	const first = Promise.all(texts.map(attempt));
	await during?.();
	const results = await first;
	for (const [i, status] of results.entries()) {
		if (status !== 503) continue;
		const text = texts[i] as string;
		let retried = 503;
		for (let tries = 0; retried === 503 && tries < 5; tries++) retried = await attempt(text);
		expect([200, 201]).toContain(retried);
	}
	return statuses;
}

describe("a ChatRoom that throws", () => {
	it("answers 503 (not 500) on every path into the room, and the retried send is stored once", async () => {
		const [a, b] = await connectedPair("do-throws");
		expect((await send(a, b, "before the fault", "cm-1")).status).toBe(201);
		const room = roomFor(env, a.id, b.id);
		// Storage that no longer matches the room: every call that checks it throws inside the object.
		const stored = await runInDurableObject(room, (instance, state) => {
			const value = state.storage.sql
				.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'conversation_id'")
				.one().value;
			state.storage.sql.exec("UPDATE meta SET value = 'someone:else' WHERE key = 'conversation_id'");
			// The room reads `meta` through a memory copy: it is reloaded from the storage changed here.
			Object.assign(instance, { meta: undefined });
			return value;
		});

		const failed = await send(a, b, "during the fault", "cm-2");
		const problem = await expectProblem(failed, 503);
		expect(problem.request_id).toBe(failed.headers.get("X-Request-Id"));
		expect(failed.headers.get("Retry-After")).toBeTruthy();
		expect(JSON.stringify(problem)).not.toContain("ChatRoom");
		await expectProblem(
			await call("GET", `/api/v1/orchard/conversations/${b.id}/messages`, { token: a.token }),
			503,
		);
		await expectProblem(
			await call("POST", `/api/v1/orchard/conversations/${b.id}/read`, { token: a.token, body: { seq: 1 } }),
			503,
		);

		await runInDurableObject(room, (instance, state) => {
			state.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'conversation_id'", stored);
			Object.assign(instance, { meta: undefined });
		});
		expect((await send(a, b, "during the fault", "cm-2")).status).toBe(201);
		expect((await send(a, b, "during the fault", "cm-2")).status).toBe(200); // a retry of a stored send
		expect((await history(b, a)).map((m) => m.text)).toEqual(["during the fault", "before the fault"]);
	});
});

/**
 * Closes `stub`'s input gate for a few seconds (`blockConcurrencyWhile`), so that calls made meanwhile queue
 * inside the object: they are in flight, reliably, when the test aborts every object. Not awaited: the
 * hold itself ends with the abort.
 */
async function holdBusy(stub: DurableObjectStub): Promise<void> {
	void runInDurableObject(stub, (_instance, state) => {
		void state.blockConcurrencyWhile(() => new Promise((resolve) => setTimeout(resolve, 3_000)));
	}).catch(() => undefined);
	await settle();
}

/** Time for the hold to start, or for requests to reach the object and queue there. */
function settle() {
	return new Promise((resolve) => setTimeout(resolve, 150));
}

describe("objects aborted mid-request", () => {
	it("chat: sends queued in the room answer 503 (not 500); retries store each message exactly once", async () => {
		const [a, b] = await connectedPair("do-abort-chat");
		expect((await send(a, b, "earlier", "cm-earlier")).status).toBe(201);
		const texts = Array.from({ length: 6 }, (_, i) => `m${i}`);
		await holdBusy(roomFor(env, a.id, b.id));
		const statuses = await sendAll(a, b, texts, async () => {
			await settle();
			await abortAllDurableObjects();
		});
		expect(statuses.slice(0, texts.length)).toEqual(texts.map(() => 503));
		const stored = (await history(b, a)).map((m) => m.text);
		expect(stored.sort()).toEqual(["earlier", ...texts].sort());
	});

	it("RSVPs: calls queued in the event's object answer 503; after retries all are counted, going never above capacity", async () => {
		const owner = await organiser("do-abort-rsvp");
		const group = await createGroup(owner);
		const event = await createEvent(owner, group.id, { capacity: 5 });
		const members = await insertActiveMembers(group.id, 12);
		// Two members are in before the fault; the other ten arrive while the object is busy.
		for (const member of members.slice(0, 2))
			expect((await rsvp(member, event.id, "going")).status).toBe(200);
		const statuses: number[] = [];
		const attempt = async (member: TestUser) => {
			const response = await rsvp(member, event.id, "going");
			statuses.push(response.status);
			return response.status;
		};
		await holdBusy(rsvpObject(env, event.id));
		const first = Promise.all(members.slice(2).map(attempt));
		await settle();
		await abortAllDurableObjects();
		const results = await first;
		expect(results).toEqual(results.map(() => 503));
		for (const [i, status] of results.entries()) {
			let retried = status;
			for (let tries = 0; retried === 503 && tries < 5; tries++)
				retried = await attempt(members[i + 2] as TestUser);
			expect(retried).toBe(200);
		}
		expect(statuses).not.toContain(500);

		const detail = await expectStatus<{ rsvp_counts: { going: number; waitlisted: number } }>(
			await call("GET", `/api/v1/fellowship/events/${event.id}`, { token: owner.token }),
			200,
		);
		expect(detail.rsvp_counts).toMatchObject({ going: 5, waitlisted: 7 });
		const mirrored = await env.DB.prepare(
			"SELECT status, count(*) AS n FROM event_rsvps WHERE event_id = ? GROUP BY status ORDER BY status",
		)
			.bind(event.id)
			.all<{ status: string; n: number }>();
		expect(mirrored.results).toEqual([
			{ status: "going", n: 5 },
			{ status: "waitlisted", n: 7 },
		]);
		// The two who were in before the fault kept their seats.
		for (const member of members.slice(0, 2)) {
			const mine = await env.DB.prepare("SELECT status FROM event_rsvps WHERE event_id = ? AND user_id = ?")
				.bind(event.id, member.id)
				.first<{ status: string }>();
			expect(mine?.status).toBe("going");
		}
	});
});

describe("an object evicted mid-request", () => {
	it("finishes the requests in flight and loses nothing", async () => {
		const [a, b] = await connectedPair("do-evict");
		expect((await send(a, b, "warm up", "cm-warm")).status).toBe(201);
		const room = roomFor(env, a.id, b.id);
		const texts = Array.from({ length: 8 }, (_, i) => `e${i}`);
		const statuses = await sendAll(a, b, texts, () => evictDurableObject(room));
		expect(statuses).not.toContain(500);
		expect((await history(b, a)).map((m) => m.text).sort()).toEqual(["warm up", ...texts].sort());
		// A fresh instance reads everything back from storage.
		await evictDurableObject(roomFor(env, a.id, b.id)).catch(() => undefined);
		expect((await history(a, b)).map((m) => m.seq)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
	});
});
