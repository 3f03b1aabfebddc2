/**
 * @module core/notifications: how a feature tells a person that something happened.
 *
 * A feature describes the event (`NotificationEvent`: who is told, who acted, what a tap opens) and puts the
 * statement `notificationStatement` builds into the same D1 batch as the action — so the notification
 * exists exactly when the action does, and a retried action never writes it twice (one row per person and
 * `group_key`). The statement itself applies the rules, in SQL, at the moment it runs:
 * - never a person's own action, never to a deleted account;
 * - never across a block, either way;
 * - never of content moderation holds back (`when`: a held comment notifies when a guardian approves it);
 * - never a type the person turned off in their preferences.
 * A grouped type (reactions) is one row per target, updated in place: the new actor first, the count
 * recomputed, moved to the top and unread again.
 *
 * The live stream builds on these rows (the list is the source of truth): the people a request wrote for are
 * collected (`collectingRecipients`), and once the writes have committed their streams are poked; each
 * stream then reads what changed from the list itself ("poke, then read").
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { and, asc, eq, isNull, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { afterCursor } from "../db/keyset";
import { fellowshipGroups, groupEvents } from "../db/tables/fellowship";
import { comments, posts } from "../db/tables/flourish";
import {
	NOTIFICATION_TYPES,
	type NotificationRow,
	type NotificationSubjectType,
	type NotificationType,
	notificationPreferences,
	notifications,
} from "../db/tables/notifications";
import { blocks } from "../db/tables/orchard";
import { projects } from "../db/tables/teamup";
import { users } from "../db/tables/users";
import { newId } from "../lib/ids";

/** A notification stays this long after its last change; the cron deletes it then. */
export const NOTIFICATION_RETENTION_DAYS = 90;
/** Actors kept (and shown) per notification, most recent first. */
export const MAX_ACTORS = 3;

/** Types that gather every actor on one subject into one row, updated in place. */
export const GROUPED_TYPES: ReadonlySet<NotificationType> = new Set(["reaction"]);

/**
 * Defaults of the per-type preferences: everything in the app, and on the lock screen what a person would
 * want to know at once (the push issue uses `push`). Reactions stay off the lock screen by default.
 */
export const DEFAULT_PREFERENCES: Record<NotificationType, { in_app: boolean; push: boolean }> =
	Object.fromEntries(
		NOTIFICATION_TYPES.map((type) => [type, { in_app: true, push: type !== "reaction" }]),
	) as Record<NotificationType, { in_app: boolean; push: boolean }>;

export interface NotificationEvent {
	type: NotificationType;
	/** The person told. */
	recipientId: string;
	/** The person who acted; null when no person is to be shown (moderation, the system). */
	actorId: string | null;
	subject: { type: NotificationSubjectType; id: string };
	/**
	 * What makes it one notification: the cause (`comment:<id>`) so a retry writes nothing new, or for a
	 * grouped type its subject (`reaction:post:<id>`).
	 */
	groupKey: string;
	data?: Record<string, unknown>;
	/** A condition that must hold when the statement runs (e.g. the comment is visible to others). */
	when?: SQL;
	/** For grouped types: the exact number of actors now (e.g. the target's reactions by others). */
	actorCount?: SQL;
}

const notBlocked = (a: string | SQL, b: string) => sql`NOT EXISTS (SELECT 1 FROM ${blocks}
	WHERE (${blocks.blockerId} = ${a} AND ${blocks.blockedId} = ${b}) OR (${blocks.blockerId} = ${b} AND ${blocks.blockedId} = ${a}))`;

/**
 * Spiritual content is opt-in (core/spiritual): a notification about a spiritual post (or a comment on one),
 * group, event of such a group, or project reaches only a person who has opted in. Moderation's notices about
 * a person's own content reach them whatever their preference.
 */
