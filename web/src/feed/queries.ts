/**
 * @module feed/queries: the feed through TanStack Query.
 *
 * - Each order (recent, top, for you) is one infinite query, `["feed", sort]`, paged by the API's opaque
 *   `next_cursor` (the client never reads it). Pages are `FEED_PAGE_SIZE` posts.
 * - A write puts the API's answer straight into every cached page that holds the post (a reaction's counts,
 *   a poll with its results), so nothing is read twice. A reaction is drawn before the answer arrives and
 *   rolled back if the API refuses it.
 * - A new post is uploaded photo by photo (`POST /media`, alt text with each), then created with their ids; an
 *   upload already made is not repeated when the post is retried.
 * - Comments are an infinite query per post, `["comments", post_id]`, read when the comments are opened.
 */
import {
	type InfiniteData,
	type QueryClient,
	useInfiniteQuery,
	useMutation,
	useQuery,
	useQueryClient,
} from "@tanstack/react-query";
import { type Api, ok, type Schemas } from "../api/client";
import { useSession } from "../auth/session";
import { type FeedSort, placeComment, type ReactionType, withReaction } from "./display";

export type Post = Schemas["Post"];
export type PostWithCrisis = Schemas["PostWithCrisis"];
export type { CrisisResource } from "../safety/crisis";
export type Comment = Schemas["Comment"];
export type CreatedComment = Schemas["CreatedComment"];
type PostPage = Schemas["PostPage"];
type CommentPage = Schemas["CommentPage"];
type Feed = InfiniteData<PostPage, string | null>;
type Comments = InfiniteData<CommentPage, string | null>;

export const FEED_PAGE_SIZE = 10;
export const COMMENT_PAGE_SIZE = 20;
export const feedKey = (sort: FeedSort) => ["feed", sort] as const;
const commentsKey = (postId: string) => ["comments", postId] as const;

export function useFeed(sort: FeedSort) {
	const { api } = useSession();
	return useInfiniteQuery({
		queryKey: feedKey(sort),
		queryFn: ({ pageParam }) =>
			ok(
				api.GET("/api/v1/flourish/feed", {
					params: {
						query: { sort, limit: FEED_PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) },
					},
				}),
			),
		initialPageParam: null as string | null,
		getNextPageParam: (page) => page.next_cursor,
		// Posts do not reorder under the reader's eyes when the window regains focus.
		refetchOnWindowFocus: false,
	});
}

/** Applies `change` to the post wherever a cached feed page holds it. */
function changePost(client: QueryClient, id: string, change: (post: Post) => Post) {
	client.setQueriesData<Feed>({ queryKey: ["feed"] }, (feed) =>
		feed
			? {
					...feed,
					pages: feed.pages.map((page) =>
						page.data.some((post) => post.id === id)
							? { ...page, data: page.data.map((post) => (post.id === id ? change(post) : post)) }
							: page,
					),
				}
			: feed,
	);
}

export function useReact() {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: async ({ post, reaction }: { post: Post; reaction: ReactionType | null }) => {
			const path = { params: { path: { post_id: post.id } } };
			if (reaction === null) {
				await ok(api.DELETE("/api/v1/flourish/posts/{post_id}/reaction", path));
				return null;
			}
			return ok(
				api.PUT("/api/v1/flourish/posts/{post_id}/reaction", { ...path, body: { reaction_type: reaction } }),
			);
		},
		onMutate: async ({ post, reaction }) => {
			// A read of the feed already on its way (a revalidation after a reload or on focus) would land after this
			// change with the old reaction and undo it on screen: stop it first.
			await client.cancelQueries({ queryKey: ["feed"] });
			const before = {
				reactions: post.reactions,
				reaction_count: post.reaction_count,
				my_reaction: post.my_reaction,
			};
			changePost(client, post.id, (current) => withReaction(current, reaction));
			return before;
		},
		onError: (_error, { post }, before) => {
			if (before) changePost(client, post.id, (current) => ({ ...current, ...before }));
		},
		onSuccess: (summary, { post }) => {
			// The API's answer is the truth: the counts it gives, or, for a removal, no reaction of mine (idempotent).
			changePost(client, post.id, (current) =>
				summary ? { ...current, ...summary } : withReaction(current, null),
			);
		},
	});
}

export function useVote() {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: ({ post, optionIds }: { post: Post; optionIds: string[] }) =>
			ok(
				api.POST("/api/v1/flourish/posts/{post_id}/votes", {
					params: { path: { post_id: post.id } },
					body: { option_ids: optionIds },
				}),
			),
		onSuccess: (post) => changePost(client, post.id, () => post),
	});
}

/** A photo chosen in the composer: its file and its description (alt text). */
export interface DraftPhoto {
	key: string;
	file: File;
	alt: string;
}

/** The uploads a composer already made, by photo key, with the alt text each was stored with. */
export type Uploads = Map<string, { id: string; alt: string }>;

