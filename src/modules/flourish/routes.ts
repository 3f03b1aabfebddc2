/**
 * @module flourish/routes: the community feed — posts of every type, polls, threaded comments and
 * reactions. Handlers are thin: validate (zod), call the service, shape the answer.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { DeleteQuery } from "../../core/content-rules";
import type { Screening } from "../../core/moderation/screen";
import type { AppEnv } from "../../env";
import { requestContext } from "../../http/context";
import { crisisResourcesFor } from "../../http/crisis";
import { defineRoute, jsonContent, problemResponse } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { decodeCursor, encodeCursor, PageQuery } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { checksPromotionAfterContribution } from "../trust";
import { createComment, deleteComment, listComments } from "./comments";
import { castVote } from "./polls";
import {
	createPost,
	deletePost,
	forYouFeed,
	getPost,
	recentFeed,
	similarPosts,
	topFeed,
	updatePost,
} from "./posts";
import { assemblePosts } from "./present";
import { removeCommentReaction, removePostReaction, setCommentReaction, setPostReaction } from "./reactions";
import {
	CastVote,
	CommentPage,
	CreateComment,
	CreatedComment,
	CreatePost,
	FeedQuery,
	PostPage,
	PostSchema,
	PostWithCrisis,
	ReactionSummary,
	SetReaction,
	SimilarPosts,
	UpdatePost,
} from "./schemas";

const PostParams = idParam("post_id");
const CommentParams = idParam("comment_id");
const postNotFound = { 404: problemResponse("No such post that I may see.") };
const commentNotFound = { 404: problemResponse("No such comment that I may see.") };
const notAllowed = {
	403: problemResponse("Not the author (or a guardian), a new_sprout past the edit window, or suspended."),
};
const RecentCursor = z.object({ id: z.string() });
const TopCursor = z.object({ hot: z.number(), id: z.string() });
const ForYouCursor = z.object({ anchor: z.string(), offset: z.number().int().min(0).max(10_000) });

/** Crisis resources ride along with the created or edited content when its text read as high self-harm risk. */
const withCrisis = <T extends object>(c: Context<AppEnv>, body: T, screening: Screening | null) =>
	screening?.urgent ? { ...body, crisis_resources: crisisResourcesFor(c) } : body;

const getFeed = defineRoute("user", {
	method: "get",
	path: "/flourish/feed",
	operationId: "listFeed",
	tags: ["flourish"],
	summary:
		"Posts I may see: newest, hot (`top`) or ranked for me (`for_you`); filters by type, author, group",
	request: { query: FeedQuery },
	responses: {
		200: { description: "A page of posts.", content: jsonContent(PostPage) },
		400: problemResponse("The cursor is not valid for this list (or for this sort)."),
	},
});

const postPost = defineRoute(
	"user",
	{
		method: "post",
		path: "/flourish/posts",
		operationId: "createPost",
		tags: ["flourish"],
		summary: "Create a post: text, image, video, poll or milestone",
		request: { body: { required: true, content: jsonContent(CreatePost) } },
		responses: {
			201: {
				description: "The new post (with crisis resources when needed).",
				content: jsonContent(PostWithCrisis),
			},
			429: problemResponse("Today's post limit for my trust level is reached (see `resets_at`)."),
		},
	},
	{ middleware: [checksPromotionAfterContribution] },
);

const getOnePost = defineRoute("user", {
	method: "get",
	path: "/flourish/posts/{post_id}",
	operationId: "getPost",
	tags: ["flourish"],
	summary: "One post with reaction counts, my reaction and (once I voted or it closed) poll results",
	request: { params: PostParams },
	responses: { 200: { description: "The post.", content: jsonContent(PostSchema) }, ...postNotFound },
});

const patchPost = defineRoute("user", {
	method: "patch",
	path: "/flourish/posts/{post_id}",
	operationId: "updatePost",
	tags: ["flourish"],
	summary: "Edit my post (new_sprout: within 24 h); the new text is moderated again",
	request: { params: PostParams, body: { required: true, content: jsonContent(UpdatePost) } },
	responses: {
		200: { description: "The edited post.", content: jsonContent(PostWithCrisis) },
		...notAllowed,
		...postNotFound,
	},
});

