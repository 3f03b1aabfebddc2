/**
 * @module db/tables/media: one row per uploaded photo or video; its bytes are in R2 (`MEDIA`) under `objectKey`.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, enumCheck, id } from "../columns";
import { users } from "./users";

export const MEDIA_CONTENT_TYPES = [
	"image/jpeg",
	"image/png",
	"image/webp",
	"image/gif",
	"video/mp4",
	"video/webm",
] as const;

/**
 * - `ready`: the bytes are in R2.
 * - `deleted`: its owner deleted it; the bytes are gone from R2 and the row stays (alt cleared) only so that the
 *   day's upload quota still counts it (the cron may drop such rows of past days).
 */
export const MEDIA_STATUSES = ["ready", "deleted"] as const;

export const media = sqliteTable(
	"media",
	{
		id: id(),
		ownerId: text("owner_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		/** Random (never from user input): `m/<32 hex>`. */
		objectKey: text("object_key").notNull(),
		contentType: text("content_type", { enum: MEDIA_CONTENT_TYPES }).notNull(),
		/** Size of the stored (stripped) bytes. */
		bytes: integer("bytes").notNull(),
		/** SHA-256 of the stored bytes, hex; also the `ETag`. */
		sha256: text("sha256").notNull(),
		width: integer("width"),
		height: integer("height"),
		durationS: real("duration_s"),
		alt: text("alt"),
		status: text("status", { enum: MEDIA_STATUSES }).notNull().default("ready"),
		/**
		 * What it is attached to (a post, an avatar…), null while unattached. Who may see it follows the thing
		 * it is attached to (modules/media `canView`). The kinds are checked in code, not by a CHECK, so a new
		 * kind needs no table rebuild.
		 */
		attachedKind: text("attached_kind"),
		attachedId: text("attached_id"),
		createdAt: createdAt(),
	},
	(t) => [
		uniqueIndex("media_object_key_unique").on(t.objectKey),
		/** The day's uploads of one person (the quota), and their list. */
		index("media_owner_created_idx").on(t.ownerId, t.createdAt),
		index("media_attached_idx").on(t.attachedKind, t.attachedId),
		enumCheck("media_content_type_check", t.contentType, MEDIA_CONTENT_TYPES),
		enumCheck("media_status_check", t.status, MEDIA_STATUSES),
		check("media_bytes_check", sql`${t.bytes} > 0`),
		check("media_attached_check", sql`(${t.attachedKind} IS NULL) = (${t.attachedId} IS NULL)`),
	],
);

export type MediaRow = typeof media.$inferSelect;
