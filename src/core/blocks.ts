/**
 * @module core/blocks: blocks hide each side from the other everywhere. Features add these
 * conditions to their queries rather than re-implementing the rule.
 */
import { and, eq, notExists, or, type Placeholder, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { blocks } from "../db/tables/orchard";

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

/** True when `blockedId` is blocked by `blockerId` (one direction only). */
export async function isBlockedBy(db: Db, blockedId: string, blockerId: string): Promise<boolean> {
	const row = await db
		.select({ id: blocks.id })
		.from(blocks)
		.where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId)))
		.limit(1)
		.get();
	return row !== undefined;
}
