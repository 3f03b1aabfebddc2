/**
 * A poll: a choice (radio buttons, or checkboxes when several answers are allowed) and a Vote button; once I
 * voted, the poll closed, or it is mine, the results (the API decides: `results_visible`).
 */
import { type FormEvent, useId, useState } from "react";
import { errorSentence } from "../api/client";
import { pollPercent, pollStatusText } from "./display";
import { type Post, useVote } from "./queries";

export function PollView({ post, onVoted }: { post: Post; onVoted: (message: string) => void }) {
	const poll = post.poll;
	const id = useId();
	const vote = useVote();
	const [chosen, setChosen] = useState<string[]>([]);
	const [problem, setProblem] = useState<string | null>(null);
	if (!poll) return null;

	if (poll.results_visible) {
		return (
			<div className="poll" data-testid="poll-results">
				<ul className="poll__results">
					{poll.options.map((option) => {
						const percent = pollPercent(option.votes, poll.voter_count);
						const mine = poll.my_votes.includes(option.id);
						return (
							<li key={option.id} className={`poll__result${mine ? " poll__result--mine" : ""}`}>
								<span id={`${id}-${option.id}`} className="poll__label">
									{option.label}
									{mine && <span className="poll__mine"> (your vote)</span>}
								</span>
								<span className="poll__numbers">
									{percent}% · {option.votes ?? 0}
								</span>
								<meter min={0} max={100} value={percent} aria-labelledby={`${id}-${option.id}`} />
							</li>
						);
					})}
				</ul>
				<p className="poll__status">{pollStatusText(poll)}</p>
			</div>
		);
	}

	const submit = (event: FormEvent) => {
		event.preventDefault();
		if (chosen.length === 0) {
			setProblem("Please choose an answer first.");
			return;
		}
		setProblem(null);
		vote.mutate(
			{ post, optionIds: chosen },
			{
				onSuccess: () => onVoted("Your vote is counted. The results are showing."),
				onError: (error) => setProblem(errorSentence(error)),
			},
		);
	};

	return (
		<form className="poll" onSubmit={submit} noValidate>
			<fieldset>
				<legend>{poll.multiple_choice ? "Choose one or more" : "Choose one"}</legend>
				{poll.options.map((option) => (
					<label key={option.id} className="choice">
						<input
							type={poll.multiple_choice ? "checkbox" : "radio"}
							name={`${id}-vote`}
							value={option.id}
							checked={chosen.includes(option.id)}
							onChange={(event) =>
								setChosen((before) =>
									poll.multiple_choice
										? event.target.checked
											? [...before, option.id]
											: before.filter((each) => each !== option.id)
										: [option.id],
								)
							}
						/>
						{option.label}
					</label>
				))}
			</fieldset>
			{problem && (
				<p className="form-error" role="alert">
					{problem}
				</p>
			)}
			<div className="poll__footer">
				<button
					type="submit"
					className="button button--primary"
					aria-busy={vote.isPending}
					disabled={vote.isPending}
				>
					{vote.isPending ? "Voting…" : "Vote"}
				</button>
				<span className="poll__status">{pollStatusText(poll)} · results show after you vote</span>
			</div>
		</form>
	);
}