function spiritualAllowed(
	event: Pick<NotificationEvent, "type" | "subject">,
	recipient: string | SQL,
): SQL | null {
	if (event.type === "content_moderated") return null;
	const id = event.subject.id;
	let spiritual: SQL;
	switch (event.subject.type) {
		case "post":
			spiritual = sql`EXISTS (SELECT 1 FROM ${posts} WHERE ${posts.id} = ${id} AND ${posts.isSpiritual} = 1)`;
			break;
		case "comment":
			spiritual = sql`EXISTS (SELECT 1 FROM ${comments} JOIN ${posts} ON ${posts.id} = ${comments.postId}
				WHERE ${comments.id} = ${id} AND ${posts.isSpiritual} = 1)`;
			break;
		case "group":
			spiritual = sql`EXISTS (SELECT 1 FROM ${fellowshipGroups} WHERE ${fellowshipGroups.id} = ${id}
				AND ${fellowshipGroups.isSpiritual} = 1)`;
			break;
		case "event":
			spiritual = sql`EXISTS (SELECT 1 FROM ${groupEvents} JOIN ${fellowshipGroups} ON ${fellowshipGroups.id} = ${groupEvents.groupId}
				WHERE ${groupEvents.id} = ${id} AND ${fellowshipGroups.isSpiritual} = 1)`;
			break;
		case "project":
			spiritual = sql`EXISTS (SELECT 1 FROM ${projects} WHERE ${projects.id} = ${id} AND ${projects.isSpiritual} = 1)`;
			break;
		default:
			return null;
	}
	return sql`(NOT ${spiritual} OR EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${recipient}
		AND ${users.spiritualOptIn} = 1))`;
}

/**
 * The statement that writes (or, for a grouped type, updates) the notification of `event` if the rules let
 * it through when it runs; null when it can never apply (a person's own action). Put it in the action's batch.
 */
export function notificationStatement(db: Db, event: NotificationEvent, now = new Date()) {
	const { recipientId: recipient, actorId: actor } = event;
	if (actor !== null && actor === recipient) return null;
	noteRecipient(recipient);
	const at = now.toISOString();
	const conditions: SQL[] = [
		sql`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${recipient} AND ${users.deletedAt} IS NULL)`,
		sql`NOT EXISTS (SELECT 1 FROM ${notificationPreferences} WHERE ${notificationPreferences.userId} = ${recipient}
			AND ${notificationPreferences.type} = ${event.type} AND ${notificationPreferences.inApp} = 0)`,
	];
	if (actor !== null) conditions.push(notBlocked(recipient, actor));
	const spiritual = spiritualAllowed(event, recipient);
	if (spiritual) conditions.push(spiritual);
	if (event.when) conditions.push(event.when);
	const actors = JSON.stringify(actor === null ? [] : [actor]);
	const count = event.actorCount ?? sql`${actor === null ? 0 : 1}`;
	// Columns in the table's order (db/tables/notifications): id, user_id, type, subject_type, subject_id,
	// group_key, actor_ids, actor_count, data, created_at, updated_at, read_at.
	const insert = db.insert(notifications).select(sql`
		SELECT ${newId(now.getTime())}, ${recipient}, ${event.type}, ${event.subject.type}, ${event.subject.id},
			${event.groupKey}, ${actors}, ${count}, ${JSON.stringify(event.data ?? {})}, ${at}, ${at}, NULL
		WHERE ${and(...conditions)}`);
	if (!GROUPED_TYPES.has(event.type) || actor === null) return insert.onConflictDoNothing();
	// The new actor first, without repeating them, at most MAX_ACTORS; moved to the top and unread again.
	return insert.onConflictDoUpdate({
		target: [notifications.userId, notifications.groupKey],
		set: {
			actorIds: sql`(SELECT json_group_array(value) FROM (
				SELECT value, position FROM (
					SELECT ${actor} AS value, -1 AS position
					UNION ALL
					SELECT value, key AS position FROM json_each(${notifications.actorIds}) WHERE value <> ${actor}
				) ORDER BY position LIMIT ${MAX_ACTORS}
			))`,
			actorCount: count,
			updatedAt: at,
			readAt: null,
		},
	});
}

// ---------------------------------------------------------------- who to tell live

