/**
 * @module media/lifecycle: uploads that are never attached, or whose thing is gone, leave R2 and D1.
 *
 * Two steps, both bounded per run and idempotent (the cron repeats them until nothing is left):
 *
 * 1. **Expire**: an upload still unattached 24 hours after it was made is marked `deleted` by one conditional
 *    UPDATE (`attached_kind IS NULL`), so an attach racing it either wins (and the upload stays) or finds it
 *    deleted (and fails its guard): bytes are never deleted under a post.
 * 2. **Purge**: `deleted` rows whose bytes may still be in R2 — those of past UTC days (today's still count
 *    toward today's upload allowance) and those of deleted accounts — have their R2 object deleted first, then
 *    their row. A failure between the two leaves the row, and the next run deletes the (absent) object again.
 *
 * Deleting a post or an account, or replacing an avatar, marks the rows `deleted` in its own batch and deletes
 * the bytes at once (`purgeDeletedMediaOf` for an account); this sweep finishes whatever failed there.
 *
 * 3. **Orphans** (`sweepOrphanedObjects`): an upload writes its bytes before its row, so a Worker that dies
 *    between the two (or whose clean-up delete fails) leaves bytes no row names, which nothing else would ever
 *    delete. One page of the bucket per run, in key order from where the last run stopped (kept in KV; a lost
 *    position only starts the walk again), deletes the objects older than a day that no row names.
 */
import type { Bindings } from "../../env";
import { DAY_MS } from "../../lib/durations";
import { logEvent } from "../../lib/log";
import { utcDayStart } from "./store";

/** Rows handled per step and run. */
export const MEDIA_SWEEP_LIMIT = 100;
/** An upload not attached within this long is deleted. */
export const UNATTACHED_TTL_MS = DAY_MS;

export type DeletedMedia = { id: string; object_key: string };

/** R2 first, then the rows: `rows` are `deleted` rows, with their keys. */
export async function purgeMedia(env: Bindings, rows: readonly DeletedMedia[]): Promise<number> {
	if (rows.length === 0) return 0;
	await env.MEDIA.delete(rows.map((row) => row.object_key));
	await env.DB.prepare(
		"DELETE FROM media WHERE status = 'deleted' AND id IN (SELECT value FROM json_each(?1))",
	)
		.bind(JSON.stringify(rows.map((row) => row.id)))
		.run();
	return rows.length;
}

/** The cron's step: expire unattached uploads past 24 h, then purge deleted rows. */
export async function runMediaLifecycle(env: Bindings, now = new Date(), limit = MEDIA_SWEEP_LIMIT) {
	const expiredBefore = new Date(now.getTime() - UNATTACHED_TTL_MS).toISOString();
	const expired = await env.DB.prepare(
		`UPDATE media SET status = 'deleted', alt = NULL
		 WHERE id IN (SELECT id FROM media WHERE status = 'ready' AND attached_kind IS NULL AND created_at < ?1 LIMIT ?2)
			AND status = 'ready' AND attached_kind IS NULL`,
	)
		.bind(expiredBefore, limit)
		.run();
	const due = await env.DB.prepare(
		`SELECT media.id, media.object_key FROM media
		 WHERE media.status = 'deleted' AND (media.created_at < ?1
			OR EXISTS (SELECT 1 FROM users WHERE users.id = media.owner_id AND users.deleted_at IS NOT NULL))
		 LIMIT ?2`,
	)
		.bind(utcDayStart(now), limit)
		.all<{ id: string; object_key: string }>();
	const purged = await purgeMedia(env, due.results);
	if (expired.meta.changes > 0 || purged > 0) {
		logEvent("info", "media_swept", { expired: expired.meta.changes, purged });
	}
	return { expired: expired.meta.changes, purged };
}

/**
 * The read, for the end of an account's erasure batch (which marked its uploads `deleted`), of what
 * `purgeMedia` then deletes at once. What is past `limit`, or fails, the cron's purge finishes (a deleted
 * account's rows are always due).
 */
export const deletedMediaOf = (d1: D1Database, ownerId: string, limit = 1000) =>
	d1
		.prepare("SELECT id, object_key FROM media WHERE owner_id = ?1 AND status = 'deleted' LIMIT ?2")
		.bind(ownerId, limit);

/** Objects listed per run by the orphan sweep. */
export const ORPHAN_SWEEP_PAGE = 100;
/** An object younger than this may be an upload whose row is still being written: never an orphan. */
export const ORPHAN_MIN_AGE_MS = DAY_MS;
/** Where the orphan sweep's walk through the bucket stands: the last key it looked at ("" = from the start). */
export const ORPHAN_SWEEP_POSITION_KEY = "media:orphan-sweep:after";

/** The cron's third step: one page of R2, objects older than a day with no row deleted. */
export async function sweepOrphanedObjects(env: Bindings, now = new Date(), page = ORPHAN_SWEEP_PAGE) {
	const after = (await env.CACHE.get(ORPHAN_SWEEP_POSITION_KEY)) ?? "";
	const listed = await env.MEDIA.list({ prefix: "m/", limit: page, ...(after ? { startAfter: after } : {}) });
	const old = listed.objects.filter(
		(object) => object.uploaded.getTime() <= now.getTime() - ORPHAN_MIN_AGE_MS,
	);
	let deleted = 0;
	if (old.length > 0) {
		// Any row, whatever its status, owns its key: deleted rows are the purge's to finish, R2 first.
		const named = await env.DB.prepare(
			"SELECT object_key FROM media WHERE object_key IN (SELECT value FROM json_each(?1))",
		)
			.bind(JSON.stringify(old.map((object) => object.key)))
			.all<{ object_key: string }>();
		const owned = new Set(named.results.map((row) => row.object_key));
		const orphans = old.map((object) => object.key).filter((key) => !owned.has(key));
		if (orphans.length > 0) await env.MEDIA.delete(orphans);
		deleted = orphans.length;
	}
	const last = listed.objects.at(-1)?.key;
	// The end of the bucket: the next run starts again from the first key.
	await env.CACHE.put(ORPHAN_SWEEP_POSITION_KEY, listed.truncated && last ? last : "");
	if (deleted > 0) logEvent("warn", "media_orphans_deleted", { deleted });
	return { listed: listed.objects.length, deleted };
}
