/**
 * @module teamup/access: who may know a project exists, see its members and discussions, and manage it.
 *
 * - 404 for what the caller may not know exists: spiritual without opt-in, `private` unless an active or
 *   invited member, hidden by moderation unless the caller manages it. Archived projects stay readable.
 * - Members and discussions: every signed-in user for `public` projects, active members otherwise.
 * - Managing: active owners and admins. A guardian passes every role check (the caller audit-logs it).
 */
import { and, eq, type SQL, sql } from "drizzle-orm";
import { type CurrentUser, isGuardian } from "../../core/accounts/current-user";
import { PUBLICLY_VISIBLE_STATUSES } from "../../core/moderation/screen";
import { seesSpiritual } from "../../core/spiritual";
import type { Db } from "../../db/client";
import {
	PROJECT_ROLES,
	type ProjectMemberRow,
	type ProjectRow,
	projectMembers,
	projects,
} from "../../db/tables/teamup";
import { conflict, forbidden, notFound } from "../../lib/problem";

export type ProjectRole = ProjectMemberRow["role"];

export interface ProjectAccess {
	project: ProjectRow;
	membership: ProjectMemberRow | undefined;
	viewer: CurrentUser | undefined;
}

/** owner 3 > admin 2 > member 1. */
export const roleRank = (role: ProjectRole): number => PROJECT_ROLES.length - PROJECT_ROLES.indexOf(role);

export const isActive = (membership: ProjectMemberRow | undefined) => membership?.status === "active";

export const holdsManagerRole = (membership: ProjectMemberRow | undefined) =>
	isActive(membership) && membership?.role !== "member";

export const isPubliclyVisible = (status: ProjectRow["moderationStatus"]) =>
	(PUBLICLY_VISIBLE_STATUSES as readonly string[]).includes(status);

/** The listed-projects conditions, exactly as the partial indexes state them (see tables.ts). */
export const listedProject = (): SQL =>
	sql`${projects.visibility} <> 'private' AND ${projects.archivedAt} IS NULL`;
export const listedAnyStatus = (): SQL => sql`${projects.visibility} <> 'private'`;

export function mayKnow({ project, membership, viewer }: ProjectAccess): boolean {
	// The spiritual opt-in is a preference, not a permission: it holds for guardians too.
	if (project.isSpiritual && !seesSpiritual(viewer)) return false;
	if (viewer && isGuardian(viewer)) return true;
	if (!isPubliclyVisible(project.moderationStatus) && !holdsManagerRole(membership)) return false;
	if (project.visibility === "private")
		return membership?.status === "active" || membership?.status === "invited";
	return true;
}

/** The project and the caller's membership, or 404 when the caller may not know it exists. */
export async function loadProject(
	db: Db,
	viewer: CurrentUser | undefined,
	projectId: string,
): Promise<ProjectAccess> {
	let access: ProjectAccess | undefined;
	if (viewer) {
		const row = await db
			.select({ project: projects, membership: projectMembers })
			.from(projects)
			.leftJoin(
				projectMembers,
				and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, viewer.id)),
			)
			.where(eq(projects.id, projectId))
			.get();
		if (row) access = { project: row.project, membership: row.membership ?? undefined, viewer };
	} else {
		const project = await db.select().from(projects).where(eq(projects.id, projectId)).get();
		if (project) access = { project, membership: undefined, viewer };
	}
	if (!access || !mayKnow(access)) throw notFound("project");
	return access;
}

/** Members and discussions: public projects to every signed-in user, otherwise active members. */
export function mayReadContent(access: ProjectAccess): boolean {
	return (
		access.project.visibility === "public" ||
		isActive(access.membership) ||
		(access.viewer !== undefined && isGuardian(access.viewer))
	);
}

export function requireContentAccess(access: ProjectAccess): void {
	if (!mayReadContent(access)) throw forbidden("Only members of this project can see this.");
}

export function requireManager(access: ProjectAccess, what = "manage this project"): { asGuardian: boolean } {
	if (holdsManagerRole(access.membership)) return { asGuardian: false };
	if (access.viewer && isGuardian(access.viewer)) return { asGuardian: true };
	throw forbidden(`Only the project's owners and admins may ${what}.`);
}

export function requireOwner(access: ProjectAccess, what: string): { asGuardian: boolean } {
	if (isActive(access.membership) && access.membership?.role === "owner") return { asGuardian: false };
	if (access.viewer && isGuardian(access.viewer)) return { asGuardian: true };
	throw forbidden(`Only the project's owners may ${what}.`);
}

/** Archived projects are read-only. */
export function requireNotArchived(project: ProjectRow): void {
	if (project.archivedAt !== null) throw conflict("This project is archived and read-only.");
}
