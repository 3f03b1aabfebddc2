/** @module db/client: the drizzle client over D1. */
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

const build = (d1: D1Database | D1DatabaseSession) =>
	// drizzle accepts a Sessions-API session (prepare/batch) where it expects a database.
	drizzle(d1 as D1Database, { schema });

export type Db = ReturnType<typeof build>;

/**
 * One client per D1 binding (or session) object, built once: `drizzle(…, { schema })` walks every table of
 * the schema to build its relational config, which cost more CPU than the rest of a simple request.
 */
const clients = new WeakMap<object, Db>();

export function createDb(d1: D1Database | D1DatabaseSession): Db {
	let db = clients.get(d1);
	if (!db) {
		db = build(d1);
		clients.set(d1, db);
	}
	return db;
}
