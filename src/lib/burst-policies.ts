/**
 * @module burst-policies: the burst limits of the Workers Rate Limiting bindings (`[[ratelimits]]` in
 * wrangler.toml) as numbers the code can state (the binding reports none), the 429 problem they answer, and
 * the per-frame check the ChatRoom Durable Object makes. The HTTP middleware is `src/http/rate-limit.ts`.
 */
import type { PlatformBindings } from "./bindings";
import { logEvent } from "./log";

type LimiterBinding = {
	[K in keyof PlatformBindings]-?: PlatformBindings[K] extends RateLimit ? K : never;
}[keyof PlatformBindings];

/** One burst policy: its binding and the numbers configured for it in wrangler.toml. */
export interface BurstPolicy {
	/** The policy's name in `RateLimit-Policy` / `RateLimit`. */
	name: string;
	binding: LimiterBinding;
	/** Requests per period (as in wrangler.toml; the binding does not report it). */
	limit: number;
	/** Seconds; the Rate Limiting binding accepts only 10 or 60. */
	period: 10 | 60;
}

/** Signed-in writes per user: `USER_WRITE_LIMITER` in wrangler.toml. */
export const USER_WRITE_POLICY: BurstPolicy = {
	name: "user-writes",
	binding: "USER_WRITE_LIMITER",
	limit: 60,
	period: 60,
};

/** Requests without a token per client IP: `IP_READ_LIMITER` in wrangler.toml. */
export const ANONYMOUS_POLICY: BurstPolicy = {
	name: "anonymous",
	binding: "IP_READ_LIMITER",
	limit: 300,
	period: 60,
};

/** Frames per user over chat WebSockets (every frame but ping): `CHAT_MESSAGE_LIMITER` in wrangler.toml. */
export const CHAT_FRAME_POLICY: BurstPolicy = {
	name: "chat-frames",
	binding: "CHAT_MESSAGE_LIMITER",
	limit: 30,
	period: 10,
};

/**
 * `POST /moderation/check` per account (`MODERATION_CHECK_USER_LIMITER`): it answers the model's scores, so
 * an attacker can tune a text until it passes. Far below other reads, and per IP as well (next policy), so
 * many accounts on one address do not multiply it.
 */
export const MODERATION_CHECK_USER_POLICY: BurstPolicy = {
	name: "moderation-check-user",
	binding: "MODERATION_CHECK_USER_LIMITER",
	limit: 10,
	period: 60,
};

/** `POST /moderation/check` per client IP (`MODERATION_CHECK_IP_LIMITER`): room for a few people behind one NAT. */
export const MODERATION_CHECK_IP_POLICY: BurstPolicy = {
	name: "moderation-check-ip",
	binding: "MODERATION_CHECK_IP_LIMITER",
	limit: 30,
	period: 60,
};

/** `POST /push/test` per account (`PUSH_TEST_USER_LIMITER`): each call is a request to every device's push service. */
export const PUSH_TEST_USER_POLICY: BurstPolicy = {
	name: "push-test-user",
	binding: "PUSH_TEST_USER_LIMITER",
	limit: 5,
	period: 60,
};

/** `POST /push/test` per client IP (`PUSH_TEST_IP_LIMITER`). */
export const PUSH_TEST_IP_POLICY: BurstPolicy = {
	name: "push-test-ip",
	binding: "PUSH_TEST_IP_LIMITER",
	limit: 20,
	period: 60,
};

/** For the ChatRoom: may `userId` send one more WebSocket frame now? A limiter that throws says yes. */
export async function allowChatFrame(
	env: Pick<PlatformBindings, "CHAT_MESSAGE_LIMITER">,
	userId: string,
): Promise<boolean> {
	try {
		return (await env.CHAT_MESSAGE_LIMITER.limit({ key: userId })).success;
	} catch (error) {
		logEvent("warn", "rate_limiter_unavailable", {
			policy: CHAT_FRAME_POLICY.name,
			error: error instanceof Error ? error.name : "unknown",
		});
		return true;
	}
}
