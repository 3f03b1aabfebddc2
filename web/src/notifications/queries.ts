/**
 * @module notifications/queries: the notifications page's reads and writes through TanStack Query — the list
 * (cursor-paged, newest change first), marking read, and the API side of push. The bell's count and the live
 * stream that keeps both current are in live.ts.
 */
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { type Api, ok } from "../api/client";
import { useSession } from "../auth/session";
import { notificationKeys, replaceInList, setCount } from "./live";
import type { PushApi } from "./push";

export type { Notification } from "./live";

const PAGE_SIZE = 20;

export function useNotifications() {
	const { api } = useSession();
	return useInfiniteQuery({
		queryKey: notificationKeys.list,
		initialPageParam: undefined as string | undefined,
		queryFn: ({ pageParam }) =>
			ok(
				api.GET("/api/v1/notifications", {
					params: { query: { limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } },
				}),
			),
		getNextPageParam: (page) => page.next_cursor ?? undefined,
	});
}

export function useMarkRead() {
	const { api } = useSession();
	const client = useQueryClient();
	return useMutation({
		mutationFn: (which: { ids: string[] } | { all: true }) =>
			ok(api.POST("/api/v1/notifications/read", { body: which })),
		onSuccess: ({ unread_count }, which) => {
			setCount(client, unread_count);
			const at = new Date().toISOString();
			replaceInList(client, (each) =>
				each.read_at === null && ("all" in which || which.ids.includes(each.id))
					? { ...each, read_at: at }
					: null,
			);
		},
	});
}

/** The API side of turning push on and off (push.ts). */
export function pushApi(api: Api): PushApi {
	return {
		publicKey: async () => (await ok(api.GET("/api/v1/push/public-key"))).public_key,
		save: async (subscription) => {
			const { endpoint, keys, expirationTime } = subscription;
			if (!endpoint || !keys?.p256dh || !keys.auth)
				throw new Error("The browser gave an incomplete subscription.");
			await ok(
				api.POST("/api/v1/push/subscriptions", {
					body: {
						endpoint,
						keys: { p256dh: keys.p256dh, auth: keys.auth },
						expirationTime: expirationTime ?? null,
					},
				}),
			);
		},
		forget: async (endpoint) => {
			const mine = await ok(api.GET("/api/v1/push/subscriptions"));
			const match = mine.data.find((each) => each.endpoint === endpoint);
			if (!match) return;
			await ok(
				api.DELETE("/api/v1/push/subscriptions/{subscription_id}", {
					params: { path: { subscription_id: match.id } },
				}),
			);
		},
	};
}
