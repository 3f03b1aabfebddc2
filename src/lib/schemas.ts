/** @module schemas: zod building blocks shared by features (ids, bounded text, https URLs, dates). */
import { z } from "@hono/zod-openapi";
import { isValidDate, isValidTimeZone } from "./local-date";

export const Uuid = z.uuid({ message: "must be a UUID" });

/** A path parameter that must be a UUID, documented under `name`. */
export const idParam = <const N extends string>(name: N) =>
	z.object({ [name]: Uuid.openapi({ param: { name, in: "path" } }) } as Record<N, typeof Uuid>);

/** Trimmed text with bounds; `min` 1 rejects blank strings. */
export const boundedText = (min: number, max: number) => z.string().trim().min(min).max(max);

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
