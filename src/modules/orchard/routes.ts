/**
 * @module orchard/routes: The Orchard — connections, blocks, the Guide directory, mentorships, and chat
 * (REST into each conversation's ChatRoom Durable Object, and the WebSocket upgrade forwarded to it).
 */
import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import {
	CHAT_COUNTRY_HEADER,
	CHAT_PEER_HEADER,
	CHAT_USER_HEADER,
	ClientFrame as ChatClientFrame,
	ServerFrame as ChatServerFrame,
} from "../../../durable-objects/chat-protocol";
import { currentUser } from "../../auth/guards";
import { unauthorized } from "../../auth/verify";
import { isSuspended } from "../../core/accounts/current-user";
import { chatAccess } from "../../core/chat-access";
import { users } from "../../db/tables/users";
import { callerCountry } from "../../http/crisis";
import { defineRoute, jsonContent, problemResponse, websocketFrames } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { refusedSocket, SOCKET_REFUSAL_NOTE } from "../../http/socket-refusal";
import { newId } from "../../lib/ids";
import { decodeCursor, encodeCursor, PageQuery } from "../../lib/pagination";
import { notFound, Problem } from "../../lib/problem";
import { idParam } from "../../lib/schemas";
import {
	chatProblem,
	fenceRoom,
	issueTicket,
	listConversations,
	redeemTicket,
	requireChatAccess,
	requireChatReadAccess,
	revalidateRoom,
	roomFor,
	TICKET_TTL_SECONDS,
} from "./chat";
import {
	answerConnection,
	blockUser,
	listBlocks,
	listConnections,
	removeConnection,
	requestConnection,
	unblockUser,
} from "./connections";
import { listGuides, listMentorships, requestMentorship, updateMentorship } from "./mentorships";
import {
	AnswerConnection,
	Block,
	BlockPage,
	ChatMessage,
	ChatTicket,
	Connection,
	ConnectionListQuery,
	ConnectionPage,
	ConversationPage,
	CreateConnection,
	CreateMentorship,
	EditMessage,
	GuideListQuery,
	GuidePage,
	MarkRead,
	Mentorship,
	MentorshipListQuery,
	MentorshipPage,
	MessageListQuery,
	MessagePage,
	ReadState,
	SendMessage,
	SentMessage,
	UpdateMentorship,
	WsQuery,
} from "./schemas";

const tags = ["orchard"];
const PeerParams = idParam("user_id");
const MessageParams = PeerParams.extend(idParam("message_id").shape);

// ---------------------------------------------------------------- connections

const getConnections = defineRoute("user", {
	method: "get",
	path: "/orchard/connections",
	operationId: "listConnections",
	tags,
	summary: "My connections and pending requests (incoming and outgoing)",
	request: { query: ConnectionListQuery },
	responses: {
		200: { description: "A page of connections, newest first.", content: jsonContent(ConnectionPage) },
	},
});

const postConnection = defineRoute("user", {
	method: "post",
	path: "/orchard/connections",
	operationId: "requestConnection",
	tags,
	summary: "Ask someone to connect",
	description:
		"Counts against the daily connection-request limit of my trust level. If the other person already asked me, this accepts their request (200). After a decline I may ask the same person again after 7 days.",
	request: { body: { required: true, content: jsonContent(CreateConnection) } },
	responses: {
		201: { description: "The new request.", content: jsonContent(Connection) },
		200: { description: "They had asked me: now connected.", content: jsonContent(Connection) },
		404: problemResponse("No such user (or a block either way)."),
		409: problemResponse("Already connected, already asked, or asked again too soon after a decline."),
		429: problemResponse("Daily connection-request limit reached."),
	},
});

const ConnectionParams = idParam("connection_id");

const patchConnection = defineRoute("user", {
	method: "patch",
	path: "/orchard/connections/{connection_id}",
	operationId: "answerConnection",
	tags,
	summary: "Accept or decline a request I received",
	request: { params: ConnectionParams, body: { required: true, content: jsonContent(AnswerConnection) } },
	responses: {
		200: { description: "The answered request.", content: jsonContent(Connection) },
		403: problemResponse("Only the person asked can answer."),
		404: problemResponse("No such connection of mine."),
		409: problemResponse("Already answered."),
	},
});

