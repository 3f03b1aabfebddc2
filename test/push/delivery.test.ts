/**
 * Delivering pushes: notifications (through the notifications queue, after the request that wrote them) and
 * direct messages (when the recipient has no socket open), encrypted to each subscription of the person and
 * nobody else's, as their preferences allow. What the push service answers decides the rest: 2xx delivered
 * once, 404/410 the subscription deleted, 429/5xx retried (not before Retry-After), anything else dropped.
 *
 * The queue is Cloudflare's and its retry waits 30 s or more, so the retry tests run the consumer
 * (`consumePushJobs`, `deliverPushJob`) themselves, on notifications written straight to D1 (no job is queued
 * for those), with a message object that records ack and retry. Everything else is the real flow.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { consumePushJobs, deliverPushJob } from "../../src/modules/push";
import { retryDelaySeconds } from "../../src/modules/push/delivery";
import { ChatClient, connectedPair, type Frame, sendRest } from "../orchard/helpers";
import { call, expectStatus, ORIGIN, signUp, type TestUser } from "../support/api";
import { eventually } from "../support/eventually";
import {
	commentOn,
	expectWellFormedPush,
	fakeMessage,
	mySubscriptions,
	notificationList,
	postOf,
	subscribe,
	subscriptionRows,
	writeNotification,
} from "./flows";
import { newReceiver, PUSH_TEST_ORIGIN, pause, type Receiver } from "./helpers";

/** How long a negative test waits for a push that must not come (the consumer runs within a second or so). */
const QUIET_PERIOD_MS = 2_000;

const arrived = (receiver: Receiver, count = 1) =>
	eventually(receiver.inbox, (inbox) => inbox.messages.length >= count);

/** A person with one subscribed receiver. */
async function subscribed(label: string): Promise<{ user: TestUser; receiver: Receiver; id: string }> {
	const user = await signUp(label);
	const receiver = await newReceiver();
	const { id } = await subscribe(user, receiver);
	return { user, receiver, id };
}

/** `commenter` comments on a new post of `author`'s; answers the post, the comment and when it started. */
async function commentFor(author: TestUser, commenter: TestUser, text = "Lovely, well done") {
	const post = await postOf(author);
	const since = new Date();
	const comment = await commentOn(commenter, post.id, text);
	return { post, comment, since };
}

