/** @module trust/schemas: trust standing, applications and guide applications on the wire. */
import { z } from "@hono/zod-openapi";
import { isVerifiedGuide } from "../../core/accounts/current-user";
import { dailyLimitsFor, linksPerPost, mediaPerPost, multiplierFor } from "../../core/quotas";
import {
	APPLICATION_STATUSES,
	APPLIED_TRUST_LEVELS,
	type GuideApplicationRow,
	type TrustApplicationRow,
} from "../../db/tables/trust";
import { ROLES, TRUST_LEVELS, type UserRow } from "../../db/tables/users";
import { pageOf } from "../../lib/pagination";
import { boundedText, IsoTimestamp } from "../../lib/schemas";
import { featuresUpTo, LEVEL_FEATURES, LEVEL_REQUIREMENTS } from "./levels";
import type { Requirement } from "./service";

export const STATEMENT_MAX = 2000;
export const MOTIVATION_MAX = 2000;
export const EXPERIENCE_MAX = 2000;
export const MAX_SPECIALTIES = 10;

const DailyLimits = z
	.object({
		posts: z.number().int().openapi({ description: "Posts and sunlight shares together." }),
		comments: z.number().int(),
		connection_requests: z.number().int(),
		messages: z.number().int(),
		reports: z.number().int(),
		support_requests: z.number().int(),
	})
	.openapi("DailyLimits", { description: "Per UTC day." });

const Unlocks = z
	.object({
		multiplier: z.number().int().openapi({ description: "Limits are new_sprout's times this." }),
		daily_limits: DailyLimits,
		media_per_post: z.number().int(),
		links_per_post: z.number().int(),
		features: z.array(z.string()),
	})
	.openapi("TrustUnlocks");

export const RequirementSchema = z
	.object({
		key: z.string(),
		description: z.string(),
		current: z.number(),
		required: z.number(),
		comparison: z.enum(["at_least", "at_most"]),
		met: z.boolean(),
	})
	.openapi("TrustRequirement");

export const TrustStanding = z
	.object({
		trust_level: z.enum(TRUST_LEVELS),
		trust_level_since: IsoTimestamp,
		trust_locked: z.boolean().openapi({ description: "A guardian fixed the level: no automatic change." }),
		role: z.enum(ROLES),
		is_verified_guide: z.boolean(),
		unlocks: Unlocks,
		next_level: z
			.object({
				level: z.enum(TRUST_LEVELS),
				how: z.enum(["automatic", "application"]),
				eligible: z.boolean(),
				requirements: z.array(RequirementSchema),
				adds_features: z.array(z.string()),
			})
			.nullable()
			.openapi({ description: "Null at the highest level." }),
		pending_application_id: z.uuid().nullable(),
	})
	.openapi("TrustStanding");

export function toUnlocks(user: UserRow): z.infer<typeof Unlocks> {
	return {
		multiplier: multiplierFor(user),
		daily_limits: dailyLimitsFor(user),
		media_per_post: mediaPerPost(user),
		links_per_post: linksPerPost(user),
		features: user.role === "guardian" ? featuresUpTo("flourishing") : featuresUpTo(user.trustLevel),
	};
}

export function toTrustStanding(
	user: UserRow,
	next: { level: keyof typeof LEVEL_REQUIREMENTS; requirements: Requirement[]; eligible: boolean } | null,
	pendingApplicationId: string | null,
): z.infer<typeof TrustStanding> {
	return {
		trust_level: user.trustLevel,
		trust_level_since: user.trustLevelSince,
		trust_locked: user.trustLocked,
		role: user.role,
		is_verified_guide: user.role === "guide" && isVerifiedGuide(user),
		unlocks: toUnlocks(user),
		next_level: next
			? {
					level: next.level,
					how: LEVEL_REQUIREMENTS[next.level].how,
					eligible: next.eligible,
					requirements: next.requirements,
					adds_features: [...LEVEL_FEATURES[next.level]],
				}
			: null,
		pending_application_id: pendingApplicationId,
	};
}

export const CreateTrustApplication = z
	.strictObject({
		requested_level: z
			.enum(APPLIED_TRUST_LEVELS)
			.optional()
			.openapi({ description: "Defaults to the level above mine; levels are climbed one at a time." }),
		statement: z.string().trim().max(STATEMENT_MAX).optional(),
	})
	.openapi("CreateTrustApplication");

export const TrustApplication = z
	.object({
		id: z.uuid(),
		kind: z.literal("trust"),
		from_level: z.enum(TRUST_LEVELS),
		requested_level: z.enum(APPLIED_TRUST_LEVELS),
		status: z.enum(APPLICATION_STATUSES),
		statement: z.string(),
		reviewer_notes: z.string().nullable(),
		reviewed_at: IsoTimestamp.nullable(),
		created_at: IsoTimestamp,
		updated_at: IsoTimestamp,
	})
	.openapi("TrustApplication");
export const TrustApplicationPage = pageOf(TrustApplication, "TrustApplicationPage");

export const toTrustApplication = (row: TrustApplicationRow): z.infer<typeof TrustApplication> => ({
	id: row.id,
	kind: "trust",
	from_level: row.fromLevel,
	requested_level: row.requestedLevel,
	status: row.status,
	statement: row.statement,
	reviewer_notes: row.reviewerNotes,
	reviewed_at: row.reviewedAt,
	created_at: row.createdAt,
	updated_at: row.updatedAt,
});

const Specialty = boundedText(1, 40);

export const CreateGuideApplication = z
	.strictObject({
		motivation: boundedText(20, MOTIVATION_MAX),
		experience: z.string().trim().max(EXPERIENCE_MAX).optional(),
		specialties: z
			.array(Specialty)
			.max(MAX_SPECIALTIES)
			.refine((tags) => new Set(tags).size === tags.length, "specialties must not repeat")
			.optional()
			.openapi({ example: ["anxiety", "grief"] }),
	})
	.openapi("CreateGuideApplication");

export const GuideApplication = z
	.object({
		id: z.uuid(),
		kind: z.literal("guide"),
		motivation: z.string(),
		experience: z.string(),
		specialties: z.array(z.string()),
		status: z.enum(APPLICATION_STATUSES),
		reviewer_notes: z.string().nullable(),
		reviewed_at: IsoTimestamp.nullable(),
		created_at: IsoTimestamp,
		updated_at: IsoTimestamp,
	})
	.openapi("GuideApplication");
export const GuideApplicationPage = pageOf(GuideApplication, "GuideApplicationPage");

export const toGuideApplication = (row: GuideApplicationRow): z.infer<typeof GuideApplication> => ({
	id: row.id,
	kind: "guide",
	motivation: row.motivation,
	experience: row.experience,
	specialties: row.specialties,
	status: row.status,
	reviewer_notes: row.reviewerNotes,
	reviewed_at: row.reviewedAt,
	created_at: row.createdAt,
	updated_at: row.updatedAt,
});
