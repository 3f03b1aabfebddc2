/**
 * @module flourish/present: turns post rows into their wire form: authors, reaction counts, my reaction,
 * poll options (with their results and my votes), and milestone habits. Rows already read are presented
 * by one query each over their ids (bound as one JSON parameter), sent together in a single batch; a list
 * page reads its presentation with its rows, in the page query's own batch (`postPageReads`), so the list
 * costs one D1 round trip.
 */

import type { z } from "@hono/zod-openapi";
import { and, count, countDistinct, eq, type Placeholder, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { type CurrentUser, isGuardian } from "../../core/accounts/current-user";
import { type AuthorRow, authorColumns, GONE_AUTHOR, toAuthor } from "../../core/authors";
import { inJsonList, isPendingReview, jsonListOf } from "../../core/content-rules";
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
import { media } from "../../db/tables/media";
import { users } from "../../db/tables/users";
import { mediaPath } from "../media";
import { POST_MEDIA_KIND } from "./post-media";
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

// The presentation statements, written once over the ids they cover as one JSON list: bound (rows read
// earlier), or made by D1 from the page query itself (`jsonListOf`: `postPageReads`, comments).
type TargetType = (typeof reactions.$inferSelect)["targetType"];
/** A JSON list of ids: bound (a placeholder), or made by D1 from a page query (`jsonListOf`). */
type Ids = Placeholder | SQL;

/** Author columns of the users listed by `ids`. */
export const authorsIn = (db: Db, ids: Ids) =>
	db.select(authorColumns).from(users).where(inJsonList(users.id, ids));

/** Reaction counts per type of the posts or comments listed by `ids` (`targetType`), grouped by target. */
export const reactionCountsIn = (db: Db, targetType: TargetType | Placeholder, ids: Ids) =>
	db
		.select({ targetId: reactions.targetId, reactionType: reactions.reactionType, n: count() })
		.from(reactions)
		.where(and(eq(reactions.targetType, targetType), inJsonList(reactions.targetId, ids)))
		.groupBy(reactions.targetId, reactions.reactionType);

/** The reactions of `userId` on the posts or comments listed by `ids` (`targetType`). */
export const reactionsByIn = (
	db: Db,
	userId: string | Placeholder,
	targetType: TargetType | Placeholder,
	ids: Ids,
) =>
	db
		.select({ targetId: reactions.targetId, reactionType: reactions.reactionType })
		.from(reactions)
		.where(
			and(
				eq(reactions.userId, userId),
				eq(reactions.targetType, targetType),
				inJsonList(reactions.targetId, ids),
			),
		);

/**
 * The options of the polls listed by `postIds` with everything a viewer's page shows of them, in one
 * statement: each option's votes, the poll's distinct voters, and whether `userId` chose the option (each an
 * indexed lookup: poll_votes by option and user, and by post and user). Only poll posts have options, so the
 * ids of a whole page may be passed.
 */
const pollOptionsIn = (db: Db, userId: string | Placeholder, postIds: Ids) => {
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
		.where(inJsonList(pollOptions.postId, postIds))
		.orderBy(pollOptions.postId, pollOptions.position);
};

/** The stored uploads attached to the posts `ids` (their order is the post's `media_urls`). */
const postMediaIn = (db: Db, ids: Ids) =>
	db
		.select({
			id: media.id,
			postId: sql<string>`${media.attachedId}`.as("post_media_post_id"),
			contentType: media.contentType,
			width: media.width,
			height: media.height,
			durationS: media.durationS,
			alt: media.alt,
		})
		.from(media)
		.where(
			and(
				eq(media.attachedKind, POST_MEDIA_KIND),
				eq(media.status, "ready"),
				inJsonList(media.attachedId, ids),
			),
		);

const habitNamesIn = (db: Db, ids: Ids) =>
	db.select({ id: habits.id, name: habits.name }).from(habits).where(inJsonList(habits.id, ids));

// The presentation of rows already read runs on every post written, voted in or opened: each query is built
// once per isolate (db/prepared), its ids bound as one JSON list.
/** Author columns of the users whose ids are bound as `ids`. */
export const authorsById = preparedQuery((db) => authorsIn(db, sql.placeholder("ids")).prepare());
/** Reaction counts per type of the posts or comments `ids` (`targetType`), grouped by target. */
const reactionCountsOf = preparedQuery((db) =>
	reactionCountsIn(db, sql.placeholder("targetType"), sql.placeholder("ids")).prepare(),
);
/** The reactions of `userId` on the posts or comments `ids` (`targetType`). */
const reactionsBy = preparedQuery((db) =>
	reactionsByIn(
		db,
		sql.placeholder("userId"),
		sql.placeholder("targetType"),
		sql.placeholder("ids"),
	).prepare(),
);
const pollOptionsWithVotes = preparedQuery((db) =>
	pollOptionsIn(db, sql.placeholder("userId"), sql.placeholder("pollIds")).prepare(),
);
const habitNames = preparedQuery((db) => habitNamesIn(db, sql.placeholder("ids")).prepare());
const postMedia = preparedQuery((db) => postMediaIn(db, sql.placeholder("ids")).prepare());

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
		[postMedia(db), { ids: JSON.stringify(ids) }],
	]);
}

