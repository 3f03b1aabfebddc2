/** My Garden: my habits, today's state of each, and a form to plant another. */
import { useState } from "react";
import { errorSentence, type Habit } from "../api/client";
import { LoadError } from "../pages/LoadError";
import { PageHeading } from "../pages/PageHeading";
import { streakText, todayText } from "./display";
import { HabitCard } from "./HabitCard";
import { NewHabitForm } from "./NewHabitForm";
import { useCreateHabit, useGarden, useLogToday } from "./queries";

export function GardenPage() {
	const garden = useGarden();
	const create = useCreateHabit();
	const { log, undo } = useLogToday();
	const [announcement, setAnnouncement] = useState("");
	const [actionError, setActionError] = useState<string | null>(null);

	const busyFor = (habit: Habit): "log" | "undo" | null =>
		log.isPending && log.variables?.id === habit.id
			? "log"
			: undo.isPending && undo.variables?.id === habit.id
				? "undo"
				: null;

	const act = (mutation: typeof log | typeof undo, habit: Habit, done: (after: Habit) => string) => {
		setActionError(null);
		mutation.mutate(habit, {
			onSuccess: (result) => {
				const after = "habit" in result ? result.habit : result;
				setAnnouncement(done(after));
			},
			onError: (error) => setActionError(`${habit.name}: ${errorSentence(error)}`),
		});
	};

	return (
		<>
			<PageHeading title="My Garden">
				{garden.data && (
					<p className="lede">Today is {formatDay(garden.data.today)}. One small step is enough.</p>
				)}
			</PageHeading>
			<p className="visually-hidden" role="status" aria-live="polite">
				{announcement}
			</p>
			{actionError && (
				<p className="banner banner--error" role="alert">
					{actionError}
				</p>
			)}
			{garden.isPending && <p aria-busy="true">Opening your garden…</p>}
			{garden.isError && <LoadError error={garden.error} onRetry={() => void garden.refetch()} />}
			{garden.data && (
				<section aria-labelledby="habits-title">
					<h2 id="habits-title" className="visually-hidden">
						Habits
					</h2>
					{garden.data.habits.length === 0 ? (
						<p className="empty">
							Your garden is empty for now. Plant a first habit below — something small.
						</p>
					) : (
						<ul className="habits">
							{garden.data.habits.map((habit) => (
								<HabitCard
									key={habit.id}
									habit={habit}
									busy={busyFor(habit)}
									onLog={() =>
										act(log, habit, (after) => `Logged ${after.name}. ${streakText(after.stats)}.`)
									}
									onUndo={() =>
										act(undo, habit, (after) => `Undone. ${after.name}: ${todayText(after.stats.today)}.`)
									}
								/>
							))}
						</ul>
					)}
				</section>
			)}
			{garden.data && (
				<NewHabitForm
					pending={create.isPending}
					error={create.error ? errorSentence(create.error) : null}
					onCreate={async (body) => {
						const habit = await create.mutateAsync(body);
						setAnnouncement(`Planted ${habit.name}.`);
					}}
				/>
			)}
		</>
	);
}

function formatDay(localDate: string): string {
	const [year, month, day] = localDate.split("-").map(Number);
	if (!year || !month || !day) return localDate;
	return new Intl.DateTimeFormat(undefined, {
		weekday: "long",
		day: "numeric",
		month: "long",
		timeZone: "UTC",
	}).format(new Date(Date.UTC(year, month - 1, day)));
}
