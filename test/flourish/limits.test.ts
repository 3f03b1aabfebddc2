/**
 * The Trust section's per-level limits on content: posts and sunlight shares share one daily allowance,
 * comments have their own, media and links per post are capped — answered as 429/422 problem+json that
 * name the limit (and, for daily limits, when it resets).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { jpeg } from "../media/fixtures";
import { upload } from "../media/helpers";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";
import { createPost } from "./helpers";

describe("daily limits", () => {
	it("allows a new_sprout 5 posts and shares a day in total; the next is 429 naming the limit and reset", async () => {
		const sprout = await signUp("quota-sprout");
		for (let i = 0; i < 3; i++) await createPost(sprout, { body: `Post ${i}` });
		for (let i = 0; i < 2; i++) {
			await expectStatus(
				await call("POST", "/api/v1/sunlight", {
					token: sprout.token,
					body: { share_type: "gratitude", body: `Thankful ${i}` },
				}),
				201,
			);
		}
		const response = await call("POST", "/api/v1/flourish/posts", {
			token: sprout.token,
			body: { type: "text", body: "One too many" },
		});
		const problem = await expectProblem(response, 429);
		expect(problem).toMatchObject({ limit_kind: "posts", limit: 5 });
		expect(problem.detail).toContain("new_sprout");
		expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
		expect((problem as { resets_at?: string }).resets_at).toMatch(/T00:00:00\.000Z$/);
		await expectProblem(
			await call("POST", "/api/v1/sunlight", {
				token: sprout.token,
				body: { share_type: "win", body: "Also no" },
			}),
			429,
		);
		const posts = await env.DB.prepare("SELECT count(*) AS n FROM posts WHERE author_id = ?")
			.bind(sprout.id)
			.first<{ n: number }>();
		expect(posts?.n).toBe(3);
	});

	it("doubles the allowance at growing", async () => {
		const growing = await signUp("quota-growing");
		await setUserColumns(growing.id, { trust_level: "growing" });
		for (let i = 0; i < 10; i++) await createPost(growing, { body: `Post ${i}` });
		const problem = await expectProblem(
			await call("POST", "/api/v1/flourish/posts", {
				token: growing.token,
				body: { type: "text", body: "11th" },
			}),
			429,
		);
		expect(problem).toMatchObject({ limit_kind: "posts", limit: 10 });
	});

	it("allows a new_sprout 20 comments a day; the 21st is 429", async () => {
		const sprout = await signUp("comment-quota");
		const post = await createPost(sprout);
		for (let i = 0; i < 20; i++) {
			await expectStatus(
				await call("POST", `/api/v1/flourish/posts/${post.id}/comments`, {
					token: sprout.token,
					body: { body: `Comment ${i}` },
				}),
				201,
			);
		}
		const problem = await expectProblem(
			await call("POST", `/api/v1/flourish/posts/${post.id}/comments`, {
				token: sprout.token,
				body: { body: "21st" },
			}),
			429,
		);
		expect(problem).toMatchObject({ limit_kind: "comments", limit: 20 });
	});

	it("does not count a post that failed validation", async () => {
		const sprout = await signUp("quota-refund");
		for (let i = 0; i < 6; i++) {
			await expectProblem(
				await call("POST", "/api/v1/flourish/posts", {
					token: sprout.token,
					body: { type: "text", body: "Hi", visibility: "group", group_id: crypto.randomUUID() },
				}),
				422,
			);
		}
		await createPost(sprout);
	});
});

describe("per-post caps", () => {
	it("allows a new_sprout 1 upload per post (422 naming the limit for 2); growing may attach 2", async () => {
		const sprout = await signUp("media-sprout");
		const upload_ = () => upload(sprout, jpeg(), "image/jpeg").then((item) => item.id);
		const media = [await upload_(), await upload_()];
		const problem = await expectProblem(
			await call("POST", "/api/v1/flourish/posts", {
				token: sprout.token,
				body: { type: "image", media_ids: media },
			}),
			422,
		);
		expect(problem).toMatchObject({ limit_kind: "media_per_post", limit: 1 });
		expect(problem.errors?.[0]?.field).toBe("body/media_ids");
		await createPost(sprout, { type: "image", media_ids: [await upload_()] });
		await setUserColumns(sprout.id, { trust_level: "growing" });
		await createPost(sprout, { type: "image", media_ids: media });
	});

	it("allows a new_sprout 2 links per post; 3 is 422 naming the limit, in posts, comments and shares", async () => {
		const sprout = await signUp("link-sprout");
		const three = "See https://a.example and https://b.example and www.c.example";
		const two = "See https://a.example and https://b.example";
		const postProblem = await expectProblem(
			await call("POST", "/api/v1/flourish/posts", {
				token: sprout.token,
				body: { type: "text", body: three },
			}),
			422,
		);
		expect(postProblem).toMatchObject({ limit_kind: "links_per_post", limit: 2 });
		const post = await createPost(sprout, { body: two });
		await expectProblem(
			await call("POST", `/api/v1/flourish/posts/${post.id}/comments`, {
				token: sprout.token,
				body: { body: three },
			}),
			422,
		);
		await expectProblem(
			await call("POST", "/api/v1/sunlight", {
				token: sprout.token,
				body: { share_type: "win", body: three },
			}),
			422,
		);
		await expectProblem(
			await call("PATCH", `/api/v1/flourish/posts/${post.id}`, {
				token: sprout.token,
				body: { body: three },
			}),
			422,
		);
	});
});
