/**
 * @module push/send: sending pushes to a person's subscriptions and acting on the answers. Each push to each
 * subscription is claimed first (push_deliveries, one conditional INSERT for all of them), so a queue message
 * delivered twice, or two consumers at once, push it once; a claim is released only when the push service
 * asks for a retry. Then:
 * - 2xx: delivered;
 * - 404, 410, or a subscription that can never be sent to (its endpoint no longer passes the allowlist, its
 *   keys are broken, it has expired): the subscription is deleted;
 * - 429, 5xx, a network failure: retried later (the caller re-queues), not before `Retry-After`;
 * - anything else (400, 401/403, 413, a redirect): logged, never retried — it would be refused again.
 */
import { eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type PushSubscriptionRow, pushDeliveries, pushSubscriptions } from "../../db/tables/push";
import type { PlatformBindings } from "../../lib/bindings";
import { logEvent } from "../../lib/log";
import { buildPushRequest, classifyPushAnswer, WebPushError } from "../../lib/web-push";
import type { PreparedPush } from "./payload";

/** A push service that does not answer within this long is treated as a 5xx (retried). */
const SEND_TIMEOUT_MS = 10_000;

export interface Push {
	/** What is pushed, the same for every attempt (`n:<notification id>:<updated_at>`, `m:<message id>`). */
	key: string;
	prepared: PreparedPush;
}

export interface SendOutcome {
	/** Pushes the push services accepted. */
	delivered: number;
	/** Subscriptions deleted (gone, expired, undeliverable). */
	removed: number;
	/** Pushes refused for good (logged). */
	failed: number;
	/** Pushes to retry, and the longest `Retry-After` among them (seconds), if any said. */
	retry: number;
	retryAfter?: number;
}

export type PushEnv = Pick<
	PlatformBindings,
	"VAPID_PRIVATE_KEY" | "VAPID_SUBJECT" | "PUSH_ENDPOINT_ALLOWLIST"
>;

/** True when this deployment can push at all (a VAPID key and subject are set). */
export const canPush = (env: PushEnv) => Boolean(env.VAPID_PRIVATE_KEY && env.VAPID_SUBJECT);

/** Claims every (subscription, key) pair not claimed before; answers the pairs this call won. */
async function claim(db: Db, pairs: readonly { s: string; k: string }[], now: Date): Promise<Set<string>> {
	if (pairs.length === 0) return new Set();
	const won = await db
		.insert(pushDeliveries)
		.select(
			sql`SELECT json_extract(value, '$.s'), json_extract(value, '$.k'), ${now.toISOString()}
				FROM json_each(${JSON.stringify(pairs)}) WHERE true`,
		)
		.onConflictDoNothing()
		.returning({ subscriptionId: pushDeliveries.subscriptionId, key: pushDeliveries.key });
	return new Set(won.map((row) => `${row.subscriptionId} ${row.key}`));
}

type Attempt =
	| { outcome: "delivered" | "failed"; status?: number }
	| { outcome: "gone"; why: string }
	| { outcome: "retry"; retryAfter?: number };

