/**
 * @module flourish/search: what of the feed a search may show — posts the viewer may read through
 * `GET /flourish/posts/{id}` that moderation has not held or removed — and the posts themselves, as that
 * `GET` presents them.
 */
import { and, eq, exists, inArray, type SQL, sql } from "drizzle-orm";
import type { CurrentUser } from "../../core/accounts/current-user";
import { publiclyVisible } from "../../core/content-rules";
import type { KindRule } from "../../core/search";
import type { Db } from "../../db/client";
import { posts } from "../../db/tables/flourish";
import type { PostView } from "./present";
import { presentPosts } from "./present";
import { postsVisibleTo } from "./visibility";

/** Posts a search shows `viewer`: readable by them, and never while held or removed by moderation. */
export function postSearchRule(db: Db, viewer: CurrentUser): KindRule {
	return {
		kind: "post",
		visible: (refId: SQL) =>
			exists(
				db
					.select({ one: sql`1` })
					.from(posts)
					.where(
						and(eq(posts.id, refId), postsVisibleTo(db, viewer), publiclyVisible(posts.moderationStatus)),
					),
			),
	};
}

/** The posts of `ids` as their own `GET` shows them to `viewer`, by id (one read and one presentation batch). */
export async function presentPostsById(
	db: Db,
	viewer: CurrentUser,
	ids: readonly string[],
	now: Date,
): Promise<Map<string, PostView>> {
	if (ids.length === 0) return new Map();
	const rows = await db
		.select()
		.from(posts)
		.where(
			and(inArray(posts.id, [...ids]), postsVisibleTo(db, viewer), publiclyVisible(posts.moderationStatus)),
		);
	const views = await presentPosts(db, viewer, rows, now);
	return new Map(views.map((view) => [view.id, view]));
}
