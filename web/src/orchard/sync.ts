/**
 * @module orchard/sync: the pure logic of a live conversation — folding the server's frames and REST answers
 * into one ordered list of messages without duplicates, where to resume after a drop (`since_seq`), how long to
 * wait before reconnecting, and what a closed socket means. No React, no sockets: unit-tested in sync.test.ts.
 */
import type { Schemas } from "../api/client";

export type ChatMessage = Schemas["WireMessage"];
export type ServerFrame = Schemas["ChatServerFrame"];
export type ClientFrame = Schemas["ChatClientFrame"];
export type ReadState = Schemas["ReadState"];

/** The latest-known version of a message: an edit or a delete wins over what came before it. */
function newer(a: ChatMessage, b: ChatMessage): ChatMessage {
	const stamp = (m: ChatMessage) => m.deleted_at ?? m.edited_at ?? "";
	if (a.deleted_at && !b.deleted_at) return a;
	if (b.deleted_at && !a.deleted_at) return b;
	return stamp(b) > stamp(a) ? b : a;
}

/**
 * Messages already held plus those that arrived (a history page, a replay after reconnecting, a live frame,
 * the answer to my own send): one per id, the newest version of each, in seq order. Returns `held` itself
 * when nothing changed, so React does not re-render for a duplicate.
 */