async function attempt(env: PushEnv, subscription: PushSubscriptionRow, prepared: PreparedPush, now: Date) {
	let request: Awaited<ReturnType<typeof buildPushRequest>>;
	try {
		request = await buildPushRequest({
			subscription: {
				endpoint: subscription.endpoint,
				keys: { p256dh: subscription.p256dh, auth: subscription.auth },
			},
			payload: prepared.payload,
			options: prepared.options,
			vapid: { privateKey: env.VAPID_PRIVATE_KEY ?? "", subject: env.VAPID_SUBJECT ?? "" },
			allowlist: env.PUSH_ENDPOINT_ALLOWLIST ?? "",
			now: now.getTime(),
		});
	} catch (error) {
		if (
			error instanceof WebPushError &&
			(error.code === "bad-subscription" || error.code === "endpoint-refused")
		) {
			return { outcome: "gone", why: error.code } satisfies Attempt;
		}
		throw error;
	}
	try {
		const response = await fetch(request.url, { ...request, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
		// The body is never needed; read it so the connection is released.
		await response.arrayBuffer().catch(() => undefined);
		const answer = classifyPushAnswer(response, now.getTime());
		switch (answer.outcome) {
			case "delivered":
				return { outcome: "delivered", status: answer.status } satisfies Attempt;
			case "gone":
				return { outcome: "gone", why: String(answer.status) } satisfies Attempt;
			case "retry":
				return (
					answer.retryAfter === undefined
						? { outcome: "retry" }
						: { outcome: "retry", retryAfter: answer.retryAfter }
				) satisfies Attempt;
			case "failed":
				return { outcome: "failed", status: answer.status } satisfies Attempt;
		}
	} catch {
		// No answer (network, timeout): the push service may be down for a moment.
		return { outcome: "retry" } satisfies Attempt;
	}
}

/**
 * Sends each push to each subscription (`claimed: false`: no claims, e.g. a test push, which is new each
 * time). Deletes the subscriptions that are gone and releases the claims to retry, in one batch.
 */
export async function sendPushes(
	env: PushEnv,
	db: Db,
	subscriptions: readonly PushSubscriptionRow[],
	pushes: readonly Push[],
	now: Date,
	{ claimed = true }: { claimed?: boolean } = {},
): Promise<SendOutcome> {
	const outcome: SendOutcome = { delivered: 0, removed: 0, failed: 0, retry: 0 };
	const expired = new Set(
		subscriptions
			.filter((s) => s.expirationTime !== null && s.expirationTime <= now.getTime())
			.map((s) => s.id),
	);
	const live = subscriptions.filter((s) => !expired.has(s.id));
	const pairs = live.flatMap((subscription) => pushes.map((push) => ({ subscription, push })));
	const won = claimed
		? await claim(
				db,
				pairs.map(({ subscription, push }) => ({ s: subscription.id, k: push.key })),
				now,
			)
		: null;
	const todo = won
		? pairs.filter(({ subscription, push }) => won.has(`${subscription.id} ${push.key}`))
		: pairs;
	const attempts = await Promise.all(
		todo.map(async (pair) => ({
			...pair,
			result: await attempt(env, pair.subscription, pair.push.prepared, now),
		})),
	);
	const gone = new Set(expired);
	const release: { s: string; k: string }[] = [];
	for (const { subscription, push, result } of attempts) {
		switch (result.outcome) {
			case "delivered":
				outcome.delivered++;
				break;
			case "gone":
				gone.add(subscription.id);
				break;
			case "retry":
				outcome.retry++;
				if (result.retryAfter !== undefined) {
					outcome.retryAfter = Math.max(outcome.retryAfter ?? 0, result.retryAfter);
				}
				release.push({ s: subscription.id, k: push.key });
				break;
			case "failed":
				outcome.failed++;
				logEvent("warn", "push_refused", { status: result.status });
				break;
		}
	}
	outcome.removed = gone.size;
	const cleanup = [
		...(gone.size > 0 ? [db.delete(pushSubscriptions).where(inArray(pushSubscriptions.id, [...gone]))] : []),
		...(claimed && release.length > 0
			? [
					db.delete(pushDeliveries).where(
						sql`(${pushDeliveries.subscriptionId}, ${pushDeliveries.key}) IN
							(SELECT json_extract(value, '$.s'), json_extract(value, '$.k') FROM json_each(${JSON.stringify(release)}))`,
					),
				]
			: []),
	];
	const [first, ...rest] = cleanup;
	if (first) await db.batch([first, ...rest]);
	return outcome;
}

/** A person's subscriptions (at most MAX_SUBSCRIPTIONS), newest first. */
export const subscriptionsOf = (db: Db, userId: string) =>
	db
		.select()
		.from(pushSubscriptions)
		.where(eq(pushSubscriptions.userId, userId))
		.orderBy(sql`${pushSubscriptions.createdAt} DESC, ${pushSubscriptions.id} DESC`);
