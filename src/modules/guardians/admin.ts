/**
 * @module guardians/admin: reviewing trust and guide applications, and administering users (role, trust
 * level and its lock, suspension and its lifting). Every change is audit-logged in the same batch.
 *
 * The person is told in the same batch: an application decided (and a trust level it changes), a trust
 * level set, a suspension or its lifting (guardians/notices). A role or a lock tells no one.
 *
 * A guardian cannot demote or suspend themselves, nor the last active guardian: the guarded statements
 * re-check "another active guardian exists" inside the batch, so two guardians demoting each other at the
 * same moment cannot leave the community without one.
 */
import { and, asc, eq, gt, inArray, isNull, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type CurrentUser, isSuspended, trustRank } from "../../core/accounts/current-user";
import { auditStatement } from "../../core/moderation/audit";
import { notificationStatements } from "../../core/notifications";
import { batchGuard, isBatchGuardFailure } from "../../db/batch-guard";
import type { Db } from "../../db/client";
import { penalties } from "../../db/tables/guardians";
import {
	type GuideApplicationRow,
	guideApplications,
	type TrustApplicationRow,
	trustApplications,
} from "../../db/tables/trust";
import {
	guideProfiles,
	PERMANENT_UNTIL,
	type ROLES,
	type TRUST_LEVELS,
	type UserRow,
	users,
} from "../../db/tables/users";
import type { Bindings } from "../../env";
import { newId } from "../../lib/ids";
import { conflict, forbidden, notFound } from "../../lib/problem";
import { applicationDecidedEvent, liftedEvent, suspendedEvent, trustLevelEvent } from "./notices";
import {
	anotherActiveGuardian,
	commitGuardianBatch,
	type Suspension,
	type SuspensionDuration,
	suspensionEndsAt,
} from "./penalties";

/** Commits a guardian's batch (`commitGuardianBatch`), a failed guard answering 409; the statements' results. */
async function runGuarded(
	db: Db,
	statements: BatchItem<"sqlite">[],
	onGuardFailure: string,
	suspension?: Suspension,
	readBack?: BatchItem<"sqlite">,
): Promise<unknown[]> {
	try {
		return await commitGuardianBatch(db, statements, suspension, readBack);
	} catch (error) {
		if (isBatchGuardFailure(error)) throw conflict(onGuardFailure);
		throw error;
	}
}

const applicant = {
	id: users.id,
	displayName: users.displayName,
	trustLevel: users.trustLevel,
	trustLevelSince: users.trustLevelSince,
	role: users.role,
	createdAt: users.createdAt,
};
export type ApplicantSummary = {
	id: string;
	displayName: string;
	trustLevel: UserRow["trustLevel"];
	trustLevelSince: string;
	role: UserRow["role"];
	createdAt: string;
};

export type PendingApplication =
	| { kind: "trust"; application: TrustApplicationRow; applicant: ApplicantSummary }
	| { kind: "guide"; application: GuideApplicationRow; applicant: ApplicantSummary };

/** Pending applications, oldest first; trust and guide merged by id (UUIDv7, so by time). */
export async function listPendingApplications(
	db: Db,
	filters: { kind?: "trust" | "guide"; limit: number; after?: string },
): Promise<PendingApplication[]> {
	const take = filters.limit + 1;
	const [trust, guide] = await Promise.all([
		filters.kind === "guide"
			? []
			: db
					.select({ application: trustApplications, applicant })
					.from(trustApplications)
					.innerJoin(users, eq(users.id, trustApplications.userId))
					.where(
						and(
							eq(trustApplications.status, "pending"),
							filters.after ? gt(trustApplications.id, filters.after) : undefined,
						),
					)
					.orderBy(asc(trustApplications.id))
					.limit(take),
		filters.kind === "trust"
			? []
			: db
					.select({ application: guideApplications, applicant })
					.from(guideApplications)
					.innerJoin(users, eq(users.id, guideApplications.userId))
					.where(
						and(
							eq(guideApplications.status, "pending"),
							filters.after ? gt(guideApplications.id, filters.after) : undefined,
						),
					)
					.orderBy(asc(guideApplications.id))
					.limit(take),
	]);
	const merged: PendingApplication[] = [
		...trust.map((row) => ({ kind: "trust" as const, ...row })),
		...guide.map((row) => ({ kind: "guide" as const, ...row })),
	];
	merged.sort((a, b) => (a.application.id < b.application.id ? -1 : 1));
	return merged.slice(0, take);
}

