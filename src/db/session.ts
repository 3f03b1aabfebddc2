/**
 * @module db/session: D1 read replication (the Sessions API) for code that does not need to know about it.
 *
 * A D1 session decides where its queries may run: `first-unconstrained` lets its first query use the nearest
 * replica, `first-primary` sends it to the primary, and a bookmark asks for a copy at least that new. Every
 * query after the first sees everything the session saw before (sequential consistency), and writes always
 * go to the primary.
 *
 * Every D1 binding is used through `sessionAware(binding)`: one stable object per binding — so the drizzle
 * client and the prepared queries built over it (db/client, db/prepared) stay cached per isolate — whose
 * statements run, when executed, in the session of the current scope (`inSession`): a request's. Outside
 * any scope a statement runs on the binding itself, which D1 sends to the primary — deliberately so for the
 * Durable Objects, the cron and the queue consumers (docs/decisions/read-replicas.md).
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** Where a session starts: a constraint, or a bookmark a client sent back. */
export type SessionStart = "first-primary" | "first-unconstrained" | D1SessionBookmark;

/** The header a client sends back (its latest) and every answer that touched D1 carries. */
export const BOOKMARK_HEADER = "X-D1-Bookmark";

/**
 * The shape of D1's bookmarks (`00000000-0000000a-00000000-…`: three 8-digit and one 32-digit hex group). A
 * header of any other shape is ignored: it is the client's, and D1 would take a garbage string as is.
 */
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

/** The client's bookmark when it has D1's shape, else undefined. */
export function validBookmark(header: string | undefined): D1SessionBookmark | undefined {
	return header !== undefined && BOOKMARK.test(header) ? header : undefined;
}

/**
 * A read that rides along with a scope's first round trip (the caller's user row: auth/guards), so that it
 * costs no wait of its own. Until it has answered and `settle` has accepted its result, no statement's result
 * is handed back and no statement that writes is sent: `settle` throwing (say, a suspended caller) fails the
 * request before anything it asked was seen or done.
 */
export interface Rider {
	/** The read, prepared on the scope's session. */
	statement(target: D1DatabaseSession): D1PreparedStatement;
	/** Judges the read's result; throws to refuse the request. */
	settle(result: D1Result): Promise<void>;
}

interface Scope {
	binding: D1Database;
	session: D1DatabaseSession;
	/** A rider not sent yet. */
	rider?: Rider;
	/** The rider's verdict, once it was sent. */
	settled?: Promise<void>;
}

const scopes = new AsyncLocalStorage<Scope>();

/** The raw binding behind a session-aware one (or the binding itself). */
const bindings = new WeakMap<object, D1Database>();
const raw = (d1: D1Database): D1Database => bindings.get(d1) ?? d1;

const scopeOf = (binding: D1Database): Scope | undefined => {
	const scope = scopes.getStore();
	return scope?.binding === binding ? scope : undefined;
};

/** A statement that only reads (a `SELECT`, or a `WITH` that names no write). Anything else counts as a write. */
const READ_ONLY = /^\s*(?:select\b|with\b(?![\s\S]*\b(?:insert|update|delete|replace)\b))/i;
export const readsOnly = (sql: string): boolean => READ_ONLY.test(sql);

/** Sends the rider alone: its verdict. */
function sendRider(scope: Scope, rider: Rider): Promise<void> {
	const settled = rider
		.statement(scope.session)
		.all()
		.then((result) => rider.settle(result));
	// Marked handled here; whoever waits on it still gets the refusal.
	settled.catch(() => undefined);
	scope.settled = settled;
	return settled;
}

/**
 * Runs one round trip in the current scope: `send` it on the session, with the rider (if one waits) riding
 * along, and the result handed back only once the rider's verdict is in. A write waits for the verdict
 * before it is sent.
 */
function roundTrip<T>(
	binding: D1Database,
	writes: boolean,
	send: (target: D1Database | D1DatabaseSession) => Promise<T>,
): Promise<T> {
	const scope = scopeOf(binding);
	if (!scope) return send(binding);
	const rider = scope.rider;
	scope.rider = undefined;
	const settled = rider ? sendRider(scope, rider) : scope.settled;
	if (!settled) return send(scope.session);
	if (writes) return settled.then(() => send(scope.session));
	return Promise.all([settled, send(scope.session)]).then(([, result]) => result);
}

type Bound = (target: D1Database | D1DatabaseSession) => D1PreparedStatement;

/**
 * A statement whose session is chosen when it runs, not when it is prepared: drizzle prepares hot queries
 * once per isolate (db/prepared), long before any request's session exists.
 */