const deleteConnection = defineRoute("user", {
	method: "delete",
	path: "/orchard/connections/{connection_id}",
	operationId: "removeConnection",
	tags,
	summary: "Remove a connection, cancel my request, or dismiss one I received",
	description: "Either side. Ends chat between us unless a mentorship still links us: open sockets close.",
	request: { params: ConnectionParams },
	responses: { 204: { description: "Removed." }, 404: problemResponse("No such connection of mine.") },
});

// ---------------------------------------------------------------- blocks

const getBlocks = defineRoute("user", {
	method: "get",
	path: "/orchard/blocks",
	operationId: "listBlocks",
	tags,
	summary: "People I block",
	request: { query: PageQuery },
	responses: { 200: { description: "A page of blocks, newest first.", content: jsonContent(BlockPage) } },
});

const putBlock = defineRoute("user", {
	method: "put",
	path: "/orchard/blocks/{user_id}",
	operationId: "blockUser",
	tags,
	summary: "Block someone",
	description:
		"Removes any connection or request between us, ends open mentorships between us, closes our chat, and hides each of us from the other everywhere. Idempotent.",
	request: { params: PeerParams },
	responses: {
		201: { description: "Blocked.", content: jsonContent(Block) },
		200: { description: "Already blocked.", content: jsonContent(Block) },
		404: problemResponse("No such user."),
	},
});

const deleteBlock = defineRoute("user", {
	method: "delete",
	path: "/orchard/blocks/{user_id}",
	operationId: "unblockUser",
	tags,
	summary: "Unblock someone (a removed connection is not restored)",
	request: { params: PeerParams },
	responses: { 204: { description: "Unblocked." }, 404: problemResponse("I do not block this user.") },
});

// ---------------------------------------------------------------- conversations

const conversationProblems = {
	403: problemResponse("Not connected (nor in an accepted mentorship), or suspended."),
	404: problemResponse("No such user (or a block either way)."),
};

const getConversations = defineRoute("user", {
	method: "get",
	path: "/orchard/conversations",
	operationId: "listConversations",
	tags,
	summary: "My conversations: peer, last message preview, my unread count; newest first",
	request: { query: PageQuery },
	responses: { 200: { description: "A page of conversations.", content: jsonContent(ConversationPage) } },
});

const getMessages = defineRoute("user", {
	method: "get",
	path: "/orchard/conversations/{user_id}/messages",
	operationId: "listChatMessages",
	tags,
	summary: "Message history with a connection (newest first; or after `since_seq`, oldest first)",
	description:
		"Also readable, read-only, with a person who has since deleted their account: their words are blanked, unless they are kept as evidence of an open report.",
	request: { params: PeerParams, query: MessageListQuery },
	responses: {
		200: { description: "A page of messages and the read state.", content: jsonContent(MessagePage) },
		...conversationProblems,
	},
});

const postMessage = defineRoute("user", {
	method: "post",
	path: "/orchard/conversations/{user_id}/messages",
	operationId: "sendChatMessage",
	tags,
	summary: "Send a message (delivered live to open sockets)",
	description:
		"Stored before it is acknowledged. The same `client_message_id` from the same sender never creates a second message: a retry answers 200 with the original. Counts against the daily message limit of my trust level. Text the moderation step hides is stored and shown to me as pending review, but not delivered.",
	request: { params: PeerParams, body: { required: true, content: jsonContent(SendMessage) } },
	responses: {
		201: { description: "The stored message.", content: jsonContent(SentMessage) },
		200: { description: "A retry: the message stored before.", content: jsonContent(SentMessage) },
		...conversationProblems,
		429: problemResponse("Daily message limit reached."),
	},
});

const changeProblems = {
	403: problemResponse("Not connected (nor in an accepted mentorship), or suspended."),
	404: problemResponse("No such user (or a block either way), or no such message of mine."),
	409: problemResponse(
		"More than 15 minutes after it was sent (`edit-window-closed`), deleted already (an edit), or held back for review (an edit).",
	),
};

