/**
 * @module chat-protocol: the JSON frames of an Orchard chat WebSocket, both ways.
 *
 * Client → server:
 * - `{ "type": "message", "client_message_id": "…", "text": "…" }` — send; answered by an `ack` (or an `error`
 *   naming the same `client_message_id`). Resending the same `client_message_id` never creates a second message.
 * - `{ "type": "read", "seq": 42 }` — everything up to `seq` is read.
 * - `{ "type": "typing" }` or `{ "type": "typing", "active": false }` — shown to the other person as
 *   `{ "type": "typing", "user_id", "active" }`, never stored. At most one relayed per sender per
 *   TYPING_INTERVAL_MS (a stop after a relayed start always goes through); the rest are dropped silently,
 *   and every one counts against the per-frame limit. The older spelling `{ "typing": true }` still works.
 * - `{ "type": "edit", "message_id": "…" | "seq": 42, "text": "…" }` — my own message, within EDIT_WINDOW_MS
 *   of its `created_at`; screened as a new message. Everyone's sockets get `message_updated` (the other
 *   person: `message_deleted` when moderation holds the new text back, so they never see it).
 * - `{ "type": "delete", "message_id": "…" | "seq": 42 }` — my own message, within EDIT_WINDOW_MS; it stays
 *   in seq order as a tombstone (empty text, `deleted_at`). Everyone's sockets get `message_deleted`.
 *   Refusals of either answer an `error` naming the `message_id`/`seq` asked for.
 * - `{ "type": "sync", "since_seq": 42 }` — replay what came after `seq` (the next chunk after a long absence).
 * - `{ "type": "ping" }` — answered `{ "type": "pong" }` without waking the room.
 *
 * Server → client: `ready`, `message`, `ack`, `read`, `typing`, `message_updated`, `message_deleted`,
 * `sync_done`, `error`, `pong` (see `ServerFrame`).
 */
import { z } from "@hono/zod-openapi";
import { type CallerCountry, CrisisResource } from "../src/core/moderation/crisis";
import { boundedText, IsoTimestamp, Uuid } from "../src/lib/schemas";

/** Longest chat message, in characters. */
export const MAX_MESSAGE_CHARS = 4000;
/** The id a client gives a message so that a retried send is recognised (letters, digits, `-_.:`). */
export const ClientMessageId = z
	.string()
	.regex(/^[A-Za-z0-9_.:-]{1,64}$/, "must be 1–64 characters of letters, digits, - _ . :")
	.openapi({ example: "7c0a9a5e-2f1b-4d0e-9a55-0d8f5f1b7e21" });

/** A message may be edited or deleted by its sender this long after its `created_at`. */
export const EDIT_WINDOW_MS = 15 * 60_000;
/** Typing indicators: at most one relayed per sender per this interval. */
export const TYPING_INTERVAL_MS = 2_500;

/** Which message an edit or delete frame means: its id or its seq (exactly one). */
const MessageRef = {
	message_id: z.uuid().optional(),
	seq: z.number().int().min(1).optional(),
};
const oneRef = (frame: { message_id?: string | undefined; seq?: number | undefined }) =>
	(frame.message_id === undefined) !== (frame.seq === undefined);

/** Largest frame accepted from a client (a 4,000-character message fits with any JSON escaping). */
export const MAX_FRAME_BYTES = 32 * 1024;
/** Messages replayed per `ready`/`sync`; a client with more to catch up asks again with `sync`. */
export const REPLAY_CHUNK = 200;
/** Close code when the right to chat ends (block, connection removed, mentorship ended). */
export const CLOSE_ACCESS_REVOKED = 4403;

export const PING_FRAME = JSON.stringify({ type: "ping" });
export const PONG_FRAME = JSON.stringify({ type: "pong" });

