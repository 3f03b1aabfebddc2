/**
 * @module core/authors: how a person is shown beside what they wrote — the `Author` of posts, comments and
 * shares, and the contributor of support answers and project discussions — including after they left.
 */
import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { TRUST_LEVELS, users } from "../db/tables/users";
import { Uuid } from "../lib/schemas";
import { notBlockedWith } from "./blocks";

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

/**
 * The public profile of the account whose id is in `idColumn`, as one JSON column named `alias`; NULL when
 * there is none, it is deleted, or it and `viewerId` block each other (blocks hide people, core/blocks). A
 * correlated subquery, not a join: it adds no round trip, and no column of it can collide with a same-named
 * one of the row inside a D1 batch. Read it back with `authorFromJson`.
 */
export function authorJsonOf(db: Db, idColumn: SQLiteColumn, alias: string, viewerId: string | undefined) {
	const unblocked = viewerId === undefined ? sql`1` : notBlockedWith(db, viewerId, idColumn);
	return sql<
		string | null
	>`(SELECT json_object('id', u.id, 'display_name', u.display_name, 'avatar_url', u.avatar_url, 'trust_level', u.trust_level) FROM ${users} AS u WHERE u.id = ${idColumn} AND u.deleted_at IS NULL AND ${unblocked})`.as(
		alias,
	);
}

export const authorFromJson = (json: string | null | undefined): AuthorView | null =>
	json ? (JSON.parse(json) as AuthorView) : null;

/** A creator's profile (of a group, an event): null once the account is deleted, or across a block. */
// A union, not `.nullable()`: the document then says `anyOf: [Author, null]`, which generators read as
// `Author | null` (a nullable `$ref` comes out as `allOf` with a null type, read as non-null).
export const CreatorSchema = z.union([AuthorSchema, z.null()]).openapi({
	description:
		"The creator's public profile (the `Author` shape). Null when their account has been deleted, or when they and I block each other (a block hides the person, not the shared space).",
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
