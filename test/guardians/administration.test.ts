/**
 * Applications review (trust and guide) and user administration: role, trust level and its lock,
 * suspension and lifting — with a guardian never able to demote or suspend themselves.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { addContributions, addReactionsReceived, ago, DAY_MS, userAt } from "../trust/fixtures";
import { guardian, person } from "./helpers";

type Reviewable = {
	id: string;
	kind: string;
	status: string;
	applicant: { id: string };
	reviewer_notes: string | null;
};

async function trustApplicant(label: string): Promise<{ user: TestUser; applicationId: string }> {
	const user = await userAt("growing", 15, 60, label);
	await addReactionsReceived(user.id, 5, 3);
	await addContributions(user.id, { posts: 18 });
	const created = await expectStatus<{ id: string }>(
		await call("POST", "/api/v1/trust/applications", { token: user.token, body: {} }),
		201,
	);
	return { user, applicationId: created.id };
}

async function guideApplicant(label: string): Promise<{ user: TestUser; applicationId: string }> {
	const user = await userAt("good_soil", 10, 100, label);
	const created = await expectStatus<{ id: string }>(
		await call("POST", "/api/v1/trust/guide-applications", {
			token: user.token,
			body: { motivation: "I want to help people through hard seasons.", specialties: ["stress", "sleep"] },
		}),
		201,
	);
	return { user, applicationId: created.id };
}

const decideApplication = (by: TestUser, id: string, body: Record<string, unknown>) =>
	call("POST", `/api/v1/guardians/applications/${id}/decision`, { token: by.token, body });

const administer = (by: TestUser, userId: string, body: Record<string, unknown>) =>
	call("PATCH", `/api/v1/guardians/users/${userId}`, { token: by.token, body });

const userRow = (id: string) =>
	env.DB.prepare(
		"SELECT role, trust_level, trust_level_since, trust_locked, suspended_until FROM users WHERE id = ?",
	)
		.bind(id)
		.first<{
			role: string;
			trust_level: string;
			trust_level_since: string;
			trust_locked: number;
			suspended_until: string | null;
		}>();

describe("applications review", () => {
	it("lists pending trust and guide applications, oldest first, filterable by kind", async () => {
		const reviewer = await guardian("apps-list");
		const trust = await trustApplicant("apps-list-trust");
		const guide = await guideApplicant("apps-list-guide");
		const all: Reviewable[] = [];
		let cursor: string | null = null;
		do {
			const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
			const page: { data: Reviewable[]; next_cursor: string | null } = await expectStatus(
				await call("GET", `/api/v1/guardians/applications?limit=1${suffix}`, { token: reviewer.token }),
				200,
			);
			all.push(...page.data);
			cursor = page.next_cursor;
		} while (cursor);
		const ids = all.map((each) => each.id);
		expect(ids).toEqual([...ids].sort());
		expect(ids.indexOf(trust.applicationId)).toBeLessThan(ids.indexOf(guide.applicationId));
		const guidesOnly = await expectStatus<{ data: Reviewable[] }>(
			await call("GET", "/api/v1/guardians/applications?kind=guide&limit=100", { token: reviewer.token }),
			200,
		);
		expect(guidesOnly.data.every((each) => each.kind === "guide")).toBe(true);
		expect(guidesOnly.data.map((each) => each.id)).toContain(guide.applicationId);
	});

	it("approving a trust application raises the level (and restarts days at level)", async () => {
		const reviewer = await guardian("apps-approve");
		const { user, applicationId } = await trustApplicant("apps-approve-trust");
		const reviewed = await expectStatus<Reviewable>(
			await decideApplication(reviewer, applicationId, { decision: "approve", notes: "Kind and steady" }),
			200,
		);
		expect(reviewed).toMatchObject({ status: "approved", reviewer_notes: "Kind and steady" });
		const row = await userRow(user.id);
		expect(row?.trust_level).toBe("good_soil");
		expect(Date.parse(row?.trust_level_since ?? "")).toBeGreaterThan(Date.now() - DAY_MS);
		await expectProblem(await decideApplication(reviewer, applicationId, { decision: "reject" }), 409);
	});

	it("approving a guide application makes a Guide with a guide profile; losing good_soil suspends guide powers", async () => {
		const reviewer = await guardian("apps-guide");
		const { user, applicationId } = await guideApplicant("apps-guide-user");
		await expectStatus(await decideApplication(reviewer, applicationId, { decision: "approve" }), 200);
		expect((await userRow(user.id))?.role).toBe("guide");
		const profile = await env.DB.prepare("SELECT specialties FROM guide_profiles WHERE user_id = ?")
			.bind(user.id)
			.first<{ specialties: string }>();
		expect(JSON.parse(profile?.specialties ?? "[]")).toEqual(["stress", "sleep"]);

		const author = await signUp("apps-guide-author");
		const request = await expectStatus<{ request: { id: string } }>(
			await call("POST", "/api/v1/support/requests", {
				token: author.token,
				body: {
					title: "Need a guide",
					body: "Only guides please, it is personal.",
					category: "grief",
					visibility: "guides_only",
				},
			}),
			201,
		);
		const path = `/api/v1/support/requests/${request.request.id}`;
		await expectStatus(await call("GET", path, { token: user.token }), 200);
		// Trust falls below good_soil: guide powers pause, the role stays.
		await expectStatus(
			await administer(reviewer, user.id, { trust_level: "growing", reason: "Upheld reports" }),
			200,
		);
		await expectProblem(await call("GET", path, { token: user.token }), 404);
		expect((await userRow(user.id))?.role).toBe("guide");
		// Restored.
		await expectStatus(
			await administer(reviewer, user.id, { trust_level: "good_soil", reason: "Appeal upheld" }),
			200,
		);
		const response = await expectStatus<{ is_guide_response: boolean }>(
			await call("POST", `${path}/responses`, { token: user.token, body: { body: "I am here for you." } }),
			201,
		);
		expect(response.is_guide_response).toBe(true);
	});

	it("rejecting keeps the level; reviewing one's own application is refused; unknown ids are 404", async () => {
		const reviewer = await guardian("apps-reject");
		const { user, applicationId } = await trustApplicant("apps-reject-user");
		await expectStatus(
			await decideApplication(reviewer, applicationId, { decision: "reject", notes: "Too soon" }),
			200,
		);
		expect((await userRow(user.id))?.trust_level).toBe("growing");

		const selfReviewer = await guardian("apps-self");
		await setUserColumns(selfReviewer.id, { trust_level: "growing", trust_level_since: ago(20 * DAY_MS) });
		await addReactionsReceived(selfReviewer.id, 5, 3);
		await addContributions(selfReviewer.id, { posts: 18 });
		const own = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/trust/applications", { token: selfReviewer.token, body: {} }),
			201,
		);
		await expectProblem(await decideApplication(selfReviewer, own.id, { decision: "approve" }), 403);
		await expectProblem(
			await decideApplication(reviewer, "0190a0a0-0000-7000-8000-000000000000", { decision: "approve" }),
			404,
		);
		await expectProblem(await decideApplication(reviewer, own.id, { decision: "maybe" }), 422);
		await expectProblem(
			await decideApplication(reviewer, own.id, { decision: "approve", notes: "n".repeat(1001) }),
			422,
		);
	});

	it("refuses to approve when the applicant's level changed since applying", async () => {
		const reviewer = await guardian("apps-changed");
		const { user, applicationId } = await trustApplicant("apps-changed-user");
		await setUserColumns(user.id, { trust_level: "good_soil" });
		await expectProblem(await decideApplication(reviewer, applicationId, { decision: "approve" }), 409);
		expect((await userRow(user.id))?.trust_level).toBe("good_soil");
	});
});

describe("PATCH /guardians/users/{user_id}", () => {
	it("sets role and trust level with a lock that stops automatic promotion", async () => {
		const admin = await guardian("admin-set");
		const target = await userAt("new_sprout", 10, 10, "admin-target");
		await addContributions(target.id, { posts: 6 });
		const updated = await expectStatus<{ role: string; trust_level: string; trust_locked: boolean }>(
			await administer(admin, target.id, {
				role: "guide",
				trust_level: "new_sprout",
				trust_locked: true,
				reason: "Probation",
			}),
			200,
		);
		expect(updated).toMatchObject({ role: "guide", trust_level: "new_sprout", trust_locked: true });
		const me = await expectStatus<{ trust_level: string; trust_locked: boolean }>(
			await call("GET", "/api/v1/trust/me", { token: target.token }),
			200,
		);
		expect(me).toMatchObject({ trust_level: "new_sprout", trust_locked: true });
		const profile = await env.DB.prepare("SELECT count(*) AS n FROM guide_profiles WHERE user_id = ?")
			.bind(target.id)
			.first<{ n: number }>();
		expect(profile?.n).toBe(1);
	});

	it("suspends (writes blocked at once) and lifts a suspension", async () => {
		const admin = await guardian("admin-suspend");
		const target = await signUp("admin-suspended");
		const suspended = await expectStatus<{ suspended_until: string }>(
			await administer(admin, target.id, { suspension: { duration: "7d" }, reason: "Spamming" }),
			200,
		);
		expect(Date.parse(suspended.suspended_until)).toBeGreaterThan(Date.now() + 6 * DAY_MS);
		await expectProblem(await call("GET", "/api/v1/trust/me", { token: target.token }), 403);
		const lifted = await expectStatus<{ suspended_until: string | null }>(
			await administer(admin, target.id, { suspension: null, reason: "Apologised" }),
			200,
		);
		expect(lifted.suspended_until).toBeNull();
		await expectStatus(await call("GET", "/api/v1/trust/me", { token: target.token }), 200);
		const penalty = await env.DB.prepare("SELECT lifted_at, lifted_by FROM penalties WHERE user_id = ?")
			.bind(target.id)
			.first<{ lifted_at: string | null; lifted_by: string }>();
		expect(penalty?.lifted_at).toBeTruthy();
		expect(penalty?.lifted_by).toBe(admin.id);
		await expectProblem(await administer(admin, target.id, { suspension: null, reason: "Again" }), 409);
	});

	it("never lets a guardian demote or suspend themselves", async () => {
		const admin = await guardian("admin-self");
		await expectProblem(await administer(admin, admin.id, { role: "user", reason: "Stepping down" }), 403);
		await expectProblem(
			await administer(admin, admin.id, { suspension: { duration: "24h" }, reason: "Break" }),
			403,
		);
		expect((await userRow(admin.id))?.role).toBe("guardian");
		expect((await userRow(admin.id))?.suspended_until).toBeNull();
	});

	it("lets a guardian demote and suspend another guardian", async () => {
		const admin = await guardian("admin-other");
		const other = await guardian("admin-other-target");
		await expectStatus(
			await administer(admin, other.id, { suspension: { duration: "24h" }, reason: "Misuse" }),
			200,
		);
		await expectStatus(await administer(admin, other.id, { role: "user", reason: "Misuse" }), 200);
		expect((await userRow(other.id))?.role).toBe("user");
	});

	it("validates input: 422 for nothing to change, unknown fields, bad values; 404 for unknown users", async () => {
		const admin = await guardian("admin-bad");
		const target = await signUp("admin-bad-target");
		for (const body of [
			{ reason: "nothing" },
			{ role: "king", reason: "x" },
			{ trust_level: "sapling", reason: "x" },
			{ suspension: { duration: "1y" }, reason: "x" },
			{ role: "user" },
			{ role: "user", reason: "x", email: "x@example.test" },
		]) {
			await expectProblem(await administer(admin, target.id, body), 422);
		}
		await expectProblem(
			await administer(admin, "0190a0a0-0000-7000-8000-000000000000", { role: "user", reason: "x" }),
			404,
		);
		await expectProblem(
			await call("PATCH", `/api/v1/guardians/users/${target.id}`, { token: admin.token, rawBody: "{" }),
			400,
		);
	});

	it("is refused to a guide or a flourishing member", async () => {
		const target = await signUp("admin-victim");
		for (const columns of [
			{ role: "guide", trust_level: "good_soil" },
			{ trust_level: "flourishing" },
		] as Array<Record<string, string>>) {
			const user = await person("admin-not-guardian", columns);
			await expectProblem(await administer(user, target.id, { role: "guardian", reason: "Promote me" }), 403);
		}
		expect((await userRow(target.id))?.role).toBe("user");
	});
});
