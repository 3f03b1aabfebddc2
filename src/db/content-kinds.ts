/**
 * @module db/content-kinds: every kind of user-generated content, declared once beside its table and listed
 * here. Adding a kind is its declaration, one line here, and its tests: the re-check cron, report targets,
 * the queue's snapshots and the coverage checks of erasure and export follow from it.
 */
import type { ContentKind, ContentType, ExternalContentKind } from "./content";
import { fellowshipGroupContent, groupEventContent } from "./tables/fellowship";
import { commentContent, postContent } from "./tables/flourish";
import { sunlightShareContent } from "./tables/sunlight";
import { supportRequestContent, supportResponseContent } from "./tables/support";
import { projectContent, projectDiscussionContent } from "./tables/teamup";
import { profileContent } from "./tables/users";

/** Chat messages live in each conversation's ChatRoom Durable Object (its storage, not D1). */
export const chatMessageContent: ExternalContentKind = {
	type: "chat_message",
	table: null,
	erasure: "durable-object",
};

/** In the order the re-check goes through them (what people see most first). */
export const CONTENT_KINDS = {
	post: postContent,
	comment: commentContent,
	sunlight_share: sunlightShareContent,
	support_request: supportRequestContent,
	support_response: supportResponseContent,
	project_discussion: projectDiscussionContent,
	fellowship_group: fellowshipGroupContent,
	group_event: groupEventContent,
	project: projectContent,
	user: profileContent,
	chat_message: chatMessageContent,
} satisfies Record<ContentType, ContentKind | ExternalContentKind>;

/** The kinds stored in D1. */
export const D1_CONTENT_KINDS: ContentKind[] = (
	Object.values(CONTENT_KINDS) as Array<ContentKind | ExternalContentKind>
).filter((kind): kind is ContentKind => kind.table !== null);

/** The kind of a content type, or null for one kept outside D1. */
export function contentKindOf(type: ContentType): ContentKind | null {
	const kind: ContentKind | ExternalContentKind = CONTENT_KINDS[type];
	return kind.table === null ? null : kind;
}