const deleteOnePost = defineRoute("user", {
	method: "delete",
	path: "/flourish/posts/{post_id}",
	operationId: "deletePost",
	tags: ["flourish"],
	summary: "Delete a post (author or guardian; soft delete, audit-logged for guardians)",
	request: { params: PostParams, query: DeleteQuery },
	responses: { 204: { description: "Deleted." }, ...notAllowed, ...postNotFound },
});

const getComments = defineRoute("user", {
	method: "get",
	path: "/flourish/posts/{post_id}/comments",
	operationId: "listComments",
	tags: ["flourish"],
	summary: "The comment tree: top-level comments (oldest first, cursor) with replies nested to depth 5",
	request: { params: PostParams, query: PageQuery },
	responses: {
		200: {
			description: "A page of top-level comments with their replies.",
			content: jsonContent(CommentPage),
		},
		400: problemResponse("The cursor is not valid for this list."),
		...postNotFound,
	},
});

const postComment = defineRoute(
	"user",
	{
		method: "post",
		path: "/flourish/posts/{post_id}/comments",
		operationId: "createComment",
		tags: ["flourish"],
		summary: "Comment on a post, or reply to a comment (`parent_id`)",
		request: { params: PostParams, body: { required: true, content: jsonContent(CreateComment) } },
		responses: {
			201: { description: "The new comment.", content: jsonContent(CreatedComment) },
			404: problemResponse("No such post, or no such parent comment on it, that I may see."),
			429: problemResponse("Today's comment limit for my trust level is reached."),
		},
	},
	{ middleware: [checksPromotionAfterContribution] },
);

const deleteOneComment = defineRoute("user", {
	method: "delete",
	path: "/flourish/comments/{comment_id}",
	operationId: "deleteComment",
	tags: ["flourish"],
	summary: 'Delete a comment (author or guardian); with replies it keeps its place as "[removed]"',
	request: { params: CommentParams, query: DeleteQuery },
	responses: { 204: { description: "Deleted." }, ...notAllowed, ...commentNotFound },
});

const setPostReactionRoute = defineRoute("user", {
	method: "put",
	path: "/flourish/posts/{post_id}/reaction",
	operationId: "setPostReaction",
	tags: ["flourish"],
	summary: "Set my reaction on a post (replaces any other reaction of mine)",
	request: { params: PostParams, body: { required: true, content: jsonContent(SetReaction) } },
	responses: {
		200: { description: "The reaction counts and mine.", content: jsonContent(ReactionSummary) },
		...postNotFound,
	},
});

const removePostReactionRoute = defineRoute("user", {
	method: "delete",
	path: "/flourish/posts/{post_id}/reaction",
	operationId: "removePostReaction",
	tags: ["flourish"],
	summary: "Remove my reaction from a post",
	request: { params: PostParams },
	responses: { 204: { description: "Removed (or there was none)." }, ...postNotFound },
});

const setCommentReactionRoute = defineRoute("user", {
	method: "put",
	path: "/flourish/comments/{comment_id}/reaction",
	operationId: "setCommentReaction",
	tags: ["flourish"],
	summary: "Set my reaction on a comment (replaces any other reaction of mine)",
	request: { params: CommentParams, body: { required: true, content: jsonContent(SetReaction) } },
	responses: {
		200: { description: "The reaction counts and mine.", content: jsonContent(ReactionSummary) },
		...commentNotFound,
	},
});

const removeCommentReactionRoute = defineRoute("user", {
	method: "delete",
	path: "/flourish/comments/{comment_id}/reaction",
	operationId: "removeCommentReaction",
	tags: ["flourish"],
	summary: "Remove my reaction from a comment",
	request: { params: CommentParams },
	responses: { 204: { description: "Removed (or there was none)." }, ...commentNotFound },
});

const postVote = defineRoute("user", {
	method: "post",
	path: "/flourish/posts/{post_id}/votes",
	operationId: "castPollVote",
	tags: ["flourish"],
	summary: "Vote in a poll (once; several options only in a multiple-choice poll)",
	request: { params: PostParams, body: { required: true, content: jsonContent(CastVote) } },
	responses: {
		201: { description: "The poll post with its results.", content: jsonContent(PostSchema) },
		409: problemResponse("Not a poll, the poll is closed, or I already voted."),
		...postNotFound,
	},
});

const getSimilar = defineRoute(
	"user",
	{
		method: "get",
		path: "/flourish/posts/{post_id}/similar",
		operationId: "listSimilarPosts",
		tags: ["flourish"],
		summary: "Up to 5 posts I may see that are most similar to this one (ML embeddings)",
		request: { params: PostParams },
		responses: {
			200: { description: "Similar posts, best first.", content: jsonContent(SimilarPosts) },
			...postNotFound,
		},
	},
	// Guardians see held posts: the query depends on my role.
	{ callerRowFirst: true },
);

