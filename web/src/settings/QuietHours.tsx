/** Quiet hours: a span of my day (in my time zone) when nothing is pushed but guardian alerts. */
import { type FormEvent, useId, useState } from "react";
import { errorSentence } from "../api/client";
import { quietHoursProblem, quietHoursSentence } from "./display";
import { type NotificationPreferences, useUpdatePreferences } from "./queries";

export function QuietHours({
	quiet,
	onSaved,
}: {
	quiet: NotificationPreferences["quiet_hours"];
	onSaved: (sentence: string) => void;
}) {
	const id = useId();
	const update = useUpdatePreferences();
	const [on, setOn] = useState(quiet !== null);
	const [start, setStart] = useState(quiet?.start ?? "22:00");
	const [end, setEnd] = useState(quiet?.end ?? "07:00");
	const [problem, setProblem] = useState<string | null>(null);

	const submit = (event: FormEvent) => {
		event.preventDefault();
		if (update.isPending) return;
		const wrong = on ? quietHoursProblem(start, end) : null;
		setProblem(wrong);
		if (wrong) return;
		const quietHours = on ? { start, end } : null;
		update.mutate({ quiet_hours: quietHours }, { onSuccess: () => onSaved(quietHoursSentence(quietHours)) });
	};

	return (
		<form className="quiet-hours" aria-labelledby={`${id}-title`} onSubmit={submit} noValidate>
			<h3 id={`${id}-title`}>Quiet hours</h3>
			<p className="hint" id={`${id}-now`}>
				{quietHoursSentence(quiet)}
			</p>
			<div className="choice">
				<input
					id={`${id}-on`}
					type="checkbox"
					checked={on}
					onChange={(event) => setOn(event.target.checked)}
				/>
				<label htmlFor={`${id}-on`}>Keep quiet hours</label>
			</div>
			{on && (
				<div className="field-row">
					<div className="field field--narrow">
						<label htmlFor={`${id}-start`}>From</label>
						<input
							id={`${id}-start`}
							type="time"
							value={start}
							aria-invalid={problem ? true : undefined}
							aria-describedby={problem ? `${id}-problem` : undefined}
							onChange={(event) => setStart(event.target.value)}
						/>
					</div>
					<div className="field field--narrow">
						<label htmlFor={`${id}-end`}>Until</label>
						<input
							id={`${id}-end`}
							type="time"
							value={end}
							aria-invalid={problem ? true : undefined}
							aria-describedby={problem ? `${id}-problem` : undefined}
							onChange={(event) => setEnd(event.target.value)}
						/>
					</div>
				</div>
			)}
			{problem && (
				<p id={`${id}-problem`} className="form-error">
					{problem}
				</p>
			)}
			{update.isError && (
				<p className="banner banner--error" role="alert">
					{errorSentence(update.error)}
				</p>
			)}
			<button type="submit" className="button" aria-disabled={update.isPending || undefined}>
				{update.isPending ? "Saving…" : "Save quiet hours"}
			</button>
		</form>
	);
}
