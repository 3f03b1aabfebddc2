/**
 * @module moderation/routes: `POST /moderation/check` — scores a draft so clients can warn before posting.
 * It runs the same moderation step as every write (`screenText`), stores nothing, and never fails because
 * the ML service is down (it answers `checked: false`).
 */
import { MODERATION_LABELS, type ModerationLabel } from "../../../ml/src/contract";
import { currentUser } from "../../auth/guards";
import { QUEUE_AT, screenText } from "../../core/moderation/screen";
import { crisisResourcesFor } from "../../http/crisis";
import { defineRoute, jsonContent } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { MODERATION_CHECK_IP_POLICY, MODERATION_CHECK_USER_POLICY } from "../../lib/burst-policies";
import { ModerationCheckRequest, ModerationCheckResult } from "./schemas";

const OUTCOMES = {
	clean: "published",
	flagged: "queued",
	hidden: "hidden_pending_review",
	unchecked: "checked_later",
} as const;

const check = defineRoute(
	"user",
	{
		method: "post",
		path: "/moderation/check",
		operationId: "checkContent",
		tags: ["moderation"],
		summary: "Score a draft before posting (warn from toxicity 0.7)",
		description:
			"Runs the moderation every write goes through and says what posting the text would do. Nothing is stored. When the draft reads as high self-harm risk, the answer carries crisis resources. Limited far below other calls — 10 per minute per account and 30 per minute per client IP — because its scores would let someone tune abusive text until it passes.",
		request: { body: { required: true, content: jsonContent(ModerationCheckRequest) } },
		responses: {
			200: { description: "The draft's scores.", content: jsonContent(ModerationCheckResult) },
		},
	},
	// It answers the model's scores, so it is an oracle for tuning abuse past moderation: a tight budget.
	{ perCaller: { user: MODERATION_CHECK_USER_POLICY, ip: MODERATION_CHECK_IP_POLICY } },
);

export const moderationRoutes = createRouter().openapi(check, async (c) => {
	currentUser(c);
	const { text } = c.req.valid("json");
	const screening = await screenText(c.env, text);
	const checked = screening.status !== "unchecked";
	return c.json(
		{
			checked,
			toxicity: screening.toxicity,
			labels: checked
				? (Object.fromEntries(
						MODERATION_LABELS.map((label) => [label, screening.labels[label] ?? 0]),
					) as Record<ModerationLabel, number>)
				: null,
			self_harm_risk: screening.selfHarmRisk,
			warn: (screening.toxicity ?? 0) >= QUEUE_AT,
			outcome: OUTCOMES[screening.status],
			model: screening.model ?? null,
			...(screening.urgent ? { crisis_resources: crisisResourcesFor(c) } : {}),
		},
		200,
	);
});