/** A page's post rows carry their author and milestone habit, joined. */
const pageAuthor = alias(users, "page_author");
const pageHabit = alias(habits, "page_habit");

/** Where a list page of posts comes from: the page query's conditions, order and limit. */
export interface PostPageQuery {
	where: SQL | undefined;
	orderBy: SQL[];
	/** Rows the page query reads (a page asks one more, to tell whether another page follows). */
	limit: number;
	/** The first rows of those that get presented. */
	presented: number;
}

/**
 * The statements of a list page of posts, for one batch (one round trip, instead of the page and then its
 * presentation). The page query's rows carry what is one per post: the author and milestone habit (joined)
 * and my reaction (one indexed lookup, only for the rows the page returns). The reaction counts and the
 * polls' options are statements over the page's ids as D1 lists them from the page query itself
 * (`jsonListOf`, with the page query's own conditions, order and limit): in one batch (one transaction)
 * that finds exactly the rows the page query finds.
 */
export function postPageReads(db: Db, viewer: CurrentUser, page: PostPageQuery) {
	const ids = jsonListOf(
		db
			.select({ id: posts.id })
			.from(posts)
			.where(page.where)
			.orderBy(...page.orderBy)
			.limit(page.presented),
	);
	return [
		db
			.select({
				post: posts,
				// In a D1 batch a row comes back keyed by column name: columns another table shares are aliased.
				author: {
					id: sql<string>`${pageAuthor.id}`.as("page_author_id"),
					// The first plain column (a name is never null) makes a missing author `null`.
					displayName: pageAuthor.displayName,
					avatarUrl: pageAuthor.avatarUrl,
					trustLevel: pageAuthor.trustLevel,
				},
				habitName: sql<string | null>`${pageHabit.name}`.as("page_habit_name"),
				myReaction:
					sql<ReactionType | null>`(SELECT ${reactions.reactionType} FROM ${reactions} WHERE ${reactions.userId} = ${viewer.id} AND ${reactions.targetType} = 'post' AND ${reactions.targetId} = ${posts.id})`.as(
						"page_my_reaction",
					),
			})
			.from(posts)
			.leftJoin(pageAuthor, eq(pageAuthor.id, posts.authorId))
			.leftJoin(pageHabit, eq(pageHabit.id, posts.milestoneHabitId))
			.where(page.where)
			.orderBy(...page.orderBy)
			.limit(page.limit),
		reactionCountsIn(db, "post", ids),
		pollOptionsIn(db, viewer.id, ids),
		postMediaIn(db, ids),
	] as const;
}

/** The page's post rows and their presentation, from what `postPageReads` read. */
export function splitPostPage([rows, counts, options, mediaRows]: readonly [
	rows: Array<{
		post: PostRow;
		author: AuthorRow | null;
		habitName: string | null;
		myReaction: ReactionType | null;
	}>,
	counts: Awaited<ReturnType<typeof reactionCountsIn>>,
	options: Awaited<ReturnType<typeof pollOptionsIn>>,
	mediaRows: Awaited<ReturnType<typeof postMediaIn>>,
]): { rows: PostRow[]; presentation: PostPresentation } {
	const presentation: PostPresentation = [
		rows.flatMap((row) => (row.author ? [row.author] : [])),
		counts,
		rows.flatMap(({ post, myReaction }) =>
			myReaction ? [{ targetId: post.id, reactionType: myReaction }] : [],
		),
		options,
		rows.flatMap(({ post, habitName }) =>
			post.milestoneHabitId && habitName !== null ? [{ id: post.milestoneHabitId, name: habitName }] : [],
		),
		mediaRows,
	];
	return { rows: rows.map((row) => row.post), presentation };
}

/** What presents a list of posts, whichever way it was read. */
export type PostPresentation = readonly [
	Awaited<ReturnType<typeof authorsIn>>,
	Awaited<ReturnType<typeof reactionCountsIn>>,
	Awaited<ReturnType<typeof reactionsByIn>>,
	Awaited<ReturnType<typeof pollOptionsIn>>,
	Awaited<ReturnType<typeof habitNamesIn>>,
	Awaited<ReturnType<typeof postMediaIn>>,
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
	[authors, counts, mine, options, habitRows, mediaRows]: PostPresentation,
	now: Date,
): PostView[] {
	const authorById = new Map(authors.map((author) => [author.id, toAuthor(author)]));
	const countsByPost = groupReactionCounts(counts);
	const myReaction = new Map(mine.map((row) => [row.targetId, row.reactionType]));
	const habitName = new Map(habitRows.map((row) => [row.id, row.name]));
	const mediaById = new Map(mediaRows.map((row) => [row.id, row]));
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
			media: row.mediaUrls.flatMap((url) => {
				const item = mediaById.get(url.slice(url.lastIndexOf("/") + 1));
				return item && item.postId === row.id && mediaPath(item.id) === url
					? [
							{
								id: item.id,
								url,
								content_type: item.contentType,
								width: item.width,
								height: item.height,
								duration_s: item.durationS,
								alt: item.alt,
							},
						]
					: [];
			}),
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
