/**
 * A remembered caller's read (src/core/accounts/remembered-callers.ts, src/db/session.ts `rideAlong`): on a
 * warm isolate the caller's row rides along with the request's first D1 round trip instead of costing one of
 * its own, and the rules still hold exactly — roles, trust and suspension from D1 on every request, nothing
 * the request read handed back or written before the row was judged.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { holdEffectsUntil } from "../../src/auth/held-effects";
import { createDb } from "../../src/db/client";
import { inSession, openSession, rideAlong } from "../../src/db/session";
import type { Bindings } from "../../src/env";
import { Problem } from "../../src/lib/problem";
import {
	call,
	callWithConfig,
	expectProblem,
	expectStatus,
	setUserColumns,
	signUp,
	type TestUser,
	tokenFor,
	uniqueSub,
} from "../support/api";
import { countingD1 } from "../support/d1-counter";

/** Calls through a counting binding: the answer, and what reached D1 in which round trip. */
async function traced(method: string, path: string, token: string, body?: unknown) {
	const counter = countingD1(env.DB);
	const response = await callWithConfig({ DB: counter.db }, method, path, {
		token,
		...(body !== undefined ? { body } : {}),
	});
	return { response, counter };
}

const tablesOf = (sql: string) => /\bfrom\s+"?(\w+)"?/i.exec(sql)?.[1];

let user: TestUser;

beforeAll(async () => {
	user = await signUp("remembered");
	// Any request remembers the caller in this isolate.
	await expectStatus(await call("GET", "/api/v1/users/me", { token: user.token }), 200);
});

describe("a remembered caller's read", () => {
	it("costs one round trip: the caller's row travels with the read's own query", async () => {
		const { response, counter } = await traced("GET", "/api/v1/notifications/unread-count", user.token);
		expect(response.status).toBe(200);
		expect(counter.roundTrips).toBe(1);
		const first = counter.executed
			.filter((statement) => statement.roundTrip === 1)
			.map((s) => tablesOf(s.sql));
		expect(first).toContain("users");
		expect(first).toContain("notifications");
	});

	it("is refused once the person is suspended, and nothing of what was read is answered", async () => {
		const person = await signUp("remembered-suspended");
		await call("POST", "/api/v1/garden/habits", {
			token: person.token,
			body: { name: "Secret habit name", category: "health" },
		});
		expect((await call("GET", "/api/v1/garden", { token: person.token })).status).toBe(200);
		await setUserColumns(person.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		const refused = await call("GET", "/api/v1/garden", { token: person.token });
		const problem = await expectProblem(refused, 403);
		expect(JSON.stringify(problem)).not.toContain("Secret habit name");
		expect(problem.detail).toContain("suspended");
	});

	it("reads the role from D1 every time: a guardian route refuses, then lets in, then refuses again", async () => {
		const person = await signUp("remembered-role");
		await expectStatus(await call("GET", "/api/v1/users/me", { token: person.token }), 200);
		await expectProblem(await call("GET", "/api/v1/guardians/queue", { token: person.token }), 403);
		await setUserColumns(person.id, { role: "guardian" });
		expect((await call("GET", "/api/v1/guardians/queue", { token: person.token })).status).toBe(200);
		await setUserColumns(person.id, { role: "user" });
		await expectProblem(await call("GET", "/api/v1/guardians/queue", { token: person.token }), 403);
	});

	it("is judged before the answer leaves even when the route never asks D1 anything", async () => {
		const person = await signUp("remembered-no-d1");
		expect((await call("GET", "/api/v1/push/public-key", { token: person.token })).status).toBe(200);
		await setUserColumns(person.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(await call("GET", "/api/v1/push/public-key", { token: person.token }), 403);
	});

	it("is told to retry when the remembered account is gone (deleted elsewhere), then starts afresh", async () => {
		const sub = uniqueSub("remembered-gone");
		const token = await tokenFor(sub);
		const before = await expectStatus<{ id: string }>(await call("GET", "/api/v1/users/me", { token }), 200);
		// What account deletion does to the row, done behind this isolate's back (as another isolate would).
		await env.DB.prepare("UPDATE users SET auth0_sub = 'deleted:' || id, deleted_at = ? WHERE id = ?")
			.bind(new Date().toISOString(), before.id)
			.run();
		const retry = await call("GET", "/api/v1/notifications/unread-count", { token });
		await expectProblem(retry, 503);
		expect(retry.headers.get("Retry-After")).toBe("0");
		// The retry signs in to a new account: never the deleted one's data.
		expect((await call("GET", "/api/v1/notifications/unread-count", { token })).status).toBe(200);
		const after = await expectStatus<{ id: string }>(await call("GET", "/api/v1/users/me", { token }), 200);
		expect(after.id).not.toBe(before.id);
	});

	it("forgets a deleted account in the isolate that deleted it: the next sign-in is a new account", async () => {
		const sub = uniqueSub("remembered-deleted");
		const token = await tokenFor(sub);
		const before = await expectStatus<{ id: string }>(await call("GET", "/api/v1/users/me", { token }), 200);
		const deleted = await call("DELETE", "/api/v1/users/me", { token });
		expect([202, 204]).toContain(deleted.status);
		expect((await call("GET", "/api/v1/notifications/unread-count", { token })).status).toBe(200);
		const after = await expectStatus<{ id: string }>(await call("GET", "/api/v1/users/me", { token }), 200);
		expect(after.id).not.toBe(before.id);
	});
});

describe("a remembered caller's write", () => {
	const isWrite = (sql: string) => /^\s*(insert|update|delete|replace)\b/i.test(sql);

	it("sends its checks with the caller's row, and writes only in a later round trip", async () => {
		const post = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/flourish/posts", {
				token: user.token,
				body: { type: "text", body: "A walk at dawn", visibility: "public" },
			}),
			201,
		);
		const { response, counter } = await traced(
			"PUT",
			`/api/v1/flourish/posts/${post.id}/reaction`,
			user.token,
			{ reaction_type: "love" },
		);
		expect(response.status).toBe(200);
		expect(counter.roundTrips).toBe(2);
		const first = counter.executed.filter((statement) => statement.roundTrip === 1);
		expect(first.map((s) => tablesOf(s.sql))).toEqual(expect.arrayContaining(["users", "posts"]));
		expect(first.filter((s) => isWrite(s.sql))).toEqual([]);
	});

	it("is refused once the person is suspended, and writes nothing", async () => {
		const person = await signUp("remembered-write-suspended");
		await expectStatus(await call("GET", "/api/v1/users/me", { token: person.token }), 200);
		await setUserColumns(person.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		const refused = await call("POST", "/api/v1/garden/habits", {
			token: person.token,
			body: { name: "Never written", category: "health" },
		});
		await expectProblem(refused, 403);
		const written = await env.DB.prepare("SELECT count(*) AS n FROM habits WHERE user_id = ?")
			.bind(person.id)
			.first<{ n: number }>();
		expect(written?.n).toBe(0);
	});

	it("reads the role from D1 every time: a demoted guardian can no longer delete another person's post", async () => {
		const author = await signUp("remembered-write-author");
		const moderator = await signUp("remembered-write-guardian");
		await setUserColumns(moderator.id, { role: "guardian" });
		await expectStatus(await call("GET", "/api/v1/users/me", { token: moderator.token }), 200);
		const post = async () =>
			expectStatus<{ id: string }>(
				await call("POST", "/api/v1/flourish/posts", {
					token: author.token,
					body: { type: "text", body: "My journal, shared", visibility: "public" },
				}),
				201,
			);
		const first = await post();
		expect(
			(await call("DELETE", `/api/v1/flourish/posts/${first.id}`, { token: moderator.token })).status,
		).toBe(204);
		await setUserColumns(moderator.id, { role: "user" });
		const second = await post();
		await expectProblem(
			await call("DELETE", `/api/v1/flourish/posts/${second.id}`, { token: moderator.token }),
			403,
		);
		const still = await env.DB.prepare("SELECT deleted_at FROM posts WHERE id = ?")
			.bind(second.id)
			.first<{ deleted_at: string | null }>();
		expect(still?.deleted_at).toBeNull();
	});
});

