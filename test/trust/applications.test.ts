/**
 * Applications for good_soil and flourishing: eligibility checked at the boundaries of API.md's numbers
 * (ineligible → 422 naming every unmet requirement), one pending at a time, withdrawal; and guide
 * applications (good_soil+).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import {
	addContributions,
	addReactionsReceived,
	addUpheldReport,
	ago,
	DAY_MS,
	MINUTE_MS,
	userAt,
} from "./fixtures";

type Application = { id: string; kind: string; status: string; from_level: string; requested_level: string };

const apply = (user: TestUser, body: Record<string, unknown> = {}) =>
	call("POST", "/api/v1/trust/applications", {
		token: user.token,
		body: { statement: "I help out", ...body },
	});

/** A growing user who meets every good_soil requirement (14 days + 1 minute at growing). */
async function eligibleForGoodSoil(label = "eligible"): Promise<TestUser> {
	const user = await userAt("growing", 14, 30, label);
	await setUserColumns(user.id, { trust_level_since: ago(14 * DAY_MS + MINUTE_MS) });
	await addReactionsReceived(user.id, 5, 3); // + 2 contributions
	await addContributions(user.id, { posts: 18 });
	return user;
}

async function unmetKeys(response: Response): Promise<string[]> {
	const problem = (await expectProblem(response, 422)) as {
		errors?: Array<{ field: string }>;
		unmet_requirements?: Array<{ key: string }>;
	};
	const fromErrors = (problem.errors ?? []).map((error) => error.field.replace("requirements/", ""));
	expect(fromErrors).toEqual((problem.unmet_requirements ?? []).map((each) => each.key));
	return fromErrors;
}

describe("eligibility for good_soil at its boundaries", () => {
	it("accepts an application when every requirement is met", async () => {
		const user = await eligibleForGoodSoil();
		const created = await expectStatus<Application>(await apply(user), 201);
		expect(created).toMatchObject({
			kind: "trust",
			status: "pending",
			from_level: "growing",
			requested_level: "good_soil",
		});
	});

	it("lists every unmet requirement: days, contributions, reactions, people", async () => {
		const user = await userAt("growing", 0, 30, "unmet");
		await setUserColumns(user.id, { trust_level_since: ago(14 * DAY_MS - MINUTE_MS) });
		await addReactionsReceived(user.id, 4, 2); // + 2 contributions
		await addContributions(user.id, { posts: 17 }); // 19 in all
		expect(await unmetKeys(await apply(user))).toEqual([
			"days_at_level",
			"contributions",
			"reactions_received",
			"distinct_reactors",
		]);
		const stored = await env.DB.prepare("SELECT count(*) AS n FROM trust_applications WHERE user_id = ?")
			.bind(user.id)
			.first<{ n: number }>();
		expect(stored?.n).toBe(0);
	});

	it("ignores reactions to my own content", async () => {
		const user = await userAt("growing", 20, 40, "self-react");
		await addContributions(user.id, { posts: 20 });
		await env.DB.prepare(
			"INSERT INTO reactions (id, user_id, target_type, target_id, target_author_id, reaction_type, created_at, updated_at) SELECT lower(hex(randomblob(16))), author_id, 'post', id, author_id, 'like', created_at, created_at FROM posts WHERE author_id = ?",
		)
			.bind(user.id)
			.run();
		expect(await unmetKeys(await apply(user))).toEqual(["reactions_received", "distinct_reactors"]);
	});

	it("refuses after an upheld report within 90 days, but not an older or overturned one", async () => {
		const recent = await eligibleForGoodSoil("upheld-recent");
		await addUpheldReport(recent.id, 89);
		expect(await unmetKeys(await apply(recent))).toEqual(["upheld_reports"]);

		const old = await eligibleForGoodSoil("upheld-old");
		await addUpheldReport(old.id, 91);
		await expectStatus(await apply(old), 201);

		const overturned = await eligibleForGoodSoil("upheld-overturned");
		await addUpheldReport(overturned.id, 10, true);
		await expectStatus(await apply(overturned), 201);
	});

	it("shows the same requirements, with progress, in GET /trust/me", async () => {
		const user = await userAt("growing", 3, 30, "progress");
		await addReactionsReceived(user.id, 5, 3);
		const me = await expectStatus<{
			next_level: {
				level: string;
				how: string;
				eligible: boolean;
				requirements: Array<Record<string, unknown>>;
			};
		}>(await call("GET", "/api/v1/trust/me", { token: user.token }), 200);
		expect(me.next_level).toMatchObject({ level: "good_soil", how: "application", eligible: false });
		expect(me.next_level.requirements).toEqual([
			expect.objectContaining({ key: "days_at_level", current: 3, required: 14, met: false }),
			expect.objectContaining({ key: "contributions", current: 2, required: 20, met: false }),
			expect.objectContaining({ key: "reactions_received", current: 5, required: 5, met: true }),
			expect.objectContaining({ key: "distinct_reactors", current: 3, required: 3, met: true }),
			expect.objectContaining({
				key: "upheld_reports",
				current: 0,
				required: 0,
				comparison: "at_most",
				met: true,
			}),
		]);
	});
});

