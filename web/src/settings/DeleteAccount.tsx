/**
 * Deleting my account: what happens, said plainly; a modal `<dialog>` (focus moves into it, Escape closes it and
 * focus returns to the button that opened it) where I type a word to confirm; then I am signed out and see where
 * I stand. Nothing is deleted until the confirmation is sent.
 */
import { type FormEvent, useId, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { errorSentence } from "../api/client";
import { CONFIRM_WORD, confirmsDeletion } from "./display";
import { useDeleteAccount } from "./queries";

export function DeleteAccount() {
	const id = useId();
	const navigate = useNavigate();
	const remove = useDeleteAccount();
	const dialog = useRef<HTMLDialogElement>(null);
	const opener = useRef<HTMLButtonElement>(null);
	const input = useRef<HTMLInputElement>(null);
	const [typed, setTyped] = useState("");
	const [hint, setHint] = useState<string | null>(null);

	const open = () => {
		setTyped("");
		setHint(null);
		remove.reset();
		dialog.current?.showModal();
		input.current?.focus();
	};
	const close = () => dialog.current?.close();

	const submit = async (event: FormEvent) => {
		event.preventDefault();
		if (remove.isPending) return;
		if (!confirmsDeletion(typed)) {
			setHint(`Type “${CONFIRM_WORD}” to confirm, or choose Keep my account.`);
			input.current?.focus();
			return;
		}
		try {
			const status = await remove.mutateAsync();
			// The goodbye page signs out once it is on screen: signing out here first would send this page (one for
			// signed-in people) to sign in. Nothing asks the API in between (a call with the same sign-in would start
			// a fresh account).
			await navigate("/goodbye", { replace: true, state: { deleted: true, pendingCleanup: status === 202 } });
		} catch {
			// shown from the mutation's state
		}
	};

	return (
		<section className="card danger-zone" aria-labelledby={`${id}-title`}>
			<h2 id={`${id}-title`}>Delete your account</h2>
			<p>If you leave, this is what happens:</p>
			<ul>
				<li>Your profile, garden, connections and group memberships are erased at once.</li>
				<li>
					Your posts, comments and shares are removed. Your chat messages are blanked; the other person keeps
					the conversation.
				</li>
				<li>Answers you gave to support requests stay, signed “Former member”, so they can still help.</li>
				<li>Groups you own pass to a moderator, or are archived.</li>
			</ul>
			<p>This cannot be undone. You may want to download your data first.</p>
			<button ref={opener} type="button" className="button button--danger" onClick={open}>
				Delete my account…
			</button>

			<dialog
				ref={dialog}
				className="confirm-dialog"
				aria-labelledby={`${id}-dialog-title`}
				aria-describedby={`${id}-dialog-text`}
				onClose={() => opener.current?.focus()}
			>
				<form onSubmit={submit} noValidate>
					<h2 id={`${id}-dialog-title`}>Delete your account?</h2>
					<p id={`${id}-dialog-text`}>
						Everything listed on the page goes, and you will be signed out. If you sign in again later, you
						start with a new, empty account.
					</p>
					<div className="field">
						<label htmlFor={`${id}-confirm`}>Type “{CONFIRM_WORD}” to confirm</label>
						<input
							ref={input}
							id={`${id}-confirm`}
							value={typed}
							autoComplete="off"
							autoCapitalize="none"
							spellCheck={false}
							aria-invalid={hint ? true : undefined}
							aria-describedby={hint ? `${id}-hint` : undefined}
							onChange={(event) => setTyped(event.target.value)}
						/>
					</div>
					{hint && (
						<p id={`${id}-hint`} className="form-error">
							{hint}
						</p>
					)}
					{remove.isError && (
						<p className="banner banner--error" role="alert">
							{errorSentence(remove.error)}
						</p>
					)}
					<div className="dialog-actions">
						<button type="button" className="button button--primary" onClick={close}>
							Keep my account
						</button>
						<button
							type="submit"
							className="button button--danger"
							aria-disabled={remove.isPending || undefined}
						>
							{remove.isPending ? "Deleting…" : "Delete forever"}
						</button>
					</div>
				</form>
			</dialog>
		</section>
	);
}
