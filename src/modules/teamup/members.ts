/**
 * @module teamup/members: joining, requests, invitations, approval, roles, leaving and removal.
 *
 * - `public`: join at once. `members_only`: a request (`pending`) an owner or admin approves. `private`:
 *   invitation only; an invitation is accepted by joining.
 * - `max_members` holds under any concurrency: a seat is taken by one conditional statement
 *   (insert or update only while `member_count < max_members`), with `member_count` recounted from the
 *   rows in the same batch — D1 runs batches one at a time, so two joins can never take the last seat.
 * - Roles rank owner > admin > member. Admins approve, remove members and make members admins; owners do
 *   everything. The last active owner can neither leave nor be demoted (checked inside the write).
 * - The person invited is told in the invitation's batch (`project_invitation`). Requests to join a
 *   members_only project, approvals and removals tell no one (no such notification type yet).
 */
import { and, asc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { findVisibleUser } from "../../core/accounts/accounts";
import type { CurrentUser } from "../../core/accounts/current-user";
import { notBlockedWith } from "../../core/blocks";
import { auditStatement } from "../../core/moderation/audit";
import { notificationStatement } from "../../core/notifications";
import type { Db } from "../../db/client";
import { type ProjectMemberRow, projectMembers, projects } from "../../db/tables/teamup";
import { users } from "../../db/tables/users";
import { newId } from "../../lib/ids";
import { decodeCursor, toPage } from "../../lib/pagination";
import { conflict, forbidden, notFound } from "../../lib/problem";
import {
	loadProject,
	type ProjectAccess,
	requireContentAccess,
	requireManager,
	requireNotArchived,
} from "./access";
import { presentMember } from "./projects";

export const presentMembership = (row: ProjectMemberRow) => ({
	project_id: row.projectId,
	user_id: row.userId,
	role: row.role,
	status: row.status,
	invited_by: row.invitedBy,
	updated_at: row.updatedAt,
});

const recount = (db: Db, projectId: string) =>
	db
		.update(projects)
		.set({
			memberCount: sql`(SELECT count(*) FROM ${projectMembers} WHERE ${projectMembers.projectId} = ${projectId} AND ${projectMembers.status} = 'active')`,
			updatedAt: sql`${projects.updatedAt}`,
		})
		.where(eq(projects.id, projectId));

/** A seat is free in a project that is not archived. */
const seatFree = (projectId: string) =>
	sql`EXISTS (SELECT 1 FROM ${projects} WHERE ${projects.id} = ${projectId} AND ${projects.archivedAt} IS NULL AND (${projects.maxMembers} IS NULL OR ${projects.memberCount} < ${projects.maxMembers}))`;

const anotherOwner = (projectId: string, memberId: string) =>
	sql`EXISTS (SELECT 1 FROM ${projectMembers} AS other WHERE other.project_id = ${projectId} AND other.role = 'owner' AND other.status = 'active' AND other.id <> ${memberId})`;

/** Answers 409 before writing when the owner in question is the last one (the write re-checks it). */
async function requireAnotherOwner(db: Db, projectId: string, member: ProjectMemberRow, message: string) {
	const other = await db
		.select({ id: projectMembers.id })
		.from(projectMembers)
		.where(
			and(
				eq(projectMembers.projectId, projectId),
				eq(projectMembers.role, "owner"),
				eq(projectMembers.status, "active"),
				ne(projectMembers.id, member.id),
			),
		)
		.get();
	if (!other) throw conflict(message);
}

const findMember = (db: Db, projectId: string, userId: string) =>
	db
		.select()
		.from(projectMembers)
		.where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)))
		.get();

const fullProblem = () => conflict("The project is full (max_members reached).");

function auditMembership(
	db: Db,
	actor: CurrentUser,
	access: ProjectAccess,
	details: Record<string, unknown>,
) {
	return auditStatement(db, {
		actorId: actor.id,
		action: "edit_content",
		targetType: "project",
		targetId: access.project.id,
		targetUserId: typeof details.user_id === "string" ? details.user_id : null,
		details,
	});
}

/** Takes a seat for an existing row (`pending` or `invited` → `active`), or answers why not. */
async function activate(
	db: Db,
	member: ProjectMemberRow,
	extra: Array<ReturnType<typeof auditStatement>> = [],
) {
	const [[activated]] = await db.batch([
		db
			.update(projectMembers)
			.set({ status: "active" })
			.where(
				and(
					eq(projectMembers.id, member.id),
					eq(projectMembers.status, member.status),
					seatFree(member.projectId),
				),
			)
			.returning(),
		recount(db, member.projectId),
		...extra,
	]);
	if (activated) return activated;
	const now = await findMember(db, member.projectId, member.userId);
	if (now?.status === member.status) throw fullProblem();
	throw conflict("This membership changed meanwhile; reload and try again.");
}

