/** Plant a new habit: a name, a category, how often. Errors from the API are shown as sentences, in place. */
import { type FormEvent, useId, useRef, useState } from "react";
import type { CreateHabit } from "../api/client";

const CATEGORIES: { value: CreateHabit["category"]; label: string }[] = [
	{ value: "health", label: "Health" },
	{ value: "mindfulness", label: "Mindfulness" },
	{ value: "learning", label: "Learning" },
	{ value: "relationships", label: "Relationships" },
	{ value: "creativity", label: "Creativity" },
	{ value: "spiritual", label: "Spiritual" },
	{ value: "service", label: "Service" },
	{ value: "other", label: "Other" },
];
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
type Frequency = NonNullable<CreateHabit["frequency"]>;

export function NewHabitForm({
	onCreate,
	pending,
	error,
}: {
	onCreate: (habit: CreateHabit) => Promise<unknown>;
	pending: boolean;
	error: string | null;
}) {
	const id = useId();
	const nameRef = useRef<HTMLInputElement>(null);
	const [name, setName] = useState("");
	const [category, setCategory] = useState<CreateHabit["category"]>("health");
	const [frequency, setFrequency] = useState<Frequency>("daily");
	const [weekdays, setWeekdays] = useState<number[]>([1, 3, 5]);
	const [target, setTarget] = useState(1);
	const [localError, setLocalError] = useState<string | null>(null);
	const shownError = localError ?? error;

	async function submit(event: FormEvent) {
		event.preventDefault();
		if (!name.trim()) {
			setLocalError("Please give your habit a name.");
			nameRef.current?.focus();
			return;
		}
		if (frequency === "weekdays" && weekdays.length === 0) {
			setLocalError("Please choose at least one day of the week.");
			return;
		}
		setLocalError(null);
		try {
			await onCreate({
				name: name.trim(),
				category,
				frequency,
				target_count: target,
				...(frequency === "weekdays" ? { weekdays: [...weekdays].sort((a, b) => a - b) } : {}),
			});
			setName("");
			nameRef.current?.focus();
		} catch {
			// the error is shown from the mutation's state
		}
	}

	return (
		<form className="card new-habit" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
			<h2 id={`${id}-title`}>Plant a new habit</h2>
			<div className="field">
				<label htmlFor={`${id}-name`}>Name</label>
				<input
					id={`${id}-name`}
					ref={nameRef}
					name="name"
					value={name}
					maxLength={100}
					autoComplete="off"
					required
					aria-invalid={localError?.includes("name") ? true : undefined}
					aria-describedby={shownError ? `${id}-error` : undefined}
					onChange={(event) => setName(event.target.value)}
				/>
			</div>
			<div className="field-row">
				<div className="field">
					<label htmlFor={`${id}-category`}>Category</label>
					<select
						id={`${id}-category`}
						value={category}
						onChange={(event) => setCategory(event.target.value as CreateHabit["category"])}
					>
						{CATEGORIES.map((each) => (
							<option key={each.value} value={each.value}>
								{each.label}
							</option>
						))}
					</select>
				</div>
				<div className="field">
					<label htmlFor={`${id}-frequency`}>How often</label>
					<select
						id={`${id}-frequency`}
						value={frequency}
						onChange={(event) => setFrequency(event.target.value as Frequency)}
					>
						<option value="daily">Every day</option>
						<option value="weekdays">On chosen days</option>
						<option value="times_per_week">A number of times a week</option>
					</select>
				</div>
				<div className="field field--narrow">
					<label htmlFor={`${id}-target`}>
						{frequency === "times_per_week" ? "Times a week" : "Times a day"}
					</label>
					<input
						id={`${id}-target`}
						type="number"
						inputMode="numeric"
						min={1}
						max={frequency === "times_per_week" ? 100 : 100}
						value={target}
						onChange={(event) => setTarget(Math.max(1, Math.min(100, Number(event.target.value) || 1)))}
					/>
				</div>
			</div>
			{frequency === "weekdays" && (
				<fieldset className="weekdays">
					<legend>Days</legend>
					{WEEKDAYS.map((day, index) => {
						const iso = index + 1;
						return (
							<label key={day} className="weekday">
								<input
									type="checkbox"
									checked={weekdays.includes(iso)}
									onChange={(event) =>
										setWeekdays((days) =>
											event.target.checked ? [...days, iso] : days.filter((each) => each !== iso),
										)
									}
								/>
								{day}
							</label>
						);
					})}
				</fieldset>
			)}
			{shownError && (
				<p id={`${id}-error`} className="form-error" role="alert">
					{shownError}
				</p>
			)}
			<button type="submit" className="button button--primary" aria-busy={pending} disabled={pending}>
				{pending ? "Planting…" : "Plant habit"}
			</button>
		</form>
	);
}
