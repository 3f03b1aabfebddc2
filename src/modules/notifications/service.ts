/**
 * @module notifications/service: my notifications — the list (newest change first, cursor-paged), the unread
 * count (one read of the partial unread index), marking read, and my preferences per type. Notifications
 * are written by the features, through core/notifications.
 */
import { and, desc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { z } from "zod";
import {
	actorMap,
	announceLater,
	DEFAULT_PREFERENCES,
	NOTIFICATION_RETENTION_DAYS,
	type NotificationView,
	pageActorsQuery,
	presentNotification,
	unreadCountQuery,
} from "../../core/notifications";
import type { Db } from "../../db/client";
import { afterCursor } from "../../db/keyset";
import {
	NOTIFICATION_TYPES,
	type NotificationType,
	notificationPreferences,
	notifications,
} from "../../db/tables/notifications";
import { pushQuietHours } from "../../db/tables/push";
import { DAY_MS } from "../../lib/durations";
import { decodeCursor, encodeCursor } from "../../lib/pagination";
import type { QuietHours } from "../push";

const Cursor = z.object({ at: z.string(), id: z.string() });

export async function unreadCount(db: Db, userId: string): Promise<number> {
	return Number((await unreadCountQuery(db, userId).get())?.count ?? 0);
}

export interface ListQuery {
	limit: number;
	cursor?: string | undefined;
	unread?: boolean | undefined;
}

/** A page of my notifications, newest change first, with the unread count (one D1 batch, then the actors). */
export async function listNotifications(db: Db, userId: string, query: ListQuery) {
	const after = decodeCursor(query.cursor, Cursor);
	const page = db
		.select()
		.from(notifications)
		.where(
			and(
				eq(notifications.userId, userId),
				query.unread === true ? isNull(notifications.readAt) : undefined,
				query.unread === false ? sql`${notifications.readAt} IS NOT NULL` : undefined,
				after
					? afterCursor("desc", [notifications.updatedAt, after.at], [notifications.id, after.id])
					: undefined,
			),
		)
		.orderBy(desc(notifications.updatedAt), desc(notifications.id))
		.limit(query.limit + 1);
	// The page, its count and its people in one batch: one D1 wait.
	const [rows, [count], actors] = await db.batch([
		page,
		unreadCountQuery(db, userId),
		pageActorsQuery(db, page),
	]);
	const shown = rows.slice(0, query.limit);
	const profiles = actorMap(actors);
	const last = shown.at(-1);
	return {
		data: shown.map((row): NotificationView => presentNotification(row, profiles)),
		next_cursor: rows.length > query.limit && last ? encodeCursor({ at: last.updatedAt, id: last.id }) : null,
		unread_count: Number(count?.count ?? 0),
	};
}

/**
 * Marks some of mine (others' ids are ignored) or all of mine read; answers the unread count after. My live
 * stream is told too, so my other devices get the new count.
 */
export async function markRead(
	db: Db,
	userId: string,
	which: { ids: string[] } | { all: true },
	now: Date,
): Promise<number> {
	const mine = and(
		eq(notifications.userId, userId),
		isNull(notifications.readAt),
		"ids" in which ? inArray(notifications.id, which.ids) : undefined,
	);
	const [, [count]] = await db.batch([
		db.update(notifications).set({ readAt: now.toISOString() }).where(mine),
		unreadCountQuery(db, userId),
	]);
	announceLater(userId);
	return Number(count?.count ?? 0);
}

export type Preferences = Record<NotificationType, { in_app: boolean; push: boolean }>;

type PreferenceRow = typeof notificationPreferences.$inferSelect;

/** My stored settings. */
const preferenceRowsQuery = (db: Db, userId: string) =>
	db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId));

/** Every type's setting from my stored rows (its default where there is none). */
function preferencesFrom(rows: readonly PreferenceRow[]): Preferences {
	const types = structuredClone(DEFAULT_PREFERENCES);
	for (const row of rows) {
		if ((NOTIFICATION_TYPES as readonly string[]).includes(row.type)) {
			types[row.type] = { in_app: row.inApp, push: row.push };
		}
	}
	return types;
}

