/**
 * @module core/spiritual: spiritual content is opt-in. Anyone who has not set `spiritual_opt_in` (anonymous
 * callers included) never sees it: lists skip it and direct reads answer 404.
 */
import { eq, or, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { users } from "../db/tables/users";
import { unprocessable } from "../lib/problem";
import type { CurrentUser } from "./accounts/current-user";
import { callerRow } from "./accounts/remembered-callers";

export const seesSpiritual = (user: CurrentUser | undefined): boolean => user?.spiritualOptIn === true;

/**
 * A query condition for `is_spiritual` columns. For a signed-in caller D1 reads the opt-in from their row
 * inside the statement, so the query need not wait for the row (core/accounts/remembered-callers).
 */
export function spiritualFilter(user: CurrentUser | undefined, isSpiritual: SQLiteColumn): SQL {
	const notSpiritual = eq(isSpiritual, false);
	if (!user) return notSpiritual;
	return or(
		notSpiritual,
		sql`exists (select 1 from ${users} where ${users.id} = ${user.id} and ${users.spiritualOptIn} = 1)`,
	) as SQL;
}

/** Only someone who sees spiritual content may create it (`what` names it, e.g. "groups"); the row is awaited only then. */
export async function requireSpiritualOptIn(
	user: CurrentUser,
	isSpiritual: boolean | undefined,
	what: string,
): Promise<void> {
	if (isSpiritual && !seesSpiritual(await callerRow(user))) {
		throw unprocessable(`Turn on spiritual content in your preferences to create spiritual ${what}.`, [
			{ field: "body/is_spiritual", message: "requires spiritual_opt_in" },
		]);
	}
}
