/** @module media/schemas: the upload as clients see it, and what they may send with one. */
import { z } from "@hono/zod-openapi";
import { MEDIA_CONTENT_TYPES } from "../../db/tables/media";
import { boundedText, IsoTimestamp } from "../../lib/schemas";

export const MAX_ALT_LENGTH = 1_500;

/** Controls other than a line break have no place in a description read aloud. */
const hasControl = (text: string) => /\p{Cc}/u.test(text.replaceAll("\n", ""));

export const AltText = boundedText(1, MAX_ALT_LENGTH)
	.refine((text) => !hasControl(text), "must not contain control characters")
	.openapi({
		description: `What the image or video shows, for people who cannot see it (screen readers); at most ${MAX_ALT_LENGTH} characters, no control characters but line breaks.`,
		example: "A ginger cat asleep on a windowsill in the sun",
	});

export const MediaView = z
	.object({
		id: z.uuid(),
		content_type: z.enum(MEDIA_CONTENT_TYPES),
		bytes: z
			.number()
			.int()
			.openapi({ description: "Size of the stored file (after its metadata was removed)." }),
		width: z
			.number()
			.int()
			.nullable()
			.openapi({ description: "Pixels; null for a video whose size is unknown." }),
		height: z.number().int().nullable(),
		duration_s: z
			.number()
			.nullable()
			.openapi({ description: "Seconds, for a video whose header says; else null." }),
		alt: z.string().nullable(),
		url: z.string().openapi({
			description: "Where the bytes are served (`GET /media/{media_id}`), relative to the API's origin.",
			example: "/api/v1/media/0192f5c4-3a1b-7c2d-9e8f-0123456789ab",
		}),
		created_at: IsoTimestamp,
	})
	.openapi("Media");

export const UploadQuery = z.object({
	alt: AltText.optional().openapi({ param: { name: "alt", in: "query" } }),
});

export const AltEdit = z
	.strictObject({ alt: AltText.nullable().openapi({ description: "The new description; null removes it." }) })
	.openapi("MediaAltEdit");

/** The body of an upload as the document shows it: the file's bytes, in its own type. */
export const binaryBody = Object.fromEntries(
	MEDIA_CONTENT_TYPES.map((type) => [type, { schema: { type: "string" as const, format: "binary" } }]),
);
