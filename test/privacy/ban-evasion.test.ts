/**
 * Deleting an account is not a way out of a ban, and does not destroy the evidence of an open case:
 * - a suspension in force outlives the account, as a tombstone keyed by a keyed hash of the Auth0 `sub`
 *   (nothing else), and the next account of that `sub` starts suspended until the same instant;
 * - the queue snapshot of content under an open report, or behind a suspension in force, is kept until the
 *   case has been closed for 90 days, then erased by the cron; other snapshots are erased at once.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CARRIED_OVER_REASON } from "../../src/core/accounts/tombstones";
import { PERMANENT_UNTIL } from "../../src/db/tables/users";
import { EVIDENCE_RETENTION_DAYS } from "../../src/modules/privacy/erase";
import { runScheduledTasks } from "../../src/scheduled";
import { decide, guardian, postBy, queueItemFor, reported } from "../guardians/helpers";
import { connect, sendRest } from "../orchard/helpers";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";

const DAY_MS = 86_400_000;

const administer = (admin: TestUser, userId: string, body: Record<string, unknown>) =>
	call("PATCH", `/api/v1/guardians/users/${userId}`, { token: admin.token, body });

const me = async (token: string) =>
	expectStatus<{ id: string; suspended_until: string | null }>(
		await call("GET", "/api/v1/users/me", { token }),
		200,
	);

const deleteAccount = async (user: TestUser) =>
	expect((await call("DELETE", "/api/v1/users/me", { token: user.token })).status).toBe(204);

const tombstones = async () =>
	(await env.DB.prepare("SELECT * FROM penalty_tombstones").all<Record<string, unknown>>()).results;

const writePost = (token: string) =>
	call("POST", "/api/v1/flourish/posts", {
		token,
		body: { type: "text", body: "I am back and nobody can stop me", visibility: "public" },
	});

describe("a ban survives deleting the account", () => {
	// The attack of the adversarial review: a permanently suspended person runs DELETE /users/me, and the
	// same token's next request used to create a fresh, unsuspended account that could post.
	it("a permanently suspended person who deletes their account comes back suspended", async () => {
		const admin = await guardian("evade-admin");
		const banned = await signUp("evade-banned", { email: "banned@example.test", name: "Banned Person" });
		await expectStatus(
			await administer(admin, banned.id, { suspension: { duration: "permanent" }, reason: "Threats" }),
			200,
		);
		await deleteAccount(banned);

		const again = await me(banned.token);
		expect(again.id).not.toBe(banned.id);
		expect(again.suspended_until).toBe(PERMANENT_UNTIL);
		await expectProblem(await writePost(banned.token), 403);
		const penalties = await expectStatus<{
			data: Array<{ kind: string; reason: string; ends_at: string | null }>;
		}>(await call("GET", "/api/v1/penalties", { token: banned.token }), 200);
		expect(penalties.data).toEqual([
			expect.objectContaining({ kind: "suspension", reason: CARRIED_OVER_REASON, ends_at: null }),
		]);
		// Guardians see why in the audit log, as an automatic action on the new account.
		const audit = await env.DB.prepare(
			"SELECT actor_id, action, details FROM moderation_actions WHERE target_user_id = ? ORDER BY created_at",
		)
			.bind(again.id)
			.all<{ actor_id: string | null; action: string; details: string }>();
		expect(audit.results).toEqual([expect.objectContaining({ actor_id: null, action: "suspend" })]);
		expect(JSON.parse(audit.results[0]?.details ?? "{}")).toMatchObject({
			carried_over: true,
			duration: "permanent",
		});
	});

	it("keeps nothing but a keyed hash of the sub and when the suspension ends", async () => {
		const admin = await guardian("hash-admin");
		const banned = await signUp("hash-banned", { email: "hash-banned@example.test", name: "Hash Banned" });
		const before = new Set((await tombstones()).map((row) => row.subject_hash));
		await expectStatus(
			await administer(admin, banned.id, { suspension: { duration: "7d" }, reason: "Spam" }),
			200,
		);
		const until = (await me(banned.token)).suspended_until;
		await deleteAccount(banned);
		const mine = (await tombstones()).filter((row) => !before.has(row.subject_hash));
		expect(mine).toHaveLength(1);
		const [row] = mine;
		expect(Object.keys(row ?? {}).sort()).toEqual([
			"created_at",
			"duration",
			"subject_hash",
			"suspended_until",
		]);
		expect(row).toMatchObject({ suspended_until: until, duration: "7d" });
		expect(String(row?.subject_hash)).toMatch(/^[0-9a-f]{64}$/);
		const raw = JSON.stringify(row);
		for (const secret of [banned.sub, banned.id, "hash-banned@example.test", "Hash Banned"]) {
			expect(raw).not.toContain(secret);
		}
		// The next account of that sub is suspended until the same instant, not longer.
		expect((await me(banned.token)).suspended_until).toBe(until);
	});

	// Found by the fuzzer: a suspension set without a penalty row (by hand in D1) made a tombstone whose
	// carried penalty broke the penalty shape, and the next sign-in answered 409 forever.
	it("carries a suspension set without a penalty row, timed or permanent, and signs in", async () => {
		for (const until of [new Date(Date.now() + 3 * DAY_MS).toISOString(), PERMANENT_UNTIL]) {
			const banned = await signUp("hand-banned");
			await setUserColumns(banned.id, { suspended_until: until });
			await deleteAccount(banned);
			expect((await me(banned.token)).suspended_until).toBe(until);
		}
	});

	it("leaves no tombstone for a person who was not suspended, or whose suspension had ended", async () => {
		const admin = await guardian("clean-admin");
		const before = (await tombstones()).length;
		const clean = await signUp("clean-leaver");
		await deleteAccount(clean);
		const ended = await signUp("ended-leaver");
		await expectStatus(
			await administer(admin, ended.id, { suspension: { duration: "24h" }, reason: "Cool off" }),
			200,
		);
		await expectStatus(await administer(admin, ended.id, { suspension: null, reason: "Lifted" }), 200);
		await deleteAccount(ended);
		expect(await tombstones()).toHaveLength(before);
		expect((await me(clean.token)).suspended_until).toBeNull();
		await expectStatus(await writePost(ended.token), 201);
	});

	it("ends when the suspension ends: the cron forgets the tombstone, and a later account is free", async () => {
		const admin = await guardian("expiry-admin");
		const banned = await signUp("expiry-banned");
		await expectStatus(
			await administer(admin, banned.id, { suspension: { duration: "24h" }, reason: "Cool off" }),
			200,
		);
		await deleteAccount(banned);
		const [tombstone] = (await tombstones()).filter(
			(row) => Date.parse(String(row.suspended_until)) < Date.now() + 2 * DAY_MS,
		);
		expect(tombstone).toBeDefined();
		await runScheduledTasks(env, new Date(Date.now() + 2 * DAY_MS));
		expect((await tombstones()).map((row) => row.subject_hash)).not.toContain(tombstone?.subject_hash);
		expect((await me(banned.token)).suspended_until).toBeNull();
	});

	it("carries the suspension once when two first requests of the new account race", async () => {
		const admin = await guardian("race-admin");
		const banned = await signUp("race-banned");
		await expectStatus(
			await administer(admin, banned.id, { suspension: { duration: "30d" }, reason: "Harassment" }),
			200,
		);
		await deleteAccount(banned);
		const answers = await Promise.all([me(banned.token), me(banned.token), me(banned.token)]);
		expect(new Set(answers.map((answer) => answer.id)).size).toBe(1);
		expect(answers.every((answer) => answer.suspended_until !== null)).toBe(true);
		const count = await env.DB.prepare("SELECT count(*) AS n FROM penalties WHERE user_id = ?")
			.bind(answers[0]?.id)
			.first<{ n: number }>();
		expect(count?.n).toBe(1);
		// Deleting the new account again carries the same suspension on.
		await deleteAccount({ ...banned, id: answers[0]?.id ?? "" });
		expect((await me(banned.token)).suspended_until).toBe(answers[0]?.suspended_until);
	});
});

describe("evidence survives the reported person's deletion", () => {
	const snapshotOf = async (type: string, id: string) =>
		JSON.parse(String((await queueItemFor(type, id)).content_snapshot)) as Record<string, unknown>;

	it("keeps the snapshot of content under an open report, and erases it 90 days after the case closes", async () => {
		const author = await signUp("evidence-author");
		const judge = await guardian("evidence-judge");
		const threat = await postBy(author.id, "I know where you live and I am coming for you");
		await reported(await signUp("evidence-victim"), "post", threat, "harassment");
		// An older case about the same person, long closed: nothing to keep.
		const old = await postBy(author.id, "An old rude remark");
		await reported(await signUp("evidence-old"), "post", old, "other");
		await expectStatus(
			await decide(judge, (await queueItemFor("post", old)).id, { decision: "dismiss", reason: "Fine" }),
			200,
		);

		await deleteAccount(author);
		expect(await snapshotOf("post", threat)).toMatchObject({
			body: "I know where you live and I am coming for you",
		});
		expect(await snapshotOf("post", old)).toHaveProperty("erased");
		const item = await expectStatus<{ content_snapshot: { body: string } }>(
			await call("GET", `/api/v1/guardians/queue/${(await queueItemFor("post", threat)).id}`, {
				token: judge.token,
			}),
			200,
		);
		expect(item.content_snapshot.body).toContain("coming for you");

		// The case closes; 90 days later (not before) the cron erases the evidence.
		await expectStatus(
			await decide(judge, (await queueItemFor("post", threat)).id, {
				decision: "remove_content",
				reason: "Threat",
			}),
			200,
		);
		await runScheduledTasks(env, new Date(Date.now() + (EVIDENCE_RETENTION_DAYS - 1) * DAY_MS));
		expect(await snapshotOf("post", threat)).toHaveProperty("body");
		await runScheduledTasks(env, new Date(Date.now() + (EVIDENCE_RETENTION_DAYS + 1) * DAY_MS));
		expect(await snapshotOf("post", threat)).toHaveProperty("erased");
		expect((await queueItemFor("post", threat)).author_erased_at).toBeNull();
	});

	// The attack of the adversarial review: the snapshot of a reported threatening chat message became
	// { "erased": … } and the victim's conversation vanished when its sender deleted the account.
	it("lets the victim keep their copy of a reported conversation, with a Former member, until the case ages out", async () => {
		const harasser = await signUp("evidence-chat-harasser");
		const victim = await signUp("evidence-chat-victim");
		const judge = await guardian("evidence-chat-judge");
		await connect(harasser, victim);
		const threat = "Delete your account or I will show up at your work";
		const message = await sendRest(harasser, victim.id, threat);
		await sendRest(victim, harasser.id, "Please stop");
		await expectStatus(
			await call("POST", "/api/v1/reports", {
				token: victim.token,
				body: {
					target_type: "chat_message",
					target_id: message.id,
					reason: "harassment",
					message: { author_id: harasser.id },
				},
			}),
			201,
		);
		await deleteAccount(harasser);

		const texts = async () =>
			(
				await expectStatus<{ data: Array<{ text: string }> }>(
					await call("GET", `/api/v1/orchard/conversations/${harasser.id}/messages`, { token: victim.token }),
					200,
				)
			).data.map((m) => m.text);
		expect(await texts()).toEqual(["Please stop", threat]);
		const list = await expectStatus<{
			data: Array<{ peer: { display_name: string }; can_message: boolean }>;
		}>(await call("GET", "/api/v1/orchard/conversations", { token: victim.token }), 200);
		expect(list.data).toEqual([
			expect.objectContaining({
				peer: expect.objectContaining({ display_name: "Former member" }),
				can_message: false,
			}),
		]);
		expect(await snapshotOf("chat_message", message.id)).toMatchObject({ text: threat });
		// Read-only: the victim cannot write to a former member.
		await expectProblem(
			await call("POST", `/api/v1/orchard/conversations/${harasser.id}/messages`, {
				token: victim.token,
				body: { text: "hello?" },
			}),
			404,
		);

		await expectStatus(
			await decide(judge, (await queueItemFor("chat_message", message.id)).id, {
				decision: "warn",
				reason: "Threats",
			}),
			200,
		);
		// The run that ages the evidence out queues the room's blanking; the next run (ten minutes on) does it.
		const later = Date.now() + (EVIDENCE_RETENTION_DAYS + 1) * DAY_MS;
		await runScheduledTasks(env, new Date(later));
		await runScheduledTasks(env, new Date(later + 10 * 60_000));
		expect(await texts()).toEqual(["Please stop"]);
		expect(await snapshotOf("chat_message", message.id)).toHaveProperty("erased");
	});

	it("keeps the evidence behind a suspension in force until it ends, even after the case closed", async () => {
		const author = await signUp("evidence-suspended");
		const judge = await guardian("evidence-suspender");
		const post = await postBy(author.id, "Everyone in this group is worthless trash");
		await reported(await signUp("evidence-reporter"), "post", post, "harassment");
		await expectStatus(
			await decide(judge, (await queueItemFor("post", post)).id, {
				decision: "suspend",
				duration: "permanent",
				reason: "Hate",
			}),
			200,
		);
		await deleteAccount(author);
		await runScheduledTasks(env, new Date(Date.now() + (EVIDENCE_RETENTION_DAYS + 30) * DAY_MS));
		expect(await snapshotOf("post", post)).toMatchObject({
			body: "Everyone in this group is worthless trash",
		});
	});
});
