/**
 * @module http/announce: every request runs inside `collectingRecipients` (core/notifications), which
 * collects the people its notification statements were built for (and those `announceLater` names). Once
 * the request has succeeded, their live streams are told to look again — after the answer, in
 * `waitUntil`, so a stream never delays or fails a request. A failed request committed nothing to tell.
 *
 * The telling itself is a feature's (the notifications module's `announceNotifications`), handed in by the
 * app, so this layer knows no feature.
 */
import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { collectingRecipients } from "../core/notifications";
import type { AppEnv, Bindings } from "../env";
import { logEvent } from "../lib/log";

/** Tells the live streams of `userIds` to look again; never throws (it logs). */
export type Announce = (env: Bindings, userIds: readonly string[]) => Promise<void>;

export function announcingRecipients(announce: Announce): MiddlewareHandler<AppEnv> {
	return createMiddleware<AppEnv>(async (c, next) => {
		const { recipients } = await collectingRecipients(() => next());
		if (recipients.size === 0 || c.res.status >= 400) return;
		const telling = announce(c.env, [...recipients]).catch((error: unknown) => {
			logEvent("warn", "stream_announce_failed", {
				error: error instanceof Error ? error.name : "unknown",
			});
		});
		try {
			c.executionCtx.waitUntil(telling);
		} catch {
			// Called without an execution context (`app.request` in a script): the promise still runs.
		}
	});
}
