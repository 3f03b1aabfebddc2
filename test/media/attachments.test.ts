/**
 * Uploads attached to posts: once, by their uploader, of the post's kind, in the post's own batch; the bytes
 * visible to whoever may see the post (public ones to anyone, edge-cacheable and embeddable cross-origin), gone
 * with a hidden, removed or deleted post for everyone but guardians (its author included), deleted from R2 with it.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { connect, createPost, makeGroup, type Post, setModerationStatus } from "../flourish/helpers";
import { call, expectProblem, expectStatus } from "../support/api";
import { jpeg, mp4, png } from "./fixtures";
import { fetchMedia, member, upload } from "./helpers";

const postWith = (user: Awaited<ReturnType<typeof member>>, body: Record<string, unknown>) =>
	call("POST", "/api/v1/flourish/posts", { token: user.token, body: { type: "image", body: "", ...body } });

const rowOf = (id: string) =>
	env.DB.prepare("SELECT attached_kind, attached_id, status, object_key FROM media WHERE id = ?")
		.bind(id)
		.first<{
			attached_kind: string | null;
			attached_id: string | null;
			status: string;
			object_key: string;
		}>();

describe("attaching uploads to a post", () => {
	it("attaches my uploads once, in my order, and presents them as objects", async () => {
		const author = await member("flourishing");
		const a = await upload(author, jpeg(), "image/jpeg", "alt=A%20hill");
		const b = await upload(author, png(), "image/png");
		const post = await createPost(author, { type: "image", body: "", media_ids: [b.id, a.id] });
		expect(post.media_urls).toEqual([b.url, a.url]);
		expect(post.media).toEqual([
			expect.objectContaining({ id: b.id, url: b.url, content_type: "image/png", alt: null }),
			expect.objectContaining({
				id: a.id,
				url: a.url,
				content_type: "image/jpeg",
				alt: "A hill",
				width: a.width,
			}),
		]);
		expect(await rowOf(a.id)).toMatchObject({ attached_kind: "post", attached_id: post.id });
		// Read back through the feed and the post itself, the same objects.
		const read = await expectStatus<Post>(
			await call("GET", `/api/v1/flourish/posts/${post.id}`, { token: author.token }),
			200,
		);
		expect(read.media.map((item) => item.id)).toEqual([b.id, a.id]);
		// Twice: 409, and nothing of the second post was written.
		const again = await expectProblem(await postWith(author, { media_ids: [a.id] }), 409);
		expect(again.detail).toMatch(/attached/);
		// An attached upload cannot be deleted on its own.
		await expectProblem(await call("DELETE", `/api/v1/media/${a.id}`, { token: author.token }), 409);
	});

	it("refuses someone else's upload (422, as for a missing id) and writes nothing", async () => {
		const owner = await member("flourishing");
		const thief = await member("flourishing");
		const theirs = await upload(owner, jpeg(), "image/jpeg");
		const before = await env.DB.prepare("SELECT count(*) AS n FROM posts WHERE author_id = ?")
			.bind(thief.id)
			.first<{ n: number }>();
		const problem = await expectProblem(await postWith(thief, { media_ids: [theirs.id] }), 422);
		expect(problem.errors?.[0]?.field).toBe("body/media_ids/0");
		const missing = await expectProblem(await postWith(thief, { media_ids: [crypto.randomUUID()] }), 422);
		expect(missing.errors?.[0]?.message).toBe(problem.errors?.[0]?.message);
		const after = await env.DB.prepare("SELECT count(*) AS n FROM posts WHERE author_id = ?")
			.bind(thief.id)
			.first<{ n: number }>();
		expect(after?.n).toBe(before?.n);
		expect(await rowOf(theirs.id)).toMatchObject({ attached_kind: null });
	});

	it("refuses a video in an image post, an image in a video post and a mix (422), rolling the batch back", async () => {
		const author = await member("flourishing");
		const photo = await upload(author, jpeg(), "image/jpeg");
		const clip = await upload(author, mp4(), "video/mp4");
		const mixed = await expectProblem(await postWith(author, { media_ids: [photo.id, clip.id] }), 422);
		expect(mixed.errors?.[0]?.field).toBe("body/media_ids/1");
		await expectProblem(await postWith(author, { type: "video", media_ids: [photo.id] }), 422);
		await expectProblem(await postWith(author, { type: "video", media_ids: [clip.id, photo.id] }), 422);
		// The photo was not left attached by the failed batch.
		expect(await rowOf(photo.id)).toMatchObject({ attached_kind: null });
		await createPost(author, { type: "image", body: "", media_ids: [photo.id] });
	});

	it("an edit replaces the list: new ones attached, dropped ones detached", async () => {
		const author = await member("flourishing");
		const a = await upload(author, jpeg(), "image/jpeg");
		const b = await upload(author, jpeg(), "image/jpeg");
		const post = await createPost(author, { type: "image", body: "", media_ids: [a.id] });
		const edited = await expectStatus<Post>(
			await call("PATCH", `/api/v1/flourish/posts/${post.id}`, {
				token: author.token,
				body: { media_ids: [b.id] },
			}),
			200,
		);
		expect(edited.media.map((item) => item.id)).toEqual([b.id]);
		expect(await rowOf(a.id)).toMatchObject({ attached_kind: null });
		expect(await rowOf(b.id)).toMatchObject({ attached_kind: "post", attached_id: post.id });
	});
});

describe("who sees a post's media", () => {
	it("a public post's photo: anyone, cacheable by the edge, embeddable cross-origin", async () => {
		const author = await member("flourishing");
		const photo = await upload(author, jpeg(), "image/jpeg");
		await createPost(author, { type: "image", body: "", media_ids: [photo.id] });
		for (const viewer of [undefined, await member()]) {
			const response = await fetchMedia(viewer, photo.id);
			expect(response.status).toBe(200);
			expect(response.headers.get("Cache-Control")).toMatch(/^public, max-age=\d+$/);
			expect(response.headers.get("Cross-Origin-Resource-Policy")).toBe("cross-origin");
			await response.arrayBuffer();
		}
	});

	it.each([
		["connections", "a connection"],
		["group", "a member"],
		["private", "nobody else"],
	] as const)(
		"a %s post's photo: %s sees it (private, no-store); a stranger gets 404",
		async (visibility, _who) => {
			const author = await member("flourishing");
			const friend = await member();
			const stranger = await member();
			const photo = await upload(author, jpeg(), "image/jpeg");
			const body: Record<string, unknown> = { type: "image", body: "", media_ids: [photo.id], visibility };
			if (visibility === "connections") await connect(author, friend);
			if (visibility === "group") body.group_id = await makeGroup(author, [friend]);
			await createPost(author, body);
			const own = await fetchMedia(author, photo.id);
			expect(own.status).toBe(200);
			expect(own.headers.get("Cache-Control")).toBe("private, no-store");
			expect(own.headers.get("Cross-Origin-Resource-Policy")).toBe("same-origin");
			await own.arrayBuffer();
			const friendSees = await fetchMedia(friend, photo.id);
			expect(friendSees.status).toBe(visibility === "private" ? 404 : 200);
			await friendSees.arrayBuffer();
			for (const outsider of [stranger, undefined]) {
				const response = await fetchMedia(outsider, photo.id);
				expect(response.status).toBe(404);
				await response.arrayBuffer();
			}
		},
	);

	it("a post hidden or removed by moderation: its photo is 404 to everyone, its author too, but guardians", async () => {
		for (const status of ["hidden", "removed"]) {
			const author = await member("flourishing");
			const guardian = await member("flourishing", "guardian");
			const photo = await upload(author, jpeg(), "image/jpeg");
			const post = await createPost(author, { type: "image", body: "", media_ids: [photo.id] });
			await setModerationStatus("posts", post.id, status);
			for (const outsider of [undefined, await member(), author]) {
				const response = await fetchMedia(outsider, photo.id);
				expect(response.status, status).toBe(404);
				await response.arrayBuffer();
			}
			const seen = await fetchMedia(guardian, photo.id);
			expect(seen.status).toBe(200);
			expect(seen.headers.get("Cache-Control")).toBe("private, no-store");
			await seen.arrayBuffer();
		}
	});

	it("deleting a post deletes its media: 404 for everyone, the R2 object gone", async () => {
		const author = await member("flourishing");
		const guardian = await member("flourishing", "guardian");
		const photo = await upload(author, jpeg(), "image/jpeg");
		const post = await createPost(author, { type: "image", body: "", media_ids: [photo.id] });
		const key = (await rowOf(photo.id))?.object_key ?? "";
		expect(await env.MEDIA.head(key)).not.toBeNull();
		expect((await call("DELETE", `/api/v1/flourish/posts/${post.id}`, { token: author.token })).status).toBe(
			204,
		);
		expect(await rowOf(photo.id)).toMatchObject({ status: "deleted" });
		expect(await env.MEDIA.head(key)).toBeNull();
		for (const viewer of [author, guardian, undefined]) {
			const response = await fetchMedia(viewer, photo.id);
			expect(response.status).toBe(404);
			await response.arrayBuffer();
		}
	});
});

describe("anonymous content never carries media", () => {
	it("an anonymous Sunlight share and an anonymous support request refuse media (422); the upload stays unattached", async () => {
		const person = await member("flourishing");
		const photo = await upload(person, jpeg(), "image/jpeg");
		await expectProblem(
			await call("POST", "/api/v1/sunlight", {
				token: person.token,
				body: { share_type: "gratitude", body: "Thankful today", anonymous: true, media_ids: [photo.id] },
			}),
			422,
		);
		await expectProblem(
			await call("POST", "/api/v1/support/requests", {
				token: person.token,
				body: {
					title: "A hard week",
					body: "I could use someone to talk to.",
					category: "other",
					media_ids: [photo.id],
				},
			}),
			422,
		);
		expect(await rowOf(photo.id)).toMatchObject({ attached_kind: null, status: "ready" });
	});
});
