/**
 * @module core/accounts/current-user: the signed-in caller as its D1 row, and the role/trust rules.
 * Roles and trust levels come from D1 only — never from token claims.
 */
import { type SQL, sql } from "drizzle-orm";
import { TRUST_LEVELS, type UserRow, users } from "../../db/tables/users";

export type CurrentUser = UserRow;
export type Role = UserRow["role"];
export type TrustLevel = UserRow["trustLevel"];

export const trustRank = (level: TrustLevel): number => TRUST_LEVELS.indexOf(level);

export const isGuardian = (user: CurrentUser): boolean => user.role === "guardian";

/**
 * The same rule as a query condition: D1 decides it from `userId`'s row inside the statement, so a query
 * may depend on the caller's role without the row being read first (core/accounts/remembered-callers).
 */
export const isGuardianInSql = (userId: string): SQL =>
	sql`exists (select 1 from ${users} where ${users.id} = ${userId} and ${users.role} = 'guardian')`;

export function isSuspended(user: Pick<CurrentUser, "suspendedUntil">, now: Date = new Date()): boolean {
	return user.suspendedUntil !== null && user.suspendedUntil > now.toISOString();
}

/** A guardian passes every trust check. */
export function hasTrust(user: CurrentUser, level: TrustLevel): boolean {
	return isGuardian(user) || trustRank(user.trustLevel) >= trustRank(level);
}

/** A verified guide: role guide (set only by an approved application) and still at good_soil or above. */
export function isVerifiedGuide(user: CurrentUser): boolean {
	return isGuardian(user) || (user.role === "guide" && trustRank(user.trustLevel) >= trustRank("good_soil"));
}