/** Join a public project, request a members_only one, or accept an invitation. */
export async function joinProject(db: Db, user: CurrentUser, projectId: string) {
	const access = await loadProject(db, user, projectId);
	requireNotArchived(access.project);
	const current = access.membership;
	if (current?.status === "active") throw conflict("You are already a member of this project.");
	if (current?.status === "pending") throw conflict("Your request to join is already waiting for approval.");
	if (current?.status === "invited") return presentMembership(await activate(db, current));
	if (access.project.visibility === "private") throw notFound("project");
	if (access.project.visibility === "members_only") {
		const [requested] = await db
			.insert(projectMembers)
			.values({ projectId, userId: user.id, role: "member", status: "pending" })
			.onConflictDoNothing({ target: [projectMembers.projectId, projectMembers.userId] })
			.returning();
		if (!requested) throw conflict("You already have a membership in this project.");
		return presentMembership(requested);
	}
	const now = new Date().toISOString();
	const [[joined]] = await db.batch([
		db
			.insert(projectMembers)
			.select(
				sql`SELECT ${newId()}, ${projectId}, ${user.id}, 'member', 'active', NULL, ${now}, ${now} WHERE ${seatFree(projectId)}`,
			)
			.onConflictDoNothing({ target: [projectMembers.projectId, projectMembers.userId] })
			.returning(),
		recount(db, projectId),
	]);
	if (joined) return presentMembership(joined);
	if (await findMember(db, projectId, user.id))
		throw conflict("You already have a membership in this project.");
	throw fullProblem();
}

/** An owner or admin invites someone; inviting someone whose request is pending approves it. */
export async function inviteToProject(db: Db, user: CurrentUser, projectId: string, inviteeId: string) {
	// The project, the invitee and their membership asked side by side (one wait); judged in this order.
	const [access, invitee, current] = await Promise.all([
		loadProject(db, user, projectId),
		findVisibleUser(db, user.id, inviteeId),
		findMember(db, projectId, inviteeId),
	]);
	const { asGuardian } = requireManager(access, "invite people");
	requireNotArchived(access.project);
	if (!invitee) throw notFound("user");
	if (current?.status === "active") throw conflict("This person is already a member.");
	if (current?.status === "invited") throw conflict("This person is already invited.");
	const audit = asGuardian ? [auditMembership(db, user, access, { invited: true, user_id: inviteeId })] : [];
	if (current?.status === "pending") return presentMembership(await activate(db, current, audit));
	// The person invited is told, by whom and to what — only if this insert won.
	const id = newId();
	const told = notificationStatement(db, {
		type: "project_invitation",
		recipientId: inviteeId,
		actorId: user.id,
		subject: { type: "project", id: projectId },
		groupKey: `project_invitation:${id}`,
		data: { title: access.project.title },
		when: sql`EXISTS (SELECT 1 FROM ${projectMembers} WHERE ${projectMembers.id} = ${id} AND ${projectMembers.status} = 'invited')`,
	});
	const [[invited]] = await db.batch([
		db
			.insert(projectMembers)
			.values({ id, projectId, userId: inviteeId, role: "member", status: "invited", invitedBy: user.id })
			.onConflictDoNothing({ target: [projectMembers.projectId, projectMembers.userId] })
			.returning(),
		...audit,
		...(told ? [told] : []),
	]);
	if (!invited) throw conflict("This person's membership changed meanwhile; reload and try again.");
	return presentMembership(invited);
}

export interface ProjectMemberListOptions {
	status: ProjectMemberRow["status"];
	limit: number;
	cursor?: string | undefined;
}

const MemberCursor = z.object({ id: z.string().max(64) });

export async function listProjectMembers(
	db: Db,
	user: CurrentUser,
	projectId: string,
	options: ProjectMemberListOptions,
) {
	const access = await loadProject(db, user, projectId);
	requireContentAccess(access);
	if (options.status !== "active") requireManager(access, `see ${options.status} members`);
	const after = decodeCursor(options.cursor, MemberCursor);
	const rows = await db
		.select({
			member: projectMembers,
			user: { id: users.id, displayName: users.displayName, avatarUrl: users.avatarUrl },
		})
		.from(projectMembers)
		.innerJoin(users, eq(users.id, projectMembers.userId))
		.where(
			and(
				eq(projectMembers.projectId, projectId),
				eq(projectMembers.status, options.status),
				after ? gt(projectMembers.id, after.id) : undefined,
				isNull(users.deletedAt),
				notBlockedWith(db, user.id, projectMembers.userId),
			),
		)
		.orderBy(asc(projectMembers.id))
		.limit(options.limit + 1);
	return toPage(rows, options.limit, (row) => ({ id: row.member.id }), presentMember);
}