interface RecipientsScope {
	/** Everyone whose live stream should look again. */
	recipients: Set<string>;
	/** Those a notification statement was built for (their pushes are asked for: core/push-jobs). */
	notified: Set<string>;
}

const recipientsInScope = new AsyncLocalStorage<RecipientsScope>();

/**
 * Runs `work` while collecting the people notification statements were built for (request handlers, the cron
 * and the queue consumer run inside one), so that once the writes have committed their live streams can be
 * told to catch up from the list, and their pushes asked for. A person collected whose notification the rules
 * left out costs one look at their list, nothing more.
 */
export async function collectingRecipients<T>(
	work: () => Promise<T>,
): Promise<{ result: T; recipients: Set<string>; notified: Set<string> }> {
	const scope: RecipientsScope = { recipients: new Set(), notified: new Set() };
	const result = await recipientsInScope.run(scope, work);
	return { result, ...scope };
}

/**
 * Notes that a notification may have been written for `userId` by a statement that names no person itself
 * (`systemNotificationsStatement`): their stream looks again and their push is asked for, as for any other.
 */
export function noteNotified(userId: string): void {
	noteRecipient(userId);
}

function noteRecipient(userId: string): void {
	const scope = recipientsInScope.getStore();
	scope?.recipients.add(userId);
	scope?.notified.add(userId);
}

/**
 * Asks that `userId`'s live stream look again once the work in scope has succeeded, for a change no
 * notification statement was built for: their notifications were marked read (other devices update their
 * count), or their standing changed (a suspension: the stream reads it and closes). Nothing is pushed for it.
 * Outside a scope, nothing.
 */
export function announceLater(userId: string): void {
	recipientsInScope.getStore()?.recipients.add(userId);
}

/** The statements of several events (those that can never apply are left out). */
export function notificationStatements(db: Db, events: readonly NotificationEvent[], now = new Date()) {
	return events
		.map((event) => notificationStatement(db, event, now))
		.filter((statement) => statement !== null);
}

/**
 * One statement that writes the same notification to many people at once (a fan-out): `recipients` is a
 * SELECT of user ids named `id`. The same rules apply per person (not the actor, not deleted, no block with the actor,
 * the type not turned off), and one row per person and `group_key`, so a redelivered fan-out writes nothing
 * twice. Answers the people it wrote to (for their live streams).
 */
export function fanOutNotificationsStatement(
	db: Db,
	event: Omit<NotificationEvent, "recipientId" | "when" | "actorCount"> & { recipients: SQL },
	now = new Date(),
) {
	const at = now.toISOString();
	const { actorId: actor } = event;
	// Columns in the table's order (db/tables/notifications).
	return db.all<{ user_id: string }>(sql`
		INSERT INTO ${notifications}
		SELECT ${sql.raw(SQL_UUID)}, recipient.id, ${event.type}, ${event.subject.type}, ${event.subject.id},
			${event.groupKey}, ${JSON.stringify(actor === null ? [] : [actor])}, ${actor === null ? 0 : 1},
			${JSON.stringify(event.data ?? {})}, ${at}, ${at}, NULL
		FROM (${event.recipients}) AS recipient
		WHERE ${actor === null ? sql`1` : sql`recipient.id <> ${actor} AND ${notBlocked(sql`recipient.id`, actor)}`}
			AND EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = recipient.id AND ${users.deletedAt} IS NULL)
			AND NOT EXISTS (SELECT 1 FROM ${notificationPreferences} WHERE ${notificationPreferences.userId} = recipient.id
				AND ${notificationPreferences.type} = ${event.type} AND ${notificationPreferences.inApp} = 0)
			AND ${spiritualAllowed(event, sql`recipient.id`) ?? sql`1`}
		ON CONFLICT (user_id, group_key) DO NOTHING
		RETURNING user_id`);
}

/**
 * One statement that writes many notifications of one type, each to its own person about its own subject,
 * with no actor: the system telling people something at a set time (habit reminders, from the cron). `rows`
 * is a SELECT naming, per notification, `id` (the new row's), `recipient_id`, `subject_id`, `group_key` and
 * `data` (JSON text); the feature's own conditions go in it. The rules of a notification without an actor
 * apply per row (not to a deleted account, not a type the person turned off), one row per person and
 * `group_key`, so a repeated run writes nothing twice. Answers the notifications it wrote.
 */