export const flourishRoutes = createRouter()
	.openapi(getFeed, async (c) => {
		const ctx = requestContext(c);
		const { sort, limit, cursor, type, author_id, group_id } = c.req.valid("query");
		const filters = { type, author_id, group_id };
		const now = new Date();
		if (sort === "for_you") {
			const { rows, next, presentation } = await forYouFeed(
				ctx,
				filters,
				limit,
				decodeCursor(cursor, ForYouCursor),
			);
			return c.json(
				{
					data: assemblePosts(ctx.user, rows, presentation, now),
					next_cursor: next ? encodeCursor(next) : null,
				},
				200,
			);
		}
		const { rows, presentation } =
			sort === "top"
				? await topFeed(ctx, filters, limit, decodeCursor(cursor, TopCursor))
				: await recentFeed(ctx, filters, limit, decodeCursor(cursor, RecentCursor));
		const page = rows.slice(0, limit);
		const last = page.at(-1);
		const next =
			rows.length > limit && last
				? encodeCursor(sort === "top" ? { hot: last.hotScore, id: last.id } : { id: last.id })
				: null;
		return c.json({ data: assemblePosts(ctx.user, page, presentation, now), next_cursor: next }, 200);
	})
	.openapi(postPost, async (c) => {
		const { post, screening } = await createPost(requestContext(c), c.req.valid("json"));
		return c.json(withCrisis(c, post, screening), 201);
	})
	.openapi(getOnePost, async (c) =>
		c.json(await getPost(requestContext(c), c.req.valid("param").post_id), 200),
	)
	.openapi(patchPost, async (c) => {
		const { post, screening } = await updatePost(
			requestContext(c),
			c.req.valid("param").post_id,
			c.req.valid("json"),
		);
		return c.json(withCrisis(c, post, screening), 200);
	})
	.openapi(deleteOnePost, async (c) => {
		await deletePost(requestContext(c), c.req.valid("param").post_id, c.req.valid("query").reason);
		return c.body(null, 204);
	})
	.openapi(getComments, async (c) => {
		const { limit, cursor } = c.req.valid("query");
		const { data, next } = await listComments(
			requestContext(c),
			c.req.valid("param").post_id,
			limit,
			decodeCursor(cursor, RecentCursor),
		);
		return c.json({ data, next_cursor: next ? encodeCursor(next) : null }, 200);
	})
	.openapi(postComment, async (c) => {
		const { comment, screening } = await createComment(
			requestContext(c),
			c.req.valid("param").post_id,
			c.req.valid("json"),
		);
		return c.json(withCrisis(c, { ...comment, replies: [] }, screening), 201);
	})
	.openapi(deleteOneComment, async (c) => {
		await deleteComment(requestContext(c), c.req.valid("param").comment_id, c.req.valid("query").reason);
		return c.body(null, 204);
	})
	.openapi(setPostReactionRoute, async (c) => {
		const { db, user } = requestContext(c);
		const summary = await setPostReaction(
			db,
			user,
			c.req.valid("param").post_id,
			c.req.valid("json").reaction_type,
		);
		return c.json(summary, 200);
	})
	.openapi(removePostReactionRoute, async (c) => {
		const { db, user } = requestContext(c);
		await removePostReaction(db, user, c.req.valid("param").post_id);
		return c.body(null, 204);
	})
	.openapi(setCommentReactionRoute, async (c) => {
		const { db, user } = requestContext(c);
		const summary = await setCommentReaction(
			db,
			user,
			c.req.valid("param").comment_id,
			c.req.valid("json").reaction_type,
		);
		return c.json(summary, 200);
	})
	.openapi(removeCommentReactionRoute, async (c) => {
		const { db, user } = requestContext(c);
		await removeCommentReaction(db, user, c.req.valid("param").comment_id);
		return c.body(null, 204);
	})
	.openapi(postVote, async (c) =>
		c.json(
			await castVote(requestContext(c), c.req.valid("param").post_id, c.req.valid("json").option_ids),
			201,
		),
	)
	.openapi(getSimilar, async (c) =>
		c.json({ data: await similarPosts(requestContext(c), c.req.valid("param").post_id) }, 200),
	);
