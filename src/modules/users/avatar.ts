/**
 * @module users/avatar: my avatar is one of my uploads (an image), attached to me as kind `avatar`: public to
 * everyone while my account lives (it is on every post, comment and profile of mine), and my profile's
 * `avatar_url` is its URL. Setting another deletes the previous one; null clears it.
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { users } from "../../db/tables/users";
import { attachStatements, deleteAttachedStatement, mediaPath, registerAttachmentRule } from "../media";

export const AVATAR_KIND = "avatar";

registerAttachmentRule(AVATAR_KIND, async (db, _viewer, userId) => {
	const [alive] = await db
		.select({ id: users.id })
		.from(users)
		.where(and(eq(users.id, userId), isNull(users.deletedAt)))
		.limit(1);
	return alive ? "public" : "hidden";
});

/** What setting `mediaId` (null: none) as my avatar writes; nothing when it already is. */
export function avatarChange(db: Db, userId: string, current: string | null, mediaId: string | null) {
	const avatarUrl = mediaId === null ? null : mediaPath(mediaId);
	if (avatarUrl === current) return undefined;
	return {
		avatarUrl,
		deleteOld: deleteAttachedStatement(db, AVATAR_KIND, userId),
		attach:
			mediaId === null
				? []
				: attachStatements(db, {
						kind: AVATAR_KIND,
						id: userId,
						ownerId: userId,
						mediaIds: [mediaId],
						typePrefix: "image/",
					}),
	};
}
