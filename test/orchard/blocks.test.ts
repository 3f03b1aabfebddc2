/**
 * Blocks: blocking removes any connection or request and ends open mentorships between the two, hides
 * each side from the other (the blocker's profile 404 to the blocked, the guide directory, new requests),
 * is idempotent, listed, and undone by unblocking (which restores nothing).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";
import { api, connect, growingUser, makeGuide } from "./helpers";

type BlockBody = { user: { id: string; display_name: string }; created_at: string };

describe("PUT /orchard/blocks/{user_id}", () => {
	it("removes the connection, ends mentorships, and hides each side from the other", async () => {
		const guide = await makeGuide("block-guide");
		const mentee = await growingUser("block-mentee");
		await connect(mentee, guide);
		const mentorship = await expectStatus<{ id: string }>(
			await call("POST", `${api}/mentorships`, {
				token: mentee.token,
				body: { guide_id: guide.id, goals: "Calm" },
			}),
			201,
		);
		await call("PATCH", `${api}/mentorships/${mentorship.id}`, {
			token: guide.token,
			body: { status: "accepted" },
		});
		await expectStatus(await call("GET", `/api/v1/users/${guide.id}`, { token: mentee.token }), 200);

		const block = await expectStatus<BlockBody>(
			await call("PUT", `${api}/blocks/${mentee.id}`, { token: guide.token }),
			201,
		);
		expect(block.user.id).toBe(mentee.id);

		const connections = await env.DB.prepare(
			"SELECT count(*) AS n FROM connections WHERE requester_id IN (?, ?) AND addressee_id IN (?, ?)",
		)
			.bind(mentee.id, guide.id, mentee.id, guide.id)
			.first<{ n: number }>();
		expect(connections?.n).toBe(0);
		const status = await env.DB.prepare("SELECT status FROM mentorships WHERE id = ?")
			.bind(mentorship.id)
			.first<{ status: string }>();
		expect(status?.status).toBe("cancelled");

		// Hidden both ways: the directory, new requests. The blocked one gets 404 for the blocker's profile;
		// the blocker still sees the profile, marked as blocked by them.
		await expectProblem(await call("GET", `/api/v1/users/${guide.id}`, { token: mentee.token }), 404);
		const blocked = await expectStatus<{ blocked_by_me: boolean; can_message: boolean }>(
			await call("GET", `/api/v1/users/${mentee.id}`, { token: guide.token }),
			200,
		);
		expect(blocked).toMatchObject({ blocked_by_me: true, can_message: false });
		const directory = await expectStatus<{ data: Array<{ user_id: string }> }>(
			await call("GET", `${api}/guides?limit=100`, { token: mentee.token }),
			200,
		);
		expect(directory.data.map((g) => g.user_id)).not.toContain(guide.id);
		await expectProblem(
			await call("POST", `${api}/connections`, { token: mentee.token, body: { user_id: guide.id } }),
			404,
		);
		await expectProblem(
			await call("POST", `${api}/mentorships`, {
				token: mentee.token,
				body: { guide_id: guide.id, goals: "Again" },
			}),
			404,
		);
	});

	it("is idempotent (200 the second time) and lets both block each other", async () => {
		const alice = await signUp("block-twice");
		const bob = await signUp("block-twice-bob");
		await expectStatus(await call("PUT", `${api}/blocks/${bob.id}`, { token: alice.token }), 201);
		await expectStatus(await call("PUT", `${api}/blocks/${bob.id}`, { token: alice.token }), 200);
		// Bob can block Alice too, although she is hidden from him (it reveals nothing).
		await expectStatus(await call("PUT", `${api}/blocks/${alice.id}`, { token: bob.token }), 201);
		const rows = await env.DB.prepare("SELECT count(*) AS n FROM blocks WHERE blocker_id IN (?, ?)")
			.bind(alice.id, bob.id)
			.first<{ n: number }>();
		expect(rows?.n).toBe(2);
	});

	it("is 404 for unknown users, 422 for myself or a bad id, 401 anonymously, 403 suspended", async () => {
		const alice = await signUp("block-errors");
		await expectProblem(
			await call("PUT", `${api}/blocks/${crypto.randomUUID()}`, { token: alice.token }),
			404,
		);
		await expectProblem(await call("PUT", `${api}/blocks/${alice.id}`, { token: alice.token }), 422);
		await expectProblem(await call("PUT", `${api}/blocks/not-a-uuid`, { token: alice.token }), 422);
		const bob = await signUp("block-errors-bob");
		await expectProblem(await call("PUT", `${api}/blocks/${bob.id}`), 401);
		await setUserColumns(alice.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(await call("PUT", `${api}/blocks/${bob.id}`, { token: alice.token }), 403);
	});
});

describe("GET and DELETE /orchard/blocks", () => {
	it("lists the people I block, newest first, paged; unblocking restores visibility but not the connection", async () => {
		const me = await signUp("blocks-me");
		const first = await signUp("blocks-1");
		const second = await signUp("blocks-2");
		await connect(me, first);
		await call("PUT", `${api}/blocks/${first.id}`, { token: me.token });
		await call("PUT", `${api}/blocks/${second.id}`, { token: me.token });

		const page = await expectStatus<{ data: BlockBody[]; next_cursor: string | null }>(
			await call("GET", `${api}/blocks?limit=1`, { token: me.token }),
			200,
		);
		expect(page.data.map((b) => b.user.id)).toEqual([second.id]);
		const rest = await expectStatus<{ data: BlockBody[]; next_cursor: string | null }>(
			await call("GET", `${api}/blocks?limit=1&cursor=${page.next_cursor}`, { token: me.token }),
			200,
		);
		expect(rest.data.map((b) => b.user.id)).toEqual([first.id]);
		// Who blocks me is not shown to me.
		const theirs = await expectStatus<{ data: BlockBody[] }>(
			await call("GET", `${api}/blocks`, { token: first.token }),
			200,
		);
		expect(theirs.data).toEqual([]);

		await expectStatus(await call("DELETE", `${api}/blocks/${first.id}`, { token: me.token }), 204);
		await expectProblem(await call("DELETE", `${api}/blocks/${first.id}`, { token: me.token }), 404);
		await expectStatus(await call("GET", `/api/v1/users/${first.id}`, { token: me.token }), 200);
		const connections = await expectStatus<{ data: unknown[] }>(
			await call("GET", `${api}/connections`, { token: me.token }),
			200,
		);
		expect(connections.data).toEqual([]);
		await expectProblem(await call("GET", `${api}/blocks`), 401);
		await expectProblem(await call("DELETE", `${api}/blocks/${second.id}`), 401);
	});
});
