/**
 * @module media/access: who may see an upload.
 *
 * While it is unattached, only its uploader. Once attached, whoever may see the thing it is attached to: each
 * attachment kind brings its rule (`ATTACHMENT_RULES`), which also says whether the edge may keep a copy for
 * everyone (a public post's photo) or not (anything personal). The feature that owns a kind registers its rule
 * (`registerAttachmentRule`: flourish for `post`, users for `avatar`), so media never imports the features
 * that use it; an attached upload of a kind with no rule is shown to no one: the rule fails closed.
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

/** Called once, at module load, by the feature that owns `kind`. */
export function registerAttachmentRule(kind: string, rule: AttachmentRule): void {
	ATTACHMENT_RULES[kind] = rule;
}

export async function sightOf(db: Db, viewer: CurrentUser | undefined, row: MediaRow): Promise<Sight> {
	if (row.attachedKind === null || row.attachedId === null) {
		return viewer !== undefined && viewer.id === row.ownerId ? "personal" : "hidden";
	}
	const rule = ATTACHMENT_RULES[row.attachedKind];
	return rule ? rule(db, viewer, row.attachedId) : "hidden";
}
