/**
 * @module guardians/notices: what guardians' decisions tell the person decided on — their account suspended
 * or its suspension lifted (`account_status`), their appeal decided (`appeal_decided`), their trust or guide
 * application decided (`application_decided`), their trust level changed (`trust_level`). Each is put in
 * the decision's own batch. No person is shown: a decision is the moderators', not one guardian's — and a
 * guardian acting on themselves (setting their own level) passes their own id, so nothing is written.
 */
import type { SQL } from "drizzle-orm";
import { moderationActor } from "../../core/moderation/notices";
import type { NotificationEvent } from "../../core/notifications";
import type { TRUST_LEVELS } from "../../db/tables/users";

/** The person suspended is told; they can still read their notifications. One per penalty. */
export function suspendedEvent(userId: string, penaltyId: string): NotificationEvent {
	return {
		type: "account_status",
		recipientId: userId,
		actorId: null,
		subject: { type: "user", id: userId },
		groupKey: `account_status:suspended:${penaltyId}`,
		data: { status: "suspended" },
	};
}

/** The person whose suspension a guardian lifts is told, if `when` (still suspended) holds. */
export function liftedEvent(userId: string, at: string, when: SQL): NotificationEvent {
	return {
		type: "account_status",
		recipientId: userId,
		actorId: null,
		subject: { type: "user", id: userId },
		groupKey: `account_status:lifted:${at}`,
		data: { status: "lifted" },
		when,
	};
}

/** The person whose trust level changed (by a guardian, or an approved application). */
export function trustLevelEvent(
	userId: string,
	level: (typeof TRUST_LEVELS)[number],
	at: string,
	guardianId: string,
	when?: SQL,
): NotificationEvent {
	return {
		type: "trust_level",
		recipientId: userId,
		actorId: moderationActor(guardianId, userId),
		subject: { type: "user", id: userId },
		groupKey: `trust_level:${level}:${at}`,
		data: { level },
		...(when ? { when } : {}),
	};
}

/** The appellant learns whether their appeal was upheld or overturned. One per appeal. */
export function appealDecidedEvent(
	appeal: { id: string; userId: string },
	status: "upheld" | "overturned",
): NotificationEvent {
	return {
		type: "appeal_decided",
		recipientId: appeal.userId,
		actorId: null,
		subject: { type: "appeal", id: appeal.id },
		groupKey: `appeal_decided:${appeal.id}`,
		data: { status },
	};
}

/** The applicant learns whether their trust or guide application was approved. One per application. */
export function applicationDecidedEvent(
	application: { id: string; userId: string },
	kind: "trust" | "guide",
	status: "approved" | "rejected",
): NotificationEvent {
	return {
		type: "application_decided",
		recipientId: application.userId,
		actorId: null,
		subject: { type: "application", id: application.id },
		groupKey: `application_decided:${application.id}`,
		data: { kind, status },
	};
}
