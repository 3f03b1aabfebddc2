/**
 * @module teamup/search: which projects a search may show — those the list shows the caller (public and
 * members-only ones; private ones only to their active or invited members), never archived (deleting a
 * project archives it), held or removed, and spiritual ones only with the opt-in — presented as the list
 * `GET /teamup/projects` presents them (the detail's first members are left to the project's own `GET`).
 */
import { and, asc, eq, exists, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { CurrentUser } from "../../core/accounts/current-user";
import { inJsonList, publiclyVisible } from "../../core/content-rules";
import type { KindSearch } from "../../core/search";
import { spiritualFilter } from "../../core/spiritual";
import type { Db } from "../../db/client";
import { type ProjectMemberRow, projectMembers, projects } from "../../db/tables/teamup";
import { presentProject } from "./projects";

type ProjectItem = ReturnType<typeof presentProject>;
const p = projects;

/**
 * The caller's membership of the project in the outer query, as JSON (role, status), or null. The outer id
 * is written out: drizzle writes a lone table's columns unqualified, and `id` would then be m's own.
 */
const myMembership = (viewerId: string) =>
	sql<
		string | null
	>`(SELECT json_object('role', m.role, 'status', m.status) FROM ${projectMembers} AS m WHERE m.project_id = "projects"."id" AND m.user_id = ${viewerId})`.as(
		"search_my_membership",
	);

export function projectSearch(db: Db, viewer: CurrentUser | undefined): KindSearch<ProjectItem> {
	const knownToMembers = viewer
		? exists(
				db
					.select({ one: sql`1` })
					.from(projectMembers)
					.where(
						and(
							eq(projectMembers.projectId, p.id),
							eq(projectMembers.userId, viewer.id),
							inArray(projectMembers.status, ["active", "invited"]),
						),
					),
			)
		: sql`0`;
	const shown = and(
		isNull(p.archivedAt),
		publiclyVisible(p.moderationStatus),
		spiritualFilter(viewer, p.isSpiritual),
		or(sql`${p.visibility} <> 'private'`, knownToMembers),
	);
	return {
		kind: "project",
		visible: (refId: SQL) =>
			exists(
				db
					.select({ one: sql`1` })
					.from(p)
					.where(and(eq(p.id, refId), shown)),
			),
		present: (ids) => {
			const read = db
				.select({
					project: p,
					membership: viewer ? myMembership(viewer.id) : sql<null>`NULL`.as("search_my_membership"),
				})
				.from(p)
				.where(and(inJsonList(p.id, ids), shown))
				.orderBy(asc(p.id));
			return {
				reads: [read],
				assemble: ([rows]) =>
					new Map(
						(rows as Awaited<typeof read>).map((row) => {
							const membership = row.membership
								? (JSON.parse(row.membership) as Pick<ProjectMemberRow, "role" | "status">)
								: undefined;
							return [row.project.id, presentProject(row.project, membership)];
						}),
					),
			};
		},
	};
}
