/**
 * Groups and events in the browser: find a group by its words, join it, open an event whose one place another
 * person already took, join the waitlist ("You are number 1 on the waitlist"); that person cancels straight on
 * the API and the page shows the person going, without a reload (the live stream's `waitlist_promoted`). The
 * same pages on a 360 px phone in dark mode.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { BUDGET, freshSubject, type Harness, text } from "../lib/browser-harness.ts";

/** Faster than the page's 20 s waitlist refresh: passing proves the stream, not the interval, moved the page. */
const LIVE_WITHIN_MS = 12_000;

export function groupsJourneys(h: Harness) {
	const owner = "dev|demo-guide"; // good_soil: may create groups. Each run makes its own group.
	const other = freshSubject("groups-other");
	const person = freshSubject("groups");
	const word = `Lanterns${Date.now().toString(36)}`;
	let groupId = "";
	let eventId = "";
	const title = "Evening walk and talk";

	/** A group with an event of capacity 1, its one place taken by another person — set up on the API. */
	async function setUp() {
		if (eventId) return;
		const group = await h.api(owner, "POST", "/api/v1/fellowship/groups", {
			name: `${word} walking circle`,
			description: "Gentle evening walks, then tea. Everyone welcome.",
			group_type: "wellness",
		});
		assert.equal(group.status, 201, await group.clone().text());
		groupId = ((await group.json()) as { id: string }).id;
		const startsAt = new Date(Date.now() + 3 * 86_400_000);
		const event = await h.api(owner, "POST", `/api/v1/fellowship/groups/${groupId}/events`, {
			title,
			description: "We meet online first, then walk wherever we are.",
			event_type: "online",
			url: "https://meet.example.org/walk",
			starts_at: startsAt.toISOString(),
			ends_at: new Date(startsAt.getTime() + 90 * 60_000).toISOString(),
			timezone: "Europe/London",
			capacity: 1,
		});
		assert.equal(event.status, 201, await event.clone().text());
		eventId = ((await event.json()) as { id: string }).id;
		assert.equal((await h.api(other, "POST", `/api/v1/fellowship/groups/${groupId}/members`)).status, 201);
		const taken = await h.api(other, "PUT", `/api/v1/fellowship/events/${eventId}/rsvp`, { status: "going" });
		assert.equal(((await taken.json()) as { status: string }).status, "going");
	}

	it(
		"Groups on a desktop: find a group, join it, join an event's waitlist, and see the place open up live",
		BUDGET,
		async () => {
			await setUp();
			const page = await (await h.context()).newPage();
			await h.signIn(page, person, "/groups", "Groups");
			await page.getByText("You haven't joined a group yet").waitFor();
			await h.expectAccessible(page, "the groups page");

			await page.getByLabel("Words in the name or description").fill(word.toLowerCase());
			await page.keyboard.press("Enter");
			const found = page
				.getByRole("list", { name: "Search results" })
				.getByRole("link", { name: `${word} walking circle` });
			await found.waitFor();
			await page
				.getByRole("status")
				.filter({ hasText: /^1 group matching/ })
				.waitFor();
			await h.expectAccessible(page, "a search for groups");
			await h.screenshot(page, "groups-desktop");
			await found.click();

			await page.getByRole("heading", { level: 1, name: `${word} walking circle` }).waitFor();
			assert.match(await text(page.locator(".lede")), /Wellness · 2 members/);
			// By keyboard: once joined, the button gives way to a sentence, and focus goes to it (not to the body).
			await page.getByRole("button", { name: "Join group" }).focus();
			await page.keyboard.press("Enter");
			const joined = page.getByText("You are a member.");
			await joined.waitFor();
			await page.waitForFunction(() => document.activeElement?.textContent === "You are a member.");
			await page
				.getByRole("status")
				.filter({ hasText: `You joined ${word} walking circle.` })
				.waitFor();
			assert.match(await text(page.locator(".lede")), /3 members/);
			await h.expectAccessible(page, "a group I joined");
			await h.screenshot(page, "group-desktop");

			await page.getByRole("link", { name: title }).click();
			await page.getByRole("heading", { level: 1, name: title }).waitFor();
			const mine = page.getByTestId("my-rsvp");
			assert.equal(await text(mine), "You haven't answered yet.");
			assert.equal(await text(page.getByTestId("places")), "1 going · full");
			await page.getByRole("button", { name: "Join the waitlist" }).click();
			await mine.filter({ hasText: "You are number 1 on the waitlist." }).waitFor();
			assert.equal(await text(page.getByTestId("places")), "1 going · full, 1 waiting");
			assert.equal(
				await page.getByRole("button", { name: "Join the waitlist" }).getAttribute("aria-pressed"),
				"true",
			);
			await h.expectAccessible(page, "an event's waitlist");
			await h.screenshot(page, "event-waitlist-desktop");

			// The other person cancels, straight on the API; this page was not reloaded.
			const navigations: string[] = [];
			page.on("framenavigated", (frame) => navigations.push(frame.url()));
			const cancelled = await h.api(other, "PUT", `/api/v1/fellowship/events/${eventId}/rsvp`, {
				status: "not_going",
			});
			assert.equal(cancelled.status, 200);
			await mine.filter({ hasText: "You are going." }).waitFor({ timeout: LIVE_WITHIN_MS });
			await page.getByRole("status").filter({ hasText: "A place opened up: you are going." }).waitFor();
			assert.equal(await text(page.getByTestId("places")), "1 going · full");
			assert.deepEqual(navigations, [], "the page reloaded");
			await h.expectAccessible(page, "an event I am going to");
			await h.expectNoSidewaysScroll(page);
			await page.close();
		},
	);

	it(
		"Groups on a 360 px phone in dark mode: the group list and the event, nothing off-screen",
		BUDGET,
		async () => {
			await setUp();
			const page = await (await h.context({ phone: true, dark: true })).newPage();
			await h.signIn(page, other, "/groups", "Groups");
			await page
				.getByRole("list", { name: "Your groups" })
				.getByRole("link", { name: `${word} walking circle` })
				.waitFor();
			await h.expectNoSidewaysScroll(page);
			await h.expectAccessible(page, "the groups page on a phone, dark");
			await h.screenshot(page, "groups-phone-dark");

			await page.goto(`${h.baseUrl}/events/${eventId}`);
			await page.getByRole("heading", { level: 1, name: title }).waitFor();
			await page
				.getByTestId("my-rsvp")
				.filter({ hasText: /^You are not going\.$/ })
				.waitFor();
			await h.expectNoSidewaysScroll(page);
			await h.expectAccessible(page, "an event on a phone, dark");
			await h.screenshot(page, "event-phone-dark");
			await page.close();
		},
	);
}
