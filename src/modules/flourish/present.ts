/**
 * @module flourish/present: turns a page of post rows into their wire form: authors, reaction counts, my
 * reaction, poll options (with their results and my votes), and milestone habits are each one query over
 * the whole page, sent together in a single batch. Rows already read are presented by their ids (bound as
 * one JSON parameter); a list page's presentation selects the page itself and rides in the page query's
 * batch, so the list costs one D1 round trip.
 */

import type { z } from "@hono/zod-openapi";
import { and, count, countDistinct, eq, inArray, type Placeholder, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { type CurrentUser, isGuardian } from "../../core/accounts/current-user";
import { authorColumns, GONE_AUTHOR, toAuthor } from "../../core/authors";
import { isPendingReview } from "../../core/content-rules";
import type { Db } from "../../db/client";
import { batchPrepared, boundQueries, preparedQuery } from "../../db/prepared";
import {
	type PostRow,
	pollOptions,
	pollVotes,
	posts,
	REACTION_TYPES,
	reactions,
} from "../../db/tables/flourish";
import { habits } from "../../db/tables/garden";
import { users } from "../../db/tables/users";
import type { PostSchema } from "./schemas";

export type PostView = z.infer<typeof PostSchema>;
export type ReactionType = (typeof REACTION_TYPES)[number];

export function emptyReactionCounts(): Record<ReactionType, number> {
	return Object.fromEntries(REACTION_TYPES.map((type) => [type, 0])) as Record<ReactionType, number>;
}

export function groupReactionCounts(
	rows: Array<{ targetId: string; reactionType: ReactionType; n: number }>,
) {
	const byTarget = new Map<string, Record<ReactionType, number>>();
	for (const row of rows) {
		let counts = byTarget.get(row.targetId);
		if (!counts) {
			counts = emptyReactionCounts();
			byTarget.set(row.targetId, counts);
		}
		counts[row.reactionType] = row.n;
	}
	return byTarget;
}

const distinct = (values: Array<string | null>) => [
	...new Set(values.filter((v): v is string => v !== null)),
];

/**
 * The presentation statements, written once over the SQL that lists the ids they cover: either ids read
 * earlier (one JSON list, bound), or the page query itself as a subquery (`pagePresentationReads`), so that a
 * list page and its presentation go to D1 in the same batch: one round trip.
 */
type TargetType = (typeof reactions.$inferSelect)["targetType"];
const idList = (ids: SQL | Placeholder): SQL => sql`(SELECT value FROM json_each(${ids}))`;

/** Author columns of the users listed by `ids`. */
export const authorsIn = (db: Db, ids: SQL) =>
	db.select(authorColumns).from(users).where(inArray(users.id, ids));

/** Reaction counts per type of the posts or comments listed by `ids` (`targetType`), grouped by target. */
export const reactionCountsIn = (db: Db, targetType: TargetType | Placeholder, ids: SQL) =>
	db
		.select({ targetId: reactions.targetId, reactionType: reactions.reactionType, n: count() })
		.from(reactions)
		.where(and(eq(reactions.targetType, targetType), inArray(reactions.targetId, ids)))
		.groupBy(reactions.targetId, reactions.reactionType);

/** The reactions of `userId` on the posts or comments listed by `ids` (`targetType`). */
export const reactionsByIn = (
	db: Db,
	userId: string | Placeholder,
	targetType: TargetType | Placeholder,
	ids: SQL,
) =>
	db
		.select({ targetId: reactions.targetId, reactionType: reactions.reactionType })
		.from(reactions)
		.where(
			and(
				eq(reactions.userId, userId),
				eq(reactions.targetType, targetType),
				inArray(reactions.targetId, ids),
			),
		);

/**
 * The options of the polls listed by `postIds` with everything a viewer's page shows of them, in one
 * statement: each option's votes, the poll's distinct voters, and whether `userId` chose the option (each an
 * indexed lookup: poll_votes by option and user, and by post and user). Only poll posts have options, so the
 * ids of a whole page may be passed.
 */
const pollOptionsIn = (db: Db, userId: string | Placeholder, postIds: SQL) => {
	// Subqueries over an alias: drizzle would print a single-table select's own columns unqualified.
	const vote = alias(pollVotes, "vote");
	const countOf = (where: SQL | undefined) =>
		sql<number>`(${db.select({ n: count() }).from(vote).where(where)})`.mapWith(Number);
	return db
		.select({
			id: pollOptions.id,
			postId: pollOptions.postId,
			label: pollOptions.label,
			votes: countOf(eq(vote.optionId, pollOptions.id)),
			voters: sql<number>`(${db
				.select({ n: countDistinct(vote.userId) })
				.from(vote)
				.where(eq(vote.postId, pollOptions.postId))})`.mapWith(Number),
			mine: countOf(and(eq(vote.optionId, pollOptions.id), eq(vote.userId, userId))),
		})
		.from(pollOptions)
		.where(inArray(pollOptions.postId, postIds))
		.orderBy(pollOptions.postId, pollOptions.position);
};

const habitNamesIn = (db: Db, ids: SQL) =>
	db.select({ id: habits.id, name: habits.name }).from(habits).where(inArray(habits.id, ids));

// The presentation of rows already read runs on every post written or opened (and its first three queries on
// every comment page): each query is built once per isolate (db/prepared), its ids bound as one JSON list.
/** Author columns of the users whose ids are bound as `ids`. */
export const authorsById = preparedQuery((db) => authorsIn(db, idList(sql.placeholder("ids"))).prepare());
/** Reaction counts per type of the posts or comments `ids` (`targetType`), grouped by target. */
export const reactionCountsOf = preparedQuery((db) =>
	reactionCountsIn(db, sql.placeholder("targetType"), idList(sql.placeholder("ids"))).prepare(),
);
/** The reactions of `userId` on the posts or comments `ids` (`targetType`). */
export const reactionsBy = preparedQuery((db) =>
	reactionsByIn(
		db,
		sql.placeholder("userId"),
		sql.placeholder("targetType"),
		idList(sql.placeholder("ids")),
	).prepare(),
);
const pollOptionsWithVotes = preparedQuery((db) =>
	pollOptionsIn(db, sql.placeholder("userId"), idList(sql.placeholder("pollIds"))).prepare(),
);
const habitNames = preparedQuery((db) => habitNamesIn(db, idList(sql.placeholder("ids"))).prepare());

/** What presenting a post needs to know of it before it is read (so a new post can be presented in its write's batch). */
export type PostToPresent = Pick<PostRow, "id" | "authorId" | "type" | "milestoneHabitId">;

/**
 * The reads that present `rows` for `viewer` (authors, reaction counts, mine, polls, habit names): one
 * batch. Many pages hold no poll or no milestone: those statements are then not sent at all.
 */
export function postPresentationReads(db: Db, viewer: CurrentUser, rows: readonly PostToPresent[]) {
	const ids = rows.map((row) => row.id);
	const pollIds = rows.filter((row) => row.type === "poll").map((row) => row.id);
	const habitIds = distinct(rows.map((row) => row.milestoneHabitId));
	return boundQueries([
		[authorsById(db), { ids: JSON.stringify(distinct(rows.map((row) => row.authorId))) }],
		[reactionCountsOf(db), { targetType: "post", ids: JSON.stringify(ids) }],
		[reactionsBy(db), { userId: viewer.id, targetType: "post", ids: JSON.stringify(ids) }],
		pollIds.length > 0
			? [pollOptionsWithVotes(db), { userId: viewer.id, pollIds: JSON.stringify(pollIds) }]
			: undefined,
		habitIds.length > 0 ? [habitNames(db), { ids: JSON.stringify(habitIds) }] : undefined,
	]);
}

/**
 * A page of posts as a subquery: the page query's own conditions, order and limit, selecting what its
 * presentation needs (`pagePresentationReads`).
 */
export const postPageIds = (db: Db, where: SQL | undefined, orderBy: SQL[], limit: number) =>
	db
		.select({ id: posts.id, authorId: posts.authorId, milestoneHabitId: posts.milestoneHabitId })
		.from(posts)
		.where(where)
		.orderBy(...orderBy)
		.limit(limit);

/**
 * The reads that present a page of posts for `viewer`, each selecting the page itself (`page`, from
 * `postPageIds` with the page query's conditions): sent in the page query's own batch, they see exactly
 * the rows it finds (a batch is one transaction), and the page costs one round trip instead of two.
 */
export function pagePresentationReads(db: Db, viewer: CurrentUser, page: ReturnType<typeof postPageIds>) {
	const column = (name: "id" | "author_id" | "milestone_habit_id") =>
		sql`(SELECT ${sql.identifier(name)} FROM ${page})`;
	return [
		authorsIn(db, column("author_id")),
		reactionCountsIn(db, "post", column("id")),
		reactionsByIn(db, viewer.id, "post", column("id")),
		pollOptionsIn(db, viewer.id, column("id")),
		habitNamesIn(db, column("milestone_habit_id")),
	] as const;
}

/** What presents a list of posts, whichever way it was read. */
export type PostPresentation = readonly [
	Awaited<ReturnType<typeof authorsIn>>,
	Awaited<ReturnType<typeof reactionCountsIn>>,
	Awaited<ReturnType<typeof reactionsByIn>>,
	Awaited<ReturnType<typeof pollOptionsIn>>,
	Awaited<ReturnType<typeof habitNamesIn>>,
];

/** The wire form of `rows`, in their order, for `viewer`. Exactly one D1 round trip (a batch). */
export async function presentPosts(
	db: Db,
	viewer: CurrentUser,
	rows: PostRow[],
	now = new Date(),
): Promise<PostView[]> {
	if (rows.length === 0) return [];
	return assemblePosts(viewer, rows, await batchPrepared(db, postPresentationReads(db, viewer, rows)), now);
}

/** The wire form of `rows` from what `postPresentationReads` read. */
export function assemblePosts(
	viewer: CurrentUser,
	rows: PostRow[],
	[authors, counts, mine, options, habitRows]: PostPresentation,
	now: Date,
): PostView[] {
	const authorById = new Map(authors.map((author) => [author.id, toAuthor(author)]));
	const countsByPost = groupReactionCounts(counts);
	const myReaction = new Map(mine.map((row) => [row.targetId, row.reactionType]));
	const habitName = new Map(habitRows.map((row) => [row.id, row.name]));
	const optionsByPost = new Map<string, typeof options>();
	for (const option of options)
		optionsByPost.set(option.postId, [...(optionsByPost.get(option.postId) ?? []), option]);

	return rows.map((row) => {
		let poll: PostView["poll"] = null;
		if (row.type === "poll" && row.pollClosesAt) {
			const optionsHere = optionsByPost.get(row.id) ?? [];
			const myVotesHere = optionsHere.filter((option) => option.mine).map((option) => option.id);
			const closed = row.pollClosesAt <= now.toISOString();
			const resultsVisible =
				closed || myVotesHere.length > 0 || row.authorId === viewer.id || isGuardian(viewer);
			poll = {
				multiple_choice: row.pollMultipleChoice,
				closes_at: row.pollClosesAt,
				closed,
				results_visible: resultsVisible,
				voter_count: resultsVisible ? (optionsHere[0]?.voters ?? 0) : null,
				my_votes: myVotesHere,
				options: optionsHere.map((option) => ({
					id: option.id,
					label: option.label,
					votes: resultsVisible ? option.votes : null,
				})),
			};
		}
		return {
			id: row.id,
			type: row.type,
			body: row.body,
			visibility: row.visibility,
			group_id: row.groupId,
			media_urls: row.mediaUrls,
			is_spiritual: row.isSpiritual,
			author: authorById.get(row.authorId) ?? GONE_AUTHOR(row.authorId),
			milestone:
				row.type === "milestone"
					? {
							habit_id: row.milestoneHabitId,
							habit_name: row.milestoneHabitId ? (habitName.get(row.milestoneHabitId) ?? null) : null,
							streak: row.milestoneStreak,
						}
					: null,
			poll,
			reaction_count: row.reactionCount,
			reactions: countsByPost.get(row.id) ?? emptyReactionCounts(),
			my_reaction: myReaction.get(row.id) ?? null,
			comment_count: row.commentCount,
			pending_review: isPendingReview(row.moderationStatus),
			created_at: row.createdAt,
			updated_at: row.updatedAt,
			edited_at: row.editedAt,
		};
	});
}

/** Reddit "hot": sign·log10(max(|score|, 1)) + seconds since the epoch / 45000, with score = reaction count. */
export function hotScore(reactionCount: number, createdAt: string): number {
	const order = Math.sign(reactionCount) * Math.log10(Math.max(Math.abs(reactionCount), 1));
	return order + Math.floor(Date.parse(createdAt) / 1000) / 45000;
}

/** How far the live count may drift from the one read before the batch and still get an exact score. */
const HOT_WINDOW = 50;

/**
 * The hot score of a count that is only known inside the batch (D1 refuses SQL math functions such as
 * log10). The exact scores of every count within ±HOT_WINDOW of `expected` are bound as one JSON object
 * and looked up by the live count; beyond that window (a burst of concurrent reactions) the digit count
 * stands in for log10 until the next reaction recomputes it.
 */
export function hotScoreSql(liveCount: SQL, expected: number, createdAt: string): SQL {
	const table: Record<string, number> = {};
	for (let n = Math.max(0, expected - HOT_WINDOW); n <= expected + HOT_WINDOW; n++)
		table[n] = hotScore(n, createdAt);
	const base = hotScore(0, createdAt);
	return sql`coalesce((SELECT value FROM json_each(${JSON.stringify(table)}) WHERE key = CAST(${liveCount} AS TEXT)), length(CAST(${liveCount} AS TEXT)) - 1 + ${base})`;
}
