import { describe, expect, it } from "vitest";
import {
	LiveStream,
	PING_EVERY_MS,
	parseFrame,
	reconnectDelay,
	type SocketLike,
	type StreamFrame,
	type StreamStatus,
	socketUrl,
} from "./stream";

class FakeSocket implements SocketLike {
	onopen: SocketLike["onopen"] = null;
	onmessage: SocketLike["onmessage"] = null;
	onclose: SocketLike["onclose"] = null;
	onerror: SocketLike["onerror"] = null;
	sent: string[] = [];
	closed = false;
	constructor(readonly url: string) {}
	send(data: string) {
		this.sent.push(data);
	}
	close() {
		this.closed = true;
	}
	private get asSocket() {
		return this as unknown as WebSocket;
	}
	open() {
		this.onopen?.call(this.asSocket, new Event("open"));
	}
	receive(frame: unknown) {
		const data = typeof frame === "string" ? frame : JSON.stringify(frame);
		this.onmessage?.call(this.asSocket, { data } as MessageEvent);
	}
	drop(code = 1006) {
		this.onclose?.call(this.asSocket, { code, reason: "" } as CloseEvent);
	}
}

/** A stream with a fake socket factory and a clock the test advances by hand. */
function harness({ ticketFails = [] as unknown[] } = {}) {
	const sockets: FakeSocket[] = [];
	const frames: StreamFrame[] = [];
	const statuses: StreamStatus[] = [];
	const timers = new Map<number, { run: () => void; ms: number }>();
	let nextTimer = 1;
	let tickets = 0;
	const failures = [...ticketFails];
	const stream = new LiveStream({
		ticketPath: async () => {
			const failure = failures.shift();
			if (failure) throw failure;
			tickets += 1;
			return `/api/v1/stream?ticket=t${tickets}`;
		},
		retryable: (error) => error !== "final",
		onFrame: (frame) => frames.push(frame),
		onStatus: (status) => statuses.push(status),
		origin: "https://flourish.example",
		createSocket: (url) => {
			const socket = new FakeSocket(url);
			sockets.push(socket);
			return socket;
		},
		setTimer: (run, ms) => {
			const id = nextTimer++;
			timers.set(id, { run, ms });
			return id;
		},
		clearTimer: (id) => timers.delete(id as number),
		random: () => 1,
	});
	/** Runs the timers that are due (all of them: the test decides time by asserting their delays). */
	const fire = () => {
		const due = [...timers.entries()];
		timers.clear();
		for (const [, timer] of due) timer.run();
		return due.map(([, timer]) => timer.ms);
	};
	const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
	return { stream, sockets, frames, statuses, timers, fire, settle };
}

describe("the live stream's pieces", () => {
	it("backs off from 1 s, doubling, at most 30 s, with jitter", () => {
		expect(reconnectDelay(0, () => 1)).toBe(1000);
		expect(reconnectDelay(1, () => 1)).toBe(2000);
		expect(reconnectDelay(3, () => 1)).toBe(8000);
		expect(reconnectDelay(10, () => 1)).toBe(30_000);
		expect(reconnectDelay(2, () => 0)).toBe(2000);
	});

	it("opens the ticket's path on this origin as a WebSocket", () => {
		expect(socketUrl("/api/v1/stream?ticket=abc", "https://flourish.example")).toBe(
			"wss://flourish.example/api/v1/stream?ticket=abc",
		);
		expect(socketUrl("/api/v1/stream?ticket=abc", "http://127.0.0.1:8787")).toBe(
			"ws://127.0.0.1:8787/api/v1/stream?ticket=abc",
		);
	});

	it("reads frames and ignores what is not one", () => {
		expect(parseFrame('{"type":"unread_count","count":2}')).toEqual({ type: "unread_count", count: 2 });
		expect(parseFrame("not json")).toBeNull();
		expect(parseFrame('{"count":2}')).toBeNull();
		expect(parseFrame(new ArrayBuffer(2))).toBeNull();
	});
});

describe("the live stream", () => {
	it("opens with a ticket, hands frames on, and pings while open", async () => {
		const { stream, sockets, frames, statuses, fire, settle } = harness();
		stream.start();
		await settle();
		expect(sockets).toHaveLength(1);
		expect(sockets[0]?.url).toBe("wss://flourish.example/api/v1/stream?ticket=t1");
		sockets[0]?.open();
		sockets[0]?.receive({ type: "unread_count", count: 3 });
		sockets[0]?.receive("garbage");
		expect(frames).toEqual([{ type: "unread_count", count: 3 }]);
		expect(statuses).toEqual(["connecting", "open"]);
		expect(fire()).toEqual([PING_EVERY_MS]);
		expect(sockets[0]?.sent).toEqual(['{"type":"ping"}']);
	});

	it("reconnects with a fresh ticket after a drop, waiting longer each time until one is ready", async () => {
		const { stream, sockets, statuses, timers, fire, settle } = harness();
		stream.start();
		await settle();
		sockets[0]?.drop();
		expect(stream.currentStatus).toBe("waiting");
		expect(fire()).toEqual([1000]);
		await settle();
		expect(sockets[1]?.url).toMatch(/ticket=t2$/);
		sockets[1]?.drop();
		expect([...timers.values()].map((timer) => timer.ms)).toEqual([2000]);
		fire();
		await settle();
		sockets[2]?.open();
		sockets[2]?.receive({ type: "ready", replayed: 0, has_more: false });
		sockets[2]?.drop();
		// `ready` started the count over.
		expect([...timers.values()].map((timer) => timer.ms)).toEqual([1000]);
		expect(statuses).toContain("waiting");
	});

	it("does not reconnect when the account may have no stream, or newer streams replaced it", async () => {
		for (const code of [4403, 4429]) {
			const { stream, sockets, timers, settle } = harness();
			stream.start();
			await settle();
			sockets[0]?.drop(code);
			expect(timers.size).toBe(0);
			expect(stream.currentStatus).toBe("stopped");
		}
	});

	it("retries a ticket that could not be had for a hiccup, and gives up on a refusal", async () => {
		const hiccup = harness({ ticketFails: ["offline"] });
		hiccup.stream.start();
		await hiccup.settle();
		expect(hiccup.stream.currentStatus).toBe("waiting");
		hiccup.fire();
		await hiccup.settle();
		expect(hiccup.sockets).toHaveLength(1);

		const refused = harness({ ticketFails: ["final"] });
		refused.stream.start();
		await refused.settle();
		expect(refused.stream.currentStatus).toBe("stopped");
		expect(refused.timers.size).toBe(0);
	});

	it("reconnects at once when the browser is back online, and stops for good on stop()", async () => {
		const { stream, sockets, timers, settle } = harness();
		stream.start();
		await settle();
		sockets[0]?.drop();
		stream.reconnectNow();
		await settle();
		expect(sockets).toHaveLength(2);
		stream.stop();
		expect(sockets[1]?.closed).toBe(true);
		expect(timers.size).toBe(0);
		stream.reconnectNow();
		await settle();
		expect(sockets).toHaveLength(2);
	});
});
