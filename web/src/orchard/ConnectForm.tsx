/**
 * Ask someone to connect. The API has no people search yet (search finds guides, posts, groups…), so a person
 * shares their member ID — shown here, with a button to copy it — and the other pastes it.
 */
import { type FormEvent, useId, useRef, useState } from "react";
import { errorSentence } from "../api/client";
import { memberId } from "./display";
import { type Connection, useMe, useRequestConnection } from "./queries";

export function ConnectForm({ onAsked }: { onAsked: (connection: Connection) => void }) {
	const id = useId();
	const me = useMe();
	const request = useRequestConnection();
	const field = useRef<HTMLInputElement>(null);
	const [raw, setRaw] = useState("");
	const [note, setNote] = useState("");
	const [localError, setLocalError] = useState<string | null>(null);
	const [copied, setCopied] = useState(false);
	const shownError = localError ?? (request.error ? errorSentence(request.error) : null);

	async function submit(event: FormEvent) {
		event.preventDefault();
		const userId = memberId(raw);
		if (!userId) {
			setLocalError("That doesn't look like a member ID. It has 36 letters, digits and dashes.");
			field.current?.focus();
			return;
		}
		if (userId === me.data?.id) {
			setLocalError("That's your own member ID. Paste the ID of the person you'd like to connect with.");
			field.current?.focus();
			return;
		}
		setLocalError(null);
		try {
			const connection = await request.mutateAsync({
				user_id: userId,
				connection_type: "friend",
				note: note.trim(),
			});
			setRaw("");
			setNote("");
			onAsked(connection);
		} catch {
			field.current?.focus();
		}
	}

	async function copy() {
		if (!me.data) return;
		try {
			await navigator.clipboard.writeText(me.data.id);
			setCopied(true);
		} catch {
			setCopied(false);
		}
	}

	return (
		<section className="card" aria-labelledby={`${id}-title`}>
			<h2 id={`${id}-title`}>Connect with someone</h2>
			{me.data && (
				<p className="member-id">
					Your member ID: <code data-testid="my-member-id">{me.data.id}</code>{" "}
					<button type="button" className="button button--quiet button--small" onClick={() => void copy()}>
						{copied ? "Copied" : "Copy"}
						<span className="visually-hidden"> your member ID</span>
					</button>
				</p>
			)}
			<p className="hint">
				Share yours with someone you know, or paste theirs below. They can accept or decline.
			</p>
			<form onSubmit={submit} noValidate>
				<div className="field">
					<label htmlFor={`${id}-member`}>Their member ID</label>
					<input
						id={`${id}-member`}
						ref={field}
						value={raw}
						autoComplete="off"
						spellCheck={false}
						required
						aria-invalid={localError ? true : undefined}
						aria-describedby={shownError ? `${id}-error` : undefined}
						onChange={(event) => setRaw(event.target.value)}
					/>
				</div>
				<div className="field">
					<label htmlFor={`${id}-note`}>A short note (optional)</label>
					<input
						id={`${id}-note`}
						value={note}
						maxLength={500}
						autoComplete="off"
						onChange={(event) => setNote(event.target.value)}
					/>
				</div>
				{shownError && (
					<p id={`${id}-error`} className="form-error" role="alert">
						{shownError}
					</p>
				)}
				<button
					type="submit"
					className="button button--primary"
					disabled={request.isPending}
					aria-busy={request.isPending}
				>
					{request.isPending ? "Asking…" : "Ask to connect"}
				</button>
			</form>
		</section>
	);
}
