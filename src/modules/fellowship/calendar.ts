/**
 * @module fellowship/calendar: calendar export (RFC 5545) — one event's `.ics`, and my personal feed of the
 * events I am going to or waiting for, which calendar apps fetch with a private token in the URL (they
 * cannot send a bearer token).
 *
 * The calendar token: 256 random bits, shown once by `POST /users/me/calendar-token`, stored only as its
 * keyed hash (HMAC-SHA256 under the deployment's secret: lib/keyed-hash; a deterministic hash, so a feed
 * request finds its owner in one indexed lookup — a salted slow hash is for guessable secrets, and this
 * one is not). One per person: a rotation replaces it and the old one stops at once. It opens that feed
 * and nothing else; a suspended or deleted account's token opens nothing. Never log a token.
 */
import { and, eq, isNull, lte, or } from "drizzle-orm";
import type { CurrentUser } from "../../core/accounts/current-user";
import type { Db } from "../../db/client";
import { calendarTokens, type EventRsvpRow, type GroupEventRow } from "../../db/tables/fellowship";
import { users } from "../../db/tables/users";
import type { Bindings } from "../../env";
import { type IcsEvent, icsCalendar } from "../../lib/ical";
import { keyedHash } from "../../lib/keyed-hash";
import { eventStatus, loadEvent } from "./events";
import { myFeedEvents } from "./my-events";

/** Subscribed calendars are asked to fetch the feed again after this long. */
export const FEED_REFRESH_MINUTES = 60;
const PROD_ID = "-//Flourish//Fellowship events//EN";
const TOKEN_BYTES = 32;
/** base64url of 32 bytes, no padding: anything else is no token of ours and is never hashed. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const HASH_LABEL = "calendar-token";

// ─── the token ───────────────────────────────────────────────────────────────────────────────────

function newCalendarToken(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
	return btoa(String.fromCharCode(...bytes))
		.replaceAll("+", "-")
		.replaceAll("/", "_")
		.replace(/=+$/, "");
}

const hashOf = (env: Bindings, token: string) => keyedHash(env.SUPPORT_HMAC_SECRET, HASH_LABEL, token);

/** The address of my feed with `token` in it (what a calendar app subscribes to). */
export const feedUrl = (origin: string, token: string) =>
	`${origin}/api/v1/users/me/events.ics?token=${encodeURIComponent(token)}`;

/** A new calendar token for `user`, replacing (and so revoking) the one before. Shown once. */
export async function rotateCalendarToken(
	db: Db,
	env: Bindings,
	user: CurrentUser,
	origin: string,
	now: Date,
) {
	const token = newCalendarToken();
	const tokenHash = await hashOf(env, token);
	const createdAt = now.toISOString();
	await db
		.insert(calendarTokens)
		.values({ userId: user.id, tokenHash, createdAt })
		.onConflictDoUpdate({ target: calendarTokens.userId, set: { tokenHash, createdAt } });
	const https = feedUrl(origin, token);
	return { token, feed_url: https, webcal_url: https.replace(/^https?:/, "webcal:"), created_at: createdAt };
}

/** The person whose feed `token` opens: undefined for an unknown or replaced token, or a suspended or deleted account. */
export async function calendarTokenOwner(
	db: Db,
	env: Bindings,
	token: string,
	now: Date,
): Promise<CurrentUser | undefined> {
	if (!TOKEN_PATTERN.test(token)) return undefined;
	const tokenHash = await hashOf(env, token);
	const row = await db
		.select({ user: users })
		.from(calendarTokens)
		.innerJoin(users, eq(users.id, calendarTokens.userId))
		.where(
			and(
				eq(calendarTokens.tokenHash, tokenHash),
				isNull(users.deletedAt),
				or(isNull(users.suspendedUntil), lte(users.suspendedUntil, now.toISOString())),
			),
		)
		.get();
	return row?.user;
}

// ─── the iCalendar documents ─────────────────────────────────────────────────────────────────────

type Mine = Pick<EventRsvpRow, "status" | "waitlistPosition"> | null;

function descriptionOf(event: GroupEventRow, mine: Mine, cancelled: boolean): string {
	const parts: string[] = [];
	if (cancelled) parts.push("This event was cancelled.");
	else if (mine?.status === "waitlisted")
		parts.push(
			`You are on the waitlist${mine.waitlistPosition ? ` (position ${mine.waitlistPosition})` : ""}.`,
		);
	if (event.description) parts.push(event.description);
	if (event.url) parts.push(`Join: ${event.url}`);
	return parts.join("\n\n");
}

/** One event as a VEVENT: UID stable per event (its id), SEQUENCE its version, DTSTAMP its last change. */
function toIcsEvent(origin: string, event: GroupEventRow, mine: Mine, now: Date): IcsEvent {
	const cancelled = eventStatus(event, now) === "cancelled";
	return {
		uid: `${event.id}@${new URL(origin).hostname}`,
		stamp: event.updatedAt,
		start: event.startsAt,
		end: event.endsAt,
		summary: event.title,
		description: descriptionOf(event, mine, cancelled) || undefined,
		location: event.location ?? event.url ?? undefined,
		url: `${origin}/api/v1/fellowship/events/${event.id}`,
		status: cancelled ? "CANCELLED" : mine?.status === "waitlisted" ? "TENTATIVE" : "CONFIRMED",
		sequence: event.version - 1,
		created: event.createdAt,
		lastModified: event.updatedAt,
	};
}

/** `GET /fellowship/events/{id}.ics`: the event as its reader may see it (the same rule as its JSON). */
export async function eventCalendar(db: Db, user: CurrentUser, eventId: string, origin: string, now: Date) {
	const { event } = await loadEvent(db, user, eventId);
	return icsCalendar({ prodId: PROD_ID, events: [toIcsEvent(origin, event, null, now)] });
}

/** My feed: the events of `GET /users/me/events`, and those that ended in the last days. */
export async function myEventsCalendar(db: Db, user: CurrentUser, origin: string, now: Date) {
	const rows = await myFeedEvents(db, user, now);
	return icsCalendar({
		prodId: PROD_ID,
		name: "Flourish events",
		refreshMinutes: FEED_REFRESH_MINUTES,
		events: rows.map((row) => toIcsEvent(origin, row.event, row.mine, now)),
	});
}
