/** @module orchard/schemas: connections, blocks, guides, mentorships and conversations on the wire. */
import { z } from "@hono/zod-openapi";
import { ClientMessageId, MAX_MESSAGE_CHARS } from "../../../durable-objects/chat-protocol";
import { CrisisResource } from "../../core/moderation/crisis";
import { CONNECTION_STATUSES, CONNECTION_TYPES, MENTORSHIP_STATUSES } from "../../db/tables/orchard";
import { TRUST_LEVELS } from "../../db/tables/users";
import { PageQuery, pageOf } from "../../lib/pagination";
import { boundedText, IsoTimestamp, Uuid } from "../../lib/schemas";

/** What one person may see of another here: enough to recognise them, nothing private. */
export const Peer = z
	.object({
		id: z.uuid(),
		display_name: z.string(),
		avatar_url: z.string().nullable(),
		trust_level: z.enum(TRUST_LEVELS),
	})
	.openapi("Peer");

// ---------------------------------------------------------------- connections

export const Connection = z
	.object({
		id: z.uuid(),
		connection_type: z.enum(CONNECTION_TYPES),
		status: z.enum(CONNECTION_STATUSES),
		direction: z.enum(["outgoing", "incoming"]).openapi({
			description: "`outgoing`: I asked; `incoming`: I was asked.",
		}),
		note: z.string(),
		peer: Peer,
		created_at: IsoTimestamp,
		responded_at: IsoTimestamp.nullable(),
	})
	.openapi("Connection");

export const ConnectionPage = pageOf(Connection, "ConnectionPage");

export const ConnectionListQuery = PageQuery.extend({
	status: z.enum(CONNECTION_STATUSES).optional().openapi({
		description: "Only this status; by default `pending` and `accepted` (declined requests are left out).",
	}),
	connection_type: z.enum(CONNECTION_TYPES).optional(),
	direction: z.enum(["outgoing", "incoming"]).optional(),
});

export const CreateConnection = z
	.strictObject({
		user_id: Uuid,
		connection_type: z.enum(CONNECTION_TYPES).default("friend"),
		note: z.string().trim().max(500).default(""),
	})
	.openapi("CreateConnection");

export const AnswerConnection = z
	.strictObject({ status: z.enum(["accepted", "declined"]) })
	.openapi("AnswerConnection", { description: "The person asked accepts or declines a pending request." });

// ---------------------------------------------------------------- blocks

export const Block = z
	.object({ user: Peer, created_at: IsoTimestamp })
	.openapi("Block", { description: "A person I block." });

export const BlockPage = pageOf(Block, "BlockPage");

// ---------------------------------------------------------------- guides and mentorships

export const Guide = z
	.object({
		user_id: z.uuid(),
		display_name: z.string(),
		avatar_url: z.string().nullable(),
		bio: z.string(),
		trust_level: z.enum(TRUST_LEVELS),
		headline: z.string(),
		specialties: z.array(z.string()),
		experience: z.string(),
		availability: z.string(),
		accepting_mentees: z.boolean(),
		max_mentees: z.number().int(),
		active_mentees: z.number().int(),
		has_capacity: z.boolean().openapi({
			description: "Accepting mentees and fewer active (accepted) mentorships than `max_mentees`.",
		}),
	})
	.openapi("Guide");

export const GuidePage = pageOf(Guide, "GuidePage");

export const GuideListQuery = PageQuery.extend({
	specialty: boundedText(1, 40).optional().openapi({ description: "Guides with this specialty tag." }),
	availability: boundedText(1, 60).optional().openapi({
		description: "Guides whose availability text contains this (case-insensitive), e.g. `evening`.",
	}),
	accepting: z
		.enum(["true", "false"])
		.optional()
		.openapi({ description: "`true`: only guides who accept mentees and have a free place." }),
	sort: z.enum(["name", "recommended"]).default("name").openapi({
		description:
			"`name` (default) or `recommended`: ranked by similarity to my bio and interests (falls back to name order when the ML service is unavailable).",
	}),
});

export const Mentorship = z
	.object({
		id: z.uuid(),
		status: z.enum(MENTORSHIP_STATUSES),
		role: z.enum(["mentee", "guide"]).openapi({ description: "My role in this mentorship." }),
		mentee: Peer,
		guide: Peer,
		goals: z.string(),
		message: z.string(),
		created_at: IsoTimestamp,
		responded_at: IsoTimestamp.nullable(),
		completed_at: IsoTimestamp.nullable(),
	})
	.openapi("Mentorship");

export const MentorshipPage = pageOf(Mentorship, "MentorshipPage");

