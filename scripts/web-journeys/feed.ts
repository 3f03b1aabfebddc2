/**
 * The Flourish feed in the browser. Other people's posts are seeded straight through the API (five people, 25
 * posts, a poll, a photo, a comment: three pages of the app's 10), then:
 *
 * - reading: recent, top and for you; the next page by scrolling (IntersectionObserver) and by the "Load more
 *   posts" button, by keyboard, which moves focus to the first new post; the end says so;
 * - posting: a thought, a poll, a milestone of a habit, and a photo chosen with the file picker and described;
 * - reacting (set, change, remove; kept after a reload), voting in someone's poll, commenting and replying;
 * - moderation told honestly: a post held for review says so to its author (and no one else sees it); a post
 *   that reads as a crisis brings up the crisis resources at once, focused;
 * - the same feed on a 360 px phone in dark mode.
 *
 * Speed (scripts/lib/web-vitals.ts): the feed's largest contentful paint on a fresh load at desktop and phone
 * size, and the interaction-to-next-paint of a reaction tap and of posting, from Chromium's PerformanceObserver.
 * Logged as `[web-vitals] …` lines, never asserted (BENCHMARKS.md, "Web app (browser)").
 */
import assert from "node:assert/strict";
import os from "node:os";
import { before, it } from "node:test";
import { crc32, deflateSync } from "node:zlib";
import type { Locator, Page } from "playwright-core";
import { BUDGET, freshSubject, type Harness, text } from "../lib/browser-harness.ts";
import {
	firstPaints,
	installVitals,
	interactionSince,
	largestContentfulPaint,
	logVitals,
	markOf,
	pageNow,
} from "../lib/web-vitals.ts";

/** The app's page size (web/src/feed/queries.ts FEED_PAGE_SIZE). */
const PAGE_SIZE = 10;

const SEED_TEXTS = [
	"Morning walk by the river, day three. The herons are back.",
	"Swapped my evening scroll for ten pages of a novel. Slept better.",
	"Tried the breathing exercise before a hard call. It helped a little, and a little is enough.",
	"Planted basil on the windowsill. Small wins count.",
	"Called my gran today just to say hello. She sang me a song.",
	"First week of journaling done. Mostly lists, but honest ones.",
	"Cooked a proper lunch instead of skipping it. Lentil soup!",
	"Said no to one more commitment and felt lighter for it.",
	"Stretched for five minutes at my desk every hour. My back says thanks.",
	"Went to the library's repair café and fixed a lamp with a stranger.",
	"Drank water before coffee all week. Tiny habit, big difference.",
	"Spent an hour in the garden without my phone.",
	"Wrote a thank-you note to a teacher from years ago.",
	"Finished a puzzle with my kids. Three days, one missing piece.",
	"Took the stairs every day this week.",
	"Learned to say 'good morning' in Portuguese.",
	"Meditated for ten minutes. My mind wandered, I came back. That is the practice.",
	"Volunteered at the food bank. Sorted 200 tins of beans.",
	"Made my bed every morning this week. It sets the tone.",
	"Went for a swim in the cold lake. Shrieked, then laughed.",
	"Read a poem aloud to myself. Recommend.",
	"Finally booked the dentist appointment I had put off.",
	"Sat with a friend who is grieving. Said little, stayed long.",
];
const PHOTO_ALT = "A soft green and gold gradient, like morning light through leaves";
const MY_PHOTO_ALT = "A blue and violet gradient, like dusk over the sea";
const POLL_QUESTION = "What helps you most on a hard day?";
const COMMENT_BY_JONAS = "This made me smile. The herons are my favourite too.";

/** A real PNG (RGB, 8 bits) of a gradient: the API reads its header, Chromium decodes and paints it. */
export function gradientPng(width: number, height: number, from: number[], to: number[]): Buffer {
	const row = 1 + width * 3;
	const raw = Buffer.alloc(row * height);
	for (let y = 0; y < height; y++) {
		raw[y * row] = 0; // filter: none
		for (let x = 0; x < width; x++) {
			const t = (x / width + y / height) / 2;
			for (let c = 0; c < 3; c++) {
				raw[y * row + 1 + x * 3 + c] = Math.round((from[c] ?? 0) * (1 - t) + (to[c] ?? 0) * t);
			}
		}
	}
	const chunk = (type: string, data: Buffer) => {
		const length = Buffer.alloc(4);
		length.writeUInt32BE(data.length);
		const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(crc32(body) >>> 0);
		return Buffer.concat([length, body, crc]);
	};
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, adaptive filtering, no interlace
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk("IHDR", header),
		chunk("IDAT", deflateSync(raw)),
		chunk("IEND", Buffer.alloc(0)),
	]);
}

