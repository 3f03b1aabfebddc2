import { type InfiniteData, QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { applyFrame, type Notification, type NotificationPage, notificationKeys } from "./live";

const notification = (id: string, fields: Partial<Notification> = {}): Notification => ({
	id,
	type: "connection_request",
	created_at: "2026-12-05T06:00:00.000Z",
	updated_at: "2026-12-05T06:00:00.000Z",
	read_at: null,
	actors: [],
	actor_count: 1,
	subject: { type: "connection", id: `c-${id}` },
	text: `Someone asked to connect with you (${id}).`,
	...fields,
});

function cacheWithList(...items: Notification[]) {
	const client = new QueryClient();
	client.setQueryData<InfiniteData<NotificationPage>>(notificationKeys.list, {
		pages: [{ data: items, next_cursor: null, unread_count: items.length }],
		pageParams: [undefined],
	});
	client.setQueryData(notificationKeys.count, { count: items.length });
	return client;
}

const listOf = (client: QueryClient) =>
	client
		.getQueryData<InfiniteData<NotificationPage>>(notificationKeys.list)
		?.pages.flatMap((page) => page.data);
const listIsStale = (client: QueryClient) => client.getQueryState(notificationKeys.list)?.isInvalidated;

describe("what the stream's frames do to the cache", () => {
	it("sets the bell's count from unread_count", () => {
		const client = cacheWithList(notification("a"));
		applyFrame(client, { type: "unread_count", count: 4 });
		expect(client.getQueryData(notificationKeys.count)).toEqual({ count: 4 });
		expect(listIsStale(client)).toBe(false);
	});

	it("replaces a notification it already shows, and has the list read again", () => {
		const client = cacheWithList(notification("a"), notification("b"));
		const grouped = notification("b", { actor_count: 2, text: "Two people asked." });
		applyFrame(client, { type: "notification", notification: grouped });
		expect(listOf(client)?.map((each) => each.text)).toEqual([
			"Someone asked to connect with you (a).",
			"Two people asked.",
		]);
		expect(listIsStale(client)).toBe(true);
	});

	it("has the list read again for a new notification and after every (re)connect", () => {
		const fresh = cacheWithList(notification("a"));
		applyFrame(fresh, { type: "notification", notification: notification("new") });
		expect(listOf(fresh)?.map((each) => each.id)).toEqual(["a"]);
		expect(listIsStale(fresh)).toBe(true);

		const reconnected = cacheWithList(notification("a"));
		applyFrame(reconnected, { type: "ready", replayed: 0, has_more: false });
		expect(listIsStale(reconnected)).toBe(true);
	});

	it("leaves the cache alone for frames that are not its business", () => {
		const client = cacheWithList(notification("a"));
		applyFrame(client, { type: "pong" });
		expect(listIsStale(client)).toBe(false);
		expect(client.getQueryData(notificationKeys.count)).toEqual({ count: 1 });
	});
});
