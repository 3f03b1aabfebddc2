/**
 * @module notifications/routes: my notifications, their unread count, marking them read, my preferences per
 * type, and my live stream (a ticket, and the WebSocket upgrade forwarded to my PersonStream).
 */
import { eq } from "drizzle-orm";
import {
	STREAM_USER_HEADER,
	StreamClientFrame,
	StreamServerFrame,
} from "../../../durable-objects/stream-protocol";
import { unauthorized } from "../../auth/verify";
import { isSuspended } from "../../core/accounts/current-user";
import { users } from "../../db/tables/users";
import { requestContext } from "../../http/context";
import { defineRoute, jsonContent, problemResponse, websocketFrames } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { refusedSocket, SOCKET_REFUSAL_NOTE } from "../../http/socket-refusal";
import { Problem } from "../../lib/problem";
import {
	MarkRead,
	NotificationListQuery,
	NotificationPage,
	NotificationPreferences,
	StreamQuery,
	StreamTicket,
	UnreadCount,
	UnreadCountAfterRead,
	UpdateNotificationPreferences,
} from "./schemas";
import { listNotifications, markRead, preferencesOf, unreadCount, updatePreferences } from "./service";
import { issueStreamTicket, redeemStreamTicket, STREAM_TICKET_TTL_SECONDS, streamOf } from "./stream";

const tags = ["notifications"];

const list = defineRoute("self_even_if_suspended", {
	method: "get",
	path: "/notifications",
	operationId: "listNotifications",
	tags,
	summary: "My notifications, newest change first",
	description:
		"Cursor-paged by the time each last changed (a grouped notification, such as reactions on one post, moves to the top when someone new acts). `unread_count` comes with every page. Kept 90 days after their last change.",
	request: { query: NotificationListQuery },
	responses: { 200: { description: "A page of notifications.", content: jsonContent(NotificationPage) } },
});

const count = defineRoute("self_even_if_suspended", {
	method: "get",
	path: "/notifications/unread-count",
	operationId: "getUnreadNotificationCount",
	tags,
	summary: "How many of my notifications are unread (cheap: one indexed read)",
	responses: { 200: { description: "The unread count.", content: jsonContent(UnreadCount) } },
});

const read = defineRoute("self_even_if_suspended", {
	method: "post",
	path: "/notifications/read",
	operationId: "markNotificationsRead",
	tags,
	summary: "Mark some or all of my notifications read",
	request: { body: { required: true, content: jsonContent(MarkRead) } },
	responses: { 200: { description: "The unread count after.", content: jsonContent(UnreadCountAfterRead) } },
});

const getPreferences = defineRoute("self_even_if_suspended", {
	method: "get",
	path: "/notifications/preferences",
	operationId: "getNotificationPreferences",
	tags,
	summary: "My notification preferences: every type, in the app and by push",
	responses: { 200: { description: "Every type's setting.", content: jsonContent(NotificationPreferences) } },
});

const patchPreferences = defineRoute("self_even_if_suspended", {
	method: "patch",
	path: "/notifications/preferences",
	operationId: "updateNotificationPreferences",
	tags,
	summary: "Change my notification preferences for some types, and my quiet hours",
	description:
		"A type turned off in the app is no longer written to my list (nor pushed). Quiet hours hold back every push but guardian alerts.",
	request: { body: { required: true, content: jsonContent(UpdateNotificationPreferences) } },
	responses: { 200: { description: "Every type's setting.", content: jsonContent(NotificationPreferences) } },
});

const streamTags = ["stream"];

const postStreamTicket = defineRoute(
	"user",
	{
		method: "post",
		path: "/stream/tickets",
		operationId: "createStreamTicket",
		tags: streamTags,
		summary: "A single-use ticket to open my live stream",
		description: `Browsers cannot send an Authorization header with a WebSocket, and access tokens do not belong in URLs: ask for a ticket (valid ${STREAM_TICKET_TTL_SECONDS} s, one use, stored only as a hash) and open \`url\`. A suspended account has no stream (403); it still reads its list.`,
		responses: {
			201: { description: "The ticket.", content: jsonContent(StreamTicket) },
			403: problemResponse("The account is suspended."),
		},
	},
	{
		secretInAnswer: {
			onRetry: `A retry simply issues another ticket: each is single-use and expires after ${STREAM_TICKET_TTL_SECONDS} s, so asking again is harmless.`,
		},
	},
);

