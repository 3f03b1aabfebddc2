/**
 * Instrumentation, not a mock: a D1 binding that counts what reaches the real local D1 and delegates every
 * call to it. A call is one request to the database: a statement's `run`/`all`/`first`/`raw` outside a
 * batch, one `batch` (however many statements it holds), or one `exec`; `roundTrips` counts the sequential
 * waits among them (calls sent together are one), which is what latency is made of. Sessions opened through
 * the binding (db/session) are counted the same way.
 * Pass `counter.db` to the Worker with `callWithConfig({ DB: counter.db }, …)`.
 * `executed` lists every statement that reached D1 (its SQL and bound values), for query-plan and
 * rows-read checks (test/budgets); `rowsRead` and `rowsWritten` sum D1's own `meta` of the results that carry
 * it (`run`, `all`, every statement of a `batch`).
 */

export interface D1Counter {
	db: D1Database;
	/**
	 * Sequential round trips: the longest chain of calls each of which started after the one before it had
	 * answered. Calls sent at the same time (a `Promise.all`, or the caller's row riding along with a
	 * request's first query) are one round trip: what a client far from D1 waits for.
	 */
	roundTrips: number;
	/** Calls that reached D1, concurrent or not. */
	calls: number;
	/** Statements prepared (including those later sent together in a batch). */
	prepared: number;
	/** Every statement that reached D1, alone or in a batch, in order. */
	executed: ExecutedStatement[];
	/** D1's `meta.rows_read`, summed over the results that report it. */
	rowsRead: number;
	/** D1's `meta.rows_written`, likewise. */
	rowsWritten: number;
	/** Where each D1 session opened through the binding started (`first-primary`, a bookmark, …). */
	sessions: string[];
	reset(): void;
}

export interface ExecutedStatement {
	sql: string;
	params: unknown[];
	/** Which round trip (1, 2, …) carried it. */
	roundTrip?: number;
	/** Where the session it ran in started, when it ran in one. */
	start?: string;
}

const EXECUTING = new Set<PropertyKey>(["run", "all", "first", "raw"]);

export function countingD1(real: D1Database): D1Counter {
	/** Each wrapped statement → the real one behind it (D1's batch() only takes its own objects). */
	const realStatements = new WeakMap<object, D1PreparedStatement>();
	/** Each wrapped statement → its SQL and bound values. */
	const described = new WeakMap<object, ExecutedStatement>();

	/** The depth (round trip number) of the deepest call that has answered. */
	let answeredDepth = 0;
	/** Starts a call: its round trip is one after the deepest that had answered when it was sent. */
	const begin = (): number => {
		const depth = answeredDepth + 1;
		counter.calls++;
		counter.roundTrips = Math.max(counter.roundTrips, depth);
		return depth;
	};
	const answered = <T>(depth: number, result: Promise<T>): Promise<T> =>
		result.finally(() => {
			answeredDepth = Math.max(answeredDepth, depth);
		});

	const counter: D1Counter = {
		db: real,
		roundTrips: 0,
		calls: 0,
		prepared: 0,
		executed: [],
		rowsRead: 0,
		rowsWritten: 0,
		sessions: [],
		reset() {
			counter.roundTrips = 0;
			counter.calls = 0;
			answeredDepth = 0;
			counter.prepared = 0;
			counter.executed = [];
			counter.rowsRead = 0;
			counter.rowsWritten = 0;
			counter.sessions = [];
		},
	};

	/** Adds a result's `meta` (when it has one) to the totals, and passes the result on. */
	const tally = <T>(result: T): T => {
		const meta = (result as { meta?: { rows_read?: number; rows_written?: number } } | null)?.meta;
		counter.rowsRead += meta?.rows_read ?? 0;
		counter.rowsWritten += meta?.rows_written ?? 0;
		return result;
	};

	const wrap = (statement: D1PreparedStatement, description: ExecutedStatement): D1PreparedStatement => {
		const wrapped = new Proxy(statement, {
			get(target, property) {
				const value = Reflect.get(target, property, target);
				if (typeof value !== "function") return value;
				if (property === "bind") {
					return (...values: unknown[]) => wrap(target.bind(...values), { ...description, params: values });
				}
				if (EXECUTING.has(property)) {
					return (...args: unknown[]) => {
						const depth = begin();
						counter.executed.push({ ...description, roundTrip: depth });
						const result = (value as (...a: unknown[]) => unknown).apply(target, args);
						return result instanceof Promise ? answered(depth, result.then(tally)) : result;
					};
				}
				return value.bind(target);
			},
		});
		realStatements.set(wrapped, statement);
		described.set(wrapped, description);
		return wrapped;
	};

	/** `target` (the binding, or one of its sessions) with every call that reaches D1 counted. */
	const instrument = <T extends D1Database | D1DatabaseSession>(target: T, start?: string): T =>
		new Proxy(target, {
			get(object, property) {
				const value = Reflect.get(object, property, object);
				if (property === "prepare") {
					return (query: string) => {
						counter.prepared++;
						return wrap(object.prepare(query), { sql: query, params: [], start });
					};
				}
				if (property === "batch") {
					return (statements: D1PreparedStatement[]) => {
						const depth = begin();
						for (const statement of statements) {
							const description = described.get(statement);
							if (description) counter.executed.push({ ...description, roundTrip: depth });
						}
						return answered(
							depth,
							object
								.batch(statements.map((statement) => realStatements.get(statement) ?? statement))
								.then((results) => results.map(tally)),
						);
					};
				}
				if (property === "exec" && "exec" in object) {
					return (query: string) => {
						const depth = begin();
						counter.executed.push({ sql: query, params: [], roundTrip: depth });
						return answered(depth, object.exec(query));
					};
				}
				// A request's session (db/session): its calls are counted the same way.
				if (property === "withSession" && "withSession" in object) {
					return (sessionStart?: string) => {
						counter.sessions.push(sessionStart ?? "first-unconstrained");
						return instrument(object.withSession(sessionStart), sessionStart ?? "first-unconstrained");
					};
				}
				return typeof value === "function" ? value.bind(object) : value;
			},
		});
	counter.db = instrument(real);
	return counter;
}
