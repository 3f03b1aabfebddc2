/**
 * The moderation thresholds every write applies (src/moderation/screen.ts) and the Guardian queue item a
 * screening raises in the same batch as the content: ≥ 0.9 hidden, 0.7–0.9 queued, high self-harm urgent,
 * ML failure unchecked — with real scores from the ML Worker for real texts.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { queueItemForScreening } from "../../src/core/moderation/queue";
import { classify, HIDE_AT, QUEUE_AT, screenText } from "../../src/core/moderation/screen";
import type { ModerationResult } from "../../src/ml/client";
import { db, insertRow } from "../ml/fixtures";
import { signUp } from "../support/api";

const result = (
	toxicity: number,
	selfHarmRisk: ModerationResult["selfHarmRisk"] = "none",
): ModerationResult => ({
	toxicity,
	labels: { insult: toxicity, threat: 0, profanity: 0, identity_attack: 0, sexual: 0, self_harm: 0 },
	selfHarmRisk,
	model: "test",
});

describe("classify", () => {
	it.each([
		[0, "clean", false],
		[QUEUE_AT - 0.0001, "clean", false],
		[QUEUE_AT, "flagged", true],
		[HIDE_AT - 0.0001, "flagged", true],
		[HIDE_AT, "hidden", true],
		[1, "hidden", true],
	] as const)("toxicity %f is %s", (toxicity, status, needsReview) => {
		expect(classify(result(toxicity))).toMatchObject({ status, toxicity, needsReview, urgent: false });
	});

	it("marks high self-harm risk urgent and reviewable, without hiding it", () => {
		expect(classify(result(0, "high"))).toMatchObject({ status: "clean", urgent: true, needsReview: true });
		expect(classify(result(0, "low"))).toMatchObject({ status: "clean", urgent: false, needsReview: false });
	});

	it("never hides a person in crisis, however toxic the words: urgent text is at most flagged", () => {
		expect(classify(result(0.97, "high"))).toMatchObject({
			status: "flagged",
			urgent: true,
			needsReview: true,
		});
		expect(classify(result(0.97, "low"))).toMatchObject({ status: "hidden", urgent: false });
	});

	it("publishes unchecked when ML gave no answer", () => {
		expect(classify(null)).toEqual({
			status: "unchecked",
			toxicity: null,
			labels: {},
			selfHarmRisk: null,
			urgent: false,
			needsReview: false,
			model: null,
		});
	});
});

describe("screenText through the ML Worker", () => {
	it.each([
		["Thanks everyone, I finished my first 5k!", "clean"],
		["You are such a loser.", "flagged"],
		["I will kill you.", "hidden"],
	])("screens %j as %s", async (text, status) => {
		expect((await screenText(env, text)).status).toBe(status);
	});

	it("raises a queue item with the screening in the same batch as the content", async () => {
		const author = await signUp("thresholds-queue");
		const body = "I will kill you, watch your back.";
		const screening = await screenText(env, body);
		const postId = crypto.randomUUID();
		const d = db();
		const queued = queueItemForScreening(d, {
			targetType: "post",
			targetId: postId,
			targetAuthorId: author.id,
			snapshot: { body },
			screening,
		});
		expect(queued).not.toBeNull();
		await insertRow("posts", {
			id: postId,
			author_id: author.id,
			type: "text",
			body,
			moderation_status: screening.status,
			toxicity_score: screening.toxicity,
		});
		if (queued) await d.batch([queued]);
		const item = await env.DB.prepare("SELECT * FROM moderation_queue_items WHERE target_id = ?")
			.bind(postId)
			.first<{ is_hidden: number; ml_toxicity: number; ml_labels: string; source: string }>();
		expect(item?.is_hidden).toBe(1);
		expect(item?.ml_toxicity).toBe(screening.toxicity);
		expect(JSON.parse(item?.ml_labels ?? "{}").threat).toBeGreaterThanOrEqual(0.9);
	});

	it("raises nothing for clean content", async () => {
		const screening = await screenText(env, "What a lovely group.");
		expect(
			queueItemForScreening(db(), {
				targetType: "post",
				targetId: "x",
				targetAuthorId: null,
				snapshot: {},
				screening,
			}),
		).toBeNull();
	});
});