const patchMessage = defineRoute("user", {
	method: "patch",
	path: "/orchard/conversations/{user_id}/messages/{message_id}",
	operationId: "editChatMessage",
	tags,
	summary: "Edit my own message, within 15 minutes of sending it",
	description:
		"The new text is screened exactly as a new message: text moderation holds back is stored and shown to me as pending review, and the other person no longer sees the message. Open sockets get `message_updated` (or `message_deleted`, for the other person, when it is held back). Editing to the same text again answers the message unchanged.",
	request: {
		params: MessageParams,
		body: { required: true, content: jsonContent(EditMessage) },
	},
	responses: {
		200: {
			description:
				"The edited message (with `crisis_resources` when the new text reads as a high self-harm risk).",
			content: jsonContent(SentMessage),
		},
		...changeProblems,
		422: problemResponse("Empty, invisible or too long text."),
	},
});

const deleteMessage = defineRoute("user", {
	method: "delete",
	path: "/orchard/conversations/{user_id}/messages/{message_id}",
	operationId: "deleteChatMessage",
	tags,
	summary: "Delete my own message, within 15 minutes of sending it",
	description:
		"The message stays in the history as a tombstone (empty text, `deleted_at`), so seq order and read receipts hold. Open sockets get `message_deleted`. Deleting it again answers the same tombstone.",
	request: { params: MessageParams },
	responses: {
		200: { description: "The tombstone.", content: jsonContent(ChatMessage) },
		...changeProblems,
	},
});

const postRead = defineRoute("user", {
	method: "post",
	path: "/orchard/conversations/{user_id}/read",
	operationId: "markConversationRead",
	tags,
	summary: "Mark the conversation read up to a message",
	description: "Never moves backwards; a `seq` past the newest message counts as the newest.",
	request: { params: PeerParams, body: { required: true, content: jsonContent(MarkRead) } },
	responses: {
		200: { description: "My read state.", content: jsonContent(ReadState) },
		...conversationProblems,
	},
});

const postTicket = defineRoute(
	"user",
	{
		method: "post",
		path: "/orchard/conversations/{user_id}/tickets",
		operationId: "createChatTicket",
		tags,
		summary: "A single-use ticket to open the conversation's WebSocket",
		description: `Browsers cannot send an Authorization header with a WebSocket, and access tokens do not belong in URLs: ask for a ticket (valid ${TICKET_TTL_SECONDS} s, one use, stored only as a hash) and open \`url\`.`,
		request: { params: PeerParams },
		responses: {
			201: { description: "The ticket.", content: jsonContent(ChatTicket) },
			...conversationProblems,
		},
	},
	{
		secretInAnswer: {
			onRetry: `A retry simply issues another ticket: each is single-use and expires after ${TICKET_TTL_SECONDS} s, so asking again is harmless.`,
		},
	},
);

const getWs = defineRoute("public", {
	method: "get",
	path: "/orchard/conversations/{user_id}/ws",
	operationId: "openChat",
	...websocketFrames("ChatClientFrame", "ChatServerFrame"),
	tags,
	summary: "WebSocket into the conversation's ChatRoom",
	description: [
		"Authenticate with `?ticket=` from `POST …/tickets` (browsers) or an `Authorization: Bearer` header (native clients); one of the two is required. Several devices of one user may be connected at once.",
		"`since_seq` replays what I missed (up to 200 messages; `ready.has_more` says send `{type:'sync'}` for more). Without it nothing is replayed: read the history with `GET …/messages` and open the socket for what comes next. An empty `since_seq=` is 422.",
		SOCKET_REFUSAL_NOTE,
		"Frames are JSON. Client → server: `{type:'message', client_message_id, text}`, `{type:'read', seq}`, `{type:'typing', active?}` (rate-limited, never stored), `{type:'edit', message_id|seq, text}`, `{type:'delete', message_id|seq}` (my own message, within 15 minutes), `{type:'sync', since_seq}`, `{type:'ping'}`.",
		"Server → client: `ready` (after the replay, with `read_state`), `message` (with its `seq`), `ack` (for my send: the stored message, `duplicate` on a retry), `read`, `typing` (`{user_id, active}`), `message_updated` (`{message}`), `message_deleted` (`{id, seq}`), `sync_done`, `error` (`bad_frame`, `forbidden`, `rate_limited`, …), `pong`.",
		"The socket closes with code 4403 when the right to chat ends (block, connection removed, mentorship ended).",
	].join("\n\n"),
	request: { params: PeerParams, query: WsQuery },
	responses: {
		101: { description: "Switching Protocols: the WebSocket is open." },
		...conversationProblems,
		426: problemResponse("Not a WebSocket upgrade request."),
	},
});