export const MentorshipListQuery = PageQuery.extend({
	role: z.enum(["mentee", "guide"]).optional(),
	status: z.enum(MENTORSHIP_STATUSES).optional(),
});

export const CreateMentorship = z
	.strictObject({
		guide_id: Uuid,
		goals: boundedText(1, 1000),
		message: z.string().trim().max(1000).default(""),
	})
	.openapi("CreateMentorship");

export const UpdateMentorship = z
	.strictObject({ status: z.enum(["accepted", "declined", "completed", "cancelled"]) })
	.openapi("UpdateMentorship", {
		description:
			"The guide accepts or declines a request; either side completes an accepted mentorship; the mentee cancels a request or an accepted mentorship.",
	});

// ---------------------------------------------------------------- conversations

export const ChatMessage = z
	.object({
		id: z.uuid(),
		seq: z.number().int().openapi({ description: "Server-assigned, strictly increasing per conversation." }),
		sender_id: z.uuid(),
		text: z.string(),
		client_message_id: z
			.string()
			.nullable()
			.openapi({ description: "The sender's own id for the message; only shown to the sender." }),
		created_at: IsoTimestamp,
		pending_review: z.boolean().openapi({
			description: "My own message held back by moderation: the other person does not see it.",
		}),
		edited_at: IsoTimestamp.nullable().openapi({
			description: "When the sender last edited it (null: never).",
		}),
		deleted_at: IsoTimestamp.nullable().openapi({
			description:
				"When the sender deleted it: a tombstone, its text empty, its seq kept (null: not deleted).",
		}),
	})
	.openapi("ChatMessage");

export const ReadState = z
	.object({
		my_last_read_seq: z.number().int(),
		peer_last_read_seq: z.number().int(),
		last_seq: z.number().int().openapi({ description: "The newest message's seq (0: none yet)." }),
		unread_count: z.number().int(),
	})
	.openapi("ReadState");

export const MessagePage = z
	.object({
		data: z.array(ChatMessage),
		next_cursor: z.string().nullable(),
		read_state: ReadState,
	})
	.openapi("MessagePage");

export const MessageListQuery = PageQuery.extend({
	since_seq: z.coerce.number().int().min(0).optional().openapi({
		description:
			"Only messages after this seq, oldest first (catching up after a reconnect). Without it: newest first.",
	}),
});

export const SendMessage = z
	.strictObject({
		text: boundedText(1, MAX_MESSAGE_CHARS),
		client_message_id: ClientMessageId.optional().openapi({
			description:
				"Makes retries idempotent: the same id from the same sender never creates a second message.",
		}),
	})
	.openapi("SendMessage");

export const EditMessage = z.strictObject({ text: boundedText(1, MAX_MESSAGE_CHARS) }).openapi("EditMessage");

export const SentMessage = ChatMessage.extend({
	crisis_resources: z.array(CrisisResource).optional().openapi({
		description: "Present when the message reads as a high self-harm risk.",
	}),
}).openapi("SentMessage");

export const MarkRead = z
	.strictObject({
		seq: z.number().int().min(0).openapi({ description: "Everything up to this seq is read." }),
	})
	.openapi("MarkRead");

export const Conversation = z
	.object({
		conversation_id: z.string(),
		peer: Peer,
		last_message: z.object({
			seq: z.number().int(),
			preview: z.string(),
			sent_at: IsoTimestamp,
		}),
		last_read_seq: z.number().int(),
		unread_count: z.number().int(),
		can_message: z.boolean().openapi({
			description: "Whether we may still write to each other (connected, or in an accepted mentorship).",
		}),
	})
	.openapi("Conversation");

export const ConversationPage = pageOf(Conversation, "ConversationPage");

export const ChatTicket = z
	.object({
		ticket: z.string().openapi({ description: "Single use; valid for `expires_in` seconds." }),
		expires_at: IsoTimestamp,
		expires_in: z.number().int(),
		url: z.string().openapi({ description: "The path to open the WebSocket with (ticket included)." }),
	})
	.openapi("ChatTicket");

export const WsQuery = z.object({
	ticket: z.string().max(100).optional().openapi({
		description:
			"A ticket from `POST …/tickets` (browsers); or send a bearer token instead (native clients).",
	}),
	// Digits only: `z.coerce` would read an empty `since_seq=` as 0 and replay the conversation from its start.
	since_seq: z
		.string()
		.regex(/^\d{1,15}$/, "must be a whole number ≥ 0; leave it out to replay nothing")
		.transform(Number)
		.optional()
		.openapi({
			type: "integer",
			minimum: 0,
			description:
				"Replay the messages after this seq on connect (what I missed while offline). Without it nothing is replayed; empty is 422.",
		}),
});
