/**
 * Uploading: every accepted type stored and described (dimensions, duration), metadata removed before the
 * bytes are stored (GPS EXIF, XMP, IPTC, PNG text, WebP EXIF/XMP, GIF comments, video location boxes), the
 * declared type held to the file's magic bytes, and bad input refused with a problem, never a 500.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { inspect, sniff } from "../../src/lib/media-files";
import { call, expectProblem, expectStatus } from "../support/api";
import {
	contains,
	GPS_LATITUDE,
	gif,
	HTML_PAGE,
	jpeg,
	mp4,
	png,
	SECRET_TEXT,
	webm,
	webp,
	XMP_MARKER,
} from "./fixtures";
import { bytesOf, fetchMedia, member, upload, uploadRequest } from "./helpers";

/** Marks of metadata that must be gone from what is served. */
function expectNoMetadata(bytes: Uint8Array) {
	expect(contains(bytes, "Exif\0\0")).toBe(false);
	expect(contains(bytes, SECRET_TEXT)).toBe(false);
	expect(contains(bytes, XMP_MARKER)).toBe(false);
	expect(contains(bytes, "GPSLatitude")).toBe(false);
	expect(contains(bytes, "PhoneCo")).toBe(false);
	// The GPS IFD's latitude seconds (2677/100) as the rational it was stored as.
	expect(
		contains(
			bytes,
			Uint8Array.from([0, 0, (GPS_LATITUDE[2] >> 8) & 0xff, GPS_LATITUDE[2] & 0xff, 0, 0, 0, 100]),
		),
	).toBe(false);
}

