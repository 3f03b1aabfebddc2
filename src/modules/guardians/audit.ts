/**
 * @module guardians/audit: the audit log. Every guardian action (and every automatic hide) is one entry:
 * who, what, on what, about whom, why, when. Put the statement in the same batch as the action itself.
 */
import type { Db } from "../../db/client";
import { type AUDIT_TARGET_TYPES, type MODERATION_ACTIONS, moderationActions } from "./tables";

export interface AuditEntry {
	/** Null for automatic actions. */
	actorId: string | null;
	action: (typeof MODERATION_ACTIONS)[number];
	targetType: (typeof AUDIT_TARGET_TYPES)[number];
	targetId: string;
	targetUserId?: string | null;
	reason?: string;
	details?: Record<string, unknown>;
}

export function auditStatement(db: Db, entry: AuditEntry) {
	return db.insert(moderationActions).values({
		actorId: entry.actorId,
		action: entry.action,
		targetType: entry.targetType,
		targetId: entry.targetId,
		targetUserId: entry.targetUserId ?? null,
		reason: entry.reason ?? "",
		details: entry.details ?? {},
	});
}
