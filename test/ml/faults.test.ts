/**
 * Fault tolerance without mocking our code: the ML Worker is swapped for stand-ins (vitest.config.ts) that
 * throw, answer too late, or answer nonsense. The client gives null, a write screened then still succeeds
 * (marked unchecked), the health probe reports it, ranking falls back, and the cron re-check moderates
 * the write once ML is back.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { screenText } from "../../src/core/moderation/screen";
import { embed, moderate, probeMl, rank } from "../../src/ml/client";
import { rankByRelevance } from "../../src/ml/ranking";
import { runScheduledTasks } from "../../src/scheduled";
import { call, expectStatus, signUp } from "../support/api";
import { callWithEnv, envWithMl, FAULTS, insertRow, rowOf } from "./fixtures";

describe.each(FAULTS)("with the ML Worker failing (%s)", (fault) => {
	const ml = env[fault];

	it("the client answers null for every operation", async () => {
		expect(await moderate(ml, "hello")).toBeNull();
		expect(await embed(ml, ["hello", "world"])).toBeNull();
		expect(await rank(ml, [1, 0], [{ id: "a", vector: [1, 0] }])).toBeNull();
	});

	it("a screened write still succeeds, unchecked, and the re-check moderates it later", async () => {
		const author = await signUp(`fault-write-${fault}`);
		const body = "I will kill you, I know where you live.";
		const screening = await screenText(envWithMl(fault), body);
		expect(screening).toMatchObject({
			status: "unchecked",
			toxicity: null,
			needsReview: false,
			urgent: false,
		});
		const id = await insertRow("posts", {
			author_id: author.id,
			type: "text",
			body,
			moderation_status: screening.status,
			toxicity_score: screening.toxicity,
		});
		expect((await rowOf<{ moderation_status: string }>("posts", id))?.moderation_status).toBe("unchecked");

		await runScheduledTasks(env);
		const after = await rowOf<{ moderation_status: string; toxicity_score: number }>("posts", id);
		expect(after?.moderation_status).toBe("hidden");
		expect(after?.toxicity_score).toBeGreaterThanOrEqual(0.9);
	});

	it("ranking falls back (null) when nothing is stored", async () => {
		expect(
			await rankByRelevance(envWithMl(fault), "meditation", [
				{ targetType: "fellowship_group", id: crypto.randomUUID(), text: "Mindful mornings" },
			]),
		).toBeNull();
	});
});

describe("the health probe", () => {
	it("reports the real ML Worker ok and failing ones unavailable", async () => {
		expect(await probeMl(env.ML)).toBe("ok");
		for (const fault of FAULTS) expect(await probeMl(env[fault]), fault).toBe("unavailable");
	});

	it("degrades /health, never fails it, when ML is down", async () => {
		const health = await expectStatus<{ status: string; checks: { ml: string } }>(
			await callWithEnv({ ML: env.ML_THROWS }, "GET", "/health"),
			200,
		);
		expect(health).toMatchObject({ status: "degraded", checks: { ml: "unavailable" } });
		expect((await expectStatus<{ status: string }>(await call("GET", "/health"), 200)).status).toBe("ok");
	});
});
