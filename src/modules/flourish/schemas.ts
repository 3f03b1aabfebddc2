/** @module flourish/schemas: posts, polls, comments and reactions on the wire (snake_case, zod → OpenAPI). */

import { z } from "@hono/zod-openapi";
import { AuthorSchema } from "../../core/authors";
import { MAX_MEDIA_PER_POST } from "../../core/content-rules";
import { CrisisResource } from "../../core/moderation/crisis";
import { MAX_COMMENT_DEPTH, POST_TYPES, POST_VISIBILITIES, REACTION_TYPES } from "../../db/tables/flourish";
import { PageQuery, pageOf } from "../../lib/pagination";
import { boundedText, hasVisibleText, IsoTimestamp, Uuid } from "../../lib/schemas";

export const MAX_POST_BODY = 5000;
export const MAX_COMMENT_BODY = 2000;
export const POLL_MIN_OPTIONS = 2;
export const POLL_MAX_OPTIONS = 6;
/** A poll stays open at least this long after it is created… */
export const POLL_MIN_OPEN_MS = 5 * 60 * 1000;
/** …and at most this long. */
export const POLL_MAX_OPEN_MS = 30 * 24 * 60 * 60 * 1000;
/** A new_sprout may edit a post for this long after creating it. */
export const NEW_SPROUT_EDIT_WINDOW_MS = 24 * 60 * 60 * 1000;
export const FEED_SORTS = ["recent", "top", "for_you"] as const;

export const ReactionType = z.enum(REACTION_TYPES);
const PostType = z.enum(POST_TYPES);
const Visibility = z.enum(POST_VISIBILITIES);
const PostBody = z.string().trim().max(MAX_POST_BODY);
const MediaIds = z
	.array(Uuid)
	.max(MAX_MEDIA_PER_POST)
	.refine((ids) => new Set(ids).size === ids.length, "an upload appears once")
	.openapi({
		description: `My uploads (POST /media), in the order to show them: 1 to ${MAX_MEDIA_PER_POST} images for an image post (fewer at low trust levels), 1 video for a video post. Each is attached once: an upload already attached is 409.`,
	});
/** Third-party URLs are no longer taken (they let their host watch every reader): named so the 422 says why. */
const RefusedMediaUrls = z.array(z.string()).optional().openapi({
	deprecated: true,
	description: "No longer accepted (422): upload with POST /media and send `media_ids`.",
});

const PollInput = z
	.strictObject({
		options: z
			.array(boundedText(1, 100))
			.min(POLL_MIN_OPTIONS)
			.max(POLL_MAX_OPTIONS)
			.refine(
				(options) => new Set(options.map((option) => option.toLowerCase())).size === options.length,
				"options must be distinct",
			),
		multiple_choice: z.boolean().default(false),
		closes_at: z.iso.datetime({ offset: true }).openapi({
			description: "When voting closes: 5 minutes to 30 days from now.",
			example: "2026-12-01T18:00:00Z",
		}),
	})
	.openapi("PollInput");

type Issue = { path: string[]; message: string };

