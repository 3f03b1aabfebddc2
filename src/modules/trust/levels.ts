/**
 * @module trust/levels: the trust ladder of API.md (anchored on Discourse's trust levels) — how each level is
 * reached, the numbers it asks for, and what it unlocks. The numbers live here and nowhere else.
 */
import type { TrustLevel } from "../../core/accounts/current-user";
import { TRUST_LEVELS } from "../../db/tables/users";

export interface LevelRequirements {
	/** `automatic` for growing (checked on activity), `application` reviewed by a guardian otherwise. */
	how: "automatic" | "application";
	/** growing: days since sign-up; higher levels: days at the level below. */
	minDays: number;
	minContributions: number;
	minReactions: number;
	minReactors: number;
	/** No upheld report (remove, warn, suspend that was not overturned) in this many days; null = no rule. */
	cleanDays: number | null;
}

export const LEVEL_REQUIREMENTS: Record<Exclude<TrustLevel, "new_sprout">, LevelRequirements> = {
	growing: {
		how: "automatic",
		minDays: 3,
		minContributions: 5,
		minReactions: 0,
		minReactors: 0,
		cleanDays: null,
	},
	good_soil: {
		how: "application",
		minDays: 14,
		minContributions: 20,
		minReactions: 5,
		minReactors: 3,
		cleanDays: 90,
	},
	flourishing: {
		how: "application",
		minDays: 60,
		minContributions: 100,
		minReactions: 30,
		minReactors: 10,
		cleanDays: 180,
	},
};

/** What each level adds (features are cumulative; limits multiply, see limits.ts). */
export const LEVEL_FEATURES: Record<TrustLevel, readonly string[]> = {
	new_sprout: [
		"post",
		"comment",
		"share_sunlight",
		"request_connections",
		"message_connections",
		"request_support",
		"report_content",
	],
	growing: ["create_projects", "request_mentorship", "respond_to_support_requests"],
	good_soil: ["create_fellowship_groups", "apply_to_be_guide"],
	flourishing: ["instant_hide_on_spam_or_harassment_report"],
};

export const nextLevel = (level: TrustLevel): Exclude<TrustLevel, "new_sprout"> | null =>
	(TRUST_LEVELS[TRUST_LEVELS.indexOf(level) + 1] as Exclude<TrustLevel, "new_sprout"> | undefined) ?? null;

/** Every feature unlocked up to and including `level`. */
export function featuresUpTo(level: TrustLevel): string[] {
	const rank = TRUST_LEVELS.indexOf(level);
	return TRUST_LEVELS.slice(0, rank + 1).flatMap((each) => LEVEL_FEATURES[each]);
}
