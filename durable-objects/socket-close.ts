/**
 * @module durable-objects/socket-close: how every hibernating WebSocket of ours ends (ChatRoom, PersonStream).
 */

/** Completes the closing handshake the client began (codes 1005/1006 cannot be sent back). */
export function completeClose(ws: WebSocket, code: number, reason: string): void {
	try {
		ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
	} catch {
		// already closed
	}
}

/** Closes a socket the runtime reported an error on. */
export function closeOnError(ws: WebSocket): void {
	try {
		ws.close(1011, "WebSocket error");
	} catch {
		// already closed
	}
}
