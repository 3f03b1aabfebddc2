/**
 * @module core/moderation/screen: the one moderation step every user-generated write goes through.
 *
 * - toxicity ≥ 0.9 → published `hidden` pending review, with a Guardian queue item;
 * - 0.7 ≤ toxicity < 0.9 → published `flagged` (visible), with a queue item;
 * - high self-harm risk → `urgent`, with a crisis queue item (never hidden: a person reaching out must be seen);
 * - ML down, slow or confused → published `unchecked`; the scheduled re-check moderates it later.
 * A write never fails because the ML service is down.
 */
import type { ModerationStatus } from "../../db/tables/shared";
import type { PlatformBindings } from "../../lib/bindings";
import { type ModerationResult, moderate } from "../../ml/client";

export const HIDE_AT = 0.9;
export const QUEUE_AT = 0.7;

export interface Screening {
	status: Extract<ModerationStatus, "unchecked" | "clean" | "flagged" | "hidden">;
	toxicity: number | null;
	labels: Record<string, number>;
	selfHarmRisk: ModerationResult["selfHarmRisk"] | null;
	/** High self-harm risk: show crisis resources, sort first for guides, raise a crisis queue item. */
	urgent: boolean;
	/** A queue item must be raised (flagged, hidden or urgent). */
	needsReview: boolean;
	/** The model that scored the text; null (or absent) when unchecked. */
	model?: string | null;
}

export function classify(result: ModerationResult | null): Screening {
	if (!result) {
		return {
			status: "unchecked",
			toxicity: null,
			labels: {},
			selfHarmRisk: null,
			urgent: false,
			needsReview: false,
			model: null,
		};
	}
	const urgent = result.selfHarmRisk === "high";
	// A person reaching out is never hidden, however they say it: urgent text is at most flagged, and its
	// crisis queue item puts it in front of guardians at once.
	const status =
		result.toxicity >= HIDE_AT && !urgent ? "hidden" : result.toxicity >= QUEUE_AT ? "flagged" : "clean";
	return {
		status,
		toxicity: result.toxicity,
		labels: result.labels,
		selfHarmRisk: result.selfHarmRisk,
		urgent,
		needsReview: status !== "clean" || urgent,
		model: result.model,
	};
}

/** Scores a text through the ML Worker and applies the thresholds above. */
export async function screenText(env: Pick<PlatformBindings, "ML">, text: string): Promise<Screening> {
	return classify(await moderate(env.ML, text));
}

/** Moderation states other users may see (hidden and removed content is shown to nobody but reviewers). */
export const PUBLICLY_VISIBLE_STATUSES = [
	"unchecked",
	"clean",
	"flagged",
] as const satisfies readonly ModerationStatus[];
