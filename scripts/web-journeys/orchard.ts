/**
 * The Orchard in the browser, two people at once (two browser contexts: a desktop, and a 360 px phone in dark
 * mode): one asks the other to connect by member ID, the other declines a third person and accepts; they chat
 * live both ways (typing, "Seen", an unread count on the list), one edits a message and the other sees it;
 * then the phone really loses the network (its socket closes) while the desktop writes, and on reconnecting the
 * missed message appears exactly once, replayed after the last seq the phone held.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Page, WebSocket } from "playwright-core";
import { BUDGET, freshSubject, type Harness, text } from "../lib/browser-harness.ts";

interface Person {
	sub: string;
	id: string;
	name: string;
}

export function orchardJourneys(h: Harness) {
	const subs = {
		ana: freshSubject("orchard-ana"),
		ben: freshSubject("orchard-ben"),
		cy: freshSubject("orchard-cy"),
	};
	let ana: Person;
	let ben: Person;
	let desk: Page;
	let phone: Page;
	const phoneSockets: WebSocket[] = [];

	async function person(sub: string): Promise<Person> {
		const response = await h.api(sub, "GET", "/api/v1/users/me");
		assert.equal(response.status, 200);
		const me = (await response.json()) as { id: string; display_name: string };
		return { sub, id: me.id, name: me.display_name };
	}

	it("connection requests: asked by member ID, one declined, one accepted", BUDGET, async () => {
		[ana, ben] = await Promise.all([person(subs.ana), person(subs.ben)]);
		const cy = await person(subs.cy);

		desk = await (await h.context()).newPage();
		await h.signIn(desk, ana.sub, "/orchard", "Orchard");
		assert.equal(await text(desk.getByTestId("my-member-id")), ana.id);
		await desk.getByText("No connections yet").waitFor();
		await h.expectAccessible(desk, "an empty Orchard");
		// A mistyped ID is a sentence in place, not a request.
		await desk.getByLabel("Their member ID").fill("ben");
		await desk.getByRole("button", { name: "Ask to connect" }).click();
		await desk.getByRole("alert").getByText("doesn't look like a member ID").waitFor();
		await desk.getByLabel("Their member ID").fill(` ${ben.id} `);
		await desk.getByLabel("A short note (optional)").fill("We met at the garden club");
		await desk.getByRole("button", { name: "Ask to connect" }).click();
		await desk.getByRole("button", { name: `Cancel request to ${ben.name}` }).waitFor();

		// Someone else asks Ben too, straight on the API.
		assert.equal(
			(await h.api(cy.sub, "POST", "/api/v1/orchard/connections", { user_id: ben.id })).status,
			201,
		);

		phone = await (await h.context({ phone: true, dark: true })).newPage();
		phone.on("websocket", (socket) => phoneSockets.push(socket));
		await h.signIn(phone, ben.sub, "/orchard", "Orchard");
		const asking = phone.getByRole("region", { name: "Asking to connect with you" });
		await asking.getByText("“We met at the garden club”").waitFor();
		await asking.getByText(cy.name).waitFor();
		await h.expectAccessible(phone, "requests on a phone, dark");
		await h.expectNoSidewaysScroll(phone);
		await h.screenshot(phone, "orchard-phone-dark");

		await asking.getByRole("button", { name: `Decline ${cy.name}` }).click();
		await asking.getByText(cy.name).waitFor({ state: "detached" });
		await asking.getByRole("button", { name: `Accept ${ana.name}` }).click();
		await phone.getByRole("link", { name: `Message ${ana.name}` }).waitFor();
		assert.equal(await phone.getByRole("region", { name: "Asking to connect with you" }).count(), 0);

		await desk.reload();
		await desk.getByRole("link", { name: `Message ${ben.name}` }).waitFor();
		assert.equal(await desk.getByRole("button", { name: /Cancel request/ }).count(), 0);
	});

	it(
		"live chat both ways, typing, Seen, an unread count, an edit, and a real drop caught up once",
		BUDGET,
		async () => {
			// Ben opens the conversation and writes first.
			await phone.getByRole("link", { name: `Message ${ana.name}` }).click();
			await phone.getByRole("heading", { level: 1, name: `Chat with ${ana.name}` }).waitFor();
			await phone.locator('[data-link="live"]').waitFor();
			await phone.getByText("No messages yet").waitFor();
			await phone.getByLabel(`Message to ${ana.name}`).fill("Hello from the phone");
			await phone.getByLabel(`Message to ${ana.name}`).press("Enter");
			await messages(phone).getByText("Hello from the phone").waitFor();

			// Ana's list counts it as unread, then she opens the conversation.
			await desk.reload();
			const unread = desk.getByRole("link", { name: new RegExp(`^${ben.name}\\W+1 unread message$`) });
			await unread.waitFor().catch(async (error: unknown) => {
				throw new Error(`${String(error)}\n--- the page said ---\n${await text(desk.locator("main"))}`);
			});
			await h.expectAccessible(desk, "the Orchard with an unread conversation");
			await h.screenshot(desk, "orchard-desktop");
			await unread.click();
			await desk.getByRole("heading", { level: 1, name: `Chat with ${ben.name}` }).waitFor();
			await desk.locator('[data-link="live"]').waitFor();
			await messages(desk).getByText("Hello from the phone").waitFor();
			// She has read it: Ben's phone says so, live.
			await messages(phone).getByText("Seen").waitFor();

			// Ana types: Ben sees it; she sends: it arrives on the phone without a reload, read out politely.
			const deskComposer = desk.getByLabel(`Message to ${ben.name}`);
			await deskComposer.fill("Hi! Lovely to hear from you");
			await phone.getByText(`${ana.name} is typing…`).waitFor();
			await deskComposer.press("Enter");
			await messages(phone).getByText("Hi! Lovely to hear from you").waitFor();
			await phone.getByText(`${ana.name} is typing…`).waitFor({ state: "detached" });
			assert.equal(
				await text(phone.locator('main [aria-live="polite"]').first()),
				`${ana.name}: Hi! Lovely to hear from you`,
			);

			// Ana edits her message; Ben's copy changes in place and says it was edited.
			await desk.getByRole("button", { name: /^Edit your message: Hi! Lovely/ }).click();
			await desk.getByLabel("Edit your message").fill("Hi Ben! Lovely to hear from you");
			await h.expectAccessible(desk, "editing a message");
			await desk.getByRole("button", { name: "Save" }).click();
			await messages(desk).getByText("Hi Ben! Lovely to hear from you").waitFor();
			const edited = messages(phone)
				.getByRole("listitem")
				.filter({ hasText: "Hi Ben! Lovely to hear from you" });
			await edited.getByText("edited").waitFor();
			assert.equal(
				await messages(phone).getByText("Hi! Lovely to hear from you", { exact: true }).count(),
				0,
			);
			await h.expectAccessible(phone, "a live conversation on a phone, dark");
			await h.expectNoSidewaysScroll(phone);
			await h.screenshot(phone, "conversation-phone-dark");

			// The phone loses the network: its socket really closes, and it says so calmly.
			const live = phoneSockets.at(-1);
			assert.ok(live && !live.isClosed(), "the phone has no open chat socket");
			assert.match(live.url(), /\/api\/v1\/orchard\/conversations\/[0-9a-f-]+\/ws\?ticket=/);
			const closed = live.waitForEvent("close");
			await phone.context().setOffline(true);
			await closed;
			await phone.locator('[data-link="offline"]').getByText("You're offline").waitFor();

			// Meanwhile Ana writes; it cannot reach the phone.
			await deskComposer.fill("Did this reach you while you were away?");
			await deskComposer.press("Enter");
			await messages(desk).getByText("Did this reach you while you were away?").waitFor();
			await phone.waitForTimeout(1_000);
			assert.equal(await messages(phone).getByText("Did this reach you while you were away?").count(), 0);
			const heldSeq = Math.max(...(await seqs(phone)));

			// Back online: a new socket resumes after the last seq the phone held; the missed message appears once.
			const reopened = phone.waitForEvent("websocket");
			await phone.context().setOffline(false);
			const socket = await reopened;
			assert.match(socket.url(), new RegExp(`[?&]since_seq=${heldSeq}(&|$)`));
			await phone.locator('[data-link="live"]').waitFor();
			await messages(phone).getByText("Did this reach you while you were away?").waitFor();
			await phone.waitForTimeout(500);
			assert.equal(await messages(phone).getByText("Did this reach you while you were away?").count(), 1);
			const after = await seqs(phone);
			assert.equal(new Set(after).size, after.length, `a message is shown twice: seqs ${after.join(", ")}`);
			assert.equal(after.length, 3);

			await h.expectAccessible(desk, "a live conversation on a desktop");
			await h.expectNoSidewaysScroll(desk);
			await h.screenshot(desk, "conversation-desktop");
			await desk.context().close();
			await phone.context().close();
		},
	);
}

const messages = (page: Page) => page.getByRole("list", { name: "Messages" });

/** The seqs of the messages a page shows, in order. */
const seqs = (page: Page) =>
	messages(page)
		.locator("li[data-seq]")
		.evaluateAll((items) => items.map((item) => Number(item.getAttribute("data-seq"))));
