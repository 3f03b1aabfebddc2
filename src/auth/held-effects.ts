/**
 * @module auth/held-effects: the bindings of a request whose caller has not been judged yet, with every
 * effect outside D1 held until they have been (D1 writes are held by db/session itself).
 *
 * A remembered caller's request goes on before their row has arrived (core/accounts/remembered-callers).
 * Reads may run ahead — nothing they find is handed back before the verdict — but nothing may be changed
 * on behalf of someone the rule would refuse: a message sent through a chat room, an RSVP, a poke, a queued
 * push, a KV write. Each such call first waits for `verdict()` (which sends the caller's row alone if no
 * query has carried it yet) and fails with its refusal. The ML Worker and the rate limiters are left as they
 * are: a screen or a count changes nothing a person owns.
 */
import type { Bindings } from "../env";

type Verdict = () => Promise<void>;

/** `target` with the named methods (or, without names, every method) waiting for the verdict first. */
function held<T extends object>(target: T, verdict: Verdict, methods?: ReadonlySet<PropertyKey>): T {
	return new Proxy(target, {
		get(object, key) {
			const value = Reflect.get(object, key);
			if (typeof value !== "function" || key === "then") return value;
			if (methods && !methods.has(key)) return value.bind(object);
			// Reflect.apply: on a Durable Object stub every property, `apply` included, is a remote method.
			return async (...args: unknown[]) => {
				await verdict();
				return Reflect.apply(value, object, args);
			};
		},
	});
}

/** A Durable Object namespace whose stubs call their object only after the verdict. */
function heldNamespace<T extends object>(namespace: T, verdict: Verdict): T {
	return new Proxy(namespace, {
		get(object, key) {
			const value = Reflect.get(object, key);
			if (typeof value !== "function") return value;
			if (key === "get" || key === "getByName") {
				return (...args: unknown[]) => held(Reflect.apply(value, object, args) as object, verdict);
			}
			return value.bind(object);
		},
	});
}

const QUEUE_EFFECTS = new Set<PropertyKey>(["send", "sendBatch"]);
const KV_EFFECTS = new Set<PropertyKey>(["put", "delete"]);
const R2_EFFECTS = new Set<PropertyKey>(["put", "delete", "createMultipartUpload"]);

/** `env` with its effects held until `verdict()` has accepted the caller. */
export function holdEffectsUntil(env: Bindings, verdict: Verdict): Bindings {
	return {
		...env,
		CHAT_ROOM: heldNamespace(env.CHAT_ROOM, verdict),
		EVENT_RSVP: heldNamespace(env.EVENT_RSVP, verdict),
		PERSON_STREAM: heldNamespace(env.PERSON_STREAM, verdict),
		NOTIFY_QUEUE: held(env.NOTIFY_QUEUE, verdict, QUEUE_EFFECTS),
		CACHE: held(env.CACHE, verdict, KV_EFFECTS),
		MEDIA: held(env.MEDIA, verdict, R2_EFFECTS),
	};
}
