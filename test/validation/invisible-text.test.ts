/**
 * Text that must not be empty must show something: a post, a chat message (REST and WebSocket), a comment,
 * a sunlight share, a support request, a group name, a display name… made only of white space, format
 * characters (zero-width, bidi marks, BOM, soft hyphen), combining marks alone or blank-looking letters
 * (Hangul fillers, braille blank) is a 422 problem (a `bad_frame` error frame on a socket). Text with
 * visible content is stored exactly as written, invisible characters included.
 */
import { describe, expect, it } from "vitest";
import { hasVisibleText } from "../../src/lib/schemas";
import { connectedPair, openChat, sendRest, type WireMessage } from "../orchard/helpers";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";

/** Each of these shows nothing on its own. */
const INVISIBLE = [
	"\u200B\u200B", // zero-width spaces
	"\u2060", // word joiner
	"\u00AD", // soft hyphen
	"\uFEFF", // byte order mark
	"\u200E", // left-to-right mark
	"\u202E\u2066\u2069", // bidi overrides and isolates
	"\u0301\u0308", // combining marks alone
	"\uFE0F", // a variation selector alone
	"\u3000", // ideographic space
	"\u2800", // braille blank
	"\u3164", // Hangul filler
	"\u115F\u1160\uFFA0", // Hangul choseong/jungseong and halfwidth fillers
	"\u180E", // Mongolian vowel separator
	"\u00A0\u2007\u202F", // no-break spaces
	"\u{E0041}\u{E007F}", // tag characters
	" \u200B\u200C\u200D\t\n ", // a mix, with ordinary white space
];

/** Visible content with invisible characters inside: accepted and kept as written. */
const VISIBLE_WITH_ZWSP = "Grateful\u200Bfor today";

describe("hasVisibleText", () => {
	it.each(INVISIBLE.map((text) => [JSON.stringify(text), text]))("finds nothing to see in %s", (_, text) => {
		expect(hasVisibleText(text)).toBe(false);
	});

	it.each([
		["letters", "ok"],
		["letters with a zero-width space", VISIBLE_WITH_ZWSP],
		["an emoji with a variation selector", "\u2764\uFE0F"],
		["a family emoji joined by ZWJ", "\u{1F468}\u200D\u{1F469}\u200D\u{1F467}"],
		["a letter with combining marks", "e\u0301"],
		["Devanagari with vowel signs", "\u0928\u092E\u0938\u094D\u0924\u0947"],
		["Hangul", "\uD55C\uAE00"],
		["a single dot", "."],
	])("sees %s", (_, text) => {
		expect(hasVisibleText(text)).toBe(true);
	});
});

describe("user text of only invisible characters is refused", () => {
	it.each(INVISIBLE.map((text) => [JSON.stringify(text), text]))("a post of %s is a 422", async (_, text) => {
		const author = await signUp("invisible-post");
		const problem = await expectProblem(
			await call("POST", "/api/v1/flourish/posts", {
				token: author.token,
				body: { type: "text", body: text },
			}),
			422,
		);
		expect(problem.errors?.map((error) => error.field)).toContain("body/body");
	});

	it.each(INVISIBLE.map((text) => [JSON.stringify(text), text]))(
		"a chat message of %s is a 422 over REST and a bad_frame on the socket",
		async (_, text) => {
			const [alice, bob] = await connectedPair("invisible-chat");
			const problem = await expectProblem(
				await call("POST", `/api/v1/orchard/conversations/${bob.id}/messages`, {
					token: alice.token,
					body: { text },
				}),
				422,
			);
			expect(problem.errors?.map((error) => error.field)).toContain("body/text");

			const { client } = await openChat(alice, bob.id);
			client.send({ type: "message", client_message_id: "invisible", text });
			expect(await client.takeType("error")).toMatchObject({ code: "bad_frame" });
			expect(client.pending((frame) => frame.type === "ack")).toEqual([]);
			// Nothing was stored.
			const history = await expectStatus<{ data: unknown[] }>(
				await call("GET", `/api/v1/orchard/conversations/${bob.id}/messages`, { token: alice.token }),
				200,
			);
			expect(history.data).toEqual([]);
			client.close();
		},
	);

	it("refuses it in comments, shares, support requests and answers, group names, display names", async () => {
		const person = await signUp("invisible-everywhere");
		await setUserColumns(person.id, { trust_level: "good_soil" });
		const post = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/flourish/posts", {
				token: person.token,
				body: { type: "text", body: "A visible post" },
			}),
			201,
		);
		const blank = "\u200B\u2060\u3164";
		const attempts: Array<[string, string, Record<string, unknown>, string]> = [
			["POST", `/api/v1/flourish/posts/${post.id}/comments`, { body: blank }, "body/body"],
			["PATCH", `/api/v1/flourish/posts/${post.id}`, { body: blank }, "body/body"],
			["POST", "/api/v1/sunlight", { share_type: "gratitude", body: blank }, "body/body"],
			[
				"POST",
				"/api/v1/support/requests",
				{ title: blank, body: "A body long enough to pass its own minimum.", category: "stress" },
				"body/title",
			],
			[
				"POST",
				"/api/v1/fellowship/groups",
				{ name: `${blank}\u00AD\u200E`, group_type: "interest" },
				"body/name",
			],
			["PATCH", "/api/v1/users/me", { display_name: blank }, "body/display_name"],
		];
		for (const [method, path, body, field] of attempts) {
			const problem = await expectProblem(await call(method, path, { token: person.token, body }), 422);
			expect(
				problem.errors?.map((error) => error.field),
				`${method} ${path}`,
			).toContain(field);
		}
	});
});

describe("visible text with invisible characters inside", () => {
	it("is accepted and stored as written: a post and a chat message over REST and WebSocket", async () => {
		const author = await signUp("zwsp-post");
		const post = await expectStatus<{ id: string; body: string }>(
			await call("POST", "/api/v1/flourish/posts", {
				token: author.token,
				body: { type: "text", body: VISIBLE_WITH_ZWSP },
			}),
			201,
		);
		expect(post.body).toBe(VISIBLE_WITH_ZWSP);

		const [alice, bob] = await connectedPair("zwsp-chat");
		const sent = await sendRest(alice, bob.id, VISIBLE_WITH_ZWSP);
		expect(sent.text).toBe(VISIBLE_WITH_ZWSP);
		const { client } = await openChat(alice, bob.id);
		client.send({ type: "message", client_message_id: "zwsp", text: VISIBLE_WITH_ZWSP });
		const ack = await client.takeType("ack");
		expect((ack.message as WireMessage).text).toBe(VISIBLE_WITH_ZWSP);
		client.close();
	});
});