class ScopedStatement {
	constructor(
		private readonly binding: D1Database,
		readonly sql: string,
		readonly build: Bound,
	) {}

	bind(...values: unknown[]): ScopedStatement {
		const build = this.build;
		return new ScopedStatement(this.binding, this.sql, (target) => build(target).bind(...values));
	}

	private send<T>(run: (statement: D1PreparedStatement) => Promise<T>): Promise<T> {
		return roundTrip(this.binding, !readsOnly(this.sql), (target) => run(this.build(target)));
	}

	first<T>(column?: string): Promise<T | null> {
		return this.send((statement) =>
			column === undefined ? statement.first<T>() : statement.first<T>(column),
		);
	}

	run<T>(): Promise<D1Result<T>> {
		return this.send((statement) => statement.run<T>());
	}

	all<T>(): Promise<D1Result<T>> {
		return this.send((statement) => statement.all<T>());
	}

	raw<T>(options?: { columnNames?: boolean }): Promise<unknown[]> {
		return this.send<unknown[]>((statement) =>
			options?.columnNames
				? statement.raw<T>({ columnNames: true })
				: statement.raw<T>({ columnNames: false }),
		);
	}
}

const adapters = new WeakMap<D1Database, D1Database>();

/**
 * `binding`, with its statements run in the current scope's session. One object per binding, so that
 * everything cached per D1 object stays cached; passing an adapter returns it unchanged.
 */
export function sessionAware(binding: D1Database): D1Database {
	if (bindings.has(binding)) return binding;
	let adapter = adapters.get(binding);
	if (!adapter) {
		const statementOf = (statement: D1PreparedStatement, target: D1Database | D1DatabaseSession) =>
			statement instanceof ScopedStatement ? statement.build(target) : statement;
		const made = {
			prepare: (query: string) =>
				new ScopedStatement(binding, query, (target) =>
					target.prepare(query),
				) as unknown as D1PreparedStatement,
			batch: <T>(statements: D1PreparedStatement[]) => {
				const writes = statements.some(
					(statement) => !(statement instanceof ScopedStatement) || !readsOnly(statement.sql),
				);
				const scope = scopeOf(binding);
				const rider = scope?.rider;
				if (scope && rider && !writes) {
					// A batch that only reads carries the rider inside it: still one round trip, one call.
					scope.rider = undefined;
					const sent = scope.session.batch<T>([
						rider.statement(scope.session),
						...statements.map((statement) => statementOf(statement, scope.session)),
					]);
					const settled = sent.then(([first]) => rider.settle(first as D1Result));
					settled.catch(() => undefined);
					scope.settled = settled;
					return Promise.all([settled, sent]).then(([, results]) => results.slice(1));
				}
				return roundTrip(binding, writes, (target) =>
					target.batch<T>(statements.map((statement) => statementOf(statement, target))),
				);
			},
			withSession: (start?: SessionStart) => binding.withSession(start),
			// Whole-script execution and dumps are for tooling; they go to the binding (the primary).
			exec: (query: string) => binding.exec(query),
			dump: () => binding.dump(),
		};
		adapter = made as unknown as D1Database;
		adapters.set(binding, adapter);
		bindings.set(adapter, binding);
	}
	return adapter;
}

/** A new session of `d1`'s database (an adapter's or a raw binding's). */
export function openSession(d1: D1Database, start: SessionStart): D1DatabaseSession {
	return raw(d1).withSession(start);
}

/**
 * Runs `work` with every statement of `d1` (through `sessionAware`, so through `createDb` too) in `session`,
 * including what `work` leaves running (`waitUntil`). Scopes of other bindings are not affected.
 */
export function inSession<T>(d1: D1Database, session: D1DatabaseSession, work: () => T): T {
	return scopes.run({ binding: raw(d1), session }, work);
}

/**
 * Has `rider` ride along with the first round trip of the current scope of `d1` (see `Rider`). The verdict:
 * `verdict()` sends the rider alone if no round trip has taken it yet, and answers its judgment.
 */
export function rideAlong(d1: D1Database, rider: Rider): { verdict(): Promise<void> } {
	const scope = scopeOf(raw(d1));
	if (!scope) throw new Error("rideAlong() outside a D1 session scope");
	scope.rider = rider;
	return {
		verdict: () => {
			const waiting = scope.rider;
			if (waiting) {
				scope.rider = undefined;
				return sendRider(scope, waiting);
			}
			return scope.settled ?? Promise.resolve();
		},
	};
}