export function systemNotificationsStatement(
	db: Db,
	event: { type: NotificationType; subjectType: NotificationSubjectType; rows: SQL },
	now = new Date(),
) {
	const at = now.toISOString();
	// A query builder, not `db.all(sql)`, so that it can join a D1 batch. Columns in the table's order (db/tables/
	// notifications): id, user_id, type, subject_type, subject_id, group_key, actor_ids, actor_count, data,
	// created_at, updated_at, read_at.
	return db
		.insert(notifications)
		.select(sql`
			SELECT r.id, r.recipient_id, ${event.type}, ${event.subjectType}, r.subject_id, r.group_key, '[]', 0, r.data,
				${at}, ${at}, NULL
			FROM (${event.rows}) AS r
			WHERE EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = r.recipient_id AND ${users.deletedAt} IS NULL)
				AND NOT EXISTS (SELECT 1 FROM ${notificationPreferences}
					WHERE ${notificationPreferences.userId} = r.recipient_id AND ${notificationPreferences.type} = ${event.type}
					AND ${notificationPreferences.inApp} = 0)`)
		.onConflictDoNothing()
		.returning({ id: notifications.id, userId: notifications.userId, subjectId: notifications.subjectId });
}

/** A random UUID (version 4) in SQL: one per row of a set-based insert. */
const SQL_UUID = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;

// ---------------------------------------------------------------- reading (the list and the live stream)

/** The unread count: one read of the partial index of unread notifications. */
export function unreadCountQuery(db: Db, userId: string) {
	return db
		.select({ count: sql<number>`count(*)` })
		.from(notifications)
		.where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
}

/**
 * My notifications that changed at or after `since` (or after the position `after`), oldest change first:
 * one range read of `notifications_user_updated_idx`. The live stream reads with this.
 */
export function notificationsChangedQuery(
	db: Db,
	userId: string,
	from: { since: string } | { after: { at: string; id: string } },
	limit: number,
) {
	const range =
		"since" in from
			? sql`${notifications.updatedAt} >= ${from.since}`
			: afterCursor("asc", [notifications.updatedAt, from.after.at], [notifications.id, from.after.id]);
	return db
		.select()
		.from(notifications)
		.where(and(eq(notifications.userId, userId), range))
		.orderBy(asc(notifications.updatedAt), asc(notifications.id))
		.limit(limit);
}

const actorColumns = {
	id: users.id,
	displayName: users.displayName,
	avatarUrl: users.avatarUrl,
	trustLevel: users.trustLevel,
};

type ActorRow = { id: string; displayName: string; avatarUrl: string | null; trustLevel: string };

export const actorMap = (found: readonly ActorRow[]): Map<string, ActorView> =>
	new Map(
		found.map((user) => [
			user.id,
			{
				id: user.id,
				display_name: user.displayName,
				avatar_url: user.avatarUrl,
				trust_level: user.trustLevel,
			},
		]),
	);

/** The profiles of the actors of some notifications (deleted accounts are no person any more). */
export async function actorProfiles(
	db: Db,
	rows: readonly NotificationRow[],
): Promise<Map<string, ActorView>> {
	const ids = [...new Set(rows.flatMap((row) => row.actorIds))];
	if (ids.length === 0) return new Map();
	const found = await db
		.select(actorColumns)
		.from(users)
		.where(
			and(sql`${users.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`, isNull(users.deletedAt)),
		);
	return actorMap(found);
}

/**
 * The actors of the notifications a page query selects, asked in the page's own batch (a batch is one
 * transaction: the subquery finds the page's very rows), so a list is one D1 wait, not the page and then
 * its people. Read the answer with `actorMap`.
 */
export const pageActorsQuery = (db: Db, page: SQLWrapper) =>
	db
		.select(actorColumns)
		.from(users)
		.where(
			and(
				sql`${users.id} IN (SELECT actor.value FROM ${page} AS shown, json_each(shown.actor_ids) AS actor)`,
				isNull(users.deletedAt),
			),
		);