export interface ProjectMemberChange {
	status?: "active" | undefined;
	role?: ProjectMemberRow["role"] | undefined;
}

/** Approve a request and/or change a role — owners and admins (or a guardian, audit-logged). */
export async function updateProjectMember(
	db: Db,
	user: CurrentUser,
	projectId: string,
	memberId: string,
	change: ProjectMemberChange,
) {
	// The project and the member asked side by side (one wait); judged in this order.
	const [access, found] = await Promise.all([
		loadProject(db, user, projectId),
		findMember(db, projectId, memberId),
	]);
	const { asGuardian } = requireManager(access, "manage members");
	requireNotArchived(access.project);
	let target = found;
	if (!target) throw notFound("member");
	const actorRole = asGuardian ? undefined : access.membership?.role;
	const isSelf = memberId === user.id;
	const audit = () =>
		asGuardian ? [auditMembership(db, user, access, { user_id: memberId, ...change })] : [];

	if (change.role !== undefined && change.role !== target.role) {
		if (change.status === undefined && target.status !== "active") {
			throw conflict("Only active members have roles; approve the request first.");
		}
		if (actorRole === "admin") {
			const stepsDown = isSelf && change.role === "member";
			const promotesMember = target.role === "member" && change.role === "admin";
			if (!stepsDown && !promotesMember) {
				throw forbidden("Admins can make members admins or step down; owners decide the rest.");
			}
		}
	}
	if (change.status === "active" && target.status !== "active") {
		if (target.status === "invited") throw conflict("An invitation is accepted by the person invited.");
		target = await activate(db, target, change.role === undefined ? audit() : []);
	}
	if (change.role === undefined || change.role === target.role) return presentMembership(target);

	const demotesOwner = target.role === "owner";
	const lastOwnerMessage = "A project needs an owner: make someone else an owner first.";
	if (demotesOwner) await requireAnotherOwner(db, projectId, target, lastOwnerMessage);
	const [[updated]] = await db.batch([
		db
			.update(projectMembers)
			.set({ role: change.role })
			.where(
				and(
					eq(projectMembers.id, target.id),
					eq(projectMembers.status, "active"),
					eq(projectMembers.role, target.role),
					demotesOwner ? anotherOwner(projectId, target.id) : undefined,
				),
			)
			.returning(),
		...audit(),
	]);
	if (!updated) {
		if (demotesOwner) throw conflict(lastOwnerMessage);
		throw conflict("This membership changed meanwhile; reload and try again.");
	}
	return presentMembership(updated);
}

/**
 * Leave (also: withdraw a request, decline an invitation), or remove someone as an owner or admin.
 * The last owner cannot leave. Leaving an archived project is allowed.
 */
export async function removeProjectMember(db: Db, user: CurrentUser, projectId: string, memberId: string) {
	const isSelf = memberId === user.id;
	// Someone else's membership is asked beside the project (one wait); judged after my rights.
	const [access, theirs] = await Promise.all([
		loadProject(db, user, projectId),
		isSelf ? undefined : findMember(db, projectId, memberId),
	]);
	let asGuardian = false;
	let target: ProjectMemberRow | undefined;
	if (isSelf) {
		target = access.membership;
		if (!target) throw notFound("membership");
	} else {
		({ asGuardian } = requireManager(access, "remove members"));
		target = theirs;
		if (!target) throw notFound("member");
		if (access.membership?.role === "admin" && !asGuardian && target.role !== "member") {
			throw forbidden("Admins can remove members only.");
		}
	}
	const removesOwner = target.role === "owner" && target.status === "active";
	const lastOwnerMessage = isSelf
		? "You are the project's last owner: make someone else an owner before leaving."
		: "A project needs an owner: this is the last one.";
	if (removesOwner) await requireAnotherOwner(db, projectId, target, lastOwnerMessage);
	const [deleted] = await db.batch([
		db
			.delete(projectMembers)
			.where(
				and(eq(projectMembers.id, target.id), removesOwner ? anotherOwner(projectId, target.id) : undefined),
			)
			.returning(),
		recount(db, projectId),
		...(asGuardian ? [auditMembership(db, user, access, { user_id: memberId, removed: true })] : []),
	]);
	if (deleted.length === 0) {
		if (removesOwner) throw conflict(lastOwnerMessage);
		throw notFound("member");
	}
}
