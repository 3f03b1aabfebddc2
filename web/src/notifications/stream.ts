/**
 * @module notifications/stream: my live stream (`GET /api/v1/stream`), kept open while I am signed in.
 *
 * A browser cannot send an Authorization header with a WebSocket, so each connection first asks for a
 * single-use ticket (`POST /api/v1/stream/tickets`, valid 60 s) and opens the URL it names. A dropped socket is
 * reopened with a fresh ticket after a growing, jittered delay (1 s, 2 s, 4 s … at most 30 s), at once when the
 * browser comes back online; the delay starts over once a connection is `ready`. A socket closed because the
 * account may have no stream (4403) or because newer streams of mine replaced it (4429) is not reopened.
 * A ping every 30 s keeps idle proxies from cutting the socket (the server answers it without waking anything).
 *
 * The frames themselves are handed to `onFrame`; what they mean for the page is queries.ts's business. No React
 * here, and every browser object is injected, so stream.test.ts drives it with a fake socket and clock.
 */
import type { Schemas } from "../api/client";

export type StreamFrame = Schemas["StreamServerFrame"];

/** Close codes after which reconnecting would not help (socket-refusal: suspended, not allowed; replaced). */
const FINAL_CLOSE_CODES = new Set([4403, 4429]);
export const PING_EVERY_MS = 30_000;
const MAX_DELAY_MS = 30_000;

/** The delay before reconnect attempt `attempt` (0-based): doubling from 1 s, capped, with jitter (50–100 %). */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
	const base = Math.min(MAX_DELAY_MS, 1000 * 2 ** Math.max(0, attempt));
	return Math.round(base * (0.5 + random() / 2));
}

/** The WebSocket URL of a ticket's path on this origin (`https:` → `wss:`). */
export function socketUrl(path: string, origin: string): string {
	const url = new URL(path, origin);
	url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
	return url.href;
}

/** A frame the server sent, or null for anything that is not one (a stray text, a newer frame type is kept). */
export function parseFrame(data: unknown): StreamFrame | null {
	if (typeof data !== "string") return null;
	try {
		const frame: unknown = JSON.parse(data);
		if (
			typeof frame === "object" &&
			frame !== null &&
			typeof (frame as { type?: unknown }).type === "string"
		) {
			return frame as StreamFrame;
		}
	} catch {
		// not JSON: ignored
	}
	return null;
}

/** The part of a WebSocket this module uses. */
export type SocketLike = Pick<WebSocket, "onopen" | "onmessage" | "onclose" | "onerror" | "send" | "close">;

export type StreamStatus = "connecting" | "open" | "waiting" | "stopped";

export interface StreamOptions {
	/** A fresh ticket's path (`POST /stream/tickets` → `url`); throws when none can be had. */
	ticketPath: () => Promise<string>;
	/** Whether an error of `ticketPath` is worth retrying (a network hiccup) or final (signed out, suspended). */
	retryable: (error: unknown) => boolean;
	onFrame: (frame: StreamFrame) => void;
	onStatus?: (status: StreamStatus) => void;
	origin: string;
	createSocket: (url: string) => SocketLike;
	setTimer?: (run: () => void, ms: number) => unknown;
	clearTimer?: (timer: unknown) => void;
	random?: () => number;
}

export class LiveStream {
	private socket: SocketLike | null = null;
	private attempt = 0;
	private retryTimer: unknown = null;
	private pingTimer: unknown = null;
	private stopped = false;
	private status: StreamStatus = "stopped";
	private readonly setTimer: (run: () => void, ms: number) => unknown;
	private readonly clearTimer: (timer: unknown) => void;

	constructor(private readonly options: StreamOptions) {
		this.setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
		this.clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
	}

	get currentStatus(): StreamStatus {
		return this.status;
	}

	start(): void {
		this.stopped = false;
		void this.connect();
	}

	/** Closes the socket for good (sign-out, the page goes away). */
	stop(): void {
		this.stopped = true;
		this.clearTimers();
		const socket = this.socket;
		this.socket = null;
		if (socket) {
			socket.onclose = null;
			socket.close(1000, "done");
		}
		this.setStatus("stopped");
	}

	/** The browser is online again: a stream waiting to reconnect does so now. */
	reconnectNow(): void {
		if (this.stopped || this.status !== "waiting") return;
		this.clearTimers();
		void this.connect();
	}

	private setStatus(status: StreamStatus) {
		if (status === this.status) return;
		this.status = status;
		this.options.onStatus?.(status);
	}

	private clearTimers() {
		if (this.retryTimer !== null) this.clearTimer(this.retryTimer);
		if (this.pingTimer !== null) this.clearTimer(this.pingTimer);
		this.retryTimer = null;
		this.pingTimer = null;
	}

	private async connect(): Promise<void> {
		if (this.stopped) return;
		this.setStatus("connecting");
		let path: string;
		try {
			path = await this.options.ticketPath();
		} catch (error) {
			if (this.options.retryable(error)) this.retryLater();
			else this.finish();
			return;
		}
		if (this.stopped) return;
		const socket = this.options.createSocket(socketUrl(path, this.options.origin));
		this.socket = socket;
		socket.onopen = () => {
			this.setStatus("open");
			this.schedulePing();
		};
		socket.onmessage = (event) => {
			const frame = parseFrame(event.data);
			if (!frame) return;
			if (frame.type === "ready") this.attempt = 0;
			this.options.onFrame(frame);
		};
		socket.onerror = () => {
			// A close event follows: reconnecting is decided there.
		};
		socket.onclose = (event) => {
			if (this.socket !== socket) return;
			this.socket = null;
			this.clearTimers();
			if (FINAL_CLOSE_CODES.has(event.code)) this.finish();
			else this.retryLater();
		};
	}

	private finish() {
		this.stopped = true;
		this.clearTimers();
		this.setStatus("stopped");
	}

	private retryLater() {
		if (this.stopped) return;
		this.setStatus("waiting");
		const delay = reconnectDelay(this.attempt, this.options.random);
		this.attempt += 1;
		this.retryTimer = this.setTimer(() => {
			this.retryTimer = null;
			void this.connect();
		}, delay);
	}

	private schedulePing() {
		this.pingTimer = this.setTimer(() => {
			this.pingTimer = null;
			if (!this.socket) return;
			this.socket.send(JSON.stringify({ type: "ping" }));
			this.schedulePing();
		}, PING_EVERY_MS);
	}
}
