/**
 * @module core/accounts/remembered-callers: a signed-in read without a round trip of its own for the caller.
 *
 * An account's id never changes for its Auth0 `sub` (a deleted account's row loses its `sub`; signing in
 * again makes a new account), so an isolate remembers `sub` → id. On a read by a remembered caller the
 * request goes on knowing only the id, and the caller's row — role, trust, suspension, which come from D1
 * only — rides along with the request's first D1 round trip (db/session `rideAlong`). Nothing the request
 * asked D1 is handed back, and nothing is written, before that row has arrived and the route's rule has
 * accepted it; a refusal fails the request then, as the guard would have before.
 *
 * Until the row arrives the caller is an object that knows only `id` and `auth0Sub`: reading any other field
 * then throws, so a handler that needs the role before its first query fails loudly in the tests instead of
 * deciding on nothing.
 */
import { fillPlaceholders, getTableColumns } from "drizzle-orm";
import type { Db } from "../../db/client";
import { inSession, openSession, type Rider } from "../../db/session";
import { type UserRow, users } from "../../db/tables/users";
import { BoundedMap } from "../../lib/bounded-map";
import { Problem } from "../../lib/problem";
import { callerRowQuery } from "./accounts";

/** `sub` → user id; 50,000 people at ≈ 100 bytes each stay well inside an isolate's memory. */
const knownIds = new BoundedMap<string, string>(50_000);

export const rememberCaller = (sub: string, id: string): void => knownIds.set(sub, id);
export const rememberedCallerId = (sub: string): string | undefined => knownIds.get(sub);
/** After an account is deleted: its `sub` signs in to a new account next time (other isolates find out then). */
export const forgetCaller = (sub: string): void => knownIds.delete(sub);

const FIELDS = new Set(Object.keys(getTableColumns(users)));

/** The caller known only by id until `fill` gives the row (see the module's note). */
function awaitingRow(id: string, sub: string): { user: UserRow; fill(row: UserRow): void } {
	let row: UserRow | undefined;
	const known: Record<string, string> = { id, auth0Sub: sub };
	const user = new Proxy({} as UserRow, {
		get(_, key) {
			if (row) return Reflect.get(row, key);
			if (typeof key === "string" && key in known) return known[key];
			if (typeof key === "string" && FIELDS.has(key)) {
				throw new Error(
					`the caller's ${key} was read before their row arrived (core/accounts/remembered-callers)`,
				);
			}
			return undefined;
		},
		has: (_, key) => (row ? key in row : typeof key === "string" && key in known),
		ownKeys: () => (row ? Reflect.ownKeys(row) : Object.keys(known)),
		getOwnPropertyDescriptor: (_, key) => {
			const source: object = row ?? known;
			return Object.hasOwn(source, key)
				? { value: Reflect.get(source, key), enumerable: true, configurable: true, writable: false }
				: undefined;
		},
	});
	return {
		user,
		fill: (arrived) => {
			row = arrived;
		},
	};
}

/** The answer when the remembered id is no longer this `sub`'s account: retrying starts afresh. */
const callerChanged = () =>
	new Problem(503, {
		detail: "Your account changed a moment ago (it was deleted or recreated); please retry.",
		kind: "caller-changed",
		headers: { "Retry-After": "0" },
	});

/** A deferred caller → their verdict (db/session `rideAlong`), which fills their row. */
const verdicts = new WeakMap<object, () => Promise<void>>();

/** Ties a deferred caller to the verdict of the round trip their row rides along with (auth/guards). */
export function verdictFor(user: UserRow, verdict: () => Promise<void>): void {
	verdicts.set(user, verdict);
}

/**
 * The caller with their whole row: at once when it was read first; for a remembered caller, once it has
 * arrived (sent alone if no round trip has carried it yet). For a write that needs the role or trust before
 * its first query (say, a limit that depends on trust): it costs the round trip the row would have cost anyway.
 */
export async function callerRow<T extends UserRow>(user: T): Promise<T> {
	await verdicts.get(user)?.();
	return user;
}

export interface DeferredCaller {
	/** The caller, by id only until their row has arrived. */
	user: UserRow;
	rider: Rider;
}

/**
 * A remembered caller whose row rides along with the request's first round trip; `refusal` is the route's
 * rule (a suspended caller, a role), run once the row is in. Undefined when this isolate does not know `sub`.
 */
export function deferCaller(
	db: Db,
	binding: D1Database,
	sub: string,
	refusal: (user: UserRow) => Problem | undefined,
): DeferredCaller | undefined {
	const id = rememberedCallerId(sub);
	if (id === undefined) return undefined;
	const { user, fill } = awaitingRow(id, sub);
	const query = callerRowQuery(db);
	const { sql, params } = query.getQuery();
	const values = fillPlaceholders(params, { sub });
	const rider: Rider = {
		statement: (session) => session.prepare(sql).bind(...values),
		async settle(result) {
			let row = (query.mapResult(result, true) as UserRow[])[0];
			// A copy that has not seen the account yet (made a moment ago, no bookmark sent): ask the primary.
			row ??= await inSession(binding, openSession(binding, "first-primary"), () => query.get({ sub }));
			if (!row || row.id !== id || row.deletedAt !== null) {
				knownIds.delete(sub);
				throw callerChanged();
			}
			fill(row);
			const refused = refusal(row);
			if (refused) throw refused;
		},
	};
	return { user, rider };
}
