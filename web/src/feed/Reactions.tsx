/**
 * The five reactions as toggle buttons (`aria-pressed`): one tap sets mine (another type replaces it), a tap on
 * mine removes it. The count changes on screen at once; the API's answer confirms it.
 */
import { REACTIONS, type ReactionType } from "./display";
import type { Post } from "./queries";

export function Reactions({
	post,
	onReact,
}: {
	post: Pick<Post, "reactions" | "my_reaction" | "id">;
	onReact: (reaction: ReactionType | null) => void;
}) {
	return (
		<fieldset className="reactions">
			<legend className="visually-hidden">Reactions</legend>
			{REACTIONS.map(({ type, label }) => {
				const mine = post.my_reaction === type;
				const count = post.reactions[type];
				return (
					<button
						key={type}
						type="button"
						className={`reaction${mine ? " reaction--mine" : ""}`}
						aria-pressed={mine}
						data-reaction={type}
						onClick={() => onReact(mine ? null : type)}
					>
						<span className="reaction__label">{label}</span>
						{count > 0 && (
							<>
								{" "}
								<span className="reaction__count">{count}</span>
							</>
						)}
					</button>
				);
			})}
		</fieldset>
	);
}
