/**
 * @module flourish/post-media: the photos and videos of a post — attached (once, by their uploader) in the
 * post's own batch, presented as objects, deleted with the post, and visible to whoever may see the post.
 *
 * A post keeps the ordered list of its uploads' URLs in `media_urls` (`/api/v1/media/{id}`), so the order the
 * author chose survives and old clients still read URLs; the `media` table says which uploads are attached.
 * Rows written before uploads existed hold https URLs there: they are still shown in `media_urls` (and not in
 * `media`, which lists uploads only); no new one can be written.
 */
import { eq, sql } from "drizzle-orm";
import { type CurrentUser, isGuardianInSql } from "../../core/accounts/current-user";
import { publiclyVisible } from "../../core/content-rules";
import type { Db } from "../../db/client";
import { posts } from "../../db/tables/flourish";
import { mediaPath, registerAttachmentRule, type Sight } from "../media";
import { postReadableBy } from "./visibility";

export const POST_MEDIA_KIND = "post";

/** The stored URL list of a post's uploads, in the author's order. */
export const mediaUrlsOf = (mediaIds: readonly string[]) => mediaIds.map(mediaPath);

const MEDIA_PATH = /^\/api\/v1\/media\/([0-9a-f-]{36})$/;

/** The upload ids a post's stored list names (legacy https URLs name none). */
export const mediaIdsOf = (mediaUrls: readonly string[]) =>
	mediaUrls.flatMap((url) => {
		const id = MEDIA_PATH.exec(url)?.[1];
		return id ? [id] : [];
	});

/** The type every upload of a post of `type` must have. */
export const mediaPrefixOf = (type: string): "image/" | "video/" => (type === "video" ? "video/" : "image/");

/**
 * A post's media for a caller: `public` when the post is public and publicly visible (anyone with the URL,
 * signed in or not, and any cache for a while — an `<img>` sends no token); otherwise `personal` when the caller
 * may read the post (its author, its audience; only a guardian once moderation hid or removed it), else `hidden`. A deleted
 * post's media are deleted with it; until the bytes go, the post rule already hides them.
 */
async function postMediaSight(db: Db, viewer: CurrentUser | undefined, postId: string): Promise<Sight> {
	// A post moderation hid or removed keeps its media from everyone but guardians, its author included: the
	// photo is what was judged, and the author's own view of the post says it is under review.
	const readable = viewer
		? sql<number>`CASE WHEN ${postReadableBy(db, viewer)} AND (${publiclyVisible(posts.moderationStatus)} OR ${isGuardianInSql(viewer.id)}) THEN 1 ELSE 0 END`
		: sql<number>`0`;
	const [row] = await db
		.select({
			public: sql<number>`CASE WHEN ${posts.deletedAt} IS NULL AND ${posts.visibility} = 'public' AND ${publiclyVisible(posts.moderationStatus)} THEN 1 ELSE 0 END`,
			readable,
		})
		.from(posts)
		.where(eq(posts.id, postId))
		.limit(1);
	if (!row) return "hidden";
	if (row.public === 1) return "public";
	return row.readable === 1 ? "personal" : "hidden";
}

registerAttachmentRule(POST_MEDIA_KIND, postMediaSight);
