/**
 * The service worker (web/public/sw.js) itself, its source run with a stand-in `self`: what a push
 * shows, and where a tap leads. The browser journey proves the same file in Chromium (registered, active, a
 * push delivered through DevTools shows its notification).
 */
import { describe, expect, it } from "vitest";
import SOURCE from "../../public/sw.js?raw";

const ORIGIN = "https://flourish.example";

interface Shown {
	title: string;
	options: { body: string; tag?: string; data: { url: string; notification_id: string | null } };
}

/** Loads sw.js with the given open windows; returns its listeners and what it did. */
function loadWorker(windows: { url: string }[] = []) {
	const listeners = new Map<string, (event: unknown) => void>();
	const shown: Shown[] = [];
	const opened: string[] = [];
	const focused: string[] = [];
	const told: unknown[] = [];
	const clients = windows.map((window) => ({
		url: window.url,
		focus: async () => {
			focused.push(window.url);
		},
		postMessage: (message: unknown) => told.push(message),
	}));
	const self = {
		location: { origin: ORIGIN },
		addEventListener: (type: string, listener: (event: unknown) => void) => listeners.set(type, listener),
		skipWaiting: () => Promise.resolve(),
		registration: {
			showNotification: async (title: string, options: Shown["options"]) => {
				shown.push({ title, options });
			},
		},
		clients: {
			claim: () => Promise.resolve(),
			matchAll: async () => clients,
			openWindow: async (url: string) => {
				opened.push(url);
			},
		},
	};
	// The worker's script, as a classic worker runs it, with `self` bound to the stand-in.
	new Function("self", SOURCE)(self);
	/** Dispatches an event and waits for what it asked to wait for. */
	const dispatch = async (type: string, fields: Record<string, unknown>) => {
		const waits: Promise<unknown>[] = [];
		listeners.get(type)?.({ ...fields, waitUntil: (promise: Promise<unknown>) => waits.push(promise) });
		await Promise.all(waits);
	};
	const push = (data: string | null) =>
		dispatch("push", { data: data === null ? null : { text: () => data } });
	const tap = (data: unknown) => {
		let closed = false;
		return dispatch("notificationclick", {
			notification: {
				data,
				close: () => {
					closed = true;
				},
			},
		}).then(() => closed);
	};
	return { listeners, shown, opened, focused, told, push, tap };
}

describe("the service worker", () => {
	it("listens for install, activate, push and notificationclick (and nothing else: no fetch handler)", () => {
		expect([...loadWorker().listeners.keys()].sort()).toEqual([
			"activate",
			"install",
			"notificationclick",
			"push",
		]);
	});

	it("shows the API's push as it says", async () => {
		const worker = loadWorker();
		await worker.push(
			JSON.stringify({
				type: "connection_request",
				title: "Flourish",
				body: "Alice would like to connect.",
				url: "/connections/123",
				tag: "abc",
				notification_id: "n-1",
			}),
		);
		expect(worker.shown).toEqual([
			{
				title: "Flourish",
				options: {
					body: "Alice would like to connect.",
					tag: "abc",
					data: { url: "/connections/123", notification_id: "n-1" },
				},
			},
		]);
	});

	it("shows calm words for a push without data or with data it cannot read", async () => {
		const worker = loadWorker();
		await worker.push(null);
		await worker.push("not json");
		expect(worker.shown.map((each) => [each.title, each.options.body, each.options.data.url])).toEqual([
			["Flourish", "Something new is waiting for you in Flourish.", "/notifications"],
			["Flourish", "Something new is waiting for you in Flourish.", "/notifications"],
		]);
	});

	it("on a tap, focuses an open window of the app and tells it where to go", async () => {
		const worker = loadWorker([{ url: "https://elsewhere.example/" }, { url: `${ORIGIN}/garden` }]);
		expect(await worker.tap({ url: "/posts/42" })).toBe(true);
		expect(worker.focused).toEqual([`${ORIGIN}/garden`]);
		expect(worker.told).toEqual([{ type: "flourish:open", path: "/posts/42" }]);
		expect(worker.opened).toEqual([]);
	});

	it("on a tap with no window open, opens one; never another site's address", async () => {
		const worker = loadWorker();
		await worker.tap({ url: "/posts/42?x=1" });
		await worker.tap({ url: "https://evil.example/phish" });
		await worker.tap(null);
		expect(worker.opened).toEqual(["/posts/42?x=1", "/notifications", "/notifications"]);
	});
});
