/**
 * `POST /moderation/check`: scores a draft through the real ML Worker, says what posting it would do,
 * carries crisis resources for high self-harm risk, answers `checked: false` when ML is down, and guards
 * its input like every endpoint.
 */
import { describe, expect, it } from "vitest";
import { crisisResources } from "../../src/core/moderation/crisis";
import { callWithEnv, FAULTS } from "../ml/fixtures";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";

const PATH = "/api/v1/moderation/check";

interface CheckResult {
	checked: boolean;
	toxicity: number | null;
	labels: Record<string, number> | null;
	self_harm_risk: string | null;
	warn: boolean;
	outcome: string;
	model: string | null;
	crisis_resources?: Array<{ name: string }>;
}

const check = async (token: string, text: unknown) => call("POST", PATH, { token, body: { text } });

describe("POST /moderation/check", () => {
	it("passes a kind draft: published, no warning", async () => {
		const user = await signUp("check-clean");
		const result = await expectStatus<CheckResult>(
			await check(user.token, "Thank you all, this group helps me so much."),
			200,
		);
		expect(result).toMatchObject({
			checked: true,
			warn: false,
			outcome: "published",
			self_harm_risk: "none",
		});
		expect(result.toxicity).toBeLessThan(0.7);
		expect(Object.keys(result.labels ?? {}).sort()).toEqual(
			["identity_attack", "insult", "profanity", "self_harm", "sexual", "threat"].sort(),
		);
		expect(result.model).toMatch(/^flourish-moderation-rules@/);
		expect(result).not.toHaveProperty("crisis_resources");
	});

	it("warns at 0.7 and says a directed insult would be queued for review", async () => {
		const user = await signUp("check-insult");
		const result = await expectStatus<CheckResult>(await check(user.token, "You are such a loser."), 200);
		expect(result.warn).toBe(true);
		expect(result.toxicity).toBeGreaterThanOrEqual(0.7);
		expect(result.toxicity).toBeLessThan(0.9);
		expect(result.outcome).toBe("queued");
	});

	it("says a threat would be hidden pending review", async () => {
		const user = await signUp("check-threat");
		const result = await expectStatus<CheckResult>(await check(user.token, "I will kill you."), 200);
		expect(result.toxicity).toBeGreaterThanOrEqual(0.9);
		expect(result.outcome).toBe("hidden_pending_review");
		expect(result.labels?.threat).toBeGreaterThanOrEqual(0.9);
	});

	it("answers high self-harm risk with crisis resources, without calling it toxic", async () => {
		const user = await signUp("check-crisis");
		const result = await expectStatus<CheckResult>(
			await check(user.token, "I don't want to be here anymore."),
			200,
		);
		expect(result.self_harm_risk).toBe("high");
		expect(result.warn).toBe(false);
		expect(result.crisis_resources?.map((r) => r.name)).toEqual(
			crisisResources(undefined, null).map((r) => r.name),
		);
	});

	it("does not mistake idioms for risk", async () => {
		const user = await signUp("check-idiom");
		const result = await expectStatus<CheckResult>(
			await check(user.token, "This bug is killing me, I'd kill for a coffee"),
			200,
		);
		expect(result.self_harm_risk).toBe("none");
		expect(result).not.toHaveProperty("crisis_resources");
	});

	it.each(FAULTS)("answers checked: false when the ML Worker fails (%s)", async (fault) => {
		const user = await signUp("check-ml-down");
		const { env } = await import("cloudflare:workers");
		const result = await expectStatus<CheckResult>(
			await callWithEnv({ ML: env[fault] }, "POST", PATH, {
				token: user.token,
				body: { text: "You are a loser" },
			}),
			200,
		);
		expect(result).toEqual({
			checked: false,
			toxicity: null,
			labels: null,
			self_harm_risk: null,
			warn: false,
			outcome: "checked_later",
			model: null,
		});
	});

	it("needs a signed-in, unsuspended user", async () => {
		await expectProblem(await call("POST", PATH, { body: { text: "hello" } }), 401);
		const user = await signUp("check-suspended");
		await setUserColumns(user.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(await check(user.token, "hello"), 403);
	});

	it("rejects bad input as problem+json", async () => {
		const user = await signUp("check-bad");
		await expectProblem(await call("POST", PATH, { token: user.token, rawBody: "{not json" }), 400);
		for (const body of [
			{},
			{ text: 42 },
			{ text: "   " },
			{ text: "x".repeat(10_001) },
			{ text: "ok", extra: true },
		]) {
			const problem = await expectProblem(await call("POST", PATH, { token: user.token, body }), 422);
			expect(problem.errors?.length).toBeGreaterThan(0);
		}
	});
});
