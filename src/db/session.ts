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

interface Scope {
	binding: D1Database;
	session: D1DatabaseSession;
}

const scopes = new AsyncLocalStorage<Scope>();

/** The raw binding behind a session-aware one (or the binding itself). */
const bindings = new WeakMap<object, D1Database>();
const raw = (d1: D1Database): D1Database => bindings.get(d1) ?? d1;

/** The session `binding`'s statements run in now: the scope's, or the binding itself (the primary). */
function current(binding: D1Database): D1Database | D1DatabaseSession {
	const scope = scopes.getStore();
	return scope?.binding === binding ? scope.session : binding;
}

type Bound = (target: D1Database | D1DatabaseSession) => D1PreparedStatement;

/**
 * A statement whose session is chosen when it runs, not when it is prepared: drizzle prepares hot queries
 * once per isolate (db/prepared), long before any request's session exists.
 */
class ScopedStatement {
	constructor(
		private readonly binding: D1Database,
		readonly build: Bound,
	) {}

	bind(...values: unknown[]): ScopedStatement {
		const build = this.build;
		return new ScopedStatement(this.binding, (target) => build(target).bind(...values));
	}

	private now(): D1PreparedStatement {
		return this.build(current(this.binding));
	}

	first<T>(column?: string): Promise<T | null> {
		return column === undefined ? this.now().first<T>() : this.now().first<T>(column);
	}

	run<T>(): Promise<D1Result<T>> {
		return this.now().run<T>();
	}

	all<T>(): Promise<D1Result<T>> {
		return this.now().all<T>();
	}

	raw<T>(options?: { columnNames?: boolean }): Promise<unknown[]> {
		return options?.columnNames
			? this.now().raw<T>({ columnNames: true })
			: this.now().raw<T>({ columnNames: false });
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
				new ScopedStatement(binding, (target) => target.prepare(query)) as unknown as D1PreparedStatement,
			batch: <T>(statements: D1PreparedStatement[]) => {
				const target = current(binding);
				return target.batch<T>(statements.map((statement) => statementOf(statement, target)));
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
