/**
 * @module sunlight/service: Share the Sunlight — short gratitude, win and kindness shares, optionally
 * anonymous, with positive-only reactions (each type once per person; adding and removing are idempotent).
 *
 * Anonymity: the author is stored (quotas, moderation, export) but no answer to anyone else carries it —
 * not the list, not the detail, not the reactions. Blocks hide named shares between the two people; they
 * do not apply to anonymous shares, because a share missing for exactly the people its author blocks (or
 * who block its author) would reveal who wrote it.
 *
 * Nor does its time give it away: an anonymous share gets a random (v4) id and every time it stores is
 * rounded down to the hour (`lib/coarse-time`), so a new account's first anonymous share cannot be lined
 * up with the account. A share can stop being anonymous, never start: one already shown with its author's
 * name (and its time-ordered id) cannot be made anonymous afterwards.
 */

import type { z } from "@hono/zod-openapi";
import { and, count, desc, eq, isNull, or, type SQL, sql } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import { type CurrentUser, isGuardian, isGuardianInSql } from "../../core/accounts/current-user";
import { callerRow } from "../../core/accounts/remembered-callers";
import { authorColumns, GONE_AUTHOR, toAuthor } from "../../core/authors";
import { notBlockedWith } from "../../core/blocks";
import { enforceLinkLimit, inJsonList, isPendingReview, publiclyVisible } from "../../core/content-rules";
import { auditStatement } from "../../core/moderation/audit";
import { removalNotice } from "../../core/moderation/notices";
import { queueItemForContent } from "../../core/moderation/queue";
import { type Screening, screenText } from "../../core/moderation/screen";
import { withDailyQuota } from "../../core/quotas";
import { spiritualFilter } from "../../core/spiritual";
import type { Db } from "../../db/client";
import { afterCursor } from "../../db/keyset";
import {
	SUNLIGHT_REACTION_TYPES,
	type SunlightShareRow,
	sunlightReactions,
	sunlightShareContent,
	sunlightShares,
} from "../../db/tables/sunlight";
import { users } from "../../db/tables/users";
import type { RequestContext } from "../../http/context";
import { anonymousTime } from "../../lib/coarse-time";
import { newId, newRandomId } from "../../lib/ids";
import { conflict, forbidden, notFound } from "../../lib/problem";

import type { ShareSchema } from "./schemas";

export type ShareView = z.infer<typeof ShareSchema>;
export type SunlightReactionType = (typeof SUNLIGHT_REACTION_TYPES)[number];
type Statement = BatchItem<"sqlite">;

/** What this feature's logic needs of the request context (http/context). */
export type Ctx = Pick<RequestContext, "db" | "env" | "user">;

/** Shares the viewer may see: live, theirs, or (publicly visible, spiritual only if opted in, not blocked). */
export function sharesVisibleTo(db: Db, viewer: CurrentUser): SQL {
	const others = and(
		or(eq(sunlightShares.isAnonymous, true), notBlockedWith(db, viewer.id, sunlightShares.authorId)),
		spiritualFilter(viewer, sunlightShares.isSpiritual),
		or(isGuardianInSql(viewer.id), publiclyVisible(sunlightShares.moderationStatus)),
	);
	return and(isNull(sunlightShares.deletedAt), or(eq(sunlightShares.authorId, viewer.id), others)) as SQL;
}

function emptyCounts(): Record<SunlightReactionType, number> {
	return Object.fromEntries(SUNLIGHT_REACTION_TYPES.map((type) => [type, 0])) as Record<
		SunlightReactionType,
		number
	>;
}

/**
 * The reads that present shares with these ids for `viewer`, named authors only (never an anonymous one):
 * `named` lists them, or is a JSON list D1 makes of them (`jsonListOf`).
 */
export function presentationQueries(
	db: Db,
	viewer: CurrentUser,
	ids: readonly string[],
	named: readonly string[] | SQL,
) {
	return [
		db.select(authorColumns).from(users).where(inJsonList(users.id, named)),
		db
			.select({
				shareId: sunlightReactions.shareId,
				reactionType: sunlightReactions.reactionType,
				n: count(),
			})
			.from(sunlightReactions)
			.where(inJsonList(sunlightReactions.shareId, ids))
			.groupBy(sunlightReactions.shareId, sunlightReactions.reactionType),
		db
			.select({ shareId: sunlightReactions.shareId, reactionType: sunlightReactions.reactionType })
			.from(sunlightReactions)
			.where(and(eq(sunlightReactions.userId, viewer.id), inJsonList(sunlightReactions.shareId, ids)))
			.orderBy(sunlightReactions.reactionType),
	] as const;
}