/** The shape rules of each post type (the rules that need the database live in the service). */
export function postShapeIssues(post: {
	type: string;
	body: string;
	media_ids: readonly string[];
	media_urls?: unknown;
	poll?: unknown;
	habit_id?: string | undefined;
	visibility: string;
	group_id?: string | null | undefined;
}): Issue[] {
	const issues: Issue[] = [];
	if (post.media_urls !== undefined) {
		issues.push({
			path: ["media_urls"],
			message: "URLs are no longer accepted: upload with POST /media and send media_ids",
		});
	}
	const hasMedia = post.media_ids.length > 0;
	if (post.type === "image" || post.type === "video") {
		if (!hasMedia)
			issues.push({ path: ["media_ids"], message: `${post.type} posts need at least one upload` });
		if (post.type === "video" && post.media_ids.length > 1) {
			issues.push({ path: ["media_ids"], message: "a video post carries one video" });
		}
	} else if (hasMedia) {
		issues.push({ path: ["media_ids"], message: "only image and video posts carry media" });
	}
	if (["text", "poll", "milestone"].includes(post.type) && !hasVisibleText(post.body)) {
		issues.push({ path: ["body"], message: `${post.type} posts need a body with visible characters` });
	}
	if (post.type === "poll" && post.poll === undefined)
		issues.push({ path: ["poll"], message: "polls need `poll`" });
	if (post.type !== "poll" && post.poll !== undefined) {
		issues.push({ path: ["poll"], message: "only poll posts carry `poll`" });
	}
	if (post.type !== "milestone" && post.habit_id !== undefined) {
		issues.push({ path: ["habit_id"], message: "only milestone posts link a habit" });
	}
	if (post.visibility === "group" && !post.group_id) {
		issues.push({ path: ["group_id"], message: "group posts need `group_id`" });
	}
	if (post.visibility !== "group" && post.group_id) {
		issues.push({ path: ["group_id"], message: "`group_id` is only for visibility `group`" });
	}
	return issues;
}

export const CreatePost = z
	.strictObject({
		type: PostType,
		body: PostBody.default("").openapi({
			description: "The text; the question of a poll; optional caption for image and video posts.",
		}),
		visibility: Visibility.default("public"),
		group_id: Uuid.optional().openapi({
			description: "Required for visibility `group`; I must be a member.",
		}),
		media_ids: MediaIds.default([]),
		media_urls: RefusedMediaUrls,
		is_spiritual: z.boolean().default(false),
		poll: PollInput.optional(),
		habit_id: Uuid.optional().openapi({
			description: "Milestone posts: one of my habits; its current streak is attached.",
		}),
	})
	.superRefine((post, ctx) => {
		for (const issue of postShapeIssues(post)) ctx.addIssue({ code: "custom", ...issue });
	})
	.openapi("CreatePost");

export const UpdatePost = z
	.strictObject({
		body: PostBody,
		visibility: Visibility,
		group_id: Uuid.nullable(),
		media_ids: MediaIds,
		media_urls: RefusedMediaUrls,
		is_spiritual: z.boolean(),
	})
	.partial()
	.refine((body) => Object.keys(body).length > 0, "send at least one field to change")
	.refine((body) => body.media_urls === undefined, {
		path: ["media_urls"],
		message: "URLs are no longer accepted: upload with POST /media and send media_ids",
	})
	.openapi("UpdatePost", {
		description:
			"Any subset. Type, poll options and the linked habit cannot change. Edits re-run moderation.",
	});

const ReactionCounts = z
	.object(
		Object.fromEntries(REACTION_TYPES.map((type) => [type, z.number().int()])) as Record<
			(typeof REACTION_TYPES)[number],
			z.ZodNumber
		>,
	)
	.openapi("ReactionCounts");

export const PollSchema = z
	.object({
		multiple_choice: z.boolean(),
		closes_at: IsoTimestamp,
		closed: z.boolean(),
		results_visible: z
			.boolean()
			.openapi({ description: "True once I voted, the poll closed, or it is mine." }),
		voter_count: z.number().int().nullable(),
		my_votes: z.array(z.uuid()),
		options: z.array(
			z.object({
				id: z.uuid(),
				label: z.string(),
				votes: z.number().int().nullable().openapi({ description: "Null until results are visible to me." }),
			}),
		),
	})
	.openapi("Poll");

export const PostMedia = z
	.object({
		id: z.uuid(),
		url: z.string().openapi({ description: "Relative to the API's origin: `/api/v1/media/{id}`." }),
		content_type: z.string(),
		width: z.number().int().nullable(),
		height: z.number().int().nullable(),
		duration_s: z.number().nullable(),
		alt: z.string().nullable(),
	})
	.openapi("PostMedia");

