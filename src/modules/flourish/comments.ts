/**
 * @module flourish/comments: threaded comments. Replies nest to depth 5 under a top-level comment (its
 * `root_id`), so a page of top-level comments loads every reply below it in one indexed query.
 *
 * A comment the viewer may not see (deleted, hidden by moderation, or by someone on either side of a block)
 * is left out, unless replies the viewer can see hang below it: then it keeps its place as "[removed]",
 * without author or text.
 */

import { and, asc, eq, exists, gt, inArray, isNull, or, sql } from "drizzle-orm";
import { alias, type SQLiteColumn } from "drizzle-orm/sqlite-core";
import { type CurrentUser, isGuardian, isGuardianInSql } from "../../core/accounts/current-user";
import { authorColumns, GONE_AUTHOR, toAuthor } from "../../core/authors";
import { enforceLinkLimit, isPendingReview, jsonListOf } from "../../core/content-rules";
import { auditStatement } from "../../core/moderation/audit";
import { removalNotice } from "../../core/moderation/notices";
import { queueItemForContent } from "../../core/moderation/queue";
import { screenText } from "../../core/moderation/screen";
import { type NotificationEvent, notificationStatements } from "../../core/notifications";
import { withDailyQuota } from "../../core/quotas";
import type { Db } from "../../db/client";
import {
	type CommentRow,
	commentContent,
	comments,
	MAX_COMMENT_DEPTH,
	posts,
} from "../../db/tables/flourish";
import { users } from "../../db/tables/users";
import { newId } from "../../lib/ids";
import { forbidden, notFound, unprocessable } from "../../lib/problem";
import type { Ctx } from "./posts";
import { findReadablePost } from "./posts";
import {
	authorsIn,
	emptyReactionCounts,
	groupReactionCounts,
	reactionCountsIn,
	reactionsByIn,
} from "./present";
import type { CommentView } from "./schemas";
import { commentVisibleTo, postReadableBy } from "./visibility";

export const REMOVED_BODY = "[removed]";
/** Replies loaded under one page of top-level comments (a bound on the work of one request). */
export const MAX_REPLIES_PER_PAGE = 1000;

/** The comment if it is live, visible to the viewer, and on a post the viewer may open; 404 otherwise. */
export async function findReadableComment(
	db: Db,
	viewer: CurrentUser,
	commentId: string,
): Promise<CommentRow> {
	const row = await db
		.select()
		.from(comments)
		.where(and(eq(comments.id, commentId), commentReadableBy(db, viewer)))
		.get();
	if (!row) throw notFound("comment");
	return row;
}

/** The comment's own rule and its post's, in one condition (so one statement, one round trip). */
function commentReadableBy(db: Db, viewer: CurrentUser) {
	return and(
		commentVisibleTo(db, viewer),
		exists(
			db
				.select({ one: sql`1` })
				.from(posts)
				.where(and(eq(posts.id, comments.postId), postReadableBy(db, viewer))),
		),
	);
}

/**
 * Who a new comment tells: the author of the comment it answers (`reply`), and the post's author
 * (`comment`) unless they are that person. Held-back comments tell no one until a guardian approves them
 * (`notificationsForApprovedComment`); core/notifications leaves out one's own action and blocks.
 */
function commentEvents(
	comment: { id: string; postId: string; authorId: string },
	postAuthorId: string,
	parentAuthorId: string | null,
): NotificationEvent[] {
	const events: NotificationEvent[] = [];
	if (parentAuthorId !== null) {
		events.push({
			type: "reply",
			recipientId: parentAuthorId,
			actorId: comment.authorId,
			subject: { type: "comment", id: comment.id },
			groupKey: `reply:${comment.id}`,
		});
	}
	if (parentAuthorId !== postAuthorId) {
		events.push({
			type: "comment",
			recipientId: postAuthorId,
			actorId: comment.authorId,
			subject: { type: "post", id: comment.postId },
			groupKey: `comment:${comment.id}`,
		});
	}
	return events;
}

/** The notifications of a held-back comment that a guardian has just approved (for the decision's batch). */
export async function notificationsForApprovedComment(db: Db, commentId: string, now = new Date()) {
	const parents = alias(comments, "parent");
	const row = await db
		.select({
			id: comments.id,
			postId: comments.postId,
			authorId: comments.authorId,
			postAuthorId: posts.authorId,
			parentAuthorId: sql<string | null>`${parents.authorId}`.as("parent_author_id"),
		})
		.from(comments)
		.innerJoin(posts, eq(posts.id, comments.postId))
		.leftJoin(parents, eq(parents.id, comments.parentId))
		.where(and(eq(comments.id, commentId), isNull(comments.deletedAt)))
		.get();
	if (!row) return [];
	return notificationStatements(db, commentEvents(row, row.postAuthorId, row.parentAuthorId), now);
}

