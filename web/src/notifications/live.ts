/**
 * @module notifications/live: what the frame of every page needs — the bell's unread count and my live stream
 * (loaded with the frame, so kept small; the list's queries are in queries.ts, loaded with its page).
 *
 * - `["notifications", "unread-count"]`: the bell's number. Read once (`GET /notifications/unread-count`), then
 *   kept current by the stream's `unread_count` frames (sent after every change, also reads on another device)
 *   and by the answers of marking read.
 * - `["notifications", "list"]`: the pages of `GET /notifications` (queries.ts). A `notification` frame replaces
 *   the one with its id in place and has the list read again (a new or regrouped one belongs at the top); a
 *   (re)connect has it read again too: nothing is lost while no socket is open, the list is the source of truth.
 */
import { type InfiniteData, type QueryClient, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ApiError, OfflineError, ok, type Schemas } from "../api/client";
import { useSession } from "../auth/session";
import { LiveStream, type StreamFrame, type StreamStatus } from "./stream";

export type Notification = Schemas["Notification"];
export type NotificationPage = Schemas["NotificationPage"];
type UnreadCount = Schemas["UnreadCount"];

export const notificationKeys = {
	all: ["notifications"] as const,
	count: ["notifications", "unread-count"] as const,
	list: ["notifications", "list"] as const,
};

export function useUnreadCount() {
	const { api, state } = useSession();
	return useQuery({
		queryKey: notificationKeys.count,
		queryFn: () => ok(api.GET("/api/v1/notifications/unread-count")),
		enabled: state === "signed-in",
	});
}

export function setCount(client: QueryClient, count: number) {
	client.setQueryData<UnreadCount>(notificationKeys.count, { count });
}

/** Replaces, in the cached pages, each notification `change` answers a new version of. */
export function replaceInList(
	client: QueryClient,
	change: (notification: Notification) => Notification | null,
) {
	client.setQueryData<InfiniteData<NotificationPage>>(notificationKeys.list, (list) =>
		list
			? {
					...list,
					pages: list.pages.map((page) => ({
						...page,
						data: page.data.map((each) => {
							const changed = change(each);
							return changed ?? each;
						}),
					})),
				}
			: list,
	);
}

/** What a frame of my stream means for the cache. */
export function applyFrame(client: QueryClient, frame: StreamFrame): void {
	switch (frame.type) {
		case "unread_count":
			setCount(client, frame.count);
			return;
		case "notification": {
			const incoming = frame.notification;
			// Shown at once where it is; then the list is read again: a new or regrouped one belongs at the top.
			replaceInList(client, (each) => (each.id === incoming.id ? incoming : null));
			void client.invalidateQueries({ queryKey: notificationKeys.list });
			return;
		}
		case "ready":
		case "sync_done":
			// After a (re)connect: whatever changed while no socket was open is in the list.
			void client.invalidateQueries({ queryKey: notificationKeys.list });
			return;
		default:
			return;
	}
}

/** Whether a failed ticket request is worth asking again (a hiccup) or not (signed out, suspended). */
function retryable(error: unknown): boolean {
	if (error instanceof OfflineError || error instanceof TypeError) return true;
	if (error instanceof ApiError) return (error.status ?? 500) >= 500 || error.status === 429;
	return true;
}

/** My live stream while I am signed in: the bell's count and the list stay current. */
export function useLiveNotifications(): StreamStatus {
	const { api, state } = useSession();
	const client = useQueryClient();
	const [status, setStatus] = useState<StreamStatus>("stopped");
	useEffect(() => {
		if (state !== "signed-in" || typeof WebSocket === "undefined") return;
		const stream = new LiveStream({
			ticketPath: async () => (await ok(api.POST("/api/v1/stream/tickets"))).url,
			retryable,
			onFrame: (frame) => applyFrame(client, frame),
			onStatus: setStatus,
			origin: window.location.origin,
			createSocket: (url) => new WebSocket(url),
		});
		const online = () => stream.reconnectNow();
		window.addEventListener("online", online);
		stream.start();
		return () => {
			window.removeEventListener("online", online);
			stream.stop();
		};
	}, [api, client, state]);
	return status;
}
