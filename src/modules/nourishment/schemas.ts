/** @module nourishment/schemas: Daily Nourishment items on the wire. */
import { z } from "@hono/zod-openapi";
import {
	NOURISHMENT_CATEGORIES,
	NOURISHMENT_CONTENT_TYPES,
	type NourishmentItemRow,
} from "../../db/tables/nourishment";
import { PageQuery, pageOf } from "../../lib/pagination";
import { boundedText, HttpsUrl, IsoTimestamp, LocalDate } from "../../lib/schemas";

const ContentType = z.enum(NOURISHMENT_CONTENT_TYPES);
const Category = z.enum(NOURISHMENT_CATEGORIES);

const itemFields = {
	title: boundedText(1, 200),
	body: z.string().trim().max(10_000),
	content_type: ContentType,
	category: Category,
	author: boundedText(1, 200).nullable().openapi({ description: "Attribution, e.g. who said a quote." }),
	source: boundedText(1, 300).nullable(),
	media_url: HttpsUrl.nullable(),
	publish_date: LocalDate.nullable().openapi({
		description: "The local date this is the day's item; null puts it in the evergreen pool.",
	}),
	is_spiritual: z.boolean(),
};

export const CreateItem = z
	.strictObject({
		...itemFields,
		body: itemFields.body.default(""),
		author: itemFields.author.default(null),
		source: itemFields.source.default(null),
		media_url: itemFields.media_url.default(null),
		publish_date: itemFields.publish_date.default(null),
		is_spiritual: itemFields.is_spiritual.default(false),
	})
	.openapi("CreateNourishmentItem");

export const UpdateItem = z
	.strictObject(itemFields)
	.partial()
	.refine((body) => Object.keys(body).length > 0, "send at least one field to change")
	.openapi("UpdateNourishmentItem");

export const ItemSchema = z
	.object({
		id: z.uuid(),
		title: z.string(),
		body: z.string(),
		content_type: ContentType,
		category: Category,
		author: z.string().nullable(),
		source: z.string().nullable(),
		media_url: z.string().nullable(),
		publish_date: LocalDate.nullable(),
		is_spiritual: z.boolean(),
		created_at: IsoTimestamp,
		updated_at: IsoTimestamp,
	})
	.openapi("NourishmentItem");

export const TodaySchema = z
	.object({
		date: LocalDate.openapi({ description: "The caller's local date (UTC for anonymous callers)." }),
		source: z.enum(["scheduled", "evergreen"]).openapi({
			description: "`scheduled` for the item published on this date, else a pick from the evergreen pool.",
		}),
		item: ItemSchema,
	})
	.openapi("NourishmentToday");

export const ItemPage = pageOf(ItemSchema, "NourishmentItemPage");

export const ArchiveQuery = PageQuery.extend({
	category: Category.optional(),
	content_type: ContentType.optional(),
});

/** An item's wire form. */
export const toItem = (row: NourishmentItemRow): z.infer<typeof ItemSchema> => ({
	id: row.id,
	title: row.title,
	body: row.body,
	content_type: row.contentType,
	category: row.category,
	author: row.author,
	source: row.source,
	media_url: row.mediaUrl,
	publish_date: row.publishDate,
	is_spiritual: row.isSpiritual,
	created_at: row.createdAt,
	updated_at: row.updatedAt,
});
