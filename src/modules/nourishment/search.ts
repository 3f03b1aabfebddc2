/**
 * @module nourishment/search: which daily items a search may show — exactly those `GET /nourishment/{item_id}`
 * shows the caller (live; spiritual only with the opt-in; not before their date, the caller's local one) —
 * presented as that `GET` presents them.
 *
 * The caller's local date needs their time zone, which arrives with the search's first query (the matches):
 * matching uses the latest date it can be anywhere (UTC + 14 h), and presentation the exact one, so an item
 * whose day has come somewhere but not yet for the caller is dropped from the page rather than shown early
 * (and the search costs no extra round trip to read the caller first).
 */
import type { z } from "@hono/zod-openapi";
import { and, asc, eq, exists, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import { type CurrentUser, isGuardianInSql } from "../../core/accounts/current-user";
import { inJsonList } from "../../core/content-rules";
import type { KindSearch } from "../../core/search";
import { spiritualFilter } from "../../core/spiritual";
import type { Db } from "../../db/client";
import { nourishmentItems } from "../../db/tables/nourishment";
import { type ItemSchema, toItem } from "./schemas";
import { todayFor, visibleTo } from "./service";

/** The furthest ahead of UTC a time zone is (UTC+14:00, Kiribati). */
const LATEST_UTC_OFFSET_MS = 14 * 60 * 60 * 1000;

export function nourishmentSearch(
	db: Db,
	viewer: CurrentUser | undefined,
	now: Date,
): KindSearch<z.infer<typeof ItemSchema>> {
	const latestDate = viewer
		? new Date(now.getTime() + LATEST_UTC_OFFSET_MS).toISOString().slice(0, 10)
		: todayFor(undefined, now);
	// Built before the caller's row arrives, so the guardian's exception is asked in SQL.
	const mayMatch = and(
		isNull(nourishmentItems.deletedAt),
		spiritualFilter(viewer, nourishmentItems.isSpiritual),
		or(
			isNull(nourishmentItems.publishDate),
			lte(nourishmentItems.publishDate, latestDate),
			viewer ? isGuardianInSql(viewer.id) : undefined,
		),
	);
	return {
		kind: "nourishment",
		visible: (refId: SQL) =>
			exists(
				db
					.select({ one: sql`1` })
					.from(nourishmentItems)
					.where(and(eq(nourishmentItems.id, refId), mayMatch)),
			),
		present: (ids) => {
			const shown = visibleTo(viewer, todayFor(viewer, now));
			const read = db
				.select()
				.from(nourishmentItems)
				.where(and(inJsonList(nourishmentItems.id, ids), shown))
				.orderBy(asc(nourishmentItems.id));
			return {
				reads: [read],
				assemble: ([rows]) => new Map((rows as Awaited<typeof read>).map((row) => [row.id, toItem(row)])),
			};
		},
	};
}
