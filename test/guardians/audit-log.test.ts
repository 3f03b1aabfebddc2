/**
 * The audit log holds every guardian action — who, what, on what, about whom, why, when — plus automatic
 * hides; it pages newest first and filters by actor, action, target and affected user. Stats count it.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createRequest } from "../anonymous-support/helpers";
import { call, expectProblem, expectStatus, signUp, type TestUser } from "../support/api";
import { addContributions, addReactionsReceived, userAt } from "../trust/fixtures";
import { atLevel, decide, established, guardian, postBy, queueItemFor, reported } from "./helpers";

type Entry = {
	id: string;
	actor: { id: string; display_name: string } | null;
	action: string;
	target_type: string;
	target_id: string;
	target_user_id: string | null;
	reason: string;
	details: Record<string, unknown>;
	created_at: string;
};

async function auditLog(by: TestUser, query: string): Promise<Entry[]> {
	const entries: Entry[] = [];
	let cursor: string | null = null;
	do {
		const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
		const page: { data: Entry[]; next_cursor: string | null } = await expectStatus(
			await call("GET", `/api/v1/guardians/audit-log?limit=2&${query}${suffix}`, { token: by.token }),
			200,
		);
		entries.push(...page.data);
		cursor = page.next_cursor;
	} while (cursor);
	return entries;
}

async function reportedItem(authorId: string) {
	const postId = await postBy(authorId);
	await reported(await signUp("audit-reporter"), "post", postId, "spam");
	return { postId, itemId: (await queueItemFor("post", postId)).id };
}

describe("audit log completeness", () => {
	it("records every kind of guardian action with who, what, target, reason and when", async () => {
		const actor = await guardian("audit-actor");
		const author = await signUp("audit-author");

		// Queue decisions.
		for (const [decision, extra] of [
			["dismiss", {}],
			["remove_content", {}],
			["warn", {}],
			["suspend", { duration: "24h" }],
		] as const) {
			const { itemId } = await reportedItem(author.id);
			await expectStatus(
				await decide(actor, itemId, { decision, reason: `Because ${decision}`, ...extra }),
				200,
			);
		}
		// User administration.
		const target = await signUp("audit-target");
		const patch = (body: Record<string, unknown>) =>
			call("PATCH", `/api/v1/guardians/users/${target.id}`, { token: actor.token, body });
		await expectStatus(await patch({ role: "guide", reason: "Helpful member" }), 200);
		await expectStatus(
			await patch({ trust_level: "growing", trust_locked: true, reason: "Vouched for" }),
			200,
		);
		await expectStatus(await patch({ suspension: { duration: "72h" }, reason: "Spam wave" }), 200);
		await expectStatus(await patch({ suspension: null, reason: "Was hacked" }), 200);
		// Applications.
		const applicant = await userAt("growing", 15, 60, "audit-applicant");
		await addReactionsReceived(applicant.id, 5, 3);
		await addContributions(applicant.id, { posts: 18 });
		const application = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/trust/applications", { token: applicant.token, body: {} }),
			201,
		);
		await expectStatus(
			await call("POST", `/api/v1/guardians/applications/${application.id}/decision`, {
				token: actor.token,
				body: { decision: "approve", notes: "Well earned" },
			}),
			200,
		);
		const guideApplicant = await atLevel("good_soil", "audit-guide-applicant");
		const guideApplication = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/trust/guide-applications", {
				token: guideApplicant.token,
				body: { motivation: "I would love to mentor new members." },
			}),
			201,
		);
		await expectStatus(
			await call("POST", `/api/v1/guardians/applications/${guideApplication.id}/decision`, {
				token: actor.token,
				body: { decision: "reject", notes: "Not yet" },
			}),
			200,
		);
		// Appeals.
		const penalties = await env.DB.prepare("SELECT id FROM penalties WHERE user_id = ? ORDER BY created_at")
			.bind(author.id)
			.all<{ id: string }>();
		const [warning, suspension] = penalties.results;
		for (const [penalty, decision] of [
			[warning, "uphold"],
			[suspension, "overturn"],
		] as const) {
			const filed = await expectStatus<{ id: string }>(
				await call("POST", "/api/v1/appeals", {
					token: author.token,
					body: { penalty_id: penalty?.id, body: "Please reconsider" },
				}),
				201,
			);
			await expectStatus(
				await call("PATCH", `/api/v1/guardians/appeals/${filed.id}`, {
					token: actor.token,
					body: { decision, notes: `Appeal ${decision}` },
				}),
				200,
			);
		}
		// Deleting an anonymous support request.
		const request = await createRequest(await signUp("audit-support"));
		await call("DELETE", `/api/v1/support/requests/${request.request.id}`, { token: actor.token });

		const entries = await auditLog(actor, `actor_id=${actor.id}`);
		expect(new Set(entries.map((entry) => entry.action))).toEqual(
			new Set([
				"dismiss",
				"remove_content",
				"warn",
				"suspend",
				"set_role",
				"set_trust",
				"lift_suspension",
				"approve_application",
				"reject_application",
				"uphold_appeal",
				"overturn_appeal",
				"delete_content",
			]),
		);
		// 4 decisions, 4 user changes, 2 application reviews, 2 appeal decisions, 1 deletion.
		expect(entries).toHaveLength(13);
		for (const entry of entries) {
			expect(entry.actor).toMatchObject({ id: actor.id });
			expect(entry.target_id).toBeTruthy();
			expect(entry.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
		}
		const times = entries.map((entry) => entry.created_at);
		expect(times).toEqual([...times].sort().reverse());
		expect(entries.find((entry) => entry.action === "warn")).toMatchObject({
			target_type: "post",
			target_user_id: author.id,
			reason: "Because warn",
		});
		expect(entries.find((entry) => entry.action === "suspend" && entry.target_type === "user")).toMatchObject(
			{
				target_id: target.id,
				reason: "Spam wave",
				details: expect.objectContaining({ duration: "72h" }),
			},
		);
		expect(entries.find((entry) => entry.action === "set_trust")?.details).toMatchObject({
			from: "new_sprout",
			to: "growing",
			locked: true,
		});
		expect(entries.find((entry) => entry.action === "approve_application")).toMatchObject({
			target_type: "trust_application",
			target_id: application.id,
			target_user_id: applicant.id,
			reason: "Well earned",
		});
	});

	it("includes automatic hides (no actor) and filters by action, affected user and target", async () => {
		const viewer = await guardian("audit-filters");
		const author = await signUp("audit-hidden-author");
		const postId = await postBy(author.id);
		await reported(await established("flourishing", "audit-flourishing"), "post", postId, "spam");
		const hides = await auditLog(viewer, `action=hide_content&target_user_id=${author.id}`);
		expect(hides).toEqual([
			expect.objectContaining({
				actor: null,
				action: "hide_content",
				target_type: "post",
				target_id: postId,
			}),
		]);
		const byTarget = await auditLog(viewer, `target_type=post&target_id=${postId}`);
		expect(byTarget.map((entry) => entry.action)).toEqual(["hide_content"]);
		for (const query of ["action=smite", "actor_id=nobody", "target_type=planet", "limit=0"]) {
			await expectProblem(
				await call("GET", `/api/v1/guardians/audit-log?${query}`, { token: viewer.token }),
				422,
			);
		}
	});
});

describe("GET /guardians/stats", () => {
	it("counts open queue items, reports by reason, actions per day and pending reviews", async () => {
		const viewer = await guardian("stats");
		const author = await signUp("stats-author");
		const before = await expectStatus<{
			queue: { open: number; open_hidden: number };
			reports_by_reason: Record<string, number>;
			actions_over_time: Array<{ date: string; action: string; count: number }>;
			pending: { trust_applications: number };
		}>(await call("GET", "/api/v1/guardians/stats", { token: viewer.token }), 200);
		const { itemId } = await reportedItem(author.id);
		await reported(await signUp("stats-harasser"), "user", author.id, "harassment");
		const middle = await expectStatus<typeof before>(
			await call("GET", "/api/v1/guardians/stats", { token: viewer.token }),
			200,
		);
		expect(middle.queue.open).toBe(before.queue.open + 2);
		expect(middle.reports_by_reason.spam ?? 0).toBe((before.reports_by_reason.spam ?? 0) + 1);
		expect(middle.reports_by_reason.harassment ?? 0).toBe((before.reports_by_reason.harassment ?? 0) + 1);
		await expectStatus(await decide(viewer, itemId, { decision: "dismiss", reason: "Fine" }), 200);
		const after = await expectStatus<typeof before & { period_days: number }>(
			await call("GET", "/api/v1/guardians/stats?days=7", { token: viewer.token }),
			200,
		);
		expect(after.period_days).toBe(7);
		expect(after.queue.open).toBe(before.queue.open + 1);
		const today = new Date().toISOString().slice(0, 10);
		expect(after.actions_over_time).toContainEqual(
			expect.objectContaining({ date: today, action: "dismiss" }),
		);
		await expectProblem(await call("GET", "/api/v1/guardians/stats?days=0", { token: viewer.token }), 422);
		await expectProblem(await call("GET", "/api/v1/guardians/stats?days=366", { token: viewer.token }), 422);
	});
});
