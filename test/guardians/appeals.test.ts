/**
 * Appeals: one per warning or suspension, within 20 days, open to suspended people; a guardian upholds
 * (the penalty stands) or overturns (the penalty is lifted and a suspension ends at once).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, signUp, type TestUser } from "../support/api";
import { DAY_MS, MINUTE_MS } from "../trust/fixtures";
import { decide, guardian, postBy, queueItemFor, reported } from "./helpers";

type Penalty = {
	id: string;
	kind: string;
	can_appeal: boolean;
	appeal_deadline: string;
	appeal: { status: string } | null;
};

async function penalised(decision: "warn" | "suspend", label: string = decision) {
	const judge = await guardian(`${label}-judge`);
	const author = await signUp(`${label}-author`);
	const postId = await postBy(author.id);
	await reported(await signUp(`${label}-reporter`), "post", postId, "harassment");
	const item = await queueItemFor("post", postId);
	const result = await expectStatus<{ penalty_id: string }>(
		await decide(judge, item.id, {
			decision,
			reason: "Insults",
			...(decision === "suspend" ? { duration: "30d" } : {}),
		}),
		200,
	);
	return { judge, author, penaltyId: result.penalty_id };
}

const appeal = (user: TestUser, penaltyId: string, body = "I was quoting someone else, please look again.") =>
	call("POST", "/api/v1/appeals", { token: user.token, body: { penalty_id: penaltyId, body } });

const suspendedUntil = async (id: string) =>
	(
		await env.DB.prepare("SELECT suspended_until FROM users WHERE id = ?")
			.bind(id)
			.first<{ suspended_until: string | null }>()
	)?.suspended_until;

describe("filing an appeal", () => {
	it("is open to a suspended person, once per penalty, and listed with the penalty", async () => {
		const { author, penaltyId } = await penalised("suspend", "appeal-suspended");
		const penalties = await expectStatus<{ data: Penalty[] }>(
			await call("GET", "/api/v1/penalties", { token: author.token }),
			200,
		);
		expect(penalties.data).toEqual([
			expect.objectContaining({ id: penaltyId, kind: "suspension", can_appeal: true, appeal: null }),
		]);
		const created = await expectStatus<{
			id: string;
			status: string;
			penalty: { id: string; can_appeal: boolean };
		}>(await appeal(author, penaltyId), 201);
		expect(created).toMatchObject({ status: "pending", penalty: { id: penaltyId, can_appeal: false } });
		await expectProblem(await appeal(author, penaltyId, "Second try"), 409);
		const after = await expectStatus<{ data: Penalty[] }>(
			await call("GET", "/api/v1/penalties", { token: author.token }),
			200,
		);
		expect(after.data[0]).toMatchObject({ can_appeal: false, appeal: { status: "pending" } });
	});

	it("closes 20 days after the penalty", async () => {
		const late = await penalised("warn", "appeal-late");
		await env.DB.prepare("UPDATE penalties SET starts_at = ? WHERE id = ?")
			.bind(new Date(Date.now() - 20 * DAY_MS - MINUTE_MS).toISOString(), late.penaltyId)
			.run();
		await expectProblem(await appeal(late.author, late.penaltyId), 409);

		const inTime = await penalised("warn", "appeal-in-time");
		await env.DB.prepare("UPDATE penalties SET starts_at = ? WHERE id = ?")
			.bind(new Date(Date.now() - 20 * DAY_MS + MINUTE_MS).toISOString(), inTime.penaltyId)
			.run();
		await expectStatus(await appeal(inTime.author, inTime.penaltyId), 201);
	});

	it("refuses someone else's penalty (404), bad input (422) and anonymous callers (401)", async () => {
		const { penaltyId } = await penalised("warn", "appeal-foreign");
		const stranger = await signUp("appeal-stranger");
		await expectProblem(await appeal(stranger, penaltyId), 404);
		await expectProblem(await appeal(stranger, "0190a0a0-0000-7000-8000-000000000000"), 404);
		await expectProblem(await appeal(stranger, penaltyId, "x".repeat(2001)), 422);
		await expectProblem(await appeal(stranger, "not-a-uuid"), 422);
		await expectProblem(
			await call("POST", "/api/v1/appeals", { body: { penalty_id: penaltyId, body: "hi" } }),
			401,
		);
	});
});

describe("deciding an appeal", () => {
	it("overturning lifts the penalty and ends the suspension at once", async () => {
		const { author, penaltyId } = await penalised("suspend", "overturn");
		const reviewer = await guardian("overturn-reviewer");
		expect(await suspendedUntil(author.id)).toBeTruthy();
		const filed = await expectStatus<{ id: string }>(await appeal(author, penaltyId), 201);
		const pending = await expectStatus<{ data: Array<{ id: string; appellant: { id: string } }> }>(
			await call("GET", "/api/v1/guardians/appeals?limit=100", { token: reviewer.token }),
			200,
		);
		expect(pending.data.map((each) => each.id)).toContain(filed.id);
		const decided = await expectStatus<{ status: string; penalty: { lifted_at: string | null } }>(
			await call("PATCH", `/api/v1/guardians/appeals/${filed.id}`, {
				token: reviewer.token,
				body: { decision: "overturn", notes: "Context shows a quote" },
			}),
			200,
		);
		expect(decided.status).toBe("overturned");
		expect(decided.penalty.lifted_at).toBeTruthy();
		expect(await suspendedUntil(author.id)).toBeNull();
		await expectStatus(await call("GET", "/api/v1/trust/me", { token: author.token }), 200);
		await expectProblem(
			await call("PATCH", `/api/v1/guardians/appeals/${filed.id}`, {
				token: reviewer.token,
				body: { decision: "uphold" },
			}),
			409,
		);
	});

	it("upholding keeps the suspension", async () => {
		const { author, penaltyId } = await penalised("suspend", "uphold");
		const reviewer = await guardian("uphold-reviewer");
		const filed = await expectStatus<{ id: string }>(await appeal(author, penaltyId), 201);
		await expectStatus(
			await call("PATCH", `/api/v1/guardians/appeals/${filed.id}`, {
				token: reviewer.token,
				body: { decision: "uphold" },
			}),
			200,
		);
		expect(await suspendedUntil(author.id)).toBeTruthy();
		await expectProblem(await call("GET", "/api/v1/trust/me", { token: author.token }), 403);
	});

	it("refuses a guardian deciding their own appeal, bad input and unknown appeals", async () => {
		const { judge } = await penalised("warn", "own-appeal");
		// The judge is warned in turn by another guardian, and appeals.
		const other = await guardian("own-appeal-other");
		const postId = await postBy(judge.id);
		await reported(await signUp("own-appeal-reporter"), "post", postId, "spam");
		const item = await queueItemFor("post", postId);
		const warned = await expectStatus<{ penalty_id: string }>(
			await decide(other, item.id, { decision: "warn", reason: "Spam" }),
			200,
		);
		const filed = await expectStatus<{ id: string }>(await appeal(judge, warned.penalty_id), 201);
		await expectProblem(
			await call("PATCH", `/api/v1/guardians/appeals/${filed.id}`, {
				token: judge.token,
				body: { decision: "overturn" },
			}),
			403,
		);
		await expectProblem(
			await call("PATCH", `/api/v1/guardians/appeals/${filed.id}`, {
				token: other.token,
				body: { decision: "forgive" },
			}),
			422,
		);
		await expectProblem(
			await call("PATCH", "/api/v1/guardians/appeals/0190a0a0-0000-7000-8000-000000000000", {
				token: other.token,
				body: { decision: "uphold" },
			}),
			404,
		);
	});
});
