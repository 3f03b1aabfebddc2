/**
 * @module flourish/posts: creating, reading, editing and deleting posts, and the feed.
 *
 * Every write runs the shared moderation step (`screenText`) and puts its Guardian queue item in the same
 * batch as the content; creations count against the author's daily quota; media and links are capped by
 * trust level. Reads go through `postsVisibleTo` / `postReadableBy`, so no path can skip a visibility rule.
 */
import { and, desc, eq, isNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type CurrentUser, isGuardian, isGuardianInSql } from "../../core/accounts/current-user";
import { callerRow } from "../../core/accounts/remembered-callers";
import { enforceLinkLimit, enforceMediaLimit, isPendingReview } from "../../core/content-rules";
import { auditStatement } from "../../core/moderation/audit";
import { removalNotice } from "../../core/moderation/notices";
import { queueItemForContent } from "../../core/moderation/queue";
import { type Screening, screenText } from "../../core/moderation/screen";
import { withDailyQuota } from "../../core/quotas";
import { isBatchGuardFailure } from "../../db/batch-guard";
import type { Db } from "../../db/client";
import { afterCursor } from "../../db/keyset";
import { batchThenRead } from "../../db/prepared";
import { fellowshipGroups, groupMembers } from "../../db/tables/fellowship";
import { type PostRow, pollOptions, postContent, posts } from "../../db/tables/flourish";
import { habits } from "../../db/tables/garden";
import type { RequestContext } from "../../http/context";
import { newId } from "../../lib/ids";
import { forbidden, notFound, Problem, unprocessable } from "../../lib/problem";
import { rankByRelevance } from "../../ml/ranking";
import { getHabit } from "../garden";
import { attachFailure, attachStatements, deleteAttachedStatement, detachStatement } from "../media";
import { mediaPrefixOf, mediaUrlsOf, POST_MEDIA_KIND } from "./post-media";
import {
	assemblePosts,
	hotScore,
	type PostPresentation,
	type PostView,
	postPageReads,
	postPresentationReads,
	presentPosts,
	splitPostPage,
} from "./present";
import { NEW_SPROUT_EDIT_WINDOW_MS, POLL_MAX_OPEN_MS, POLL_MIN_OPEN_MS, postShapeIssues } from "./schemas";
import { postReadableBy, postsVisibleTo } from "./visibility";

/** What this feature's logic needs of the request context (http/context). */
export type Ctx = Pick<RequestContext, "db" | "env" | "user">;

type Statement = BatchItem<"sqlite">;

export interface PostInput {
	type: PostRow["type"];
	body: string;
	visibility: PostRow["visibility"];
	group_id?: string | undefined;
	media_ids: string[];
	is_spiritual: boolean;
	poll?: { options: string[]; multiple_choice: boolean; closes_at: string } | undefined;
	habit_id?: string | undefined;
}

export interface PostUpdate {
	body?: string | undefined;
	visibility?: PostRow["visibility"] | undefined;
	group_id?: string | null | undefined;
	media_ids?: string[] | undefined;
	is_spiritual?: boolean | undefined;
}

/** What moderation reads: the body, plus a poll's options. */
const moderatedText = (body: string, pollLabels: string[] = []) => [body, ...pollLabels].join("\n");

async function requireGroupMembership(db: Db, user: CurrentUser, groupId: string): Promise<void> {
	const member = await db
		.select({ id: groupMembers.id })
		.from(groupMembers)
		.innerJoin(fellowshipGroups, eq(fellowshipGroups.id, groupMembers.groupId))
		.where(
			and(
				eq(groupMembers.groupId, groupId),
				eq(groupMembers.userId, user.id),
				eq(groupMembers.status, "active"),
				isNull(fellowshipGroups.deletedAt),
			),
		)
		.get();
	// A group the author does not belong to is a validation error, never a hint that a secret group exists.
	if (!member) {
		throw unprocessable("You can only post to a group you are an active member of.", [
			{ field: "body/group_id", message: "not a group I belong to" },
		]);
	}
}

function pollClosesAt(closesAt: string, now: Date): string {
	const at = new Date(closesAt);
	const openFor = at.getTime() - now.getTime();
	if (openFor < POLL_MIN_OPEN_MS || openFor > POLL_MAX_OPEN_MS) {
		throw unprocessable("A poll closes between 5 minutes and 30 days from now.", [
			{ field: "body/poll/closes_at", message: "must be 5 minutes to 30 days from now" },
		]);
	}
	return at.toISOString();
}