export const ClientFrame = z.discriminatedUnion("type", [
	z.strictObject({
		type: z.literal("message"),
		client_message_id: ClientMessageId,
		// The shared rule for user text: 1–MAX characters, and something visible (not only zero-width ones).
		text: boundedText(1, MAX_MESSAGE_CHARS),
	}),
	z.strictObject({ type: z.literal("read"), seq: z.number().int().min(0) }),
	z.strictObject({
		type: z.literal("typing"),
		active: z.boolean().optional(),
		typing: z.boolean().optional(),
	}),
	z
		.strictObject({ type: z.literal("edit"), ...MessageRef, text: boundedText(1, MAX_MESSAGE_CHARS) })
		.refine(oneRef, "name the message by message_id or seq"),
	z
		.strictObject({ type: z.literal("delete"), ...MessageRef })
		.refine(oneRef, "name the message by message_id or seq"),
	z.strictObject({ type: z.literal("sync"), since_seq: z.number().int().min(0) }),
	// `{"type":"ping"}` exactly is answered by the runtime; any other spelling of a ping lands here.
	z.strictObject({ type: z.literal("ping") }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

/** A message as one participant sees it (snake_case, as on the REST API). */
export const WireMessage = z
	.object({
		id: Uuid,
		seq: z.number().int(),
		sender_id: Uuid,
		text: z.string().openapi({ description: "Empty once deleted." }),
		client_message_id: z.string().nullable().openapi({ description: "Only for the sender's own messages." }),
		created_at: IsoTimestamp,
		pending_review: z.boolean().openapi({
			description: "The sender's own message held back by moderation; never delivered to the other person.",
		}),
		edited_at: IsoTimestamp.nullable().openapi({
			description: "When the sender last edited it (null: never).",
		}),
		deleted_at: IsoTimestamp.nullable().openapi({
			description: "When the sender deleted it (null: not deleted).",
		}),
	})
	.openapi("WireMessage");
export type WireMessage = z.infer<typeof WireMessage>;

export const ReadStateView = z.object({
	my_last_read_seq: z.number().int(),
	peer_last_read_seq: z.number().int(),
	last_seq: z.number().int(),
	unread_count: z.number().int(),
});
export type ReadStateView = z.infer<typeof ReadStateView>;

export const CHAT_ERROR_CODES = [
	"bad_frame",
	"forbidden",
	"not_found",
	"rate_limited",
	"unavailable",
	"edit_window_closed",
	"conflict",
] as const;
export type ChatErrorCode = (typeof CHAT_ERROR_CODES)[number];

const seqCount = z.number().int().min(0);

/** Every frame the server sends on a chat socket (described in the OpenAPI document as `ChatServerFrame`). */
export const ServerFrame = z.discriminatedUnion("type", [
	z.object({
		type: z.literal("ready"),
		conversation_id: z.string(),
		user_id: Uuid,
		peer_id: Uuid,
		replayed: seqCount.openapi({ description: "Messages replayed before this frame (after `since_seq`)." }),
		has_more: z.boolean().openapi({
			description: "More to replay than one chunk: send `sync` with the last seq received.",
		}),
		read_state: ReadStateView,
	}),
	z.object({ type: z.literal("message"), message: WireMessage }),
	z.object({
		type: z.literal("ack"),
		client_message_id: z.string(),
		duplicate: z.boolean(),
		message: WireMessage,
		crisis_resources: z.array(CrisisResource).optional(),
	}),
	z.object({ type: z.literal("read"), user_id: Uuid, last_read_seq: z.number().int() }),
	z.object({
		type: z.literal("typing"),
		user_id: Uuid,
		active: z.boolean(),
		typing: z.boolean().openapi({ description: "Repeats `active` for clients of the older spelling." }),
	}),
	z.object({
		type: z.literal("message_updated"),
		message: WireMessage,
		crisis_resources: z.array(CrisisResource).optional().openapi({
			description: "Only to the socket that made the edit, when the new text reads as high risk.",
		}),
	}),
	z.object({ type: z.literal("message_deleted"), id: Uuid, seq: z.number().int() }),
	z.object({ type: z.literal("sync_done"), replayed: seqCount, has_more: z.boolean() }),
	z.object({ type: z.literal("pong") }),
	z.object({
		type: z.literal("error"),
		code: z.enum(CHAT_ERROR_CODES),
		detail: z.string(),
		client_message_id: z.string().optional(),
		message_id: z.string().optional().openapi({ description: "The message an edit or delete frame named." }),
		seq: z.number().int().optional(),
		retry_after: z.number().int().optional(),
	}),
]);
export type ServerFrame = z.infer<typeof ServerFrame>;

// ---------------------------------------------------------------- the ChatRoom's RPC, as the API Worker calls it

/** Headers the API Worker sets on the upgrade it forwards (the room is reachable only through the Worker). */
export const CHAT_USER_HEADER = "X-Chat-User-Id";
export const CHAT_PEER_HEADER = "X-Chat-Peer-Id";
/** The upgrading caller's country (`request.cf.country`, checked by the Worker), kept with the socket. */
export const CHAT_COUNTRY_HEADER = "X-Chat-Country";

export interface ChatError {
	status: 403 | 404 | 409 | 422 | 429 | 503;
	code: ChatErrorCode;
	detail: string;
	headers?: Record<string, string>;
	extensions?: Record<string, string | number>;
	/** Whose sockets this refusal closes: the room's (the right to chat ended) or the sender's (suspended). */
	closes?: "room" | "sender";
}

export type SendOutcome =
	| {
			ok: true;
			duplicate: boolean;
			message: WireMessage;
			/** Crisis resources when the message reads as high self-harm risk. */
			crisisResources?: CrisisResource[];
	  }
	| { ok: false; error: ChatError };

export interface SendInput {
	senderId: string;
	peerId: string;
	text: string;
	clientMessageId: string;
	/** The sender's country (http/crisis `callerCountry`): orders the crisis resources of an urgent message. */
	country: CallerCountry;
}

/** A stored message as the guardians' queue snapshots it when a participant reports it. */
export interface ReportableMessage {
	conversation_id: string;
	id: string;
	seq: number;
	sender_id: string;
	recipient_id: string;
	text: string;
	created_at: string;
	toxicity: number | null;
}

/** An edit (with `text`) or a delete of the sender's own message, named by id or seq. */
export interface ChangeInput {
	userId: string;
	peerId: string;
	messageId?: string;
	seq?: number;
	/** The new text; absent for a delete. */
	text?: string;
	/** The sender's country (http/crisis `callerCountry`): orders the crisis resources of an urgent edit. */
	country: CallerCountry;
}

export type ChangeOutcome =
	| {
			ok: true;
			message: WireMessage;
			/** Crisis resources when the new text reads as high self-harm risk. */
			crisisResources?: CrisisResource[];
	  }
	| { ok: false; error: ChatError };

export interface HistoryInput {
	viewerId: string;
	peerId: string;
	limit: number;
	/** Newest first, older than this seq. */
	beforeSeq?: number;
	/** Oldest first, newer than this seq (catch-up). Wins over `beforeSeq`. */
	sinceSeq?: number;
}

export interface HistoryPage {
	messages: WireMessage[];
	hasMore: boolean;
	readState: ReadStateView;
}
