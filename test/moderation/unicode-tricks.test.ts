/**
 * Unicode tricks against moderation, end to end through the API, the real ML Worker and local D1: zero-width
 * and other format characters, look-alike letters from other scripts, fullwidth and mathematical letters,
 * and separators between single letters must not get a threat published or an urgent crisis text treated as
 * ordinary. The ML Worker reads a normalised copy; what the API stores and answers is the text exactly as
 * the person wrote it.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TRICKS } from "../../ml/test/tricks";
import { crisisResources } from "../../src/core/moderation/crisis";
import { createRequest } from "../anonymous-support/helpers";
import { createPost } from "../flourish/helpers";
import { signUp } from "../support/api";

/** A threat: written plainly, a post is hidden pending review (toxicity ≥ 0.9). */
const THREAT = "I will kill you, watch your back.";
/** A first-person plan to end one's life: written plainly, a support request is urgent. */
const CRISIS = "I want to end my life tonight. I have the pills ready.";
/** The request's title says nothing alarming: the crisis is only in the disguised body. */
const NEUTRAL_TITLE = "Checking in";

/** The UTF-8 bytes of a text, as hex: equal only if the text is stored and answered exactly as sent. */
const bytes = (text: string | undefined) =>
	Array.from(new TextEncoder().encode(text ?? ""), (byte) => byte.toString(16).padStart(2, "0")).join("");

async function postRow(id: string) {
	return env.DB.prepare("SELECT body, moderation_status FROM posts WHERE id = ?")
		.bind(id)
		.first<{ body: string; moderation_status: string }>();
}

async function supportRow(id: string) {
	return env.DB.prepare("SELECT title, body, is_urgent FROM support_requests WHERE id = ?")
		.bind(id)
		.first<{ title: string; body: string; is_urgent: number }>();
}

describe("the plain texts the tricks disguise", () => {
	it("hides the plain threat", async () => {
		const author = await signUp("tricks-plain-threat");
		const post = await createPost(author, { body: THREAT });
		expect(post.pending_review).toBe(true);
		expect((await postRow(post.id))?.moderation_status).toBe("hidden");
	});

	it("marks the plain crisis text urgent", async () => {
		const author = await signUp("tricks-plain-crisis");
		const created = await createRequest(author, {
			title: NEUTRAL_TITLE,
			body: CRISIS,
			category: "depression",
		});
		expect(created.request.is_urgent).toBe(true);
	});

	it("does not find a crisis in the neutral title alone", async () => {
		const author = await signUp("tricks-plain-title");
		const created = await createRequest(author, {
			title: NEUTRAL_TITLE,
			body: "Work was long today and I am looking forward to the weekend.",
		});
		expect(created.request.is_urgent).toBe(false);
	});
});

describe.each(Object.entries(TRICKS))("a text disguised with %s", (_name, trick) => {
	const threat = trick(THREAT);
	const crisis = trick(CRISIS);

	it("really is disguised (its code points differ from the plain text)", () => {
		expect(threat).not.toBe(THREAT);
		expect(crisis).not.toBe(CRISIS);
	});

	it("is hidden as a post, and stored and answered exactly as written", async () => {
		const author = await signUp("tricks-threat");
		const post = await createPost(author, { body: threat });
		const row = await postRow(post.id);
		expect(row?.moderation_status).toBe("hidden");
		expect(post.pending_review).toBe(true);
		expect(bytes(post.body)).toBe(bytes(threat));
		expect(bytes(row?.body)).toBe(bytes(threat));
	});

	it("is urgent as a support request, with crisis resources, and stored and answered exactly as written", async () => {
		const author = await signUp("tricks-crisis");
		const created = await createRequest(author, {
			title: NEUTRAL_TITLE,
			body: crisis,
			category: "depression",
		});
		expect(created.request.is_urgent).toBe(true);
		expect(created.crisis_resources?.map((resource) => resource.name)).toEqual(
			crisisResources(undefined, null).map((resource) => resource.name),
		);
		const row = await supportRow(created.request.id);
		expect(row?.is_urgent).toBe(1);
		expect(bytes(created.request.body)).toBe(bytes(crisis));
		expect(bytes(row?.body)).toBe(bytes(crisis));
		expect(row?.title).toBe(NEUTRAL_TITLE);
	});
});