async function milestoneStreak(db: Db, user: CurrentUser, habitId: string, now: Date): Promise<number> {
	try {
		return (await getHabit(db, user, habitId, now)).stats.currentStreak;
	} catch (error) {
		if (error instanceof Problem && error.status === 404) {
			throw unprocessable("A milestone links one of my own active habits.", [
				{ field: "body/habit_id", message: "not one of my habits" },
			]);
		}
		throw error;
	}
}

/** The queue item of a post's screening, with the poll's options (screened with the body) as evidence. */
function moderationStatements(
	db: Db,
	post: Pick<
		PostRow,
		"id" | "authorId" | "type" | "body" | "mediaUrls" | "visibility" | "groupId" | "isSpiritual" | "createdAt"
	>,
	options: readonly string[],
	screening: Screening,
): Statement[] {
	const queued = queueItemForContent(
		db,
		postContent,
		post,
		screening,
		options.length > 0 ? { poll_options: options } : {},
	);
	return queued ? [queued] : [];
}

export interface WrittenPost {
	post: PostView;
	/** Null when an edit left the text unchanged (nothing was screened). */
	screening: Screening | null;
}

export async function createPost(ctx: Ctx, input: PostInput, now = new Date()): Promise<WrittenPost> {
	const { db } = ctx;
	// The media and link limits grow with trust: the caller's row before anything.
	const user = await callerRow(ctx.user);
	enforceMediaLimit(user, input.media_ids.length, "body/media_ids");
	enforceLinkLimit(user, input.body);
	if (input.visibility === "group" && input.group_id) await requireGroupMembership(db, user, input.group_id);
	const closesAt = input.poll ? pollClosesAt(input.poll.closes_at, now) : null;
	const streak = input.habit_id ? await milestoneStreak(db, user, input.habit_id, now) : null;

	const options = input.poll?.options ?? [];
	const id = newId(now.getTime());
	const mediaUrls = mediaUrlsOf(input.media_ids);
	const attachment = {
		kind: POST_MEDIA_KIND,
		id,
		ownerId: user.id,
		mediaIds: input.media_ids,
		typePrefix: mediaPrefixOf(input.type),
	};
	// The post and its daily allowance are one batch: nothing written, nothing spent.
	const { screening, created, presentation } = await attaching(db, attachment, () =>
		withDailyQuota(db, user, "posts", now, async (spend) => {
			const screening = await screenText(ctx.env, moderatedText(input.body, options));
			const createdAt = now.toISOString();
			// The post, its quota and what presents it in one batch: the author may always read their new post.
			const toPresent = { id, authorId: user.id, type: input.type, milestoneHabitId: input.habit_id ?? null };
			const [[, inserted], presentation] = await batchThenRead(
				db,
				[
					spend,
					db
						.insert(posts)
						.values({
							id,
							authorId: user.id,
							type: input.type,
							body: input.body,
							visibility: input.visibility,
							groupId: input.visibility === "group" ? (input.group_id ?? null) : null,
							mediaUrls,
							milestoneHabitId: input.habit_id ?? null,
							milestoneStreak: streak,
							pollMultipleChoice: input.poll?.multiple_choice ?? false,
							pollClosesAt: closesAt,
							isSpiritual: input.is_spiritual,
							moderationStatus: screening.status,
							toxicityScore: screening.toxicity,
							isUrgent: screening.urgent,
							hotScore: hotScore(0, createdAt),
							createdAt,
							updatedAt: createdAt,
						})
						.returning(),
					...options.map((label, position) => db.insert(pollOptions).values({ postId: id, position, label })),
					// Attached once, by their uploader, or the whole batch (post, quota, queue item) rolls back.
					...(input.media_ids.length > 0 ? attachStatements(db, attachment) : []),
					...moderationStatements(
						db,
						{
							id,
							authorId: user.id,
							type: input.type,
							body: input.body,
							mediaUrls,
							visibility: input.visibility,
							groupId: input.visibility === "group" ? (input.group_id ?? null) : null,
							isSpiritual: input.is_spiritual,
							createdAt,
						},
						options,
						screening,
					),
				],
				postPresentationReads(db, user, [toPresent]),
			);
			return { screening, created: inserted[0], presentation };
		}),
	);
	if (!created) throw new Error("post insert returned no row");
	const [post] = assemblePosts(user, [created], presentation, now);
	if (!post) throw notFound("post");
	return { post, screening };
}

