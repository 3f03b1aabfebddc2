/**
 * @module media/access: who may see an upload.
 *
 * While it is unattached, only its uploader. Once attached, whoever may see the thing it is attached to: each
 * attachment kind brings its rule (`ATTACHMENT_RULES`), which also says whether the edge may keep a copy for
 * everyone (a public post's photo) or not (anything personal). No kind is attached yet (increment 2 adds
 * posts and avatars), so an attached upload of an unknown kind is shown to no one: the rule fails closed.
 */
import type { CurrentUser } from "../../core/accounts/current-user";
import type { Db } from "../../db/client";
import type { MediaRow } from "../../db/tables/media";

/** `hidden`: answer 404, as for an id that does not exist. `personal`: never cached beyond the caller. */
export type Sight = "hidden" | "personal" | "public";

/** The rule of one attachment kind: may `viewer` (undefined: anonymous) see what `attachedId` names? */
export type AttachmentRule = (db: Db, viewer: CurrentUser | undefined, attachedId: string) => Promise<Sight>;

/** One rule per attachment kind (e.g. `post`: the post's visibility, blocks and moderation). */
export const ATTACHMENT_RULES: Record<string, AttachmentRule> = {};

export async function sightOf(db: Db, viewer: CurrentUser | undefined, row: MediaRow): Promise<Sight> {
	if (row.attachedKind === null || row.attachedId === null) {
		return viewer !== undefined && viewer.id === row.ownerId ? "personal" : "hidden";
	}
	const rule = ATTACHMENT_RULES[row.attachedKind];
	return rule ? rule(db, viewer, row.attachedId) : "hidden";
}
