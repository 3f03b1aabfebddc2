/**
 * @module db/prepared: hot queries built once per isolate instead of on every request.
 *
 * Building a drizzle query (turning the builder into SQL) walks every column and condition of it, and on
 * the busiest paths that walk cost more CPU than sending the statement to D1. A prepared query is built
 * once per client with `sql.placeholder(…)` where its values go, then only bound on each request.
 *
 * @example
 * const userBySub = preparedQuery((db) =>
 *   db.select().from(users).where(eq(users.auth0Sub, sql.placeholder("sub"))).prepare(),
 * );
 * const user = await userBySub(db).get({ sub });
 *
 * // Several in one D1 round trip:
 * const [authors, counts] = await batchPrepared(db, [
 *   [authorsById(db), { ids: JSON.stringify(authorIds) }],
 *   [reactionCounts(db), { targetType: "post", ids: JSON.stringify(postIds) }],
 * ]);
 */
import { fillPlaceholders } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { SQLitePreparedQuery } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/** A query prepared for one client; memoised per client (each D1 binding gets its own). */
export function preparedQuery<Q>(build: (db: Db) => Q): (db: Db) => Q {
	const prepared = new WeakMap<Db, Q>();
	return (db) => {
		let query = prepared.get(db);
		if (query === undefined) {
			query = build(db);
			prepared.set(db, query);
		}
		return query;
	};
}

// biome-ignore lint/suspicious/noExplicitAny: the config type is only read back through `all`'s result.
type AnyPrepared = SQLitePreparedQuery<any> & { all(values?: Record<string, unknown>): Promise<unknown> };

/** One prepared query and the values of its placeholders; `undefined` skips it (its rows are `[]`). */
export type BoundQuery = readonly [query: AnyPrepared, values: Record<string, unknown>] | undefined;

export type BatchRows<T extends readonly BoundQuery[]> = {
	[K in keyof T]: Awaited<ReturnType<NonNullable<T[K]>[0]["all"]>>;
};

/**
 * Runs prepared queries in one D1 batch (one round trip) and maps each result as its `all()` would; a
 * skipped entry (nothing to ask, e.g. no polls on the page) sends no statement and yields `[]`.
 * (drizzle's own `db.batch` rebuilds every query and does not fill placeholders.)
 */
export async function batchPrepared<const T extends readonly [BoundQuery, ...BoundQuery[]]>(
	db: Db,
	queries: T,
): Promise<BatchRows<T>> {
	const sent = queries.filter((entry) => entry !== undefined);
	const statements = sent.map(([query, values]) => {
		const { sql, params } = query.getQuery();
		return db.$client.prepare(sql).bind(...fillPlaceholders(params, values));
	});
	const results = statements.length > 0 ? await db.$client.batch(statements) : [];
	let next = 0;
	return queries.map((entry) => {
		if (entry === undefined) return [];
		const result = results[next++];
		return entry[0].mapResult(result, true);
	}) as BatchRows<T>;
}

/** Keeps each query's own row type in a list of bound queries built ahead of the batch that sends them. */
export const boundQueries = <const T extends readonly [BoundQuery, ...BoundQuery[]]>(queries: T): T =>
	queries;

type Writes = readonly [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];

/**
 * Drizzle queries (writes, typically), then prepared reads, in one D1 batch: one round trip, one
 * transaction, and the reads see the writes (an answer built from what was just written, without asking
 * again). Answers the queries' results as `db.batch` would and the reads' rows as `batchPrepared` would.
 */
export async function batchThenRead<const W extends Writes, const R extends readonly BoundQuery[]>(
	db: Db,
	writes: W,
	reads: R,
): Promise<[BatchResponse<W>, BatchRows<R>]> {
	// What drizzle's own `db.batch` does with each query: prepare it, send its SQL, map its result back.
	const preparedWrites = writes.map((query) => (query as unknown as { _prepare(): AnyPrepared })._prepare());
	const sentReads = reads.filter((entry) => entry !== undefined);
	const statements = [
		...preparedWrites.map((query) => {
			const { sql, params } = query.getQuery();
			return db.$client.prepare(sql).bind(...params);
		}),
		...sentReads.map(([query, values]) => {
			const { sql, params } = query.getQuery();
			return db.$client.prepare(sql).bind(...fillPlaceholders(params, values));
		}),
	];
	const results = await db.$client.batch(statements);
	const written = preparedWrites.map((query, i) => query.mapResult(results[i], true));
	let next = preparedWrites.length;
	const read = reads.map((entry) => {
		if (entry === undefined) return [];
		const result = results[next++];
		return entry[0].mapResult(result, true);
	});
	return [written as BatchResponse<W>, read as BatchRows<R>];
}

/**
 * Drizzle queries in one D1 batch (one round trip), answered as `db.batch` answers them; unlike `db.batch`,
 * raw statements with bound values (`db.all(sql\`… ${value}\`)`) may be among them.
 */
export async function batchQueries<const Q extends Writes>(db: Db, queries: Q): Promise<BatchResponse<Q>> {
	const [results] = await batchThenRead(db, queries, []);
	return results;
}