async function json<T>(response: Response, status: number): Promise<T> {
	const body = await response.text();
	assert.equal(response.status, status, body);
	return JSON.parse(body) as T;
}

/** The feed's first load as Chromium measured it: LCP (and what it was), the first post, the first photo. */
async function logFirstLoad(page: Page, what: string) {
	const lcp = await largestContentfulPaint(page);
	const { firstArticle, firstPhoto } = await firstPaints(page, "/api/v1/media/");
	logVitals(what, {
		LCP: lcp?.ms ?? null,
		"LCP element": lcp?.element ?? null,
		"first post in the DOM": firstArticle,
		"first photo loaded": firstPhoto,
		"load average": os.loadavg()[0]?.toFixed(1) ?? null,
	});
}

/** The posts of the feed on screen. */
const articles = (page: Page) => page.getByRole("feed").getByRole("article");
const postWith = (page: Page, words: string) => articles(page).filter({ hasText: words });

async function count(locator: Locator): Promise<number> {
	return locator.count();
}

/** Waits until `locator` holds at least `n` elements. */
async function atLeast(locator: Locator, n: number) {
	await locator.nth(n - 1).waitFor();
}

/**
 * Records, from now on, every message the page's status regions say. The feed has one polite live region, so a
 * page of posts loaded by scrolling ("10 more posts loaded.") can replace a message before a poll reads it
 * (seen under CI load after a reload): the journey asserts the message was said, not that it is still showing.
 */
async function listenForAnnouncements(page: Page) {
	await page.evaluate(() => {
		const w = window as unknown as { announced?: string[]; listening?: boolean };
		w.announced = [];
		if (w.listening) return;
		w.listening = true;
		new MutationObserver(() => {
			for (const region of Array.from(document.querySelectorAll("[role=status]"))) {
				const said = region.textContent?.trim();
				if (said && !w.announced?.includes(said)) w.announced?.push(said);
			}
		}).observe(document.body, { subtree: true, childList: true, characterData: true });
	});
}

/** Waits until `message` has been said since `listenForAnnouncements`. */
const announced = (page: Page, message: string) =>
	page.waitForFunction(
		(said) => (window as unknown as { announced?: string[] }).announced?.includes(said) ?? false,
		message,
	);

const feedIdle = (page: Page) =>
	page.waitForFunction(() => !document.querySelector("[role=feed][aria-busy=true]"));

/** Presses "Load more posts" until the end of the feed (scrolling may load pages meanwhile). */
async function loadToEnd(page: Page) {
	const loadMore = page.getByRole("button", { name: "Load more posts" });
	for (let guard = 0; guard < 30; guard++) {
		if ((await page.getByText("You're all caught up.").count()) > 0) return;
		await loadMore.click({ timeout: 2000 }).catch(() => {});
		await feedIdle(page);
	}
}

/** Tab (from where focus is) until `target` has focus. */
async function tabTo(page: Page, target: Locator, steps: number) {
	for (let step = 0; step < steps; step++) {
		await page.keyboard.press("Tab");
		if (await target.evaluate((element) => element === document.activeElement)) return;
	}
	assert.fail("Tab never reached the target");
}

