/** @module db/client: the drizzle client over D1. */
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof createDb>;

export function createDb(d1: D1Database | D1DatabaseSession) {
	// drizzle accepts a Sessions-API session (prepare/batch) where it expects a database.
	return drizzle(d1 as D1Database, { schema });
}
