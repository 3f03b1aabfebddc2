/**
 * @module orchard/useChat: one conversation, live. The newest page of history over REST, then the socket
 * (orchard/link), resuming after the highest seq held, so nothing that arrives between the two is lost or shown
 * twice (orchard/sync merges by id). Sends and edits go over REST (idempotent with a `client_message_id`; the
 * room relays them to every open socket); typing and read receipts go over the socket when it is open.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { ok } from "../api/client";
import { useSession } from "../auth/session";
import { ChatLink } from "./link";
import { useHistory, useInvalidateConversations } from "./queries";
import {
	type ChatMessage,
	chatReducer,
	emptyChat,
	type LinkState,
	lastSeq,
	shouldSendTyping,
	TYPING_STALE_MS,
} from "./sync";

export function useChat(peerId: string, me: string | undefined) {
	const { api } = useSession();
	const history = useHistory(peerId);
	const [state, dispatch] = useReducer(chatReducer, emptyChat);
	const [link, setLink] = useState<LinkState>("connecting");
	const linkRef = useRef<ChatLink | null>(null);
	const messagesRef = useRef<ChatMessage[]>([]);
	messagesRef.current = state.messages;
	const invalidateList = useInvalidateConversations();

	useEffect(() => {
		if (!history.data) return;
		dispatch({
			type: "history",
			messages: [...history.data.data].reverse(),
			peerLastRead: history.data.read_state.peer_last_read_seq,
		});
	}, [history.data]);

	// The socket opens once the history is in (and `me` is known): it resumes after what the page holds.
	const ready = history.isSuccess && me !== undefined;
	useEffect(() => {
		if (!ready || !me) return;
		const chat = new ChatLink({
			api,
			peerId,
			resumeAfter: () => lastSeq(messagesRef.current),
			onFrame: (frame) => dispatch({ type: "frame", frame, me, now: Date.now() }),
			onState: setLink,
		});
		linkRef.current = chat;
		chat.start();
		return () => {
			chat.stop();
			linkRef.current = null;
		};
	}, [ready, api, peerId, me]);

	// A "typing" that nobody ended is forgotten after a few quiet seconds.
	useEffect(() => {
		if (state.peerTypingSince === null) return;
		const timer = setTimeout(() => dispatch({ type: "typing-stale", now: Date.now() }), TYPING_STALE_MS);
		return () => clearTimeout(timer);
	}, [state.peerTypingSince]);

	// Everything shown is read: tell the room (the socket when open, else REST) and refresh the list's counts.
	const newest = lastSeq(state.messages);
	const readUpTo = useRef(0);
	useEffect(() => {
		if (!ready || newest <= readUpTo.current || document.visibilityState === "hidden") return;
		readUpTo.current = newest;
		const sent = linkRef.current?.send({ type: "read", seq: newest });
		const done = sent
			? Promise.resolve()
			: ok(
					api.POST("/api/v1/orchard/conversations/{user_id}/read", {
						params: { path: { user_id: peerId } },
						body: { seq: newest },
					}),
				).then(() => undefined);
		void done.then(invalidateList, () => {
			readUpTo.current = 0;
		});
	}, [ready, newest, api, peerId, invalidateList]);

	const send = useCallback(
		async (text: string) => {
			const message = await ok(
				api.POST("/api/v1/orchard/conversations/{user_id}/messages", {
					params: { path: { user_id: peerId } },
					body: { text, client_message_id: crypto.randomUUID() },
				}),
			);
			dispatch({ type: "sent", message });
			return message;
		},
		[api, peerId],
	);

	const edit = useCallback(
		async (messageId: string, text: string) => {
			const message = await ok(
				api.PATCH("/api/v1/orchard/conversations/{user_id}/messages/{message_id}", {
					params: { path: { user_id: peerId, message_id: messageId } },
					body: { text },
				}),
			);
			dispatch({ type: "sent", message });
			return message;
		},
		[api, peerId],
	);

	const typingSentAt = useRef<number | undefined>(undefined);
	const typing = useCallback((active: boolean) => {
		const now = Date.now();
		if (active) {
			if (!shouldSendTyping(typingSentAt.current, now)) return;
			if (linkRef.current?.send({ type: "typing", active: true })) typingSentAt.current = now;
		} else if (typingSentAt.current !== undefined) {
			typingSentAt.current = undefined;
			linkRef.current?.send({ type: "typing", active: false });
		}
	}, []);

	return { history, state, link, send, edit, typing };
}
