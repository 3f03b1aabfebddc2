/**
 * @module fellowship/my-events: the events I am going to or waitlisted for, across all my groups — the list
 * (`GET /users/me/events`) and my calendar feed read the same rows.
 *
 * Only events I may still see: the group exists, I am an active member of it (leaving, removal or a ban
 * ends that, secret groups included), it is not hidden from me by moderation or my spiritual opt-in, and
 * neither is the event. Past events are not upcoming; cancelled ones stay CANCELLED_SHOWN_DAYS after the
 * cancellation (so an app, and a subscribed calendar, learn of it) and then leave the list.
 * The RSVPs come from the D1 mirror of each event's EventRsvp object, which every RSVP change awaits.
 */
import { and, asc, eq, gt, inArray, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { type CurrentUser, isGuardianInSql } from "../../core/accounts/current-user";
import { authorFromJson } from "../../core/authors";
import { PUBLICLY_VISIBLE_STATUSES } from "../../core/moderation/screen";
import { spiritualFilter } from "../../core/spiritual";
import type { Db } from "../../db/client";
import { eventRsvps, fellowshipGroups, groupEvents, groupMembers } from "../../db/tables/fellowship";
import { DAY_MS } from "../../lib/durations";
import { decodeCursor, toPage } from "../../lib/pagination";
import { eventCreator, mirroredCounts, presentEvent } from "./events";

/** A cancelled event stays in my list (status `cancelled`) this long after it was cancelled. */
export const CANCELLED_SHOWN_DAYS = 7;
/** My calendar feed also keeps events that ended this recently, so a subscribed calendar keeps them too. */
export const FEED_PAST_DAYS = 30;
/** The feed's events at most (soonest first): it is one answer, not a paged list. */
export const FEED_MAX_EVENTS = 250;

const MINE = ["going", "waitlisted"] as const;
const VISIBLE = [...PUBLICLY_VISIBLE_STATUSES];
const MANAGER_ROLES = ["owner", "moderator"] as const;

const MyEventCursor = z.object({ s: z.string().max(40), id: z.string().max(64) });

interface Window {
	/** Events that end after this instant. */
	endedAfter: string;
	/** Cancelled events only when cancelled after this instant. */
	cancelledAfter: string;
	after?: { s: string; id: string } | undefined;
	limit: number;
}

/**
 * My going and waitlisted RSVPs' events, soonest first. Served by event_rsvps_user_status_idx: the scan is
 * my RSVPs of those two statuses, past ones included (a person has hundreds, not millions).
 */
function myEventRows(db: Db, viewer: CurrentUser, window: Window) {
	const e = groupEvents;
	const g = fellowshipGroups;
	const m = groupMembers;
	const managesOrGuards = or(inArray(m.role, [...MANAGER_ROLES]), isGuardianInSql(viewer.id));
	const filters: (SQL | undefined)[] = [
		eq(eventRsvps.userId, viewer.id),
		inArray(eventRsvps.status, [...MINE]),
		gt(e.endsAt, window.endedAfter),
		or(ne(e.status, "cancelled"), gt(e.cancelledAt, window.cancelledAfter)),
		isNull(g.deletedAt),
		spiritualFilter(viewer, g.isSpiritual),
		or(inArray(g.moderationStatus, VISIBLE), managesOrGuards),
		or(inArray(e.moderationStatus, VISIBLE), eq(e.createdBy, viewer.id), managesOrGuards),
		window.after ? sql`(${e.startsAt}, ${e.id}) > (${window.after.s}, ${window.after.id})` : undefined,
	];
	return db
		.select({
			event: e,
			creator: eventCreator(db, viewer),
			mine: { status: eventRsvps.status, waitlistPosition: eventRsvps.waitlistPosition },
		})
		.from(eventRsvps)
		.innerJoin(e, eq(e.id, eventRsvps.eventId))
		.innerJoin(g, eq(g.id, e.groupId))
		.innerJoin(m, and(eq(m.groupId, e.groupId), eq(m.userId, viewer.id), eq(m.status, "active")))
		.where(and(...filters))
		.orderBy(asc(e.startsAt), asc(e.id))
		.limit(window.limit);
}

export type MyEventRow = Awaited<ReturnType<typeof myEventRows>>[number];

const cancelledAfter = (now: Date) => new Date(now.getTime() - CANCELLED_SHOWN_DAYS * DAY_MS).toISOString();

export interface MyEventListOptions {
	limit: number;
	cursor?: string | undefined;
}

/** `GET /users/me/events`: upcoming and ongoing events I am going to or waiting for, soonest first. */
export async function listMyEvents(
	db: Db,
	viewer: CurrentUser,
	options: MyEventListOptions,
	now = new Date(),
) {
	const rows = await myEventRows(db, viewer, {
		endedAfter: now.toISOString(),
		cancelledAfter: cancelledAfter(now),
		after: decodeCursor(options.cursor, MyEventCursor),
		limit: options.limit + 1,
	});
	return toPage(
		rows,
		options.limit,
		(row) => ({ s: row.event.startsAt, id: row.event.id }),
		(row) => presentEvent(row.event, authorFromJson(row.creator), mirroredCounts(row.event), row.mine, now),
	);
}

/** My calendar feed's events: those of the list, plus the ones that ended in the last FEED_PAST_DAYS. */
export function myFeedEvents(db: Db, viewer: CurrentUser, now = new Date()): Promise<MyEventRow[]> {
	return myEventRows(db, viewer, {
		endedAfter: new Date(now.getTime() - FEED_PAST_DAYS * DAY_MS).toISOString(),
		cancelledAfter: cancelledAfter(now),
		limit: FEED_MAX_EVENTS,
	});
}
