/** End to end: a comment on my post reaches my subscribed browser, encrypted, through the queue. */
import { describe, expect, it } from "vitest";
import { call, expectStatus, signUp } from "../support/api";
import { newReceiver } from "./helpers";

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, seconds = 10): Promise<T> {
	const until = Date.now() + seconds * 1000;
	for (;;) {
		const value = await read();
		if (done(value) || Date.now() > until) return value;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

describe("push delivery", () => {
	it("pushes a comment notification to the post author's subscription", async () => {
		const author = await signUp("push-author");
		const commenter = await signUp("push-commenter");
		const receiver = await newReceiver();
		await expectStatus(
			await call("POST", "/api/v1/push/subscriptions", {
				token: author.token,
				body: { ...receiver.subscription, expirationTime: null },
			}),
			201,
		);
		const post = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/flourish/posts", {
				token: author.token,
				body: { type: "text", body: "Morning pages", visibility: "public" },
			}),
			201,
		);
		await expectStatus(
			await call("POST", `/api/v1/flourish/posts/${post.id}/comments`, {
				token: commenter.token,
				body: { body: "Lovely" },
			}),
			201,
		);
		const inbox = await eventually(receiver.inbox, (value) => value.messages.length > 0);
		expect(inbox.failures).toEqual([]);
		expect(inbox.messages).toHaveLength(1);
		expect(inbox.messages[0]?.payload).toMatchObject({ type: "comment", url: `/posts/${post.id}` });
	});
});
