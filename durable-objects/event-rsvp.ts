/** @module EventRsvp: one Durable Object per fellowship event. RSVPs come with the Fellowship issue. */
import { DurableObject } from "cloudflare:workers";

export class EventRsvp extends DurableObject {
	override async fetch(): Promise<Response> {
		return new Response(null, { status: 501 });
	}
}
