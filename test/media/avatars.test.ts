/**
 * Avatars are uploads: an image of mine, attached to me, public to everyone while my account lives; the
 * profile's `avatar_url` is its URL; another avatar (or null) deletes the previous one from R2.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus } from "../support/api";
import { jpeg, mp4, png } from "./fixtures";
import { fetchMedia, member, upload } from "./helpers";

const ME = "/api/v1/users/me";
const keyOf = async (id: string) =>
	(await env.DB.prepare("SELECT object_key FROM media WHERE id = ?").bind(id).first<{ object_key: string }>())
		?.object_key ?? "";

describe("avatar_media_id", () => {
	it("sets my avatar: the profile's avatar_url is the upload's URL, public to anyone", async () => {
		const me = await member();
		const photo = await upload(me, png(), "image/png");
		const profile = await expectStatus(
			await call("PATCH", ME, { token: me.token, body: { avatar_media_id: photo.id } }),
			200,
		);
		expect(profile.avatar_url).toBe(photo.url);
		const other = await member();
		const theirs = await expectStatus(
			await call("GET", `/api/v1/users/${me.id}`, { token: other.token }),
			200,
		);
		expect(theirs.avatar_url).toBe(photo.url);
		for (const viewer of [undefined, other]) {
			const response = await fetchMedia(viewer, photo.id);
			expect(response.status).toBe(200);
			expect(response.headers.get("Cache-Control")).toMatch(/^public/);
			expect(response.headers.get("Cross-Origin-Resource-Policy")).toBe("cross-origin");
			await response.arrayBuffer();
		}
		// Setting the same one again changes nothing.
		await expectStatus(
			await call("PATCH", ME, { token: me.token, body: { avatar_media_id: photo.id } }),
			200,
		);
		expect((await fetchMedia(undefined, photo.id)).status).toBe(200);
	});

	it("replacing or clearing it deletes the previous one from R2", async () => {
		const me = await member();
		const first = await upload(me, jpeg(), "image/jpeg");
		const second = await upload(me, png(), "image/png");
		await expectStatus(
			await call("PATCH", ME, { token: me.token, body: { avatar_media_id: first.id } }),
			200,
		);
		const firstKey = await keyOf(first.id);
		expect(await env.MEDIA.head(firstKey)).not.toBeNull();
		await expectStatus(
			await call("PATCH", ME, { token: me.token, body: { avatar_media_id: second.id } }),
			200,
		);
		expect(await env.MEDIA.head(firstKey)).toBeNull();
		expect((await fetchMedia(me, first.id)).status).toBe(404);
		const cleared = await expectStatus(
			await call("PATCH", ME, { token: me.token, body: { avatar_media_id: null } }),
			200,
		);
		expect(cleared.avatar_url).toBeNull();
		expect(await env.MEDIA.head(await keyOf(second.id))).toBeNull();
	});

	it("refuses someone else's upload, a video, and one already attached", async () => {
		const me = await member("growing");
		const other = await member();
		const theirs = await upload(other, png(), "image/png");
		await expectProblem(
			await call("PATCH", ME, { token: me.token, body: { avatar_media_id: theirs.id } }),
			422,
		);
		const clip = await upload(me, mp4(), "video/mp4");
		await expectProblem(
			await call("PATCH", ME, { token: me.token, body: { avatar_media_id: clip.id } }),
			422,
		);
		const photo = await upload(me, png(), "image/png");
		await call("POST", "/api/v1/flourish/posts", {
			token: me.token,
			body: { type: "image", media_ids: [photo.id] },
		});
		await expectProblem(
			await call("PATCH", ME, { token: me.token, body: { avatar_media_id: photo.id } }),
			409,
		);
		const problem = await expectProblem(
			await call("PATCH", ME, { token: me.token, body: { avatar_url: "https://tracker.example/p.png" } }),
			422,
		);
		expect(JSON.stringify(problem.errors)).toContain("avatar_url");
	});
});
