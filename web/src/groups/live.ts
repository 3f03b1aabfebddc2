/**
 * @module groups/live: listens to my live stream (`/api/v1/stream`, opened with a single-use ticket from
 * `POST /api/v1/stream/tickets`) while an event page is open, and calls `onChange` when a notification about
 * that event arrives — in practice `waitlist_promoted` (I was moved from the waitlist to going), `event_updated`
 * or `event_cancelled`. The stream carries no frame when my place on the waitlist only moves up, so the event
 * query also revalidates on focus and on an interval while I wait (groups/queries).
 *
 * A dropped socket reconnects with a growing pause (at most five tries in a row); a page without a stream still
 * works, only slower to notice.
 */
import { useEffect, useRef } from "react";
import { ok } from "../api/client";
import { useSession } from "../auth/session";
import { frameConcernsEvent } from "./display";

const MAX_RETRIES = 5;

export function useEventStream(eventId: string, enabled: boolean, onChange: () => void) {
	const { api } = useSession();
	const latest = useRef(onChange);
	latest.current = onChange;

	useEffect(() => {
		if (!enabled) return;
		let socket: WebSocket | null = null;
		let timer: ReturnType<typeof setTimeout> | undefined;
		let retries = 0;
		let closed = false;

		const open = async () => {
			try {
				const ticket = await ok(api.POST("/api/v1/stream/tickets"));
				if (closed) return;
				const url = new URL(ticket.url, location.origin);
				url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
				socket = new WebSocket(url);
				socket.addEventListener("open", () => {
					// After a drop, read the event again: a frame may have come while no socket was open.
					if (retries > 0) latest.current();
					retries = 0;
				});
				socket.addEventListener("message", (message) => {
					if (frameConcernsEvent(message.data, eventId)) latest.current();
				});
				socket.addEventListener("close", (close) => {
					// 4403: the account may no longer have a stream; 4429: a newer stream of mine replaced this one.
					if (!closed && close.code !== 4403 && close.code !== 4429) retry();
				});
			} catch {
				retry();
			}
		};
		const retry = () => {
			if (closed || retries >= MAX_RETRIES) return;
			retries += 1;
			timer = setTimeout(() => void open(), 1_000 * 2 ** retries);
		};

		void open();
		return () => {
			closed = true;
			clearTimeout(timer);
			socket?.close(1000, "page closed");
		};
	}, [api, eventId, enabled]);
}