describe("uploading each type", () => {
	it("a JPEG with GPS EXIF, XMP, IPTC and a comment: stored without them, same size, still a JPEG", async () => {
		const owner = await member();
		const original = jpeg({
			width: 24,
			height: 16,
			exif: true,
			xmp: true,
			iptc: true,
			comment: true,
			trailer: true,
		});
		expect(contains(original, SECRET_TEXT)).toBe(true);
		const created = await upload(owner, original, "image/jpeg", "alt=A%20grey%20square");
		expect(created).toMatchObject({
			content_type: "image/jpeg",
			width: 24,
			height: 16,
			duration_s: null,
			alt: "A grey square",
			url: `/api/v1/media/${created.id}`,
		});
		const served = await bytesOf(await fetchMedia(owner, created.id));
		expect(served.length).toBe(created.bytes);
		expect(served.length).toBeLessThan(original.length);
		expectNoMetadata(served);
		expect(sniff(served)).toBe("image/jpeg");
		expect(inspect("image/jpeg", served)).toMatchObject({ width: 24, height: 16 });
		// JFIF (decoding needs it) is kept.
		expect(contains(served, "JFIF\0")).toBe(true);
		// The stored row's hash is of the stored bytes.
		const row = await env.DB.prepare("SELECT sha256, bytes, object_key FROM media WHERE id = ?")
			.bind(created.id)
			.first<{ sha256: string; bytes: number; object_key: string }>();
		const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", served));
		expect(row?.sha256).toBe(Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""));
		expect(row?.object_key).toMatch(/^m\/[0-9a-f]{32}$/);
	});

	it("a JPEG turned on its side keeps only its orientation, in a minimal EXIF with no GPS", async () => {
		const owner = await member();
		const created = await upload(owner, jpeg({ exif: true, orientation: 6 }), "image/jpeg");
		const served = await bytesOf(await fetchMedia(owner, created.id));
		expect(contains(served, SECRET_TEXT)).toBe(false);
		expect(contains(served, "PhoneCo")).toBe(false);
		// One IFD entry: tag 0x0112, SHORT, value 6 — and nothing else of the EXIF block.
		expect(contains(served, Uint8Array.from([0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0, 6]))).toBe(true);
		expect(contains(served, Uint8Array.from([0x88, 0x25]))).toBe(false);
		expect(inspect("image/jpeg", served)).toMatchObject({ width: 16, height: 16 });
	});

	it("an ICC profile is kept (colours), with the JPEG otherwise stripped", async () => {
		const owner = await member();
		const created = await upload(owner, jpeg({ icc: true, exif: true }), "image/jpeg");
		const served = await bytesOf(await fetchMedia(owner, created.id));
		expect(contains(served, "ICC_PROFILE\0")).toBe(true);
		expectNoMetadata(served);
	});

	it("a PNG with tEXt, zTXt, iTXt (XMP), eXIf (GPS) and tIME: stored without them", async () => {
		const owner = await member();
		const original = png({ width: 5, height: 4, metadata: true });
		const created = await upload(owner, original, "image/png");
		expect(created).toMatchObject({ content_type: "image/png", width: 5, height: 4 });
		const served = await bytesOf(await fetchMedia(owner, created.id));
		expectNoMetadata(served);
		for (const chunk of ["tEXt", "zTXt", "iTXt", "eXIf", "tIME"]) expect(contains(served, chunk)).toBe(false);
		expect(contains(served, "gAMA")).toBe(true);
		expect(inspect("image/png", served)).toMatchObject({ width: 5, height: 4 });
	});

	it("a WebP with EXIF (GPS) and XMP chunks: stored without them, the VP8X flags cleared", async () => {
		const owner = await member();
		const created = await upload(owner, webp({ metadata: true }), "image/webp");
		expect(created).toMatchObject({ content_type: "image/webp", width: 1, height: 1 });
		const served = await bytesOf(await fetchMedia(owner, created.id));
		expectNoMetadata(served);
		expect(contains(served, "EXIF")).toBe(false);
		expect(contains(served, "XMP ")).toBe(false);
		// VP8X flags byte (after "VP8X" and its size): neither EXIF (0x08) nor XMP (0x04).
		expect((served[20] as number) & 0x0c).toBe(0);
		// The RIFF size is the file's.
		expect(new DataView(served.buffer).getUint32(4, true)).toBe(served.length - 8);
		expect(inspect("image/webp", served)).toMatchObject({ width: 1, height: 1 });
	});

	it("a simple (lossless) WebP and a GIF with a comment and XMP", async () => {
		const owner = await member();
		expect(await upload(owner, webp(), "image/webp")).toMatchObject({ width: 1, height: 1 });
		const created = await upload(owner, gif({ metadata: true }), "image/gif");
		expect(created).toMatchObject({ content_type: "image/gif", width: 1, height: 1 });
		const served = await bytesOf(await fetchMedia(owner, created.id));
		expect(contains(served, SECRET_TEXT)).toBe(false);
		expect(contains(served, "XMP DataXMP")).toBe(false);
		expect(contains(served, "NETSCAPE2.0")).toBe(true);
	});

	it("an MP4: duration and size from its headers; its location box blanked, its length unchanged", async () => {
		const owner = await member("growing");
		const original = mp4({ durationMs: 2500, width: 320, height: 240 });
		const created = await upload(owner, original, "video/mp4");
		expect(created).toMatchObject({ content_type: "video/mp4", duration_s: 2.5, width: 320, height: 240 });
		const served = await bytesOf(await fetchMedia(owner, created.id));
		expect(served.length).toBe(original.length);
		expect(contains(served, SECRET_TEXT)).toBe(false);
		expect(contains(served, "udta")).toBe(false);
		expect(contains(served, "free")).toBe(true);
	});

	it("a WebM: duration and size from its headers; its Tags blanked", async () => {
		const owner = await member("growing");
		const created = await upload(owner, webm({ durationMs: 1500, width: 640, height: 360 }), "video/webm");
		expect(created).toMatchObject({ content_type: "video/webm", duration_s: 1.5, width: 640, height: 360 });
		const served = await bytesOf(await fetchMedia(owner, created.id));
		expect(contains(served, SECRET_TEXT)).toBe(false);
		expect(contains(served, "LOCATION")).toBe(false);
	});
});

