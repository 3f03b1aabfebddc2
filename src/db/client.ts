/** @module db/client: the drizzle client over D1. */
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";
import { sessionAware } from "./session";

const build = (d1: D1Database) => drizzle(d1, { schema });

export type Db = ReturnType<typeof build>;

/**
 * One client per D1 binding, built once: `drizzle(…, { schema })` walks every table of the schema to build
 * its relational config, which cost more CPU than the rest of a simple request. The client runs over the
 * binding's session-aware face (db/session), so its queries run in the current scope's D1 session.
 */
const clients = new WeakMap<object, Db>();

export function createDb(binding: D1Database): Db {
	const d1 = sessionAware(binding);
	let db = clients.get(d1);
	if (!db) {
		db = build(d1);
		clients.set(d1, db);
	}
	return db;
}
