/** @module schemas: zod building blocks shared by features (ids, bounded text, https URLs, dates). */
import { z } from "@hono/zod-openapi";
import { isValidDate, isValidTimeZone } from "./local-date";

export const Uuid = z.uuid({ message: "must be a UUID" });

/** A path parameter that must be a UUID, documented under `name`. */
export const idParam = <const N extends string>(name: N) =>
	z.object({ [name]: Uuid.openapi({ param: { name, in: "path" } }) } as Record<N, typeof Uuid>);

/**
 * What shows nothing on its own: white space (ideographic and no-break spaces too), controls, format and
 * other default-ignorable characters (zero-width spaces and joiners, bidi marks, BOM, soft hyphen, word
 * joiner, tags, variation selectors, Hangul fillers), combining marks without a base, and the braille blank
 * and interlinear annotation / hieroglyph format controls that Unicode does not class as ignorable.
 */
const INVISIBLE =
	/[\p{White_Space}\p{Cc}\p{Default_Ignorable_Code_Point}\p{M}\u2800\uFFF9-\uFFFB\u{13430}-\u{1343F}]/gu;

/** True when `text` would show something: empty once white space and invisible characters are gone. */
export const hasVisibleText = (text: string) => text.replace(INVISIBLE, "").length > 0;

const INVISIBLE_TEXT_MESSAGE = "must contain visible characters";

/**
 * Trimmed text with bounds. With `min` ≥ 1 it must also show something (`hasVisibleText`): a text of only
 * zero-width or other invisible characters counts as empty. The text itself is kept as written.
 */
export const boundedText = (min: number, max: number) => {
	const text = z.string().trim().min(min).max(max);
	return min > 0 ? text.refine(hasVisibleText, INVISIBLE_TEXT_MESSAGE) : text;
};

export const HttpsUrl = z
	.url({ protocol: /^https$/, message: "must be an https URL" })
	.max(500)
	.openapi({ format: "uri", example: "https://images.example/photo.jpg" });

export const LocalDate = z
	.string()
	.refine(isValidDate, "must be a calendar date YYYY-MM-DD")
	.openapi({ format: "date", example: "2026-11-27" });

export const TimeZone = z
	.string()
	.max(64)
	.refine(isValidTimeZone, "must be an IANA time zone such as Europe/London")
	.openapi({ example: "Europe/London" });

export const IsoTimestamp = z.string().openapi({ format: "date-time", example: "2026-11-27T09:00:00.000Z" });
