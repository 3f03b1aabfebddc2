/**
 * @module api/problem: the API's errors (RFC 9457 problem+json) as sentences a person can act on.
 *
 * The API's `detail` is already written for people; this adds what only the client knows (the session ended,
 * the network is down), names the fields a validation error is about, and never shows a status code alone.
 */

/** The fields of a problem this app reads; anything else of the body is ignored. */
export interface ProblemLike {
	type?: string;
	title?: string;
	status?: number;
	detail?: string;
	request_id?: string;
	errors?: { field: string; message: string }[];
}

/** Field names as a person reads them (the API's are `body/target_count`-like paths). */
const FIELD_LABELS: Record<string, string> = {
	name: "name",
	description: "description",
	category: "category",
	frequency: "how often",
	weekdays: "days of the week",
	target_count: "times",
	reminder_time: "reminder time",
	local_date: "date",
	count: "count",
	note: "note",
};

export function fieldLabel(field: string): string {
	const last = field.split("/").filter(Boolean).pop() ?? field;
	return FIELD_LABELS[last] ?? last.replaceAll("_", " ");
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === "object" && value !== null && !Array.isArray(value);

/** Narrows whatever an error answer parsed to into the fields above (a proxy may answer HTML or nothing). */
export function asProblem(value: unknown, status?: number): ProblemLike {
	if (!isRecord(value)) return status === undefined ? {} : { status };
	const problem: ProblemLike = {};
	if (typeof value.type === "string") problem.type = value.type;
	if (typeof value.title === "string") problem.title = value.title;
	if (typeof value.status === "number") problem.status = value.status;
	else if (status !== undefined) problem.status = status;
	if (typeof value.detail === "string" && value.detail.trim()) problem.detail = value.detail.trim();
	if (typeof value.request_id === "string") problem.request_id = value.request_id;
	if (Array.isArray(value.errors)) {
		problem.errors = value.errors.filter(
			(error): error is { field: string; message: string } =>
				isRecord(error) && typeof error.field === "string" && typeof error.message === "string",
		);
	}
	return problem;
}

const sentence = (text: string) => {
	const trimmed = text.trim();
	const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
	return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};

/**
 * One or two calm sentences for a problem. `retryAfterSeconds` comes from the answer's `Retry-After`.
 *
 * @example problemSentence({ status: 401 }) // "Your session has ended. Please sign in again."
 */
export function problemSentence(problem: ProblemLike, retryAfterSeconds?: number): string {
	const { status, detail } = problem;
	switch (status) {
		case 401:
			return "Your session has ended. Please sign in again.";
		case 429: {
			// A daily quota's detail says what was reached and when it resets; a burst limit's detail is technical
			// (the policy's name), so the sentence is ours.
			if (problem.type === "urn:flourish:problem:daily-limit" && detail) return sentence(detail);
			const wait =
				retryAfterSeconds && retryAfterSeconds > 0
					? retryAfterSeconds <= 90
						? `about ${Math.max(1, Math.round(retryAfterSeconds))} seconds`
						: `about ${Math.round(retryAfterSeconds / 60)} minutes`
					: "a moment";
			return `That was a lot at once. You can try again in ${wait}.`;
		}
	}
	if (problem.errors?.length && (status === 400 || status === 422)) {
		const parts = problem.errors
			.slice(0, 3)
			.map((error) => `the ${fieldLabel(error.field)}: ${error.message.replace(/[.]$/, "")}`);
		return `Please check ${parts.join("; ")}.`;
	}
	if (status !== undefined && status >= 500) {
		const base = detail ? sentence(detail) : "Something went wrong on our side. Nothing you did caused it.";
		return problem.request_id && !base.includes(problem.request_id)
			? `${base} (Reference: ${problem.request_id})`
			: base;
	}
	if (detail) return sentence(detail);
	switch (status) {
		case 403:
			return "You can't do that here.";
		case 404:
			return "We couldn't find that. It may have been removed.";
		case 409:
			return "This changed in the meantime. Please reload and try again.";
		case 413:
			return "That is too long to send. Please shorten it.";
		default:
			return "That didn't work. Please try again.";
	}
}

/** What a failed `fetch` (no answer at all) reads as. */
export const OFFLINE_SENTENCE = "We couldn't reach Flourish. Check your connection and try again.";
