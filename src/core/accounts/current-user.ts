/**
 * @module core/accounts/current-user: the signed-in caller as its D1 row, and the role/trust rules.
 * Roles and trust levels come from D1 only — never from token claims.
 */
import { TRUST_LEVELS, type UserRow } from "../../db/tables/users";

export type CurrentUser = UserRow;
export type Role = UserRow["role"];
export type TrustLevel = UserRow["trustLevel"];

export const trustRank = (level: TrustLevel): number => TRUST_LEVELS.indexOf(level);

export const isGuardian = (user: CurrentUser): boolean => user.role === "guardian";

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
