/**
 * @module orchard/visibility: blocks hide each side from the other everywhere. Features add these
 * conditions to their queries rather than re-implementing the rule.
 */
import { and, eq, notExists, or, type Placeholder, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../../db/client";
import { blocks } from "./tables";

const blockBetween = (db: Db, viewerId: string | Placeholder, other: SQLiteColumn | string) =>
	db
		.select({ id: blocks.id })
		.from(blocks)
		.where(
			or(
				and(eq(blocks.blockerId, viewerId), eq(blocks.blockedId, other)),
				and(eq(blocks.blockerId, other), eq(blocks.blockedId, viewerId)),
			),
		);

/** Rows whose `authorColumn` neither blocks nor is blocked by the viewer. */
export function notBlockedWith(db: Db, viewerId: string | Placeholder, authorColumn: SQLiteColumn): SQL {
	return notExists(blockBetween(db, viewerId, authorColumn));
}

/** True when either of the two users blocks the other. */
export async function isBlockedEitherWay(db: Db, a: string, b: string): Promise<boolean> {
	return (await blockBetween(db, a, b).limit(1).get()) !== undefined;
}
