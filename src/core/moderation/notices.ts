/**
 * @module core/moderation/notices: what moderation tells the person it acts on. A `content_moderated`
 * notification tells an author that their content was hidden, removed or restored — by a guardian, by
 * reports reaching the hide weight, or by the scheduled ML re-check — and is put in the same batch as the
 * change, with a `when` that holds only if this batch is the one that makes it.
 *
 * - No person is shown (`actorId: null`): never the guardian, never a reporter. A guardian acting on their
 *   own content or account passes their own id (`moderationActor`), so nothing is written.
 * - Anonymous Support requests tell no one: nothing links a request to an account. An anonymous Sunlight
 *   share tells its author (only they see their notifications); the subject is their own profile, as for
 *   every kind without a subject type of its own, so the share's id is shown nowhere.
 * - Profiles and chat messages are never hidden or removed as content (guardians warn or suspend).
 * - A removal is told once ever (`…:removed`: it is final); a hide or a restore is told each time it
 *   happens (`…:<status>:<cause>`), since the same content can be hidden, restored and hidden again.
 */
import { and, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "../../db/client";
import type { ContentType } from "../../db/content";
import { contentKindOf } from "../../db/content-kinds";
import type { NotificationSubjectType } from "../../db/tables/notifications";
import type { ModerationStatus } from "../../db/tables/shared";
import { type NotificationEvent, notificationStatements } from "../notifications";

export type ModerationOutcome = "hidden" | "removed" | "restored";

/** What the sentence calls each kind of content ("Your post was hidden by the moderators."). */
const CONTENT_NAMES: Partial<Record<ContentType, string>> = {
	post: "post",
	comment: "comment",
	sunlight_share: "Sunlight share",
	support_response: "support response",
	project_discussion: "discussion post",
	fellowship_group: "group",
	group_event: "event",
	project: "project",
};

/** What a tap opens: the content where a subject type exists for it, else the author's own profile. */
function subjectOf(
	type: ContentType,
	id: string,
	authorId: string,
	snapshot: Record<string, unknown> | undefined,
): { type: NotificationSubjectType; id: string } {
	switch (type) {
		case "post":
		case "comment":
		case "project":
			return { type, id };
		case "fellowship_group":
			return { type: "group", id };
		case "group_event":
			return { type: "event", id };
		case "project_discussion":
			return typeof snapshot?.project_id === "string"
				? { type: "project", id: snapshot.project_id }
				: { type: "user", id: authorId };
		default:
			return { type: "user", id: authorId };
	}
}

/** Moderation shows no person: null — except a guardian acting on themselves, whose own id writes nothing. */
export const moderationActor = (guardianId: string | null | undefined, recipientId: string): string | null =>
	guardianId === recipientId ? recipientId : null;

export interface ModerationNotice {
	targetType: ContentType;
	targetId: string;
	/** The content's author; null (anonymous support, a deleted account) tells no one. */
	authorId: string | null;
	status: ModerationOutcome;
	/** What makes a hide or a restore one event (the decision's or the run's time); unused for removals. */
	cause: string;
	/** The guardian who acted, if one did: when they are the author, nothing is written. */
	guardianId?: string | null | undefined;
	/** The queue's snapshot of the content (a discussion post's project). */
	snapshot?: Record<string, unknown> | undefined;
	/** Must hold when the statement runs: the change this batch makes is about to apply. */
	when?: SQL | undefined;
}

/** The author's `content_moderated` notification, or null when there is no one to tell. */
export function contentModeratedEvent(notice: ModerationNotice): NotificationEvent | null {
	const content = CONTENT_NAMES[notice.targetType];
	const { authorId, targetType, targetId, status } = notice;
	if (!content || !authorId) return null;
	const key = `content_moderated:${targetType}:${targetId}:${status}`;
	return {
		type: "content_moderated",
		recipientId: authorId,
		actorId: moderationActor(notice.guardianId, authorId),
		subject: subjectOf(targetType, targetId, authorId, notice.snapshot),
		groupKey: status === "removed" ? key : `${key}:${notice.cause}`,
		data: { status, content },
		...(notice.when ? { when: notice.when } : {}),
	};
}

/** True when the content was deleted (by anyone) at exactly `at`; false for kinds never soft-deleted. */
function deletedAt(type: ContentType, id: string, at: string): SQL {
	const kind = contentKindOf(type);
	if (!kind?.deletedAt) return sql`0`;
	const table = kind.table as SQLiteTable & { id: SQLiteColumn };
	return sql`EXISTS (SELECT 1 FROM ${table} WHERE ${and(eq(table.id, id), eq(kind.deletedAt, at))})`;
}

/**
 * True while the content is there — not deleted by its author — and, with `statuses`, its moderation
 * status is one of them. For a kind outside D1, false.
 */
export function contentIs(type: ContentType, id: string, statuses?: readonly ModerationStatus[]): SQL {
	const kind = contentKindOf(type);
	if (!kind) return sql`0`;
	const table = kind.table as SQLiteTable & { id: SQLiteColumn; moderationStatus?: SQLiteColumn };
	const conditions = [
		eq(table.id, id),
		kind.deletedAt ? isNull(kind.deletedAt) : undefined,
		statuses && table.moderationStatus ? inArray(table.moderationStatus, [...statuses]) : undefined,
	];
	return sql`EXISTS (SELECT 1 FROM ${table} WHERE ${and(...conditions)})`;
}

/** The statement (none when there is no one to tell) of `notice`, for the batch of the change. */
export function contentModeratedStatements(db: Db, notice: ModerationNotice, now = new Date()) {
	const event = contentModeratedEvent(notice);
	return event ? notificationStatements(db, [event], now) : [];
}

/**
 * A guardian's removal (a deletion from the content's own route) told to the author; put it after the
 * deletion in its batch. By default `when` is "deleted at `at`": this deletion is the one that applied.
 */
export function removalNotice(
	db: Db,
	type: ContentType,
	id: string,
	authorId: string | null,
	guardianId: string,
	at: string,
	when: SQL = deletedAt(type, id, at),
) {
	return contentModeratedStatements(db, {
		targetType: type,
		targetId: id,
		authorId,
		status: "removed",
		cause: "",
		guardianId,
		when,
	});
}