// ---------------------------------------------------------------- guides and mentorships

const getGuides = defineRoute("user", {
	method: "get",
	path: "/orchard/guides",
	operationId: "listGuides",
	tags,
	summary: "The directory of verified Guides",
	description:
		"Guides: role guide (approved application), trust good_soil or higher, not suspended, no block either way. With their specialties, availability and capacity.",
	request: { query: GuideListQuery },
	responses: { 200: { description: "A page of guides.", content: jsonContent(GuidePage) } },
});

const postMentorship = defineRoute(
	{ trust: "growing" },
	{
		method: "post",
		path: "/orchard/mentorships",
		operationId: "requestMentorship",
		tags,
		summary: "Ask a Guide for mentorship",
		request: { body: { required: true, content: jsonContent(CreateMentorship) } },
		responses: {
			201: { description: "The request.", content: jsonContent(Mentorship) },
			404: problemResponse("No such verified guide (or a block either way)."),
			409: problemResponse("The guide has no free place, or I already have an open request with them."),
		},
	},
);

const getMentorships = defineRoute("user", {
	method: "get",
	path: "/orchard/mentorships",
	operationId: "listMentorships",
	tags,
	summary: "My mentorships, as mentee and as guide",
	request: { query: MentorshipListQuery },
	responses: {
		200: { description: "A page of mentorships, newest first.", content: jsonContent(MentorshipPage) },
	},
});

const patchMentorship = defineRoute("user", {
	method: "patch",
	path: "/orchard/mentorships/{mentorship_id}",
	operationId: "updateMentorship",
	tags,
	summary: "Guide accepts or declines; either side completes; the mentee cancels",
	description:
		"A guide never has more accepted mentorships than `max_mentees`, even when several accepts arrive at once: the one that would exceed it answers 409.",
	request: {
		params: idParam("mentorship_id"),
		body: { required: true, content: jsonContent(UpdateMentorship) },
	},
	responses: {
		200: { description: "The mentorship.", content: jsonContent(Mentorship) },
		403: problemResponse("Not my move (e.g. only the guide accepts)."),
		404: problemResponse("No such mentorship of mine."),
		409: problemResponse("Not possible from the current state, or no free place."),
	},
});

const HistoryCursor = z.object({ seq: z.number().int().min(0) });