describe("what is never pushed", () => {
	it("a type whose push preference is off: in the list, not pushed", async () => {
		const { user: author, receiver } = await subscribed("push-pref-off");
		const commenter = await signUp("push-pref-off-c");
		await expectStatus(
			await call("PATCH", "/api/v1/notifications/preferences", {
				token: author.token,
				body: { types: { comment: { push: false } } },
			}),
			200,
		);
		const { post, since } = await commentFor(author, commenter);
		expect((await notificationList(author)).map((n) => n.subject)).toContainEqual({
			type: "post",
			id: post.id,
		});
		// The consumer, run here on the same job, pushes nothing; neither did the queue's run.
		const outcome = await deliverPushJob(env, {
			push: "notifications",
			userId: author.id,
			since: since.toISOString(),
		});
		expect(outcome).toEqual({ delivered: 0, removed: 0, failed: 0, retry: 0 });
		await pause(QUIET_PERIOD_MS);
		expect((await receiver.inbox()).messages).toEqual([]);
	});

	it("reactions, by default", async () => {
		const { user: author, receiver } = await subscribed("push-reaction");
		const fan = await signUp("push-reaction-fan");
		const post = await postOf(author);
		const since = new Date();
		await expectStatus(
			await call("PUT", `/api/v1/flourish/posts/${post.id}/reaction`, {
				token: fan.token,
				body: { reaction_type: "love" },
			}),
			200,
		);
		const listed = await eventually(
			() => notificationList(author),
			(list) => list.some((n) => n.type === "reaction"),
		);
		expect(listed.map((n) => n.type)).toContain("reaction");
		const outcome = await deliverPushJob(env, {
			push: "notifications",
			userId: author.id,
			since: since.toISOString(),
		});
		expect(outcome.delivered).toBe(0);
		await pause(QUIET_PERIOD_MS);
		expect((await receiver.inbox()).messages).toEqual([]);
	});

	it("someone else's subscription: a notification of mine reaches my devices only", async () => {
		const { user: author, receiver: mine } = await subscribed("push-mine");
		const { receiver: theirs } = await subscribed("push-theirs");
		const commenter = await signUp("push-mine-c");
		await commentFor(author, commenter);
		await arrived(mine);
		await pause(QUIET_PERIOD_MS / 2);
		expect((await mine.inbox()).messages).toHaveLength(1);
		expect((await theirs.inbox()).messages).toEqual([]);
	});

	it("a deleted account: its subscriptions go with it, and a job for it pushes nothing", async () => {
		const { user, receiver, id } = await subscribed("push-deleted");
		const { job } = await writeNotification(user.id, { actorId: (await signUp("push-deleted-a")).id });
		expect((await call("DELETE", "/api/v1/users/me", { token: user.token })).status).toBe(204);
		expect(await subscriptionRows(user.id)).toEqual([]);
		expect(await deliverPushJob(env, job)).toEqual({ delivered: 0, removed: 0, failed: 0, retry: 0 });
		// Even a subscription row left behind (a save racing the erasure) gets nothing.
		await env.DB.prepare(
			"INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, expiration_time, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)",
		)
			.bind(
				id,
				user.id,
				receiver.subscription.endpoint,
				receiver.subscription.keys.p256dh,
				receiver.subscription.keys.auth,
				new Date().toISOString(),
			)
			.run();
		await env.DB.prepare(
			"INSERT INTO notifications (id, user_id, type, subject_type, subject_id, group_key, actor_ids, actor_count, data, created_at, updated_at, read_at) VALUES (?, ?, 'comment', 'post', ?, ?, '[]', 0, '{}', ?, ?, NULL)",
		)
			.bind(
				crypto.randomUUID(),
				user.id,
				crypto.randomUUID(),
				`late:${crypto.randomUUID()}`,
				job.push === "notifications" ? job.since : "",
				job.push === "notifications" ? job.since : "",
			)
			.run();
		expect(await deliverPushJob(env, job)).toEqual({ delivered: 0, removed: 0, failed: 0, retry: 0 });
		expect(
			await deliverPushJob(env, {
				push: "message",
				userId: user.id,
				senderId: user.id,
				messageId: crypto.randomUUID(),
			}),
		).toEqual({ delivered: 0, removed: 0, failed: 0, retry: 0 });
		expect((await receiver.inbox()).messages).toEqual([]);
		await env.DB.prepare("DELETE FROM push_subscriptions WHERE id = ?").bind(id).run();
	});
});

