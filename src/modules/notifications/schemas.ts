/** @module notifications/schemas: notifications, the unread count and preferences on the wire. */
import { z } from "@hono/zod-openapi";
import {
	NOTIFICATION_SUBJECT_TYPES,
	NOTIFICATION_TYPES,
	type NotificationType,
} from "../../db/tables/notifications";
import { PageQuery } from "../../lib/pagination";
import { IsoTimestamp, Uuid } from "../../lib/schemas";

export const NotificationActor = z
	.object({
		id: Uuid,
		display_name: z.string(),
		avatar_url: z.string().nullable(),
		trust_level: z.string(),
	})
	.openapi("NotificationActor");

export const Notification = z
	.object({
		id: Uuid,
		type: z.enum(NOTIFICATION_TYPES),
		created_at: IsoTimestamp,
		updated_at: IsoTimestamp.openapi({
			description: "When it last changed (a new actor moves it to the top).",
		}),
		read_at: IsoTimestamp.nullable().openapi({ description: "Null while unread." }),
		actors: z.array(NotificationActor).openapi({
			description:
				"Up to three people who acted, most recent first; empty when there is no person to show (moderation, a deleted account).",
		}),
		actor_count: z.number().int().openapi({ description: "How many people acted in all." }),
		subject: z
			.object({ type: z.enum(NOTIFICATION_SUBJECT_TYPES), id: z.string() })
			.openapi({ description: "What a tap opens." }),
		text: z.string().openapi({ description: "A short sentence a UI can show as is." }),
	})
	.openapi("Notification");

export const NotificationPage = z
	.object({
		data: z.array(Notification),
		next_cursor: z.string().nullable(),
		unread_count: z.number().int(),
	})
	.openapi("NotificationPage");

export const NotificationListQuery = PageQuery.extend({
	unread: z
		.enum(["true", "false"])
		.optional()
		.transform((value) => (value === undefined ? undefined : value === "true"))
		.openapi({ description: "`true`: only unread ones; `false`: only read ones; absent: all." }),
});

export const UnreadCount = z.object({ count: z.number().int() }).openapi("UnreadCount");

export const MarkRead = z
	.union([z.strictObject({ ids: z.array(Uuid).min(1).max(100) }), z.strictObject({ all: z.literal(true) })])
	.openapi("MarkNotificationsRead", {
		description: '`{ "ids": [...] }` (at most 100 of mine; others\' ids are ignored) or `{ "all": true }`.',
	});

export const UnreadCountAfterRead = z
	.object({ unread_count: z.number().int() })
	.openapi("UnreadCountAfterRead");

const TypePreference = z.object({ in_app: z.boolean(), push: z.boolean() });

export const NotificationPreferences = z
	.object({
		types: z.object(
			Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, TypePreference])) as Record<
				NotificationType,
				typeof TypePreference
			>,
		),
	})
	.openapi("NotificationPreferences", {
		description: "Every type with its setting (its default until changed). `push` is used by Web Push.",
	});

const TypeChange = z.strictObject({ in_app: z.boolean(), push: z.boolean() }).partial();

export const UpdateNotificationPreferences = z
	.strictObject({
		types: z
			.strictObject(
				Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, TypeChange])) as Record<
					NotificationType,
					typeof TypeChange
				>,
			)
			.partial(),
	})
	.openapi("UpdateNotificationPreferences", {
		description: "Any subset of types, each with `in_app` and/or `push`; the others keep their setting.",
	});
