/**
 * @module teamup/projects: creating, reading, listing, editing and archiving projects.
 *
 * Lists merge two bounded queries, newest first: listed projects (public, members_only) through the
 * partial indexes of tables.ts, and the caller's own private (or moderation-hidden, when they manage them)
 * projects through their memberships.
 */
import { and, asc, desc, eq, inArray, isNull, lt, notInArray, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { unauthorized } from "../../auth/verify";
import type { CurrentUser } from "../../core/accounts/current-user";
import { auditStatement } from "../../core/moderation/audit";
import { type CallerCountry, crisisResources } from "../../core/moderation/crisis";
import { removalNotice } from "../../core/moderation/notices";
import { queueItemForContent } from "../../core/moderation/queue";
import { PUBLICLY_VISIBLE_STATUSES, screenText } from "../../core/moderation/screen";
import { requireSpiritualOptIn, spiritualFilter } from "../../core/spiritual";
import type { Db } from "../../db/client";
import {
	type ProjectMemberRow,
	type ProjectRow,
	projectContent,
	projectMembers,
	projects,
} from "../../db/tables/teamup";
import { users } from "../../db/tables/users";
import type { Bindings } from "../../env";
import { newId } from "../../lib/ids";
import { decodeCursor, encodeCursor } from "../../lib/pagination";
import { conflict } from "../../lib/problem";
import { matchesEveryWord } from "../../lib/search";
import {
	isPubliclyVisible,
	listedAnyStatus,
	listedProject,
	loadProject,
	mayReadContent,
	type ProjectAccess,
	requireManager,
	requireNotArchived,
	requireOwner,
} from "./access";
import { DETAIL_MEMBERS } from "./schemas";

const VISIBLE = [...PUBLICLY_VISIBLE_STATUSES];

export function presentProject(
	project: ProjectRow,
	membership: Pick<ProjectMemberRow, "role" | "status"> | undefined,
) {
	return {
		id: project.id,
		title: project.title,
		description: project.description,
		project_type: project.projectType,
		status: project.status,
		visibility: project.visibility,
		max_members: project.maxMembers,
		member_count: project.memberCount,
		is_spiritual: project.isSpiritual,
		created_by: project.ownerId,
		created_at: project.createdAt,
		updated_at: project.updatedAt,
		archived_at: project.archivedAt,
		my_membership: membership ? { role: membership.role, status: membership.status } : null,
		pending_review: !isPubliclyVisible(project.moderationStatus),
	};
}

export type MemberWithUser = {
	member: ProjectMemberRow;
	user: { id: string; displayName: string; avatarUrl: string | null };
};

export const presentMember = (row: MemberWithUser) => ({
	user: { id: row.user.id, display_name: row.user.displayName, avatar_url: row.user.avatarUrl },
	role: row.member.role,
	status: row.member.status,
	invited_by: row.member.invitedBy,
	since: row.member.createdAt,
	updated_at: row.member.updatedAt,
});

const memberUserFields = {
	// Aliased: in a D1 batch a row comes back keyed by column name, and the membership's own `id` would win.
	id: sql<string>`${users.id}`.as("member_user_id"),
	displayName: users.displayName,
	avatarUrl: users.avatarUrl,
};

/** The first DETAIL_MEMBERS + 1 active members, oldest first (the extra one tells there are more). */
const detailMembersQuery = (db: Db, projectId: string) =>
	db
		.select({ member: projectMembers, user: memberUserFields })
		.from(projectMembers)
		.innerJoin(users, eq(users.id, projectMembers.userId))
		.where(
			and(
				eq(projectMembers.projectId, projectId),
				eq(projectMembers.status, "active"),
				isNull(users.deletedAt),
			),
		)
		.orderBy(asc(projectMembers.id))
		.limit(DETAIL_MEMBERS + 1);

async function detailOf(db: Db, access: ProjectAccess, project: ProjectRow = access.project) {
	return detailFrom(
		access,
		project,
		mayReadContent(access) ? await detailMembersQuery(db, project.id) : null,
	);
}

/** The project's detail from its first members, read already (null: not mine to read). */
function detailFrom(access: ProjectAccess, project: ProjectRow, read: MemberWithUser[] | null) {
	const members = mayReadContent(access) ? read : null;
	return {
		...presentProject(project, access.membership),
		members: members ? members.slice(0, DETAIL_MEMBERS).map(presentMember) : null,
		members_truncated: members ? members.length > DETAIL_MEMBERS : false,
	};
}

const moderationText = (project: { title: string; description: string }) =>
	project.description ? `${project.title}\n\n${project.description}` : project.title;

export interface ProjectInput {
	title: string;
	description: string;
	project_type: ProjectRow["projectType"];
	status: "planning" | "active" | "completed";
	visibility: ProjectRow["visibility"];
	max_members: number | null;
	is_spiritual: boolean;
}

/**
 * Creates a project; the creator becomes its active owner in the same batch. `country`: the caller's
 * (http/crisis `callerCountry`), which orders the crisis resources of an urgent text.
 */
export async function createProject(
	db: Db,
	env: Bindings,
	country: CallerCountry,
	user: CurrentUser,
	input: ProjectInput,
) {
	await requireSpiritualOptIn(user, input.is_spiritual, "projects");
	const screening = await screenText(env, moderationText(input));
	const id = newId();
	const values = {
		id,
		ownerId: user.id,
		title: input.title,
		description: input.description,
		projectType: input.project_type,
		status: input.status,
		visibility: input.visibility,
		maxMembers: input.max_members,
		isSpiritual: input.is_spiritual,
		memberCount: 1,
		moderationStatus: screening.status,
		toxicityScore: screening.toxicity,
	};
	const queued = queueItemForContent(db, projectContent, values, screening);
	// The project, its owner and their membership, with the detail's members read back: one batch.
	const [[project], [membership], members] = await db.batch([
		db.insert(projects).values(values).returning(),
		db
			.insert(projectMembers)
			.values({ projectId: id, userId: user.id, role: "owner", status: "active" })
			.returning(),
		detailMembersQuery(db, id),
		...(queued ? [queued] : []),
	]);
	if (!project || !membership) throw new Error("project insert returned nothing");
	const detail = detailFrom({ project, membership, viewer: user }, project, members);
	return {
		...detail,
		...(screening.urgent ? { crisis_resources: crisisResources(env.CRISIS_RESOURCES, country) } : {}),
	};
}

export async function getProject(db: Db, viewer: CurrentUser | undefined, projectId: string) {
	return detailOf(db, await loadProject(db, viewer, projectId));
}

export type ProjectChanges = Partial<ProjectInput>;

export async function updateProject(
	db: Db,
	env: Bindings,
	user: CurrentUser,
	projectId: string,
	changes: ProjectChanges,
) {
	const access = await loadProject(db, user, projectId);
	const { asGuardian } = requireManager(access, "edit the project");
	const { project } = access;
	requireNotArchived(project);
	if (changes.visibility !== undefined && changes.visibility !== project.visibility) {
		requireOwner(access, "change the project's visibility");
	}
	await requireSpiritualOptIn(user, changes.is_spiritual, "projects");
	if (changes.max_members != null && changes.max_members < project.memberCount) {
		throw conflict(
			`The project already has ${project.memberCount} active members; max_members cannot be lower.`,
		);
	}
	const next = {
		title: changes.title ?? project.title,
		description: changes.description ?? project.description,
	};
	const textChanged = next.title !== project.title || next.description !== project.description;
	const screening = textChanged ? await screenText(env, moderationText(next)) : undefined;
	const keepStatus = !isPubliclyVisible(project.moderationStatus);
	const queued = screening
		? queueItemForContent(db, projectContent, { ...project, ...next }, screening)
		: null;
	// The edit and the detail's members read back: one batch.
	const [[updated], members] = await db.batch([
		db
			.update(projects)
			.set({
				...next,
				...(changes.project_type !== undefined ? { projectType: changes.project_type } : {}),
				...(changes.status !== undefined ? { status: changes.status } : {}),
				...(changes.visibility !== undefined ? { visibility: changes.visibility } : {}),
				...(changes.max_members !== undefined ? { maxMembers: changes.max_members } : {}),
				...(changes.is_spiritual !== undefined ? { isSpiritual: changes.is_spiritual } : {}),
				...(screening && !keepStatus
					? { moderationStatus: screening.status, toxicityScore: screening.toxicity }
					: {}),
			})
			.where(
				and(
					eq(projects.id, project.id),
					isNull(projects.archivedAt),
					// Checked again in the write: a join racing this edit cannot end above the new cap.
					changes.max_members != null ? sql`${projects.memberCount} <= ${changes.max_members}` : undefined,
				),
			)
			.returning(),
		detailMembersQuery(db, project.id),
		...(queued ? [queued] : []),
		...(asGuardian
			? [
					auditStatement(db, {
						actorId: user.id,
						action: "edit_content",
						targetType: "project",
						targetId: project.id,
						targetUserId: project.ownerId,
						details: { fields: Object.keys(changes) },
					}),
				]
			: []),
	]);
	if (!updated) throw conflict("The project changed meanwhile; reload it and try again.");
	return detailFrom(access, updated, members);
}

/** Deleting archives: status `archived`, read-only, kept for its members. An owner, or a guardian (audit-logged). */
export async function archiveProject(db: Db, user: CurrentUser, projectId: string): Promise<void> {
	const access = await loadProject(db, user, projectId);
	const { asGuardian } = requireOwner(access, "delete the project");
	if (access.project.archivedAt !== null) return;
	const now = new Date().toISOString();
	await db.batch([
		db
			.update(projects)
			.set({ status: "archived", archivedAt: now })
			.where(and(eq(projects.id, projectId), isNull(projects.archivedAt))),
		// A guardian's archiving tells the project's owner (only if this archiving is the one that applied).
		...(asGuardian
			? removalNotice(
					db,
					"project",
					projectId,
					access.project.ownerId,
					user.id,
					now,
					sql`EXISTS (SELECT 1 FROM ${projects} WHERE ${projects.id} = ${projectId} AND ${projects.archivedAt} = ${now})`,
				)
			: []),
		...(asGuardian
			? [
					auditStatement(db, {
						actorId: user.id,
						action: "delete_content",
						targetType: "project",
						targetId: projectId,
						targetUserId: access.project.ownerId,
						details: { title: access.project.title, archived: true },
					}),
				]
			: []),
	]);
}

// ─── list ─────────────────────────────────────────────────────────────────────────────────────────

export interface ProjectListOptions {
	member?: "me" | undefined;
	project_type?: ProjectRow["projectType"] | undefined;
	status?: ProjectRow["status"] | undefined;
	q?: string | undefined;
	limit: number;
	cursor?: string | undefined;
}

const ProjectCursor = z.object({ id: z.string().max(64) });
const p = projects;

export async function listProjects(db: Db, viewer: CurrentUser | undefined, options: ProjectListOptions) {
	const after = decodeCursor(options.cursor, ProjectCursor);
	const filters: SQL[] = [];
	if (options.project_type) filters.push(eq(p.projectType, options.project_type));
	if (options.status) filters.push(eq(p.status, options.status));
	const spiritual = spiritualFilter(viewer, p.isSpiritual);
	if (spiritual) filters.push(spiritual);
	const search = matchesEveryWord(options.q, [p.title, p.description]);
	if (search) filters.push(search);
	if (after) filters.push(lt(p.id, after.id));
	const limit = options.limit + 1;
	if (options.member === "me") {
		if (!viewer)
			throw unauthorized("`member=me` needs a token: send one to list my projects.", "invalid_request");
		return pageOf(await myProjects(db, viewer, options, filters, limit), options.limit);
	}
	// With a status filter (archived included) the status index serves; otherwise the not-archived ones.
	const listed = and(
		options.status ? listedAnyStatus() : listedProject(),
		inArray(p.moderationStatus, VISIBLE),
		...filters,
	);
	const listedQuery = viewer
		? db
				.select({ project: p, membership: projectMembers })
				.from(p)
				.leftJoin(
					projectMembers,
					and(eq(projectMembers.projectId, p.id), eq(projectMembers.userId, viewer.id)),
				)
				.where(listed)
				.orderBy(desc(p.id))
				.limit(limit)
		: db.select({ project: p }).from(p).where(listed).orderBy(desc(p.id)).limit(limit);
	let rows: Array<{ project: ProjectRow; membership?: ProjectMemberRow | null }>;
	if (viewer) {
		const manager = and(
			eq(projectMembers.status, "active"),
			inArray(projectMembers.role, ["owner", "admin"]),
		);
		// Two concurrent reads, not one batch: drizzle mis-maps same-named columns of joins inside a batch.
		const [listedRows, mine] = await Promise.all([
			listedQuery,
			db
				.select({ project: p, membership: projectMembers })
				.from(projectMembers)
				.innerJoin(p, eq(p.id, projectMembers.projectId))
				.where(
					and(
						eq(projectMembers.userId, viewer.id),
						inArray(projectMembers.status, ["active", "invited"]),
						options.status ? undefined : isNull(p.archivedAt),
						or(
							and(eq(p.visibility, "private"), inArray(p.moderationStatus, VISIBLE)),
							and(manager, notInArray(p.moderationStatus, VISIBLE)),
						),
						...filters,
					),
				)
				.orderBy(desc(p.id))
				.limit(limit),
		]);
		rows = [...listedRows, ...mine];
	} else {
		rows = await listedQuery;
	}
	const seen = new Set<string>();
	const merged = rows
		.sort((a, b) => b.project.id.localeCompare(a.project.id))
		.filter((row) => !seen.has(row.project.id) && seen.add(row.project.id));
	return pageOf(merged, options.limit);
}

type ListRow = { project: ProjectRow; membership?: ProjectMemberRow | null };

/** Newest first, `limit + 1` rows in: the extra one only says there is a next page. */
function pageOf(rows: ListRow[], limit: number) {
	const page = rows.slice(0, limit);
	const last = page.at(-1);
	return {
		data: page.map((row) => presentProject(row.project, row.membership ?? undefined)),
		next_cursor: rows.length > limit && last ? encodeCursor({ id: last.project.id }) : null,
	};
}

/**
 * `member=me`: the projects the caller is an active member of, through their memberships; archived ones only
 * with a `status` filter, and one hidden by moderation only to its managers, as in the full list.
 */
function myProjects(
	db: Db,
	viewer: CurrentUser,
	options: ProjectListOptions,
	filters: SQL[],
	limit: number,
): Promise<ListRow[]> {
	return db
		.select({ project: p, membership: projectMembers })
		.from(projectMembers)
		.innerJoin(p, eq(p.id, projectMembers.projectId))
		.where(
			and(
				eq(projectMembers.userId, viewer.id),
				eq(projectMembers.status, "active"),
				options.status ? undefined : isNull(p.archivedAt),
				or(inArray(p.moderationStatus, VISIBLE), inArray(projectMembers.role, ["owner", "admin"])),
				...filters,
			),
		)
		.orderBy(desc(p.id))
		.limit(limit);
}