describe("a notification, through the queue", () => {
	it("arrives encrypted: exactly { type, title, body, url, tag, notification_id }, with TTL, Urgency, Topic and a valid VAPID token", async () => {
		const { user: author, receiver } = await subscribed("push-author");
		const commenter = await signUp("push-commenter", { name: "Bea" });
		const secret = "my private words about the morning";
		const { post } = await commentFor(author, commenter, secret);
		const inbox = await arrived(receiver);
		expect(inbox.failures).toEqual([]);
		expect(inbox.messages).toHaveLength(1);
		const [message] = inbox.messages;
		const payload = expectWellFormedPush(message);
		const [listed] = (await notificationList(author)).filter((n) => n.type === "comment");
		expect(payload).toMatchObject({
			type: "comment",
			url: `/posts/${post.id}`,
			notification_id: listed?.id,
		});
		expect(typeof payload.title).toBe("string");
		expect(payload.body).toEqual(expect.stringContaining("commented"));
		expect(message?.text).not.toContain(secret);
		expect(typeof payload.tag).toBe("string");
		expect(message?.status).toBe(201);
		expect(message?.headers.ttl).toMatch(/^\d+$/);
		expect(Number(message?.headers.ttl)).toBeGreaterThan(0);
		expect(message?.headers.urgency).toBe("normal");
		expect(message?.headers.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
		expect(message?.headers.topic).toBe(payload.tag);
		// The topic never carries our ids.
		expect(message?.headers.topic).not.toContain(post.id.slice(0, 8));
		expect(message?.vapid.aud).toBe(PUSH_TEST_ORIGIN);
		expect(message?.vapid.sub).toBe("mailto:push@flourish.test");
		expect(message?.vapid.k).toBe(env.TEST_VAPID_PUBLIC_KEY);
		const nowSeconds = Date.now() / 1000;
		expect(message?.vapid.exp).toBeGreaterThan(nowSeconds);
		expect(message?.vapid.exp).toBeLessThanOrEqual(nowSeconds + 24 * 60 * 60);
	});

	it("reaches both of a person's subscriptions", async () => {
		const author = await signUp("push-two");
		const phone = await newReceiver();
		const laptop = await newReceiver();
		await subscribe(author, phone);
		await subscribe(author, laptop);
		await commentFor(author, await signUp("push-two-c"));
		for (const receiver of [phone, laptop]) {
			const inbox = await arrived(receiver);
			expect(inbox.messages).toHaveLength(1);
			expect(inbox.messages[0]?.payload).toMatchObject({ type: "comment" });
		}
	});

	it.each([410, 404])("a %i answer deletes the subscription, and nothing is retried", async (status) => {
		const { user: author, receiver } = await subscribed(`push-gone-${status}`);
		await receiver.answerWith(status);
		await commentFor(author, await signUp(`push-gone-${status}-c`));
		const remaining = await eventually(
			() => mySubscriptions(author),
			(list) => list.length === 0,
		);
		expect(remaining).toEqual([]);
		await pause(QUIET_PERIOD_MS / 2);
		expect((await receiver.inbox()).messages.map((m) => m.status)).toEqual([status]);
	});

	it("a redelivered job pushes nothing again (claims)", async () => {
		const { user: author, receiver } = await subscribed("push-redeliver");
		const { since } = await commentFor(author, await signUp("push-redeliver-c"));
		await arrived(receiver);
		const job = { push: "notifications", userId: author.id, since: since.toISOString() } as const;
		expect(await deliverPushJob(env, job)).toMatchObject({ delivered: 0, retry: 0 });
		expect((await receiver.inbox()).messages).toHaveLength(1);
	});
});

describe("the consumer and the push service's answers", () => {
	it("500 once, then 201: the job is retried (Retry-After honoured) and the push arrives exactly once", async () => {
		const { user, receiver } = await subscribed("push-retry");
		const { job, id } = await writeNotification(user.id, { actorId: (await signUp("push-retry-a")).id });
		await receiver.answerWith(500, "120");
		const first = fakeMessage(job, 1);
		await consumePushJobs([first.message], env);
		expect(first.calls).toEqual([{ retry: { delaySeconds: 120 } }]);
		expect((await receiver.inbox()).messages.map((m) => m.status)).toEqual([500]);
		expect((await mySubscriptions(user)).length).toBe(1);

		await receiver.answerWith(201);
		const second = fakeMessage(job, 2);
		await consumePushJobs([second.message], env);
		expect(second.calls).toEqual([{ ack: true }]);
		// A third delivery of the same message (the queue may deliver twice) pushes nothing.
		const third = fakeMessage(job, 3);
		await consumePushJobs([third.message], env);
		expect(third.calls).toEqual([{ ack: true }]);
		const inbox = await receiver.inbox();
		expect(inbox.messages.map((m) => m.status)).toEqual([500, 201]);
		expect(inbox.messages[1]?.payload).toMatchObject({ type: "comment", notification_id: id });
	});

	it("429 without Retry-After: retried after the backoff, growing with the attempts", async () => {
		const { user, receiver } = await subscribed("push-429");
		const { job } = await writeNotification(user.id, { actorId: (await signUp("push-429-a")).id });
		await receiver.answerWith(429);
		const delays: Array<number | undefined> = [];
		for (const attempts of [1, 2, 3]) {
			const { message, calls } = fakeMessage(job, attempts);
			await consumePushJobs([message], env);
			expect(calls).toHaveLength(1);
			const [call] = calls;
			expect(call && "retry" in call).toBe(true);
			delays.push(call && "retry" in call ? call.retry.delaySeconds : undefined);
		}
		expect(delays).toEqual([30, 60, 120]);
		// Retry-After shorter than the backoff: the backoff; longer: Retry-After; never over an hour.
		expect(retryDelaySeconds(2, 5)).toBe(60);
		expect(retryDelaySeconds(1, 300)).toBe(300);
		expect(retryDelaySeconds(20, 10)).toBe(3600);
		expect(retryDelaySeconds(1, 86_400)).toBe(3600);
		expect((await receiver.inbox()).messages.map((m) => m.status)).toEqual([429, 429, 429]);
		expect(await mySubscriptions(user)).toHaveLength(1);
	});

	it.each([400, 403])("a %i answer is not retried, and the subscription is kept", async (status) => {
		const { user, receiver, id } = await subscribed(`push-${status}`);
		const { job } = await writeNotification(user.id, { actorId: (await signUp(`push-${status}-a`)).id });
		await receiver.answerWith(status);
		const { message, calls } = fakeMessage(job);
		await consumePushJobs([message], env);
		expect(calls).toEqual([{ ack: true }]);
		expect((await mySubscriptions(user)).map((s) => s.id)).toEqual([id]);
		// Not sent again either, when the same job comes back.
		expect(await deliverPushJob(env, job)).toMatchObject({ delivered: 0, failed: 0, retry: 0 });
		expect((await receiver.inbox()).messages.map((m) => m.status)).toEqual([status]);
	});

	it("a comment behind ten reactions (not pushed) of the same job is still pushed", async () => {
		const { user, receiver } = await subscribed("push-busy");
		const actor = await signUp("push-busy-a");
		const at = new Date();
		for (let i = 0; i < 10; i++)
			await writeNotification(user.id, { type: "reaction", actorId: actor.id, at });
		const comment = await writeNotification(user.id, { actorId: actor.id, at: new Date(at.getTime() + 1) });
		const job = { push: "notifications", userId: user.id, since: at.toISOString() } as const;
		expect(await deliverPushJob(env, job)).toMatchObject({ delivered: 1, retry: 0 });
		expect((await receiver.inbox()).messages.map((m) => m.payload)).toEqual([
			expect.objectContaining({ type: "comment", notification_id: comment.id }),
		]);
	});

	it("the same job delivered twice pushes once", async () => {
		const { user, receiver } = await subscribed("push-twice");
		const { job } = await writeNotification(user.id, { actorId: (await signUp("push-twice-a")).id });
		const [a, b] = await Promise.all([deliverPushJob(env, job), deliverPushJob(env, job)]);
		expect((a?.delivered ?? 0) + (b?.delivered ?? 0)).toBe(1);
		expect(await deliverPushJob(env, job)).toMatchObject({ delivered: 0 });
		expect((await receiver.inbox()).messages).toHaveLength(1);
	});

	it("one answer per subscription: a gone one is deleted, a busy one retried, the good one delivered once", async () => {
		const user = await signUp("push-mixed");
		const good = await newReceiver();
		const gone = await newReceiver();
		const busy = await newReceiver();
		for (const receiver of [good, gone, busy]) await subscribe(user, receiver);
		await gone.answerWith(410);
		await busy.answerWith(503, "45");
		const { job } = await writeNotification(user.id, { actorId: (await signUp("push-mixed-a")).id });
		const first = fakeMessage(job, 1);
		await consumePushJobs([first.message], env);
		expect(first.calls).toEqual([{ retry: { delaySeconds: 45 } }]);
		expect((await mySubscriptions(user)).map((s) => s.endpoint).sort()).toEqual(
			[good.subscription.endpoint, busy.subscription.endpoint].sort(),
		);
		await busy.answerWith(201);
		const second = fakeMessage(job, 2);
		await consumePushJobs([second.message], env);
		expect(second.calls).toEqual([{ ack: true }]);
		expect((await good.inbox()).messages.map((m) => m.status)).toEqual([201]);
		expect((await busy.inbox()).messages.map((m) => m.status)).toEqual([503, 201]);
		expect((await gone.inbox()).messages.map((m) => m.status)).toEqual([410]);
	});
});

describe("direct messages", () => {
	const DM_TEXT = "meet me by the blue canal gate at six";

	async function openStream(user: TestUser): Promise<ChatClient> {
		const { ticket } = await expectStatus<{ ticket: string }>(
			await call("POST", "/api/v1/stream/tickets", { token: user.token }),
			201,
		);
		const response = await exports.default.fetch(
			new Request(`${ORIGIN}/api/v1/stream?ticket=${ticket}`, { headers: { Upgrade: "websocket" } }),
		);
		if (response.status !== 101 || !response.webSocket) throw new Error(`no stream: ${response.status}`);
		response.webSocket.accept();
		const client = new ChatClient(response.webSocket);
		await client.takeType("ready");
		return client;
	}

	/** Two connected people; the connection request is read, so only the message can be pushed. */
	async function pair(label: string) {
		const [sender, recipient] = await connectedPair(label);
		await expectStatus(
			await call("POST", "/api/v1/notifications/read", { token: recipient.token, body: { all: true } }),
			200,
		);
		return [sender, recipient] as const;
	}

	const pushedKeys = async (subscriptionId: string) =>
		(
			await env.DB.prepare("SELECT key FROM push_deliveries WHERE subscription_id = ?")
				.bind(subscriptionId)
				.all<{ key: string }>()
		).results.map((row) => row.key);

	it("to someone with no socket open: pushed as { type: 'message' }, who wrote but never what", async () => {
		const [sender, recipient] = await pair("push-dm");
		const receiver = await newReceiver();
		const { id } = await subscribe(recipient, receiver);
		const sent = await sendRest(sender, recipient.id, DM_TEXT);
		const inbox = await arrived(receiver);
		expect(inbox.failures).toEqual([]);
		expect(inbox.messages).toHaveLength(1);
		const payload = expectWellFormedPush(inbox.messages[0]);
		expect(payload).toMatchObject({ type: "message", notification_id: null, url: `/messages/${sender.id}` });
		for (const word of ["canal", "blue", "six"]) expect(inbox.messages[0]?.text).not.toContain(word);
		expect(inbox.messages[0]?.headers.urgency).toBe("high");
		expect(await pushedKeys(id)).toEqual([`m:${sent.id}`]);
	});

	it("to someone whose live stream is open: not pushed (the stream has it)", async () => {
		const [sender, recipient] = await pair("push-dm-live");
		const receiver = await newReceiver();
		const { id } = await subscribe(recipient, receiver);
		const stream = await openStream(recipient);
		try {
			const sent = await sendRest(sender, recipient.id, DM_TEXT);
			const frame: Frame = await stream.takeType("message");
			expect(frame.peer_id).toBe(sender.id);
			await pause(QUIET_PERIOD_MS);
			expect((await receiver.inbox()).messages).toEqual([]);
			expect(await pushedKeys(id)).not.toContain(`m:${sent.id}`);
		} finally {
			stream.close();
		}
	});
});
