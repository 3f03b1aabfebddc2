/**
 * @module bindings: the Worker's bindings and variables that every layer may name — all but the Durable
 * Object namespaces, which `src/env.ts` adds on top. Lower layers and the Durable Objects type their `env`
 * with these, so they never import `env.ts` (which imports the Durable Object classes).
 */
import type FlourishMl from "../../ml/src/index";

/** The flourish-ml Worker over Workers RPC; call it through `src/ml/client.ts` only. */
export type MlBinding = Service<FlourishMl>;

/** What the notifications queue carries: a fan-out to work on (its D1 row holds the rest; core/fan-outs). */
export interface FanOutMessage {
	fanOutId: string;
}

/**
 * A push to one person (core/push-jobs), on the same queue: their notifications that changed at or after
 * `since` (each pushed if its type's `push` preference is on; with `poke`, their live stream is told to look
 * too — a writer that notified many people at once leaves that to the queue), or a direct message sent to
 * them while none of their live streams was open.
 */
export type PushJob =
	| { push: "notifications"; userId: string; since: string; poke?: true }
	| { push: "message"; userId: string; senderId: string; messageId: string };

/** Everything the notifications queue carries. */
export type NotifyQueueMessage = FanOutMessage | PushJob;

export interface PlatformBindings {
	DB: D1Database;
	/** Notifications to many people (core/fan-outs) and pushes (core/push-jobs); consumed by this Worker's `queue` handler. */
	NOTIFY_QUEUE: Queue<NotifyQueueMessage>;
	CACHE: KVNamespace;
	/** Uploaded photos and videos (R2, bucket `flourish-media`): objects under random keys; their rows are in D1. */
	MEDIA: R2Bucket;
	/** The flourish-ml Worker over Workers RPC; call it through `src/ml/client.ts` only. */
	ML: MlBinding;
	USER_WRITE_LIMITER: RateLimit;
	IP_READ_LIMITER: RateLimit;
	SUPPORT_TOKEN_LIMITER: RateLimit;
	/** Per-user burst limit on chat WebSocket frames (used by the ChatRoom Durable Object). */
	CHAT_MESSAGE_LIMITER: RateLimit;
	/** `POST /moderation/check` per user and per client IP (an attacker could tune texts against it). */
	MODERATION_CHECK_USER_LIMITER: RateLimit;
	MODERATION_CHECK_IP_LIMITER: RateLimit;
	/** `POST /push/test` per user and per client IP. */
	PUSH_TEST_USER_LIMITER: RateLimit;
	PUSH_TEST_IP_LIMITER: RateLimit;

	AUTH0_DOMAIN: string;
	AUTH0_AUDIENCE: string;
	/** Overrides `https://{AUTH0_DOMAIN}/`, e.g. the local development issuer. */
	AUTH0_ISSUER?: string;
	/** Overrides `https://{AUTH0_DOMAIN}/.well-known/jwks.json`. */
	AUTH0_JWKS_URL?: string;
	/** Comma-separated list of browser origins allowed by CORS. */
	CORS_ORIGINS?: string;
	/** Optional JSON array replacing the default crisis resources (see src/core/moderation/crisis.ts). */
	CRISIS_RESOURCES?: string;
	/**
	 * Secret key (`wrangler secret put SUPPORT_HMAC_SECRET`) for counting anonymous support requests per user
	 * by an HMAC of the user id, so no stored value can be traced back to its author.
	 */
	SUPPORT_HMAC_SECRET: string;
	/**
	 * Web Push (src/lib/web-push): the VAPID private key (`wrangler secret put VAPID_PRIVATE_KEY`), the P-256
	 * private scalar as 43 characters of base64url (`npm run vapid:keys`). Without it nothing is pushed.
	 */
	VAPID_PRIVATE_KEY?: string;
	/** How push services reach the operator: `mailto:` address or `https:` URL (VAPID `sub`). */
	VAPID_SUBJECT?: string;
	/**
	 * Comma-separated origins push endpoints may have besides the browsers' push services (a port may be `*`):
	 * a local or test push service, e.g. `https://push.test`, `http://127.0.0.1:*`. Empty in production.
	 */
	PUSH_ENDPOINT_ALLOWLIST?: string;
}
