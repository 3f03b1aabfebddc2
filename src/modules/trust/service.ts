/**
 * @module trust/service: where a user stands on the trust ladder, the automatic step to `growing`, and
 * applications for the two higher levels and for Guide status.
 *
 * Contributions = habit logs + posts + comments + sunlight shares (not deleted, not removed by a guardian).
 * Reactions received = reactions on my posts and comments plus reactions on my sunlight shares, from others.
 * An upheld report = a guardian's remove/warn/suspend against me (audit log) whose penalty was not
 * overturned on appeal.
 */

import { and, desc, eq, isNull, lt, lte, or, sql } from "drizzle-orm";
import { type CurrentUser, isGuardian, isSuspended, type TrustLevel } from "../../core/accounts/current-user";
import { callerRow } from "../../core/accounts/remembered-callers";
import { notificationStatements } from "../../core/notifications";
import type { Db } from "../../db/client";
import {
	type GuideApplicationRow,
	guideApplications,
	type TrustApplicationRow,
	trustApplications,
} from "../../db/tables/trust";
import { users } from "../../db/tables/users";
import { DAY_MS } from "../../lib/durations";
import { conflict, notFound, Problem } from "../../lib/problem";
import { LEVEL_REQUIREMENTS, type LevelRequirements, nextLevel } from "./levels";

export interface TrustSignals {
	contributions: number;
	reactionsReceived: number;
	distinctReactors: number;
	upheldReports: number;
}

export interface Requirement {
	key:
		| "account_age_days"
		| "days_at_level"
		| "contributions"
		| "reactions_received"
		| "distinct_reactors"
		| "upheld_reports";
	description: string;
	current: number;
	required: number;
	comparison: "at_least" | "at_most";
	met: boolean;
}

/** Counts of the user's contributions; with `cap`, stops counting each source at `cap` (cheap "≥ N" checks). */
export async function countContributions(db: Db, userId: string, cap?: number): Promise<number> {
	const limit = cap === undefined ? sql`` : sql` LIMIT ${cap}`;
	const live = sql`deleted_at IS NULL AND moderation_status <> 'removed'`;
	const row = await db.get<{ n: number }>(sql`
		SELECT
			(SELECT count(*) FROM (SELECT 1 FROM habit_logs WHERE user_id = ${userId}${limit}))
			+ (SELECT count(*) FROM (SELECT 1 FROM posts WHERE author_id = ${userId} AND ${live}${limit}))
			+ (SELECT count(*) FROM (SELECT 1 FROM comments WHERE author_id = ${userId} AND ${live}${limit}))
			+ (SELECT count(*) FROM (SELECT 1 FROM sunlight_shares WHERE author_id = ${userId} AND ${live}${limit}))
			AS n`);
	return Number(row?.n ?? 0);
}

/** Everything the eligibility rules look at, in one D1 round trip. */
export async function trustSignals(
	db: Db,
	userId: string,
	cleanDays: number | null,
	now = new Date(),
): Promise<TrustSignals> {
	const cutoff = new Date(now.getTime() - (cleanDays ?? 0) * DAY_MS).toISOString();
	const live = sql`deleted_at IS NULL AND moderation_status <> 'removed'`;
	const row = await db.get<{
		contributions: number;
		reactions: number;
		reactors: number;
		upheld: number;
	}>(sql`
		SELECT
			(SELECT count(*) FROM habit_logs WHERE user_id = ${userId})
			+ (SELECT count(*) FROM posts WHERE author_id = ${userId} AND ${live})
			+ (SELECT count(*) FROM comments WHERE author_id = ${userId} AND ${live})
			+ (SELECT count(*) FROM sunlight_shares WHERE author_id = ${userId} AND ${live}) AS contributions,
			received.reactions AS reactions,
			received.reactors AS reactors,
			(SELECT count(*) FROM moderation_actions ma
				WHERE ma.target_user_id = ${userId}
				AND ma.created_at >= ${cutoff}
				AND ma.action IN ('remove_content', 'warn', 'suspend')
				AND NOT EXISTS (
					SELECT 1 FROM appeals a
					WHERE a.penalty_id = json_extract(ma.details, '$.penalty_id') AND a.status = 'overturned'
				)) AS upheld
		FROM (
			SELECT count(*) AS reactions, count(DISTINCT reactor) AS reactors FROM (
				SELECT user_id AS reactor FROM reactions
					WHERE target_author_id = ${userId} AND user_id <> ${userId}
				UNION ALL
				SELECT r.user_id AS reactor FROM sunlight_reactions r
					JOIN sunlight_shares s ON s.id = r.share_id
					WHERE s.author_id = ${userId} AND r.user_id <> ${userId} AND s.deleted_at IS NULL
			)
		) AS received`);
	return {
		contributions: Number(row?.contributions ?? 0),
		reactionsReceived: Number(row?.reactions ?? 0),
		distinctReactors: Number(row?.reactors ?? 0),
		upheldReports: cleanDays === null ? 0 : Number(row?.upheld ?? 0),
	};
}