/** My quiet hours (null: none). */
const quietHoursQuery = (db: Db, userId: string) =>
	db
		.select({ start: pushQuietHours.start, end: pushQuietHours.end })
		.from(pushQuietHours)
		.where(eq(pushQuietHours.userId, userId));

export interface PreferencesView {
	types: Preferences;
	quiet_hours: QuietHours | null;
}

/** Every type with my setting (its default where I changed nothing), and my quiet hours. */
export async function preferencesOf(db: Db, userId: string): Promise<PreferencesView> {
	const [rows, [quiet]] = await db.batch([preferenceRowsQuery(db, userId), quietHoursQuery(db, userId)]);
	return { types: preferencesFrom(rows), quiet_hours: quiet ?? null };
}

export interface PreferencesChange {
	types?:
		| Partial<Record<NotificationType, { in_app?: boolean | undefined; push?: boolean | undefined }>>
		| undefined;
	/** Null ends my quiet hours; absent leaves them. */
	quiet_hours?: QuietHours | null | undefined;
}

/**
 * Changes some types, keeping the rest, and/or my quiet hours, and answers all my preferences: one D1 batch
 * (each type's change an upsert that sets only what it names, a new row starting from the type's defaults;
 * the quiet hours set or deleted; then everything read back).
 */
export async function updatePreferences(
	db: Db,
	userId: string,
	change: PreferencesChange,
	now: Date,
): Promise<PreferencesView> {
	const at = now.toISOString();
	const statements: BatchItem<"sqlite">[] = Object.entries(change.types ?? {}).flatMap(
		([key, typeChange]) => {
			const type = key as NotificationType;
			if (!typeChange || (typeChange.in_app === undefined && typeChange.push === undefined)) return [];
			const initial = { ...DEFAULT_PREFERENCES[type], ...stripUndefined(typeChange) };
			return [
				db
					.insert(notificationPreferences)
					.values({ userId, type, inApp: initial.in_app, push: initial.push, updatedAt: at })
					.onConflictDoUpdate({
						target: [notificationPreferences.userId, notificationPreferences.type],
						set: {
							...(typeChange.in_app !== undefined ? { inApp: typeChange.in_app } : {}),
							...(typeChange.push !== undefined ? { push: typeChange.push } : {}),
							updatedAt: at,
						},
					}),
			];
		},
	);
	const quiet = change.quiet_hours;
	if (quiet === null) statements.push(db.delete(pushQuietHours).where(eq(pushQuietHours.userId, userId)));
	if (quiet) {
		statements.push(
			db
				.insert(pushQuietHours)
				.values({ userId, start: quiet.start, end: quiet.end, updatedAt: at })
				.onConflictDoUpdate({
					target: pushQuietHours.userId,
					set: { start: quiet.start, end: quiet.end, updatedAt: at },
				}),
		);
	}
	// The reads come last in the batch, so they see the changes.
	const [first, ...rest] = statements;
	if (!first) return preferencesOf(db, userId);
	const results = await db.batch([
		first,
		...rest,
		preferenceRowsQuery(db, userId),
		quietHoursQuery(db, userId),
	]);
	const rows = results.at(-2) as PreferenceRow[];
	const [quietRow] = results.at(-1) as QuietHours[];
	return { types: preferencesFrom(rows), quiet_hours: quietRow ?? null };
}

const stripUndefined = <T extends object>(value: T) =>
	Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
		[K in keyof T]-?: Exclude<T[K], undefined>;
	};

/** The cron: notifications that have not changed for NOTIFICATION_RETENTION_DAYS are deleted. */
export async function purgeOldNotifications(db: Db, now = new Date()): Promise<void> {
	const before = new Date(now.getTime() - NOTIFICATION_RETENTION_DAYS * DAY_MS).toISOString();
	await db.delete(notifications).where(lt(notifications.updatedAt, before));
}
