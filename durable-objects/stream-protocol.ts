/**
 * @module stream-protocol: the JSON frames of a person's live stream (`GET /api/v1/stream`), both ways, and
 * what the API Worker and the ChatRoom send the `PersonStream` Durable Object.
 *
 * Server → client:
 * - `{ "type": "notification", "notification": {…} }` — a notification that is new or changed (a grouped one
 *   that gained an actor): the same object `GET /notifications` lists. Frames are upserts by `id`: the same
 *   notification may arrive again (after a reconnect, or a changed one), and replaces what the client holds.
 * - `{ "type": "unread_count", "count": 3 }` — after every change (also when notifications are marked read,
 *   on this or another device).
 * - `{ "type": "message", "peer_id": "…", "message": {…} }` — a direct message sent to me in a conversation
 *   with `peer_id`, as the chat history shows it to me (never one moderation holds back).
 * - `{ "type": "ready", "replayed": 2, "has_more": false }` — after the catch-up on connect;
 *   `{ "type": "sync_done", … }` after a `sync`; `has_more` means: reload the list (`GET /notifications`).
 * - `{ "type": "pong" }`, `{ "type": "error", "code", "detail" }`.
 *
 * Client → server:
 * - `{ "type": "sync", "since": "<updated_at>" }` — what changed since then, and the unread count.
 * - `{ "type": "ping" }` — answered `{ "type": "pong" }` without waking the object.
 *
 * The socket closes with 4403 when the account is suspended or deleted, and with 4429 when it is the oldest of
 * more than MAX_STREAMS_PER_PERSON open streams of the person (a new one was opened).
 */
import { z } from "@hono/zod-openapi";
import { NOTIFICATION_SUBJECT_TYPES, NOTIFICATION_TYPES } from "../src/db/tables/notifications";
import { IsoTimestamp, Uuid } from "../src/lib/schemas";
import type { WireMessage } from "./chat-protocol";

/** Header the API Worker sets on the upgrade it forwards (the object is reachable only through the Worker). */
export const STREAM_USER_HEADER = "X-Stream-User-Id";
/** Close code when the account may no longer have a stream (suspended, deleted). */
export const CLOSE_ACCOUNT_CLOSED = 4403;
/** Streams one person may hold open at once (every device of theirs); a new one beyond it closes the oldest. */
export const MAX_STREAMS_PER_PERSON = 5;
/** Close code of the oldest stream when a newer one would exceed MAX_STREAMS_PER_PERSON. */
export const CLOSE_TOO_MANY_STREAMS = 4429;
/** Largest frame accepted from a client (a `sync` is far smaller). */
export const MAX_STREAM_FRAME_BYTES = 1024;
/** Notifications sent per catch-up (`ready`, `sync_done`); with more, `has_more` says reload the list. */
export const CATCH_UP_LIMIT = 100;
/**
 * A notification's `updated_at` is its writer's clock, taken before its batch commits; a write can therefore
 * commit after a newer one was already streamed. The stream re-reads this much before its high-water mark
 * (and before a client's `since`), so such a write still arrives (frames are upserts by id).
 */
export const CLOCK_SKEW_WINDOW_MS = 5 * 60_000;

export const STREAM_PING_FRAME = JSON.stringify({ type: "ping" });
export const STREAM_PONG_FRAME = JSON.stringify({ type: "pong" });

/** An ISO 8601 UTC instant, as `updated_at` is written (`2026-11-27T09:00:00.000Z`). */
export const StreamSince = z.iso
	.datetime()
	.openapi({ example: "2026-11-27T09:00:00.000Z", description: "The newest `updated_at` I hold." });

export const StreamClientFrame = z.discriminatedUnion("type", [
	z.strictObject({ type: z.literal("sync"), since: StreamSince }),
	// `{"type":"ping"}` exactly is answered by the runtime; any other spelling of a ping lands here.
	z.strictObject({ type: z.literal("ping") }),
]);
export type StreamClientFrame = z.infer<typeof StreamClientFrame>;

// ---------------------------------------------------------------- what the frames carry

export const NotificationActor = z
	.object({
		id: Uuid,
		display_name: z.string(),
		avatar_url: z.string().nullable(),
		trust_level: z.string(),
	})
	.openapi("NotificationActor");

/** A notification on the wire: `GET /notifications` and the stream's `notification` frame. */
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

/** A chat message as its recipient sees it (`WireMessage`, as the chat history returns it). */
export const StreamMessage = z.object({
	id: Uuid,
	seq: z.number().int(),
	sender_id: Uuid,
	text: z.string(),
	client_message_id: z.string().nullable(),
	created_at: IsoTimestamp,
	pending_review: z.boolean(),
	edited_at: IsoTimestamp.nullable(),
	deleted_at: IsoTimestamp.nullable(),
}) satisfies z.ZodType<WireMessage>;

export const StreamErrorCode = z.enum(["bad_frame", "rate_limited", "unavailable"]);

export const StreamServerFrame = z.discriminatedUnion("type", [
	z.object({ type: z.literal("notification"), notification: Notification }),
	z.object({ type: z.literal("unread_count"), count: z.number().int().min(0) }),
	z.object({ type: z.literal("message"), peer_id: Uuid, message: StreamMessage }),
	z.object({ type: z.literal("ready"), replayed: z.number().int(), has_more: z.boolean() }),
	z.object({ type: z.literal("sync_done"), replayed: z.number().int(), has_more: z.boolean() }),
	z.object({ type: z.literal("pong") }),
	z.object({
		type: z.literal("error"),
		code: StreamErrorCode,
		detail: z.string(),
		retry_after: z.number().int().optional(),
	}),
]);
export type StreamServerFrame = z.infer<typeof StreamServerFrame>;

/** What a ChatRoom hands the recipient's PersonStream after storing a message they may see. */
export interface DirectMessageFrame {
	type: "message";
	peer_id: string;
	message: WireMessage;
}
