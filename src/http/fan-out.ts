/**
 * @module http/fan-out: after a request that wrote a fan-out (notifications to many people, core/fan-outs)
 * has answered successfully, hand it to the queue — never delaying or failing the answer; the cron hands
 * over whatever this missed.
 */
import { createMiddleware } from "hono/factory";
import { collectingFanOuts, dispatchFanOuts, hasPendingFanOuts } from "../core/fan-outs";
import type { AppEnv } from "../env";
import { logEvent } from "../lib/log";

export const dispatchFanOutsAfterCommit = createMiddleware<AppEnv>(async (c, next) => {
	const { pending } = await collectingFanOuts(() => next());
	if (!hasPendingFanOuts(pending) || c.res.status >= 400) return;
	// The fan-outs this request wrote are known by id; one a table trigger wrote has to be looked up.
	c.executionCtx.waitUntil(
		dispatchFanOuts(c.env, c.var.db, new Date(), pending.byTrigger ? undefined : pending.ids).catch(
			(error: unknown) =>
				logEvent("warn", "notification_fan_out_dispatch_failed", {
					error: error instanceof Error ? error.name : "unknown",
				}),
		),
	);
});
