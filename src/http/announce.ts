/**
 * @module http/announce: every request runs inside `collectingRecipients` (core/notifications), which
 * collects the people its notification statements were built for (and those `announceLater` names). Once
 * the request has succeeded, their live streams are told to look again and the pushes of the new
 * notifications are asked for — after the answer, in `waitUntil`, so neither ever delays or fails a request. A
 * failed request committed nothing to tell.
 *
 * The telling itself is a feature's (the notifications module's), handed in by the app, so this layer knows
 * no feature.
 */
import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { collectingRecipients } from "../core/notifications";
import type { AppEnv, Bindings } from "../env";
import { logEvent } from "../lib/log";

/** Who to tell after a request: `streams` look again; `notified` had notifications written from `since`. */
export interface Announcement {
	streams: readonly string[];
	notified: readonly string[];
	since: Date;
}

/** Tells the live streams, asks for the pushes; never throws (it logs). */
export type Announce = (env: Bindings, announcement: Announcement) => Promise<void>;

export function announcingRecipients(announce: Announce): MiddlewareHandler<AppEnv> {
	return createMiddleware<AppEnv>(async (c, next) => {
		const started = new Date();
		const { recipients, notified } = await collectingRecipients(() => next());
		if (recipients.size === 0 || c.res.status >= 400) return;
		// Notifications carry the request's clock (`c.var.now`), which may be a little before this middleware's.
		const since = new Date(Math.min(started.getTime(), c.var.now?.getTime() ?? Number.POSITIVE_INFINITY));
		const telling = announce(c.env, { streams: [...recipients], notified: [...notified], since }).catch(
			(error: unknown) => {
				logEvent("warn", "stream_announce_failed", {
					error: error instanceof Error ? error.name : "unknown",
				});
			},
		);
		try {
			c.executionCtx.waitUntil(telling);
		} catch {
			// Called without an execution context (`app.request` in a script): the promise still runs.
		}
	});
}
