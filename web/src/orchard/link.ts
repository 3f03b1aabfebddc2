/**
 * @module orchard/link: one conversation's WebSocket, kept open. A browser cannot put a bearer token on a
 * WebSocket, so each connection starts with a single-use ticket (`POST …/tickets`); the socket resumes after the
 * highest seq the page holds (`since_seq`), so whatever arrived while it was down is replayed exactly once (the
 * page merges by id, orchard/sync). After a drop it backs off (1 s doubling to 30 s, jittered); while the
 * browser says it is offline it waits for the `online` event instead; a heartbeat ping finds a silently dead
 * socket. Close code 4403 (the right to chat ended) stops it for good.
 */
import { type Api, ok } from "../api/client";
import {
	backoffDelay,
	type ClientFrame,
	closeAction,
	type LinkState,
	nextSync,
	parseFrame,
	type ServerFrame,
	socketUrl,
} from "./sync";

const HEARTBEAT_MS = 25_000;
const HEARTBEAT_GRACE_MS = 10_000;
/** Ticket refusals in a row before a pause: a ticket that keeps being refused is not worth a tight loop. */
const MAX_QUICK_RETRIES = 3;

export interface LinkOptions {
	api: Api;
	peerId: string;
	/** The seq to resume after (the page's highest), asked at every (re)connection. */
	resumeAfter: () => number;
	onFrame: (frame: ServerFrame) => void;
	onState: (state: LinkState) => void;
}

export class ChatLink {
	private socket: WebSocket | undefined;
	private attempt = 0;
	private quickRetries = 0;
	private retryTimer: ReturnType<typeof setTimeout> | undefined;
	private heartbeat: ReturnType<typeof setInterval> | undefined;
	private lastHeard = 0;
	private stopped = false;
	private ended = false;
	private wasLive = false;
	/** A ticket is being fetched: a second connect (e.g. `online` meanwhile) would open two sockets. */
	private pending = false;
	private state: LinkState = "connecting";

	constructor(private readonly options: LinkOptions) {
		window.addEventListener("offline", this.goOffline);
		window.addEventListener("online", this.comeBack);
	}

	start(): void {
		if (navigator.onLine === false) this.setState("offline");
		else void this.connect();
	}

	/** Leaving the page: close the socket and forget every timer and listener. */
	stop(): void {
		this.stopped = true;
		window.removeEventListener("offline", this.goOffline);
		window.removeEventListener("online", this.comeBack);
		this.clearTimers();
		this.socket?.close(1000, "leaving");
		this.socket = undefined;
	}

	/** A frame to the server when the socket is open; false when it is not (the caller may use REST). */
	send(frame: ClientFrame): boolean {
		if (this.socket?.readyState !== WebSocket.OPEN) return false;
		this.socket.send(JSON.stringify(frame));
		return true;
	}

	private setState(state: LinkState) {
		if (this.state === state) return;
		this.state = state;
		this.options.onState(state);
	}

	private clearTimers() {
		clearTimeout(this.retryTimer);
		clearInterval(this.heartbeat);
		this.retryTimer = undefined;
		this.heartbeat = undefined;
	}

	private async connect(): Promise<void> {
		if (this.stopped || this.ended || this.pending) return;
		this.clearTimers();
		this.setState(this.wasLive ? "reconnecting" : "connecting");
		let ticketPath: string;
		this.pending = true;
		try {
			const ticket = await ok(
				this.options.api.POST("/api/v1/orchard/conversations/{user_id}/tickets", {
					params: { path: { user_id: this.options.peerId } },
				}),
			);
			ticketPath = ticket.url;
		} catch (error) {
			this.pending = false;
			const status = (error as { status?: number }).status;
			// 403/404: we may not chat (any more); retrying will not change it.
			if (status === 403 || status === 404) return this.end();
			return this.retryLater();
		}
		this.pending = false;
		if (this.stopped) return;
		if (navigator.onLine === false) return this.setState("offline");
		const since = this.options.resumeAfter();
		// The page's state may not have rendered the replay yet: the link keeps its own highest seq received.
		let replayedUpTo = since;
		const socket = new WebSocket(socketUrl(ticketPath, location.origin, since));
		this.socket = socket;
		socket.onmessage = (event) => {
			this.lastHeard = Date.now();
			const frame = parseFrame(event.data);
			if (!frame) return;
			if (frame.type === "message") replayedUpTo = Math.max(replayedUpTo, frame.message.seq);
			this.options.onFrame(frame);
			if (frame.type === "ready") {
				this.attempt = 0;
				this.quickRetries = 0;
				this.wasLive = true;
				this.setState("live");
			}
			// A long absence is replayed in chunks: ask for the next one after the last seq received.
			const more = nextSync(frame, Math.max(replayedUpTo, this.options.resumeAfter()));
			if (more) this.send(more);
		};
		socket.onopen = () => {
			this.lastHeard = Date.now();
			this.heartbeat = setInterval(() => this.beat(socket), HEARTBEAT_MS);
		};
		socket.onclose = (event) => {
			if (this.socket !== socket) return;
			this.socket = undefined;
			clearInterval(this.heartbeat);
			if (this.stopped) return;
			if (navigator.onLine === false) return this.setState("offline");
			const action = closeAction(event.code);
			if (action === "stop") return this.end();
			if (action === "retry-now" && this.quickRetries < MAX_QUICK_RETRIES) {
				this.quickRetries++;
				return void this.connect();
			}
			this.retryLater();
		};
	}

	/** A ping now and then; a socket that has said nothing since is dead even if the browser has not noticed. */
	private beat(socket: WebSocket) {
		if (Date.now() - this.lastHeard > HEARTBEAT_MS + HEARTBEAT_GRACE_MS) {
			socket.close(4000, "silent");
			return;
		}
		if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
	}

	private retryLater() {
		if (this.stopped || this.ended) return;
		if (navigator.onLine === false) return this.setState("offline");
		this.setState("reconnecting");
		const delay = backoffDelay(this.attempt++, Math.random());
		this.retryTimer = setTimeout(() => void this.connect(), delay);
	}

	private end() {
		this.ended = true;
		this.clearTimers();
		this.setState("closed");
	}

	/** The browser lost the network: the socket is as good as gone, so close it and wait for `online`. */
	private goOffline = () => {
		if (this.stopped || this.ended) return;
		this.clearTimers();
		const socket = this.socket;
		this.socket = undefined;
		socket?.close(1000, "offline");
		this.setState("offline");
	};

	/** Back online: reconnect at once (resuming after the last seq held), with a fresh backoff. */
	private comeBack = () => {
		if (this.stopped || this.ended || this.socket) return;
		this.attempt = 0;
		void this.connect();
	};
}
