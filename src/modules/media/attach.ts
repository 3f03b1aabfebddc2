/**
 * @module media/attach: attaching uploads to the things that show them (a post, an avatar), once and by their
 * uploader only, inside the attaching write's own D1 batch.
 *
 * The attach is one conditional UPDATE (`owner_id = me AND attached_kind IS NULL AND status = 'ready'`, and
 * of the kind the thing takes) followed by a `batchGuard` that counts what is now attached: if any id was not
 * mine, already attached, deleted or of the wrong type, the guard fails and the whole batch (the post, its
 * quota, its queue item) rolls back. Only then does `attachFailure` read the ids again to say why: the happy
 * path costs no round trip of its own.
 */
import { and, eq, inArray, isNull, like, sql } from "drizzle-orm";
import { batchGuard } from "../../db/batch-guard";
import type { Db } from "../../db/client";
import { type MediaRow, media } from "../../db/tables/media";
import { conflict, type Problem, unprocessable } from "../../lib/problem";

export interface Attachment {
	kind: string;
	/** The id of the thing attached to. */
	id: string;
	ownerId: string;
	mediaIds: readonly string[];
	/** The type prefix every id must have (`image/`, `video/`). */
	typePrefix: "image/" | "video/";
}

/** The UPDATE that attaches, and the guard that fails the batch unless every id was attached by it. */
export function attachStatements(db: Db, a: Attachment) {
	return [
		db
			.update(media)
			.set({ attachedKind: a.kind, attachedId: a.id })
			.where(
				and(
					inArray(media.id, [...a.mediaIds]),
					eq(media.ownerId, a.ownerId),
					isNull(media.attachedKind),
					eq(media.status, "ready"),
					like(media.contentType, `${a.typePrefix}%`),
				),
			),
		batchGuard(
			db,
			sql`(SELECT count(*) FROM ${media} WHERE ${media.attachedKind} = ${a.kind} AND ${media.attachedId} = ${a.id}
				AND ${media.status} = 'ready' AND ${inArray(media.id, [...a.mediaIds])}) = ${a.mediaIds.length}`,
		),
	] as const;
}

/**
 * Detaches what `kind`/`id` holds except `keep`, for an edit that replaces the list: the detached uploads are
 * the owner's unattached uploads again, deleted by the cron once their 24 hours are over.
 */
export function detachStatement(db: Db, kind: string, id: string, keep: readonly string[]) {
	return db
		.update(media)
		.set({ attachedKind: null, attachedId: null })
		.where(
			and(
				eq(media.attachedKind, kind),
				eq(media.attachedId, id),
				keep.length > 0
					? sql`${media.id} NOT IN (SELECT value FROM json_each(${JSON.stringify(keep)}))`
					: undefined,
			),
		);
}

/**
 * Marks what `kind`/`id` holds deleted (the thing is gone), answering the object keys for the caller to delete
 * from R2; the rows keep their keys, so the cron's sweep finishes what a failed R2 delete left.
 */
export function deleteAttachedStatement(db: Db, kind: string, id: string) {
	return db
		.update(media)
		.set({ status: "deleted", alt: null })
		.where(and(eq(media.attachedKind, kind), eq(media.attachedId, id), eq(media.status, "ready")))
		.returning({ objectKey: media.objectKey });
}

/**
 * Why an attach guard failed, as the problem to answer: an id that is not one of my stored uploads is 422
 * (never a hint that someone else's exists), one already attached elsewhere 409, one of the wrong type 422.
 */
export async function attachFailure(
	db: Db,
	ownerId: string,
	mediaIds: readonly string[],
	typePrefix: string,
	field: string,
	attachedTo?: { kind: string; id: string },
): Promise<Problem> {
	const rows: Pick<MediaRow, "id" | "ownerId" | "status" | "attachedKind" | "attachedId" | "contentType">[] =
		await db
			.select({
				id: media.id,
				ownerId: media.ownerId,
				status: media.status,
				attachedKind: media.attachedKind,
				attachedId: media.attachedId,
				contentType: media.contentType,
			})
			.from(media)
			.where(inArray(media.id, [...mediaIds]));
	const byId = new Map(rows.map((row) => [row.id, row]));
	for (const [index, id] of mediaIds.entries()) {
		const row = byId.get(id);
		if (!row || row.ownerId !== ownerId || row.status !== "ready") {
			return unprocessable("A media id is not one of my uploads.", [
				{ field: `${field}/${index}`, message: "not one of my uploads" },
			]);
		}
		if (!row.contentType.startsWith(typePrefix)) {
			return unprocessable(`This takes ${typePrefix.slice(0, -1)} uploads only.`, [
				{ field: `${field}/${index}`, message: `a ${row.contentType}, not an ${typePrefix}* upload` },
			]);
		}
		const here = attachedTo && row.attachedKind === attachedTo.kind && row.attachedId === attachedTo.id;
		if (row.attachedKind !== null && !here) {
			return conflict("A media id is already attached to something; an upload is attached only once.");
		}
	}
	// Everything looks attachable now: a concurrent change raced the batch. Ask the client to try again.
	return conflict("The uploads changed while attaching them; try again.");
}
