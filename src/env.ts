/**
 * @module env: the Worker's bindings (the platform ones of `lib/bindings.ts` plus the Durable Object
 * namespaces) and per-request variables, typed once for every handler.
 */
import type { ChatRoom } from "../durable-objects/chat-room";
import type { EventRsvp } from "../durable-objects/event-rsvp";
import type { PersonStream } from "../durable-objects/person-stream";
import type { CurrentUser } from "./core/accounts/current-user";
import type { Db } from "./db/client";
import type { PlatformBindings } from "./lib/bindings";

export interface Bindings extends PlatformBindings {
	CHAT_ROOM: DurableObjectNamespace<ChatRoom>;
	EVENT_RSVP: DurableObjectNamespace<EventRsvp>;
	/** Each person's live stream (notifications, unread count, direct messages). */
	PERSON_STREAM: DurableObjectNamespace<PersonStream>;
	/** Workers Static Assets (wrangler.toml `[assets]`): the documentation UI's files, from pinned packages. */
	ASSETS: Fetcher;
}

export interface Variables {
	requestId: string;
	/** The request's D1 client and clock (`http/context`). */
	db: Db;
	now: Date;
	/** Set by `requireUser`/`optionalUser` once the token is verified and the D1 row resolved. */
	user: CurrentUser | undefined;
	/** The route's handler reads the caller's row before its first query (auth/guards `callerRowFirst`). */
	callerRowFirst: boolean | undefined;
	/** The route declared its answers sensitive: never kept on a device, never tagged (http/cache-control). */
	sensitiveAnswer: boolean | undefined;
}

export interface AppEnv {
	Bindings: Bindings;
	Variables: Variables;
}
