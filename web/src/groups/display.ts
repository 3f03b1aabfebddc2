/**
 * @module groups/display: the words of groups and events, decided here (pure, unit-tested) so the pages only lay
 * them out: where I stand with a group, my RSVP, the places left, when an event is, and which stream frames
 * concern an event on screen.
 */
import type { Schemas } from "../api/client";

type Group = Schemas["Group"];
type MyRsvp = Schemas["MyRsvp"];
type RsvpCounts = Schemas["RsvpCounts"];

const GROUP_TYPES: Record<Group["group_type"], string> = {
	interest: "Shared interest",
	support: "Support",
	faith: "Faith",
	local: "Local",
	learning: "Learning",
	wellness: "Wellness",
};

export function groupTypeLabel(type: Group["group_type"]): string {
	return GROUP_TYPES[type] ?? type;
}

export function memberCountText(count: number): string {
	return count === 1 ? "1 member" : `${count} members`;
}

/** What I can do about a group, or where I stand: `action` is a button's words, `status` a sentence. */
export function membershipState(group: Pick<Group, "my_membership" | "visibility">): {
	action: string | null;
	status: string | null;
	member: boolean;
} {
	const mine = group.my_membership;
	if (!mine) {
		return group.visibility === "public"
			? { action: "Join group", status: null, member: false }
			: { action: "Ask to join", status: "An owner or moderator approves each request.", member: false };
	}
	switch (mine.status) {
		case "active":
			return {
				action: null,
				status: mine.role === "owner" ? "You look after this group." : "You are a member.",
				member: true,
			};
		case "pending":
			return { action: null, status: "Your request to join is waiting for approval.", member: false };
		case "invited":
			return { action: "Accept invitation", status: "You have been invited to join.", member: false };
		default:
			return { action: null, status: "You can no longer join this group.", member: false };
	}
}

/** My answer to an event, as a sentence. */
export function rsvpSentence(mine: MyRsvp | null): string {
	if (!mine) return "You haven't answered yet.";
	switch (mine.status) {
		case "going":
			return "You are going.";
		case "maybe":
			return "You might go.";
		case "not_going":
			return "You are not going.";
		case "waitlisted":
			return mine.waitlist_position
				? `You are number ${mine.waitlist_position} on the waitlist.`
				: "You are on the waitlist.";
	}
}

/** The places of an event: who is going, how many are left or waiting. */
export function placesText(counts: RsvpCounts): string {
	const going = `${counts.going} going`;
	if (counts.capacity === null) return `${going} · no limit on places`;
	const left = counts.spots_left ?? Math.max(0, counts.capacity - counts.going);
	if (left > 0)
		return `${going} · ${left} of ${counts.capacity} ${counts.capacity === 1 ? "place" : "places"} left`;
	const waiting = counts.waitlisted > 0 ? `, ${counts.waitlisted} waiting` : "";
	return `${going} · full${waiting}`;
}

/** When an event is, in its own time zone (which is named), e.g. "Saturday 12 December, 18:00 – 19:30". */
export function eventWhen(startsAt: string, endsAt: string, timeZone: string, locale?: string): string {
	const zone = safeZone(timeZone);
	const day = new Intl.DateTimeFormat(locale, {
		weekday: "long",
		day: "numeric",
		month: "long",
		timeZone: zone,
	});
	const time = new Intl.DateTimeFormat(locale, {
		hour: "2-digit",
		minute: "2-digit",
		hourCycle: "h23",
		timeZone: zone,
	});
	const start = new Date(startsAt);
	const end = new Date(endsAt);
	const sameDay = day.format(start) === day.format(end);
	const range = sameDay
		? `${day.format(start)}, ${time.format(start)} – ${time.format(end)}`
		: `${day.format(start)}, ${time.format(start)} – ${day.format(end)}, ${time.format(end)}`;
	return `${range} (${zone.replaceAll("_", " ")})`;
}

function safeZone(timeZone: string): string {
	try {
		new Intl.DateTimeFormat(undefined, { timeZone });
		return timeZone;
	} catch {
		return "UTC";
	}
}

/**
 * Whether a frame of my live stream concerns this event: a notification about it (I was moved off the waitlist,
 * it changed, it was cancelled). Anything else, or anything unreadable, is not.
 */
export function frameConcernsEvent(raw: unknown, eventId: string): boolean {
	if (typeof raw !== "string") return false;
	try {
		const frame = JSON.parse(raw) as {
			type?: unknown;
			notification?: { subject?: { type?: unknown; id?: unknown } };
		};
		return (
			frame.type === "notification" &&
			frame.notification?.subject?.type === "event" &&
			frame.notification.subject.id === eventId
		);
	} catch {
		return false;
	}
}
