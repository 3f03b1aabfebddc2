/**
 * The lifecycle of uploads: never attached within 24 h → deleted by the cron (R2 object, then row); deleting
 * an account deletes its media from R2 at once; the export lists my media with their URLs.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	ORPHAN_MIN_AGE_MS,
	ORPHAN_SWEEP_POSITION_KEY,
	runMediaLifecycle,
	sweepOrphanedObjects,
} from "../../src/modules/media";
import { runScheduledTasks } from "../../src/scheduled";
import { createPost } from "../flourish/helpers";
import { call, expectStatus } from "../support/api";
import { jpeg, png } from "./fixtures";
import { fetchMedia, member, upload } from "./helpers";

const rowOf = (id: string) =>
	env.DB.prepare("SELECT status, object_key, attached_kind FROM media WHERE id = ?")
		.bind(id)
		.first<{ status: string; object_key: string; attached_kind: string | null }>();

const backdate = (id: string, hours: number) =>
	env.DB.prepare("UPDATE media SET created_at = ? WHERE id = ?")
		.bind(new Date(Date.now() - hours * 3_600_000).toISOString(), id)
		.run();

describe("the cron deletes uploads never attached", () => {
	it("after 24 h: R2 object and row gone; attached and younger uploads stay", async () => {
		const me = await member("flourishing");
		const stale = await upload(me, jpeg(), "image/jpeg");
		const young = await upload(me, jpeg(), "image/jpeg");
		const posted = await upload(me, png(), "image/png");
		await createPost(me, { type: "image", body: "", media_ids: [posted.id] });
		await backdate(stale.id, 25);
		await backdate(posted.id, 25);
		const staleKey = (await rowOf(stale.id))?.object_key ?? "";
		expect(await env.MEDIA.head(staleKey)).not.toBeNull();

		await runScheduledTasks(env);
		expect(await rowOf(stale.id)).toBeNull();
		expect(await env.MEDIA.head(staleKey)).toBeNull();
		expect(await rowOf(young.id)).toMatchObject({ status: "ready" });
		expect(await rowOf(posted.id)).toMatchObject({ status: "ready", attached_kind: "post" });
		expect(await env.MEDIA.head((await rowOf(posted.id))?.object_key ?? "")).not.toBeNull();
		// Idempotent: another run finds nothing more of these.
		await runMediaLifecycle(env);
		expect(await rowOf(young.id)).toMatchObject({ status: "ready" });
	});

	it("finishes a deletion whose R2 delete failed: a deleted row of a past day loses its object, then its row", async () => {
		const me = await member();
		const item = await upload(me, jpeg(), "image/jpeg");
		// As if DELETE /media had marked the row but the R2 delete had failed, yesterday.
		await env.DB.prepare("UPDATE media SET status = 'deleted' WHERE id = ?").bind(item.id).run();
		await backdate(item.id, 30);
		const key = (await rowOf(item.id))?.object_key ?? "";
		expect(await env.MEDIA.head(key)).not.toBeNull();
		await runMediaLifecycle(env);
		expect(await env.MEDIA.head(key)).toBeNull();
		expect(await rowOf(item.id)).toBeNull();
	});

	it("is bounded per run", async () => {
		const me = await member("flourishing");
		const items = [];
		for (let i = 0; i < 3; i++) items.push(await upload(me, jpeg(), "image/jpeg"));
		for (const item of items) await backdate(item.id, 48);
		// Earlier tests' leftovers may be due too: a limit of 1 handles at most one row per step.
		const first = await runMediaLifecycle(env, new Date(), 1);
		expect(first.expired).toBeLessThanOrEqual(1);
		expect(first.purged).toBeLessThanOrEqual(1);
		for (let i = 0; i < 10; i++) await runMediaLifecycle(env, new Date(), 1);
		for (const item of items) expect(await rowOf(item.id)).toBeNull();
	});
});

describe("account erasure", () => {
	it("deletes every upload of the person from R2, attached or not, at once", async () => {
		const me = await member("flourishing");
		const loose = await upload(me, jpeg(), "image/jpeg");
		const posted = await upload(me, jpeg(), "image/jpeg");
		const avatar = await upload(me, png(), "image/png");
		await createPost(me, { type: "image", body: "", media_ids: [posted.id] });
		await expectStatus(
			await call("PATCH", "/api/v1/users/me", { token: me.token, body: { avatar_media_id: avatar.id } }),
			200,
		);
		const keys = await Promise.all(
			[loose, posted, avatar].map(async (item) => (await rowOf(item.id))?.object_key ?? ""),
		);
		for (const key of keys) expect(await env.MEDIA.head(key)).not.toBeNull();

		expect((await call("DELETE", "/api/v1/users/me", { token: me.token })).status).toBe(204);
		for (const key of keys) expect(await env.MEDIA.head(key)).toBeNull();
		for (const item of [loose, posted, avatar]) {
			expect(await rowOf(item.id)).toBeNull();
			const response = await fetchMedia(undefined, item.id);
			expect(response.status).toBe(404);
			await response.arrayBuffer();
		}
	});
});

describe("the export", () => {
	it("lists my stored uploads with their URLs and what they are attached to", async () => {
		const me = await member("flourishing");
		const loose = await upload(me, jpeg(), "image/jpeg", "alt=Sunrise");
		const posted = await upload(me, png(), "image/png");
		const post = await createPost(me, { type: "image", body: "", media_ids: [posted.id] });
		const exported = await expectStatus<{ media: { uploads: Array<Record<string, unknown>> } }>(
			await call("GET", "/api/v1/users/me/export", { token: me.token }),
			200,
		);
		expect(exported.media.uploads).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ id: loose.id, url: loose.url, alt: "Sunrise", attached_kind: null }),
				expect.objectContaining({
					id: posted.id,
					url: posted.url,
					attached_kind: "post",
					attached_id: post.id,
				}),
			]),
		);
		expect(exported.media.uploads).toHaveLength(2);
	});
});

describe("the cron deletes bytes no row names", () => {
	/** Bytes in the bucket with no row: what an upload leaves when its Worker dies between R2 and D1. */
	const orphan = async (name: string) => {
		const key = `m/${name}`;
		await env.MEDIA.put(key, jpeg());
		return key;
	};
	const later = () => new Date(Date.now() + ORPHAN_MIN_AGE_MS + 60_000);
	const walkWholeBucket = async (now: Date, page: number) => {
		// From the start of the bucket, page by page, until the walk wraps round.
		await env.CACHE.delete(ORPHAN_SWEEP_POSITION_KEY);
		let deleted = 0;
		for (let run = 0; run < 100; run++) {
			deleted += (await sweepOrphanedObjects(env, now, page)).deleted;
			if ((await env.CACHE.get(ORPHAN_SWEEP_POSITION_KEY)) === "") return deleted;
		}
		throw new Error("the walk never reached the end of the bucket");
	};

	it("deletes an orphan older than a day; keeps every object a row names, whatever its status", async () => {
		const me = await member();
		const kept = await upload(me, jpeg(), "image/jpeg");
		const keptKey = (await rowOf(kept.id))?.object_key ?? "";
		const lost = await orphan("0a-orphan-old");
		expect(await walkWholeBucket(later(), 100)).toBeGreaterThanOrEqual(1);
		expect(await env.MEDIA.head(lost)).toBeNull();
		expect(await env.MEDIA.head(keptKey)).not.toBeNull();
		expect(await rowOf(kept.id)).toMatchObject({ status: "ready" });
	});

	it("keeps an orphan younger than a day: its upload may still be writing the row", async () => {
		const young = await orphan("0b-orphan-young");
		await walkWholeBucket(new Date(), 100);
		expect(await env.MEDIA.head(young)).not.toBeNull();
		await walkWholeBucket(later(), 100);
		expect(await env.MEDIA.head(young)).toBeNull();
	});

	it("walks the bucket a page a run, from where the last run stopped, and starts again at the end", async () => {
		const keys = await Promise.all(["1a", "1b", "1c", "1d", "1e"].map((name) => orphan(`${name}-walk`)));
		await env.CACHE.delete(ORPHAN_SWEEP_POSITION_KEY);
		const first = await sweepOrphanedObjects(env, later(), 2);
		expect(first.listed).toBe(2);
		const position = await env.CACHE.get(ORPHAN_SWEEP_POSITION_KEY);
		expect(position).toBeTruthy();
		// The next run goes on after that key, not from the start again.
		await sweepOrphanedObjects(env, later(), 2);
		expect((await env.CACHE.get(ORPHAN_SWEEP_POSITION_KEY)) ?? "").not.toBe(position);
		await walkWholeBucket(later(), 2);
		for (const key of keys) expect(await env.MEDIA.head(key)).toBeNull();
		// Idempotent: a walk over a clean bucket deletes nothing.
		expect(await walkWholeBucket(later(), 2)).toBe(0);
	});
});
