import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import {
	keyBytes,
	type PushApi,
	type PushBrowser,
	pushState,
	SENTENCES,
	turnOffPush,
	turnOnPush,
} from "./push";

const SUBSCRIPTION_JSON = {
	endpoint: "https://push.example/abc",
	expirationTime: null,
	keys: { p256dh: "BPk", auth: "c2VjcmV0" },
};

/** A browser whose permission answer and push service behaviour the test chooses. */
function fakeBrowser({
	answer = "granted" as NotificationPermission,
	permission = "default" as NotificationPermission,
	subscribe = "works" as "works" | "fails" | "hangs" | "refused",
	subscribed = false,
} = {}) {
	const calls: string[] = [];
	let current: { endpoint: string; toJSON(): PushSubscriptionJSON; unsubscribe(): Promise<boolean> } | null =
		null;
	const makeSubscription = () => ({
		endpoint: SUBSCRIPTION_JSON.endpoint,
		toJSON: () => SUBSCRIPTION_JSON,
		unsubscribe: async () => {
			calls.push("unsubscribe");
			current = null;
			return true;
		},
	});
	if (subscribed) current = makeSubscription();
	const pushManager = {
		getSubscription: async () => current,
		subscribe: (options: PushSubscriptionOptionsInit) => {
			calls.push(`subscribe ${(options.applicationServerKey as Uint8Array).length} bytes`);
			if (subscribe === "fails") return Promise.reject(new DOMException("push service error", "AbortError"));
			if (subscribe === "hangs") return new Promise(() => {});
			if (subscribe === "refused") return Promise.reject(new DOMException("no", "NotAllowedError"));
			current = makeSubscription();
			return Promise.resolve(current);
		},
	};
	const registration = { pushManager };
	const browser = {
		serviceWorker: {
			register: async (url: string, options?: RegistrationOptions) => {
				calls.push(`register ${url} ${options?.scope}`);
				return registration;
			},
			getRegistration: async () => registration,
			ready: Promise.resolve(registration),
		},
		notification: {
			permission,
			requestPermission: async () => {
				calls.push("ask");
				return answer;
			},
		},
	} as unknown as PushBrowser;
	return { browser, calls, current: () => current };
}

/** 65 bytes, as a real P-256 key: base64url without padding. */
const KEY = btoa(String.fromCharCode(...new Uint8Array(65).fill(4)))
	.replace(/\+/g, "-")
	.replace(/\//g, "_")
	.replace(/=+$/, "");

function fakeApi({ keyError, saveError }: { keyError?: unknown; saveError?: unknown } = {}) {
	const saved: PushSubscriptionJSON[] = [];
	const forgotten: string[] = [];
	const api: PushApi = {
		publicKey: async () => {
			if (keyError) throw keyError;
			return KEY;
		},
		save: async (subscription) => {
			if (saveError) throw saveError;
			saved.push(subscription);
		},
		forget: async (endpoint) => {
			forgotten.push(endpoint);
		},
	};
	return { api, saved, forgotten };
}

describe("turning push on", () => {
	it("registers the service worker at the root, subscribes with the API's key, and hands the subscription over", async () => {
		const { browser, calls } = fakeBrowser();
		const { api, saved } = fakeApi();
		expect(await turnOnPush(browser, api)).toEqual({ on: true, sentence: SENTENCES.on });
		expect(calls).toEqual(["ask", "register /sw.js /", "subscribe 65 bytes"]);
		expect(saved).toEqual([SUBSCRIPTION_JSON]);
		expect(
			await pushState({ ...browser, notification: { ...browser.notification, permission: "granted" } }),
		).toBe("on");
	});

	it("says so calmly when the browser has no push at all", async () => {
		expect(await turnOnPush(null, fakeApi().api)).toEqual({ on: false, sentence: SENTENCES.unsupported });
		expect(await pushState(null)).toBe("unsupported");
	});

	it("does not ask for permission when the server has no push", async () => {
		const { browser, calls } = fakeBrowser();
		const problem = new ApiError({
			status: 503,
			title: "Service Unavailable",
			detail: "Push is not configured on this deployment (VAPID_PRIVATE_KEY and VAPID_SUBJECT).",
		});
		const outcome = await turnOnPush(browser, fakeApi({ keyError: problem }).api);
		expect(outcome.on).toBe(false);
		expect(outcome.sentence).toBe(problem.message);
		expect(calls).toEqual([]);
	});

	it("respects a refusal or a dismissed prompt", async () => {
		const denied = fakeBrowser({ answer: "denied" });
		expect(await turnOnPush(denied.browser, fakeApi().api)).toEqual({
			on: false,
			sentence: SENTENCES.denied,
		});
		expect(denied.calls).toEqual(["ask"]);
		const dismissed = fakeBrowser({ answer: "default" });
		expect(await turnOnPush(dismissed.browser, fakeApi().api)).toEqual({
			on: false,
			sentence: SENTENCES.dismissed,
		});
		expect(await pushState(fakeBrowser({ permission: "denied" }).browser)).toBe("blocked");
	});

	it("tells the person when the push service fails or never answers, and sends the API nothing", async () => {
		for (const subscribe of ["fails", "hangs"] as const) {
			const { browser } = fakeBrowser({ subscribe });
			const { api, saved } = fakeApi();
			expect(await turnOnPush(browser, api, 20)).toEqual({
				on: false,
				sentence: SENTENCES.subscribeFailed,
			});
			expect(saved).toEqual([]);
		}
	});

	it("reads a permission taken back while subscribing as a refusal", async () => {
		const { browser } = fakeBrowser({ subscribe: "refused" });
		expect(await turnOnPush(browser, fakeApi().api)).toEqual({ on: false, sentence: SENTENCES.denied });
	});

	it("ends the browser's subscription when the API refuses it", async () => {
		const { browser, calls, current } = fakeBrowser();
		const refusal = new ApiError({
			status: 409,
			title: "Conflict",
			detail: "Another account registered this.",
		});
		const outcome = await turnOnPush(browser, fakeApi({ saveError: refusal }).api);
		expect(outcome).toEqual({ on: false, sentence: refusal.message });
		expect(calls.at(-1)).toBe("unsubscribe");
		expect(current()).toBeNull();
	});
});

describe("turning push off", () => {
	it("has the API forget this device, then ends the subscription", async () => {
		const { browser, calls } = fakeBrowser({ subscribed: true, permission: "granted" });
		const { api, forgotten } = fakeApi();
		expect(await turnOffPush(browser, api)).toEqual({ on: false, sentence: SENTENCES.off });
		expect(forgotten).toEqual([SUBSCRIPTION_JSON.endpoint]);
		expect(calls).toEqual(["unsubscribe"]);
		expect(await pushState(browser)).toBe("off");
	});
});

describe("the VAPID key", () => {
	it("decodes base64url into the key's bytes", () => {
		expect([...keyBytes("AQID_-8")]).toEqual([1, 2, 3, 255, 239]);
		expect(keyBytes(KEY)).toHaveLength(65);
	});
});
