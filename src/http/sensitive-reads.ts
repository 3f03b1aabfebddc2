/**
 * @module http/sensitive-reads: the reads whose answers must never stay on a device, nor be confirmed by a
 * `304`: `Cache-Control: private, no-store` and no `ETag` (http/cache-control, http/etag). Every other `GET` is
 * `private, no-cache` with an `ETag`. One list, by route path, so the decision reads in one place
 * (docs/decisions/platform.md); `defineRoute` applies it, and a test checks every entry is a real route.
 */

/** Route path (as declared to `defineRoute`) → why its answer is sensitive. */
export const SENSITIVE_READS: Readonly<Record<string, string>> = {
	"/support/requests": "cries for help, some anonymous",
	"/support/requests/{request_id}": "a cry for help and its answers; read with an anonymous support token",
	"/users/me/export": "everything stored about a person",
	"/users/me/events.ics": "where and when a person will be, fetched with a bearer-less calendar token",
	"/orchard/conversations": "previews of private messages",
	"/orchard/conversations/{user_id}/messages": "chat history",
	"/penalties": "my moderation record",
	"/guardians/queue": "reported content and the people involved",
	"/guardians/queue/{item_id}": "reported content, its reports and reporters",
	"/guardians/applications": "other people's applications",
	"/guardians/audit-log": "moderation actions on other people",
	"/guardians/stats": "moderation workload (guardian work stays off devices as a whole)",
	"/guardians/appeals": "other people's appeals against penalties",
};

export const isSensitiveRead = (path: string) => Object.hasOwn(SENSITIVE_READS, path);
