/**
 * Anonymous Support in the browser: a person asks for help in words the ML Worker reads as a crisis; the crisis
 * lines are on screen at once (a region with a heading, numbers as `tel:` links) and the token is shown once;
 * a verified guide responds (straight on the API); the asker reads the response with the token this browser
 * kept and marks it helpful — a call that carries the token and no sign-in. On a 360 px phone in dark mode,
 * another browser opens the same request with the pasted token.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Page, Request } from "playwright-core";
import { BUDGET, freshSubject, type Harness, text } from "../lib/browser-harness.ts";

const CRISIS_TEXT = "I took all my pills an hour ago and I want to die";
const GUIDE = "dev|demo-guide";

/** The next request of `page` matching `method` and a path pattern, with all its headers. */
async function nextRequest(page: Page, method: string, path: RegExp, act: () => Promise<void>) {
	const [request] = await Promise.all([
		page.waitForRequest(
			(each: Request) => each.method() === method && path.test(new URL(each.url()).pathname),
		),
		act(),
	]);
	return { request, headers: await request.allHeaders() };
}

export function supportJourneys(h: Harness) {
	const asker = freshSubject("support-asker");
	const title = `A heavy night ${Date.now().toString(36)}`;
	let requestId = "";
	let token = "";

	it(
		"Anonymous Support on a desktop: ask in crisis, see the crisis lines at once and the token once, read a guide's response with the kept token",
		BUDGET,
		async () => {
			const page = await (await h.context()).newPage();
			await h.signIn(page, asker, "/support", "Anonymous support");
			await h.expectAccessible(page, "the support page");

			await page.getByLabel("Title").fill(title);
			await page.getByLabel("What's on your mind").fill(CRISIS_TEXT);
			await page.getByLabel("Topic").selectOption("depression");
			// Asking needs a sign-in (the API counts the daily limit with it; the stored request has no link to it).
			const asked = await nextRequest(page, "POST", /\/api\/v1\/support\/requests$/, () =>
				page.getByRole("button", { name: "Ask anonymously" }).click(),
			);
			assert.match(asked.headers.authorization ?? "", /^Bearer /);

			// The crisis lines: a labelled region at the top, its heading focused, numbers to dial.
			const crisis = page.getByRole("region", { name: /people you can reach right now/ });
			await crisis.waitFor();
			assert.ok(
				await crisis
					.getByRole("heading", { level: 2 })
					.evaluate((heading) => heading === document.activeElement),
				"the crisis heading did not take focus",
			);
			const calls = crisis.getByRole("link", { name: /^Call / });
			assert.ok((await calls.count()) >= 1, "no phone line to call");
			assert.match((await calls.first().getAttribute("href")) ?? "", /^tel:\+?\d+$/);
			const crisisBox = await crisis.boundingBox();
			const tokenBox = await page.getByRole("region", { name: /private token/ }).boundingBox();
			assert.ok(crisisBox && tokenBox && crisisBox.y < tokenBox.y, "the crisis lines are not first");

			// The token, once, with its warning; this browser keeps it.
			token = await page.getByLabel("Token", { exact: true }).inputValue();
			assert.ok(token.length >= 20, "no token shown");
			assert.match(
				await text(page.getByRole("region", { name: /private token/ })),
				/only time you will see it/,
			);
			const href =
				(await page.getByRole("link", { name: "Read responses to your request" }).getAttribute("href")) ?? "";
			requestId = href.split("/").at(-1) ?? "";
			const kept = await page.evaluate(() => localStorage.getItem("flourish.support.tokens") ?? "");
			assert.ok(kept.includes(token) && kept.includes(requestId), "the browser did not keep the token");
			await h.expectAccessible(page, "the crisis lines and the token");
			await h.screenshot(page, "support-crisis-desktop");

			// A verified guide responds, straight on the API.
			const responded = await h.api(GUIDE, "POST", `/api/v1/support/requests/${requestId}/responses`, {
				body: "Thank you for telling us. Please call one of the lines now; I am here too.",
			});
			assert.equal(responded.status, 201, await responded.clone().text());

			// Back on the support page the token is not shown again; the request is listed with a link.
			await page.getByRole("button", { name: "Ask something else" }).click();
			assert.equal(await page.getByLabel("Token", { exact: true }).count(), 0);
			// Reading it is anonymous too: the token alone, no sign-in beside the asker's words.
			const read = await nextRequest(page, "GET", new RegExp(`/support/requests/${requestId}$`), () =>
				page
					.getByRole("region", { name: "Requests asked from this browser" })
					.getByRole("link", { name: title })
					.click(),
			);
			assert.equal(read.headers.authorization, undefined, "the read carried a sign-in");
			assert.equal(read.headers["x-support-token"], token);
			await page.getByRole("heading", { level: 1, name: "Your support request" }).waitFor();
			// Coming back to an urgent request, the asker finds the crisis lines again, first on the page.
			await page.getByRole("region", { name: /people you can reach right now/ }).waitFor();
			const response = page.getByRole("listitem").filter({ hasText: "Thank you for telling us" });
			await response.waitFor();
			assert.match(await text(response), /Verified guide/);
			assert.equal(await text(page.getByTestId("request-status")), "1 response");

			// Marking it helpful proves authorship with the token alone: no sign-in travels with it.
			const marked = await nextRequest(page, "POST", /\/helpful$/, () =>
				response.getByRole("button", { name: /^Mark helpful/ }).click(),
			);
			assert.equal(marked.headers.authorization, undefined, "the anonymous call carried a sign-in");
			assert.equal(marked.headers["x-support-token"], token);
			await response.getByText("You marked this helpful").waitFor();
			await h.expectAccessible(page, "a request with a response");
			await h.screenshot(page, "support-request-desktop");
			await h.expectNoSidewaysScroll(page);
			await page.close();
		},
	);

	it(
		"Anonymous Support on a 360 px phone in dark mode: another browser opens the request with the pasted token",
		BUDGET,
		async () => {
			assert.ok(requestId && token, "the desktop journey made no request");
			const page = await (await h.context({ phone: true, dark: true })).newPage();
			await h.signIn(page, asker, `/support/requests/${requestId}`, "Your support request");
			await page.getByLabel("Token", { exact: true }).fill(token);
			await page.getByRole("button", { name: "Open request" }).tap();
			await page.getByRole("listitem").filter({ hasText: "Thank you for telling us" }).waitFor();
			await h.expectNoSidewaysScroll(page);
			await h.expectAccessible(page, "a request on a phone, dark");
			await h.screenshot(page, "support-request-phone-dark");

			await page.goto(`${h.baseUrl}/support`);
			await page.getByRole("heading", { level: 1, name: "Anonymous support" }).waitFor();
			await h.expectNoSidewaysScroll(page);
			await h.expectAccessible(page, "the support page on a phone, dark");
			await h.screenshot(page, "support-phone-dark");
			await page.close();
		},
	);
}