describe("the declared type must be the file's", () => {
	it.each([
		["a PNG declared as JPEG", png(), "image/jpeg"],
		["a JPEG declared as PNG", jpeg(), "image/png"],
		["HTML declared as an image", HTML_PAGE, "image/png"],
		["HTML declared as a video", HTML_PAGE, "video/mp4"],
		["a GIF declared as WebP", gif(), "image/webp"],
		["a WebM declared as MP4", webm(), "video/mp4"],
	])("%s → 415", async (_, body, type) => {
		const owner = await member("growing");
		const problem = await expectProblem(await uploadRequest(owner, body, type), 415);
		expect(problem.type).toBe("urn:flourish:problem:unsupported-media-type");
	});

	it.each([
		["text/html", HTML_PAGE],
		["image/svg+xml", new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>")],
		["application/json", new TextEncoder().encode("{}")],
		["image/heic", jpeg()],
	])("a type we do not take (%s) → 415, before the body is read", async (type, body) => {
		const owner = await member();
		await expectProblem(await uploadRequest(owner, body, type), 415);
	});

	it("no Content-Type at all → 415", async () => {
		const owner = await member();
		await expectProblem(await uploadRequest(owner, jpeg(), undefined), 415);
	});

	it("a Content-Type with parameters and odd case is read as its type", async () => {
		const owner = await member();
		expect(await upload(owner, jpeg(), "Image/JPEG; charset=binary")).toMatchObject({
			content_type: "image/jpeg",
		});
	});
});

describe("bad input is a problem, never a 500", () => {
	it("an empty body → 422", async () => {
		const owner = await member();
		const problem = await expectProblem(await uploadRequest(owner, new Uint8Array(0), "image/png"), 422);
		expect(problem.errors?.[0]?.field).toBe("body");
	});

	it("a truncated file → 422 unreadable, nothing stored", async () => {
		const owner = await member();
		for (const [body, type] of [
			[jpeg().subarray(0, 40), "image/jpeg"],
			[png().subarray(0, 30), "image/png"],
			[webp({ metadata: true }).subarray(0, 40), "image/webp"],
			[gif().subarray(0, 20), "image/gif"],
		] as const) {
			const problem = await expectProblem(await uploadRequest(owner, body, type), 422);
			expect(problem.type).toBe("urn:flourish:problem:unreadable-media");
		}
		const { results } = await env.DB.prepare("SELECT id FROM media WHERE owner_id = ?").bind(owner.id).all();
		expect(results).toEqual([]);
	});

	it("alt with control characters, too long, or only invisible characters → 422; a line break is fine", async () => {
		const owner = await member();
		for (const alt of ["bell\u0007here", "x".repeat(1501), "\u200b\u200b", "nul\u0000"]) {
			const problem = await expectProblem(
				await uploadRequest(owner, jpeg(), "image/jpeg", { query: `alt=${encodeURIComponent(alt)}` }),
				422,
			);
			expect(problem.errors?.[0]?.field).toBe("query/alt");
		}
		const ok = await upload(
			owner,
			jpeg(),
			"image/jpeg",
			`alt=${encodeURIComponent(`two\nlines ${"é".repeat(1400)}`)}`,
		);
		expect(ok.alt).toContain("two\nlines");
	});

	it("an unknown query parameter → 422", async () => {
		const owner = await member();
		const problem = await expectProblem(
			await uploadRequest(owner, jpeg(), "image/jpeg", { query: "name=x.jpg" }),
			422,
		);
		expect(problem.errors?.[0]?.field).toBe("query/name");
	});

	it("no token → 401; a suspended account → 403", async () => {
		await expectProblem(await uploadRequest(undefined, jpeg(), "image/jpeg"), 401);
		const suspended = await member();
		await env.DB.prepare("UPDATE users SET suspended_until = '2999-01-01T00:00:00.000Z' WHERE id = ?")
			.bind(suspended.id)
			.run();
		await expectProblem(await uploadRequest(suspended, jpeg(), "image/jpeg"), 403);
	});

	it("a retry with the same Idempotency-Key replays the upload; another file with it is 422", async () => {
		const owner = await member();
		const headers = { "Idempotency-Key": `media-${crypto.randomUUID()}` };
		const first = await expectStatus<{ id: string }>(
			await uploadRequest(owner, jpeg(), "image/jpeg", { headers }),
			201,
		);
		const again = await uploadRequest(owner, jpeg(), "image/jpeg", { headers });
		expect(again.headers.get("Idempotent-Replayed")).toBe("true");
		expect((await expectStatus<{ id: string }>(again, 201)).id).toBe(first.id);
		await expectProblem(
			await uploadRequest(owner, jpeg({ width: 8, height: 8 }), "image/jpeg", { headers }),
			422,
		);
	});

	it("JSON routes keep their 64 KiB limit", async () => {
		const owner = await member();
		const problem = await expectProblem(
			await call("PATCH", `/api/v1/media/${crypto.randomUUID()}`, {
				token: owner.token,
				rawBody: JSON.stringify({ alt: "x".repeat(70_000) }),
			}),
			413,
		);
		expect(problem.type).toBe("urn:flourish:problem:too-large");
	});
});
