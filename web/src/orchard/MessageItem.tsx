/** One message of a conversation: who, what, when; "edited"; and, for my own recent ones, an Edit form in place. */
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { errorSentence } from "../api/client";
import { timeText } from "./display";
import type { ChatMessage } from "./sync";

export function MessageItem({
	message,
	mine,
	peerName,
	editable,
	seen,
	onEdit,
}: {
	message: ChatMessage;
	mine: boolean;
	peerName: string;
	editable: boolean;
	/** The other person has read this (shown under my newest read message). */
	seen: boolean;
	onEdit: (text: string) => Promise<unknown>;
}) {
	const id = useId();
	const [editing, setEditing] = useState(false);
	const [draft, setDraft] = useState(message.text);
	const [error, setError] = useState<string | null>(null);
	const [saving, setSaving] = useState(false);
	const editButton = useRef<HTMLButtonElement>(null);
	const wasEditing = useRef(false);

	// Closing the form puts focus back on the Edit button, not at the top of the page.
	useEffect(() => {
		if (wasEditing.current && !editing) editButton.current?.focus();
		wasEditing.current = editing;
	}, [editing]);

	async function save(event: FormEvent) {
		event.preventDefault();
		const text = draft.trim();
		if (!text) {
			setError("A message needs some words. To take it back, leave it as it was.");
			return;
		}
		if (text === message.text) {
			setEditing(false);
			return;
		}
		setSaving(true);
		setError(null);
		try {
			await onEdit(text);
			setEditing(false);
		} catch (failure) {
			setError(errorSentence(failure));
		} finally {
			setSaving(false);
		}
	}

	function cancelOnEscape(event: KeyboardEvent) {
		if (event.key === "Escape") {
			event.preventDefault();
			setEditing(false);
		}
	}

	const who = mine ? "You" : peerName;
	return (
		<li className={`message ${mine ? "message--mine" : "message--theirs"}`} data-seq={message.seq}>
			<p className="message__meta">
				<span className="message__who">{who}</span>{" "}
				<time dateTime={message.created_at}>{timeText(message.created_at)}</time>
				{message.edited_at && !message.deleted_at && <span className="message__edited"> · edited</span>}
			</p>
			{editing ? (
				<form className="message__edit" onSubmit={save} noValidate>
					<label htmlFor={`${id}-edit`}>Edit your message</label>
					<textarea
						id={`${id}-edit`}
						value={draft}
						rows={2}
						maxLength={4000}
						// biome-ignore lint/a11y/noAutofocus: the person just asked to edit this message
						autoFocus
						aria-describedby={error ? `${id}-error` : undefined}
						onChange={(event) => setDraft(event.target.value)}
						onKeyDown={cancelOnEscape}
					/>
					{error && (
						<p id={`${id}-error`} className="form-error" role="alert">
							{error}
						</p>
					)}
					<div className="message__actions">
						<button type="submit" className="button button--primary" disabled={saving} aria-busy={saving}>
							{saving ? "Saving…" : "Save"}
						</button>
						<button type="button" className="button button--quiet" onClick={() => setEditing(false)}>
							Cancel
						</button>
					</div>
				</form>
			) : (
				<p className="message__text">
					{message.deleted_at ? <em>Message deleted</em> : message.text}
					{message.pending_review && (
						<span className="message__review"> — held for review; {peerName} can't see it yet</span>
					)}
				</p>
			)}
			{!editing && (editable || seen) && (
				<div className="message__footer">
					{seen && <span className="message__seen">Seen</span>}
					{editable && (
						<button
							ref={editButton}
							type="button"
							className="button button--quiet button--small"
							aria-label={`Edit your message: ${message.text.slice(0, 60)}`}
							onClick={() => {
								setDraft(message.text);
								setError(null);
								setEditing(true);
							}}
						>
							Edit
						</button>
					)}
				</div>
			)}
		</li>
	);
}
