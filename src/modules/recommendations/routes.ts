/** @module recommendations/routes: `GET /recommendations?kind=groups|projects|guides|nourishment`. */
import { z } from "@hono/zod-openapi";
import { currentUser } from "../../auth/guards";
import { defineRoute, jsonContent } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { decodeCursor, encodeCursor } from "../../lib/pagination";
import { RecommendationPage, RecommendationQuery } from "./schemas";
import { type Candidate, recommend } from "./service";

/** Recommendations page through the ranked pool by position. */
const OffsetCursor = z.object({ o: z.number().int().min(1).max(10_000) });
const SUMMARY_CHARS = 280;

function toItem(
	candidate: Candidate,
	score: number | null,
): z.infer<typeof RecommendationPage>["data"][number] {
	switch (candidate.kind) {
		case "group":
			return {
				kind: "group",
				id: candidate.id,
				name: candidate.name,
				description: candidate.description,
				group_type: candidate.groupType,
				visibility: candidate.visibility,
				member_count: candidate.memberCount,
				is_spiritual: candidate.isSpiritual,
				score,
			};
		case "project":
			return {
				kind: "project",
				id: candidate.id,
				title: candidate.title,
				description: candidate.description,
				project_type: candidate.projectType,
				status: candidate.status,
				visibility: candidate.visibility,
				member_count: candidate.memberCount,
				is_spiritual: candidate.isSpiritual,
				score,
			};
		case "guide":
			return {
				kind: "guide",
				id: candidate.id,
				display_name: candidate.displayName,
				avatar_url: candidate.avatarUrl,
				headline: candidate.headline,
				specialties: candidate.specialties,
				availability: candidate.availability,
				score,
			};
		case "nourishment":
			return {
				kind: "nourishment",
				id: candidate.id,
				title: candidate.title,
				summary: candidate.body.slice(0, SUMMARY_CHARS),
				content_type: candidate.contentType,
				category: candidate.category,
				author: candidate.author,
				is_spiritual: candidate.isSpiritual,
				score,
			};
	}
}

const list = defineRoute("user", {
	method: "get",
	path: "/recommendations",
	operationId: "listRecommendations",
	tags: ["recommendations"],
	summary: "Groups, projects, Guides or nourishment ranked for me",
	description:
		"Ranks what I may see (never secret groups, private projects, spiritual content without my opt-in, hidden content, or anything of someone I block or who blocks me; never what I already belong to) by ML similarity to my interests, bio, habits, groups and recent posts. When the ML service is unavailable the newest come first (`ranked_by: recency`).",
	request: { query: RecommendationQuery },
	responses: {
		200: {
			description: "A page of recommendations, best first.",
			content: jsonContent(RecommendationPage),
		},
	},
});

export const recommendationsRoutes = createRouter().openapi(list, async (c) => {
	const user = currentUser(c);
	const query = c.req.valid("query");
	const offset = decodeCursor(query.cursor, OffsetCursor)?.o ?? 0;
	const { rankedBy, items } = await recommend(c.var.db, c.env, user, query.kind);
	const page = items.slice(offset, offset + query.limit);
	const next = offset + query.limit;
	return c.json(
		{
			data: page.map(({ candidate, score }) => toItem(candidate, score)),
			next_cursor: next < items.length ? encodeCursor({ o: next }) : null,
			ranked_by: rankedBy,
		},
		200,
	);
});