const elapsedDays = (since: string, now: Date) => (now.getTime() - Date.parse(since)) / DAY_MS;

/** The requirements of `target` for this user, each with current value and whether it is met. */
export function requirementsFor(
	user: CurrentUser,
	target: Exclude<TrustLevel, "new_sprout">,
	signals: TrustSignals,
	now = new Date(),
): Requirement[] {
	const rules: LevelRequirements = LEVEL_REQUIREMENTS[target];
	const atLeast = (
		key: Requirement["key"],
		description: string,
		current: number,
		required: number,
	): Requirement => ({
		key,
		description,
		current,
		required,
		comparison: "at_least",
		met: current >= required,
	});

	const days =
		target === "growing" ? elapsedDays(user.createdAt, now) : elapsedDays(user.trustLevelSince, now);
	const requirements: Requirement[] = [
		{
			...atLeast(
				target === "growing" ? "account_age_days" : "days_at_level",
				target === "growing"
					? `Account at least ${rules.minDays} days old`
					: `At least ${rules.minDays} days at ${user.trustLevel}`,
				Math.floor(days),
				rules.minDays,
			),
			met: days >= rules.minDays,
		},
		atLeast(
			"contributions",
			`At least ${rules.minContributions} contributions (habit logs, posts, comments, sunlight shares)`,
			signals.contributions,
			rules.minContributions,
		),
	];
	if (rules.minReactions > 0) {
		requirements.push(
			atLeast(
				"reactions_received",
				`At least ${rules.minReactions} reactions received from others`,
				signals.reactionsReceived,
				rules.minReactions,
			),
			atLeast(
				"distinct_reactors",
				`Reactions from at least ${rules.minReactors} different people`,
				signals.distinctReactors,
				rules.minReactors,
			),
		);
	}
	if (rules.cleanDays !== null) {
		requirements.push({
			key: "upheld_reports",
			description: `No upheld report in the last ${rules.cleanDays} days`,
			current: signals.upheldReports,
			required: 0,
			comparison: "at_most",
			met: signals.upheldReports === 0,
		});
	}
	return requirements;
}

/** The requirements of the level above the user's, or null at the top. */
export async function nextLevelProgress(db: Db, user: CurrentUser, now = new Date()) {
	const level = nextLevel(user.trustLevel);
	if (!level) return null;
	const signals = await trustSignals(db, user.id, LEVEL_REQUIREMENTS[level].cleanDays, now);
	const requirements = requirementsFor(user, level, signals, now);
	return { level, requirements, eligible: requirements.every((each) => each.met) };
}

/**
 * new_sprout → growing, automatically: account ≥ 3 days old and ≥ 5 contributions, not suspended, level
 * not locked by a guardian. Cheap when nothing can change (no query before the account is 3 days old).
 * The promotion tells the person (`trust_level`) in the same batch. Any feature may call it after a write;
 * returns the (possibly promoted) user.
 *
 * @example
 * const user = await maybePromoteToGrowing(db, currentUser(c));
 */
export async function maybePromoteToGrowing(
	db: Db,
	user: CurrentUser,
	now = new Date(),
): Promise<CurrentUser> {
	if (user.trustLevel !== "new_sprout" || user.trustLocked || user.deletedAt !== null) return user;
	if (isSuspended(user, now)) return user;
	const rules = LEVEL_REQUIREMENTS.growing;
	if (elapsedDays(user.createdAt, now) < rules.minDays) return user;
	if ((await countContributions(db, user.id, rules.minContributions)) < rules.minContributions) return user;
	const nowIso = now.toISOString();
	const promote = db
		.update(users)
		.set({ trustLevel: "growing", trustLevelSince: nowIso })
		.where(
			and(
				eq(users.id, user.id),
				eq(users.trustLevel, "new_sprout"),
				eq(users.trustLocked, false),
				or(isNull(users.suspendedUntil), lte(users.suspendedUntil, nowIso)),
			),
		)
		.returning();
	// The person learns of it — only if this update is the one that promoted them.
	const [[promoted]] = await db.batch([
		promote,
		...notificationStatements(
			db,
			[
				{
					type: "trust_level",
					recipientId: user.id,
					actorId: null,
					subject: { type: "user", id: user.id },
					groupKey: `trust_level:growing:${nowIso}`,
					data: { level: "growing" },
					when: sql`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${user.id}
						AND ${users.trustLevel} = 'growing' AND ${users.trustLevelSince} = ${nowIso})`,
				},
			],
			now,
		),
	]);
	return promoted ?? user;
}

export const pendingTrustApplication = (db: Db, userId: string) =>
	db
		.select()
		.from(trustApplications)
		.where(and(eq(trustApplications.userId, userId), eq(trustApplications.status, "pending")))
		.get();