const getStream = defineRoute("public", {
	method: "get",
	path: "/stream",
	operationId: "openStream",
	...websocketFrames("StreamClientFrame", "StreamServerFrame"),
	tags: streamTags,
	summary: "WebSocket: my live stream of notifications, unread count and direct messages",
	description: [
		"Authenticate with `?ticket=` from `POST /stream/tickets` (browsers) or an `Authorization: Bearer` header (native clients); one of the two is required. Every device of mine may be connected at once: each gets every frame. Suspended accounts are refused (403, or `4403 suspended` with a ticket) and their open streams close (4403).",
		SOCKET_REFUSAL_NOTE,
		"Server → client (JSON): `{type:'notification', notification}` (the object `GET /notifications` lists; an upsert by `id`), `{type:'unread_count', count}` (after every change, also reads on another device), `{type:'message', peer_id, message}` (a direct message sent to me, as the conversation's history shows it), `ready` (after the catch-up on connect), `sync_done`, `pong`, `error`.",
		"Client → server: `{type:'sync', since}` (what changed since `since`, then the count), `{type:'ping'}`.",
		"Nothing is lost while no socket is open: the list is the source of truth. On (re)connect pass `since` (the newest `updated_at` held) to receive what changed; when `ready` says `has_more`, reload `GET /notifications`. Messages are caught up per conversation (`GET /orchard/conversations`, then `since_seq`).",
	].join("\n\n"),
	request: { query: StreamQuery },
	responses: {
		101: { description: "Switching Protocols: the WebSocket is open." },
		401: problemResponse("No ticket and no bearer token."),
		403: problemResponse("The account (of the bearer token) is suspended."),
		426: problemResponse("Not a WebSocket upgrade request."),
	},
});

export const notificationsRoutes = createRouter()
	.openapi(list, async (c) => {
		const { db, user } = requestContext(c);
		return c.json(await listNotifications(db, user.id, c.req.valid("query")), 200);
	})
	.openapi(count, async (c) => {
		const { db, user } = requestContext(c);
		return c.json({ count: await unreadCount(db, user.id) }, 200);
	})
	.openapi(read, async (c) => {
		const { db, user, now } = requestContext(c);
		return c.json({ unread_count: await markRead(db, user.id, c.req.valid("json"), now) }, 200);
	})
	.openapi(getPreferences, async (c) => {
		const { db, user } = requestContext(c);
		return c.json(await preferencesOf(db, user.id), 200);
	})
	.openapi(patchPreferences, async (c) => {
		const { db, user, now } = requestContext(c);
		return c.json(await updatePreferences(db, user.id, c.req.valid("json"), now), 200);
	})
	.openapi(postStreamTicket, async (c) => {
		const { db, user } = requestContext(c);
		const { ticket, expiresAt } = await issueStreamTicket(db, user.id);
		return c.json(
			{
				ticket,
				expires_at: expiresAt,
				expires_in: STREAM_TICKET_TTL_SECONDS,
				url: `/api/v1/stream?ticket=${ticket}`,
			},
			201,
		);
	})
	.openapi(getStream, async (c) => {
		const { ticket, since } = c.req.valid("query");
		if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
			throw new Problem(426, {
				detail: "Open this URL as a WebSocket.",
				kind: "upgrade-required",
				headers: { Upgrade: "websocket" },
			});
		}
		const db = c.var.db;
		// A bearer token was checked by the route's guard (a suspended caller is already refused there).
		let me = c.get("user");
		if (ticket !== undefined) {
			// A browser cannot read an HTTP refusal of an upgrade: a refused ticket gets a closed socket.
			const redeemed = await redeemStreamTicket(db, ticket);
			if ("refused" in redeemed) return refusedSocket(redeemed.refused);
			// A bearer token beside a ticket must be the same person's (the ticket is spent either way).
			if (me && me.id !== redeemed.userId) return refusedSocket("not_allowed");
			me = await db.select().from(users).where(eq(users.id, redeemed.userId)).get();
			if (!me || me.deletedAt !== null) return refusedSocket("not_allowed");
			if (isSuspended(me)) return refusedSocket("suspended");
		}
		if (!me) {
			throw unauthorized(
				"Open the stream with a ticket (POST /stream/tickets) or a bearer token.",
				"invalid_request",
			);
		}
		const url = new URL("https://person-stream/ws");
		if (since !== undefined) url.searchParams.set("since", since);
		const upgraded = await streamOf(c.env, me.id).fetch(url, {
			headers: { Upgrade: "websocket", [STREAM_USER_HEADER]: me.id },
		});
		if (upgraded.status !== 101 || !upgraded.webSocket) {
			throw new Problem(503, {
				detail: "The live stream is briefly unavailable; reload the list and retry.",
				kind: "object-unavailable",
				headers: { "Retry-After": "1" },
			});
		}
		// A fresh response: the middleware may add headers (a Durable Object's response is immutable).
		return new Response(null, { status: 101, webSocket: upgraded.webSocket });
	});

// The socket's frames, named in openStream's `x-websocket-frames`.
notificationsRoutes.openAPIRegistry.register("StreamClientFrame", StreamClientFrame);
notificationsRoutes.openAPIRegistry.register("StreamServerFrame", StreamServerFrame);
