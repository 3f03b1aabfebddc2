/**
 * Settings in the browser: change the time zone and the day's start and find them after a reload; turn a
 * notification off; download my data and find it is JSON about me; delete my account through a confirmation
 * dialog (keyboard: focus in, Escape out, focus back) and end signed out, the API then knowing the old account
 * no more. The page on a 360 px phone in dark mode.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { it } from "node:test";
import { BUDGET, freshSubject, type Harness } from "../lib/browser-harness.ts";

export function settingsJourneys(h: Harness) {
	it(
		"Settings on a desktop: time zone and day start persist, a notification turned off, my data downloaded, my account deleted",
		BUDGET,
		async () => {
			const person = freshSubject("settings");
			const me = (await (await h.api(person, "GET", "/api/v1/users/me")).json()) as { id: string };
			const page = await (await h.context()).newPage();
			await h.signIn(page, person, "/settings", "Settings");
			const zone = page.getByLabel("Time zone");
			await zone.waitFor();
			await h.expectAccessible(page, "the settings page");

			await zone.selectOption("Asia/Tokyo");
			await page.getByLabel("Day starts at").selectOption("4");
			await page.getByText(/^Until 04:00, you are still logging the day before/).waitFor();
			await page.getByRole("button", { name: "Save my day" }).click();
			await page.getByRole("status").filter({ hasText: "Your day settings are saved." }).waitFor();

			// A notification kind, turned off in the app.
			const reactions = page.getByRole("group", { name: "Reactions to what I share" });
			const inApp = reactions.getByRole("checkbox", { name: "In the app" });
			assert.equal(await inApp.isChecked(), true);
			await inApp.click();
			await page
				.getByRole("status")
				.filter({ hasText: "Reactions to what I share: in the app off." })
				.waitFor();

			// Quiet hours, overnight.
			await page.getByRole("checkbox", { name: "Keep quiet hours" }).check();
			await page.getByLabel("From").fill("22:30");
			await page.getByLabel("Until").fill("07:00");
			await page.getByRole("button", { name: "Save quiet hours" }).click();
			await page
				.getByRole("status")
				.filter({ hasText: /^Nothing is pushed from 22:30 to 07:00 \(overnight\)/ })
				.waitFor();

			await page.reload();
			await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
			await zone.waitFor();
			assert.equal(await zone.inputValue(), "Asia/Tokyo");
			assert.equal(await page.getByLabel("Day starts at").inputValue(), "4");
			assert.equal(await inApp.isChecked(), false);
			const preferences = (await (
				await h.api(person, "GET", "/api/v1/notifications/preferences")
			).json()) as {
				types: { reaction: { in_app: boolean } };
				quiet_hours: { start: string; end: string } | null;
			};
			assert.equal(preferences.types.reaction.in_app, false);
			assert.deepEqual(preferences.quiet_hours, { start: "22:30", end: "07:00" });
			assert.equal(await page.getByLabel("From").inputValue(), "22:30");

			// My data, as a downloaded JSON file about me.
			const [download] = await Promise.all([
				page.waitForEvent("download"),
				page.getByRole("button", { name: "Download my data" }).click(),
			]);
			assert.match(download.suggestedFilename(), /^flourish-export-\d{4}-\d{2}-\d{2}\.json$/);
			const exported = JSON.parse(await readFile(await download.path(), "utf8")) as {
				format: string;
				user_id: string;
				profile: { id: string; timezone: string; day_start_hour: number };
			};
			assert.equal(exported.format, "flourish-account-export");
			assert.equal(exported.user_id, me.id);
			assert.equal(exported.profile.id, me.id);
			assert.equal(exported.profile.timezone, "Asia/Tokyo");
			assert.equal(exported.profile.day_start_hour, 4);
			await page
				.getByRole("status")
				.filter({ hasText: /^Your data is downloaded\./ })
				.waitFor();
			await h.screenshot(page, "settings-desktop");

			// Delete: the dialog takes focus, Escape leaves it and focus returns to the button that opened it.
			const opener = page.getByRole("button", { name: "Delete my account…" });
			await opener.click();
			const dialog = page.getByRole("dialog", { name: "Delete your account?" });
			await dialog.waitFor();
			const confirm = dialog.getByLabel("Type “delete” to confirm");
			assert.ok(
				await confirm.evaluate((input) => input === document.activeElement),
				"focus is not in the dialog",
			);
			await h.expectAccessible(page, "the delete confirmation");
			await h.screenshot(page, "settings-delete-dialog");
			await page.keyboard.press("Escape");
			await dialog.waitFor({ state: "hidden" });
			assert.ok(
				await opener.evaluate((button) => button === document.activeElement),
				"focus did not come back",
			);

			// A wrong word deletes nothing; the word itself does.
			await opener.click();
			await confirm.fill("yes");
			await dialog.getByRole("button", { name: "Delete forever" }).click();
			await dialog.getByText("Type “delete” to confirm, or choose Keep my account.").waitFor();
			assert.equal((await h.api(person, "GET", "/api/v1/users/me")).status, 200);
			await confirm.fill("delete");
			await dialog.getByRole("button", { name: "Delete forever" }).click();
			await page.getByRole("heading", { level: 1, name: "Your account is deleted" }).waitFor();
			await page.getByText("You are signed out.").waitFor();
			assert.equal(await page.getByRole("button", { name: "Sign out" }).count(), 0);
			assert.equal(new URL(page.url()).pathname, "/goodbye");
			await h.expectAccessible(page, "the goodbye page");
			await h.screenshot(page, "goodbye-desktop");

			// Signed out: a page for signed-in people sends to sign in.
			await page.goto(`${h.baseUrl}/settings`);
			await page.getByRole("heading", { level: 1, name: "Development sign-in" }).waitFor();

			// The API as documented: the old account is gone for everyone (404), and the same sign-in starts a
			// fresh, empty account with a new id.
			const stranger = await h.api(freshSubject("settings-stranger"), "GET", `/api/v1/users/${me.id}`);
			assert.equal(stranger.status, 404);
			const again = (await (await h.api(person, "GET", "/api/v1/users/me")).json()) as {
				id: string;
				timezone: string;
			};
			assert.notEqual(again.id, me.id);
			assert.notEqual(again.timezone, "Asia/Tokyo");
			await page.close();
		},
	);

	it(
		"Settings on a 360 px phone in dark mode: every section reachable, nothing off-screen",
		BUDGET,
		async () => {
			const page = await (await h.context({ phone: true, dark: true })).newPage();
			await h.signIn(page, freshSubject("settings-phone"), "/settings", "Settings");
			await page.getByRole("group", { name: "Guardian alerts" }).waitFor();
			await page.getByLabel("Time zone").waitFor();
			await h.expectNoSidewaysScroll(page);
			await h.expectAccessible(page, "settings on a phone, dark");
			await h.screenshot(page, "settings-phone-dark");
			await page.getByRole("button", { name: "Delete my account…" }).tap();
			await page.getByRole("dialog", { name: "Delete your account?" }).waitFor();
			await h.expectNoSidewaysScroll(page);
			await h.expectAccessible(page, "the delete confirmation on a phone, dark");
			await page.getByRole("button", { name: "Keep my account" }).tap();
			await page.getByRole("dialog").waitFor({ state: "hidden" });
			await page.close();
		},
	);
}
