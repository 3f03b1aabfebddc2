/**
 * Serving and managing uploads: the headers that keep bytes inert (nosniff, inline, a CSP without script),
 * ETag and 304, byte ranges (206, 416, If-Range), HEAD; who may see an unattached upload (its uploader only:
 * anyone else gets exactly the 404 of a missing id); alt edits and deletion by the owner only; an attached
 * upload cannot be deleted.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus } from "../support/api";
import { jpeg, png } from "./fixtures";
import { bytesOf, fetchMedia, member, upload } from "./helpers";

async function stored() {
	const owner = await member();
	const original = png({ width: 6, height: 5 });
	const created = await upload(owner, original, "image/png");
	const full = await bytesOf(await fetchMedia(owner, created.id));
	return { owner, created, full };
}

describe("the bytes and their headers", () => {
	it("type, length, ETag, nosniff, inline, a CSP with no script, and never cached", async () => {
		const { owner, created } = await stored();
		const response = await fetchMedia(owner, created.id);
		expect(response.status).toBe(200);
		const h = response.headers;
		expect(h.get("Content-Type")).toBe("image/png");
		expect(h.get("Content-Length")).toBe(String(created.bytes));
		expect(h.get("ETag")).toMatch(/^"[0-9a-f]{64}"$/);
		expect(h.get("X-Content-Type-Options")).toBe("nosniff");
		expect(h.get("Content-Disposition")).toBe("inline");
		expect(h.get("Content-Security-Policy")).toContain("default-src 'none'");
		expect(h.get("Content-Security-Policy")).toContain("sandbox");
		expect(h.get("Content-Security-Policy")).not.toContain("script-src");
		expect(h.get("Cache-Control")).toBe("private, no-store");
		expect(h.get("Accept-Ranges")).toBe("bytes");
		expect((await bytesOf(response)).length).toBe(created.bytes);
	});

	it("If-None-Match with the ETag (strong, weak or in a list) → 304 without a body; another tag → 200", async () => {
		const { owner, created } = await stored();
		const etag = (await fetchMedia(owner, created.id)).headers.get("ETag") as string;
		for (const header of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
			const response = await fetchMedia(owner, created.id, { "If-None-Match": header });
			expect(response.status).toBe(304);
			expect(response.headers.get("ETag")).toBe(etag);
			expect(await response.text()).toBe("");
		}
		expect((await fetchMedia(owner, created.id, { "If-None-Match": '"stale"' })).status).toBe(200);
	});

	it("Range: a-b, a- and -n → 206 with the slice and Content-Range", async () => {
		const { owner, created, full } = await stored();
		const size = created.bytes;
		for (const [range, from, to] of [
			["bytes=0-9", 0, 9],
			["bytes=10-", 10, size - 1],
			["bytes=-5", size - 5, size - 1],
			[`bytes=3-${size + 100}`, 3, size - 1],
		] as const) {
			const response = await fetchMedia(owner, created.id, { Range: range });
			expect(response.status, range).toBe(206);
			expect(response.headers.get("Content-Range")).toBe(`bytes ${from}-${to}/${size}`);
			expect(response.headers.get("Content-Length")).toBe(String(to - from + 1));
			expect(await bytesOf(response)).toEqual(full.subarray(from, to + 1));
		}
	});

	it("a range outside the file → 416 problem with Content-Range bytes */size", async () => {
		const { owner, created } = await stored();
		for (const range of [
			`bytes=${created.bytes}-`,
			`bytes=${created.bytes + 10}-${created.bytes + 20}`,
			"bytes=-0",
		]) {
			const response = await fetchMedia(owner, created.id, { Range: range });
			expect(response.headers.get("Content-Range")).toBe(`bytes */${created.bytes}`);
			await expectProblem(response, 416);
		}
	});

	it("ranges it does not serve (several, another unit, malformed) and a stale If-Range → the whole file", async () => {
		const { owner, created, full } = await stored();
		const cases: Array<Record<string, string>> = [
			{ Range: "bytes=0-1,4-5" },
			{ Range: "items=0-1" },
			{ Range: "bytes=9-2" },
			{ Range: "bytes=0-4", "If-Range": '"stale"' },
		];
		for (const headers of cases) {
			const response = await fetchMedia(owner, created.id, headers);
			expect(response.status).toBe(200);
			expect(await bytesOf(response)).toEqual(full);
		}
		const etag = (await fetchMedia(owner, created.id)).headers.get("ETag") as string;
		expect((await fetchMedia(owner, created.id, { Range: "bytes=0-4", "If-Range": etag })).status).toBe(206);
	});

	it("HEAD answers the headers alone", async () => {
		const { owner, created } = await stored();
		const response = await fetchMedia(owner, created.id, {}, "HEAD");
		expect(response.status).toBe(200);
		expect(response.headers.get("Content-Type")).toBe("image/png");
		expect(await response.text()).toBe("");
	});
});

