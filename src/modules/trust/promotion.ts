/**
 * @module trust/promotion: new_sprout → growing is automatic, "checked on activity". Routes that create a
 * contribution (habit logs, posts, comments, sunlight shares) declare `{ middleware: [checksPromotionAfterContribution] }` in
 * `defineRoute`, which runs this check after a successful write — in `waitUntil`, so it never slows the
 * response and never fails the write.
 */
import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { callerRow } from "../../core/accounts/remembered-callers";
import type { AppEnv } from "../../env";
import { logEvent } from "../../lib/log";
import { maybePromoteToGrowing } from "./service";

export const checksPromotionAfterContribution: MiddlewareHandler<AppEnv> = createMiddleware<AppEnv>(
	async (c, next) => {
		await next();
		const caller = c.get("user");
		const user = caller && (await callerRow(caller));
		if (user?.trustLevel !== "new_sprout" || c.res.status >= 300) return;
		c.executionCtx.waitUntil(
			maybePromoteToGrowing(c.var.db, user).catch((error: unknown) =>
				logEvent("warn", "trust_promotion_check_failed", {
					error: error instanceof Error ? error.name : "unknown",
				}),
			),
		);
	},
);