export function mergeMessages(held: readonly ChatMessage[], arrived: readonly ChatMessage[]): ChatMessage[] {
	if (arrived.length === 0) return held as ChatMessage[];
	const byId = new Map(held.map((message) => [message.id, message]));
	let changed = false;
	for (const message of arrived) {
		const before = byId.get(message.id);
		const after = before ? newer(before, message) : message;
		if (after !== before) {
			byId.set(message.id, after);
			changed = true;
		}
	}
	if (!changed) return held as ChatMessage[];
	return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/** A `message_deleted` frame: the message becomes a tombstone (its text gone, its place kept). */
export function markDeleted(held: readonly ChatMessage[], id: string, at: string): ChatMessage[] {
	const index = held.findIndex((message) => message.id === id);
	const target = held[index];
	if (!target || target.deleted_at) return held as ChatMessage[];
	const next = [...held];
	next[index] = { ...target, text: "", deleted_at: at };
	return next;
}

/** Where to resume: the highest seq held (0 when none). Replay after it fills exactly the gap. */
export function lastSeq(held: readonly ChatMessage[]): number {
	return held.reduce((highest, message) => Math.max(highest, message.seq), 0);
}

/** The socket URL of a ticket's path on this page's origin, resuming after `since` (ws:// or wss://). */
export function socketUrl(ticketPath: string, origin: string, since: number | undefined): string {
	const url = new URL(ticketPath, origin);
	url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
	if (since !== undefined) url.searchParams.set("since_seq", String(since));
	return url.toString();
}

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;

/**
 * How long to wait before reconnection attempt `attempt` (0 = the first after a drop): doubling from 1 s up to
 * 30 s, with "full jitter" in its upper half (`random` in [0, 1)) so that many clients dropped at once do not
 * all come back in the same instant.
 */
export function backoffDelay(attempt: number, random: number): number {
	const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
	return Math.round(ceiling / 2 + (ceiling / 2) * Math.min(Math.max(random, 0), 1));
}

export type CloseAction = "retry-now" | "retry-later" | "stop";

/**
 * What a closed socket means. 4403: the right to chat ended (a block, a removed connection) or the account is
 * suspended — never retry. 4401/4409: the ticket expired or was spent — a fresh ticket at once. 1000 from us
 * (leaving the page, going offline) is handled by the caller; anything else is a drop: back off and retry.
 */
export function closeAction(code: number): CloseAction {
	if (code === 4403) return "stop";
	if (code === 4401 || code === 4409) return "retry-now";
	return "retry-later";
}

/**
 * A long absence is replayed in chunks (200 a frame): after `ready` or `sync_done` saying `has_more`, ask for
 * the next chunk after the highest seq received so far; otherwise nothing to ask.
 */
export function nextSync(frame: ServerFrame, receivedUpTo: number): ClientFrame | undefined {
	if ((frame.type === "ready" || frame.type === "sync_done") && frame.has_more) {
		return { type: "sync", since_seq: receivedUpTo };
	}
	return undefined;
}

/** A frame from the server, if the text is one we understand (anything else is ignored, never thrown). */
export function parseFrame(data: unknown): ServerFrame | undefined {
	if (typeof data !== "string") return undefined;
	try {
		const frame = JSON.parse(data) as { type?: unknown };
		return frame && typeof frame === "object" && typeof frame.type === "string"
			? (frame as ServerFrame)
			: undefined;
	} catch {
		return undefined;
	}
}

/** May I still edit this message of mine (the API allows 15 minutes after sending)? */
export const EDIT_WINDOW_MS = 15 * 60_000;
export function canEdit(message: ChatMessage, me: string, now: number): boolean {
	return (
		message.sender_id === me &&
		!message.deleted_at &&
		!message.pending_review &&
		now - Date.parse(message.created_at) < EDIT_WINDOW_MS
	);
}

/** Typing: send a "typing" frame at most this often while the person types (the server relays one per 2.5 s). */
export const TYPING_SEND_INTERVAL_MS = 2_500;
/** A "typing" shown without news for this long is stale (the other person's stop frame may have been lost). */
export const TYPING_STALE_MS = 6_000;

export function shouldSendTyping(lastSentAt: number | undefined, now: number): boolean {
	return lastSentAt === undefined || now - lastSentAt >= TYPING_SEND_INTERVAL_MS;
}

/** The status line about the connection, in calm words (null when all is well and nothing needs saying). */
export type LinkState = "connecting" | "live" | "offline" | "reconnecting" | "closed";
export function linkText(state: LinkState, peerName: string): string | null {
	switch (state) {
		case "connecting":
			return "Connecting…";
		case "live":
			return null;
		case "offline":
			return "You're offline. New messages will appear when you're back.";
		case "reconnecting":
			return "Reconnecting… New messages will appear in a moment.";
		case "closed":
			return `You can no longer message ${peerName} here.`;
	}
}

// ---------------------------------------------------------------- a conversation's state

export interface ChatState {
	messages: ChatMessage[];
	/** The other person has read up to here ("Seen" under my messages). */
	peerLastRead: number;
	/** When the other person's last "typing" frame came (null: not typing). */
	peerTypingSince: number | null;
	/** The newest message from the other person that arrived live or in a replay, not shown before (what the polite live region reads). */
	arrived: ChatMessage | null;
}

export const emptyChat: ChatState = { messages: [], peerLastRead: 0, peerTypingSince: null, arrived: null };

export type ChatEvent =
	| { type: "history"; messages: readonly ChatMessage[]; peerLastRead: number }
	| { type: "sent"; message: ChatMessage }
	| { type: "frame"; frame: ServerFrame; me: string; now: number }
	| { type: "typing-stale"; now: number };

/** Everything that can happen to a conversation on this page, folded into its state. */
export function chatReducer(state: ChatState, event: ChatEvent): ChatState {
	switch (event.type) {
		case "history": {
			const messages = mergeMessages(state.messages, event.messages);
			const peerLastRead = Math.max(state.peerLastRead, event.peerLastRead);
			return messages === state.messages && peerLastRead === state.peerLastRead
				? state
				: { ...state, messages, peerLastRead };
		}
		case "sent": {
			const messages = mergeMessages(state.messages, [event.message]);
			return messages === state.messages ? state : { ...state, messages };
		}
		case "typing-stale":
			return state.peerTypingSince !== null && event.now - state.peerTypingSince >= TYPING_STALE_MS
				? { ...state, peerTypingSince: null }
				: state;
		case "frame":
			return applyFrame(state, event.frame, event.me, event.now);
	}
}

function applyFrame(state: ChatState, frame: ServerFrame, me: string, now: number): ChatState {
	switch (frame.type) {
		case "message":
		case "ack":
		case "message_updated": {
			const known = state.messages.some((message) => message.id === frame.message.id);
			const messages = mergeMessages(state.messages, [frame.message]);
			if (messages === state.messages) return state;
			const fromPeer = frame.message.sender_id !== me;
			return {
				...state,
				messages,
				// A message from them ends their typing; only a new one is read out.
				...(fromPeer && frame.type === "message" ? { peerTypingSince: null } : {}),
				...(fromPeer && frame.type === "message" && !known ? { arrived: frame.message } : {}),
			};
		}
		case "message_deleted": {
			const messages = markDeleted(state.messages, frame.id, new Date(now).toISOString());
			return messages === state.messages ? state : { ...state, messages };
		}
		case "typing":
			if (frame.user_id === me) return state;
			return { ...state, peerTypingSince: frame.active ? now : null };
		case "read":
			if (frame.user_id === me || frame.last_read_seq <= state.peerLastRead) return state;
			return { ...state, peerLastRead: frame.last_read_seq };
		case "ready":
			return frame.read_state.peer_last_read_seq > state.peerLastRead
				? { ...state, peerLastRead: frame.read_state.peer_last_read_seq }
				: state;
		default:
			return state;
	}
}
