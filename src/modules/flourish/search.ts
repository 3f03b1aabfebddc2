/**
 * @module flourish/search: what of the feed a search may show — posts the viewer may read through
 * `GET /flourish/posts/{id}` that moderation has not held or removed — and the posts themselves, as that
 * `GET` presents them.
 */
import { and, asc, eq, exists, type SQL, sql } from "drizzle-orm";
import type { CurrentUser } from "../../core/accounts/current-user";
import { inJsonList, publiclyVisible } from "../../core/content-rules";
import type { KindSearch } from "../../core/search";
import type { Db } from "../../db/client";
import { posts } from "../../db/tables/flourish";
import { assemblePosts, type PostView, postPageReads, splitPostPage } from "./present";
import { postsVisibleTo } from "./visibility";

/** Posts a search shows `viewer`: readable by them, and never while held or removed by moderation. */
export function postSearch(db: Db, viewer: CurrentUser, now: Date): KindSearch<PostView> {
	const shown = and(postsVisibleTo(db, viewer), publiclyVisible(posts.moderationStatus));
	return {
		kind: "post",
		visible: (refId: SQL) =>
			exists(
				db
					.select({ one: sql`1` })
					.from(posts)
					.where(and(eq(posts.id, refId), shown)),
			),
		present: (ids) => {
			const reads = postPageReads(db, viewer, {
				where: and(inJsonList(posts.id, ids), shown),
				orderBy: [asc(posts.id)],
				limit: ids.length,
				presented: ids.length,
			});
			return {
				reads,
				assemble: (rows) => {
					const { rows: found, presentation } = splitPostPage(
						// The rows of exactly `reads`, in order (core/search presentMatches).
						rows as Parameters<typeof splitPostPage>[0],
					);
					return new Map(assemblePosts(viewer, found, presentation, now).map((view) => [view.id, view]));
				},
			};
		},
	};
}
