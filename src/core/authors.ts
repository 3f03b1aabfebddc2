/**
 * @module core/authors: how a person is shown beside what they wrote — the `Author` of posts, comments and
 * shares, and the contributor of support answers and project discussions — including after they left.
 */
import { z } from "@hono/zod-openapi";
import { TRUST_LEVELS, users } from "../db/tables/users";
import { Uuid } from "../lib/schemas";

export const AuthorSchema = z
	.object({
		id: z.uuid(),
		display_name: z.string(),
		avatar_url: z.string().nullable(),
		trust_level: z.enum(TRUST_LEVELS),
	})
	.openapi("Author");

export type AuthorView = z.infer<typeof AuthorSchema>;

export const authorColumns = {
	id: users.id,
	displayName: users.displayName,
	avatarUrl: users.avatarUrl,
	trustLevel: users.trustLevel,
};

export type AuthorRow = {
	id: string;
	displayName: string;
	avatarUrl: string | null;
	trustLevel: AuthorView["trust_level"];
};

export const toAuthor = (row: AuthorRow): AuthorView => ({
	id: row.id,
	display_name: row.displayName,
	avatar_url: row.avatarUrl,
	trust_level: row.trustLevel,
});

/** A missing author row (account erased): the content stays, attributed to nobody in particular. */
export const GONE_AUTHOR = (id: string): AuthorView => ({
	id,
	display_name: "Former member",
	avatar_url: null,
	trust_level: "new_sprout",
});

/** How contributions kept after their author deleted the account are signed. */
export const FORMER_MEMBER = "Former member";

/**
 * The author of a contribution that may outlive its author's account (support answers, project
 * discussions): once the account is deleted, a pseudonymous "Former member" with no id, so the kept
 * contributions cannot be tied to each other or to the account they came from.
 */
export const contributorIdSchema = Uuid.nullable().openapi({
	description: "Null when the author has deleted their account (shown as “Former member”).",
});

export function presentContributor(author: {
	id: string;
	displayName: string;
	avatarUrl: string | null;
	deletedAt: string | null;
}) {
	return author.deletedAt === null
		? { id: author.id, display_name: author.displayName, avatar_url: author.avatarUrl }
		: { id: null, display_name: FORMER_MEMBER, avatar_url: null };
}
