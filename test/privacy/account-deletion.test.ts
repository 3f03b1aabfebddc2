/**
 * `DELETE /users/me`: personal data is erased in one atomic step; posts, comments and shares are removed;
 * answers to support requests and project discussions stay, signed "Former member" with no id; chats are
 * blanked in their ChatRoom; groups and projects are handed over or archived; RSVPs are withdrawn in their
 * EventRsvp object (the waitlist moves up); and the next token with the same `sub` is a fresh account.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	ANONYMOUS_SHARES_DELAY_S,
	ANONYMOUS_SHARES_JOB,
	runDueErasureJobs,
	SWEEP_DELAY_MS,
} from "../../src/modules/privacy/erase";
import { runScheduledTasks } from "../../src/scheduled";
import { connectedPair, openChat, sendRest } from "../orchard/helpers";
import {
	call,
	callWithConfig,
	expectProblem,
	expectStatus,
	setUserColumns,
	signUp,
	tokenFor,
} from "../support/api";
import { ok, type RichAccount, richAccount, roomMessages, tablesContaining } from "./helpers";

const userRow = (id: string) =>
	env.DB.prepare("SELECT * FROM users WHERE id = ?").bind(id).first<Record<string, unknown>>();

describe("deleting a rich account", () => {
	let acct: RichAccount;

	beforeAll(async () => {
		acct = await richAccount("erase");
		// The traces the erasure must remove are really there before it.
		const { texts } = acct;
		const before: Array<[string, string]> = [
			[acct.email, "users"],
			[texts.bio, "users"],
			[texts.logNote, "habit_logs"],
			[texts.post, "posts"],
			[texts.comment, "comments"],
			[texts.share, "sunlight_shares"],
			[texts.note, "connections"],
			[texts.goals, "mentorships"],
			[texts.report, "reports"],
			[texts.idempotent, "idempotency_keys"],
		];
		for (const [text, table] of before) expect(await tablesContaining(text), text).toContain(table);
		const response = await call("DELETE", "/api/v1/users/me", { token: acct.alice.token });
		expect(response.status).toBe(204);
		// The DELETE runs the outbox at once; a room or event object that was busy ("Durable Object is
		// overloaded", seen on a loaded machine) leaves its job to the cron's retry minutes later. Run the cron
		// at each retry's time, as production would, until no chat or RSVP job is left.
		for (let attempt = 0; attempt < 5; attempt++) {
			const left = await env.DB.prepare(
				"SELECT max(not_before) AS due FROM account_erasure_jobs WHERE user_id = ? AND kind <> 'sweep'",
			)
				.bind(acct.alice.id)
				.first<{ due: string | null }>();
			if (!left?.due) break;
			await runDueErasureJobs(env, new Date(left.due));
		}
	});

	it("keeps a tombstone row without sub, email or profile", async () => {
		const row = await userRow(acct.alice.id);
		expect(row).toMatchObject({
			auth0_sub: `deleted:${acct.alice.id}`,
			email: null,
			display_name: "Former member",
			bio: "",
			avatar_url: null,
			interests: "[]",
			role: "user",
		});
		expect(row?.deleted_at).toBeTruthy();
	});

	it("leaves none of the person's own words, email or sub in any D1 table", async () => {
		const { texts } = acct;
		for (const text of [
			acct.email,
			acct.alice.sub,
			texts.bio,
			texts.habit,
			texts.logNote,
			texts.post,
			texts.comment,
			texts.note,
			texts.message,
			texts.goals,
			texts.report,
			texts.idempotent,
		]) {
			expect(await tablesContaining(text), text).toEqual([]);
		}
	});

	it("keeps answers to support requests and project discussions, by a Former member with no id", async () => {
		expect(await tablesContaining(acct.texts.supportResponse)).toEqual(["support_responses"]);
		expect(await tablesContaining(acct.texts.discussion)).toEqual(["project_discussions"]);
		const answered = await env.DB.prepare("SELECT request_id FROM support_responses WHERE id = ?")
			.bind(acct.ids.supportResponse)
			.first<{ request_id: string }>();
		const request = await ok<{ responses: Array<{ body: string; responder: Record<string, unknown> }> }>(
			call("GET", `/api/v1/support/requests/${answered?.request_id}`, { token: acct.bob.token }),
		);
		const answer = request.responses.find((response) => response.body === acct.texts.supportResponse);
		expect(answer?.responder).toEqual({
			id: null,
			display_name: "Former member",
			avatar_url: null,
			is_verified_guide: false,
		});
		// Nothing in any answer names the old account any more.
		expect(JSON.stringify(request)).not.toContain(acct.alice.id);
	});

	it("leaves the anonymous support request to whoever holds its token", async () => {
		expect(await tablesContaining(acct.texts.supportRequest)).toEqual(["support_requests"]);
		await ok(
			call("PATCH", `/api/v1/support/requests/${acct.ids.supportRequest}`, {
				headers: { "X-Support-Token": acct.supportToken },
				body: { title: "Still here" },
			}),
		);
	});

	it("removes posts, comments and shares from every reader", async () => {
		const bob = acct.bob;
		await expectProblem(
			await call("GET", `/api/v1/flourish/posts/${acct.ids.post}`, { token: bob.token }),
			404,
		);
		const comments = await ok<{ data: Array<{ id: string }> }>(
			call("GET", `/api/v1/flourish/posts/${acct.ids.bobPost}/comments`, { token: bob.token }),
		);
		expect(comments.data.map((c) => c.id)).not.toContain(acct.ids.comment);
		const bobPost = await ok<{ comment_count: number }>(
			call("GET", `/api/v1/flourish/posts/${acct.ids.bobPost}`, { token: bob.token }),
		);
		expect(bobPost.comment_count).toBe(0);
	});

	it("blanks the person's chat messages in the ChatRoom and keeps the other person's", async () => {
		const messages = await roomMessages(acct.alice.id, acct.bob.id);
		const mine = messages.filter((m) => m.sender_id === acct.alice.id);
		expect(mine.length).toBe(1);
		expect(mine.every((m) => m.body === "" && m.moderation_status === "removed")).toBe(true);
		expect(messages.find((m) => m.sender_id === acct.bob.id)?.body).toBe(acct.bobMessage);
		// Bob keeps his copy, read-only: the conversation stays on his list with a Former member, his own
		// words are there and Alice's are blanked; it cannot be written to.
		const list = await ok<{
			data: Array<{ peer: { id: string; display_name: string }; can_message: boolean }>;
		}>(call("GET", "/api/v1/orchard/conversations", { token: acct.bob.token }));
		expect(list.data).toEqual([
			expect.objectContaining({
				peer: expect.objectContaining({ id: acct.alice.id, display_name: "Former member" }),
				can_message: false,
			}),
		]);
		const history = await ok<{ data: Array<{ sender_id: string; text: string }> }>(
			call("GET", `/api/v1/orchard/conversations/${acct.alice.id}/messages`, { token: acct.bob.token }),
		);
		expect(history.data.map((m) => m.text)).toContain(acct.bobMessage);
		expect(history.data.filter((m) => m.sender_id === acct.alice.id).map((m) => m.text)).toEqual([]);
		await expectProblem(
			await call("POST", `/api/v1/orchard/conversations/${acct.alice.id}/messages`, {
				token: acct.bob.token,
				body: { text: "are you there?" },
			}),
			404,
		);
		const outbox = await env.DB.prepare(
			"SELECT kind FROM account_erasure_jobs WHERE user_id = ? AND kind <> 'sweep'",
		)
			.bind(acct.alice.id)
			.all();
		expect(outbox.results).toEqual([]);
	});

	it("hands the group to its moderator, archives what no one can take over, recounts members", async () => {
		const owner = await env.DB.prepare("SELECT role FROM group_members WHERE group_id = ? AND user_id = ?")
			.bind(acct.ids.group, acct.mod.id)
			.first<{ role: string }>();
		expect(owner?.role).toBe("owner");
		const group = await ok<{ member_count: number }>(
			call("GET", `/api/v1/fellowship/groups/${acct.ids.group}`, { token: acct.mod.token }),
		);
		expect(group.member_count).toBe(2);
		await expectProblem(
			await call("GET", `/api/v1/fellowship/groups/${acct.ids.soloGroup}`, { token: acct.bob.token }),
			404,
		);
		const project = await env.DB.prepare("SELECT status, archived_at FROM projects WHERE id = ?")
			.bind(acct.ids.project)
			.first<{ status: string; archived_at: string | null }>();
		expect(project?.status).toBe("archived");
		expect(project?.archived_at).toBeTruthy();
		const memberships = await env.DB.prepare(
			"SELECT (SELECT count(*) FROM group_members WHERE user_id = ?1) + (SELECT count(*) FROM project_members WHERE user_id = ?1) AS n",
		)
			.bind(acct.alice.id)
			.first<{ n: number }>();
		expect(memberships?.n).toBe(0);
	});

	it("withdraws the RSVP in the event's object, so the waitlist moves up", async () => {
		const event = await ok<{
			my_rsvp: { status: string } | null;
			rsvp_counts: { going: number; waitlisted: number };
		}>(call("GET", `/api/v1/fellowship/events/${acct.ids.event}`, { token: acct.dave.token }));
		expect(event.my_rsvp?.status).toBe("going");
		expect(event.rsvp_counts).toMatchObject({ going: 1, waitlisted: 0 });
	});

	it("ends the open mentorship request", async () => {
		const row = await env.DB.prepare("SELECT status, goals FROM mentorships WHERE mentee_id = ?")
			.bind(acct.alice.id)
			.first<{ status: string; goals: string }>();
		expect(row).toEqual({ status: "cancelled", goals: "" });
	});

	it("starts a fresh account on the next sign-in with the same sub", async () => {
		const token = await tokenFor(acct.alice.sub, { claims: { email: acct.email } });
		const me = await ok<{ id: string; display_name: string; bio: string; trust_level: string }>(
			call("GET", "/api/v1/users/me", { token }),
		);
		expect(me.id).not.toBe(acct.alice.id);
		expect(me).toMatchObject({ bio: "", trust_level: "new_sprout" });
		const garden = await ok<{ habits: unknown[] }>(call("GET", "/api/v1/garden", { token }));
		expect(garden.habits).toEqual([]);
	});
	// Gone at the same moment as the profile, an anonymous share would be attributed to it.
	it("removes anonymous shares later, at a random moment one to fourteen days on", async () => {
		const job = await env.DB.prepare(
			"SELECT not_before, created_at FROM account_erasure_jobs WHERE user_id = ? AND target_id = ?",
		)
			.bind(acct.alice.id, ANONYMOUS_SHARES_JOB)
			.first<{ not_before: string; created_at: string }>();
		const delay = Date.parse(job?.not_before ?? "") - Date.parse(job?.created_at ?? "");
		expect(delay).toBeGreaterThanOrEqual(ANONYMOUS_SHARES_DELAY_S.min * 1000);
		expect(delay).toBeLessThan(ANONYMOUS_SHARES_DELAY_S.max * 1000);
		// Still there, still anonymous, after the profile has gone and the first sweep has run.
		await runDueErasureJobs(env, new Date(Date.now() + SWEEP_DELAY_MS + 1000));
		const share = await ok<{ body: string; author: unknown }>(
			call("GET", `/api/v1/sunlight/${acct.ids.share}`, { token: acct.bob.token }),
		);
		expect(share).toMatchObject({ body: acct.texts.share, author: null });
		await runDueErasureJobs(env, new Date(Date.now() + 15 * 86_400_000));
		await expectProblem(
			await call("GET", `/api/v1/sunlight/${acct.ids.share}`, { token: acct.bob.token }),
			404,
		);
		expect(await tablesContaining(acct.texts.share)).toEqual([]);
		const removed = await env.DB.prepare("SELECT deleted_at, updated_at FROM sunlight_shares WHERE id = ?")
			.bind(acct.ids.share)
			.first<{ deleted_at: string; updated_at: string }>();
		// Its times are whole hours, like every time on an anonymous share.
		expect(removed?.deleted_at).toMatch(/T\d\d:00:00\.000Z$/);
		expect(removed?.updated_at).toMatch(/T\d\d:00:00\.000Z$/);
	});
});

describe("deleting an account", () => {
	it("answers 401 without a token", async () => {
		await expectProblem(await call("DELETE", "/api/v1/users/me"), 401);
	});

	it("is open to a suspended person (erasure is a right, not a privilege)", async () => {
		const user = await signUp("erase-suspended");
		await setUserColumns(user.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		expect((await call("DELETE", "/api/v1/users/me", { token: user.token })).status).toBe(204);
		expect((await userRow(user.id))?.auth0_sub).toBe(`deleted:${user.id}`);
	});

	it("lets no token into a row marked deleted, even one that still had its sub", async () => {
		const user = await signUp("erase-marked");
		await setUserColumns(user.id, { deleted_at: "2026-01-01T00:00:00.000Z" });
		const problem = await expectProblem(await call("GET", "/api/v1/users/me", { token: user.token }), 401);
		expect(problem.detail).toMatch(/deleted/);
	});

	it("is safe to retry: the retry deletes the fresh, empty account it signed into", async () => {
		const user = await signUp("erase-retry");
		expect((await call("DELETE", "/api/v1/users/me", { token: user.token })).status).toBe(204);
		expect((await call("DELETE", "/api/v1/users/me", { token: user.token })).status).toBe(204);
		const rows = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE auth0_sub = ?")
			.bind(user.sub)
			.first<{ n: number }>();
		expect(rows?.n).toBe(0);
	});

	it("refuses the last active guardian (409) and changes nothing", async () => {
		// Demote every other guardian of this test file's database first.
		await env.DB.prepare("UPDATE users SET role = 'user' WHERE role = 'guardian'").run();
		const guardian = await signUp("erase-guardian");
		await setUserColumns(guardian.id, { role: "guardian", bio: "keeper" });
		await ok(
			call("POST", "/api/v1/garden/habits", {
				token: guardian.token,
				body: { name: "Patrol", category: "service" },
			}),
			201,
		);
		await expectProblem(await call("DELETE", "/api/v1/users/me", { token: guardian.token }), 409);
		const row = await userRow(guardian.id);
		expect(row).toMatchObject({ auth0_sub: guardian.sub, role: "guardian", bio: "keeper", deleted_at: null });
		const habits = await env.DB.prepare("SELECT count(*) AS n FROM habits WHERE user_id = ?")
			.bind(guardian.id)
			.first<{ n: number }>();
		expect(habits?.n).toBe(1);
	});

	it("closes the deleted account's open chat sockets at once; nothing more reaches them", async () => {
		const [alice, bob] = await connectedPair("erase-sockets");
		await sendRest(alice, bob.id, "hello bob");
		const { client: aliceSocket } = await openChat(alice, bob.id, 0);
		const { client: bobSocket } = await openChat(bob, alice.id);
		await aliceSocket.takeType("message"); // replayed on connect (since_seq=0)

		expect((await call("DELETE", "/api/v1/users/me", { token: alice.token })).status).toBe(204);
		// Closed by the erasure itself, before the deleted account sends anything.
		expect((await aliceSocket.closed).code).toBe(4403);
		// The socket cannot sync any more, and Bob cannot write to the deleted account.
		bobSocket.send({ type: "message", client_message_id: "after-erasure", text: "still there?" });
		expect(await bobSocket.takeType("error")).toMatchObject({ code: "not_found" });
		expect(aliceSocket.pending((frame) => frame.type === "message" || frame.type === "sync_done")).toEqual(
			[],
		);
	});

	it("finishes chat erasure in the background when a ChatRoom is unavailable (202, then the cron)", async () => {
		const alice = await signUp("erase-do-a");
		const bob = await signUp("erase-do-b");
		const connection = await ok<{ id: string }>(
			call("POST", "/api/v1/orchard/connections", { token: alice.token, body: { user_id: bob.id } }),
			201,
		);
		await ok(
			call("PATCH", `/api/v1/orchard/connections/${connection.id}`, {
				token: bob.token,
				body: { status: "accepted" },
			}),
		);
		const words = `secret-${crypto.randomUUID()}`;
		await ok(
			call("POST", `/api/v1/orchard/conversations/${bob.id}/messages`, {
				token: alice.token,
				body: { text: words },
			}),
			201,
		);

		const response = await callWithConfig({ CHAT_ROOM: unavailableRooms() }, "DELETE", "/api/v1/users/me", {
			token: alice.token,
		});
		const body = await expectStatus<{ status: string; pending_cleanup: number }>(response, 202);
		expect(body).toMatchObject({ status: "deleted", pending_cleanup: 1 });
		// The account itself is gone at once; the message still waits for its room.
		expect((await userRow(alice.id))?.auth0_sub).toBe(`deleted:${alice.id}`);
		expect((await roomMessages(alice.id, bob.id))[0]?.body).toBe(words);

		// The cron retries once the job is due again.
		expect(await runDueErasureJobs(env, new Date(Date.now() + 2 * 3_600_000))).toBe(0);
		expect((await roomMessages(alice.id, bob.id))[0]).toMatchObject({
			body: "",
			moderation_status: "removed",
		});
		// Only the late removal of anonymous shares is still to come.
		const left = await env.DB.prepare("SELECT target_id FROM account_erasure_jobs WHERE user_id = ?")
			.bind(alice.id)
			.all<{ target_id: string }>();
		expect(left.results.map((job) => job.target_id)).toEqual([ANONYMOUS_SHARES_JOB]);
	});

	it("sweeps, a minute later, what a request already past sign-in wrote after the deletion", async () => {
		const user = await signUp("erase-sweep");
		expect((await call("DELETE", "/api/v1/users/me", { token: user.token })).status).toBe(204);
		// As if a POST that had passed the guard before the commit finished writing afterwards.
		const late = `late-${crypto.randomUUID()}`;
		await env.DB.prepare(
			"INSERT INTO posts (id, author_id, type, body, visibility, created_at, updated_at) VALUES (?1, ?2, 'text', ?3, 'public', ?4, ?4)",
		)
			.bind(crypto.randomUUID(), user.id, late, new Date().toISOString())
			.run();
		// Not before the sweep is due…
		await runDueErasureJobs(env, new Date());
		// The post, and the search index's copy of its words (migration 0008_search).
		expect(await tablesContaining(late)).toEqual(["posts", "search_index", "search_index_content"]);
		// …and gone after it (the cron handler runs the outbox).
		await runScheduledTasks(env, new Date(Date.now() + SWEEP_DELAY_MS + 1000));
		expect(await tablesContaining(late)).toEqual([]);
	});
});

/** A CHAT_ROOM binding whose rooms all fail, as an overloaded or unreachable object does. */
function unavailableRooms(): typeof env.CHAT_ROOM {
	const failing = new Proxy(
		{},
		{
			get: () => () => {
				const error = new Error("Durable Object is overloaded. Too many requests queued.");
				Object.assign(error, { overloaded: true, retryable: true });
				return Promise.reject(error);
			},
		},
	);
	return {
		idFromName: (name: string) => env.CHAT_ROOM.idFromName(name),
		get: () => failing,
	} as unknown as typeof env.CHAT_ROOM;
}
