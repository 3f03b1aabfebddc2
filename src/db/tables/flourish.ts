/** @module db/tables/flourish: the community feed: posts, polls, threaded comments and reactions. */
import { sql } from "drizzle-orm";
import {
	type AnySQLiteColumn,
	check,
	index,
	integer,
	real,
	sqliteTable,
	text,
	uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { bool, createdAt, deletedAt, enumCheck, id, timestamps } from "../columns";
import { defineContent } from "../content";
import { fellowshipGroups } from "./fellowship";
import { habits } from "./garden";
import { moderation, moderationExtras } from "./shared";
import { users } from "./users";

export const POST_TYPES = ["text", "image", "video", "poll", "milestone"] as const;
export const POST_VISIBILITIES = ["public", "connections", "group", "private"] as const;
export const REACTION_TYPES = ["like", "love", "support", "celebrate", "insightful"] as const;
export const REACTION_TARGET_TYPES = ["post", "comment"] as const;
/** Replies nest at most this deep (top-level comments are depth 0). */
export const MAX_COMMENT_DEPTH = 5;

export const posts = sqliteTable(
	"posts",
	{
		id: id(),
		authorId: text("author_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		type: text("type", { enum: POST_TYPES }).notNull(),
		body: text("body").notNull().default(""),
		visibility: text("visibility", { enum: POST_VISIBILITIES }).notNull().default("public"),
		/** Set exactly when visibility is `group`. */
		groupId: text("group_id").references(() => fellowshipGroups.id, { onDelete: "cascade" }),
		/** https URLs (≤ 4, fewer for low trust levels) as a JSON array. */
		mediaUrls: text("media_urls", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
		/** Milestone posts: the habit celebrated (null once the habit row is gone) and the streak reached. */
		milestoneHabitId: text("milestone_habit_id").references(() => habits.id, { onDelete: "set null" }),
		milestoneStreak: integer("milestone_streak"),
		/** Poll posts: whether a voter may pick several options. */
		pollMultipleChoice: bool("poll_multiple_choice").notNull().default(false),
		/** Poll posts: voting closes at this instant (5 min … 30 days after creation). */
		pollClosesAt: text("poll_closes_at"),
		isSpiritual: bool("is_spiritual").notNull().default(false),
		...moderation(),
		/** Self-harm risk flagged by ML: the post raised a crisis queue item. */
		isUrgent: bool("is_urgent").notNull().default(false),
		/** Last author edit (`updated_at` also moves for counter updates). */
		editedAt: text("edited_at"),
		deletedAt: deletedAt(),
		/** Denormalised counters, updated in the same batch as the reaction/comment rows. */
		reactionCount: integer("reaction_count").notNull().default(0),
		commentCount: integer("comment_count").notNull().default(0),
		/** Reddit "hot" score from reaction_count and creation time, recomputed on each reaction change. */
		hotScore: real("hot_score").notNull().default(0),
		...timestamps(),
	},
	(t) => [
		index("posts_author_idx").on(t.authorId, t.id),
		index("posts_visibility_idx").on(t.visibility, t.deletedAt, t.id),
		index("posts_group_idx").on(t.groupId, t.id),
		index("posts_hot_score_idx").on(t.hotScore, t.id),
		index("posts_type_idx").on(t.type, t.id),
		index("posts_milestone_habit_idx").on(t.milestoneHabitId),
		enumCheck("posts_type_check", t.type, POST_TYPES),
		enumCheck("posts_visibility_check", t.visibility, POST_VISIBILITIES),
		check("posts_group_visibility_check", sql`(${t.visibility} = 'group') = (${t.groupId} IS NOT NULL)`),
		check("posts_poll_check", sql`${t.type} = 'poll' OR ${t.pollClosesAt} IS NULL`),
		check("posts_milestone_streak_check", sql`${t.milestoneStreak} >= 0`),
		check("posts_counts_check", sql`${t.reactionCount} >= 0 AND ${t.commentCount} >= 0`),
		...moderationExtras("posts", t),
	],
);

export const pollOptions = sqliteTable(
	"poll_options",
	{
		id: id(),
		postId: text("post_id")
			.notNull()
			.references(() => posts.id, { onDelete: "cascade" }),
		/** 0-based display order. */
		position: integer("position").notNull(),
		label: text("label").notNull(),
		createdAt: createdAt(),
	},
	(t) => [
		uniqueIndex("poll_options_post_position_unique").on(t.postId, t.position),
		check("poll_options_position_check", sql`${t.position} BETWEEN 0 AND 5`),
	],
);

export const pollVotes = sqliteTable(
	"poll_votes",
	{
		id: id(),
		/** Redundant with the option's post, so "did I vote in this poll" is one indexed lookup. */
		postId: text("post_id")
			.notNull()
			.references(() => posts.id, { onDelete: "cascade" }),
		optionId: text("option_id")
			.notNull()
			.references(() => pollOptions.id, { onDelete: "cascade" }),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		createdAt: createdAt(),
	},
	(t) => [
		uniqueIndex("poll_votes_option_user_unique").on(t.optionId, t.userId),
		index("poll_votes_post_user_idx").on(t.postId, t.userId),
		index("poll_votes_user_idx").on(t.userId),
	],
);

export const comments = sqliteTable(
	"comments",
	{
		id: id(),
		postId: text("post_id")
			.notNull()
			.references(() => posts.id, { onDelete: "cascade" }),
		authorId: text("author_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		/** Null for a top-level comment. Soft-deleted parents keep their place as "[removed]". */
		parentId: text("parent_id").references((): AnySQLiteColumn => comments.id, { onDelete: "cascade" }),
		/**
		 * The top-level comment this reply hangs under (null for a top-level comment), so a page of top-level
		 * comments loads all its replies in one indexed query instead of walking the tree level by level.
		 */
		rootId: text("root_id").references((): AnySQLiteColumn => comments.id, { onDelete: "cascade" }),
		depth: integer("depth").notNull().default(0),
		body: text("body").notNull(),
		...moderation(),
		reactionCount: integer("reaction_count").notNull().default(0),
		deletedAt: deletedAt(),
		...timestamps(),
	},
	(t) => [
		index("comments_post_parent_idx").on(t.postId, t.parentId, t.id),
		index("comments_parent_idx").on(t.parentId),
		index("comments_root_idx").on(t.rootId, t.id),
		index("comments_author_idx").on(t.authorId, t.id),
		check("comments_depth_check", sql`${t.depth} BETWEEN 0 AND ${sql.raw(String(MAX_COMMENT_DEPTH))}`),
		check("comments_root_depth_check", sql`(${t.parentId} IS NULL) = (${t.depth} = 0)`),
		check("comments_root_check", sql`(${t.parentId} IS NULL) = (${t.rootId} IS NULL)`),
		check("comments_reaction_count_check", sql`${t.reactionCount} >= 0`),
		...moderationExtras("comments", t),
	],
);

/** One reaction per user per post or comment; changing it updates the row. */
export const reactions = sqliteTable(
	"reactions",
	{
		id: id(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		targetType: text("target_type", { enum: REACTION_TARGET_TYPES }).notNull(),
		/** A post or comment id (polymorphic, no foreign key): deleting the target deletes its reactions in code. */
		targetId: text("target_id").notNull(),
		/** The target's author, so trust eligibility ("reactions received from N people") is one indexed query. */
		targetAuthorId: text("target_author_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		reactionType: text("reaction_type", { enum: REACTION_TYPES }).notNull(),
		...timestamps(),
	},
	(t) => [
		uniqueIndex("reactions_user_target_unique").on(t.userId, t.targetType, t.targetId),
		index("reactions_target_idx").on(t.targetType, t.targetId, t.reactionType),
		index("reactions_target_author_idx").on(t.targetAuthorId, t.userId),
		enumCheck("reactions_target_type_check", t.targetType, REACTION_TARGET_TYPES),
		enumCheck("reactions_reaction_type_check", t.reactionType, REACTION_TYPES),
	],
);

export type PostRow = typeof posts.$inferSelect;
export type PollOptionRow = typeof pollOptions.$inferSelect;
export type PollVoteRow = typeof pollVotes.$inferSelect;
export type CommentRow = typeof comments.$inferSelect;
export type ReactionRow = typeof reactions.$inferSelect;

/** Posts, as content: screened, re-checked, reportable, removed with their author's account. */
export const postContent = defineContent({
	type: "post",
	table: posts,
	author: posts.authorId,
	deletedAt: posts.deletedAt,
	urgent: posts.isUrgent,
	text: [posts.body],
	snapshot: [
		posts.type,
		posts.body,
		posts.mediaUrls,
		posts.visibility,
		posts.groupId,
		posts.isSpiritual,
		posts.createdAt,
	],
	erasure: "remove",
});

export const commentContent = defineContent({
	type: "comment",
	table: comments,
	author: comments.authorId,
	deletedAt: comments.deletedAt,
	text: [comments.body],
	snapshot: [comments.postId, comments.parentId, comments.body, comments.createdAt],
	erasure: "remove",
});