export const PostSchema = z
	.object({
		id: z.uuid(),
		type: PostType,
		body: z.string(),
		visibility: Visibility,
		group_id: z.uuid().nullable(),
		media_urls: z.array(z.string()).openapi({
			description:
				"The URLs of `media`, in order (kept for older clients; posts from before uploads may hold https URLs of their own here, and nothing in `media`).",
		}),
		media: z.array(PostMedia),
		is_spiritual: z.boolean(),
		author: AuthorSchema,
		milestone: z
			.object({
				habit_id: z.uuid().nullable(),
				habit_name: z.string().nullable(),
				streak: z.number().int().nullable(),
			})
			.nullable(),
		poll: PollSchema.nullable(),
		reaction_count: z.number().int(),
		reactions: ReactionCounts,
		my_reaction: ReactionType.nullable(),
		comment_count: z.number().int(),
		pending_review: z.boolean().openapi({
			description: "Hidden or removed by moderation: only its author and guardians see it.",
		}),
		created_at: IsoTimestamp,
		updated_at: IsoTimestamp,
		edited_at: IsoTimestamp.nullable(),
	})
	.openapi("Post");

export const PostWithCrisis = PostSchema.extend({
	crisis_resources: z.array(CrisisResource).optional().openapi({
		description: "Present when the text reads as a risk of self-harm: people who can help right now.",
	}),
}).openapi("PostWithCrisis");

export const PostPage = pageOf(PostSchema, "PostPage");
export const SimilarPosts = z.object({ data: z.array(PostSchema).max(5) }).openapi("SimilarPosts");

export const FeedQuery = PageQuery.extend({
	sort: z.enum(FEED_SORTS).default("recent").openapi({
		description: "`recent` newest first; `top` Reddit hot ranking; `for_you` similar to my interests.",
	}),
	type: PostType.optional(),
	author_id: Uuid.optional(),
	group_id: Uuid.optional(),
});

export const SetReaction = z.strictObject({ reaction_type: ReactionType }).openapi("SetReaction");

export const ReactionSummary = z
	.object({
		reaction_count: z.number().int(),
		reactions: ReactionCounts,
		my_reaction: ReactionType.nullable(),
	})
	.openapi("ReactionSummary");

export const CastVote = z
	.strictObject({
		option_ids: z
			.array(Uuid)
			.min(1)
			.max(6)
			.refine((ids) => new Set(ids).size === ids.length, "options must not repeat"),
	})
	.openapi("CastVote", { description: "One option, or several when the poll allows multiple choice." });

export const CreateComment = z
	.strictObject({
		body: boundedText(1, MAX_COMMENT_BODY),
		parent_id: Uuid.optional().openapi({ description: "Reply to this comment (replies nest to depth 5)." }),
	})
	.openapi("CreateComment");

const commentFields = {
	id: z.uuid(),
	post_id: z.uuid(),
	parent_id: z.uuid().nullable(),
	depth: z.number().int().min(0).max(MAX_COMMENT_DEPTH),
	body: z.string().openapi({ description: '"[removed]" for a removed comment kept for its replies.' }),
	removed: z.boolean(),
	author: AuthorSchema.nullable(),
	pending_review: z.boolean(),
	reaction_count: z.number().int(),
	reactions: ReactionCounts,
	my_reaction: ReactionType.nullable(),
	created_at: IsoTimestamp,
};

const CommentBase = z.object(commentFields);
export type CommentView = z.infer<typeof CommentBase> & { replies: CommentView[] };

/** A comment and its replies, which are comments: the document refers to itself (replies nest to depth 5). */
export const CommentSchema: z.ZodType<CommentView> = CommentBase.extend({
	get replies() {
		return z.array(CommentSchema).openapi({
			description: `Its replies; a comment at depth ${MAX_COMMENT_DEPTH} has none.`,
		});
	},
}).openapi("Comment");
export const CommentPage = pageOf(CommentSchema, "CommentPage");
export const CreatedComment = CommentBase.extend({
	replies: z.array(z.unknown()).max(0).openapi({ description: "Always empty for a new comment." }),
	crisis_resources: z.array(CrisisResource).optional(),
}).openapi("CreatedComment");