export type Presentation = BatchResponse<ReturnType<typeof presentationQueries>>;

/** The wire form of shares in one D1 round trip; anonymous authors are never looked up for others. */
async function present(db: Db, viewer: CurrentUser, rows: SunlightShareRow[]): Promise<ShareView[]> {
	if (rows.length === 0) return [];
	const named = [
		...new Set(
			rows.filter((row) => !row.isAnonymous || row.authorId === viewer.id).map((row) => row.authorId),
		),
	];
	const read = await db.batch(
		presentationQueries(
			db,
			viewer,
			rows.map((row) => row.id),
			named,
		),
	);
	return assemble(viewer, rows, read);
}

/** One's own share, just written, presented from the reads of its write's batch. */
function presentMine(viewer: CurrentUser, row: SunlightShareRow | undefined, read: Presentation): ShareView {
	// Deleted a moment ago, between the check and the write.
	if (!row) throw notFound("share");
	const [view] = assemble(viewer, [row], read);
	if (!view) throw notFound("share");
	return view;
}

export function assemble(
	viewer: CurrentUser,
	rows: SunlightShareRow[],
	[authors, counts, mine]: Presentation,
): ShareView[] {
	const authorById = new Map(authors.map((author) => [author.id, toAuthor(author)]));
	const countsByShare = new Map<string, Record<SunlightReactionType, number>>();
	for (const row of counts) {
		const perType = countsByShare.get(row.shareId) ?? emptyCounts();
		perType[row.reactionType] = row.n;
		countsByShare.set(row.shareId, perType);
	}
	return rows.map((row) => {
		const isMine = row.authorId === viewer.id;
		const showAuthor = isMine || !row.isAnonymous;
		return {
			id: row.id,
			share_type: row.shareType,
			body: row.body,
			anonymous: row.isAnonymous,
			is_spiritual: row.isSpiritual,
			author: showAuthor ? (authorById.get(row.authorId) ?? GONE_AUTHOR(row.authorId)) : null,
			is_mine: isMine,
			pending_review: isPendingReview(row.moderationStatus),
			reaction_count: row.reactionCount,
			reactions: countsByShare.get(row.id) ?? emptyCounts(),
			my_reactions: mine
				.filter((reaction) => reaction.shareId === row.id)
				.map((reaction) => reaction.reactionType),
			created_at: row.createdAt,
			edited_at: row.editedAt,
		};
	});
}

async function findVisibleShare(db: Db, viewer: CurrentUser, shareId: string): Promise<SunlightShareRow> {
	const row = await db
		.select()
		.from(sunlightShares)
		.where(and(eq(sunlightShares.id, shareId), sharesVisibleTo(db, viewer)))
		.get();
	if (!row) throw notFound("share");
	return row;
}

export async function getShare(ctx: Ctx, shareId: string): Promise<ShareView> {
	const [view] = await present(ctx.db, ctx.user, [await findVisibleShare(ctx.db, ctx.user, shareId)]);
	if (!view) throw notFound("share");
	return view;
}

/** The list's sort key: newest first (an anonymous share's hour, a named one's exact time), then the id. */
export type ShareCursor = { created_at: string; id: string };

/** When an act on a share happened, as that share may store it: its hour when anonymous. */
const timeFor = (anonymous: boolean, now: Date) => (anonymous ? anonymousTime(now) : now.toISOString());

/** The list query: shares the viewer may see, newest first, `limit + 1` rows (the extra one says "more"). */
export function shareListQuery(
	db: Db,
	viewer: CurrentUser,
	filters: { share_type?: SunlightShareRow["shareType"] | undefined },
	limit: number,
	after?: ShareCursor,
) {
	return db
		.select()
		.from(sunlightShares)
		.where(
			and(
				sharesVisibleTo(db, viewer),
				filters.share_type ? eq(sunlightShares.shareType, filters.share_type) : undefined,
				after
					? afterCursor("desc", [sunlightShares.createdAt, after.created_at], [sunlightShares.id, after.id])
					: undefined,
			),
		)
		.orderBy(desc(sunlightShares.createdAt), desc(sunlightShares.id))
		.limit(limit + 1);
}

