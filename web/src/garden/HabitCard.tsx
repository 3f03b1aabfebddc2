/** One habit: today's state, streak and strength; log today with one tap, undo. */
import type { Habit } from "../api/client";
import { longestText, scheduleText, streakText, strengthPercent, strengthWord, todayText } from "./display";

export function HabitCard({
	habit,
	busy,
	onLog,
	onUndo,
}: {
	habit: Habit;
	busy: "log" | "undo" | null;
	onLog: () => void;
	onUndo: () => void;
}) {
	const { stats } = habit;
	const percent = strengthPercent(stats.strength);
	const complete = stats.today.done && stats.today.count >= stats.today.target;
	const headingId = `habit-${habit.id}`;
	const longest = longestText(stats);
	return (
		<li className={`habit${complete ? " habit--done" : ""}`} aria-labelledby={headingId}>
			<div className="habit__about">
				<h3 id={headingId} className="habit__name">
					{habit.name}
				</h3>
				<p className="habit__schedule">{scheduleText(habit)}</p>
				<p className="habit__today" data-testid="today">
					{todayText(stats.today)}
				</p>
			</div>
			<div className="habit__stats">
				<p className="habit__streak" data-testid="streak">
					<span className="habit__streak-now">{streakText(stats)}</span>
					{longest && <span className="habit__streak-longest">{longest}</span>}
				</p>
				<div className="habit__strength">
					<span id={`${headingId}-strength`}>
						Strength: {strengthWord(stats.strength)} ({percent}%)
					</span>
					<meter min={0} max={100} value={percent} aria-labelledby={`${headingId}-strength`} />
				</div>
			</div>
			<div className="habit__actions">
				<button
					type="button"
					className="button button--primary habit__log"
					aria-disabled={complete || busy !== null}
					aria-busy={busy === "log"}
					onClick={() => {
						if (!complete && busy === null) onLog();
					}}
				>
					{/* The visible words begin the accessible name (WCAG 2.5.3); the habit's name tells the buttons apart. */}
					{busy === "log" ? "Logging…" : complete ? "Done" : "Log today"}
					{complete && busy === null && <span aria-hidden="true">&nbsp;✓</span>}
					<span className="visually-hidden">, {habit.name}</span>
				</button>
				{stats.today.count > 0 && (
					<button
						type="button"
						className="button button--quiet habit__undo"
						aria-disabled={busy !== null}
						aria-busy={busy === "undo"}
						onClick={() => {
							if (busy === null) onUndo();
						}}
					>
						{busy === "undo" ? "Undoing…" : "Undo"}
						<span className="visually-hidden"> today's log of {habit.name}</span>
					</button>
				)}
			</div>
		</li>
	);
}
