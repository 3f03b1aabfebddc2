/**
 * A small journey an app makes, type-checked against the generated client (`npm run client:generate`) by
 * scripts/client.test.ts. The `@ts-expect-error` lines are the contract: if the document stopped saying
 * that something may be null, or that a field with a server default may be left out, they would fail.
 */
import createClient from "openapi-fetch";
import type { components, paths } from "../schema";

type Comment = components["schemas"]["Comment"];

/** Every display name in a comment thread; a removed comment has no author. */
export function authorsOf(comments: Comment[]): string[] {
	return comments.flatMap((comment) => [
		...(comment.author ? [comment.author.display_name] : []),
		// Replies are comments themselves, to any depth the server sends.
		...authorsOf(comment.replies),
	]);
}

export async function journey(baseUrl: string, token: string): Promise<void> {
	const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });

	// My Garden: a habit needs only a name and a category; the rest have server defaults.
	const { data: habit } = await api.POST("/api/v1/garden/habits", {
		body: { name: "Walk after lunch", category: "health" },
	});
	if (!habit) return;
	await api.POST("/api/v1/garden/habits/{habit_id}/logs", {
		params: { path: { habit_id: habit.id } },
		body: {},
	});

	// The feed and a thread.
	const { data: feed } = await api.GET("/api/v1/flourish/feed", { params: { query: { sort: "recent" } } });
	const post = feed?.data[0];
	if (!post) return;
	const { data: thread } = await api.GET("/api/v1/flourish/posts/{post_id}/comments", {
		params: { path: { post_id: post.id } },
	});
	const first = thread?.data[0];
	if (first) {
		// @ts-expect-error a removed comment's author is null
		console.log(first.author.display_name);
		console.log(first.author?.display_name ?? "[removed]", authorsOf(first.replies));
	}

	// Sunlight: an anonymous share has no author.
	const { data: shares } = await api.GET("/api/v1/sunlight");
	const share = shares?.data[0];
	if (share) {
		// @ts-expect-error an anonymous share's author is null
		console.log(share.author.display_name);
		console.log(share.anonymous ? "anonymous" : share.author?.display_name);
	}

	// Connections, and the data export.
	await api.GET("/api/v1/orchard/connections");
	const { data: exported, error } = await api.GET("/api/v1/users/me/export");
	if (error) console.log(error.title, error.status);
	else console.log(Object.keys(exported ?? {}).length);

	// @ts-expect-error a habit's name is required
	await api.POST("/api/v1/garden/habits", { body: { category: "health" } });
}