describe("the rider (db/session)", () => {
	const refusing = () => ({
		statement: (session: D1DatabaseSession) => session.prepare("SELECT 1 AS one"),
		settle: async () => {
			throw new Problem(403, { detail: "refused" });
		},
	});

	it("withholds every result of queries sent while the verdict is pending, and sends no write", async () => {
		const db = createDb(env.DB);
		const marker = `rider-${Date.now()}`;
		await inSession(env.DB, openSession(env.DB, "first-primary"), async () => {
			rideAlong(env.DB, refusing());
			const reads = await Promise.allSettled([
				db.$client.prepare("SELECT count(*) AS n FROM users").first(),
				db.$client.prepare("SELECT count(*) AS n FROM habits").all(),
				db.$client.batch([db.$client.prepare("SELECT 1")]),
			]);
			expect(reads.map((read) => read.status)).toEqual(["rejected", "rejected", "rejected"]);
			const write = db.$client
				.prepare("INSERT INTO idempotency_keys (key, user_id, request_hash, expires_at) VALUES (?, ?, ?, ?)")
				.bind(marker, user.id, "x", new Date().toISOString())
				.run();
			await expect(write).rejects.toBeInstanceOf(Problem);
		});
		const written = await env.DB.prepare("SELECT count(*) AS n FROM idempotency_keys WHERE key = ?")
			.bind(marker)
			.first<{ n: number }>();
		expect(written?.n).toBe(0);
	});

	it("lets results through once the verdict accepts", async () => {
		const db = createDb(env.DB);
		await inSession(env.DB, openSession(env.DB, "first-primary"), async () => {
			const ride = rideAlong(env.DB, {
				statement: (session) => session.prepare("SELECT 1 AS one"),
				settle: async (result) => {
					expect(result.results).toEqual([{ one: 1 }]);
				},
			});
			const row = await db.$client.prepare("SELECT 2 AS two").first<{ two: number }>();
			expect(row?.two).toBe(2);
			await ride.verdict();
		});
	});
});

describe("effects outside D1 (auth/held-effects)", () => {
	it("wait for the verdict, and are never made when it refuses", async () => {
		const refusal = new Problem(403, { detail: "refused" });
		let asked = 0;
		const held = holdEffectsUntil(env as unknown as Bindings, async () => {
			asked++;
			throw refusal;
		});
		const key = `held-effects-${Date.now()}`;
		await expect(held.CACHE.put(key, "x")).rejects.toBe(refusal);
		expect(await env.CACHE.get(key)).toBeNull();
		await expect(held.NOTIFY_QUEUE.send({ fanOutId: key })).rejects.toBe(refusal);
		const room = held.CHAT_ROOM.get(held.CHAT_ROOM.idFromName(key));
		await expect(room.history({} as never)).rejects.toBe(refusal);
		const stream = held.PERSON_STREAM.get(held.PERSON_STREAM.idFromName(key));
		await expect(stream.message({} as never)).rejects.toBe(refusal);
		expect(asked).toBe(4);
		// Reads of KV are not effects: they run.
		expect(await held.CACHE.get(key)).toBeNull();
	});
});
