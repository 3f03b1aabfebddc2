/**
 * @module db/tables/sunlight: short gratitude, win and kindness shares, and their positive-only reactions.
 *
 * An anonymous share has a random (UUIDv4) id and stores its times rounded down to the hour
 * (`lib/coarse-time`); a named one keeps a UUIDv7 and exact times. Lists sort by (created_at, id), which
 * works for both, and the indexes below serve it.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, createdAt, deletedAt, enumCheck, id, timestamps } from "../columns";
import { defineContent } from "../content";
import { moderation, moderationExtras } from "./shared";
import { users } from "./users";

export const SHARE_TYPES = ["gratitude", "win", "kindness"] as const;
export const SUNLIGHT_REACTION_TYPES = ["sunshine", "heart", "celebrate", "hug", "inspired"] as const;

export const sunlightShares = sqliteTable(
	"sunlight_shares",
	{
		id: id(),
		/** Always stored (for quotas, moderation and export); hidden from others when `is_anonymous`. */
		authorId: text("author_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		shareType: text("share_type", { enum: SHARE_TYPES }).notNull(),
		body: text("body").notNull(),
		isAnonymous: bool("is_anonymous").notNull().default(false),
		isSpiritual: bool("is_spiritual").notNull().default(false),
		...moderation(),
		/** Denormalised total over all reaction types, kept in step in the same batch. */
		reactionCount: integer("reaction_count").notNull().default(0),
		editedAt: text("edited_at"),
		deletedAt: deletedAt(),
		...timestamps(),
	},
	(t) => [
		index("sunlight_shares_type_idx").on(t.shareType, t.deletedAt, t.createdAt, t.id),
		index("sunlight_shares_deleted_idx").on(t.deletedAt, t.createdAt, t.id),
		/** A person's shares, newest first (their export; the trust counts by author). */
		index("sunlight_shares_author_idx").on(t.authorId, t.createdAt, t.id),
		enumCheck("sunlight_shares_share_type_check", t.shareType, SHARE_TYPES),
		check("sunlight_shares_reaction_count_check", sql`${t.reactionCount} >= 0`),
		...moderationExtras("sunlight_shares", t),
	],
);

/** A user may add several different reaction types to one share, each once (PUT is idempotent). */
export const sunlightReactions = sqliteTable(
	"sunlight_reactions",
	{
		id: id(),
		shareId: text("share_id")
			.notNull()
			.references(() => sunlightShares.id, { onDelete: "cascade" }),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		reactionType: text("reaction_type", { enum: SUNLIGHT_REACTION_TYPES }).notNull(),
		createdAt: createdAt(),
	},
	(t) => [
		uniqueIndex("sunlight_reactions_share_user_type_unique").on(t.shareId, t.userId, t.reactionType),
		index("sunlight_reactions_share_type_idx").on(t.shareId, t.reactionType),
		index("sunlight_reactions_user_idx").on(t.userId),
		enumCheck("sunlight_reactions_reaction_type_check", t.reactionType, SUNLIGHT_REACTION_TYPES),
	],
);

export type SunlightShareRow = typeof sunlightShares.$inferSelect;
export type SunlightReactionRow = typeof sunlightReactions.$inferSelect;

/** Shares, as content. A named share goes with its author's account; an anonymous one at a random later time. */
export const sunlightShareContent = defineContent({
	type: "sunlight_share",
	table: sunlightShares,
	author: sunlightShares.authorId,
	deletedAt: sunlightShares.deletedAt,
	text: [sunlightShares.body],
	snapshot: [
		sunlightShares.shareType,
		sunlightShares.body,
		sunlightShares.isAnonymous,
		sunlightShares.isSpiritual,
		sunlightShares.createdAt,
	],
	erasure: "anonymous-later",
});
