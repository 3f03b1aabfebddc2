/** @module db/tables/nourishment: Guardian-curated daily content, scheduled by date or in the evergreen pool. */
import { sql } from "drizzle-orm";
import { index, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, deletedAt, enumCheck, id, timestamps } from "../columns";
import { isoDateCheck } from "./shared";
import { users } from "./users";

export const NOURISHMENT_CONTENT_TYPES = [
	"quote",
	"reflection",
	"article",
	"exercise",
	"meditation",
	"prayer",
	"scripture",
	"video",
] as const;
export const NOURISHMENT_CATEGORIES = [
	"hope",
	"gratitude",
	"resilience",
	"mindfulness",
	"relationships",
	"purpose",
	"faith",
	"health",
] as const;

export const nourishmentItems = sqliteTable(
	"nourishment_items",
	{
		id: id(),
		title: text("title").notNull(),
		body: text("body").notNull().default(""),
		contentType: text("content_type", { enum: NOURISHMENT_CONTENT_TYPES }).notNull(),
		category: text("category", { enum: NOURISHMENT_CATEGORIES }).notNull(),
		/** Attribution: who said or wrote it (e.g. a quote's author), and where it comes from. */
		author: text("author"),
		source: text("source"),
		mediaUrl: text("media_url"),
		/**
		 * The local date (YYYY-MM-DD) this item is "today's" item. Null = the evergreen pool, from which days
		 * without a scheduled item pick deterministically.
		 */
		publishDate: text("publish_date"),
		isSpiritual: bool("is_spiritual").notNull().default(false),
		createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
		deletedAt: deletedAt(),
		...timestamps(),
	},
	(t) => [
		/** One live item per date; a deleted item frees its date. */
		uniqueIndex("nourishment_items_publish_date_unique")
			.on(t.publishDate)
			.where(sql`publish_date IS NOT NULL AND deleted_at IS NULL`),
		index("nourishment_items_publish_date_idx").on(t.publishDate, t.id),
		/** The archive filters by category or content type, newest publish date first. */
		index("nourishment_items_category_idx").on(t.category, t.publishDate, t.id),
		index("nourishment_items_content_type_idx").on(t.contentType, t.publishDate, t.id),
		index("nourishment_items_created_by_idx").on(t.createdBy),
		enumCheck("nourishment_items_content_type_check", t.contentType, NOURISHMENT_CONTENT_TYPES),
		enumCheck("nourishment_items_category_check", t.category, NOURISHMENT_CATEGORIES),
		isoDateCheck("nourishment_items_publish_date_check", t.publishDate),
	],
);

export type NourishmentItemRow = typeof nourishmentItems.$inferSelect;
