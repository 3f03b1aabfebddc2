/**
 * A conversation with one person, live: the history, new messages as they come (read out politely, one at a
 * time, only theirs), "… is typing", editing my own recent messages, and a calm line when the connection drops
 * and comes back (what was missed meanwhile appears once).
 */
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { errorSentence } from "../api/client";
import { LoadError } from "../pages/LoadError";
import { PageHeading } from "../pages/PageHeading";
import { typingText } from "./display";
import { MessageItem } from "./MessageItem";
import { useMe, useProfile } from "./queries";
import { canEdit, linkText } from "./sync";
import { useChat } from "./useChat";
import "./orchard.css";

export function ConversationPage() {
	const { userId = "" } = useParams();
	const me = useMe();
	const profile = useProfile(userId);
	const { history, state, link, send, edit, typing } = useChat(userId, me.data?.id);
	const peerName = profile.data?.display_name ?? "them";
	const title = profile.data ? `Chat with ${profile.data.display_name}` : "Conversation";
	const listRef = useRef<HTMLOListElement>(null);
	const [announcement, setAnnouncement] = useState("");

	// Only a new message from them is read out (never my own, never a replayed or edited one).
	useEffect(() => {
		if (state.arrived) setAnnouncement(`${peerName}: ${state.arrived.text}`);
	}, [state.arrived, peerName]);

	// Keep the newest message in view as messages arrive.
	const count = state.messages.length;
	useEffect(() => {
		const list = listRef.current;
		if (list && count > 0) list.scrollTop = list.scrollHeight;
	}, [count]);

	const myId = me.data?.id;
	const peerSeen = [...state.messages]
		.reverse()
		.find((message) => message.sender_id === myId && message.seq <= state.peerLastRead)?.id;
	const status = linkText(link, peerName);
	const failed = history.error ?? profile.error ?? me.error;
	const now = Date.now();

	return (
		<>
			<p className="back-link">
				<Link to="/orchard">
					<span aria-hidden="true">← </span>All conversations
				</Link>
			</p>
			<PageHeading title={title} />
			<p className="visually-hidden" aria-live="polite" aria-atomic="true">
				{announcement}
			</p>
			<p className={`chat__status${status ? "" : " visually-hidden"}`} role="status" data-link={link}>
				{status ?? "Connected"}
			</p>
			{failed && (
				<LoadError
					error={failed}
					onRetry={() => void Promise.all([history.refetch(), profile.refetch(), me.refetch()])}
				/>
			)}
			{history.isPending && <p aria-busy="true">Opening the conversation…</p>}
			{history.data && (
				<section className="chat" aria-labelledby="messages-title">
					<h2 id="messages-title" className="visually-hidden">
						Messages
					</h2>
					{state.messages.length === 0 ? (
						<p className="empty">No messages yet. Say hello — a few words are plenty.</p>
					) : (
						// biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling list must be reachable by keyboard
						<ol className="chat__messages" ref={listRef} tabIndex={0} aria-labelledby="messages-title">
							{state.messages.map((message) => (
								<MessageItem
									key={message.id}
									message={message}
									mine={message.sender_id === myId}
									peerName={peerName}
									editable={myId !== undefined && canEdit(message, myId, now)}
									seen={message.id === peerSeen}
									onEdit={(text) => edit(message.id, text)}
								/>
							))}
						</ol>
					)}
					<p className="chat__typing">{state.peerTypingSince !== null ? typingText(peerName) : ""}</p>
					{link === "closed" || profile.data?.can_message === false ? (
						<p className="banner">
							You can no longer message {peerName}. The conversation stays here for you.
						</p>
					) : (
						<Composer peerName={peerName} onSend={send} onTyping={typing} />
					)}
				</section>
			)}
		</>
	);
}

function Composer({
	peerName,
	onSend,
	onTyping,
}: {
	peerName: string;
	onSend: (text: string) => Promise<unknown>;
	onTyping: (active: boolean) => void;
}) {
	const id = useId();
	const [text, setText] = useState("");
	const [error, setError] = useState<string | null>(null);
	const [sending, setSending] = useState(false);
	const field = useRef<HTMLTextAreaElement>(null);

	async function submit(event?: FormEvent) {
		event?.preventDefault();
		const words = text.trim();
		if (!words || sending) return;
		setSending(true);
		setError(null);
		onTyping(false);
		try {
			await onSend(words);
			setText("");
		} catch (failure) {
			// The words stay in the box, so nothing is lost; sending again is safe.
			setError(errorSentence(failure));
		} finally {
			setSending(false);
			field.current?.focus();
		}
	}

	function enterSends(event: KeyboardEvent<HTMLTextAreaElement>) {
		if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
			event.preventDefault();
			void submit();
		}
	}

	return (
		<form className="composer" onSubmit={submit} noValidate>
			<label htmlFor={`${id}-text`}>Message to {peerName}</label>
			<textarea
				id={`${id}-text`}
				ref={field}
				value={text}
				rows={2}
				maxLength={4000}
				aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
				onChange={(event) => {
					setText(event.target.value);
					onTyping(event.target.value.trim().length > 0);
				}}
				onBlur={() => onTyping(false)}
				onKeyDown={enterSends}
			/>
			<p id={`${id}-hint`} className="hint">
				Enter sends; Shift+Enter starts a new line.
			</p>
			{error && (
				<p id={`${id}-error`} className="form-error" role="alert">
					{error}
				</p>
			)}
			<button type="submit" className="button button--primary" disabled={sending} aria-busy={sending}>
				{sending ? "Sending…" : "Send"}
			</button>
		</form>
	);
}
