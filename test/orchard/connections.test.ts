/**
 * Connections: ask → accept/decline; asking back accepts; one row per pair; a decline cool-down; either
 * side removes; the requester cancels; listing with filters and cursors; daily request limits by trust
 * level; and every authorization boundary.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runScheduledTasks } from "../../src/scheduled";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { api } from "./helpers";

type ConnectionBody = {
	id: string;
	status: string;
	direction: string;
	connection_type: string;
	note: string;
	peer: { id: string; display_name: string };
	responded_at: string | null;
};
type Page = { data: ConnectionBody[]; next_cursor: string | null };

const ask = (from: TestUser, to: TestUser, body: Record<string, unknown> = {}) =>
	call("POST", `${api}/connections`, { token: from.token, body: { user_id: to.id, ...body } });
const answer = (user: TestUser, id: string, status: string) =>
	call("PATCH", `${api}/connections/${id}`, { token: user.token, body: { status } });
const list = async (user: TestUser, query = "") =>
	expectStatus<Page>(await call("GET", `${api}/connections${query}`, { token: user.token }), 200);

async function pairRows(a: string, b: string) {
	const { results } = await env.DB.prepare(
		"SELECT status, requester_id FROM connections WHERE (requester_id = ? AND addressee_id = ?) OR (requester_id = ? AND addressee_id = ?)",
	)
		.bind(a, b, b, a)
		.all<{ status: string; requester_id: string }>();
	return results;
}

describe("asking and answering", () => {
	it("creates a pending request the other person accepts", async () => {
		const alice = await signUp("conn-alice");
		const bob = await signUp("conn-bob");
		const request = await expectStatus<ConnectionBody>(
			await ask(alice, bob, {
				connection_type: "accountability_partner",
				note: "Let's keep each other going",
			}),
			201,
		);
		expect(request).toMatchObject({
			status: "pending",
			direction: "outgoing",
			connection_type: "accountability_partner",
			note: "Let's keep each other going",
			peer: { id: bob.id },
			responded_at: null,
		});
		expect((await list(bob)).data).toEqual([
			expect.objectContaining({
				id: request.id,
				direction: "incoming",
				peer: expect.objectContaining({ id: alice.id }),
			}),
		]);

		const accepted = await expectStatus<ConnectionBody>(await answer(bob, request.id, "accepted"), 200);
		expect(accepted).toMatchObject({ status: "accepted", direction: "incoming", peer: { id: alice.id } });
		expect(accepted.responded_at).toBeTruthy();
		expect(await pairRows(alice.id, bob.id)).toEqual([{ status: "accepted", requester_id: alice.id }]);
	});

	it("asking someone who already asked me accepts their request (200), never a second row", async () => {
		const alice = await signUp("back-alice");
		const bob = await signUp("back-bob");
		const request = await expectStatus<ConnectionBody>(await ask(alice, bob), 201);
		const back = await expectStatus<ConnectionBody>(await ask(bob, alice), 200);
		expect(back).toMatchObject({ id: request.id, status: "accepted", direction: "incoming" });
		expect(await pairRows(alice.id, bob.id)).toHaveLength(1);
		await expectProblem(await ask(alice, bob), 409);
		await expectProblem(await ask(bob, alice), 409);
	});

	it("refuses asking twice, answering my own request, and answering twice", async () => {
		const alice = await signUp("twice-alice");
		const bob = await signUp("twice-bob");
		const request = await expectStatus<ConnectionBody>(await ask(alice, bob), 201);
		await expectProblem(await ask(alice, bob), 409);
		await expectProblem(await answer(alice, request.id, "accepted"), 403);
		await expectStatus(await answer(bob, request.id, "declined"), 200);
		await expectProblem(await answer(bob, request.id, "accepted"), 409);
	});

	it("after a decline the same person may ask again only after the cool-down; the decliner any time", async () => {
		const alice = await signUp("decline-alice");
		const bob = await signUp("decline-bob");
		const request = await expectStatus<ConnectionBody>(await ask(alice, bob), 201);
		await expectStatus(await answer(bob, request.id, "declined"), 200);
		expect((await list(alice, "?status=declined")).data.map((c) => c.id)).toEqual([request.id]);
		expect((await list(alice)).data).toEqual([]);
		await expectProblem(await ask(alice, bob), 409);

		// A week later (the wait is kept in connection_cooldowns).
		await env.DB.prepare(
			"UPDATE connection_cooldowns SET until = '2000-01-01T00:00:00.000Z' WHERE requester_id = ? AND addressee_id = ?",
		)
			.bind(alice.id, bob.id)
			.run();
		const again = await expectStatus<ConnectionBody>(await ask(alice, bob, { note: "Second try" }), 201);
		expect(again.id).not.toBe(request.id);
		expect(await pairRows(alice.id, bob.id)).toEqual([{ status: "pending", requester_id: alice.id }]);

		// The one who declined can ask at once.
		const carol = await signUp("decline-carol");
		const dave = await signUp("decline-dave");
		const other = await expectStatus<ConnectionBody>(await ask(carol, dave), 201);
		await expectStatus(await answer(dave, other.id, "declined"), 200);
		await expectStatus(await ask(dave, carol), 201);
	});

	// Attack: the requester wipes the declined row (by removing it, or by blocking and unblocking, which deletes
	// it) and asks again at once. The wait must survive both.
	it("keeps the cool-down when the requester deletes the declined row or blocks and unblocks", async () => {
		const alice = await signUp("cooldown-wipe-alice");
		const bob = await signUp("cooldown-wipe-bob");
		const request = await expectStatus<ConnectionBody>(await ask(alice, bob, { note: "Please?" }), 201);
		await expectStatus(await answer(bob, request.id, "declined"), 200);

		await expectStatus(await call("DELETE", `${api}/connections/${request.id}`, { token: alice.token }), 204);
		expect(await pairRows(alice.id, bob.id)).toEqual([]);
		const refused = await expectProblem(await ask(alice, bob), 409);
		expect(String(refused.detail)).toMatch(/declined/);

		await expectStatus(await call("PUT", `${api}/blocks/${bob.id}`, { token: alice.token }), 201);
		await expectStatus(await call("DELETE", `${api}/blocks/${bob.id}`, { token: alice.token }), 204);
		await expectProblem(await ask(alice, bob), 409);
		expect(await pairRows(alice.id, bob.id)).toEqual([]);

		// The decliner may still ask at any time, and the pair can connect.
		const back = await expectStatus<ConnectionBody>(await ask(bob, alice), 201);
		await expectStatus(await answer(alice, back.id, "accepted"), 200);

		// The cron forgets a wait once it has ended, and only then.
		const waits = () =>
			env.DB.prepare("SELECT count(*) AS n FROM connection_cooldowns WHERE requester_id = ?")
				.bind(alice.id)
				.first<{ n: number }>();
		await runScheduledTasks(env);
		expect((await waits())?.n).toBe(1);
		await runScheduledTasks(env, new Date(Date.now() + 8 * 86_400_000));
		expect((await waits())?.n).toBe(0);
	});

	it("starts the cool-down only for the decline that was applied (a lost race changes nothing)", async () => {
		const alice = await signUp("cooldown-race-alice");
		const bob = await signUp("cooldown-race-bob");
		const request = await expectStatus<ConnectionBody>(await ask(alice, bob), 201);
		const statuses = (
			await Promise.all([answer(bob, request.id, "accepted"), answer(bob, request.id, "declined")])
		).map((response) => response.status);
		expect(statuses.sort()).toEqual([200, 409]);
		const [row] = await pairRows(alice.id, bob.id);
		const cooldowns = await env.DB.prepare(
			"SELECT count(*) AS n FROM connection_cooldowns WHERE requester_id = ? AND addressee_id = ?",
		)
			.bind(alice.id, bob.id)
			.first<{ n: number }>();
		expect(cooldowns?.n).toBe(row?.status === "declined" ? 1 : 0);
	});

	it("is 404 for unknown, deleted or blocking users, 422 for myself and bad bodies", async () => {
		const alice = await signUp("ask-errors");
		const bob = await signUp("ask-errors-bob");
		await expectProblem(
			await call("POST", `${api}/connections`, {
				token: alice.token,
				body: { user_id: crypto.randomUUID() },
			}),
			404,
		);
		await expectStatus(await call("PUT", `${api}/blocks/${alice.id}`, { token: bob.token }), 201);
		await expectProblem(await ask(alice, bob), 404);
		const gone = await signUp("ask-errors-gone");
		await setUserColumns(gone.id, { deleted_at: "2026-01-01T00:00:00.000Z" });
		await expectProblem(await ask(alice, gone), 404);

		await expectProblem(await ask(alice, alice), 422);
		const carol = await signUp("ask-errors-carol");
		await expectProblem(await ask(alice, carol, { connection_type: "enemy" }), 422);
		await expectProblem(await ask(alice, carol, { note: "x".repeat(501) }), 422);
		await expectProblem(await ask(alice, carol, { surprise: true }), 422);
		await expectProblem(
			await call("POST", `${api}/connections`, { token: alice.token, body: { user_id: "nope" } }),
			422,
		);
		await expectProblem(await call("POST", `${api}/connections`, { token: alice.token, rawBody: "{" }), 400);
		await expectProblem(await answer(carol, crypto.randomUUID(), "accepted"), 404);
		await expectProblem(await answer(carol, crypto.randomUUID(), "maybe"), 422);
	});

	it("is 401 anonymously and 403 when suspended", async () => {
		const alice = await signUp("conn-anon");
		const bob = await signUp("conn-anon-bob");
		await expectProblem(await call("GET", `${api}/connections`), 401);
		await expectProblem(await call("POST", `${api}/connections`, { body: { user_id: bob.id } }), 401);
		await setUserColumns(alice.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(await ask(alice, bob), 403);
		await expectProblem(await call("GET", `${api}/connections`, { token: alice.token }), 403);
	});

	it("someone else's request is 404 to answer or remove", async () => {
		const alice = await signUp("others-alice");
		const bob = await signUp("others-bob");
		const eve = await signUp("others-eve");
		const request = await expectStatus<ConnectionBody>(await ask(alice, bob), 201);
		await expectProblem(await answer(eve, request.id, "accepted"), 404);
		await expectProblem(await call("DELETE", `${api}/connections/${request.id}`, { token: eve.token }), 404);
	});
});

describe("daily request limits", () => {
	it("allows 10 requests a day at new_sprout and 20 at growing", async () => {
		const alice = await signUp("limit-alice");
		for (let i = 0; i < 10; i++) await expectStatus(await ask(alice, await signUp(`limit-${i}`)), 201);
		const over = await ask(alice, await signUp("limit-over"));
		await expectProblem(over, 429);
		expect(over.headers.get("Retry-After")).toBeTruthy();

		await setUserColumns(alice.id, { trust_level: "growing" });
		await expectStatus(await ask(alice, await signUp("limit-growing")), 201);
	});

	it("does not count accepting by asking back", async () => {
		const alice = await signUp("limit-back");
		const bob = await signUp("limit-back-bob");
		await expectStatus(await ask(bob, alice), 201);
		await expectStatus(await ask(alice, bob), 200);
		const row = await env.DB.prepare(
			"SELECT count(*) AS n FROM daily_quotas WHERE user_id = ? AND kind = 'connection_requests'",
		)
			.bind(alice.id)
			.first<{ n: number }>();
		expect(row?.n).toBe(0);
	});
});

describe("removing", () => {
	it("lets either side remove a connection and the requester cancel a request", async () => {
		const alice = await signUp("rm-alice");
		const bob = await signUp("rm-bob");
		const request = await expectStatus<ConnectionBody>(await ask(alice, bob), 201);
		await expectStatus(await call("DELETE", `${api}/connections/${request.id}`, { token: alice.token }), 204);
		expect(await pairRows(alice.id, bob.id)).toEqual([]);
		await expectProblem(
			await call("DELETE", `${api}/connections/${request.id}`, { token: alice.token }),
			404,
		);

		const again = await expectStatus<ConnectionBody>(await ask(alice, bob), 201);
		await answer(bob, again.id, "accepted");
		await expectStatus(await call("DELETE", `${api}/connections/${again.id}`, { token: bob.token }), 204);
		expect(await pairRows(alice.id, bob.id)).toEqual([]);
		await expectProblem(await call("DELETE", `${api}/connections/not-a-uuid`, { token: bob.token }), 422);
	});
});

describe("listing", () => {
	it("filters by status, type and direction, newest first, with a cursor", async () => {
		const me = await signUp("list-me");
		const others = [];
		for (let i = 0; i < 4; i++) others.push(await signUp(`list-${i}`));
		const [o0, o1, o2, o3] = others as [TestUser, TestUser, TestUser, TestUser];
		const c0 = await expectStatus<ConnectionBody>(await ask(me, o0), 201);
		const c1 = await expectStatus<ConnectionBody>(
			await ask(o1, me, { connection_type: "peer_support" }),
			201,
		);
		const c2 = await expectStatus<ConnectionBody>(await ask(me, o2), 201);
		await answer(o2, c2.id, "accepted");
		const c3 = await expectStatus<ConnectionBody>(await ask(o3, me), 201);
		await answer(me, c3.id, "declined");

		expect((await list(me)).data.map((c) => c.id)).toEqual([c2.id, c1.id, c0.id]);
		expect((await list(me, "?status=accepted")).data.map((c) => c.id)).toEqual([c2.id]);
		expect((await list(me, "?status=pending&direction=incoming")).data.map((c) => c.id)).toEqual([c1.id]);
		expect((await list(me, "?connection_type=peer_support")).data.map((c) => c.id)).toEqual([c1.id]);
		expect((await list(me, "?status=declined")).data.map((c) => c.id)).toEqual([c3.id]);

		const first = await list(me, "?limit=2");
		expect(first.data.map((c) => c.id)).toEqual([c2.id, c1.id]);
		const second = await list(me, `?limit=2&cursor=${first.next_cursor}`);
		expect(second.data.map((c) => c.id)).toEqual([c0.id]);
		expect(second.next_cursor).toBeNull();

		await expectProblem(await call("GET", `${api}/connections?status=friends`, { token: me.token }), 422);
		await expectProblem(await call("GET", `${api}/connections?cursor=bad`, { token: me.token }), 400);
	});
});
