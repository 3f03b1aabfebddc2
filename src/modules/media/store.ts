/**
 * @module media/store: the media rows in D1 — the day's uploads for the quota, the row written together with
 * its quota check, one upload, alt edits and deletion. The bytes are R2's (`MEDIA`), handled by the callers.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type MediaRow, media } from "../../db/tables/media";
import type { MediaType } from "../../lib/media-files";
import type { DailyAllowance } from "./limits";

/** The first instant of `now`'s UTC day (quotas count per UTC day: core/quotas). */
export const utcDayStart = (now: Date) =>
	new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();

export interface Usage {
	uploads: number;
	bytes: number;
}

/** What `ownerId` uploaded since `since`, deleted uploads included (deleting one gives nothing back). */
export async function usageSince(db: Db, ownerId: string, since: string): Promise<Usage> {
	const [row] = await db
		.select({ uploads: sql<number>`count(*)`, bytes: sql<number>`coalesce(sum(${media.bytes}), 0)` })
		.from(media)
		.where(and(eq(media.ownerId, ownerId), sql`${media.createdAt} >= ${since}`));
	return { uploads: row?.uploads ?? 0, bytes: row?.bytes ?? 0 };
}

export interface NewMedia {
	id: string;
	ownerId: string;
	objectKey: string;
	contentType: MediaType;
	bytes: number;
	sha256: string;
	width: number | null;
	height: number | null;
	durationS: number | null;
	alt: string | null;
	createdAt: string;
}

/**
 * Writes the row only if the day's allowance still has room for it — count and bytes, checked by the same
 * statement that inserts, so two uploads racing cannot both pass the last slot. False: the allowance is spent.
 */
export async function insertWithinAllowance(
	db: Db,
	row: NewMedia,
	allowance: DailyAllowance,
	dayStart: string,
): Promise<boolean> {
	const today = sql`from ${media} where ${media.ownerId} = ${row.ownerId} and ${media.createdAt} >= ${dayStart}`;
	const result = await db.run(sql`insert into ${media} (
			"id", "owner_id", "object_key", "content_type", "bytes", "sha256", "width", "height", "duration_s", "alt",
			"status", "created_at"
		)
		select ${row.id}, ${row.ownerId}, ${row.objectKey}, ${row.contentType}, ${row.bytes}, ${row.sha256},
			${row.width}, ${row.height}, ${row.durationS}, ${row.alt}, 'ready', ${row.createdAt}
		where (select count(*) ${today}) < ${allowance.uploads}
			and (select coalesce(sum(${media.bytes}), 0) ${today}) + ${row.bytes} <= ${allowance.bytes}`);
	return result.meta.changes === 1;
}

/** An upload whose bytes are stored (not deleted), whoever owns it: access is the caller's to decide. */
export async function findStored(db: Db, id: string): Promise<MediaRow | undefined> {
	const [row] = await db
		.select()
		.from(media)
		.where(and(eq(media.id, id), eq(media.status, "ready")))
		.limit(1);
	return row;
}

/** Sets the alt text of one of the owner's stored uploads; undefined when there is none such. */
export async function updateAlt(
	db: Db,
	id: string,
	ownerId: string,
	alt: string | null,
): Promise<MediaRow | undefined> {
	const [row] = await db
		.update(media)
		.set({ alt })
		.where(and(eq(media.id, id), eq(media.ownerId, ownerId), eq(media.status, "ready")))
		.returning();
	return row;
}

/**
 * Marks one of the owner's unattached uploads deleted (its alt cleared) and answers its object key, for the
 * caller to delete from R2; the row stays for the day's quota. Undefined when nothing matched: then
 * `attachedOwnUpload` tells a 409 from a 404.
 */
export async function markDeleted(db: Db, id: string, ownerId: string): Promise<string | undefined> {
	const [row] = await db
		.update(media)
		.set({ status: "deleted", alt: null })
		.where(
			and(
				eq(media.id, id),
				eq(media.ownerId, ownerId),
				eq(media.status, "ready"),
				isNull(media.attachedKind),
			),
		)
		.returning({ objectKey: media.objectKey });
	return row?.objectKey;
}

/** Whether `id` is one of the owner's stored uploads that is attached (a delete then is a conflict). */
export async function isAttachedOwnUpload(db: Db, id: string, ownerId: string): Promise<boolean> {
	const [row] = await db
		.select({ id: media.id })
		.from(media)
		.where(and(eq(media.id, id), eq(media.ownerId, ownerId), eq(media.status, "ready")))
		.limit(1);
	return row !== undefined;
}
