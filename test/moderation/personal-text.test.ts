/**
 * Words one person sends another (connection notes, mentorship goals and messages) and the profile everyone
 * sees (display name, bio) go through the same moderation step as posts: abusive words are refused (422)
 * and never reach anyone; flagged and urgent words go through and raise a Guardian queue item on the author.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { queueItemFor } from "../guardians/helpers";
import { growingUser, makeGuide } from "../orchard/helpers";
import { call, expectProblem, expectStatus, signUp, type TestUser } from "../support/api";

const ABUSIVE = "kill yourself, nobody wants you here";
const RUDE = "You are such a loser.";
const CRISIS = "I want to end my life tonight, I have nothing left";

const ask = (from: TestUser, to: TestUser, note: string) =>
	call("POST", "/api/v1/orchard/connections", {
		token: from.token,
		body: { user_id: to.id, connection_type: "friend", note },
	});

const snapshotOf = async (userId: string) =>
	JSON.parse(String((await queueItemFor("user", userId)).content_snapshot)) as Record<string, unknown>;

const pending = (from: string, to: string) =>
	env.DB.prepare("SELECT count(*) AS n FROM connections WHERE requester_id = ? AND addressee_id = ?")
		.bind(from, to)
		.first<{ n: number }>();

describe("connection request notes", () => {
	// The attack of the adversarial review: a note "kill yourself" reached the addressee word for word.
	it("refuses an abusive note: no request, nothing delivered, no quota used", async () => {
		const harasser = await signUp("note-harasser");
		const target = await signUp("note-target");
		const problem = await expectProblem(await ask(harasser, target, ABUSIVE), 422);
		expect(problem.errors).toEqual([expect.objectContaining({ field: "body/note" })]);
		expect((await pending(harasser.id, target.id))?.n).toBe(0);
		const inbox = await expectStatus<{ data: unknown[] }>(
			await call("GET", "/api/v1/orchard/connections", { token: target.token }),
			200,
		);
		expect(JSON.stringify(inbox)).not.toContain("kill yourself");
		const quota = await env.DB.prepare("SELECT count(*) AS n FROM daily_quotas WHERE user_id = ?")
			.bind(harasser.id)
			.first<{ n: number }>();
		expect(quota?.n).toBe(0);
	});

	it("delivers a rude note but puts its author in the guardians' queue with the words", async () => {
		const sender = await signUp("note-rude");
		const target = await signUp("note-rude-target");
		await expectStatus(await ask(sender, target, RUDE), 201);
		expect(await snapshotOf(sender.id)).toMatchObject({
			context: "connection_request",
			note: RUDE,
			to_user_id: target.id,
		});
	});

	it("never refuses a person reaching out in crisis: delivered, and an urgent item for guardians", async () => {
		const sender = await signUp("note-crisis");
		const target = await signUp("note-crisis-target");
		await expectStatus(await ask(sender, target, CRISIS), 201);
		expect(await queueItemFor("user", sender.id)).toMatchObject({ is_urgent: 1, source: "crisis" });
	});

	it("is reportable: reporting the sender shows guardians the note, read from D1", async () => {
		const sender = await signUp("note-reported");
		const target = await signUp("note-reporter");
		// Scores clean, but the addressee finds it menacing in context: only a report brings it to a guardian.
		const note = "Saw you at the market on Tuesday. Nice red coat.";
		await expectStatus(await ask(sender, target, note), 201);
		await expectStatus(
			await call("POST", "/api/v1/reports", {
				token: target.token,
				body: { target_type: "user", target_id: sender.id, reason: "harassment", details: "the note" },
			}),
			201,
		);
		expect((await snapshotOf(sender.id)).addressed_to_reporter).toEqual([
			expect.objectContaining({ context: "connection_request", text: note }),
		]);
		// A later report by someone else leaves the evidence as first reported.
		const stranger = await signUp("note-stranger");
		await expectStatus(
			await call("POST", "/api/v1/reports", {
				token: stranger.token,
				body: { target_type: "user", target_id: sender.id, reason: "spam" },
			}),
			201,
		);
		expect((await snapshotOf(sender.id)).addressed_to_reporter).toHaveLength(1);
	});

	it("leaves an ordinary note alone (no queue item)", async () => {
		const sender = await signUp("note-kind");
		await expectStatus(
			await ask(sender, await signUp("note-kind-target"), "Loved your gardening post!"),
			201,
		);
		const item = await env.DB.prepare("SELECT count(*) AS n FROM moderation_queue_items WHERE target_id = ?")
			.bind(sender.id)
			.first<{ n: number }>();
		expect(item?.n).toBe(0);
	});
});

describe("profiles", () => {
	it("refuses an abusive display name or bio and changes nothing", async () => {
		const user = await signUp("profile-abuse", { name: "Kind Name" });
		for (const body of [{ display_name: "kill yourself" }, { bio: ABUSIVE }]) {
			const problem = await expectProblem(
				await call("PATCH", "/api/v1/users/me", { token: user.token, body }),
				422,
			);
			expect(problem.errors).toEqual([expect.objectContaining({ field: `body/${Object.keys(body)[0]}` })]);
		}
		const profile = await expectStatus<{ display_name: string; bio: string }>(
			await call("GET", `/api/v1/users/${user.id}`, { token: (await signUp("profile-reader")).token }),
			200,
		);
		expect(profile).toMatchObject({ display_name: "Kind Name", bio: "" });
	});

	it("publishes a rude bio with a queue item on its author", async () => {
		const user = await signUp("profile-rude");
		await expectStatus(
			await call("PATCH", "/api/v1/users/me", { token: user.token, body: { bio: RUDE } }),
			200,
		);
		expect(await snapshotOf(user.id)).toMatchObject({ context: "profile", bio: RUDE });
	});
});

describe("mentorship requests", () => {
	it("refuses abusive goals or message to a guide, and queues rude ones", async () => {
		const guide = await makeGuide("mentor-abuse-guide", { maxMentees: 3 });
		const mentee = await growingUser("mentor-abuse-mentee");
		const request = (body: Record<string, string>) =>
			call("POST", "/api/v1/orchard/mentorships", {
				token: mentee.token,
				body: { guide_id: guide.id, goals: "Sleep better", ...body },
			});
		const refused = await expectProblem(await request({ message: ABUSIVE }), 422);
		expect(refused.errors).toEqual(
			expect.arrayContaining([expect.objectContaining({ field: "body/message" })]),
		);
		await expectProblem(await request({ goals: ABUSIVE }), 422);
		await expectStatus(await request({ message: RUDE }), 201);
		expect(await snapshotOf(mentee.id)).toMatchObject({ context: "mentorship_request", message: RUDE });
	});
});