export interface ApplicationDecision {
	decision: "approve" | "reject";
	notes?: string;
}

/** Approves or rejects a pending application (approving a guide application makes a Guide with a profile). */
export async function decideApplication(
	db: Db,
	guardian: CurrentUser,
	applicationId: string,
	input: ApplicationDecision,
	now = new Date(),
): Promise<PendingApplication> {
	// The application (trust or guide) and its applicant side by side: the applicant is found through the
	// application inside the statement, so the checks cost one round trip.
	const [trustRows, guideRows, people] = await db.batch([
		db.select().from(trustApplications).where(eq(trustApplications.id, applicationId)),
		db.select().from(guideApplications).where(eq(guideApplications.id, applicationId)),
		db
			.select()
			.from(users)
			.where(
				and(
					or(
						inArray(
							users.id,
							db
								.select({ id: trustApplications.userId })
								.from(trustApplications)
								.where(eq(trustApplications.id, applicationId)),
						),
						inArray(
							users.id,
							db
								.select({ id: guideApplications.userId })
								.from(guideApplications)
								.where(eq(guideApplications.id, applicationId)),
						),
					),
					isNull(users.deletedAt),
				),
			)
			.limit(1),
	]);
	const trust = trustRows[0];
	const guide = guideRows[0];
	const application = trust ?? guide;
	if (!application) throw notFound("application");
	if (application.userId === guardian.id)
		throw forbidden("Another guardian must review your own application.");
	if (application.status !== "pending") throw conflict(`This application is already ${application.status}.`);
	const person = people[0];
	if (!person || person.id !== application.userId)
		throw conflict("The applicant's account no longer exists.");

	const nowIso = now.toISOString();
	const approve = input.decision === "approve";
	const review = {
		status: approve ? ("approved" as const) : ("rejected" as const),
		reviewerId: guardian.id,
		reviewerNotes: input.notes ?? null,
		reviewedAt: nowIso,
		updatedAt: nowIso,
	};
	const audit = auditStatement(db, {
		actorId: guardian.id,
		action: approve ? "approve_application" : "reject_application",
		targetType: trust ? "trust_application" : "guide_application",
		targetId: application.id,
		targetUserId: person.id,
		reason: input.notes ?? "",
		details: trust ? { from: trust.fromLevel, to: trust.requestedLevel } : { role: "guide" },
	});
	const statements: BatchItem<"sqlite">[] = [];

	if (trust) {
		statements.push(
			batchGuard(
				db,
				sql`EXISTS (SELECT 1 FROM ${trustApplications} WHERE id = ${trust.id} AND status = 'pending')`,
			),
			db.update(trustApplications).set(review).where(eq(trustApplications.id, trust.id)),
		);
		if (approve) {
			if (person.trustLevel !== trust.fromLevel) {
				throw conflict(
					`The applicant's level changed since applying (now ${person.trustLevel}); reject this application.`,
				);
			}
			statements.push(
				db
					.update(users)
					.set({ trustLevel: trust.requestedLevel, trustLevelSince: nowIso })
					.where(eq(users.id, person.id)),
				...notificationStatements(
					db,
					[trustLevelEvent(person.id, trust.requestedLevel, nowIso, guardian.id)],
					now,
				),
			);
		}
	} else if (guide) {
		statements.push(
			batchGuard(
				db,
				sql`EXISTS (SELECT 1 FROM ${guideApplications} WHERE id = ${guide.id} AND status = 'pending')`,
			),
			db.update(guideApplications).set(review).where(eq(guideApplications.id, guide.id)),
		);
		if (approve) {
			if (person.role === "guardian") throw conflict("Guardians already hold every Guide power.");
			if (trustRank(person.trustLevel) < trustRank("good_soil")) {
				throw conflict("Guides need trust level good_soil or higher; the applicant is below it now.");
			}
			statements.push(
				db.update(users).set({ role: "guide" }).where(eq(users.id, person.id)),
				db
					.insert(guideProfiles)
					.values({ userId: person.id, specialties: guide.specialties, experience: guide.experience })
					.onConflictDoUpdate({
						target: guideProfiles.userId,
						set: { specialties: guide.specialties, experience: guide.experience, updatedAt: nowIso },
					}),
			);
		}
	}
	statements.push(
		audit,
		...notificationStatements(
			db,
			[applicationDecidedEvent(application, trust ? "trust" : "guide", review.status)],
			now,
		),
	);
	// The reviewed application and its applicant read back at the batch's end, each from its own table (in a
	// D1 batch a join's same-named columns would collide): no round trip of its own.
	const readBack = [
		trust
			? db.select().from(trustApplications).where(eq(trustApplications.id, trust.id))
			: db.select().from(guideApplications).where(eq(guideApplications.id, application.id)),
		db.select(applicant).from(users).where(eq(users.id, person.id)),
	] as const;
	const results = await runGuarded(
		db,
		[...statements, ...readBack],
		"This application was reviewed meanwhile.",
	);
	const [reviewed] = results[statements.length] as Array<TrustApplicationRow | GuideApplicationRow>;
	const [summary] = results[statements.length + 1] as ApplicantSummary[];
	if (!reviewed || !summary) throw notFound("application");
	return trust
		? { kind: "trust", application: reviewed as TrustApplicationRow, applicant: summary }
		: { kind: "guide", application: reviewed as GuideApplicationRow, applicant: summary };
}

