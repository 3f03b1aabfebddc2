/**
 * Steps the push endpoint and delivery tests share: subscribing a receiver through the API, the posts and
 * comments that notify someone, notifications written straight to D1 (so no push job is queued for them and a
 * test can run the consumer itself), and a queue message whose ack and retry are recorded.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { notificationStatement } from "../../src/core/notifications";
import { createDb } from "../../src/db/client";
import type { NotificationType } from "../../src/db/tables/notifications";
import type { PushJob } from "../../src/lib/bindings";
import { call, expectStatus, type TestUser } from "../support/api";
import type { InboxMessage, Receiver } from "./helpers";

export interface SavedSubscription {
	id: string;
	endpoint: string;
	created_at: string;
}

export const subscribeBody = (receiver: Receiver, extra: Record<string, unknown> = {}) => ({
	...receiver.subscription,
	expirationTime: null,
	...extra,
});

/** Registers `receiver` for `user` (201). */
export async function subscribe(user: TestUser, receiver: Receiver): Promise<SavedSubscription> {
	return expectStatus<SavedSubscription>(
		await call("POST", "/api/v1/push/subscriptions", { token: user.token, body: subscribeBody(receiver) }),
		201,
	);
}

export async function mySubscriptions(user: TestUser) {
	const page = await expectStatus<{ data: Array<SavedSubscription & { expiration_time: number | null }> }>(
		await call("GET", "/api/v1/push/subscriptions", { token: user.token }),
		200,
	);
	return page.data;
}

export const subscriptionRows = async (userId: string) =>
	(
		await env.DB.prepare("SELECT id, endpoint FROM push_subscriptions WHERE user_id = ?")
			.bind(userId)
			.all<{ id: string; endpoint: string }>()
	).results;

export async function postOf(author: TestUser, body = "Morning pages, day twelve") {
	return expectStatus<{ id: string }>(
		await call("POST", "/api/v1/flourish/posts", {
			token: author.token,
			body: { type: "text", body, visibility: "public" },
		}),
		201,
	);
}

export async function commentOn(by: TestUser, postId: string, body = "Lovely, well done") {
	return expectStatus<{ id: string }>(
		await call("POST", `/api/v1/flourish/posts/${postId}/comments`, { token: by.token, body: { body } }),
		201,
	);
}

export type ListedNotification = { id: string; type: string; subject: { type: string; id: string } };

export async function notificationList(user: TestUser) {
	return (
		await expectStatus<{ data: ListedNotification[] }>(
			await call("GET", "/api/v1/notifications", { token: user.token }),
			200,
		)
	).data;
}

/**
 * A notification written straight to D1 as the app writes them (core/notifications), without a request: no
 * push job is queued for it, so the test decides when the consumer runs. Answers the job that pushes it.
 */
export async function writeNotification(
	recipientId: string,
	{
		type = "comment",
		actorId = null,
		subject = { type: "post", id: crypto.randomUUID() },
		at = new Date(),
	}: {
		type?: NotificationType;
		actorId?: string | null;
		subject?: { type: "post" | "report" | "event" | "habit"; id: string };
		at?: Date;
	} = {},
): Promise<{ job: PushJob; id: string }> {
	const db = createDb(env.DB);
	const statement = notificationStatement(
		db,
		{ type, recipientId, actorId, subject, groupKey: `push-test:${crypto.randomUUID()}` },
		at,
	);
	if (!statement) throw new Error("no notification statement");
	await db.batch([statement]);
	const row = await env.DB.prepare(
		"SELECT id FROM notifications WHERE user_id = ? AND subject_id = ? ORDER BY created_at DESC LIMIT 1",
	)
		.bind(recipientId, subject.id)
		.first<{ id: string }>();
	if (!row) throw new Error("the notification was not written");
	return { job: { push: "notifications", userId: recipientId, since: at.toISOString() }, id: row.id };
}

/** A queue message as the consumer sees it, recording what the consumer asked of the queue. */
export function fakeMessage(body: PushJob, attempts = 1) {
	const calls: Array<{ ack: true } | { retry: { delaySeconds?: number } }> = [];
	const message = {
		id: crypto.randomUUID(),
		timestamp: new Date(),
		body,
		attempts,
		ack: () => {
			calls.push({ ack: true });
		},
		retry: (options?: QueueRetryOptions) => {
			calls.push({
				retry: { ...(options?.delaySeconds !== undefined && { delaySeconds: options.delaySeconds }) },
			});
		},
	} as unknown as Message<PushJob>;
	return { message, calls };
}

/** The payload keys the service worker reads, and nothing else. */
export const PAYLOAD_KEYS = ["body", "notification_id", "tag", "title", "type", "url"];

export function expectWellFormedPush(message: InboxMessage | undefined) {
	expect(message).toBeDefined();
	const payload = message?.payload as Record<string, unknown>;
	expect(Object.keys(payload).sort()).toEqual(PAYLOAD_KEYS);
	expect(new TextEncoder().encode(message?.text ?? "").length).toBeLessThanOrEqual(3 * 1024);
	return payload;
}
