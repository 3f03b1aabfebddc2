/**
 * @module sunlight/search: which shares a search may show — those `GET /sunlight/{share_id}` shows the caller,
 * but never one held or removed by moderation (not even to its author or a guardian) — presented as that
 * `GET` presents them. An anonymous share stays anonymous: its author is never read for anyone else, the
 * index holds only its text and its hour, and blocks do not hide it (a share missing for exactly the people
 * its author blocks would say who wrote it).
 */
import { and, asc, eq, exists, or, type SQL, sql } from "drizzle-orm";
import type { CurrentUser } from "../../core/accounts/current-user";
import { inJsonList, jsonListOf, publiclyVisible } from "../../core/content-rules";
import type { KindSearch } from "../../core/search";
import type { Db } from "../../db/client";
import { sunlightShares } from "../../db/tables/sunlight";
import { assemble, type Presentation, presentationQueries, type ShareView, sharesVisibleTo } from "./service";

const s = sunlightShares;

export function sunlightSearch(db: Db, viewer: CurrentUser): KindSearch<ShareView> {
	const shown = and(sharesVisibleTo(db, viewer), publiclyVisible(s.moderationStatus));
	return {
		kind: "sunlight",
		visible: (refId: SQL) =>
			exists(
				db
					.select({ one: sql`1` })
					.from(s)
					.where(and(eq(s.id, refId), shown)),
			),
		present: (ids) => {
			const found = and(inJsonList(s.id, ids), shown);
			const rows = db.select().from(s).where(found).orderBy(asc(s.id));
			// Authors only of the named shares (and my own): an anonymous author is never looked up for others.
			const named = jsonListOf(
				db
					.selectDistinct({ author_id: s.authorId })
					.from(s)
					.where(and(found, or(eq(s.isAnonymous, false), eq(s.authorId, viewer.id)))),
				"author_id",
			);
			return {
				reads: [rows, ...presentationQueries(db, viewer, ids, named)],
				assemble: ([shares, ...presentation]) => {
					const views = assemble(
						viewer,
						shares as Awaited<typeof rows>,
						presentation as unknown as Presentation,
					);
					return new Map(views.map((view) => [view.id, view]));
				},
			};
		},
	};
}