export interface CommentInput {
	body: string;
	parent_id?: string | undefined;
}

export async function createComment(ctx: Ctx, postId: string, input: CommentInput, now = new Date()) {
	const { db, user } = ctx;
	const post = await findReadablePost(db, user, postId);
	enforceLinkLimit(user, input.body);
	let parent: CommentRow | undefined;
	if (input.parent_id) {
		parent = await findReadableComment(db, user, input.parent_id);
		if (parent.postId !== post.id) throw notFound("comment");
		if (parent.depth >= MAX_COMMENT_DEPTH) {
			throw unprocessable(`Replies nest at most ${MAX_COMMENT_DEPTH} levels deep.`, [
				{ field: "body/parent_id", message: "reply to a shallower comment" },
			]);
		}
	}
	const id = newId(now.getTime());
	const { screening, created, author } = await withDailyQuota(db, user, "comments", now, async (spend) => {
		const screening = await screenText(ctx.env, input.body);
		const at = now.toISOString();
		const values = {
			id,
			postId: post.id,
			authorId: user.id,
			parentId: parent?.id ?? null,
			rootId: parent ? (parent.rootId ?? parent.id) : null,
			depth: parent ? parent.depth + 1 : 0,
			body: input.body,
			moderationStatus: screening.status,
			toxicityScore: screening.toxicity,
			createdAt: at,
			updatedAt: at,
		};
		const queued = queueItemForContent(db, commentContent, values, screening);
		const notified = isPendingReview(screening.status)
			? []
			: notificationStatements(db, commentEvents(values, post.authorId, parent?.authorId ?? null), now);
		// The author (me) is read back in the same batch: one round trip.
		const [author, , inserted] = await db.batch([
			db.select(authorColumns).from(users).where(eq(users.id, user.id)),
			spend,
			db.insert(comments).values(values).returning(),
			...notified,
			db
				.update(posts)
				.set({ commentCount: sql`${posts.commentCount} + 1` })
				.where(eq(posts.id, post.id)),
			...(queued ? [queued] : []),
		]);
		return { screening, created: inserted[0], author: author[0] };
	});
	if (!created) throw new Error("comment insert returned no row");
	return {
		comment: toView(created, author ? toAuthor(author) : GONE_AUTHOR(user.id), false, {
			counts: emptyReactionCounts(),
			mine: null,
		}),
		screening,
	};
}

export async function deleteComment(ctx: Ctx, commentId: string, reason: string | undefined): Promise<void> {
	const { db, user } = ctx;
	// Guardians may delete any live comment, whatever they can see of its post.
	const comment = await db
		.select()
		.from(comments)
		.where(
			and(
				eq(comments.id, commentId),
				isNull(comments.deletedAt),
				or(isGuardianInSql(user.id), commentReadableBy(db, user)),
			),
		)
		.get();
	if (!comment) throw notFound("comment");
	const mine = comment.authorId === user.id;
	if (!mine && !isGuardian(user)) throw forbidden("Only the author or a guardian may delete this comment.");
	const now = new Date().toISOString();
	await db.batch([
		db
			.update(comments)
			.set({ deletedAt: now, updatedAt: now })
			.where(and(eq(comments.id, comment.id), isNull(comments.deletedAt))),
		// A guardian's deletion tells the author (only if this deletion is the one that applied).
		...(mine ? [] : removalNotice(db, "comment", comment.id, comment.authorId, user.id, now)),
		db
			.update(posts)
			.set({ commentCount: sql`max(${posts.commentCount} - 1, 0)` })
			.where(eq(posts.id, comment.postId)),
		...(mine
			? []
			: [
					auditStatement(db, {
						actorId: user.id,
						action: "delete_content",
						targetType: "comment",
						targetId: comment.id,
						targetUserId: comment.authorId,
						...(reason ? { reason } : {}),
						details: { post_id: comment.postId, body: comment.body },
					}),
				]),
	]);
}

function toView(
	row: CommentRow,
	author: CommentView["author"],
	removed: boolean,
	reactions: { counts: CommentView["reactions"]; mine: CommentView["my_reaction"] },
): CommentView {
	return {
		id: row.id,
		post_id: row.postId,
		parent_id: row.parentId,
		depth: row.depth,
		body: removed ? REMOVED_BODY : row.body,
		removed,
		author: removed ? null : author,
		pending_review: !removed && isPendingReview(row.moderationStatus),
		reaction_count: removed ? 0 : row.reactionCount,
		reactions: removed ? emptyReactionCounts() : reactions.counts,
		my_reaction: removed ? null : reactions.mine,
		created_at: row.createdAt,
		replies: [],
	};
}

