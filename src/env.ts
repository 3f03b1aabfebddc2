/** @module env: the Worker's bindings and per-request variables, typed once for every handler. */
import type { ChatRoom } from "../durable-objects/chat-room";
import type { EventRsvp } from "../durable-objects/event-rsvp";
import type FlourishMl from "../ml/src/index";
import type { CurrentUser } from "./auth/current-user";

export interface Bindings {
	DB: D1Database;
	CACHE: KVNamespace;
	CHAT_ROOM: DurableObjectNamespace<ChatRoom>;
	EVENT_RSVP: DurableObjectNamespace<EventRsvp>;
	/** The flourish-ml Worker over Workers RPC; call it through `src/ml/client.ts` only. */
	ML: Service<FlourishMl>;
	USER_WRITE_LIMITER: RateLimit;
	IP_READ_LIMITER: RateLimit;
	SUPPORT_TOKEN_LIMITER: RateLimit;
	/** Per-user burst limit on chat WebSocket frames (used by the ChatRoom Durable Object). */
	CHAT_MESSAGE_LIMITER: RateLimit;
	/** `POST /moderation/check` per user and per client IP (an attacker could tune texts against it). */
	MODERATION_CHECK_USER_LIMITER: RateLimit;
	MODERATION_CHECK_IP_LIMITER: RateLimit;

	AUTH0_DOMAIN: string;
	AUTH0_AUDIENCE: string;
	/** Overrides `https://{AUTH0_DOMAIN}/`, e.g. the local development issuer. */
	AUTH0_ISSUER?: string;
	/** Overrides `https://{AUTH0_DOMAIN}/.well-known/jwks.json`. */
	AUTH0_JWKS_URL?: string;
	/** Comma-separated list of browser origins allowed by CORS. */
	CORS_ORIGINS?: string;
	/** Optional JSON array replacing the default crisis resources (see src/moderation/crisis.ts). */
	CRISIS_RESOURCES?: string;
	/**
	 * Secret key (`wrangler secret put SUPPORT_HMAC_SECRET`) for counting anonymous support requests per user
	 * by an HMAC of the user id, so no stored value can be traced back to its author.
	 */
	SUPPORT_HMAC_SECRET: string;
}

export interface Variables {
	requestId: string;
	/** Set by `requireUser`/`optionalUser` once the token is verified and the D1 row resolved. */
	user: CurrentUser | undefined;
}

export interface AppEnv {
	Bindings: Bindings;
	Variables: Variables;
}
