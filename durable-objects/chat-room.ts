/** @module ChatRoom: one Durable Object per Orchard conversation. The chat itself comes with the Orchard issue. */
import { DurableObject } from "cloudflare:workers";

export class ChatRoom extends DurableObject {
	override async fetch(): Promise<Response> {
		return new Response(null, { status: 501 });
	}
}
