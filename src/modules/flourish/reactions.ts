/**
 * @module flourish/reactions: one reaction per user per post or comment (setting another type replaces it).
 * The target's denormalised `reaction_count` (and a post's `hot_score`) are recomputed from the reaction
 * rows in the same batch as the change, so they can never drift, whatever the concurrency.
 */
import { and, count, eq, sql } from "drizzle-orm";
import type { CurrentUser } from "../../core/accounts/current-user";
import { type NotificationEvent, notificationStatements } from "../../core/notifications";
import type { Db } from "../../db/client";
import { comments, posts, reactions } from "../../db/tables/flourish";
import { findReadableComment } from "./comments";
import { findReadablePost } from "./posts";
import { emptyReactionCounts, hotScoreSql, type ReactionType } from "./present";

export interface ReactionSummaryView {
	reaction_count: number;
	reactions: Record<ReactionType, number>;
	my_reaction: ReactionType | null;
}

type Target = {
	type: "post" | "comment";
	id: string;
	authorId: string;
	/** The count read before the batch, and the creation time (for a post's hot score). */
	reactionCount: number;
	createdAt: string;
};

const reactionsOn = (target: Target) =>
	and(eq(reactions.targetType, target.type), eq(reactions.targetId, target.id));

/** `SELECT count(*)` of the target's reactions, as a correlated value for the counter update. */
const liveCount = (target: Target) =>
	sql`(SELECT count(*) FROM ${reactions} WHERE ${reactions.targetType} = ${target.type} AND ${reactions.targetId} = ${target.id})`;

function recount(db: Db, target: Target) {
	if (target.type === "post") {
		return db
			.update(posts)
			.set({
				reactionCount: liveCount(target),
				hotScore: hotScoreSql(liveCount(target), target.reactionCount, target.createdAt),
			})
			.where(eq(posts.id, target.id));
	}
	return db
		.update(comments)
		.set({ reactionCount: liveCount(target) })
		.where(eq(comments.id, target.id));
}

function summaryQueries(db: Db, viewer: CurrentUser, target: Target) {
	return [
		db
			.select({ reactionType: reactions.reactionType, n: count() })
			.from(reactions)
			.where(reactionsOn(target))
			.groupBy(reactions.reactionType),
		db
			.select({ reactionType: reactions.reactionType })
			.from(reactions)
			.where(and(reactionsOn(target), eq(reactions.userId, viewer.id))),
	] as const;
}

function toSummary(
	perType: Array<{ reactionType: ReactionType; n: number }>,
	mine: Array<{ reactionType: ReactionType }>,
): ReactionSummaryView {
	const counts = emptyReactionCounts();
	let total = 0;
	for (const row of perType) {
		counts[row.reactionType] = row.n;
		total += row.n;
	}
	return { reaction_count: total, reactions: counts, my_reaction: mine[0]?.reactionType ?? null };
}

async function setReaction(db: Db, viewer: CurrentUser, target: Target, type: ReactionType) {
	const now = new Date().toISOString();
	const [perType, mine] = summaryQueries(db, viewer, target);
	const [, , counts, my] = await db.batch([
		db
			.insert(reactions)
			.values({
				userId: viewer.id,
				targetType: target.type,
				targetId: target.id,
				targetAuthorId: target.authorId,
				reactionType: type,
				createdAt: now,
				updatedAt: now,
			})
			.onConflictDoUpdate({
				target: [reactions.userId, reactions.targetType, reactions.targetId],
				set: { reactionType: type, updatedAt: now },
			}),
		recount(db, target),
		perType,
		mine,
		...notificationStatements(db, [reactionEvent(viewer, target)]),
	]);
	return toSummary(counts, my);
}

/**
 * A reaction tells the target's author, grouped: one notification per post or comment, updated in place
 * (the newest reactor first, the count of everyone else's reactions now), moved to the top, unread again.
 */
function reactionEvent(viewer: CurrentUser, target: Target): NotificationEvent {
	return {
		type: "reaction",
		recipientId: target.authorId,
		actorId: viewer.id,
		subject: { type: target.type, id: target.id },
		groupKey: `reaction:${target.type}:${target.id}`,
		actorCount: sql`(SELECT count(*) FROM ${reactions} WHERE ${reactions.targetType} = ${target.type}
			AND ${reactions.targetId} = ${target.id} AND ${reactions.userId} <> ${target.authorId})`,
	};
}

async function removeReaction(db: Db, viewer: CurrentUser, target: Target): Promise<void> {
	await db.batch([
		db.delete(reactions).where(and(reactionsOn(target), eq(reactions.userId, viewer.id))),
		recount(db, target),
	]);
}

const postTarget = async (db: Db, viewer: CurrentUser, postId: string): Promise<Target> => {
	const post = await findReadablePost(db, viewer, postId);
	return {
		type: "post",
		id: post.id,
		authorId: post.authorId,
		reactionCount: post.reactionCount,
		createdAt: post.createdAt,
	};
};

const commentTarget = async (db: Db, viewer: CurrentUser, commentId: string): Promise<Target> => {
	const comment = await findReadableComment(db, viewer, commentId);
	return {
		type: "comment",
		id: comment.id,
		authorId: comment.authorId,
		reactionCount: comment.reactionCount,
		createdAt: comment.createdAt,
	};
};

export async function setPostReaction(db: Db, viewer: CurrentUser, postId: string, type: ReactionType) {
	return setReaction(db, viewer, await postTarget(db, viewer, postId), type);
}

export async function removePostReaction(db: Db, viewer: CurrentUser, postId: string) {
	await removeReaction(db, viewer, await postTarget(db, viewer, postId));
}

export async function setCommentReaction(db: Db, viewer: CurrentUser, commentId: string, type: ReactionType) {
	return setReaction(db, viewer, await commentTarget(db, viewer, commentId), type);
}

export async function removeCommentReaction(db: Db, viewer: CurrentUser, commentId: string) {
	await removeReaction(db, viewer, await commentTarget(db, viewer, commentId));
}