/** Apply for the level above mine: 422 listing unmet requirements, 409 when one is already pending. */
export async function applyForTrust(
	db: Db,
	caller: CurrentUser,
	input: { requested_level?: "good_soil" | "flourishing"; statement?: string },
	now = new Date(),
): Promise<TrustApplicationRow> {
	const user = await maybePromoteToGrowing(db, await callerRow(caller), now);
	if (user.trustLocked) throw conflict("A guardian has locked your trust level; it cannot be applied for.");
	const level = nextLevel(user.trustLevel);
	if (!level) throw conflict("You are already at the highest trust level.");
	if (input.requested_level !== undefined && input.requested_level !== level) {
		throw new Problem(422, {
			kind: "validation",
			detail: `Levels are climbed one at a time: from ${user.trustLevel} the next is ${level}.`,
			errors: [{ field: "body/requested_level", message: `must be ${level}` }],
		});
	}
	if (await pendingTrustApplication(db, user.id)) {
		throw conflict("You already have a pending trust application; withdraw it or wait for its review.");
	}
	const progress = await nextLevelProgress(db, user, now);
	const unmet = progress?.requirements.filter((each) => !each.met) ?? [];
	if (level === "growing" || unmet.length > 0) {
		throw new Problem(422, {
			kind: "not-eligible",
			detail:
				level === "growing"
					? "growing is reached automatically once its requirements are met; no application is needed."
					: `Not yet eligible for ${level}.`,
			errors: unmet.map((each) => ({
				field: `requirements/${each.key}`,
				message: `${each.description}: ${each.current} of ${each.required}`,
			})),
			extensions: {
				requested_level: level,
				unmet_requirements: unmet.map((each) => ({
					key: each.key,
					description: each.description,
					current: each.current,
					required: each.required,
					comparison: each.comparison,
				})),
			},
		});
	}
	const [created] = await db
		.insert(trustApplications)
		.values({
			userId: user.id,
			fromLevel: user.trustLevel,
			requestedLevel: level,
			statement: input.statement ?? "",
		})
		.onConflictDoNothing()
		.returning();
	if (!created) throw conflict("You already have a pending trust application.");
	return created;
}

export async function applyForGuide(
	db: Db,
	user: CurrentUser,
	input: { motivation: string; experience?: string; specialties?: string[] },
): Promise<GuideApplicationRow> {
	await callerRow(user);
	if (isGuardian(user)) throw conflict("Guardians already hold every Guide power.");
	if (user.role === "guide") throw conflict("You are already a Guide.");
	const [created] = await db
		.insert(guideApplications)
		.values({
			userId: user.id,
			motivation: input.motivation,
			experience: input.experience ?? "",
			specialties: input.specialties ?? [],
		})
		.onConflictDoNothing()
		.returning();
	if (!created) {
		throw conflict("You already have a pending guide application; withdraw it or wait for its review.");
	}
	return created;
}

export interface PageArgs {
	limit: number;
	after: string | undefined;
}

export function listTrustApplications(db: Db, userId: string, page: PageArgs) {
	return db
		.select()
		.from(trustApplications)
		.where(
			and(
				eq(trustApplications.userId, userId),
				page.after ? lt(trustApplications.id, page.after) : undefined,
			),
		)
		.orderBy(desc(trustApplications.id))
		.limit(page.limit + 1);
}

export function listGuideApplications(db: Db, userId: string, page: PageArgs) {
	return db
		.select()
		.from(guideApplications)
		.where(
			and(
				eq(guideApplications.userId, userId),
				page.after ? lt(guideApplications.id, page.after) : undefined,
			),
		)
		.orderBy(desc(guideApplications.id))
		.limit(page.limit + 1);
}

/** Withdraws my pending trust or guide application: 404 if not mine, 409 if no longer pending. */
export async function withdrawApplication(db: Db, userId: string, applicationId: string): Promise<void> {
	const nowIso = new Date().toISOString();
	const [trust, guide] = await db.batch([
		db
			.update(trustApplications)
			.set({ status: "withdrawn", updatedAt: nowIso })
			.where(
				and(
					eq(trustApplications.id, applicationId),
					eq(trustApplications.userId, userId),
					eq(trustApplications.status, "pending"),
				),
			)
			.returning({ id: trustApplications.id }),
		db
			.update(guideApplications)
			.set({ status: "withdrawn", updatedAt: nowIso })
			.where(
				and(
					eq(guideApplications.id, applicationId),
					eq(guideApplications.userId, userId),
					eq(guideApplications.status, "pending"),
				),
			)
			.returning({ id: guideApplications.id }),
	]);
	if (trust.length + guide.length > 0) return;
	const [mineTrust, mineGuide] = await db.batch([
		db
			.select({ id: trustApplications.id })
			.from(trustApplications)
			.where(and(eq(trustApplications.id, applicationId), eq(trustApplications.userId, userId))),
		db
			.select({ id: guideApplications.id })
			.from(guideApplications)
			.where(and(eq(guideApplications.id, applicationId), eq(guideApplications.userId, userId))),
	]);
	if (mineTrust.length + mineGuide.length === 0) throw notFound("application");
	throw conflict("Only a pending application can be withdrawn.");
}
