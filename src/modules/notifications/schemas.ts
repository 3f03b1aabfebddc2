/** @module notifications/schemas: notifications, the unread count and preferences on the wire. */
import { z } from "@hono/zod-openapi";
import { Notification, StreamSince } from "../../../durable-objects/stream-protocol";
import { NOTIFICATION_TYPES, type NotificationType } from "../../db/tables/notifications";
import { PageQuery } from "../../lib/pagination";
import { IsoTimestamp, Uuid } from "../../lib/schemas";
import { WALL_TIME } from "../push";

// The Notification object is the stream's too: it is declared once, in the stream's contract.
export { Notification, NotificationActor } from "../../../durable-objects/stream-protocol";

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

const WallTime = z.string().regex(WALL_TIME, { message: "must be HH:MM, 00:00 to 23:59" });

export const QuietHours = z
	.strictObject({ start: WallTime, end: WallTime })
	.refine((quiet) => quiet.start !== quiet.end, { message: "start and end must differ", path: ["end"] })
	.openapi("QuietHours", {
		description:
			"Wall times in my time zone (my profile's `timezone`) during which nothing is pushed to me except guardian alerts; the list still records everything. `end` before `start` crosses midnight (22:00–07:00).",
		example: { start: "22:00", end: "07:00" },
	});

export const NotificationPreferences = z
	.object({
		types: z.object(
			Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, TypePreference])) as Record<
				NotificationType,
				typeof TypePreference
			>,
		),
		quiet_hours: QuietHours.nullable(),
	})
	.openapi("NotificationPreferences", {
		description:
			"Every type with its setting (its default until changed): `in_app` writes it to my list, `push` also pushes it to my devices (Web Push). And my quiet hours, or null.",
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
			.partial()
			.optional(),
		quiet_hours: QuietHours.nullable().optional(),
	})
	.refine((change) => change.types !== undefined || change.quiet_hours !== undefined, {
		message: "name `types`, `quiet_hours` or both",
	})
	.openapi("UpdateNotificationPreferences", {
		description:
			"Any subset of types, each with `in_app` and/or `push` (the others keep their setting), and/or `quiet_hours` (null ends them).",
	});

export const StreamTicket = z
	.object({
		ticket: z.string().openapi({ description: "Single use; valid for `expires_in` seconds." }),
		expires_at: IsoTimestamp,
		expires_in: z.number().int(),
		url: z.string().openapi({ description: "The path to open the stream with (ticket included)." }),
	})
	.openapi("StreamTicket");

export const StreamQuery = z.object({
	ticket: z.string().max(100).optional().openapi({
		description:
			"A ticket from `POST /stream/tickets` (browsers); or send a bearer token instead (native clients).",
	}),
	since: StreamSince.optional().openapi({
		description:
			"The newest `updated_at` I hold: on connect the stream sends what changed since then (and a little before: frames are upserts by id). Without it, only the unread count.",
	}),
});
