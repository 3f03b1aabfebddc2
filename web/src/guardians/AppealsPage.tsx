/** Appeals waiting for a guardian: the penalty, what its person wrote, and the decision (uphold or overturn). */
import { type FormEvent, useId, useState } from "react";
import { errorSentence } from "../api/client";
import { LoadError } from "../pages/LoadError";
import { PageHeading } from "../pages/PageHeading";
import { penaltyText, type ReviewableAppeal } from "./display";
import { GuardianGate, isRefusal, NotForYou } from "./GuardianGate";
import { useAppealsToReview, useDecideAppeal } from "./queries";

export function AppealsPage() {
	return (
		<GuardianGate>
			<Appeals />
		</GuardianGate>
	);
}

function Appeals() {
	const appeals = useAppealsToReview();
	const [announcement, setAnnouncement] = useState("");
	if (appeals.isError && isRefusal(appeals.error)) return <NotForYou />;
	return (
		<>
			<PageHeading title="Appeals">
				<p className="lede">People who think a decision about them was wrong. Read each with fresh eyes.</p>
			</PageHeading>
			<p className="visually-hidden" role="status" aria-live="polite">
				{announcement}
			</p>
			{appeals.isPending && <p aria-busy="true">Opening the appeals…</p>}
			{appeals.isError && <LoadError error={appeals.error} onRetry={() => void appeals.refetch()} />}
			{appeals.data &&
				(appeals.data.data.length === 0 ? (
					<p className="empty">No appeals are waiting.</p>
				) : (
					<ul className="queue">
						{appeals.data.data.map((appeal) => (
							<AppealEntry key={appeal.id} appeal={appeal} onDecided={setAnnouncement} />
						))}
					</ul>
				))}
		</>
	);
}

function AppealEntry({
	appeal,
	onDecided,
}: {
	appeal: ReviewableAppeal;
	onDecided: (words: string) => void;
}) {
	const id = useId();
	const decide = useDecideAppeal();
	const [decision, setDecision] = useState<"uphold" | "overturn" | null>(null);
	const [notes, setNotes] = useState("");
	const [localError, setLocalError] = useState<string | null>(null);
	const error = localError ?? (decide.error ? errorSentence(decide.error) : null);
	const name = appeal.appellant.display_name;

	async function submit(event: FormEvent) {
		event.preventDefault();
		if (!decision) {
			setLocalError("Please choose whether the decision stands.");
			return;
		}
		setLocalError(null);
		try {
			await decide.mutateAsync({
				appealId: appeal.id,
				decision,
				...(notes.trim() ? { notes: notes.trim() } : {}),
			});
			onDecided(
				decision === "overturn"
					? `Appeal of ${name} accepted; the penalty is lifted.`
					: `Appeal of ${name} decided; the decision stands.`,
			);
		} catch {
			// shown from the mutation's state
		}
	}

	return (
		<li className="queue-item" aria-labelledby={`${id}-title`}>
			<h2 id={`${id}-title`} className="queue-item__what">
				{name}: {penaltyText(appeal.penalty).toLowerCase()}
			</h2>
			<p className="guardian-note">The reason given: “{appeal.penalty.reason}”</p>
			<blockquote className="snapshot">{appeal.body}</blockquote>
			<form onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
				<fieldset>
					<legend>Does the decision stand?</legend>
					<label className="decision">
						<input
							type="radio"
							name={`${id}-decision`}
							checked={decision === "overturn"}
							onChange={() => setDecision("overturn")}
						/>
						Overturn: lift the penalty
					</label>
					<label className="decision">
						<input
							type="radio"
							name={`${id}-decision`}
							checked={decision === "uphold"}
							onChange={() => setDecision("uphold")}
						/>
						Uphold: the decision stands
					</label>
				</fieldset>
				<div className="field">
					<label htmlFor={`${id}-notes`}>A note for the record (optional)</label>
					<textarea
						id={`${id}-notes`}
						rows={2}
						maxLength={1000}
						value={notes}
						onChange={(event) => setNotes(event.target.value)}
					/>
				</div>
				{error && (
					<p className="form-error" role="alert">
						{error}
					</p>
				)}
				<button
					type="submit"
					className="button button--primary"
					aria-busy={decide.isPending}
					disabled={decide.isPending}
				>
					{decide.isPending ? "Deciding…" : "Decide appeal"}
					<span className="visually-hidden"> of {name}</span>
				</button>
			</form>
		</li>
	);
}