export function feedJourneys(h: Harness) {
	const reader = freshSubject("feed-reader");
	const poster = freshSubject("feed-poster");
	const people = ["Maya", "Jonas", "Priya", "Tomas", "Amara"].map((name) => ({
		name,
		sub: freshSubject(`feed-${name.toLowerCase()}`),
	}));
	const [maya, jonas, priya, , amara] = people as [
		(typeof people)[0],
		(typeof people)[0],
		(typeof people)[0],
		(typeof people)[0],
		(typeof people)[0],
	];
	let seeded = 0;

	before(async () => {
		for (const person of people) {
			await json(await h.api(person.sub, "GET", "/api/v1/users/me"), 200);
			await json(await h.api(person.sub, "PATCH", "/api/v1/users/me", { display_name: person.name }), 200);
		}
		// Four posts each, in turns (newest last); then one more for three of them, Maya's herons last (on the
		// first page, for the reactions and the comments); then a poll and a photo, the newest of all.
		let next = 1;
		const posts: { id: string; body: string }[] = [];
		for (let round = 0; round < 4; round++) {
			for (const person of people) {
				const body = SEED_TEXTS[next++ % SEED_TEXTS.length] ?? "A good day.";
				posts.push(
					await json(await h.api(person.sub, "POST", "/api/v1/flourish/posts", { type: "text", body }), 201),
				);
			}
		}
		for (const person of [people[1], people[3], people[0]]) {
			if (!person) continue;
			const body =
				(person === maya ? SEED_TEXTS[0] : SEED_TEXTS[next++ % SEED_TEXTS.length]) ?? "A good day.";
			posts.push(
				await json(await h.api(person.sub, "POST", "/api/v1/flourish/posts", { type: "text", body }), 201),
			);
		}
		await json(
			await h.api(priya.sub, "POST", "/api/v1/flourish/posts", {
				type: "poll",
				body: POLL_QUESTION,
				poll: {
					options: ["A walk outside", "Talking to a friend", "Sleep"],
					closes_at: new Date(Date.now() + 3 * 86_400_000).toISOString(),
				},
			}),
			201,
		);
		const upload = await fetch(`${h.baseUrl}/api/v1/media?alt=${encodeURIComponent(PHOTO_ALT)}`, {
			method: "POST",
			headers: { Authorization: `Bearer ${await h.token(amara.sub)}`, "Content-Type": "image/png" },
			body: new Uint8Array(gradientPng(960, 600, [46, 107, 79], [233, 196, 106])),
		});
		const media = await json<{ id: string }>(upload, 201);
		await json(
			await h.api(amara.sub, "POST", "/api/v1/flourish/posts", {
				type: "image",
				body: "The light this morning.",
				media_ids: [media.id],
			}),
			201,
		);
		seeded = posts.length + 2;
		// A comment to reply to, and reactions for the top order.
		const herons = posts.find((post) => post.body.startsWith("Morning walk by the river"));
		assert.ok(herons);
		await json(
			await h.api(jonas.sub, "POST", `/api/v1/flourish/posts/${herons.id}/comments`, {
				body: COMMENT_BY_JONAS,
			}),
			201,
		);
		for (const person of people.slice(1)) {
			await json(
				await h.api(person.sub, "PUT", `/api/v1/flourish/posts/${herons.id}/reaction`, {
					reaction_type: "love",
				}),
				200,
			);
		}
		assert.ok(seeded > 2 * PAGE_SIZE, "the seed fills more than two pages");
		// The milestone's habit, logged today (a streak of 1).
		const habit = await json<{ id: string }>(
			await h.api(poster, "POST", "/api/v1/garden/habits", {
				name: "Drink a glass of water",
				category: "health",
			}),
			201,
		);
		await json(await h.api(poster, "POST", `/api/v1/garden/habits/${habit.id}/logs`, {}), 201);
	}, BUDGET);

	it(
		"reads the feed on a desktop: recent, top, for you; more pages by scrolling and by keyboard; the largest paint measured",
		BUDGET,
		async () => {
			const page = await (await h.context()).newPage();
			await installVitals(page);
			await h.signIn(page, reader, "/feed", "Feed");
			// A fresh load, signed in: the largest contentful paint of the feed as a person opening it sees it.
			await page.reload();
			await atLeast(articles(page), PAGE_SIZE);
			await page.waitForLoadState("networkidle");
			await logFirstLoad(page, "feed, desktop 1280×860, fresh load");

			assert.equal(await count(articles(page)), PAGE_SIZE);
			assert.equal(await articles(page).first().getAttribute("aria-setsize"), "-1");
			const photo = page.getByRole("img", { name: PHOTO_ALT });
			assert.match((await photo.getAttribute("src")) ?? "", /^\/api\/v1\/media\/[0-9a-f-]{36}$/);
			assert.ok(await photo.evaluate((img: HTMLImageElement) => img.naturalWidth === 960));
			await h.expectAccessible(page, "the feed");
			await h.screenshot(page, "feed-desktop");

			// Scrolling near the end brings the next page (the IntersectionObserver) …
			await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
			await atLeast(articles(page), 2 * PAGE_SIZE);
			// … and the button, by keyboard, brings another and puts focus on its first post. (Moving by keyboard,
			// no page loads behind one's back: Tab from the last post reaches the button.)
			const loadMore = page.getByRole("button", { name: "Load more posts" });
			const before = await count(articles(page));
			await page.keyboard.press("Shift");
			await articles(page)
				.last()
				.getByRole("button", { name: /^Comment/ })
				.focus();
			await tabTo(page, loadMore, 5);
			await page.keyboard.press("Enter");
			await atLeast(articles(page), before + 1);
			await page.waitForFunction(
				(index) => document.activeElement === document.querySelectorAll("[role=feed] > article")[index],
				before,
			);
			await page
				.getByRole("status")
				.filter({ hasText: /more posts loaded/ })
				.waitFor();
			// To the end: the button is there until then, and the end says so.
			await loadToEnd(page);
			await page.getByText("You're all caught up.").waitFor();
			const total = await count(articles(page));
			assert.ok(total >= seeded, `${total} posts shown, ${seeded} seeded`);
			assert.equal(await articles(page).last().getAttribute("aria-setsize"), String(total));
			const ids = await articles(page).evaluateAll((all) => all.map((article) => article.id));
			assert.equal(new Set(ids).size, ids.length, "no post twice");
			await h.expectNoSidewaysScroll(page);

			// The other orders.
			await page.getByRole("link", { name: "Top" }).click();
			await page.waitForURL(/\?sort=top$/);
			await atLeast(articles(page), PAGE_SIZE);
			assert.equal(await page.getByRole("link", { name: "Top" }).getAttribute("aria-current"), "page");
			// Four people loved the herons: hot ranking puts it on the first page.
			await postWith(page, "Morning walk by the river").waitFor();
			await page.getByRole("link", { name: "For you" }).click();
			await page.waitForURL(/\?sort=for_you$/);
			await atLeast(articles(page), PAGE_SIZE);
			await page.close();
		},
	);

	it(
		"the feed on a 360 px phone in dark mode: the largest paint, a reaction tap, the next page, nothing off-screen",
		BUDGET,
		async () => {
			const page = await (await h.context({ phone: true, dark: true })).newPage();
			await installVitals(page);
			await h.signIn(page, maya.sub, "/feed", "Feed");
			await page.reload();
			await atLeast(articles(page), PAGE_SIZE);
			await page.waitForLoadState("networkidle");
			await logFirstLoad(page, "feed, phone 360×780 (dark), fresh load");
			await h.expectNoSidewaysScroll(page);
			await h.expectAccessible(page, "the feed on a phone, dark");
			await h.screenshot(page, "feed-phone-dark");

			const photoPost = postWith(page, "The light this morning.");
			const like = photoPost.getByRole("button", { name: /^Like/ });
			const since = await pageNow(page);
			await listenForAnnouncements(page);
			await like.tap();
			// The count changes at once, but after the tap's event (the mutation's optimistic step is a microtask).
			await photoPost.getByRole("button", { name: /^Like/, pressed: true }).waitFor();
			const tap = await interactionSince(page, since);
			logVitals("reaction tap, phone", {
				"Event Timing": tap.eventTimingMs ?? "< 16 ms",
				"next paint": tap.nextPaintMs,
			});
			await announced(page, "You reacted to Amara's post.");

			await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
			await atLeast(articles(page), 2 * PAGE_SIZE);
			await h.expectNoSidewaysScroll(page);
			await page.close();
		},
	);
	it(
		"shares a thought, a poll, a milestone, and a photo from the file picker with its alt text",
		BUDGET,
		async () => {
			const page = await (await h.context()).newPage();
			await installVitals(page);
			await h.signIn(page, poster, "/feed", "Feed");
			const composer = page.getByRole("form", { name: "Share something" });
			await atLeast(articles(page), 1);

			// A thought. Posting's interaction and how long until the post is on screen are measured.
			await composer
				.getByLabel("What's on your mind?")
				.fill("Three days of early nights. I feel human again.");
			const since = await pageNow(page);
			await composer.getByRole("button", { name: "Post" }).click();
			const mine = postWith(page, "Three days of early nights");
			await mine.waitFor();
			assert.equal(await articles(page).first().getAttribute("id"), await mine.getAttribute("id"));
			const posting = await interactionSince(page, since);
			const shown = await markOf(page, (await mine.getAttribute("id")) ?? "");
			logVitals("posting a thought, desktop", {
				"Event Timing": posting.eventTimingMs ?? "< 16 ms",
				"next paint": posting.nextPaintMs,
				"click → post on screen":
					shown !== null && posting.startTime !== null ? shown - posting.startTime : null,
			});
			await page.getByTestId("post-notice").filter({ hasText: "Your post is shared." }).waitFor();

			// A poll: my own poll shows its results (none yet).
			await composer.getByRole("radio", { name: "Poll" }).check();
			await composer.getByLabel("Your question").fill("Tea or coffee for the first hour?");
			await composer.getByLabel("Answer 1").fill("Tea");
			await composer.getByLabel("Answer 2").fill("Coffee");
			await composer.getByRole("button", { name: "Add an answer" }).click();
			await composer.getByLabel("Answer 3").fill("Just water");
			await composer.getByLabel("Voting closes in").selectOption({ label: "1 day" });
			await composer.getByRole("button", { name: "Post" }).click();
			const poll = postWith(page, "Tea or coffee for the first hour?");
			await poll.getByTestId("poll-results").waitFor();
			assert.match(await text(poll), /Just water/);
			assert.match(await text(poll), /Open for 2\d hours more/);

			// A milestone of my habit, with its streak from the server.
			await composer.getByRole("radio", { name: "Milestone" }).check();
			await composer
				.getByLabel("Which habit")
				.selectOption({ label: "Drink a glass of water (streak of 1)" });
			await composer.getByLabel("A few words about it").fill("Day one of many, I hope.");
			await composer.getByRole("button", { name: "Post" }).click();
			const milestone = postWith(page, "Day one of many");
			await milestone.getByText("Milestone: Drink a glass of water · a streak of 1").waitFor();

			// A photo from the file picker: without a description it is not sent; described, it is.
			await composer.getByRole("radio", { name: "Photo" }).check();
			await composer.getByLabel(/Choose photos/).setInputFiles({
				name: "dusk.png",
				mimeType: "image/png",
				buffer: gradientPng(640, 480, [40, 60, 140], [150, 90, 170]),
			});
			await composer.getByRole("button", { name: "Post" }).click();
			assert.equal(
				await text(composer.getByRole("alert")),
				"Please describe photo 1 for people who can't see it.",
			);
			await composer.getByLabel(/Describe photo 1 \(dusk\.png\)/).fill(MY_PHOTO_ALT);
			await composer.getByLabel("Caption (optional)").fill("Evening by the water.");
			await h.expectAccessible(page, "the composer with a photo");
			await composer.getByRole("button", { name: "Post" }).click();
			const image = page.getByRole("img", { name: MY_PHOTO_ALT });
			await image.waitFor();
			await page.waitForFunction((alt) => {
				const img = Array.from(document.images).find((each) => each.alt === alt);
				return img?.complete && img.naturalWidth === 640;
			}, MY_PHOTO_ALT);
			assert.match((await image.getAttribute("src")) ?? "", /^\/api\/v1\/media\/[0-9a-f-]{36}$/);
			assert.equal(await composer.getByLabel(/Choose photos/).count(), 1, "the form is ready for another");
			await h.expectAccessible(page, "my new posts");
			await h.screenshot(page, "feed-posted-desktop");
			await page.close();
		},
	);

	it(
		"reacts (set, change, remove), votes in someone's poll, comments and replies to a comment",
		BUDGET,
		async () => {
			const page = await (await h.context()).newPage();
			await installVitals(page);
			await h.signIn(page, reader, "/feed", "Feed");
			const herons = postWith(page, "Morning walk by the river");
			await herons.waitFor();
			await herons.scrollIntoViewIfNeeded();

			const love = herons.getByRole("button", { name: /^Love/ });
			assert.equal(await love.getAttribute("aria-pressed"), "false");
			assert.equal(await text(love), "Love 4");
			const since = await pageNow(page);
			await listenForAnnouncements(page);
			await love.click();
			await herons.getByRole("button", { name: /^Love/, pressed: true }).waitFor();
			assert.equal(await text(love), "Love 5");
			const tap = await interactionSince(page, since);
			logVitals("reaction tap, desktop", {
				"Event Timing": tap.eventTimingMs ?? "< 16 ms",
				"next paint": tap.nextPaintMs,
			});
			await announced(page, "You reacted to Maya's post.");

			const celebrate = herons.getByRole("button", { name: /^Celebrate/ });
			await celebrate.click();
			await herons.getByRole("button", { name: /^Celebrate/, pressed: true }).waitFor();
			assert.equal(await love.getAttribute("aria-pressed"), "false");
			assert.equal(await text(love), "Love 4");
			await page.getByRole("status").filter({ hasText: "You reacted to Maya's post." }).waitFor();

			// Kept by the API: after a reload, still mine.
			await page.reload();
			await herons.getByRole("button", { name: /^Celebrate/, pressed: true }).waitFor();
			await listenForAnnouncements(page);
			await herons.getByRole("button", { name: /^Celebrate/ }).click();
			await announced(page, "Reaction removed.");
			// No reaction of mine is left pressed (waited for: the status and the button settle in either order).
			await herons.getByRole("button", { pressed: true }).waitFor({ state: "detached" });

			// Comments: Jonas's comment, my reply under it, then a comment of my own.
			await herons.getByRole("button", { name: /^Comments \(1\)/ }).click();
			const jonasComment = herons.getByRole("listitem").filter({ hasText: COMMENT_BY_JONAS }).first();
			await jonasComment.waitFor();
			await jonasComment.getByRole("button", { name: "Reply to Jonas" }).click();
			const replyBox = herons.getByLabel("Reply to Jonas", { exact: true });
			assert.ok(await replyBox.evaluate((box) => box === document.activeElement), "the reply box has focus");
			await replyBox.fill("Same! I saw two this morning.");
			await listenForAnnouncements(page);
			await herons.getByRole("button", { name: "Reply", exact: true }).click();
			const reply = jonasComment.getByRole("list").getByRole("listitem").filter({ hasText: "I saw two" });
			await reply.waitFor();
			await announced(page, "Your reply is posted.");
			await herons.getByLabel("Add a comment").fill("Thank you for sharing this, Maya.");
			await herons.getByRole("button", { name: "Comment", exact: true }).click();
			await herons.getByText("Thank you for sharing this, Maya.").waitFor();
			await herons.getByRole("button", { name: /^Comments \(3\)/ }).waitFor();
			await h.expectAccessible(page, "a post's comments, with a reply");

			// Priya's poll: the results show after my vote.
			const poll = postWith(page, POLL_QUESTION);
			await poll.scrollIntoViewIfNeeded();
			assert.match(await text(poll), /results show after you vote/);
			await poll.getByRole("button", { name: "Vote" }).click();
			assert.equal(await text(poll.getByRole("alert")), "Please choose an answer first.");
			await poll.getByRole("radio", { name: "A walk outside" }).check();
			await poll.getByRole("button", { name: "Vote" }).click();
			await poll.getByTestId("poll-results").waitFor();
			assert.match(await text(poll), /A walk outside \(your vote\)100% · 1/);
			assert.match(await text(poll), /1 vote · Open for/);
			await h.screenshot(page, "feed-conversation-desktop");
			await page.close();
		},
	);

	it(
		"tells the truth about moderation: a held post says so to its author only; a crisis brings help at once",
		BUDGET,
		async () => {
			const author = freshSubject("feed-held");
			const page = await (await h.context()).newPage();
			await h.signIn(page, author, "/feed", "Feed");
			const composer = page.getByRole("form", { name: "Share something" });

			await composer.getByLabel("What's on your mind?").fill("I will kill you if I ever see you.");
			await composer.getByRole("button", { name: "Post" }).click();
			await page.getByTestId("post-notice").filter({ hasText: "Your post is held for review." }).waitFor();
			const held = postWith(page, "I will kill you");
			assert.match(await text(held.getByTestId("held")), /^Held for review: .* only you can see it\.$/);
			// Nobody else sees it.
			const me = await json<{ id: string }>(await h.api(author, "GET", "/api/v1/users/me"), 200);
			const theirs = await json<{ data: unknown[] }>(
				await h.api(reader, "GET", `/api/v1/flourish/feed?author_id=${me.id}`),
				200,
			);
			assert.equal(theirs.data.length, 0);

			await composer
				.getByLabel("What's on your mind?")
				.fill("I want to end it all. I don't want to be here anymore.");
			await composer.getByRole("button", { name: "Post" }).click();
			const crisis = page.getByTestId("crisis");
			await crisis.waitFor();
			assert.ok(
				await crisis
					.getByRole("heading", { level: 2 })
					.evaluate((heading) => heading === document.activeElement),
				"the help has focus",
			);
			assert.equal(
				await text(crisis.getByRole("heading", { level: 2 })),
				"You don't have to wait: people you can reach right now",
			);
			assert.ok((await crisis.getByRole("link", { name: /^Call / }).count()) > 0, "a number to call");
			// Shared, not hidden: a person reaching out is seen.
			await page.getByTestId("post-notice").filter({ hasText: "Your post is shared." }).waitFor();
			assert.equal(await postWith(page, "I want to end it all").getByTestId("held").count(), 0);
			await h.expectAccessible(page, "crisis resources after a post");
			await h.screenshot(page, "feed-crisis-desktop");
			await crisis.getByRole("button", { name: "Close this" }).click();
			assert.equal(await crisis.count(), 0);
			await page.close();
		},
	);
}