export async function listShares(
	ctx: Ctx,
	filters: { share_type?: SunlightShareRow["shareType"] | undefined },
	limit: number,
	after?: ShareCursor,
) {
	const { db, user } = ctx;
	const rows = await shareListQuery(db, user, filters, limit, after);
	const page = rows.slice(0, limit);
	const last = page.at(-1);
	return {
		data: await present(db, user, page),
		next: rows.length > limit && last ? { created_at: last.createdAt, id: last.id } : null,
	};
}

/** The queue item of a share's screening, from its declaration (db/tables/sunlight: sunlightShareContent). */
function moderation(
	db: Db,
	share: Pick<
		SunlightShareRow,
		"id" | "authorId" | "shareType" | "body" | "isAnonymous" | "isSpiritual" | "createdAt"
	>,
	screening: Screening,
): Statement[] {
	const queued = queueItemForContent(db, sunlightShareContent, share, screening);
	return queued ? [queued] : [];
}

export interface ShareInput {
	share_type: SunlightShareRow["shareType"];
	body: string;
	anonymous: boolean;
	is_spiritual: boolean;
}

export async function createShare(ctx: Ctx, input: ShareInput, now = new Date()) {
	const { db } = ctx;
	// The link limit grows with trust: the caller's row before anything (the quota's write waits for it anyway).
	const user = await callerRow(ctx.user);
	enforceLinkLimit(user, input.body);
	const id = input.anonymous ? newRandomId() : newId(now.getTime());
	// Shares count against the same daily allowance as posts.
	const { screening, share } = await withDailyQuota(db, user, "posts", now, async (spend) => {
		const screening = await screenText(ctx.env, input.body);
		const at = timeFor(input.anonymous, now);
		const values = {
			id,
			authorId: user.id,
			shareType: input.share_type,
			body: input.body,
			isAnonymous: input.anonymous,
			isSpiritual: input.is_spiritual,
			moderationStatus: screening.status,
			toxicityScore: screening.toxicity,
			createdAt: at,
			updatedAt: at,
		};
		// The share, its quota and what presents it: one batch (the author may always read their own share).
		const [, [inserted], authors, counts, mine] = await db.batch([
			spend,
			db.insert(sunlightShares).values(values).returning(),
			...presentationQueries(db, user, [id], [user.id]),
			...moderation(db, values, screening),
		]);
		return { screening, share: presentMine(user, inserted, [authors, counts, mine]) };
	});
	return { share, screening };
}

async function findOwnShare(db: Db, user: CurrentUser, shareId: string, action: string) {
	const row = await findVisibleShare(db, user, shareId);
	if (row.authorId !== user.id) throw forbidden(`Only the author may ${action} this share.`);
	return row;
}

export async function updateShare(ctx: Ctx, shareId: string, changes: Partial<ShareInput>, now = new Date()) {
	const { db, user } = ctx;
	const row = await findOwnShare(db, user, shareId, "edit");
	if (changes.anonymous === true && !row.isAnonymous) {
		throw conflict(
			"This share was already shown with your name, so making it anonymous now would not hide who wrote it. Delete it and share again anonymously.",
		);
	}
	if (changes.body !== undefined) enforceLinkLimit(user, changes.body);
	const at = timeFor(changes.anonymous ?? row.isAnonymous, now);
	const set: Partial<typeof sunlightShares.$inferInsert> = {
		shareType: changes.share_type,
		body: changes.body,
		isAnonymous: changes.anonymous,
		isSpiritual: changes.is_spiritual,
		editedAt: at,
		updatedAt: at,
	};
	let screening: Screening | null = null;
	const statements: Statement[] = [];
	if (changes.body !== undefined && changes.body !== row.body) {
		screening = await screenText(ctx.env, changes.body);
		if (!isPendingReview(row.moderationStatus)) set.moderationStatus = screening.status;
		set.toxicityScore = screening.toxicity;
		statements.push(
			...moderation(
				db,
				{
					...row,
					shareType: changes.share_type ?? row.shareType,
					body: changes.body,
					isAnonymous: changes.anonymous ?? row.isAnonymous,
					isSpiritual: changes.is_spiritual ?? row.isSpiritual,
				},
				screening,
			),
		);
	}
	// The edit, the share read back and what presents it: one batch.
	const [, [edited], authors, counts, mine] = await db.batch([
		db
			.update(sunlightShares)
			.set(set)
			.where(and(eq(sunlightShares.id, row.id), isNull(sunlightShares.deletedAt))),
		db
			.select()
			.from(sunlightShares)
			.where(and(eq(sunlightShares.id, row.id), isNull(sunlightShares.deletedAt))),
		...presentationQueries(db, user, [row.id], [user.id]),
		...statements,
	]);
	return { share: presentMine(user, edited, [authors, counts, mine]), screening };
}