export type Draft =
	| { type: "text"; body: string; visibility: Post["visibility"] }
	| { type: "image"; body: string; visibility: Post["visibility"]; photos: DraftPhoto[]; uploads: Uploads }
	| {
			type: "poll";
			body: string;
			visibility: Post["visibility"];
			poll: { options: string[]; multiple_choice: boolean; closes_at: string };
	  }
	| { type: "milestone"; body: string; visibility: Post["visibility"]; habit_id: string };

/** Uploads a photo once; a changed description of an upload already made is sent as an edit. */
async function uploadPhoto(api: Api, photo: DraftPhoto, uploads: Uploads): Promise<string> {
	const alt = photo.alt.trim();
	const uploaded = uploads.get(photo.key);
	if (uploaded) {
		if (uploaded.alt !== alt) {
			await ok(
				api.PATCH("/api/v1/media/{media_id}", {
					params: { path: { media_id: uploaded.id } },
					body: { alt },
				}),
			);
			uploads.set(photo.key, { id: uploaded.id, alt });
		}
		return uploaded.id;
	}
	const media = await ok(
		api.POST("/api/v1/media", {
			params: { query: { alt } },
			// The raw file is the body, its own type the Content-Type (not JSON).
			body: photo.file as unknown as string,
			bodySerializer: (body: unknown) => body as BodyInit,
			headers: { "Content-Type": photo.file.type },
		}),
	);
	uploads.set(photo.key, { id: media.id, alt });
	return media.id;
}

export function useCreatePost() {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: async (draft: Draft): Promise<PostWithCrisis> => {
			const base = { type: draft.type, body: draft.body.trim(), visibility: draft.visibility };
			switch (draft.type) {
				case "text":
					return ok(api.POST("/api/v1/flourish/posts", { body: base }));
				case "image": {
					const media_ids: string[] = [];
					for (const photo of draft.photos) media_ids.push(await uploadPhoto(api, photo, draft.uploads));
					return ok(api.POST("/api/v1/flourish/posts", { body: { ...base, media_ids } }));
				}
				case "poll":
					return ok(api.POST("/api/v1/flourish/posts", { body: { ...base, poll: draft.poll } }));
				case "milestone":
					return ok(api.POST("/api/v1/flourish/posts", { body: { ...base, habit_id: draft.habit_id } }));
			}
		},
		onSuccess: async ({ crisis_resources: _, ...post }) => {
			// Newest first: the new post heads the recent feed at once; the other orders are read again. A read of
			// the recent feed already on its way would land after this without the post (a held one is never in it):
			// stop it first.
			await client.cancelQueries({ queryKey: feedKey("recent") });
			client.setQueryData<Feed>(feedKey("recent"), (feed) =>
				feed?.pages[0]
					? {
							...feed,
							pages: [{ ...feed.pages[0], data: [post, ...feed.pages[0].data] }, ...feed.pages.slice(1)],
						}
					: feed,
			);
			void client.invalidateQueries({
				queryKey: ["feed"],
				predicate: (query) => query.queryKey[1] !== "recent",
			});
		},
	});
}

/** My habits, for a milestone post (the garden's own cache). */
export function useMyHabits(enabled: boolean) {
	const { api } = useSession();
	return useQuery({ queryKey: ["garden"], queryFn: () => ok(api.GET("/api/v1/garden")), enabled });
}

export function useComments(postId: string, enabled: boolean) {
	const { api } = useSession();
	return useInfiniteQuery({
		queryKey: commentsKey(postId),
		queryFn: ({ pageParam }) =>
			ok(
				api.GET("/api/v1/flourish/posts/{post_id}/comments", {
					params: {
						path: { post_id: postId },
						query: { limit: COMMENT_PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) },
					},
				}),
			),
		initialPageParam: null as string | null,
		getNextPageParam: (page) => page.next_cursor,
		enabled,
	});
}

export function useCreateComment(postId: string) {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: ({ body, parentId }: { body: string; parentId?: string }) =>
			ok(
				api.POST("/api/v1/flourish/posts/{post_id}/comments", {
					params: { path: { post_id: postId } },
					body: { body: body.trim(), ...(parentId ? { parent_id: parentId } : {}) },
				}),
			),
		onSuccess: ({ crisis_resources: _, replies: __, ...created }) => {
			const comment: Comment = { ...created, replies: [] };
			client.setQueryData<Comments>(commentsKey(postId), (comments) => {
				if (!comments) return comments;
				if (comment.parent_id === null) {
					const last = comments.pages.length - 1;
					return {
						...comments,
						pages: comments.pages.map((page, index) =>
							index === last ? { ...page, data: placeComment(page.data, comment) } : page,
						),
					};
				}
				return {
					...comments,
					pages: comments.pages.map((page) => ({ ...page, data: placeComment(page.data, comment) })),
				};
			});
			changePost(client, postId, (post) => ({ ...post, comment_count: post.comment_count + 1 }));
		},
	});
}
