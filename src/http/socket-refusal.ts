/**
 * @module http/socket-refusal: how a WebSocket opened with a ticket is refused. A browser sees nothing of an
 * HTTP answer to a failed upgrade (only close code 1006), so the upgrade is accepted and the socket closed at
 * once with an application close code and a reason the client can act on. Requests with a bearer token
 * (native clients) keep their problem+json answers.
 */

/** Close code and reason for each refusal; the reason is the key itself. */
export const SOCKET_REFUSALS = {
	/** The ticket is unknown or has expired: ask for a new one and reconnect. */
	ticket_expired: 4401,
	/** The ticket was already used (each opens one socket): ask for a new one. */
	ticket_used: 4409,
	/** The ticket is for another conversation or person, or the right to this socket is gone (a block, no connection, a deleted account): do not retry. */
	not_allowed: 4403,
	/** The account is suspended: do not retry until the suspension ends. */
	suspended: 4403,
} as const;

export type SocketRefusal = keyof typeof SOCKET_REFUSALS;

/** What a ticket's redemption found, when it opened nothing. */
export type TicketRefusal = "ticket_expired" | "ticket_used";

/** For route descriptions: the close codes a refused ticket gets. */
export const SOCKET_REFUSAL_NOTE =
	"A refused ticket still upgrades, then closes at once with an application close code and reason: `4401 ticket_expired` (unknown or expired: ask for a new ticket), `4409 ticket_used` (already used: ask for a new ticket), `4403 not_allowed` (another conversation or person, a block, no connection, a deleted account: do not retry), `4403 suspended`. With a bearer token instead, the same refusals are problem+json answers (401, 403, 404).";

/** A 101 whose socket is already closed with the refusal's code and reason. */
export function refusedSocket(refusal: SocketRefusal): Response {
	const pair = new WebSocketPair();
	const [client, server] = [pair[0], pair[1]];
	server.accept();
	server.close(SOCKET_REFUSALS[refusal], refusal);
	return new Response(null, { status: 101, webSocket: client });
}
