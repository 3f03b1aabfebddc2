/**
 * @module orchard/search: which Guides a search may show — those the directory shows the caller (verified:
 * role guide, trust good_soil or above, live, not suspended, no block either way) who accept mentees —
 * presented as the directory `GET /orchard/guides` presents them. Callers without a token find none, as
 * the directory is for signed-in people.
 */
import type { z } from "@hono/zod-openapi";
import { and, asc, eq, exists, type SQL, sql } from "drizzle-orm";
import type { CurrentUser } from "../../core/accounts/current-user";
import { inJsonList } from "../../core/content-rules";
import type { KindSearch } from "../../core/search";
import type { Db } from "../../db/client";
import { guideProfiles, users } from "../../db/tables/users";
import { activeMentees, type GuideRow, guideColumns, toGuide, verifiedGuide } from "./mentorships";
import type { Guide } from "./schemas";

export function guideSearch(db: Db, viewer: CurrentUser, now: Date): KindSearch<z.infer<typeof Guide>> {
	const shown = and(verifiedGuide(db, viewer.id, now), eq(guideProfiles.acceptingMentees, true));
	const guides = () =>
		db.select({ one: sql`1` }).from(users).innerJoin(guideProfiles, eq(guideProfiles.userId, users.id));
	return {
		kind: "guide",
		visible: (refId: SQL) => exists(guides().where(and(eq(users.id, refId), shown))),
		present: (ids) => {
			const read = db
				.select({
					...guideColumns,
					// Named: in a batch a row comes back keyed by column name.
					activeMentees: activeMentees(sql`${users.id}`).mapWith(Number).as("guide_active_mentees"),
				})
				.from(users)
				.innerJoin(guideProfiles, eq(guideProfiles.userId, users.id))
				.where(and(inJsonList(users.id, ids), shown))
				.orderBy(asc(users.id));
			return {
				reads: [read],
				assemble: ([rows]) => new Map((rows as GuideRow[]).map((row) => [row.userId, toGuide(row)])),
			};
		},
	};
}
