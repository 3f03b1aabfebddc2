/**
 * @module notifications/push: turning Web Push on and off for this device.
 *
 * On: the API's VAPID key (`GET /push/public-key`), the browser's permission, our service worker (`/sw.js`, the
 * site's root scope), a subscription from the browser's push service with that key, and the subscription handed
 * to the API (`POST /push/subscriptions`). Each step that can fail ends with a calm sentence and leaves nothing
 * half-done behind: a subscription the API refused is ended in the browser too. Off: the API forgets this
 * device's subscription (`DELETE /push/subscriptions/{id}`, found by its endpoint) and the browser ends it.
 *
 * The browser's objects and the API calls are injected (push.test.ts drives every outcome with fakes).
 */
import { errorSentence } from "../api/client";

export const SERVICE_WORKER_URL = "/sw.js";
/** How long the browser's push service may take to answer a subscribe (it can hang without a network). */
export const SUBSCRIBE_TIMEOUT_MS = 15_000;

export const SENTENCES = {
	unsupported:
		"This browser can't receive notifications from Flourish. You'll still find them here and on the bell.",
	denied:
		"Notifications from Flourish are blocked in this browser's settings. If you'd like them, allow them there and try again.",
	dismissed: "Notifications are still off. You can turn them on here whenever you like.",
	subscribeFailed:
		"We couldn't turn on notifications on this device: the browser couldn't set up push for Flourish. You'll still find everything here, and you can try again later.",
	on: "Notifications are on for this device.",
	off: "Notifications are off for this device.",
} as const;

/** The parts of `navigator.serviceWorker`, `Notification` and `PushManager` this module uses. */
export interface PushBrowser {
	serviceWorker: Pick<ServiceWorkerContainer, "register" | "getRegistration"> & {
		ready: Promise<Pick<ServiceWorkerRegistration, "pushManager">>;
	};
	notification: {
		readonly permission: NotificationPermission;
		requestPermission(): Promise<NotificationPermission>;
	};
}

export interface PushApi {
	publicKey(): Promise<string>;
	save(subscription: PushSubscriptionJSON): Promise<void>;
	/** Forgets the subscription with this endpoint, if the API has it. */
	forget(endpoint: string): Promise<void>;
}

export type PushState = "unsupported" | "blocked" | "off" | "on";

export type PushOutcome = { on: true; sentence: string } | { on: false; sentence: string };

/** This browser's push parts, or null when it has none (no service workers, no Push API, no notifications). */
export function browserPush(): PushBrowser | null {
	if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return null;
	if (typeof window === "undefined" || !("PushManager" in window) || !("Notification" in window)) return null;
	return { serviceWorker: navigator.serviceWorker, notification: window.Notification };
}

/** The VAPID key (base64url, as the API gives it) as the bytes `pushManager.subscribe` takes. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
	const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
	const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
	const binary = atob(padded);
	const bytes = new Uint8Array(new ArrayBuffer(binary.length));
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}

/** Whether this device currently gets pushes (as far as the browser knows). */
export async function pushState(browser: PushBrowser | null): Promise<PushState> {
	if (!browser) return "unsupported";
	if (browser.notification.permission === "denied") return "blocked";
	const registration = await browser.serviceWorker.getRegistration("/");
	const subscription = await registration?.pushManager.getSubscription();
	return subscription && browser.notification.permission === "granted" ? "on" : "off";
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error("timed out")), ms);
		promise.then(
			(value) => {
				clearTimeout(timer);
				resolve(value);
			},
			(error: unknown) => {
				clearTimeout(timer);
				reject(error);
			},
		);
	});
}

/** Turns push on for this device; never throws. */
export async function turnOnPush(
	browser: PushBrowser | null,
	api: PushApi,
	timeoutMs = SUBSCRIBE_TIMEOUT_MS,
): Promise<PushOutcome> {
	if (!browser) return { on: false, sentence: SENTENCES.unsupported };
	let key: string;
	try {
		// First: a server without push configured should not make the browser ask for a permission in vain.
		key = await api.publicKey();
	} catch (error) {
		return { on: false, sentence: errorSentence(error) };
	}
	const permission = await browser.notification.requestPermission();
	if (permission === "denied") return { on: false, sentence: SENTENCES.denied };
	if (permission !== "granted") return { on: false, sentence: SENTENCES.dismissed };

	let subscription: PushSubscription;
	try {
		await browser.serviceWorker.register(SERVICE_WORKER_URL, { scope: "/" });
		const registration = await browser.serviceWorker.ready;
		subscription = await withTimeout(
			registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) }),
			timeoutMs,
		);
	} catch (error) {
		// A permission taken back meanwhile is a refusal; anything else (no push service, it failed or never
		// answered: headless browsers, networks that block it) is the browser's failure, not the person's.
		if (error instanceof DOMException && error.name === "NotAllowedError") {
			return { on: false, sentence: SENTENCES.denied };
		}
		return { on: false, sentence: SENTENCES.subscribeFailed };
	}
	try {
		await api.save(subscription.toJSON());
	} catch (error) {
		// The API does not know this subscription: the browser must not keep it either.
		await subscription.unsubscribe().catch(() => false);
		return { on: false, sentence: errorSentence(error) };
	}
	return { on: true, sentence: SENTENCES.on };
}

/** Turns push off for this device; never throws. */
export async function turnOffPush(browser: PushBrowser | null, api: PushApi): Promise<PushOutcome> {
	if (!browser) return { on: false, sentence: SENTENCES.unsupported };
	const registration = await browser.serviceWorker.getRegistration("/");
	const subscription = await registration?.pushManager.getSubscription();
	if (!subscription) return { on: false, sentence: SENTENCES.off };
	try {
		await api.forget(subscription.endpoint);
	} catch (error) {
		return { on: true, sentence: errorSentence(error) };
	}
	await subscription.unsubscribe().catch(() => false);
	return { on: false, sentence: SENTENCES.off };
}
