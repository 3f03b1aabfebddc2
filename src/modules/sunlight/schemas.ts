/** @module sunlight/schemas: gratitude, win and kindness shares and their positive reactions on the wire. */

import { z } from "@hono/zod-openapi";
import { AuthorSchema } from "../../core/authors";
import { CrisisResource } from "../../core/moderation/crisis";
import { SHARE_TYPES, SUNLIGHT_REACTION_TYPES } from "../../db/tables/sunlight";
import { PageQuery, pageOf } from "../../lib/pagination";
import { boundedText, IsoTimestamp } from "../../lib/schemas";

export const MAX_SHARE_BODY = 1000;

export const ShareType = z.enum(SHARE_TYPES);
export const SunlightReactionType = z.enum(SUNLIGHT_REACTION_TYPES);

export const CreateShare = z
	.strictObject({
		share_type: ShareType,
		body: boundedText(1, MAX_SHARE_BODY),
		anonymous: z.boolean().default(false).openapi({
			description:
				"Shown without its author to everyone else (I can still edit and delete it), with a random id and times rounded down to the hour. Only at creation: a named share cannot become anonymous later.",
		}),
		is_spiritual: z.boolean().default(false),
	})
	.openapi("CreateShare");

export const UpdateShare = z
	.strictObject({
		share_type: ShareType,
		body: boundedText(1, MAX_SHARE_BODY),
		anonymous: z.boolean(),
		is_spiritual: z.boolean(),
	})
	.partial()
	.refine((body) => Object.keys(body).length > 0, "send at least one field to change")
	.openapi("UpdateShare", { description: "Any subset. A new text is moderated again." });

const SunlightReactionCounts = z
	.object(
		Object.fromEntries(SUNLIGHT_REACTION_TYPES.map((type) => [type, z.number().int()])) as Record<
			(typeof SUNLIGHT_REACTION_TYPES)[number],
			z.ZodNumber
		>,
	)
	.openapi("SunlightReactionCounts");

export const SunlightReactions = z
	.object({
		reaction_count: z.number().int(),
		reactions: SunlightReactionCounts,
		my_reactions: z.array(SunlightReactionType),
	})
	.openapi("SunlightReactions");

export const ShareSchema = z
	.object({
		id: z.uuid(),
		share_type: ShareType,
		body: z.string(),
		anonymous: z.boolean(),
		is_spiritual: z.boolean(),
		author: AuthorSchema.nullable().openapi({
			description: "Null on an anonymous share, unless it is mine.",
		}),
		is_mine: z.boolean(),
		pending_review: z.boolean(),
		reaction_count: z.number().int(),
		reactions: SunlightReactionCounts,
		my_reactions: z.array(SunlightReactionType),
		created_at: IsoTimestamp.openapi({ description: "Rounded down to the hour on an anonymous share." }),
		edited_at: IsoTimestamp.nullable().openapi({
			description: "Rounded down to the hour on an anonymous share.",
		}),
	})
	.openapi("Share");

export const ShareWithCrisis = ShareSchema.extend({
	crisis_resources: z.array(CrisisResource).optional(),
}).openapi("ShareWithCrisis");

export const SharePage = pageOf(ShareSchema, "SharePage");

export const ShareListQuery = PageQuery.extend({ share_type: ShareType.optional() });
