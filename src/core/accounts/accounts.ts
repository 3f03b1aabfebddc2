/** @module core/accounts: finding people, creating them on first sight, and their profiles. */
import { and, eq, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { preparedQuery } from "../../db/prepared";
import { type UserRow, users } from "../../db/tables/users";
import { startOfUtcDayMs } from "../../lib/coarse-time";
import { newId } from "../../lib/ids";
import { Problem, unprocessable } from "../../lib/problem";
import { hasVisibleText } from "../../lib/schemas";
import { notBlockedWith } from "../blocks";
import { BIDI_CONTROLS, confusableWithAny, staffClaimIn } from "./names";
import { carryOverStatements, inheritedSuspension, tombstoneKey } from "./tombstones";

export interface NewUserClaims {
	sub: string;
	email: string | undefined;
	name: string | undefined;
}

const MAX_DISPLAY_NAME = 50;

/**
 * The display name of a new account: the token's `name` when it is usable — visible, short, not an email
 * address, not claiming a staff role or a guardian's name (moderation/names) — else `Sprout xxxx`.
 */
async function initialDisplayName(db: Db, id: string, name: string | undefined): Promise<string> {
	const trimmed = name?.trim();
	const usable =
		trimmed &&
		hasVisibleText(trimmed) &&
		trimmed.length <= MAX_DISPLAY_NAME &&
		!trimmed.includes("@") &&
		staffClaimIn(trimmed) === undefined &&
		!confusableWithAny(trimmed, await guardianNames(db, id));
	return usable ? trimmed : `Sprout ${id.slice(-4)}`;
}

/** The display names of the active guardians other than `exceptId` (a handful of rows). */
async function guardianNames(db: Db, exceptId: string): Promise<string[]> {
	const rows = await db
		.select({ name: users.displayName })
		.from(users)
		.where(and(eq(users.role, "guardian"), isNull(users.deletedAt), ne(users.id, exceptId)));
	return rows.map((row) => row.name);
}

/**
 * Refuses (422) a display name a non-guardian may not take: one that claims a staff role, carries bidi
 * overrides, or reads as an active guardian's name. Guardians may use staff words.
 */
export async function refuseImpersonation(db: Db, me: UserRow, displayName: string): Promise<void> {
	const reason =
		me.role === "guardian"
			? BIDI_CONTROLS.test(displayName)
				? "must not contain bidirectional override or isolate characters"
				: undefined
			: (staffClaimIn(displayName) ??
				(confusableWithAny(displayName, await guardianNames(db, me.id))
					? "must not read as a guardian's name"
					: undefined));
	if (reason) {
		throw unprocessable("This display name cannot be used.", [
			{ field: "body/display_name", message: reason },
		]);
	}
}

/** Every authenticated request runs this: built once per isolate (see db/prepared). */
export const callerRowQuery = preparedQuery((db) =>
	db
		.select()
		.from(users)
		.where(eq(users.auth0Sub, sql.placeholder("sub")))
		.prepare(),
);

/**
 * The user row for an Auth0 `sub`, created on first sight. Race-safe: the unique index on `auth0_sub`
 * lets only one of two concurrent first requests insert; the other reads the winner's row.
 *
 * A new account inherits a suspension its `sub` carried out of a deleted account (guardians/tombstones),
 * in the same batch that creates it: deleting an account is not a way out of a ban. `secret` keys the
 * tombstone lookup (`SUPPORT_HMAC_SECRET`); without it no account is created (503), rather than unchecked.
 */
export async function findOrCreateUser(
	db: Db,
	claims: NewUserClaims,
	secret: string | undefined,
	now = new Date(),
): Promise<UserRow> {
	const existing = await callerRowQuery(db).get({ sub: claims.sub });
	if (existing) return live(existing);
	// A UUIDv7 of the day's start: a sign-up millisecond in the id (shown wherever the person is named) could
	// be lined up with the first anonymous thing the new account does. 74 random bits keep it unique.
	const id = newId(startOfUtcDayMs(now));
	const subjectHash = await tombstoneKey(secret, claims.sub);
	const [[created]] = await db.batch([
		db
			.insert(users)
			.values({
				id,
				auth0Sub: claims.sub,
				email: claims.email ?? null,
				displayName: await initialDisplayName(db, id, claims.name),
				suspendedUntil: inheritedSuspension(subjectHash, now),
			})
			.onConflictDoNothing({ target: users.auth0Sub })
			.returning(),
		...carryOverStatements(db, subjectHash, id, now),
	]);
	if (created) return created;
	const winner = await callerRowQuery(db).get({ sub: claims.sub });
	if (!winner) throw new Error("user row vanished after a concurrent insert");
	return live(winner);
}

/**
 * A deleted account's row keeps no `sub` (it becomes `deleted:<id>`), so no token finds it and the next
 * sign-in starts a fresh account. Should a row ever be found with `deleted_at` set, it still lets no one in.
 */
function live(user: UserRow): UserRow {
	if (user.deletedAt !== null) {
		throw new Problem(401, {
			detail: "This account has been deleted.",
			kind: "unauthorized",
			headers: { "WWW-Authenticate": 'Bearer realm="flourish", error="invalid_token"' },
		});
	}
	return user;
}

/**
 * Another person's profile as `viewerId` may see it: undefined when it does not exist, the account is
 * deleted, or either of them blocks the other (a block hides each side from the other everywhere).
 */
export async function findVisibleUser(
	db: Db,
	viewerId: string,
	userId: string,
): Promise<UserRow | undefined> {
	return visibleUserQuery(db, viewerId, userId).get();
}

/** The query of `findVisibleUser`, to send in a batch beside other checks. */
export function visibleUserQuery(db: Db, viewerId: string, userId: string) {
	return db
		.select()
		.from(users)
		.where(and(eq(users.id, userId), isNull(users.deletedAt), notBlockedWith(db, viewerId, users.id)));
}
