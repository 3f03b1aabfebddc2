/**
 * @module rsvp-contract: what the EventRsvp Durable Object offers over Workers RPC, shared by the object and
 * its callers in `src/modules/fellowship/`. Plain data only: every value crosses the RPC boundary by
 * structured clone.
 */

/** What a member may ask for. */
export const RSVP_CHOICES = ["going", "maybe", "not_going"] as const;
export type RsvpChoice = (typeof RSVP_CHOICES)[number];
/** What a member may end up with: `going` at capacity becomes `waitlisted`. */
export type RsvpStatus = RsvpChoice | "waitlisted";

/**
 * The event's terms as D1 has them. Callers pass them on every call; the object adopts them only when
 * `version` is newer than the version it holds, so a stale read never undoes a newer edit.
 */
export interface EventTerms {
	eventId: string;
	/** Maximum `going`; null = unlimited. */
	capacity: number | null;
	/** ISO 8601 UTC: no RSVP changes once the event has ended. */
	endsAt: string;
	/** Cancelled is final: once seen, it sticks. */
	cancelled: boolean;
	version: number;
}

export interface RsvpCounts {
	going: number;
	maybe: number;
	notGoing: number;
	waitlisted: number;
	capacity: number | null;
}

export interface MyRsvp {
	status: RsvpStatus | null;
	/** 1-based FIFO place while waitlisted; null otherwise. */
	waitlistPosition: number | null;
}

export interface RsvpSnapshot {
	mine: MyRsvp;
	counts: RsvpCounts;
}

export type SetRsvpResult =
	| ({ ok: true; changed: boolean } & RsvpSnapshot)
	| { ok: false; reason: "cancelled" | "ended" };
