/**
 * @module flourish/polls: voting. One vote per user per poll (one option, or several distinct options when
 * the poll allows multiple choice), only while it is open, only in a poll the voter may see.
 *
 * Race-safe without a read-then-write gap: the first insert of the batch only happens when the voter has
 * no vote in this poll yet and the poll is still open; every further option's insert only happens when that
 * first row (with an id chosen here) exists. Two concurrent votes cannot both land.
 */
import { and, eq, exists, gt, inArray, isNull, notExists, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../../db/client";
import { batchThenRead } from "../../db/prepared";
import { type PostRow, pollOptions, pollVotes, posts } from "../../db/tables/flourish";
import { newId } from "../../lib/ids";
import { conflict, notFound, unprocessable } from "../../lib/problem";
import type { Ctx } from "./posts";
import { assemblePosts, type PostView, postPresentationReads } from "./present";
import { postReadableBy } from "./visibility";

function insertVote(
	db: Db,
	voteId: string,
	postId: string,
	optionId: string,
	userId: string,
	now: string,
	guard: ReturnType<typeof exists>,
) {
	return db.insert(pollVotes).select(
		db
			.select({
				id: sql`${voteId}`.as("id"),
				postId: pollOptions.postId,
				optionId: pollOptions.id,
				userId: sql`${userId}`.as("user_id"),
				createdAt: sql`${now}`.as("created_at"),
			})
			.from(pollOptions)
			.where(and(eq(pollOptions.id, optionId), eq(pollOptions.postId, postId), guard)),
	);
}

export async function castVote(
	ctx: Ctx,
	postId: string,
	optionIds: string[],
	now = new Date(),
): Promise<PostView> {
	const { db, user } = ctx;
	// The post and the chosen options side by side (the options do not depend on the post's row): one round trip.
	const [[post], known] = await db.batch([
		db
			.select()
			.from(posts)
			.where(and(eq(posts.id, postId), postReadableBy(db, user)))
			.limit(1),
		db
			.select({ id: pollOptions.id })
			.from(pollOptions)
			.where(and(eq(pollOptions.postId, postId), inArray(pollOptions.id, optionIds))),
	]);
	if (!post) throw notFound("post");
	if (post.type !== "poll" || !post.pollClosesAt) throw conflict("This post is not a poll.");
	if (post.pollClosesAt <= now.toISOString()) throw conflict("This poll is closed.");
	if (!post.pollMultipleChoice && optionIds.length > 1) {
		throw unprocessable("This poll allows one option only.", [
			{ field: "body/option_ids", message: "exactly one option" },
		]);
	}
	if (known.length !== optionIds.length) {
		throw unprocessable("Every option must belong to this poll.", [
			{ field: "body/option_ids", message: "unknown option" },
		]);
	}

	const at = now.toISOString();
	const firstVoteId = newId(now.getTime());
	const [first, ...others] = optionIds;
	if (first === undefined) throw unprocessable("Pick at least one option.");
	const stillOpenAndFirst = and(
		exists(
			db
				.select({ one: sql`1` })
				.from(posts)
				.where(and(eq(posts.id, post.id), isNull(posts.deletedAt), gt(posts.pollClosesAt, at))),
		),
		notExists(
			db
				.select({ one: sql`1` })
				.from(pollVotes)
				.where(and(eq(pollVotes.postId, post.id), eq(pollVotes.userId, user.id))),
		),
	) as ReturnType<typeof exists>;
	const firstLanded = exists(db.select({ one: sql`1` }).from(pollVotes).where(eq(pollVotes.id, firstVoteId)));
	const inserts: BatchItem<"sqlite">[] = [
		insertVote(db, firstVoteId, post.id, first, user.id, at, stillOpenAndFirst),
		...others.map((optionId) =>
			insertVote(db, newId(now.getTime()), post.id, optionId, user.id, at, firstLanded),
		),
	];
	// The votes, whether they landed, the post read back and what presents it (my votes now among the
	// results): one batch.
	const [written, presentation] = await batchThenRead(
		db,
		[
			...inserts,
			db.select({ id: pollVotes.id }).from(pollVotes).where(eq(pollVotes.id, firstVoteId)),
			db
				.select()
				.from(posts)
				.where(and(eq(posts.id, post.id), postReadableBy(db, user))),
		] as unknown as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]],
		postPresentationReads(db, user, [post]),
	);
	const landed = written.at(-2) as Array<{ id: string }>;
	if (landed.length === 0) throw conflict("You have already voted in this poll (or it just closed).");
	const [readBack] = written.at(-1) as PostRow[];
	// Deleted a moment ago, between the check and the vote.
	if (!readBack) throw notFound("post");
	const [view] = assemblePosts(user, [readBack], presentation, now);
	if (!view) throw notFound("post");
	return view;
}
