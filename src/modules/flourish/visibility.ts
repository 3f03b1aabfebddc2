/**
 * @module flourish/visibility: who may see a post or a comment, as query conditions every read path uses
 * (feed, direct read, comments, reactions, votes, similar posts), so no path can forget a rule.
 *
 * A post is visible to its author always. To anyone else it must be live (not soft-deleted), its author
 * must not block the viewer nor be blocked by them, it must be spiritual only for opted-in viewers, its
 * moderation state must be public (guardians also see hidden and removed content), and its audience must
 * include the viewer: `public` everyone signed in, `connections` the author's accepted connections,
 * `group` the active members of its group, `private` nobody.
 *
 * Direct reads by a guardian (moderation duty) also pass the audience and block rules, except for private
 * journal entries: those stay the author's alone to read (a guardian may still delete one by id).
 */
import { and, eq, exists, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { type CurrentUser, isGuardianInSql } from "../../core/accounts/current-user";
import { notBlockedWith } from "../../core/blocks";
import { publiclyVisible } from "../../core/content-rules";
import { spiritualFilter } from "../../core/spiritual";
import type { Db } from "../../db/client";
import { groupMembers } from "../../db/tables/fellowship";
import { comments, posts } from "../../db/tables/flourish";
import { connections } from "../../db/tables/orchard";

/** An accepted connection between the viewer and the user in `otherColumn`, whoever asked whom. */
export function connectedWith(db: Db, viewerId: string, otherColumn: SQLiteColumn): SQL {
	return exists(
		db
			.select({ one: sql`1` })
			.from(connections)
			.where(
				and(
					eq(connections.userLowId, sql`min(${viewerId}, ${otherColumn})`),
					eq(connections.userHighId, sql`max(${viewerId}, ${otherColumn})`),
					eq(connections.status, "accepted"),
				),
			),
	);
}

/** The viewer is an active member of the group in `groupColumn`. */
export function activeMemberOf(db: Db, viewerId: string, groupColumn: SQLiteColumn): SQL {
	return exists(
		db
			.select({ one: sql`1` })
			.from(groupMembers)
			.where(
				and(
					eq(groupMembers.groupId, groupColumn),
					eq(groupMembers.userId, viewerId),
					eq(groupMembers.status, "active"),
				),
			),
	);
}

/** The audience rule alone: does the post's visibility include the viewer? */
function inAudience(db: Db, viewerId: string): SQL {
	return or(
		eq(posts.visibility, "public"),
		and(eq(posts.visibility, "connections"), connectedWith(db, viewerId, posts.authorId)),
		and(eq(posts.visibility, "group"), activeMemberOf(db, viewerId, posts.groupId)),
	) as SQL;
}

/**
 * Posts the viewer may see in lists (the feed, similar posts, `for_you` candidates).
 *
 * "Mine" is written `+author_id = me`: the unary plus keeps SQLite from answering the OR below with one
 * index per branch (all my posts, plus every public post through `posts_visibility_idx`), then sorting
 * them all for the page — a cost that grows with the table. Without that plan, a page walks the index of
 * its own order (newest id, or hot score) and stops once it has `limit` visible rows.
 */
export function postsVisibleTo(db: Db, viewer: CurrentUser): SQL {
	const others = and(
		notBlockedWith(db, viewer.id, posts.authorId),
		inAudience(db, viewer.id),
		spiritualFilter(viewer, posts.isSpiritual),
		or(isGuardianInSql(viewer.id), publiclyVisible(posts.moderationStatus)),
	);
	return and(isNull(posts.deletedAt), or(sql`+${posts.authorId} = ${viewer.id}`, others)) as SQL;
}

/** The one post the viewer may open, comment on, react to or vote in (guardians: any non-private post). */
export function postReadableBy(db: Db, viewer: CurrentUser): SQL {
	return or(
		postsVisibleTo(db, viewer),
		and(
			isGuardianInSql(viewer.id),
			isNull(posts.deletedAt),
			ne(posts.visibility, "private"),
			spiritualFilter(viewer, posts.isSpiritual),
		),
	) as SQL;
}

/**
 * A comment's own visibility (its post's visibility is checked separately): live, and by the viewer, or
 * not blocked either way and publicly visible. Guardians see every live comment.
 */
export function commentVisibleTo(db: Db, viewer: CurrentUser): SQL {
	return and(
		isNull(comments.deletedAt),
		or(
			isGuardianInSql(viewer.id),
			eq(comments.authorId, viewer.id),
			and(notBlockedWith(db, viewer.id, comments.authorId), publiclyVisible(comments.moderationStatus)),
		),
	) as SQL;
}
