/** A read that failed, said as a sentence, with a way to ask again: the same on every page. */
import { errorSentence } from "../api/client";

export function LoadError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
	return (
		<div className="banner banner--error" role="alert">
			<p>{errorSentence(error)}</p>
			<button type="button" className="button" onClick={onRetry}>
				Try again
			</button>
		</div>
	);
}