/** Runs a batch that attaches uploads; a failed attach guard becomes the problem that says which id and why. */
async function attaching<T>(
	db: Db,
	a: { ownerId: string; mediaIds: readonly string[]; typePrefix: string; kind: string; id: string },
	write: () => Promise<T>,
): Promise<T> {
	try {
		return await write();
	} catch (error) {
		if (a.mediaIds.length === 0 || !isBatchGuardFailure(error)) throw error;
		throw await attachFailure(db, a.ownerId, a.mediaIds, a.typePrefix, "body/media_ids", {
			kind: a.kind,
			id: a.id,
		});
	}
}

/** The post row if the viewer may open it; 404 otherwise (they may not know it exists). */
export async function findReadablePost(db: Db, viewer: CurrentUser, postId: string): Promise<PostRow> {
	const row = await db
		.select()
		.from(posts)
		.where(and(eq(posts.id, postId), postReadableBy(db, viewer)))
		.get();
	if (!row) throw notFound("post");
	return row;
}

export async function getPost(ctx: Ctx, postId: string, now = new Date()): Promise<PostView> {
	const row = await findReadablePost(ctx.db, ctx.user, postId);
	const [view] = await presentPosts(ctx.db, ctx.user, [row], now);
	if (!view) throw notFound("post");
	return view;
}

/** The post if it is live and mine; 403 if I can see it but it is someone else's; 404 otherwise. */
async function findOwnPost(db: Db, user: CurrentUser, postId: string, action: string): Promise<PostRow> {
	const row = await findReadablePost(db, user, postId);
	if (row.authorId !== user.id) throw forbidden(`Only the author may ${action} this post.`);
	return row;
}

export async function updatePost(
	ctx: Ctx,
	postId: string,
	changes: PostUpdate,
	now = new Date(),
): Promise<WrittenPost> {
	const { db, user } = ctx;
	const row = await findOwnPost(db, user, postId, "edit");
	if (
		user.trustLevel === "new_sprout" &&
		!isGuardian(user) &&
		now.getTime() - Date.parse(row.createdAt) > NEW_SPROUT_EDIT_WINDOW_MS
	) {
		throw forbidden("At trust level new_sprout a post can be edited only within 24 hours of posting.");
	}
	const visibility = changes.visibility ?? row.visibility;
	// Leaving `group` drops the group; staying keeps it unless replaced.
	const groupId =
		visibility === "group"
			? changes.group_id !== undefined
				? changes.group_id
				: row.groupId
			: (changes.group_id ?? null);
	const merged = {
		type: row.type,
		body: changes.body ?? row.body,
		media_ids: changes.media_ids ?? row.mediaUrls,
		visibility,
		group_id: groupId,
		poll: row.type === "poll" ? true : undefined,
		habit_id: undefined,
	};
	const issues = postShapeIssues(merged);
	if (issues.length > 0) {
		throw unprocessable(
			"The edited post is not valid.",
			issues.map((issue) => ({ field: `body/${issue.path.join("/")}`, message: issue.message })),
		);
	}
	if (changes.media_ids) enforceMediaLimit(user, changes.media_ids.length, "body/media_ids");
	const mediaUrls = changes.media_ids ? mediaUrlsOf(changes.media_ids) : row.mediaUrls;
	if (changes.body !== undefined) enforceLinkLimit(user, changes.body);
	if (visibility === "group" && groupId && groupId !== row.groupId)
		await requireGroupMembership(db, user, groupId);

	const statements: Statement[] = [];
	let screening: Screening | null = null;
	const set: Partial<typeof posts.$inferInsert> = {
		body: merged.body,
		visibility,
		groupId: visibility === "group" ? groupId : null,
		mediaUrls,
		isSpiritual: changes.is_spiritual ?? row.isSpiritual,
		editedAt: now.toISOString(),
		updatedAt: now.toISOString(),
	};
	if (changes.body !== undefined && changes.body !== row.body) {
		const options =
			row.type === "poll"
				? (
						await db
							.select({ label: pollOptions.label })
							.from(pollOptions)
							.where(eq(pollOptions.postId, row.id))
							.orderBy(pollOptions.position)
					).map((option) => option.label)
				: [];
		screening = await screenText(ctx.env, moderatedText(merged.body, options));
		// Hidden or removed content stays so until a guardian decides; otherwise the new text's verdict counts.
		if (!isPendingReview(row.moderationStatus)) set.moderationStatus = screening.status;
		set.toxicityScore = screening.toxicity;
		if (screening.urgent) set.isUrgent = true;
		statements.push(
			...moderationStatements(db, { ...row, body: merged.body, mediaUrls }, options, screening),
		);
	}
	// A new list replaces the old: uploads no longer named are detached (the cron deletes them after their
	// 24 hours), new ones attached, in the edit's batch.
	const attachment = {
		kind: POST_MEDIA_KIND,
		id: row.id,
		ownerId: user.id,
		mediaIds: changes.media_ids ?? [],
		typePrefix: mediaPrefixOf(row.type),
	};
	if (changes.media_ids) {
		statements.push(detachStatement(db, POST_MEDIA_KIND, row.id, changes.media_ids));
		if (changes.media_ids.length > 0) statements.push(...attachStatements(db, attachment));
	}
	// The edit, the edited post read back and what presents it: one batch.
	const [[, [edited]], presentation] = await attaching(db, attachment, () =>
		batchThenRead(
			db,
			[
				db
					.update(posts)
					.set(set)
					.where(and(eq(posts.id, row.id), isNull(posts.deletedAt))),
				db
					.select()
					.from(posts)
					.where(and(eq(posts.id, row.id), isNull(posts.deletedAt))),
				...statements,
			],
			postPresentationReads(db, user, [row]),
		),
	);
	// Deleted a moment ago, between the check and the edit.
	if (!edited) throw notFound("post");
	const [post] = assemblePosts(user, [edited], presentation, now);
	if (!post) throw notFound("post");
	return { post, screening };
}

