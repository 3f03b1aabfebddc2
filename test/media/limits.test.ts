/**
 * The limits of an upload: pixels (decompression bombs), file size per trust level — refused from
 * Content-Length before the body is read, and by counting a chunked body as it streams — video only from
 * growing up, and the daily allowance of uploads and bytes (deleting an upload gives nothing back).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { expectProblem, expectStatus } from "../support/api";
import { concat, gif, jpeg, mp4, png, webm, webp } from "./fixtures";
import { fetchMedia, member, upload, uploadRequest } from "./helpers";

const MB = 1024 * 1024;

/** A JPEG of about `size` bytes: comment segments (stripped on upload) before the image. */
function jpegOfSize(size: number): Uint8Array {
	const image = jpeg();
	const parts: Uint8Array[] = [image.subarray(0, 2)];
	let left = size - image.length;
	while (left > 4) {
		const length = Math.min(65_535, left - 2);
		const comment = new Uint8Array(length + 2);
		comment.set([0xff, 0xfe, length >> 8, length & 0xff]);
		parts.push(comment);
		left -= length + 2;
	}
	parts.push(image.subarray(2));
	return concat(...parts);
}

describe("decompression bombs", () => {
	it.each([
		["a JPEG 10,000 px wide", jpeg({ width: 10_000, height: 8 }), "image/jpeg"],
		["a PNG of 7,000 × 7,000 (49 MP)", png({ width: 7_000, height: 7_000 }), "image/png"],
		["a WebP canvas 9,000 px tall", webp({ canvas: { width: 1, height: 9_000 } }), "image/webp"],
		["a GIF 8,001 px wide", gif({ width: 8_001 }), "image/gif"],
	])("%s → 422, nothing stored", async (_, body, type) => {
		const owner = await member("flourishing");
		const problem = await expectProblem(await uploadRequest(owner, body, type), 422);
		expect(problem.type).toBe("urn:flourish:problem:image-too-large");
		const stored = await env.DB.prepare("SELECT count(*) AS n FROM media WHERE owner_id = ?")
			.bind(owner.id)
			.first();
		expect(stored).toEqual({ n: 0 });
	});

	it("8,000 × 5,000 (exactly 40 MP) is accepted", async () => {
		const owner = await member("flourishing");
		expect(await upload(owner, png({ width: 8_000, height: 5_000 }), "image/png")).toMatchObject({
			width: 8_000,
			height: 5_000,
		});
	});
});

describe("file size per trust level", () => {
	it("new_sprout: an image over 2 MB → 413 from Content-Length; 2 MB is fine", async () => {
		const sprout = await member("new_sprout");
		const problem = await expectProblem(
			await uploadRequest(sprout, jpegOfSize(2 * MB + 1), "image/jpeg"),
			413,
		);
		expect(problem).toMatchObject({ type: "urn:flourish:problem:too-large", limit: 2 * MB });
		await upload(sprout, jpegOfSize(2 * MB), "image/jpeg");
	});

	it("growing may send a 3 MB image that new_sprout may not", async () => {
		const grower = await member("growing");
		const created = await upload(grower, jpegOfSize(3 * MB), "image/jpeg");
		// The comments were metadata: the stored file is the image alone.
		expect(created.bytes).toBeLessThan(1_000);
	});

	it("new_sprout may not upload video (403); growing may", async () => {
		const sprout = await member("new_sprout");
		for (const [body, type] of [
			[mp4(), "video/mp4"],
			[webm(), "video/webm"],
		] as const) {
			const problem = await expectProblem(await uploadRequest(sprout, body, type), 403);
			expect(problem.detail).toContain("growing");
		}
		await upload(await member("growing"), mp4(), "video/mp4");
	});

	it("a Content-Length past every limit → 413 at once", async () => {
		const owner = await member("flourishing");
		const response = await uploadRequest(owner, jpeg(), "image/jpeg", {
			headers: { "Content-Length": String(10 ** 12) },
		});
		expect(response.status).toBe(413);
	});

	it("a chunked body is counted as it streams and cut off past the limit, not read whole", async () => {
		const sprout = await member("new_sprout");
		const chunk = new Uint8Array(256 * 1024);
		chunk.set(jpeg().subarray(0, 2));
		let pulled = 0;
		// 40 MB on offer: far past new_sprout's 2 MB.
		const endless = new ReadableStream<Uint8Array>({
			pull(controller) {
				if (pulled >= 40 * MB) return controller.close();
				pulled += chunk.length;
				controller.enqueue(chunk.slice());
			},
		});
		const problem = await expectProblem(await uploadRequest(sprout, endless, "image/jpeg"), 413);
		expect(problem.type).toBe("urn:flourish:problem:too-large");
		expect(pulled).toBeLessThan(4 * MB);
	});
});

describe("the daily allowance", () => {
	it("new_sprout: 10 uploads a day; the 11th → 429 media_uploads with Retry-After; deleting gives none back", async () => {
		const sprout = await member("new_sprout");
		const first = await upload(sprout, jpeg(), "image/jpeg");
		for (let i = 1; i < 10; i++) await upload(sprout, png(), "image/png");
		await expectStatus(await fetchMedia(sprout, first.id, {}, "DELETE"), 204);
		const response = await uploadRequest(sprout, jpeg(), "image/jpeg");
		const problem = await expectProblem(response, 429);
		expect(problem).toMatchObject({
			type: "urn:flourish:problem:daily-limit",
			limit_kind: "media_uploads",
			limit: 10,
		});
		expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
		// Higher levels multiply it: growing has 20.
		const grower = await member("growing");
		for (let i = 0; i < 11; i++) await upload(grower, png(), "image/png");
	});

	it("bytes a day: past 25 MB for new_sprout → 429 media_bytes", async () => {
		const sprout = await member("new_sprout");
		// Today's earlier uploads, as their rows would say (24.9 MB of them).
		await env.DB.prepare(
			"INSERT INTO media (id, owner_id, object_key, content_type, bytes, sha256, status, created_at) VALUES (?, ?, ?, 'image/jpeg', ?, 'x', 'deleted', ?)",
		)
			.bind(
				crypto.randomUUID(),
				sprout.id,
				`m/${crypto.randomUUID()}`,
				25 * MB - 100,
				new Date().toISOString(),
			)
			.run();
		const problem = await expectProblem(await uploadRequest(sprout, jpegOfSize(200_000), "image/jpeg"), 429);
		expect(problem).toMatchObject({ limit_kind: "media_bytes", limit: 25 * MB });
		// What is counted is what is stored (stripped): a small file still fits.
		expect((await upload(sprout, png(), "image/png")).bytes).toBeLessThan(100);
	});

	it("yesterday's uploads do not count today", async () => {
		const sprout = await member("new_sprout");
		const yesterday = new Date(Date.now() - 86_400_000).toISOString();
		for (let i = 0; i < 10; i++) {
			await env.DB.prepare(
				"INSERT INTO media (id, owner_id, object_key, content_type, bytes, sha256, created_at) VALUES (?, ?, ?, 'image/png', 50, 'x', ?)",
			)
				.bind(crypto.randomUUID(), sprout.id, `m/${crypto.randomUUID()}`, yesterday)
				.run();
		}
		await upload(sprout, png(), "image/png");
	});
});
