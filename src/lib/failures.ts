/**
 * @module failures: what an unexpected error means for the client, and what of it is safe to log.
 *
 * drizzle wraps driver errors in `DrizzleQueryError`, whose message carries the SQL *and its bound
 * values* (user text, emails): only the underlying driver message is ever logged.
 */
import { DrizzleQueryError } from "drizzle-orm/errors";

export type FailureKind = "constraint" | "storage-unavailable" | "unexpected";

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

export function classifyFailure(error: unknown): FailureKind {
	const cause = rootCause(error);
	const message = cause instanceof Error ? cause.message : "";
	if (/constraint failed|SQLITE_CONSTRAINT/i.test(message)) return "constraint";
	// D1 reports its own failures (network, overload, resets, timeouts) with a D1_ prefix or "D1 DB".
	if (/^D1_|D1 DB|D1_ERROR|storage.*reset|Network connection lost/i.test(message))
		return "storage-unavailable";
	return "unexpected";
}