describe("eligibility for flourishing", () => {
	it("needs 60 days at good_soil, 100 contributions, 30 reactions from 10 people, 180 clean days", async () => {
		const user = await userAt("good_soil", 59, 200, "flourish");
		await addReactionsReceived(user.id, 29, 10);
		await addContributions(user.id, { habitLogs: 97 }); // 99 in all
		await addUpheldReport(user.id, 179);
		expect(await unmetKeys(await apply(user))).toEqual([
			"days_at_level",
			"contributions",
			"reactions_received",
			"upheld_reports",
		]);

		const ready = await userAt("good_soil", 60, 200, "flourish-ready");
		await setUserColumns(ready.id, { trust_level_since: ago(60 * DAY_MS + MINUTE_MS) });
		await addReactionsReceived(ready.id, 30, 10);
		await addContributions(ready.id, { habitLogs: 98 });
		await addUpheldReport(ready.id, 181);
		const created = await expectStatus<Application>(
			await apply(ready, { requested_level: "flourishing" }),
			201,
		);
		expect(created).toMatchObject({ from_level: "good_soil", requested_level: "flourishing" });
	});
});

describe("the application rules", () => {
	it("allows one pending application at a time, withdrawal, and a new one after it", async () => {
		const user = await eligibleForGoodSoil("one-pending");
		const first = await expectStatus<Application>(await apply(user), 201);
		await expectProblem(await apply(user), 409);
		expect(
			(await call("DELETE", `/api/v1/trust/applications/${first.id}`, { token: user.token })).status,
		).toBe(204);
		await expectProblem(
			await call("DELETE", `/api/v1/trust/applications/${first.id}`, { token: user.token }),
			409,
		);
		await expectStatus(await apply(user), 201);
		const mine = await expectStatus<{ data: Application[]; next_cursor: string | null }>(
			await call("GET", "/api/v1/trust/applications", { token: user.token }),
			200,
		);
		expect(mine.data.map((each) => each.status)).toEqual(["pending", "withdrawn"]);
	});

	it("refuses new_sprout (growing is automatic), a skipped level, the top level and a locked level", async () => {
		const sprout = await signUp("sprout-applies");
		const problem = await expectProblem(await apply(sprout), 422);
		expect(problem.detail).toContain("automatically");

		const growing = await eligibleForGoodSoil("skip-level");
		await expectProblem(await apply(growing, { requested_level: "flourishing" }), 422);

		const top = await userAt("flourishing", 100, 400, "top");
		await expectProblem(await apply(top), 409);

		const locked = await eligibleForGoodSoil("locked-applies");
		await setUserColumns(locked.id, { trust_locked: 1 });
		await expectProblem(await apply(locked), 409);
	});

	it("validates input and scopes withdrawal to my own applications", async () => {
		const user = await eligibleForGoodSoil("validate");
		const stranger = await signUp("stranger");
		await expectProblem(await apply(user, { statement: "s".repeat(2001) }), 422);
		await expectProblem(await apply(user, { requested_level: "growing" }), 422);
		await expectProblem(await apply(user, { priority: "high" }), 422);
		await expectProblem(
			await call("POST", "/api/v1/trust/applications", { token: user.token, rawBody: "{nope" }),
			400,
		);
		await expectProblem(await call("POST", "/api/v1/trust/applications", { body: {} }), 401);
		const created = await expectStatus<Application>(await apply(user), 201);
		await expectProblem(
			await call("DELETE", `/api/v1/trust/applications/${created.id}`, { token: stranger.token }),
			404,
		);
		await expectProblem(
			await call("DELETE", "/api/v1/trust/applications/not-a-uuid", { token: user.token }),
			422,
		);
		await expectProblem(
			await call("DELETE", "/api/v1/trust/applications/0190a0a0-0000-7000-8000-000000000000", {
				token: user.token,
			}),
			404,
		);
		await setUserColumns(user.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(await call("GET", "/api/v1/trust/applications", { token: user.token }), 403);
	});
});

describe("guide applications", () => {
	const guideBody = {
		motivation: "I have walked through grief myself and want to help others do the same.",
		experience: "Peer support volunteer for five years.",
		specialties: ["grief", "loneliness"],
	};

	it("are open to good_soil and above, one pending at a time, and withdrawable", async () => {
		const soil = await userAt("good_soil", 5, 100, "guide-apply");
		const created = await expectStatus<{ id: string; kind: string; status: string; specialties: string[] }>(
			await call("POST", "/api/v1/trust/guide-applications", { token: soil.token, body: guideBody }),
			201,
		);
		expect(created).toMatchObject({ kind: "guide", status: "pending", specialties: ["grief", "loneliness"] });
		await expectProblem(
			await call("POST", "/api/v1/trust/guide-applications", { token: soil.token, body: guideBody }),
			409,
		);
		const listed = await expectStatus<{ data: Array<{ id: string }> }>(
			await call("GET", "/api/v1/trust/guide-applications", { token: soil.token }),
			200,
		);
		expect(listed.data.map((each) => each.id)).toEqual([created.id]);
		expect(
			(await call("DELETE", `/api/v1/trust/applications/${created.id}`, { token: soil.token })).status,
		).toBe(204);
	});

	it("refuses growing users (403), guides and guardians (409), and bad input (422)", async () => {
		const growing = await userAt("growing", 20, 40, "guide-growing");
		await expectProblem(
			await call("POST", "/api/v1/trust/guide-applications", { token: growing.token, body: guideBody }),
			403,
		);
		const guide = await userAt("good_soil", 5, 100, "guide-already");
		await setUserColumns(guide.id, { role: "guide" });
		await expectProblem(
			await call("POST", "/api/v1/trust/guide-applications", { token: guide.token, body: guideBody }),
			409,
		);
		const guardian = await signUp("guide-guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		await expectProblem(
			await call("POST", "/api/v1/trust/guide-applications", { token: guardian.token, body: guideBody }),
			409,
		);
		const soil = await userAt("good_soil", 5, 100, "guide-bad");
		for (const body of [
			{ ...guideBody, motivation: "too short" },
			{ ...guideBody, specialties: ["grief", "grief"] },
			{ ...guideBody, specialties: Array.from({ length: 11 }, (_, i) => `tag${i}`) },
			{ ...guideBody, hourly_rate: 10 },
		]) {
			await expectProblem(
				await call("POST", "/api/v1/trust/guide-applications", { token: soil.token, body }),
				422,
			);
		}
	});
});
