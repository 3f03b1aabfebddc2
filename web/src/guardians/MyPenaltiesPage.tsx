/**
 * A person's own warnings and suspensions (`GET /penalties`), each with where its appeal stands, and a form to
 * appeal one that still can be. Open to every signed-in person, suspended ones too.
 */
import { type FormEvent, useId, useState } from "react";
import { errorSentence } from "../api/client";
import { PageHeading } from "../pages/PageHeading";
import { appealStateText, type Penalty, penaltyText } from "./display";
import { useAppeal, useMyPenalties } from "./queries";
import "./guardians.css";
import { LoadError } from "../pages/LoadError";

export function MyPenaltiesPage() {
	const penalties = useMyPenalties();
	return (
		<>
			<PageHeading title="Decisions and appeals">
				<p className="lede">
					Warnings or suspensions a guardian gave you, and your appeals. Everyone can make a mistake,
					guardians too.
				</p>
			</PageHeading>
			{penalties.isPending && <p aria-busy="true">Opening…</p>}
			{penalties.isError && <LoadError error={penalties.error} onRetry={() => void penalties.refetch()} />}
			{penalties.data &&
				(penalties.data.data.length === 0 ? (
					<p className="empty">Nothing here: no guardian has made a decision about you.</p>
				) : (
					<ul className="queue">
						{penalties.data.data.map((penalty) => (
							<PenaltyEntry key={penalty.id} penalty={penalty} />
						))}
					</ul>
				))}
		</>
	);
}

function PenaltyEntry({ penalty }: { penalty: Penalty }) {
	const id = useId();
	const appeal = useAppeal();
	const [body, setBody] = useState("");
	const [localError, setLocalError] = useState<string | null>(null);
	const error = localError ?? (appeal.error ? errorSentence(appeal.error) : null);
	const date = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "long", year: "numeric" });

	async function submit(event: FormEvent) {
		event.preventDefault();
		if (!body.trim()) {
			setLocalError("Please say why you think the decision was wrong.");
			return;
		}
		setLocalError(null);
		try {
			await appeal.mutateAsync({ penalty_id: penalty.id, body: body.trim() });
			setBody("");
		} catch {
			// shown from the mutation's state
		}
	}

	return (
		<li className="queue-item" aria-labelledby={`${id}-title`}>
			<h2 id={`${id}-title`} className="queue-item__what">
				{penaltyText(penalty)}, {date.format(new Date(penalty.starts_at))}
			</h2>
			<p>The guardian's reason: “{penalty.reason}”</p>
			<p className="guardian-note" data-testid="appeal-state">
				{appealStateText(penalty)}
			</p>
			{penalty.can_appeal && (
				<form onSubmit={submit} noValidate aria-labelledby={`${id}-appeal`}>
					<h3 id={`${id}-appeal`}>Appeal</h3>
					<p className="guardian-note">
						Another guardian reads it. You can appeal until {date.format(new Date(penalty.appeal_deadline))}.
					</p>
					<div className="field">
						<label htmlFor={`${id}-body`}>Why the decision was wrong</label>
						<textarea
							id={`${id}-body`}
							rows={4}
							maxLength={2000}
							value={body}
							aria-describedby={error ? `${id}-error` : undefined}
							onChange={(event) => setBody(event.target.value)}
						/>
					</div>
					{error && (
						<p id={`${id}-error`} className="form-error" role="alert">
							{error}
						</p>
					)}
					<button
						type="submit"
						className="button button--primary"
						aria-busy={appeal.isPending}
						disabled={appeal.isPending}
					>
						{appeal.isPending ? "Sending…" : "Send appeal"}
					</button>
				</form>
			)}
		</li>
	);
}
