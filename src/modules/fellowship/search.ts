/**
 * @module fellowship/search: which groups a search may show — those the lists show the caller (public and
 * private ones; secret ones only to their active or invited members), never deleted, held or removed, and
 * spiritual ones only with the opt-in — presented as `GET /fellowship/groups/{group_id}` presents them.
 */
import { and, asc, eq, exists, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { CurrentUser } from "../../core/accounts/current-user";
import { authorFromJson } from "../../core/authors";
import { inJsonList, publiclyVisible } from "../../core/content-rules";
import type { KindSearch } from "../../core/search";
import { spiritualFilter } from "../../core/spiritual";
import type { Db } from "../../db/client";
import {
	type FellowshipGroupRow,
	fellowshipGroups,
	type GroupMemberRow,
	groupMembers,
} from "../../db/tables/fellowship";
import { groupCreator } from "./access";
import { presentGroup } from "./groups";

type GroupItem = ReturnType<typeof presentGroup>;
const g = fellowshipGroups;

/**
 * The caller's membership of the group in the outer query, as JSON (role, status), or null. The outer id is
 * written out: drizzle writes a lone table's columns unqualified, and `id` would then be m's own.
 */
const myMembership = (viewerId: string) =>
	sql<
		string | null
	>`(SELECT json_object('role', m.role, 'status', m.status) FROM ${groupMembers} AS m WHERE m.group_id = "fellowship_groups"."id" AND m.user_id = ${viewerId})`.as(
		"search_my_membership",
	);

export function groupSearch(db: Db, viewer: CurrentUser | undefined): KindSearch<GroupItem> {
	const knownToMembers = viewer
		? exists(
				db
					.select({ one: sql`1` })
					.from(groupMembers)
					.where(
						and(
							eq(groupMembers.groupId, g.id),
							eq(groupMembers.userId, viewer.id),
							inArray(groupMembers.status, ["active", "invited"]),
						),
					),
			)
		: sql`0`;
	const shown = and(
		isNull(g.deletedAt),
		publiclyVisible(g.moderationStatus),
		spiritualFilter(viewer, g.isSpiritual),
		or(sql`${g.visibility} <> 'secret'`, knownToMembers),
	);
	return {
		kind: "group",
		visible: (refId: SQL) =>
			exists(
				db
					.select({ one: sql`1` })
					.from(g)
					.where(and(eq(g.id, refId), shown)),
			),
		present: (ids) => {
			const read = db
				.select({
					group: g,
					creator: groupCreator(db, viewer),
					membership: viewer ? myMembership(viewer.id) : sql<null>`NULL`.as("search_my_membership"),
				})
				.from(g)
				.where(and(inJsonList(g.id, ids), shown))
				.orderBy(asc(g.id));
			return {
				reads: [read],
				assemble: ([rows]) =>
					new Map(
						(rows as Awaited<typeof read>).map((row) => {
							const membership = row.membership
								? (JSON.parse(row.membership) as Pick<GroupMemberRow, "role" | "status">)
								: undefined;
							const group: FellowshipGroupRow = row.group;
							return [group.id, presentGroup({ group, creator: authorFromJson(row.creator), membership })];
						}),
					),
			};
		},
	};
}
