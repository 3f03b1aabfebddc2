/**
 * Guardians in the browser: a member posts a threat (straight on the API) that the ML Worker holds for review;
 * the guardian finds it in the queue with its reason in words, removes it and warns the author, with a reason;
 * the member reads the warning in the app and appeals; the guardian, on a 360 px phone in dark mode, overturns
 * the appeal, and the member's penalty is lifted. A member who is not a guardian has no Guardians link, reads a
 * calm "not for you" page, and the API refuses them (403): the page is a courtesy, the API the boundary.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { BUDGET, freshSubject, type Harness, text } from "../lib/browser-harness.ts";

const GUARDIAN = "dev|demo-guardian";
const THREAT = "I will kill you if I ever see you.";

export function guardiansJourneys(h: Harness) {
	const member = freshSubject("guardians-member");
	const name = `Rowan ${Date.now().toString(36)}`;

	it(
		"Guardians on a desktop: a held post in the queue with its reason, removed with a warning; the member appeals",
		BUDGET,
		async () => {
			const named = await h.api(member, "PATCH", "/api/v1/users/me", { display_name: name });
			assert.equal(named.status, 200, await named.clone().text());
			const posted = await h.api(member, "POST", "/api/v1/flourish/posts", { type: "text", body: THREAT });
			assert.equal(posted.status, 201, await posted.clone().text());
			// Held back: hidden from others until a guardian decides.
			assert.equal(((await posted.json()) as { pending_review: boolean }).pending_review, true);

			const page = await (await h.context()).newPage();
			await h.signIn(page, GUARDIAN, "/guardians", "Review queue");
			await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Guardians" }).waitFor();
			const item = page.getByRole("listitem").filter({ hasText: `A post by ${name}` });
			await item.waitFor();
			assert.match(await text(item), /automatic check held it.*a threat/);
			assert.match(await text(item), /Hidden from others until you decide/);
			await h.expectAccessible(page, "the review queue");
			await h.screenshot(page, "guardians-queue-desktop");

			await item.getByRole("link", { name: /^Review/ }).click();
			await page.getByRole("heading", { level: 1, name: "Review" }).waitFor();
			assert.equal(await text(page.locator("blockquote")), THREAT);
			await page.getByRole("radio", { name: /Remove it and warn the author/ }).check();
			await page.getByLabel("Reason").fill("Threats hurt people here, even as a joke.");
			await h.expectAccessible(page, "a queue item and its decision");
			await h.screenshot(page, "guardians-review-desktop");
			await page.getByRole("button", { name: "Decide" }).click();
			await page.getByRole("status").filter({ hasText: "Decided: Remove it and warn the author." }).waitFor();
			await page.close();

			// The member reads the warning and appeals, in the app.
			const memberPage = await (await h.context()).newPage();
			await h.signIn(memberPage, member, "/appeals", "Decisions and appeals");
			const warning = memberPage.getByRole("listitem").filter({ hasText: "A warning" });
			await warning.waitFor();
			assert.match(await text(warning), /Threats hurt people here/);
			await warning.getByLabel("Why the decision was wrong").fill("I was quoting a film line to a friend.");
			await warning.getByRole("button", { name: "Send appeal" }).click();
			await warning.getByText("Your appeal is waiting for a guardian.").waitFor();
			await h.expectAccessible(memberPage, "a member's decisions and appeal");
			await h.screenshot(memberPage, "guardians-my-appeals-desktop");

			// Not a guardian: no link, a calm page, and the API's own refusal.
			assert.equal(await memberPage.getByRole("link", { name: "Guardians" }).count(), 0);
			await memberPage.goto(`${h.baseUrl}/guardians`);
			await memberPage.getByRole("heading", { level: 1, name: "This page is for guardians" }).waitFor();
			await h.expectAccessible(memberPage, "the guardians' page for someone else");
			assert.equal((await h.api(member, "GET", "/api/v1/guardians/queue")).status, 403);
			await memberPage.close();
		},
	);

	it(
		"Guardians on a 360 px phone in dark mode: the appeal is overturned and the member's warning lifted",
		BUDGET,
		async () => {
			const page = await (await h.context({ phone: true, dark: true })).newPage();
			// Another held post, reviewed on the phone.
			const again = await h.api(member, "POST", "/api/v1/flourish/posts", { type: "text", body: THREAT });
			assert.equal(again.status, 201, await again.clone().text());
			await h.signIn(page, GUARDIAN, "/guardians", "Review queue");
			const item = page.getByRole("listitem").filter({ hasText: `A post by ${name}` });
			await item.waitFor();
			await h.expectNoSidewaysScroll(page);
			await h.expectAccessible(page, "the review queue on a phone, dark");
			await h.screenshot(page, "guardians-queue-phone-dark");
			await item.getByRole("link", { name: /^Review/ }).tap();
			await page.getByRole("heading", { level: 1, name: "Review" }).waitFor();
			await page.getByRole("radio", { name: /^Remove it Nobody/ }).check();
			await page.getByLabel("Reason").fill("A threat, again.");
			await h.expectNoSidewaysScroll(page);
			await h.expectAccessible(page, "a queue item on a phone, dark");
			await h.screenshot(page, "guardians-review-phone-dark");
			await page.getByRole("button", { name: "Decide" }).tap();
			await page.getByRole("status").filter({ hasText: "Decided: Remove it." }).waitFor();

			await page.getByRole("navigation", { name: "Guardians" }).getByRole("link", { name: "Appeals" }).tap();
			await page.getByRole("heading", { level: 1, name: "Appeals" }).waitFor();
			const appeal = page.getByRole("listitem").filter({ hasText: `${name}: a warning` });
			await appeal.waitFor();
			assert.match(await text(appeal), /quoting a film line/);
			await appeal.getByRole("radio", { name: /Overturn/ }).check();
			await appeal.getByLabel(/A note for the record/).fill("A quote, not a threat; the post stays removed.");
			await h.expectNoSidewaysScroll(page);
			await h.expectAccessible(page, "the appeals on a phone, dark");
			await h.screenshot(page, "guardians-appeals-phone-dark");
			await appeal.getByRole("button", { name: /^Decide appeal/ }).tap();
			await page
				.getByRole("status")
				.filter({ hasText: `Appeal of ${name} accepted` })
				.waitFor();
			await appeal.waitFor({ state: "detached" });

			// The member, on a phone too, reads that the appeal was accepted.
			const memberPage = await (await h.context({ phone: true, dark: true })).newPage();
			await h.signIn(memberPage, member, "/appeals", "Decisions and appeals");
			await memberPage.getByText("Your appeal was accepted: the penalty is lifted.").waitFor();
			await h.expectNoSidewaysScroll(memberPage);
			await h.expectAccessible(memberPage, "a member's accepted appeal on a phone, dark");
			await h.screenshot(memberPage, "guardians-my-appeals-phone-dark");
			await memberPage.close();

			const penalties = await h.api(member, "GET", "/api/v1/penalties");
			const [penalty] = (
				(await penalties.json()) as { data: { lifted_at: string | null; appeal: { status: string } }[] }
			).data;
			assert.equal(penalty?.appeal.status, "overturned");
			assert.notEqual(penalty?.lifted_at, null);
			await page.close();
		},
	);
}
