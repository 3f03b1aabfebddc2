/**
 * My Garden in the browser: sign in, plant a habit, log it with one tap (by keyboard), see the streak and
 * strength, undo; an API refusal (a real 429) read as a sentence; the same garden on a 360 px phone in dark mode.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { BUDGET, freshSubject, type Harness, text } from "../lib/browser-harness.ts";

export function gardenJourneys(h: Harness) {
	/** One person for the whole garden journey: the phone sees what the desktop planted. */
	const sub = freshSubject("garden");

	it(
		"My Garden on a desktop: sign in, plant a habit, log it by keyboard, see the streak, undo",
		BUDGET,
		async () => {
			const page = await (await h.context()).newPage();
			// The front door: a browser navigating to `/` gets the app from the Worker.
			await page.goto(`${h.baseUrl}/`);
			await page.getByRole("heading", { level: 1, name: "Welcome to Flourish" }).waitFor();
			await h.expectAccessible(page, "the welcome page");
			await h.signIn(page, sub);
			await page.getByText("Your garden is empty for now").waitFor();
			await h.expectAccessible(page, "an empty garden");

			await page.getByLabel("Name").fill("Drink a glass of water");
			await page.getByLabel("Category").selectOption("health");
			await page.getByRole("button", { name: "Plant habit" }).click();
			const habit = page.getByRole("listitem").filter({ hasText: "Drink a glass of water" });
			await habit.getByText("Not logged yet today").waitFor();
			assert.equal(await text(habit.getByTestId("streak")), "A fresh start");

			// One tap, by keyboard: Tab from the page's heading reaches the log button; Enter logs.
			await page.getByRole("heading", { level: 1 }).focus();
			const logButton = habit.getByRole("button", { name: /^Log today\W+Drink a glass of water$/ });
			let reached = false;
			for (let step = 0; step < 20 && !reached; step++) {
				await page.keyboard.press("Tab");
				reached = await logButton.evaluate((button) => button === document.activeElement);
			}
			assert.ok(reached, "Tab never reached the log button");
			await page.keyboard.press("Enter");
			await habit.getByText("Done today").waitFor();
			assert.match(await text(habit.getByTestId("streak")), /^1-day streak/);
			assert.match(await text(habit), /Longest: 1 day/);
			assert.match(await text(habit), /Strength: \w+ \(\d+%\)/);
			await page.getByRole("status").filter({ hasText: "Logged Drink a glass of water" }).waitFor();
			await h.expectAccessible(page, "a garden with a logged habit");
			await h.screenshot(page, "garden-desktop");

			await habit.getByRole("button", { name: "Undo today's log of Drink a glass of water" }).click();
			await habit.getByText("Not logged yet today").waitFor();
			assert.equal(await text(habit.getByTestId("streak")), "A fresh start");
			await h.expectNoSidewaysScroll(page);
			await page.close();
		},
	);

	it(
		"an API error reads as a sentence: past the burst limit, planting says when to try again",
		BUDGET,
		async () => {
			// Another person spends their writes of the minute (USER_WRITE_LIMITER, 60 a minute) straight on the API …
			const busy = freshSubject("garden-busy");
			let refused = false;
			for (let write = 0; write < 70 && !refused; write++) {
				const response = await h.api(busy, "POST", "/api/v1/garden/habits", {
					name: `Habit ${write}`,
					category: "other",
				});
				refused = response.status === 429;
			}
			assert.ok(refused, "the burst limit never answered 429");
			// … then plants one more in the app: the 429 problem+json is a calm sentence, in place.
			const page = await (await h.context()).newPage();
			await h.signIn(page, busy);
			await page.getByLabel("Name").fill("One more");
			await page.getByRole("button", { name: "Plant habit" }).click();
			const alert = page.getByRole("alert");
			await alert.waitFor();
			assert.match(await text(alert), /^That was a lot at once\. You can try again in about \d+ seconds\.$/);
			await h.expectAccessible(page, "a refused plant");
			await page.close();
		},
	);

	it(
		"My Garden on a 360 px phone in dark mode: the same garden, logged with one tap, nothing off-screen",
		BUDGET,
		async () => {
			const page = await (await h.context({ phone: true, dark: true })).newPage();
			await h.signIn(page, sub);
			const habit = page.getByRole("listitem").filter({ hasText: "Drink a glass of water" });
			await habit.getByRole("button", { name: /^Log today\W+Drink a glass of water$/ }).tap();
			await habit.getByText("Done today").waitFor();
			assert.match(await text(habit.getByTestId("streak")), /^1-day streak/);
			await h.expectNoSidewaysScroll(page);
			await h.expectAccessible(page, "the garden on a phone, dark");
			await h.screenshot(page, "garden-phone-dark");
		},
	);
}
