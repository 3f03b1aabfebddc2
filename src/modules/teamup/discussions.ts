/**
 * @module teamup/discussions: project discussions threaded by `parent_id`.
 *
 * Readable by every signed-in user for public projects, by active members otherwise; written by active
 * members (counted against the daily `comments` limit, screened by ML). A list is either the threads
 * (top-level messages, newest first) or the replies to one message (oldest first), each with its reply
 * count. Hidden or removed messages are shown only to their author (pending review) and guardians; people
 * who block each other do not see each other's messages.
 */

import { and, asc, desc, eq, gt, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import { alias, type SQLiteColumn } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import { type CurrentUser, isGuardian } from "../../core/accounts/current-user";
import { presentContributor } from "../../core/authors";
import { notBlockedWith } from "../../core/blocks";
import { type CallerCountry, crisisResources } from "../../core/moderation/crisis";
import { queueItemForContent } from "../../core/moderation/queue";
import { PUBLICLY_VISIBLE_STATUSES, screenText } from "../../core/moderation/screen";
import { withDailyQuota } from "../../core/quotas";
import type { Db } from "../../db/client";
import {
	type ProjectDiscussionRow,
	projectDiscussionContent,
	projectDiscussions,
} from "../../db/tables/teamup";
import { users } from "../../db/tables/users";
import type { Bindings } from "../../env";
import { newId } from "../../lib/ids";
import { decodeCursor, toPage } from "../../lib/pagination";
import { forbidden, notFound } from "../../lib/problem";

import { isActive, isPubliclyVisible, loadProject, requireContentAccess, requireNotArchived } from "./access";

const VISIBLE = [...PUBLICLY_VISIBLE_STATUSES];
const d = projectDiscussions;
const replies = alias(projectDiscussions, "replies");

type DiscussionWithAuthor = {
	discussion: ProjectDiscussionRow;
	author: { id: string; displayName: string; avatarUrl: string | null; deletedAt: string | null };
	replyCount: number;
};

const present = (row: DiscussionWithAuthor) => ({
	id: row.discussion.id,
	project_id: row.discussion.projectId,
	parent_id: row.discussion.parentId,
	author: presentContributor(row.author),
	body: row.discussion.body,
	reply_count: row.replyCount,
	created_at: row.discussion.createdAt,
	updated_at: row.discussion.updatedAt,
	pending_review: !isPubliclyVisible(row.discussion.moderationStatus),
});

/** What the viewer may see of a discussion table (or its alias). */
type DiscussionColumns = { deletedAt: SQLiteColumn; moderationStatus: SQLiteColumn; authorId: SQLiteColumn };

function visibleTo(db: Db, viewer: CurrentUser, table: DiscussionColumns): SQL | undefined {
	const notDeleted = isNull(table.deletedAt);
	if (isGuardian(viewer)) return notDeleted;
	return and(
		notDeleted,
		or(inArray(table.moderationStatus, VISIBLE), eq(table.authorId, viewer.id)),
		notBlockedWith(db, viewer.id, table.authorId),
	);
}

export interface DiscussionListOptions {
	parent_id?: string | undefined;
	limit: number;
	cursor?: string | undefined;
}

const DiscussionCursor = z.object({ id: z.string().max(64) });

export async function listDiscussions(
	db: Db,
	user: CurrentUser,
	projectId: string,
	options: DiscussionListOptions,
) {
	const access = await loadProject(db, user, projectId);
	requireContentAccess(access);
	const after = decodeCursor(options.cursor, DiscussionCursor);
	const threads = options.parent_id === undefined;
	if (!threads) {
		const parent = await db
			.select({ id: d.id })
			.from(d)
			.where(and(eq(d.id, options.parent_id as string), eq(d.projectId, projectId), visibleTo(db, user, d)))
			.get();
		if (!parent) throw notFound("discussion");
	}
	const replyCount = sql<number>`(SELECT count(*) FROM ${projectDiscussions} AS ${sql.identifier("replies")} WHERE ${replies.parentId} = ${d.id} AND ${visibleTo(db, user, replies)})`;
	const rows = await db
		.select({
			discussion: d,
			author: {
				id: users.id,
				displayName: users.displayName,
				avatarUrl: users.avatarUrl,
				deletedAt: users.deletedAt,
			},
			replyCount: replyCount.mapWith(Number),
		})
		.from(d)
		.innerJoin(users, eq(users.id, d.authorId))
		.where(
			and(
				eq(d.projectId, projectId),
				threads ? isNull(d.parentId) : eq(d.parentId, options.parent_id as string),
				after ? (threads ? lt(d.id, after.id) : gt(d.id, after.id)) : undefined,
				visibleTo(db, user, d),
			),
		)
		.orderBy(threads ? desc(d.id) : asc(d.id))
		.limit(options.limit + 1);
	return toPage(rows, options.limit, (row) => ({ id: row.discussion.id }), present);
}

export interface DiscussionInput {
	body: string;
	parent_id?: string | undefined;
}

/**
 * Active members post a thread or a reply; the reply's parent must be a visible message of the same
 * project. `country`: the caller's (http/crisis `callerCountry`), which orders the crisis resources of an
 * urgent text.
 */
export async function createDiscussion(
	db: Db,
	env: Bindings,
	country: CallerCountry,
	user: CurrentUser,
	projectId: string,
	input: DiscussionInput,
) {
	const access = await loadProject(db, user, projectId);
	requireContentAccess(access);
	if (!isActive(access.membership))
		throw forbidden("Only members of this project can post in its discussions.");
	requireNotArchived(access.project);
	if (input.parent_id !== undefined) {
		const parent = await db
			.select({ id: d.id })
			.from(d)
			.where(and(eq(d.id, input.parent_id), eq(d.projectId, projectId), visibleTo(db, user, d)))
			.get();
		if (!parent) throw notFound("discussion to reply to");
	}
	// A discussion message counts against the same daily allowance as comments, in the same batch.
	const { screening, created } = await withDailyQuota(db, user, "comments", new Date(), async (spend) => {
		const screening = await screenText(env, input.body);
		const id = newId();
		const values = {
			id,
			projectId,
			authorId: user.id,
			parentId: input.parent_id ?? null,
			body: input.body,
			moderationStatus: screening.status,
			toxicityScore: screening.toxicity,
			createdAt: new Date().toISOString(),
		};
		const queued = queueItemForContent(db, projectDiscussionContent, values, screening);
		const [, [created]] = await db.batch([
			spend,
			db.insert(d).values(values).returning(),
			...(queued ? [queued] : []),
		]);
		if (!created) throw new Error("discussion insert returned nothing");
		return { screening, created };
	});
	return {
		...present({
			discussion: created,
			author: { id: user.id, displayName: user.displayName, avatarUrl: user.avatarUrl, deletedAt: null },
			replyCount: 0,
		}),
		...(screening.urgent ? { crisis_resources: crisisResources(env.CRISIS_RESOURCES, country) } : {}),
	};
}