// ---------------------------------------------------------------- presentation

/** A person shown on a notification. */
export interface ActorView {
	id: string;
	display_name: string;
	avatar_url: string | null;
	trust_level: string;
}

export interface NotificationView {
	id: string;
	type: NotificationType;
	created_at: string;
	updated_at: string;
	read_at: string | null;
	actors: ActorView[];
	actor_count: number;
	subject: { type: NotificationSubjectType; id: string };
	text: string;
}

/**
 * The sentence of a notification, as a UI can show it. `actors` are the ones that still exist (a deleted
 * account is no person any more: never its old name).
 */
export function notificationText(row: NotificationRow, actors: readonly ActorView[]): string {
	const [first] = actors;
	const others = Math.max(row.actorCount - 1, 0);
	const who = first
		? others > 0
			? `${first.display_name} and ${others} other${others === 1 ? "" : "s"}`
			: first.display_name
		: row.actorCount > 1
			? `${row.actorCount} people`
			: "Someone";
	const data = row.data as Record<string, string | undefined>;
	switch (row.type) {
		case "comment":
			return `${who} commented on your post.`;
		case "reply":
			return `${who} replied to your comment.`;
		case "reaction":
			return `${who} reacted to your ${row.subjectType === "comment" ? "comment" : "post"}.`;
		case "connection_request":
			return `${who} asked to connect with you.`;
		case "connection_accepted":
			return `${who} accepted your connection request.`;
		case "mentorship_request":
			return `${who} asked you to be their guide.`;
		case "mentorship_update":
			return `Your mentorship was ${data.status ?? "updated"}.`;
		case "group_invitation":
			return `${who} invited you to join ${data.name ? `“${data.name}”` : "a group"}.`;
		case "group_join_request":
			return `${who} asked to join ${data.name ? `“${data.name}”` : "your group"}.`;
		case "event_updated":
			return `${data.title ? `“${data.title}”` : "An event you are going to"} has changed.`;
		case "event_cancelled":
			return `${data.title ? `“${data.title}”` : "An event you were going to"} was cancelled.`;
		case "waitlist_promoted":
			return `A place opened up: you are going to ${data.title ? `“${data.title}”` : "the event"}.`;
		case "project_invitation":
			return `${who} invited you to ${data.title ? `“${data.title}”` : "a project"}.`;
		case "content_moderated":
			return `Your ${data.content ?? "content"} was ${data.status ?? "reviewed"} by the moderators.`;
		case "appeal_decided":
			return `Your appeal was ${data.status ?? "decided"}.`;
		case "account_status":
			return data.status === "lifted" ? "Your suspension was lifted." : "Your account was suspended.";
		case "trust_level":
			return `Your trust level is now ${data.level ?? "changed"}.`;
		case "application_decided":
			return `Your ${data.kind === "guide" ? "guide" : "trust level"} application was ${data.status ?? "decided"}.`;
		case "guardian_alert":
			return "Someone may be at risk: an urgent item is in the moderation queue.";
		case "habit_reminder":
			return data.name ? `Time for “${data.name}”.` : "Time for your habit.";
		case "event_reminder":
			return `${data.title ? `“${data.title}”` : "An event you are going to"} starts in ${data.lead === "1h" ? "1 hour" : "24 hours"}.`;
	}
}

/** A notification row as the API shows it, with the actors that still exist. */
export function presentNotification(
	row: NotificationRow,
	profiles: ReadonlyMap<string, ActorView>,
): NotificationView {
	const actors = row.actorIds.flatMap((id) => {
		const profile = profiles.get(id);
		return profile ? [profile] : [];
	});
	return {
		id: row.id,
		type: row.type,
		created_at: row.createdAt,
		updated_at: row.updatedAt,
		read_at: row.readAt,
		actors,
		actor_count: row.actorCount,
		subject: { type: row.subjectType, id: row.subjectId },
		text: notificationText(row, actors),
	};
}
