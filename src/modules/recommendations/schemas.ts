/** @module recommendations/schemas: the query and the ranked items of `GET /recommendations`. */
import { z } from "@hono/zod-openapi";
import { RECOMMENDATION_KINDS } from "./service";

export const MAX_RECOMMENDATIONS = 50;
export const DEFAULT_RECOMMENDATIONS = 10;

export const RecommendationQuery = z.object({
	kind: z.enum(RECOMMENDATION_KINDS).openapi({ description: "What to recommend." }),
	limit: z.coerce
		.number()
		.int()
		.min(1)
		.max(MAX_RECOMMENDATIONS)
		.default(DEFAULT_RECOMMENDATIONS)
		.openapi({
			description: `Items per page, 1–${MAX_RECOMMENDATIONS} (default ${DEFAULT_RECOMMENDATIONS}).`,
		}),
	cursor: z.string().max(100).optional().openapi({ description: "The `next_cursor` of the previous page." }),
});

const Score = z
	.number()
	.nullable()
	.openapi({ description: "Cosine similarity to my interests in [-1, 1]; null when ranked by recency." });

const GroupItem = z
	.object({
		kind: z.literal("group"),
		id: z.string(),
		name: z.string(),
		description: z.string(),
		group_type: z.string(),
		visibility: z.string(),
		member_count: z.number().int(),
		is_spiritual: z.boolean(),
		score: Score,
	})
	.openapi("RecommendedGroup");

const ProjectItem = z
	.object({
		kind: z.literal("project"),
		id: z.string(),
		title: z.string(),
		description: z.string(),
		project_type: z.string(),
		status: z.string(),
		visibility: z.string(),
		member_count: z.number().int(),
		is_spiritual: z.boolean(),
		score: Score,
	})
	.openapi("RecommendedProject");

const GuideItem = z
	.object({
		kind: z.literal("guide"),
		id: z.string().openapi({ description: "The Guide's user id." }),
		display_name: z.string(),
		avatar_url: z.string().nullable(),
		headline: z.string(),
		specialties: z.array(z.string()),
		availability: z.string(),
		score: Score,
	})
	.openapi("RecommendedGuide");

const NourishmentItem = z
	.object({
		kind: z.literal("nourishment"),
		id: z.string(),
		title: z.string(),
		summary: z.string().openapi({ description: "The start of the item's body." }),
		content_type: z.string(),
		category: z.string(),
		author: z.string().nullable(),
		is_spiritual: z.boolean(),
		score: Score,
	})
	.openapi("RecommendedNourishment");

export const RecommendationItem = z
	.discriminatedUnion("kind", [GroupItem, ProjectItem, GuideItem, NourishmentItem])
	.openapi("Recommendation");

export const RecommendationPage = z
	.object({
		data: z.array(RecommendationItem),
		next_cursor: z
			.string()
			.nullable()
			.openapi({ description: "Pass as `cursor` for the next page; null at the end." }),
		ranked_by: z.enum(["similarity", "recency"]).openapi({
			description:
				"similarity: by my interests (ML embeddings). recency: newest first, when the ML service is unavailable or my profile is still empty.",
		}),
	})
	.openapi("RecommendationPage");