export type CommentCursor = { id: string };

/**
 * One page of top-level comments (oldest first) with all their replies nested, in one D1 round trip: the
 * post check, the comments (each one's visibility to me computed in SQL), and the authors and reactions of
 * the visible ones (statements that select the page themselves) in one batch. Comments of a post I may not
 * read are fetched but never shown: 404.
 */
export async function listComments(ctx: Ctx, postId: string, limit: number, after?: CommentCursor) {
	const { db, user } = ctx;
	const post = { id: postId };
	const visible = sql<number>`(${commentVisibleTo(db, user)})`.mapWith(Boolean);
	/** Top-level comments of this post after the cursor that are live or still carry a live reply. */
	const topLevelOf = (table: {
		id: SQLiteColumn;
		postId: SQLiteColumn;
		parentId: SQLiteColumn;
		deletedAt: SQLiteColumn;
	}) => {
		const reply = alias(comments, "reply");
		return and(
			eq(table.postId, post.id),
			isNull(table.parentId),
			after ? gt(table.id, after.id) : undefined,
			or(
				isNull(table.deletedAt),
				exists(
					db
						.select({ one: sql`1` })
						.from(reply)
						.where(and(eq(reply.rootId, table.id), isNull(reply.deletedAt))),
				),
			),
		);
	};
	const top = alias(comments, "top");
	const topPage = db
		.select({ id: top.id })
		.from(top)
		.where(topLevelOf(top))
		.orderBy(asc(top.id))
		.limit(limit);
	const pageReply = alias(comments, "page_reply");
	const replyPage = db
		.select({ id: pageReply.id })
		.from(pageReply)
		.where(inArray(pageReply.rootId, topPage))
		.orderBy(asc(pageReply.id))
		.limit(MAX_REPLIES_PER_PAGE);
	// The comments of the page I may see (what the `visible` column says of the page's rows): what the
	// presentation statements read for.
	const shown = db
		.select({ id: comments.id, authorId: comments.authorId })
		.from(comments)
		.where(
			and(
				inArray(comments.id, sql`(SELECT id FROM ${topPage} UNION ALL SELECT id FROM ${replyPage})`),
				commentVisibleTo(db, user),
			),
		);
	const [readable, topLevel, replies, authors, counts, mine] = await db.batch([
		db
			.select({ id: posts.id })
			.from(posts)
			.where(and(eq(posts.id, postId), postReadableBy(db, user)))
			.limit(1),
		db
			.select({ row: comments, visible })
			.from(comments)
			.where(topLevelOf(comments))
			.orderBy(asc(comments.id))
			.limit(limit + 1),
		db
			.select({ row: comments, visible })
			.from(comments)
			.where(inArray(comments.rootId, topPage))
			.orderBy(asc(comments.id))
			.limit(MAX_REPLIES_PER_PAGE),
		authorsIn(db, jsonListOf(shown, "author_id")),
		reactionCountsIn(db, "comment", jsonListOf(shown)),
		reactionsByIn(db, user.id, "comment", jsonListOf(shown)),
	]);
	if (readable.length === 0) throw notFound("post");
	const pageTop = topLevel.slice(0, limit);
	const all = [...pageTop, ...replies];
	const authorById = new Map(authors.map((author) => [author.id, toAuthor(author)]));
	const countsById = groupReactionCounts(counts);
	const myReaction = new Map(mine.map((row) => [row.targetId, row.reactionType]));

	const childrenOf = new Map<string, typeof replies>();
	for (const entry of replies) {
		const parentId = entry.row.parentId ?? "";
		childrenOf.set(parentId, [...(childrenOf.get(parentId) ?? []), entry]);
	}
	const build = (entry: (typeof all)[number]): CommentView | null => {
		const children = (childrenOf.get(entry.row.id) ?? [])
			.map(build)
			.filter((child): child is CommentView => child !== null);
		if (!entry.visible && children.length === 0) return null;
		const view = toView(
			entry.row,
			authorById.get(entry.row.authorId) ?? GONE_AUTHOR(entry.row.authorId),
			!entry.visible,
			{
				counts: countsById.get(entry.row.id) ?? emptyReactionCounts(),
				mine: myReaction.get(entry.row.id) ?? null,
			},
		);
		view.replies = children;
		return view;
	};
	const data = pageTop.map(build).filter((view): view is CommentView => view !== null);
	const last = pageTop.at(-1);
	return { data, next: topLevel.length > limit && last ? { id: last.row.id } : null };
}
