/** One queue item: the content as it was flagged, why, its reports, and the decision with a reason. */
import { type FormEvent, useId, useState } from "react";
import { Link, useParams } from "react-router";
import { errorSentence } from "../api/client";
import { LoadError } from "../pages/LoadError";
import { PageHeading } from "../pages/PageHeading";
import {
	type Decision,
	DURATIONS,
	decisionsFor,
	decisionText,
	type QueueItemDetail,
	reasonText,
	type SuspensionDuration,
	snapshotText,
	targetText,
	whyText,
} from "./display";
import { GuardianGate, isRefusal, NotForYou } from "./GuardianGate";
import { useDecide, useQueueItem } from "./queries";

export function ReviewItemPage() {
	return (
		<GuardianGate>
			<ReviewItem />
		</GuardianGate>
	);
}

function ReviewItem() {
	const { item_id: itemId = "" } = useParams();
	const item = useQueueItem(itemId);
	if (item.isError && isRefusal(item.error)) return <NotForYou />;
	return (
		<>
			<PageHeading title="Review">
				{item.data && <p className="lede">{targetText(item.data.target_type)}</p>}
			</PageHeading>
			{item.isPending && <p aria-busy="true">Opening…</p>}
			{item.isError && <LoadError error={item.error} onRetry={() => void item.refetch()} />}
			{item.data && <ItemDetail item={item.data} />}
			<p>
				<Link to="/guardians">Back to the queue</Link>
			</p>
		</>
	);
}

function ItemDetail({ item }: { item: QueueItemDetail }) {
	return (
		<>
			<section className="card" aria-labelledby="why-title">
				<h2 id="why-title">Why it is here</h2>
				<p>{whyText(item)}</p>
				<p className="guardian-note">
					{item.author
						? `Written by ${item.author.display_name}.`
						: "No author is shown (anonymous, or a deleted account)."}{" "}
					{item.is_hidden ? "Hidden from others until you decide." : "Still visible to others."}
				</p>
			</section>
			<section className="card" aria-labelledby="content-title">
				<h2 id="content-title">What was written</h2>
				<blockquote className="snapshot">{snapshotText(item.content_snapshot)}</blockquote>
				{item.live?.deleted && <p className="guardian-note">Its author has deleted it since.</p>}
			</section>
			{item.reports.length > 0 && (
				<section className="card" aria-labelledby="reports-title">
					<h2 id="reports-title">Reports</h2>
					<ul className="reports">
						{item.reports.map((report) => (
							<li key={report.id}>
								<strong>{reasonText(report.reason)}</strong> — {report.reporter.display_name}
								{report.details && <p className="guardian-note">“{report.details}”</p>}
							</li>
						))}
					</ul>
				</section>
			)}
			{item.status === "open" ? (
				<DecisionForm item={item} />
			) : (
				<p className="banner" role="status">
					Decided: {decisionText(item.decision)}.
				</p>
			)}
		</>
	);
}

function DecisionForm({ item }: { item: QueueItemDetail }) {
	const id = useId();
	const decide = useDecide(item.id);
	const options = decisionsFor(item);
	const [decision, setDecision] = useState<Decision | null>(null);
	const [duration, setDuration] = useState<SuspensionDuration>("24h");
	const [reason, setReason] = useState("");
	const [localError, setLocalError] = useState<string | null>(null);
	const error = localError ?? (decide.error ? errorSentence(decide.error) : null);

	async function submit(event: FormEvent) {
		event.preventDefault();
		if (!decision) {
			setLocalError("Please choose a decision.");
			return;
		}
		if (!reason.trim()) {
			setLocalError("Please write a reason: it is kept in the audit log, and the author may read it.");
			return;
		}
		setLocalError(null);
		try {
			await decide.mutateAsync({
				decision,
				reason: reason.trim(),
				...(decision === "suspend" ? { duration } : {}),
			});
		} catch {
			// shown from the mutation's state
		}
	}

	if (decide.isSuccess) {
		return (
			<p className="banner" role="status">
				Decided: {decisionText(decide.data.item.decision)}. <Link to="/guardians">Back to the queue</Link>
			</p>
		);
	}

	return (
		<form className="card" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
			<h2 id={`${id}-title`}>Your decision</h2>
			<fieldset>
				<legend>Decision</legend>
				{options.map((option) => (
					<label key={option.value} className="decision">
						<input
							type="radio"
							name={`${id}-decision`}
							value={option.value}
							checked={decision === option.value}
							onChange={() => setDecision(option.value)}
						/>
						<span>
							<span className="decision__label">{option.label}</span>
							<span className="decision__hint">{option.hint}</span>
						</span>
					</label>
				))}
			</fieldset>
			{decision === "suspend" && (
				<div className="field">
					<label htmlFor={`${id}-duration`}>For how long</label>
					<select
						id={`${id}-duration`}
						value={duration}
						onChange={(event) => setDuration(event.target.value as SuspensionDuration)}
					>
						{DURATIONS.map((each) => (
							<option key={each.value} value={each.value}>
								{each.label}
							</option>
						))}
					</select>
				</div>
			)}
			<div className="field">
				<label htmlFor={`${id}-reason`}>Reason</label>
				<textarea
					id={`${id}-reason`}
					rows={3}
					maxLength={1000}
					value={reason}
					aria-describedby={`${id}-reason-hint${error ? ` ${id}-error` : ""}`}
					onChange={(event) => setReason(event.target.value)}
				/>
				<p id={`${id}-reason-hint`} className="guardian-note">
					Kept in the audit log. Write it as you would say it to the person.
				</p>
			</div>
			{error && (
				<p id={`${id}-error`} className="form-error" role="alert">
					{error}
				</p>
			)}
			<button
				type="submit"
				className="button button--primary"
				aria-busy={decide.isPending}
				disabled={decide.isPending}
			>
				{decide.isPending ? "Deciding…" : "Decide"}
			</button>
		</form>
	);
}
