/**
 * @module core/moderation/audit: the audit log. Every guardian action (and every automatic hide) is one entry:
 * who, what, on what, about whom, why, when. Put the statement in the same batch as the action itself.
 *
 * @example
 * await db.batch([removeThePost, auditStatement(db, { actorId: me.id, action: "delete_content",
 *   targetType: "post", targetId: post.id, targetUserId: post.authorId, reason: "Spam" })]);
 */
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import {
	type AUDIT_TARGET_TYPES,
	type MODERATION_ACTIONS,
	moderationActions,
} from "../../db/tables/guardians";
import { newId } from "../../lib/ids";

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

/**
 * The entry, written only if `condition` holds when the batch reaches it — for actions that a batch takes
 * conditionally (an automatic hide, a guarded role change), so the log never claims what did not happen.
 */
export function auditStatementIf(db: Db, entry: AuditEntry, condition: SQL) {
	// Columns in the table's order: id, actor_id, action, target_type, target_id, target_user_id, reason,
	// details, created_at.
	return db.insert(moderationActions).select(sql`
		SELECT ${newId()}, ${entry.actorId}, ${entry.action}, ${entry.targetType}, ${entry.targetId},
			${entry.targetUserId ?? null}, ${entry.reason ?? ""}, ${JSON.stringify(entry.details ?? {})},
			${new Date().toISOString()}
		WHERE ${condition}`);
}
