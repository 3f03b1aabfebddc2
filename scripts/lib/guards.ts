/** Narrowing helpers for values whose shape TypeScript cannot know: parsed JSON, caught errors. */

/** A non-null object (a parsed JSON object, typically), whose fields are still to be checked. */
export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null;
}

/** The `code` of a Node.js system error (`ENOENT`, `EEXIST`, `EADDRINUSE`…), if `error` is one. */
export function errnoCode(error: unknown): string | undefined {
	return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;
}