export async function deletePost(ctx: Ctx, postId: string, reason: string | undefined): Promise<void> {
	const { db, user } = ctx;
	// Guardians may delete any live post (even one they could not open, e.g. from the queue).
	const row = await db
		.select()
		.from(posts)
		.where(
			and(
				eq(posts.id, postId),
				isNull(posts.deletedAt),
				or(isGuardianInSql(user.id), postReadableBy(db, user)),
			),
		)
		.get();
	if (!row) throw notFound("post");
	const mine = row.authorId === user.id;
	if (!mine && !isGuardian(user)) throw forbidden("Only the author or a guardian may delete this post.");
	const now = new Date().toISOString();
	const [, deletedMedia] = await db.batch([
		db
			.update(posts)
			.set({ deletedAt: now, updatedAt: now })
			.where(and(eq(posts.id, row.id), isNull(posts.deletedAt))),
		// Its photos and videos go with it: marked deleted here, their bytes deleted from R2 below.
		deleteAttachedStatement(db, POST_MEDIA_KIND, row.id),
		// A guardian's deletion tells the author (only if this deletion is the one that applied).
		...(mine ? [] : removalNotice(db, "post", row.id, row.authorId, user.id, now)),
		...(mine
			? []
			: [
					auditStatement(db, {
						actorId: user.id,
						action: "delete_content",
						targetType: "post",
						targetId: row.id,
						targetUserId: row.authorId,
						...(reason ? { reason } : {}),
						details: { type: row.type, body: row.body },
					}),
				]),
	]);
	// A failed R2 delete leaves the key in the `deleted` row, for the cron's sweep.
	if (deletedMedia.length > 0) await ctx.env.MEDIA.delete(deletedMedia.map((item) => item.objectKey));
}

// ---------------------------------------------------------------------------------------------------
// The feed

export interface FeedFilters {
	type?: PostRow["type"] | undefined;
	author_id?: string | undefined;
	group_id?: string | undefined;
}

export type RecentCursor = { id: string };
export type TopCursor = { hot: number; id: string };
export type ForYouCursor = { anchor: string; offset: number };

/** How many of the newest visible posts `for_you` and `/similar` rank (bounded work per request). */
export const RANKING_CANDIDATES = 200;

function feedConditions(ctx: Ctx, filters: FeedFilters): SQL[] {
	const { db, user } = ctx;
	const conditions: SQL[] = [postsVisibleTo(db, user)];
	if (filters.type) conditions.push(eq(posts.type, filters.type));
	if (filters.author_id) conditions.push(eq(posts.authorId, filters.author_id));
	if (filters.group_id) conditions.push(eq(posts.groupId, filters.group_id));
	return conditions;
}

/** A page of posts with what presents it (flourish/present). */
export interface PresentedPosts {
	rows: PostRow[];
	presentation: PostPresentation;
}

/**
 * `size` + 1 posts (the one more tells whether a page follows) and the presentation of the first `size`, in
 * one batch: the presentation statements select the page themselves, so the page costs one round trip.
 */
async function presentedPage(ctx: Ctx, where: SQL | undefined, orderBy: SQL[], size: number) {
	const { db, user } = ctx;
	const read = await db.batch(postPageReads(db, user, { where, orderBy, limit: size + 1, presented: size }));
	return splitPostPage(read) satisfies PresentedPosts;
}

