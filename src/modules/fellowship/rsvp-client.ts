/**
 * @module fellowship/rsvp-client: the typed Workers RPC stub of an event's EventRsvp Durable Object, and the
 * terms (capacity, end, cancellation, version) the object adopts from the event's D1 row.
 */
import type { EventTerms } from "../../../durable-objects/rsvp-contract";
import type { GroupEventRow } from "../../db/tables/fellowship";
import type { Bindings } from "../../env";
import { logEvent } from "../../lib/log";
import { Problem } from "../../lib/problem";

export const termsOf = (event: GroupEventRow): EventTerms => ({
	eventId: event.id,
	capacity: event.capacity,
	endsAt: event.endsAt,
	cancelled: event.status === "cancelled",
	version: event.version,
});

/** One object per event, addressed by the event id. */
export const rsvpObject = (env: Pick<Bindings, "EVENT_RSVP">, eventId: string) =>
	env.EVENT_RSVP.get(env.EVENT_RSVP.idFromName(eventId));

/**
 * Runs an RPC to the object; a failure (overloaded, reset, evicted mid-call) becomes a 503 the client may
 * retry: every RSVP step is idempotent, and a step either happened whole in the object or not at all.
 */
export async function callRsvpObject<T>(
	operation: string,
	eventId: string,
	call: () => Promise<T>,
): Promise<T> {
	try {
		return await call();
	} catch (error) {
		logEvent("error", "rsvp_object_failed", {
			operation,
			event_id: eventId,
			error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
		});
		throw new Problem(503, {
			detail: "RSVPs for this event are briefly unavailable; please retry.",
			kind: "rsvp-unavailable",
			headers: { "Retry-After": "1" },
		});
	}
}
