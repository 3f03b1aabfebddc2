/**
 * @module core/spiritual: spiritual content is opt-in. Anyone who has not set `spiritual_opt_in` (anonymous
 * callers included) never sees it: lists skip it and direct reads answer 404.
 */
import { eq, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { unprocessable } from "../lib/problem";
import type { CurrentUser } from "./accounts/current-user";

export const seesSpiritual = (user: CurrentUser | undefined): boolean => user?.spiritualOptIn === true;

/** A query condition for `is_spiritual` columns; undefined (no filter) for opted-in users. */
export function spiritualFilter(user: CurrentUser | undefined, isSpiritual: SQLiteColumn): SQL | undefined {
	return seesSpiritual(user) ? undefined : eq(isSpiritual, false);
}

/** Only someone who sees spiritual content may create it (`what` names the thing, e.g. "groups"). */
export function requireSpiritualOptIn(
	user: CurrentUser,
	isSpiritual: boolean | undefined,
	what: string,
): void {
	if (isSpiritual && !seesSpiritual(user)) {
		throw unprocessable(`Turn on spiritual content in your preferences to create spiritual ${what}.`, [
			{ field: "body/is_spiritual", message: "requires spiritual_opt_in" },
		]);
	}
}