export async function deleteShare(ctx: Ctx, shareId: string, reason: string | undefined): Promise<void> {
	const { db, user } = ctx;
	// Guardians may delete any live share (spiritual ones included, opted in or not).
	const row = await db
		.select()
		.from(sunlightShares)
		.where(
			and(
				eq(sunlightShares.id, shareId),
				isNull(sunlightShares.deletedAt),
				or(isGuardianInSql(user.id), sharesVisibleTo(db, user)),
			),
		)
		.get();
	if (!row) throw notFound("share");
	const mine = row.authorId === user.id;
	if (!mine && !isGuardian(user)) throw forbidden("Only the author or a guardian may delete this share.");
	const at = timeFor(row.isAnonymous, new Date());
	await db.batch([
		db
			.update(sunlightShares)
			.set({ deletedAt: at, updatedAt: at })
			.where(and(eq(sunlightShares.id, row.id), isNull(sunlightShares.deletedAt))),
		// A guardian's deletion tells the author, anonymous or not (only they see it; the share is not named).
		...(mine ? [] : removalNotice(db, "sunlight_share", row.id, row.authorId, user.id, at)),
		...(mine
			? []
			: [
					auditStatement(db, {
						actorId: user.id,
						action: "delete_content",
						targetType: "sunlight_share",
						targetId: row.id,
						targetUserId: row.authorId,
						...(reason ? { reason } : {}),
						details: { share_type: row.shareType, body: row.body, anonymous: row.isAnonymous },
					}),
				]),
	]);
}

/** Per-type counts and mine for one share, after a change in the same batch. */
function reactionSummaryQueries(db: Db, viewer: CurrentUser, shareId: string) {
	return [
		db
			.select({ reactionType: sunlightReactions.reactionType, n: count() })
			.from(sunlightReactions)
			.where(eq(sunlightReactions.shareId, shareId))
			.groupBy(sunlightReactions.reactionType),
		db
			.select({ reactionType: sunlightReactions.reactionType })
			.from(sunlightReactions)
			.where(and(eq(sunlightReactions.shareId, shareId), eq(sunlightReactions.userId, viewer.id)))
			.orderBy(sunlightReactions.reactionType),
	] as const;
}

const recount = (db: Db, shareId: string) =>
	db
		.update(sunlightShares)
		.set({
			reactionCount: sql`(SELECT count(*) FROM ${sunlightReactions} WHERE ${sunlightReactions.shareId} = ${shareId})`,
			// A reaction is someone else's act, not an edit: it leaves no time on the share.
			updatedAt: sql`${sunlightShares.updatedAt}`,
		})
		.where(eq(sunlightShares.id, shareId));

function toReactionSummary(
	perType: Array<{ reactionType: SunlightReactionType; n: number }>,
	mine: Array<{ reactionType: SunlightReactionType }>,
) {
	const reactions = emptyCounts();
	let total = 0;
	for (const row of perType) {
		reactions[row.reactionType] = row.n;
		total += row.n;
	}
	return { reaction_count: total, reactions, my_reactions: mine.map((row) => row.reactionType) };
}

export async function addReaction(ctx: Ctx, shareId: string, type: SunlightReactionType) {
	const { db, user } = ctx;
	const share = await findVisibleShare(db, user, shareId);
	const [perType, mine] = reactionSummaryQueries(db, user, share.id);
	const [, , counts, my] = await db.batch([
		db
			.insert(sunlightReactions)
			.values({ shareId: share.id, userId: user.id, reactionType: type })
			.onConflictDoNothing({
				target: [sunlightReactions.shareId, sunlightReactions.userId, sunlightReactions.reactionType],
			}),
		recount(db, share.id),
		perType,
		mine,
	]);
	return toReactionSummary(counts, my);
}

export async function removeReaction(ctx: Ctx, shareId: string, type: SunlightReactionType): Promise<void> {
	const { db, user } = ctx;
	const share = await findVisibleShare(db, user, shareId);
	await db.batch([
		db
			.delete(sunlightReactions)
			.where(
				and(
					eq(sunlightReactions.shareId, share.id),
					eq(sunlightReactions.userId, user.id),
					eq(sunlightReactions.reactionType, type),
				),
			),
		recount(db, share.id),
	]);
}