/** A 404 as a client sees it, without what differs per request anyway (its id, its path, the D1 bookmark). */
async function notFoundShape(response: Response) {
	const body = await expectProblem(response, 404);
	const { request_id: _id, instance: _path, ...rest } = body as typeof body & { instance?: string };
	const headers = [...response.headers.entries()].filter(
		([name]) => !["x-request-id", "content-length", "x-d1-bookmark"].includes(name),
	);
	return { rest, headers };
}

describe("who may see an unattached upload", () => {
	it("its uploader only: a stranger and an anonymous caller get exactly the 404 of a missing id", async () => {
		const { created } = await stored();
		const stranger = await member("flourishing");
		const guardian = await member("flourishing", "guardian");
		const missing = crypto.randomUUID();
		expect(await notFoundShape(await fetchMedia(stranger, created.id))).toEqual(
			await notFoundShape(await fetchMedia(stranger, missing)),
		);
		expect(await notFoundShape(await fetchMedia(undefined, created.id))).toEqual(
			await notFoundShape(await fetchMedia(undefined, missing)),
		);
		await expectProblem(await fetchMedia(guardian, created.id), 404);
		// Not even a 304 for someone else holding the right tag.
		const response = await fetchMedia(stranger, created.id, { "If-None-Match": "*" });
		expect(response.status).toBe(404);
	});

	it("a malformed id → 422", async () => {
		const owner = await member();
		await expectProblem(await fetchMedia(owner, "not-a-uuid"), 422);
	});

	it("attached to a kind with no rule yet: shown to no one, its owner included (the rule fails closed)", async () => {
		const { owner, created } = await stored();
		await env.DB.prepare("UPDATE media SET attached_kind = 'post', attached_id = ? WHERE id = ?")
			.bind(crypto.randomUUID(), created.id)
			.run();
		await expectProblem(await fetchMedia(owner, created.id), 404);
	});
});

describe("alt text", () => {
	it("the owner sets and clears it; anyone else gets 404; no token 401; bad alt 422", async () => {
		const { owner, created } = await stored();
		const path = `/api/v1/media/${created.id}`;
		const set = await expectStatus<{ alt: string | null }>(
			await call("PATCH", path, { token: owner.token, body: { alt: "Six by five grey pixels" } }),
			200,
		);
		expect(set.alt).toBe("Six by five grey pixels");
		expect(
			await expectStatus<{ alt: string | null }>(
				await call("PATCH", path, { token: owner.token, body: { alt: null } }),
				200,
			),
		).toMatchObject({ alt: null });
		const stranger = await member();
		await expectProblem(await call("PATCH", path, { token: stranger.token, body: { alt: "mine now" } }), 404);
		await expectProblem(await call("PATCH", path, { body: { alt: "anyone" } }), 401);
		for (const body of [
			{ alt: "x".repeat(1501) },
			{ alt: "tab\there" },
			{ alt: "ok", owner_id: stranger.id },
			{},
		]) {
			await expectProblem(await call("PATCH", path, { token: owner.token, body }), 422);
		}
		const row = await env.DB.prepare("SELECT alt, owner_id FROM media WHERE id = ?").bind(created.id).first();
		expect(row).toEqual({ alt: null, owner_id: owner.id });
	});
});

describe("deleting", () => {
	it("the owner deletes an unattached upload: 204, its bytes gone from R2, then 404", async () => {
		const { owner, created } = await stored();
		const row = await env.DB.prepare("SELECT object_key FROM media WHERE id = ?")
			.bind(created.id)
			.first<{ object_key: string }>();
		const stranger = await member();
		await expectProblem(await call("DELETE", `/api/v1/media/${created.id}`, { token: stranger.token }), 404);
		await expectProblem(await call("DELETE", `/api/v1/media/${created.id}`), 401);
		expect(await env.MEDIA.head(row?.object_key as string)).not.toBeNull();

		expect((await call("DELETE", `/api/v1/media/${created.id}`, { token: owner.token })).status).toBe(204);
		expect(await env.MEDIA.head(row?.object_key as string)).toBeNull();
		await expectProblem(await fetchMedia(owner, created.id), 404);
		await expectProblem(await call("DELETE", `/api/v1/media/${created.id}`, { token: owner.token }), 404);
		await expectProblem(
			await call("PATCH", `/api/v1/media/${created.id}`, { token: owner.token, body: { alt: "back?" } }),
			404,
		);
	});

	it("an attached upload → 409 for its owner (404 for others), and stays", async () => {
		const owner = await member();
		const created = await upload(owner, jpeg(), "image/jpeg");
		await env.DB.prepare("UPDATE media SET attached_kind = 'post', attached_id = ? WHERE id = ?")
			.bind(crypto.randomUUID(), created.id)
			.run();
		await expectProblem(await call("DELETE", `/api/v1/media/${created.id}`, { token: owner.token }), 409);
		await expectProblem(
			await call("DELETE", `/api/v1/media/${created.id}`, { token: (await member()).token }),
			404,
		);
		const row = await env.DB.prepare("SELECT status FROM media WHERE id = ?").bind(created.id).first();
		expect(row).toEqual({ status: "ready" });
	});
});