export interface UserAdministration {
	role?: (typeof ROLES)[number];
	trust_level?: (typeof TRUST_LEVELS)[number];
	trust_locked?: boolean;
	/** A duration suspends; null lifts the current suspension. */
	suspension?: { duration: SuspensionDuration } | null;
	reason: string;
}

/** Sets role, trust level (and its lock), or suspends (closing their chat sockets) / lifts a suspension. */
export async function administerUser(
	db: Db,
	env: Pick<Bindings, "CHAT_ROOM">,
	guardian: CurrentUser,
	userId: string,
	input: UserAdministration,
	now = new Date(),
): Promise<UserRow> {
	const target = await db
		.select()
		.from(users)
		.where(and(eq(users.id, userId), isNull(users.deletedAt)))
		.get();
	if (!target) throw notFound("user");
	const self = target.id === guardian.id;
	const demoting = input.role !== undefined && target.role === "guardian" && input.role !== "guardian";
	if (self && demoting) throw forbidden("You cannot demote yourself; ask another guardian.");
	if (self && input.suspension) throw forbidden("You cannot suspend yourself.");

	const nowIso = now.toISOString();
	const reason = input.reason;
	const statements: BatchItem<"sqlite">[] = [];
	let suspension: Suspension | undefined;
	const guardianGuard = batchGuard(db, anotherActiveGuardian(target.id, now));

	if (input.role !== undefined && input.role !== target.role) {
		if (demoting) statements.push(guardianGuard);
		statements.push(
			db.update(users).set({ role: input.role }).where(eq(users.id, target.id)),
			auditStatement(db, {
				actorId: guardian.id,
				action: "set_role",
				targetType: "user",
				targetId: target.id,
				targetUserId: target.id,
				reason,
				details: { from: target.role, to: input.role },
			}),
		);
		if (input.role === "guide") {
			statements.push(db.insert(guideProfiles).values({ userId: target.id }).onConflictDoNothing());
		}
	}

	const levelChanges = input.trust_level !== undefined && input.trust_level !== target.trustLevel;
	const lockChanges = input.trust_locked !== undefined && input.trust_locked !== target.trustLocked;
	if (levelChanges || lockChanges) {
		statements.push(
			// Before the change: only if the level is not already this one when the batch runs.
			...(levelChanges && input.trust_level
				? notificationStatements(
						db,
						[
							trustLevelEvent(
								target.id,
								input.trust_level,
								nowIso,
								guardian.id,
								sql`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${target.id} AND ${users.trustLevel} <> ${input.trust_level})`,
							),
						],
						now,
					)
				: []),
			db
				.update(users)
				.set({
					...(levelChanges ? { trustLevel: input.trust_level, trustLevelSince: nowIso } : {}),
					...(lockChanges ? { trustLocked: input.trust_locked } : {}),
				})
				.where(eq(users.id, target.id)),
			auditStatement(db, {
				actorId: guardian.id,
				action: "set_trust",
				targetType: "user",
				targetId: target.id,
				targetUserId: target.id,
				reason,
				details: {
					from: target.trustLevel,
					to: input.trust_level ?? target.trustLevel,
					locked: input.trust_locked ?? target.trustLocked,
				},
			}),
		);
	}

	if (input.suspension) {
		const { duration } = input.suspension;
		const endsAt = suspensionEndsAt(duration, now);
		const penaltyId = newId(now.getTime());
		if (target.role === "guardian" && !statements.includes(guardianGuard)) statements.push(guardianGuard);
		suspension = { env, userId: target.id, until: endsAt ?? PERMANENT_UNTIL };
		statements.push(
			db.insert(penalties).values({
				id: penaltyId,
				userId: target.id,
				kind: "suspension",
				duration,
				startsAt: nowIso,
				endsAt,
				reason,
				issuedBy: guardian.id,
			}),
			auditStatement(db, {
				actorId: guardian.id,
				action: "suspend",
				targetType: "user",
				targetId: target.id,
				targetUserId: target.id,
				reason,
				details: { penalty_id: penaltyId, duration, ends_at: endsAt },
			}),
			...notificationStatements(db, [suspendedEvent(target.id, penaltyId)], now),
		);
	} else if (input.suspension === null) {
		if (!isSuspended(target, now)) throw conflict("This user is not suspended.");
		statements.push(
			// Before the lift: only if the person is still suspended when the batch runs (one lift tells).
			...notificationStatements(
				db,
				[
					liftedEvent(
						target.id,
						nowIso,
						sql`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${target.id} AND ${users.suspendedUntil} > ${nowIso})`,
					),
				],
				now,
			),
			db
				.update(penalties)
				.set({ liftedAt: nowIso, liftedBy: guardian.id, updatedAt: nowIso })
				.where(
					and(
						eq(penalties.userId, target.id),
						eq(penalties.kind, "suspension"),
						isNull(penalties.liftedAt),
						sql`(${penalties.endsAt} IS NULL OR ${penalties.endsAt} > ${nowIso})`,
					),
				),
			db.update(users).set({ suspendedUntil: null }).where(eq(users.id, target.id)),
			auditStatement(db, {
				actorId: guardian.id,
				action: "lift_suspension",
				targetType: "user",
				targetId: target.id,
				targetUserId: target.id,
				reason,
				details: { was_suspended_until: target.suspendedUntil },
			}),
		);
	}

	// The user read back at the end of the write's own batch (after the suspension): no round trip of its own.
	const readBack = db.select().from(users).where(eq(users.id, target.id));
	const [updated] =
		statements.length > 0
			? ((
					await runGuarded(
						db,
						statements,
						"The last active guardian cannot be demoted or suspended.",
						suspension,
						readBack,
					)
				).at(-1) as UserRow[])
			: await readBack;
	if (!updated) throw notFound("user");
	return updated;
}
