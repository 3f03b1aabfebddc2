/**
 * @module notifications/routes: my notifications, their unread count, marking them read, and my preferences
 * per type. (The live stream is `/stream`.)
 */
import { requestContext } from "../../http/context";
import { defineRoute, jsonContent } from "../../http/define-route";
import { createRouter } from "../../http/router";
import {
	MarkRead,
	NotificationListQuery,
	NotificationPage,
	NotificationPreferences,
	UnreadCount,
	UnreadCountAfterRead,
	UpdateNotificationPreferences,
} from "./schemas";
import { listNotifications, markRead, preferencesOf, unreadCount, updatePreferences } from "./service";

const tags = ["notifications"];

const list = defineRoute("self_even_if_suspended", {
	method: "get",
	path: "/notifications",
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
	tags,
	summary: "How many of my notifications are unread (cheap: one indexed read)",
	responses: { 200: { description: "The unread count.", content: jsonContent(UnreadCount) } },
});

const read = defineRoute("self_even_if_suspended", {
	method: "post",
	path: "/notifications/read",
	tags,
	summary: "Mark some or all of my notifications read",
	request: { body: { required: true, content: jsonContent(MarkRead) } },
	responses: { 200: { description: "The unread count after.", content: jsonContent(UnreadCountAfterRead) } },
});

const getPreferences = defineRoute("self_even_if_suspended", {
	method: "get",
	path: "/notifications/preferences",
	tags,
	summary: "My notification preferences: every type, in the app and by push",
	responses: { 200: { description: "Every type's setting.", content: jsonContent(NotificationPreferences) } },
});

const patchPreferences = defineRoute("self_even_if_suspended", {
	method: "patch",
	path: "/notifications/preferences",
	tags,
	summary: "Change my notification preferences for some types",
	description: "A type turned off in the app is no longer written to my list (nor pushed).",
	request: { body: { required: true, content: jsonContent(UpdateNotificationPreferences) } },
	responses: { 200: { description: "Every type's setting.", content: jsonContent(NotificationPreferences) } },
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
		return c.json({ types: await preferencesOf(db, user.id) }, 200);
	})
	.openapi(patchPreferences, async (c) => {
		const { db, user, now } = requestContext(c);
		return c.json({ types: await updatePreferences(db, user.id, c.req.valid("json").types, now) }, 200);
	});