export const orchardRoutes = createRouter()
	.openapi(getConnections, async (c) =>
		c.json(await listConnections(c.var.db, currentUser(c).id, c.req.valid("query")), 200),
	)
	.openapi(postConnection, async (c) => {
		const outcome = await requestConnection(c.env, c.var.db, currentUser(c), c.req.valid("json"));
		return outcome.created ? c.json(outcome.connection, 201) : c.json(outcome.connection, 200);
	})
	.openapi(patchConnection, async (c) => {
		const { connection_id } = c.req.valid("param");
		const { status } = c.req.valid("json");
		return c.json(await answerConnection(c.var.db, currentUser(c).id, connection_id, status), 200);
	})
	.openapi(deleteConnection, async (c) => {
		const me = currentUser(c).id;
		// Fenced before the delete, told after it: no message sent after this answer is delivered.
		let fence: string | undefined;
		const removed = await removeConnection(c.var.db, me, c.req.valid("param").connection_id, async (row) => {
			fence = await fenceRoom(c.env, row.requesterId, row.addresseeId);
		});
		if (removed.status === "accepted") {
			await revalidateRoom(c.env, removed.requesterId, removed.addresseeId, fence);
		}
		return c.body(null, 204);
	})
	.openapi(getBlocks, async (c) => {
		const { limit, cursor } = c.req.valid("query");
		return c.json(await listBlocks(c.var.db, currentUser(c).id, limit, cursor), 200);
	})
	.openapi(putBlock, async (c) => {
		const me = currentUser(c).id;
		const { user_id } = c.req.valid("param");
		let fence: string | undefined;
		const outcome = await blockUser(c.var.db, me, user_id, async () => {
			fence = await fenceRoom(c.env, me, user_id);
		});
		if (outcome.couldChat) await revalidateRoom(c.env, me, user_id, fence);
		return outcome.created ? c.json(outcome.block, 201) : c.json(outcome.block, 200);
	})
	.openapi(deleteBlock, async (c) => {
		await unblockUser(c.var.db, currentUser(c).id, c.req.valid("param").user_id);
		return c.body(null, 204);
	})
	.openapi(getConversations, async (c) => {
		const { limit, cursor } = c.req.valid("query");
		return c.json(await listConversations(c.var.db, currentUser(c).id, limit, cursor), 200);
	})
	.openapi(getMessages, async (c) => {
		const me = currentUser(c).id;
		const { user_id } = c.req.valid("param");
		const { limit, cursor, since_seq } = c.req.valid("query");
		await requireChatReadAccess(c.var.db, me, user_id);
		const position = decodeCursor(cursor, HistoryCursor)?.seq;
		const forward = since_seq !== undefined;
		const page = await roomFor(c.env, me, user_id).history({
			viewerId: me,
			peerId: user_id,
			limit,
			...(forward
				? { sinceSeq: position ?? since_seq }
				: position !== undefined
					? { beforeSeq: position }
					: {}),
		});
		const last = page.messages.at(-1);
		return c.json(
			{
				data: page.messages,
				next_cursor: page.hasMore && last ? encodeCursor({ seq: last.seq }) : null,
				read_state: page.readState,
			},
			200,
		);
	})
	.openapi(postMessage, async (c) => {
		const me = currentUser(c).id;
		const { user_id } = c.req.valid("param");
		const body = c.req.valid("json");
		// The room checks the right to chat itself (held in the room; see durable-objects/chat-room.ts).
		if (user_id === me) throw notFound("conversation");
		const outcome = await roomFor(c.env, me, user_id).send({
			senderId: me,
			peerId: user_id,
			text: body.text,
			clientMessageId: body.client_message_id ?? newId(),
			country: callerCountry(c),
		});
		if (!outcome.ok) throw chatProblem(outcome.error);
		const sent = {
			...outcome.message,
			...(outcome.crisisResources ? { crisis_resources: outcome.crisisResources } : {}),
		};
		return outcome.duplicate ? c.json(sent, 200) : c.json(sent, 201);
	})
	.openapi(patchMessage, async (c) => {
		const me = currentUser(c).id;
		const { user_id, message_id } = c.req.valid("param");
		// The room checks the right to chat itself, as for a send.
		if (user_id === me) throw notFound("conversation");
		const outcome = await roomFor(c.env, me, user_id).edit({
			userId: me,
			peerId: user_id,
			messageId: message_id,
			text: c.req.valid("json").text,
			country: callerCountry(c),
		});
		if (!outcome.ok) throw chatProblem(outcome.error);
		return c.json(
			{
				...outcome.message,
				...(outcome.crisisResources ? { crisis_resources: outcome.crisisResources } : {}),
			},
			200,
		);
	})
	.openapi(deleteMessage, async (c) => {
		const me = currentUser(c).id;
		const { user_id, message_id } = c.req.valid("param");
		if (user_id === me) throw notFound("conversation");
		const outcome = await roomFor(c.env, me, user_id).remove({
			userId: me,
			peerId: user_id,
			messageId: message_id,
		});
		if (!outcome.ok) throw chatProblem(outcome.error);
		return c.json(outcome.message, 200);
	})
	.openapi(postRead, async (c) => {
		const me = currentUser(c).id;
		const { user_id } = c.req.valid("param");
		await requireChatAccess(c.var.db, me, user_id);
		return c.json(await roomFor(c.env, me, user_id).markRead(me, user_id, c.req.valid("json").seq), 200);
	})
	.openapi(postTicket, async (c) => {
		const me = currentUser(c).id;
		const { user_id } = c.req.valid("param");
		const db = c.var.db;
		await requireChatAccess(db, me, user_id);
		const { ticket, expiresAt } = await issueTicket(db, me, user_id);
		return c.json(
			{
				ticket,
				expires_at: expiresAt,
				expires_in: TICKET_TTL_SECONDS,
				url: `/api/v1/orchard/conversations/${user_id}/ws?ticket=${ticket}`,
			},
			201,
		);
	})
	.openapi(getWs, async (c) => {
		const { user_id: peerId } = c.req.valid("param");
		const { ticket, since_seq } = c.req.valid("query");
		if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
			throw new Problem(426, {
				detail: "Open this URL as a WebSocket.",
				kind: "upgrade-required",
				headers: { Upgrade: "websocket" },
			});
		}
		const db = c.var.db;
		let me = c.get("user");
		if (ticket !== undefined) {
			// A browser cannot read an HTTP refusal of an upgrade: a refused ticket gets a closed socket.
			const redeemed = await redeemTicket(db, ticket);
			if ("refused" in redeemed) return refusedSocket(redeemed.refused);
			if (redeemed.peerId !== peerId) return refusedSocket("not_allowed");
			me = await db.select().from(users).where(eq(users.id, redeemed.userId)).get();
			if (!me || me.deletedAt !== null) return refusedSocket("not_allowed");
			if (isSuspended(me)) return refusedSocket("suspended");
			// The right to chat may have ended since the ticket was issued (a block, a removed connection).
			if ((await chatAccess(db, me.id, peerId)) !== "ok") return refusedSocket("not_allowed");
		} else {
			if (!me)
				throw unauthorized(
					"Open the socket with a ticket (POST …/tickets) or a bearer token.",
					"invalid_request",
				);
			await requireChatAccess(db, me.id, peerId);
		}

		const country = callerCountry(c);
		const url = new URL("https://chat-room/ws");
		if (since_seq !== undefined) url.searchParams.set("since_seq", String(since_seq));
		const upgraded = await roomFor(c.env, me.id, peerId).fetch(url, {
			headers: {
				Upgrade: "websocket",
				[CHAT_USER_HEADER]: me.id,
				[CHAT_PEER_HEADER]: peerId,
				...(country ? { [CHAT_COUNTRY_HEADER]: country } : {}),
			},
		});
		if (upgraded.status !== 101 || !upgraded.webSocket) throw notFound("conversation");
		// A fresh response: the middleware may add headers (a Durable Object's response is immutable).
		return new Response(null, { status: 101, webSocket: upgraded.webSocket });
	})
	.openapi(getGuides, async (c) =>
		c.json(await listGuides(c.var.db, c.env, currentUser(c), c.req.valid("query")), 200),
	)
	.openapi(postMentorship, async (c) =>
		c.json(await requestMentorship(c.env, c.var.db, currentUser(c), c.req.valid("json")), 201),
	)
	.openapi(getMentorships, async (c) =>
		c.json(await listMentorships(c.var.db, currentUser(c).id, c.req.valid("query")), 200),
	)
	.openapi(patchMentorship, async (c) => {
		const { mentorship_id } = c.req.valid("param");
		const me = currentUser(c);
		let fence: string | undefined;
		const outcome = await updateMentorship(
			c.var.db,
			me,
			mentorship_id,
			c.req.valid("json").status,
			new Date(),
			async (peerId) => {
				fence = await fenceRoom(c.env, me.id, peerId);
			},
		);
		if (outcome.endedActive) await revalidateRoom(c.env, me.id, outcome.peerId, fence);
		return c.json(outcome.mentorship, 200);
	});

// The socket's frames, named in openChat's `x-websocket-frames`.
orchardRoutes.openAPIRegistry.register("ChatClientFrame", ChatClientFrame);
orchardRoutes.openAPIRegistry.register("ChatServerFrame", ChatServerFrame);
