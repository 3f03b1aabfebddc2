/**
 * Notifications in the browser: the bell's count rises live when other people ask to connect (set up straight
 * on the API while the page stays open: no reload, the stream carries it), still after the stream's connection
 * is cut (it reconnects with a fresh ticket), and falls as they are read; the list
 * and marking read by keyboard; then, on a 360 px phone in dark mode, "Turn on notifications on this device":
 * the service worker registers at the root and is active, and a push delivered to it through the Chrome
 * DevTools Protocol (`ServiceWorker.deliverPushMessage`) shows its notification.
 *
 * Headless Chromium has no push service here (no network): `pushManager.subscribe` cannot succeed, so the
 * journey proves the app says so calmly and that the API was handed no subscription — nothing is faked.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Page, WebSocketRoute } from "playwright-core";
import { BUDGET, freshSubject, type Harness, text } from "../lib/browser-harness.ts";

/** The calm sentence of push.ts `SENTENCES.subscribeFailed` (the journey reads what a person reads). */
const SUBSCRIBE_FAILED =
	"We couldn't turn on notifications on this device: the browser couldn't set up push for Flourish. You'll still find everything here, and you can try again later.";

export function notificationsJourneys(h: Harness) {
	/** The person whose bell is watched; the phone journey signs in as them too. */
	const sub = freshSubject("notify");

	/** `sub`'s user id, and a display name (notifications name the people who acted). */
	async function person(who: string, displayName: string): Promise<string> {
		const response = await h.api(who, "PATCH", "/api/v1/users/me", { display_name: displayName });
		assert.equal(response.status, 200, await response.clone().text());
		return ((await response.json()) as { id: string }).id;
	}

	async function askToConnect(from: string, toId: string) {
		const response = await h.api(from, "POST", "/api/v1/orchard/connections", { user_id: toId });
		assert.equal(response.status, 201, await response.clone().text());
	}

	const bell = (page: Page) => page.getByTestId("bell");

	it(
		"the bell on a desktop: its count rises live as people ask to connect, also after the stream drops, and falls as they are read",
		BUDGET,
		async () => {
			const page = await (await h.context()).newPage();
			// The page's stream sockets pass through here untouched, so the journey can cut one as a network would.
			const streams: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
			await page.routeWebSocket(/\/api\/v1\/stream\?/, (socket) => {
				streams.push({ page: socket, server: socket.connectToServer() });
			});
			await h.signIn(page, sub, "/notifications", "Notifications");
			const me = await person(sub, "Sam");
			await page.getByText("Nothing here yet").waitFor();
			assert.equal(await page.getByRole("link", { name: "Notifications", exact: true }).count(), 1);
			await h.expectAccessible(page, "no notifications yet");
			// The stream is open before anyone acts: what follows arrives live.
			await page.locator('[data-testid="bell"][data-live="open"]').waitFor();
			await page.evaluate(() => {
				document.documentElement.dataset.journey = "same page";
			});

			const rowan = freshSubject("notify-rowan");
			await person(rowan, "Rowan");
			await askToConnect(rowan, me);
			await page.getByRole("link", { name: "Notifications, 1 unread", exact: true }).waitFor();
			await page.getByRole("status").filter({ hasText: "1 new notification." }).waitFor();

			// The connection drops: the bell reconnects by itself (a fresh ticket, a new socket) and stays live.
			const first = streams[0] ?? assert.fail("the stream never opened");
			await first.server.close();
			await first.page.close({ code: 1001, reason: "going away" });
			for (let wait = 0; wait < 50 && streams.length < 2; wait++) await page.waitForTimeout(100);
			assert.equal(streams.length, 2, "the stream did not reconnect");
			await page.locator('[data-testid="bell"][data-live="open"]').waitFor();
			assert.notEqual(streams[1]?.page.url(), first.page.url(), "a ticket was used twice");
			const ash = freshSubject("notify-ash");
			await person(ash, "Ash");
			await askToConnect(ash, me);
			await page.getByRole("link", { name: "Notifications, 2 unread", exact: true }).waitFor();
			assert.equal(await text(bell(page).locator(".bell__badge")), "2");
			// The list took them in too, newest first, each marked New in words.
			const items = page.locator("ul.notifications > li");
			await items.filter({ hasText: "Ash asked to connect with you." }).waitFor();
			assert.deepEqual(
				(await items.allTextContents()).map((item) => item.replace(/(just now|\d+ \w+ ago).*$/, "")),
				["NewAsh asked to connect with you.", "NewRowan asked to connect with you."],
			);
			assert.equal(await text(page.locator(".lede")), "2 unread notifications.");
			assert.equal(
				await page.evaluate(() => document.documentElement.dataset.journey),
				"same page",
				"the page was reloaded",
			);
			await h.expectAccessible(page, "two unread notifications");
			await h.expectNoSidewaysScroll(page);
			await h.screenshot(page, "notifications-desktop");

			// Read one by keyboard: the count falls, focus stays on that notification.
			const readRowan = page.getByRole("button", { name: "Mark read: Rowan asked to connect with you." });
			await readRowan.focus();
			await page.keyboard.press("Enter");
			await page.getByRole("link", { name: "Notifications, 1 unread", exact: true }).waitFor();
			await page.getByRole("status").filter({ hasText: "Marked read." }).waitFor();
			assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ""), /Rowan asked/);
			assert.equal(await readRowan.count(), 0);

			await page.getByRole("button", { name: "Mark all read" }).click();
			await page.getByText("You're all caught up.").waitFor();
			await page.getByRole("status").filter({ hasText: "All notifications marked read." }).waitFor();
			assert.equal(await page.evaluate(() => document.activeElement?.tagName), "H1");
			assert.equal(await page.getByRole("button", { name: "Mark all read" }).count(), 0);
			await page.locator('[data-testid="bell"]:not(:has(.bell__badge))').waitFor();
			await page.getByRole("link", { name: "Notifications", exact: true }).waitFor();
			assert.equal(await page.getByText("New", { exact: true }).count(), 0);
			await h.expectAccessible(page, "all notifications read");

			// Another device of mine read them too: the API agrees.
			const count = await h.api(sub, "GET", "/api/v1/notifications/unread-count");
			assert.deepEqual(await count.json(), { count: 0 });
			await page.close();
		},
	);

	it(
		"push on a 360 px phone in dark mode: the service worker registers and shows a delivered push; subscribing without a push service is refused calmly",
		BUDGET,
		async () => {
			const context = await h.context({ phone: true, dark: true });
			await context.grantPermissions(["notifications"], { origin: h.baseUrl });
			const page = await context.newPage();
			await h.signIn(page, sub, "/notifications", "Notifications");
			await page.getByRole("heading", { level: 2, name: "On this device" }).waitFor();
			await h.expectAccessible(page, "notifications on a phone, dark");

			await page.getByRole("button", { name: "Turn on notifications on this device" }).tap();
			// (d) No push service answers in this sandbox: the app says so, and hands the API nothing.
			const outcome = page.getByTestId("push-outcome");
			await outcome.getByText(SUBSCRIBE_FAILED).waitFor({ timeout: 30_000 });
			assert.equal(await outcome.getAttribute("role"), "status");
			const saved = await h.api(sub, "GET", "/api/v1/push/subscriptions");
			assert.deepEqual(await saved.json(), { data: [] });
			// The button is there to try again.
			await page.getByRole("button", { name: "Turn on notifications on this device" }).waitFor();
			await h.expectAccessible(page, "push could not be turned on");
			await h.expectNoSidewaysScroll(page);
			await h.screenshot(page, "notifications-phone-dark");

			// (b) The service worker is registered at the site's root and active.
			const registration = await page.evaluate(async () => {
				const found = await navigator.serviceWorker.getRegistration("/");
				return { scope: found?.scope, script: found?.active?.scriptURL, state: found?.active?.state };
			});
			assert.deepEqual(registration, {
				scope: `${h.baseUrl}/`,
				script: `${h.baseUrl}/sw.js`,
				state: "activated",
			});

			// (c) A push delivered to it (as a push service would, through DevTools) shows its notification.
			const cdp = await context.newCDPSession(page);
			const registrationId = new Promise<string>((resolve) => {
				cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
					const ours = registrations.find((each) => each.scopeURL === `${h.baseUrl}/` && !each.isDeleted);
					if (ours) resolve(ours.registrationId);
				});
			});
			await cdp.send("ServiceWorker.enable");
			const id = await registrationId;
			// DevTools' delivery is fire-and-forget: one sent while the worker is still settling in can be dropped
			// (seen once in ~10 runs). A push service retries what was not accepted; so does this, once.
			const deliver = () =>
				cdp.send("ServiceWorker.deliverPushMessage", {
					origin: h.baseUrl,
					registrationId: id,
					data: JSON.stringify({
						type: "connection_request",
						title: "Flourish",
						body: "Kai asked to connect with you.",
						url: "/notifications",
						tag: "journey",
						notification_id: null,
					}),
				});
			await deliver();
			const shown = async () =>
				page.evaluate(async () => {
					const ready = await navigator.serviceWorker.ready;
					return (await ready.getNotifications()).map((each) => ({
						title: each.title,
						body: each.body,
						tag: each.tag,
					}));
				});
			let notifications = await shown();
			for (let attempt = 0; attempt < 100 && notifications.length === 0; attempt++) {
				if (attempt === 50) await deliver();
				await new Promise((resolve) => setTimeout(resolve, 100));
				notifications = await shown();
			}
			assert.deepEqual(notifications, [
				{ title: "Flourish", body: "Kai asked to connect with you.", tag: "journey" },
			]);
			await cdp.detach();
			await context.close();
		},
	);
}
