/** @module moderation/schemas: the draft check's request and answer. */
import { z } from "@hono/zod-openapi";
import { MODERATION_LABELS } from "../../../ml/src/contract";
import { CrisisResource } from "../../core/moderation/crisis";
import { boundedText } from "../../lib/schemas";

/** Drafts up to this long are checked (the longest user text the API accepts anywhere). */
export const CHECK_MAX_CHARS = 10_000;

export const ModerationCheckRequest = z
	.strictObject({
		text: boundedText(1, CHECK_MAX_CHARS).openapi({
			description: "The draft to score.",
			example: "You are all wonderful, thank you!",
		}),
	})
	.openapi("ModerationCheckRequest");

const Score = z.number().min(0).max(1);

export const ModerationCheckResult = z
	.object({
		checked: z.boolean().openapi({
			description:
				"False when the ML service could not score the draft right now; posting still works (the text is checked later).",
		}),
		toxicity: Score.nullable().openapi({ description: "Overall toxicity in [0, 1]; null when not checked." }),
		labels: z
			.object(
				Object.fromEntries(MODERATION_LABELS.map((label) => [label, Score])) as Record<
					(typeof MODERATION_LABELS)[number],
					typeof Score
				>,
			)
			.nullable()
			.openapi({ description: "Per-label scores in [0, 1]; null when not checked." }),
		self_harm_risk: z.enum(["none", "low", "high"]).nullable(),
		warn: z.boolean().openapi({
			description: "True from toxicity 0.7: clients should ask the author to reconsider before posting.",
		}),
		outcome: z.enum(["published", "queued", "hidden_pending_review", "checked_later"]).openapi({
			description:
				"What posting this text would do now: published; published and queued for a Guardian (0.7–0.9); hidden pending review (≥ 0.9); or published and checked later (ML unavailable).",
		}),
		model: z.string().nullable(),
		crisis_resources: z.array(CrisisResource).optional().openapi({
			description: "Present when the draft reads as high self-harm risk: people to reach out to now.",
		}),
	})
	.openapi("ModerationCheckResult");