/** Newest first by id (UUIDv7: time-ordered and unique), so new posts only ever appear before page one. */
export function recentFeed(ctx: Ctx, filters: FeedFilters, limit: number, after?: RecentCursor) {
	const conditions = feedConditions(ctx, filters);
	if (after) conditions.push(lt(posts.id, after.id));
	return presentedPage(ctx, and(...conditions), [desc(posts.id)], limit);
}

/** Highest hot score first; the (hot_score, id) pair is unique, so the cursor is exact. */
export function topFeed(ctx: Ctx, filters: FeedFilters, limit: number, after?: TopCursor) {
	const conditions = feedConditions(ctx, filters);
	if (after) {
		conditions.push(afterCursor("desc", [posts.hotScore, after.hot], [posts.id, after.id]));
	}
	return presentedPage(ctx, and(...conditions), [desc(posts.hotScore), desc(posts.id)], limit);
}

/** What `for_you` ranks against: my interests, my bio and the names of my active habits. */
function interestText(user: CurrentUser, habitNames: string[]): string {
	return [...user.interests, user.bio, ...habitNames].filter((part) => part.trim().length > 0).join("\n");
}

/** Candidate order for ranking: ML relevance, or (ML down / nothing to rank by) recency. */
async function rankCandidates(ctx: Ctx, query: string, candidates: PostRow[]): Promise<PostRow[]> {
	if (query.trim().length === 0 || candidates.length === 0) return candidates;
	const ranked = await rankByRelevance(
		ctx.env,
		query,
		candidates.map((row) => ({ targetType: "post", id: row.id, text: row.body })),
	);
	if (!ranked) return candidates;
	const byId = new Map(candidates.map((row) => [row.id, row]));
	return ranked.map((item) => byId.get(item.id)).filter((row): row is PostRow => row !== undefined);
}

/**
 * `for_you`: the newest RANKING_CANDIDATES visible posts at or before an anchor (the newest candidate when
 * the first page was served), ranked by similarity to my interests. The cursor keeps the anchor, so later
 * pages rank the same candidate set and simply continue at an offset: no duplicates, no gaps.
 *
 * The page is only known once the candidates are ranked, so the candidates' presentation is read with them
 * (one round trip, not two): bounded by RANKING_CANDIDATES, and only the page's share of it is used.
 */
export async function forYouFeed(ctx: Ctx, filters: FeedFilters, limit: number, after?: ForYouCursor) {
	const { db, user } = ctx;
	const conditions = feedConditions(ctx, filters);
	if (after) conditions.push(lte(posts.id, after.anchor));
	const [habitRows, ...read] = await db.batch([
		db
			.select({ name: habits.name })
			.from(habits)
			.where(and(eq(habits.userId, user.id), isNull(habits.deletedAt)))
			.orderBy(habits.id)
			.limit(100),
		...postPageReads(db, user, {
			where: and(...conditions),
			orderBy: [desc(posts.id)],
			limit: RANKING_CANDIDATES,
			presented: RANKING_CANDIDATES,
		}),
	]);
	const { rows: candidates, presentation } = splitPostPage(read);
	const anchor = after?.anchor ?? candidates[0]?.id;
	const ranked = await rankCandidates(
		ctx,
		interestText(
			user,
			habitRows.map((row) => row.name),
		),
		candidates,
	);
	const offset = after?.offset ?? 0;
	const rows = ranked.slice(offset, offset + limit);
	const next = offset + limit < ranked.length && anchor ? { anchor, offset: offset + limit } : null;
	return { rows, next, presentation } satisfies PresentedPosts & { next: unknown };
}

/** Up to 5 visible posts most similar to this one (recency when the ML service is down). */
export async function similarPosts(ctx: Ctx, postId: string, now = new Date()): Promise<PostView[]> {
	const { db, user } = ctx;
	// The post and the candidates in one round trip (the candidates do not depend on the post's row).
	const [readable, candidates] = await db.batch([
		db
			.select()
			.from(posts)
			.where(and(eq(posts.id, postId), postReadableBy(db, user)))
			.limit(1),
		db
			.select()
			.from(posts)
			.where(and(postsVisibleTo(db, user), sql`${posts.id} <> ${postId}`))
			.orderBy(desc(posts.id))
			.limit(RANKING_CANDIDATES),
	]);
	const post = readable[0];
	if (!post) throw notFound("post");
	const ranked = await rankCandidates(ctx, post.body, candidates);
	return presentPosts(db, user, ranked.slice(0, 5), now);
}
