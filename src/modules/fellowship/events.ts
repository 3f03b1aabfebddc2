/**
 * @module fellowship/events: group events and their RSVPs.
 *
 * The event's EventRsvp Durable Object is the authority on RSVPs; D1 holds its mirror (`event_rsvps`, the
 * counts on `group_events`), so lists read D1 only. One event's detail and every RSVP change go to the
 * object. Event states: `scheduled`, `cancelled` (final), `completed` (derived once `ends_at` has passed).
 */
import { and, asc, desc, eq, gt, inArray, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type {
	RsvpChoice,
	RsvpCounts,
	RsvpSnapshot,
	SetRsvpResult,
} from "../../../durable-objects/rsvp-contract";
import { type CurrentUser, isGuardian } from "../../core/accounts/current-user";
import { type AuthorView, authorFromJson, authorJsonOf, toAuthor } from "../../core/authors";
import { notBlockedWith } from "../../core/blocks";
import { fanOutStatement } from "../../core/fan-outs";
import { auditStatement } from "../../core/moderation/audit";
import { queueItemForContent } from "../../core/moderation/queue";
import { PUBLICLY_VISIBLE_STATUSES, screenText } from "../../core/moderation/screen";
import type { Db } from "../../db/client";
import {
	type EventRsvpRow,
	eventRsvps,
	type GroupEventRow,
	groupEventContent,
	groupEvents,
} from "../../db/tables/fellowship";
import { users } from "../../db/tables/users";
import type { Bindings } from "../../env";
import { DAY_MS } from "../../lib/durations";
import { newId } from "../../lib/ids";
import { logEvent } from "../../lib/log";
import { decodeCursor, toPage } from "../../lib/pagination";
import { conflict, type FieldError, forbidden, notFound, Problem, unprocessable } from "../../lib/problem";
import {
	type GroupAccess,
	holdsManagerRole,
	isActive,
	isPubliclyVisible,
	loadGroup,
	requireContentAccess,
	requireManager,
} from "./access";
import { callRsvpObject, rsvpObject, termsOf } from "./rsvp-client";
import { MAX_EVENT_DAYS, MAX_EVENT_LEAD_DAYS } from "./schemas";

const VISIBLE = [...PUBLICLY_VISIBLE_STATUSES];

export interface EventAccess extends GroupAccess {
	event: GroupEventRow;
	/** The event creator's public profile, read with the event (`creator` is the group's). */
	eventCreator: AuthorView | null;
}

/** The event creator's public profile, a column of any query over events (core/authors). */
export const eventCreator = (db: Db, viewer: CurrentUser) =>
	authorJsonOf(db, groupEvents.createdBy, "event_creator", viewer.id);

type MyRsvpView = { status: EventRsvpRow["status"]; waitlistPosition: number | null } | null;

/** `completed` once the event has ended; `cancelled` is final. */
export function eventStatus(event: GroupEventRow, now = new Date()): GroupEventRow["status"] {
	if (event.status === "cancelled") return "cancelled";
	return event.endsAt <= now.toISOString() ? "completed" : event.status;
}

const countsOf = (counts: Omit<RsvpCounts, "notGoing">) => ({
	going: counts.going,
	maybe: counts.maybe,
	waitlisted: counts.waitlisted,
	capacity: counts.capacity,
	spots_left: counts.capacity === null ? null : Math.max(0, counts.capacity - counts.going),
});

export const mirroredCounts = (event: GroupEventRow) =>
	countsOf({
		going: event.goingCount,
		maybe: event.maybeCount,
		waitlisted: event.waitlistCount,
		capacity: event.capacity,
	});

export function presentEvent(
	event: GroupEventRow,
	creator: AuthorView | null,
	counts: ReturnType<typeof countsOf>,
	mine: MyRsvpView,
	now = new Date(),
) {
	return {
		id: event.id,
		group_id: event.groupId,
		title: event.title,
		description: event.description,
		event_type: event.eventType,
		starts_at: event.startsAt,
		ends_at: event.endsAt,
		timezone: event.timezone,
		location: event.location,
		url: event.url,
		capacity: event.capacity,
		status: eventStatus(event, now),
		cancelled_at: event.cancelledAt,
		created_by: creator,
		created_at: event.createdAt,
		updated_at: event.updatedAt,
		rsvp_counts: counts,
		my_rsvp: mine ? { status: mine.status, waitlist_position: mine.waitlistPosition } : null,
		pending_review: !isPubliclyVisible(event.moderationStatus),
	};
}

const fromSnapshot = (snapshot: RsvpSnapshot): { counts: ReturnType<typeof countsOf>; mine: MyRsvpView } => ({
	counts: countsOf(snapshot.counts),
	mine: snapshot.mine.status
		? { status: snapshot.mine.status, waitlistPosition: snapshot.mine.waitlistPosition }
		: null,
});

const mayManage = (access: GroupAccess) =>
	holdsManagerRole(access.membership) || (access.viewer !== undefined && isGuardian(access.viewer));

/** The event, its group and the caller's membership; 404 when the caller may not know it, 403 for content. */
export async function loadEvent(db: Db, viewer: CurrentUser, eventId: string): Promise<EventAccess> {
	const row = await db
		.select({ event: groupEvents, creator: eventCreator(db, viewer) })
		.from(groupEvents)
		.where(eq(groupEvents.id, eventId))
		.get();
	if (!row) throw notFound("event");
	const { event } = row;
	let access: GroupAccess;
	try {
		access = await loadGroup(db, viewer, event.groupId);
	} catch (error) {
		if (error instanceof Problem && error.status === 404) throw notFound("event");
		throw error;
	}
	requireContentAccess(access);
	if (!isPubliclyVisible(event.moderationStatus) && !mayManage(access) && event.createdBy !== viewer.id) {
		throw notFound("event");
	}
	return { ...access, event, eventCreator: authorFromJson(row.creator) };
}

// ─── validation of times and places ──────────────────────────────────────────────────────────────

interface EventShape {
	event_type: GroupEventRow["eventType"];
	starts_at: string;
	ends_at: string;
	location: string | null;
	url: string | null;
}

function eventProblems(shape: EventShape, startsChanged: boolean, now: Date): FieldError[] {
	const errors: FieldError[] = [];
	const starts = Date.parse(shape.starts_at);
	const ends = Date.parse(shape.ends_at);
	if (startsChanged && starts <= now.getTime())
		errors.push({ field: "body/starts_at", message: "must be in the future" });
	if (starts > now.getTime() + MAX_EVENT_LEAD_DAYS * DAY_MS)
		errors.push({ field: "body/starts_at", message: `must be within ${MAX_EVENT_LEAD_DAYS} days` });
	if (ends <= starts) errors.push({ field: "body/ends_at", message: "must be after starts_at" });
	else if (ends - starts > MAX_EVENT_DAYS * DAY_MS)
		errors.push({ field: "body/ends_at", message: `an event lasts at most ${MAX_EVENT_DAYS} days` });
	if (ends <= now.getTime()) errors.push({ field: "body/ends_at", message: "must be in the future" });
	const needsPlace = shape.event_type !== "online";
	const needsUrl = shape.event_type !== "in_person";
	if (needsPlace && !shape.location)
		errors.push({ field: "body/location", message: `required for ${shape.event_type} events` });
	if (needsUrl && !shape.url)
		errors.push({ field: "body/url", message: `required for ${shape.event_type} events` });
	return errors;
}

function requireValidShape(shape: EventShape, startsChanged: boolean, now: Date): void {
	const errors = eventProblems(shape, startsChanged, now);
	if (errors.length > 0) throw unprocessable("The event's time or place is invalid.", errors);
}

const moderationText = (event: { title: string; description: string }) =>
	event.description ? `${event.title}\n\n${event.description}` : event.title;

// ─── create, read, list, edit, cancel ────────────────────────────────────────────────────────────

export interface EventInput {
	title: string;
	description: string;
	event_type: GroupEventRow["eventType"];
	starts_at: string;
	ends_at: string;
	timezone: string;
	location: string | null;
	url: string | null;
	capacity: number | null;
}

export async function createEvent(
	db: Db,
	env: Bindings,
	user: CurrentUser,
	groupId: string,
	input: EventInput,
) {
	const access = await loadGroup(db, user, groupId);
	requireManager(access, "create events");
	const now = new Date();
	requireValidShape(input, true, now);
	const screening = await screenText(env, moderationText(input));
	const id = newId();
	const values = {
		id,
		groupId,
		createdBy: user.id,
		title: input.title,
		description: input.description,
		eventType: input.event_type,
		startsAt: input.starts_at,
		endsAt: input.ends_at,
		timezone: input.timezone,
		location: input.location,
		url: input.url,
		capacity: input.capacity,
		moderationStatus: screening.status,
		toxicityScore: screening.toxicity,
	};
	const queued = queueItemForContent(db, groupEventContent, values, screening);
	const [[event]] = await db.batch([
		db.insert(groupEvents).values(values).returning(),
		...(queued ? [queued] : []),
	]);
	if (!event) throw new Error("event insert returned nothing");
	return presentEvent(event, toAuthor(user), mirroredCounts(event), null, now);
}

export async function getEvent(db: Db, env: Bindings, user: CurrentUser, eventId: string) {
	const { event, eventCreator: creator } = await loadEvent(db, user, eventId);
	try {
		const snapshot = await rsvpObject(env, eventId).snapshot(termsOf(event), user.id);
		const { counts, mine } = fromSnapshot(snapshot);
		return presentEvent(event, creator, counts, mine);
	} catch (error) {
		// The object is the authority, but its D1 mirror is a fine answer while it is unreachable.
		logEvent("warn", "rsvp_snapshot_fallback", {
			event_id: eventId,
			error: error instanceof Error ? error.message : String(error),
		});
		const mine = await db
			.select()
			.from(eventRsvps)
			.where(and(eq(eventRsvps.eventId, eventId), eq(eventRsvps.userId, user.id)))
			.get();
		return presentEvent(event, creator, mirroredCounts(event), mine ?? null);
	}
}

export interface EventListOptions {
	past: boolean;
	limit: number;
	cursor?: string | undefined;
}

const EventCursor = z.object({ s: z.string().max(40), id: z.string().max(64) });

/**
 * Upcoming (not yet ended, soonest first) or past (ended, latest first) events, with mirrored counts and
 * my mirrored RSVP. Upcoming steps over at most MAX_EVENT_DAYS of earlier starts, which bounds the scan.
 */
export async function listEvents(db: Db, user: CurrentUser, groupId: string, options: EventListOptions) {
	const access = await loadGroup(db, user, groupId);
	requireContentAccess(access);
	const now = new Date();
	const nowIso = now.toISOString();
	const after = decodeCursor(options.cursor, EventCursor);
	const e = groupEvents;
	const filters: (SQL | undefined)[] = [eq(e.groupId, groupId)];
	if (!mayManage(access)) filters.push(or(inArray(e.moderationStatus, VISIBLE), eq(e.createdBy, user.id)));
	if (options.past) {
		filters.push(lte(e.startsAt, nowIso), lte(e.endsAt, nowIso));
		if (after) filters.push(sql`(${e.startsAt}, ${e.id}) < (${after.s}, ${after.id})`);
	} else {
		const earliestStart = new Date(now.getTime() - MAX_EVENT_DAYS * DAY_MS).toISOString();
		filters.push(gt(e.startsAt, earliestStart), gt(e.endsAt, nowIso));
		if (after) filters.push(sql`(${e.startsAt}, ${e.id}) > (${after.s}, ${after.id})`);
	}
	const order = options.past ? [desc(e.startsAt), desc(e.id)] : [asc(e.startsAt), asc(e.id)];
	const rows = await db
		.select({ event: e, creator: eventCreator(db, user), mine: eventRsvps })
		.from(e)
		.leftJoin(eventRsvps, and(eq(eventRsvps.eventId, e.id), eq(eventRsvps.userId, user.id)))
		.where(and(...filters))
		.orderBy(...order)
		.limit(options.limit + 1);
	return toPage(
		rows,
		options.limit,
		(row) => ({ s: row.event.startsAt, id: row.event.id }),
		(row) => presentEvent(row.event, authorFromJson(row.creator), mirroredCounts(row.event), row.mine, now),
	);
}

export type EventChanges = Partial<EventInput>;

function requireOpen(event: GroupEventRow, now: Date): void {
	const status = eventStatus(event, now);
	if (status === "cancelled") throw conflict("This event is cancelled; cancelled is final.");
	if (status === "completed") throw conflict("This event is over.");
}

/** Tells the object about new terms. The edit is already saved: on failure the next call brings them. */
async function pushTerms(env: Bindings, event: GroupEventRow): Promise<RsvpCounts | undefined> {
	try {
		return await rsvpObject(env, event.id).updateTerms(termsOf(event));
	} catch (error) {
		logEvent("warn", "rsvp_terms_push_failed", {
			event_id: event.id,
			error: error instanceof Error ? error.message : String(error),
		});
		return undefined;
	}
}

export async function updateEvent(
	db: Db,
	env: Bindings,
	user: CurrentUser,
	eventId: string,
	changes: EventChanges,
) {
	const access = await loadEvent(db, user, eventId);
	const { asGuardian } = requireManager(access, "edit events");
	const { event } = access;
	const now = new Date();
	requireOpen(event, now);
	const merged = {
		title: changes.title ?? event.title,
		description: changes.description ?? event.description,
		event_type: changes.event_type ?? event.eventType,
		starts_at: changes.starts_at ?? event.startsAt,
		ends_at: changes.ends_at ?? event.endsAt,
		location: changes.location !== undefined ? changes.location : event.location,
		url: changes.url !== undefined ? changes.url : event.url,
	};
	const startsChanged = merged.starts_at !== event.startsAt;
	const timesChanged = startsChanged || merged.ends_at !== event.endsAt;
	if (timesChanged || changes.event_type || changes.location !== undefined || changes.url !== undefined) {
		const errors = eventProblems(merged, startsChanged, now).filter(
			// Unchanged times of a running event are fine; only what the edit touches is checked.
			(error) => timesChanged || !error.field.endsWith("_at"),
		);
		if (errors.length > 0) throw unprocessable("The event's time or place is invalid.", errors);
	}
	const textChanged = merged.title !== event.title || merged.description !== event.description;
	const screening = textChanged ? await screenText(env, moderationText(merged)) : undefined;
	const keepStatus = !isPubliclyVisible(event.moderationStatus);
	const queued = screening
		? queueItemForContent(
				db,
				groupEventContent,
				{
					...event,
					title: merged.title,
					description: merged.description,
					eventType: merged.event_type,
					startsAt: merged.starts_at,
					endsAt: merged.ends_at,
					location: merged.location,
					url: merged.url,
				},
				screening,
			)
		: null;
	const [[updated]] = await db.batch([
		db
			.update(groupEvents)
			.set({
				title: merged.title,
				description: merged.description,
				eventType: merged.event_type,
				startsAt: merged.starts_at,
				endsAt: merged.ends_at,
				location: merged.location,
				url: merged.url,
				...(changes.timezone !== undefined ? { timezone: changes.timezone } : {}),
				...(changes.capacity !== undefined ? { capacity: changes.capacity } : {}),
				...(screening && !keepStatus
					? { moderationStatus: screening.status, toxicityScore: screening.toxicity }
					: {}),
				version: sql`${groupEvents.version} + 1`,
			})
			.where(
				and(
					eq(groupEvents.id, event.id),
					eq(groupEvents.version, event.version),
					eq(groupEvents.status, "scheduled"),
				),
			)
			.returning(),
		...(queued ? [queued] : []),
		...(asGuardian ? [auditEdit(db, user, event, { fields: Object.keys(changes) })] : []),
		// Everyone going or waiting is told, once this edit is the one that applied (a fan-out: there may be
		// hundreds; notifications/fan-out writes them).
		fanOutStatement(db, {
			kind: "event_updated",
			subjectId: event.id,
			actorId: user.id,
			dedupeKey: `event_updated:${event.id}:${event.version + 1}`,
			data: { title: merged.title },
			when: sql`EXISTS (SELECT 1 FROM ${groupEvents} WHERE ${groupEvents.id} = ${event.id}
				AND ${groupEvents.version} = ${event.version + 1})`,
		}),
	]);
	if (!updated) throw conflict("The event changed meanwhile; reload it and try again.");
	const counts = await pushTerms(env, updated);
	return presentEvent(
		updated,
		access.eventCreator,
		counts ? countsOf(counts) : mirroredCounts(updated),
		null,
		now,
	);
}

const auditEdit = (db: Db, user: CurrentUser, event: GroupEventRow, details: Record<string, unknown>) =>
	auditStatement(db, {
		actorId: user.id,
		action: "edit_content",
		targetType: "group_event",
		targetId: event.id,
		targetUserId: event.createdBy,
		details,
	});

export async function cancelEvent(db: Db, env: Bindings, user: CurrentUser, eventId: string) {
	const access = await loadEvent(db, user, eventId);
	const { asGuardian } = requireManager(access, "cancel events");
	const { event } = access;
	const now = new Date();
	requireOpen(event, now);
	const [[cancelled]] = await db.batch([
		db
			.update(groupEvents)
			.set({ status: "cancelled", cancelledAt: now.toISOString(), version: sql`${groupEvents.version} + 1` })
			.where(and(eq(groupEvents.id, event.id), eq(groupEvents.status, "scheduled")))
			.returning(),
		...(asGuardian ? [auditEdit(db, user, event, { cancelled: true })] : []),
		// Everyone going or waiting is told (a fan-out; one per event, however often a cancel is retried).
		fanOutStatement(db, {
			kind: "event_cancelled",
			subjectId: event.id,
			actorId: user.id,
			dedupeKey: `event_cancelled:${event.id}`,
			data: { title: event.title },
		}),
	]);
	if (!cancelled) throw conflict("This event is cancelled; cancelled is final.");
	const counts = await pushTerms(env, cancelled);
	return presentEvent(
		cancelled,
		access.eventCreator,
		counts ? countsOf(counts) : mirroredCounts(cancelled),
		null,
		now,
	);
}

// ─── RSVPs ────────────────────────────────────────────────────────────────────────────────────────

/** Sets my RSVP through the event's Durable Object. Only active members; not for cancelled or past events. */
export async function setRsvp(db: Db, env: Bindings, user: CurrentUser, eventId: string, choice: RsvpChoice) {
	const access = await loadEvent(db, user, eventId);
	if (!isActive(access.membership)) throw forbidden("Only active members of the group can RSVP.");
	const { event } = access;
	requireOpen(event, new Date());
	const result: SetRsvpResult = await callRsvpObject(
		"setRsvp",
		eventId,
		async () => (await rsvpObject(env, eventId).setRsvp(termsOf(event), user.id, choice)) as SetRsvpResult,
	);
	if (!result.ok) {
		throw conflict(result.reason === "cancelled" ? "This event is cancelled." : "This event is over.");
	}
	return {
		event_id: eventId,
		status: result.mine.status ?? choice,
		waitlist_position: result.mine.waitlistPosition,
		counts: countsOf(result.counts),
	};
}

export interface AttendeeListOptions {
	status: EventRsvpRow["status"];
	limit: number;
	cursor?: string | undefined;
}

const AttendeeCursor = z.object({ p: z.number().int().nullable(), id: z.string().max(64) });

/** Attendees by status from the D1 mirror: the waitlist in FIFO order, the others in RSVP order. */
export async function listAttendees(
	db: Db,
	user: CurrentUser,
	eventId: string,
	options: AttendeeListOptions,
) {
	await loadEvent(db, user, eventId);
	const r = eventRsvps;
	const after = decodeCursor(options.cursor, AttendeeCursor);
	const waitlist = options.status === "waitlisted";
	const position = waitlist ? [] : [isNull(r.waitlistPosition)];
	const afterKey = after
		? waitlist
			? [sql`(${r.waitlistPosition}, ${r.id}) > (${after.p ?? 0}, ${after.id})`]
			: [gt(r.id, after.id)]
		: [];
	const rows = await db
		.select({ rsvp: r, user: { id: users.id, displayName: users.displayName, avatarUrl: users.avatarUrl } })
		.from(r)
		.innerJoin(users, eq(users.id, r.userId))
		.where(
			and(
				eq(r.eventId, eventId),
				eq(r.status, options.status),
				...position,
				...afterKey,
				isNull(users.deletedAt),
				notBlockedWith(db, user.id, r.userId),
			),
		)
		.orderBy(asc(r.waitlistPosition), asc(r.id))
		.limit(options.limit + 1);
	return toPage(
		rows,
		options.limit,
		(row) => ({ p: row.rsvp.waitlistPosition, id: row.rsvp.id }),
		(row) => ({
			user: { id: row.user.id, display_name: row.user.displayName, avatar_url: row.user.avatarUrl },
			status: row.rsvp.status,
			waitlist_position: row.rsvp.waitlistPosition,
			updated_at: row.rsvp.updatedAt,
		}),
	);
}

/**
 * A member left, was removed or banned: they stop going (or waiting) to the group's upcoming events, and
 * each freed seat goes to the head of that event's waitlist in the same step of its object.
 */
export async function withdrawFromUpcomingEvents(
	db: Db,
	env: Bindings,
	groupId: string,
	userId: string,
): Promise<void> {
	const rows = await db
		.select({ event: groupEvents })
		.from(eventRsvps)
		.innerJoin(groupEvents, eq(groupEvents.id, eventRsvps.eventId))
		.where(
			and(
				eq(eventRsvps.userId, userId),
				inArray(eventRsvps.status, ["going", "waitlisted", "maybe"]),
				eq(groupEvents.groupId, groupId),
				eq(groupEvents.status, "scheduled"),
				gt(groupEvents.endsAt, new Date().toISOString()),
			),
		);
	const results = await Promise.allSettled(
		rows.map(({ event }) => rsvpObject(env, event.id).withdraw(termsOf(event), userId)),
	);
	results.forEach((result, i) => {
		if (result.status === "rejected") {
			logEvent("error", "rsvp_withdraw_failed", {
				event_id: rows[i]?.event.id,
				error: result.reason instanceof Error ? result.reason.message : String(result.reason),
			});
		}
	});
}
