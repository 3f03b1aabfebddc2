/**
 * @module failures: what an unexpected error means for the client, and what of it is safe to log.
 *
 * drizzle wraps driver errors in `DrizzleQueryError`, whose message carries the SQL *and its bound
 * values* (user text, emails): only the underlying driver message is ever logged.
 *
 * - `constraint`: a write lost a race on a UNIQUE/CHECK/foreign key → 409.
 * - `storage-unavailable`: D1 itself failed (network, overload, reset, timeout) → 503; batches are atomic,
 *   so nothing of the request was half-written.
 * - `object-unavailable`: a Durable Object call failed — the object threw, was reset or aborted mid-call,
 *   or is overloaded → 503. Every call to a room or an event's RSVPs is a single step that happened whole
 *   or not at all, and retrying it is safe (sends carry `client_message_id`, RSVPs are idempotent).
 * - `unexpected`: our own bug, including SQL that can never succeed (a syntax error, too many bound
 *   parameters) — 500, because retrying would not help.
 */
import { DrizzleQueryError } from "drizzle-orm/errors";

export type FailureKind = "constraint" | "storage-unavailable" | "object-unavailable" | "unexpected";

/** The driver's own error under drizzle's wrapper. */
export function rootCause(error: unknown): unknown {
	return error instanceof DrizzleQueryError && error.cause ? error.cause : error;
}

/** A log-safe one-line description (no SQL parameters, no stack). */
export function describeForLog(error: unknown): string {
	const cause = rootCause(error);
	if (cause instanceof Error) return `${cause.name}: ${cause.message}`.slice(0, 300);
	return "non-Error thrown";
}

/**
 * Flags the Workers runtime sets on errors from a Durable Object call: `remote` (the object's own code
 * threw), `retryable`, `overloaded`, `durableObjectReset`.
 */
function isDurableObjectError(error: Error): boolean {
	const flags = error as Error & Record<string, unknown>;
	if (flags.remote === true || flags.overloaded === true || flags.durableObjectReset === true) return true;
	if (flags.retryable === true) return true;
	// Resets and aborts without flags (and what the test runtime's abortAllDurableObjects() throws).
	return /Durable Object|object to be reset|abortAllDurableObjects/i.test(error.message);
}

export function classifyFailure(error: unknown): FailureKind {
	const cause = rootCause(error);
	if (!(cause instanceof Error)) return "unexpected";
	const message = cause.message;
	if (/constraint failed|SQLITE_CONSTRAINT/i.test(message)) return "constraint";
	// D1 prefixes SQL errors too ("D1_ERROR: no such column: …: SQLITE_ERROR"): those are bugs, not outages.
	if (
		/SQLITE_ERROR|SQLITE_RANGE|SQLITE_MISMATCH|too many SQL variables|D1_TYPE_ERROR|D1_COLUMN_NOTFOUND/i.test(
			message,
		)
	)
		return "unexpected";
	// D1 reports its own failures (network, overload, resets, timeouts) with a D1_ prefix or "D1 DB".
	if (/^D1_|D1 DB|D1_ERROR|storage.*reset|Network connection lost/i.test(message))
		return "storage-unavailable";
	if (isDurableObjectError(cause)) return "object-unavailable";
	return "unexpected";
}
