/**
 * @module fellowship/members: joining, requests, invitations, roles, bans, leaving and removal.
 *
 * - `public`: join at once. `private`: a request (`pending`) an owner or moderator approves. `secret`:
 *   invitation only. An invitation is accepted by joining; inviting someone who asked approves them.
 * - Notifications, in the same batch as the write: the person invited (`group_invitation`), and the owners
 *   and moderators of a group asked to let someone in (`group_join_request`, one row each, at most
 *   MAX_JOIN_REQUEST_RECIPIENTS). Approving, accepting, leaving and removal tell no one.
 * - Roles rank owner > moderator > member. Moderators approve, ban and remove members and make members
 *   moderators; owners do everything. The last active owner can neither leave nor be demoted (checked in
 *   the same statement as the write, so two owners stepping down at once cannot leave none).
 * - A banned user cannot rejoin, request or lift their own ban; removing the banned row lifts it.
 * - `member_count` is recounted from the rows in the same batch as every change.
 * - Leaving, removal and bans withdraw the member's RSVPs to the group's upcoming events (promoting the
 *   waitlist in each event's Durable Object).
 */
import { and, asc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { findVisibleUser } from "../../core/accounts/accounts";
import type { CurrentUser } from "../../core/accounts/current-user";
import { notBlockedWith } from "../../core/blocks";
import { auditStatement } from "../../core/moderation/audit";
import { notificationStatement, notificationStatements } from "../../core/notifications";
import type { Db } from "../../db/client";
import { fellowshipGroups, type GroupMemberRow, groupMembers } from "../../db/tables/fellowship";
import { users } from "../../db/tables/users";
import type { Bindings } from "../../env";
import { newId } from "../../lib/ids";
import { decodeCursor, toPage } from "../../lib/pagination";
import { conflict, forbidden, notFound } from "../../lib/problem";
import {
	type GroupAccess,
	loadGroup,
	loadGroupWithManagers,
	requireContentAccess,
	requireManager,
	roleRank,
} from "./access";
import { withdrawFromUpcomingEvents } from "./events";

export const presentMembership = (row: GroupMemberRow) => ({
	group_id: row.groupId,
	user_id: row.userId,
	role: row.role,
	status: row.status,
	invited_by: row.invitedBy,
	updated_at: row.updatedAt,
});

/** Keeps `member_count` equal to the active rows (the change's own batch sees its own writes). */
const recount = (db: Db, groupId: string) =>
	db
		.update(fellowshipGroups)
		.set({
			memberCount: sql`(SELECT count(*) FROM ${groupMembers} WHERE ${groupMembers.groupId} = ${groupId} AND ${groupMembers.status} = 'active')`,
			// A join is not an edit of the group.
			updatedAt: sql`${fellowshipGroups.updatedAt}`,
		})
		.where(eq(fellowshipGroups.id, groupId));

/** True while another active owner than `memberId` exists: guards demoting or removing an owner. */
const anotherOwner = (groupId: string, memberId: string) =>
	sql`EXISTS (SELECT 1 FROM ${groupMembers} AS other WHERE other.group_id = ${groupId} AND other.role = 'owner' AND other.status = 'active' AND other.id <> ${memberId})`;

/** Answers 409 before writing when the owner in question is the last one (the write re-checks it). */
async function requireAnotherOwner(db: Db, groupId: string, member: GroupMemberRow, message: string) {
	const other = await db
		.select({ id: groupMembers.id })
		.from(groupMembers)
		.where(
			and(
				eq(groupMembers.groupId, groupId),
				eq(groupMembers.role, "owner"),
				eq(groupMembers.status, "active"),
				ne(groupMembers.id, member.id),
			),
		)
		.get();
	if (!other) throw conflict(message);
}

const findMember = (db: Db, groupId: string, userId: string) =>
	db
		.select()
		.from(groupMembers)
		.where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId)))
		.get();

function auditMembership(db: Db, actor: CurrentUser, access: GroupAccess, details: Record<string, unknown>) {
	return auditStatement(db, {
		actorId: actor.id,
		action: "edit_content",
		targetType: "fellowship_group",
		targetId: access.group.id,
		targetUserId: typeof details.user_id === "string" ? details.user_id : null,
		details,
	});
}

/** A membership row with this id is there in `status` (the statement before it in the batch won). */
const membershipIs = (id: string, status: GroupMemberRow["status"]) =>
	sql`EXISTS (SELECT 1 FROM ${groupMembers} WHERE ${groupMembers.id} = ${id} AND ${groupMembers.status} = ${status})`;

/**
 * Join a public group, request to join a private one, or accept an invitation (any visibility). A request
 * tells the group's owners and moderators (at most MAX_JOIN_REQUEST_RECIPIENTS, read with the group).
 */
export async function joinGroup(db: Db, user: CurrentUser, groupId: string) {
	const { access, managerIds } = await loadGroupWithManagers(db, user, groupId);
	const current = access.membership;
	if (current?.status === "banned") throw forbidden("You are banned from this group.");
	if (current?.status === "active") throw conflict("You are already a member of this group.");
	if (current?.status === "pending") throw conflict("Your request to join is already waiting for approval.");
	if (current?.status === "invited") {
		const [[accepted]] = await db.batch([
			db
				.update(groupMembers)
				.set({ status: "active" })
				.where(and(eq(groupMembers.id, current.id), eq(groupMembers.status, "invited")))
				.returning(),
			recount(db, groupId),
		]);
		if (!accepted) throw conflict("Your invitation changed meanwhile; reload and try again.");
		return presentMembership(accepted);
	}
	// Secret groups are invitation only; loadGroup already answered 404 to anyone not invited.
	if (access.group.visibility === "secret") throw notFound("group");
	const status = access.group.visibility === "public" ? "active" : "pending";
	const id = newId();
	const now = new Date();
	const told =
		status === "pending"
			? notificationStatements(
					db,
					managerIds.map((managerId) => ({
						type: "group_join_request" as const,
						recipientId: managerId,
						actorId: user.id,
						subject: { type: "group" as const, id: groupId },
						groupKey: `group_join_request:${id}`,
						data: { name: access.group.name },
						when: membershipIs(id, "pending"),
					})),
					now,
				)
			: [];
	const [[created]] = await db.batch([
		db
			.insert(groupMembers)
			.values({ id, groupId, userId: user.id, role: "member", status })
			.onConflictDoNothing({ target: [groupMembers.groupId, groupMembers.userId] })
			.returning(),
		recount(db, groupId),
		...told,
	]);
	if (!created) throw conflict("You already have a membership in this group.");
	return presentMembership(created);
}

/** An owner or moderator invites someone; inviting someone whose request is pending approves it. */
export async function inviteToGroup(db: Db, user: CurrentUser, groupId: string, inviteeId: string) {
	// The group, the invitee and their membership asked side by side (one wait); judged in this order.
	const [access, invitee, current] = await Promise.all([
		loadGroup(db, user, groupId),
		findVisibleUser(db, user.id, inviteeId),
		findMember(db, groupId, inviteeId),
	]);
	const { asGuardian } = requireManager(access, "invite people");
	if (!invitee) throw notFound("user");
	if (current?.status === "active") throw conflict("This person is already a member.");
	if (current?.status === "invited") throw conflict("This person is already invited.");
	if (current?.status === "banned") throw conflict("This person is banned; remove the ban before inviting.");
	const audit = asGuardian ? [auditMembership(db, user, access, { invited: true, user_id: inviteeId })] : [];
	if (current?.status === "pending") {
		const [[approved]] = await db.batch([
			db
				.update(groupMembers)
				.set({ status: "active", invitedBy: user.id })
				.where(and(eq(groupMembers.id, current.id), eq(groupMembers.status, "pending")))
				.returning(),
			recount(db, groupId),
			...audit,
		]);
		if (!approved) throw conflict("The request changed meanwhile; reload and try again.");
		return presentMembership(approved);
	}
	const id = newId();
	const told = notificationStatement(db, {
		type: "group_invitation",
		recipientId: inviteeId,
		actorId: user.id,
		subject: { type: "group", id: groupId },
		groupKey: `group_invitation:${id}`,
		data: { name: access.group.name },
		when: membershipIs(id, "invited"),
	});
	const [[invited]] = await db.batch([
		db
			.insert(groupMembers)
			.values({ id, groupId, userId: inviteeId, role: "member", status: "invited", invitedBy: user.id })
			.onConflictDoNothing({ target: [groupMembers.groupId, groupMembers.userId] })
			.returning(),
		...audit,
		...(told ? [told] : []),
	]);
	if (!invited) throw conflict("This person's membership changed meanwhile; reload and try again.");
	return presentMembership(invited);
}

export interface MemberListOptions {
	status: GroupMemberRow["status"];
	limit: number;
	cursor?: string | undefined;
}

const MemberCursor = z.object({ id: z.string().max(64) });

/** Members by status, oldest first; pending, invited and banned only for owners and moderators. */
export async function listMembers(db: Db, user: CurrentUser, groupId: string, options: MemberListOptions) {
	const access = await loadGroup(db, user, groupId);
	requireContentAccess(access);
	if (options.status !== "active") requireManager(access, `see ${options.status} members`);
	const after = decodeCursor(options.cursor, MemberCursor);
	const rows = await db
		.select({
			member: groupMembers,
			user: { id: users.id, displayName: users.displayName, avatarUrl: users.avatarUrl },
		})
		.from(groupMembers)
		.innerJoin(users, eq(users.id, groupMembers.userId))
		.where(
			and(
				eq(groupMembers.groupId, groupId),
				eq(groupMembers.status, options.status),
				after ? gt(groupMembers.id, after.id) : undefined,
				isNull(users.deletedAt),
				notBlockedWith(db, user.id, groupMembers.userId),
			),
		)
		.orderBy(asc(groupMembers.id))
		.limit(options.limit + 1);
	return toPage(
		rows,
		options.limit,
		(row) => ({ id: row.member.id }),
		(row) => ({
			user: { id: row.user.id, display_name: row.user.displayName, avatar_url: row.user.avatarUrl },
			role: row.member.role,
			status: row.member.status,
			invited_by: row.member.invitedBy,
			since: row.member.createdAt,
			updated_at: row.member.updatedAt,
		}),
	);
}

export interface MemberChange {
	status?: "active" | "banned" | undefined;
	role?: GroupMemberRow["role"] | undefined;
}

/** Approve a request, change a role, or ban — by an owner or moderator (or a guardian, audit-logged). */
export async function updateMember(
	db: Db,
	env: Bindings,
	user: CurrentUser,
	groupId: string,
	memberId: string,
	change: MemberChange,
) {
	// The group and the member asked side by side (one wait); judged in this order.
	const [access, target] = await Promise.all([
		loadGroup(db, user, groupId),
		findMember(db, groupId, memberId),
	]);
	const { asGuardian } = requireManager(access, "manage members");
	if (!target) throw notFound("member");
	const actorRole = asGuardian ? undefined : access.membership?.role;
	const isSelf = memberId === user.id;
	let status = target.status;
	let role = target.role;

	if (change.status === "banned" && change.role !== undefined) {
		throw conflict("A ban and a role change cannot go together.");
	}
	if (change.status === "active" && target.status !== "active") {
		if (target.status === "invited") throw conflict("An invitation is accepted by the person invited.");
		if (target.status === "banned") throw conflict("This person is banned; remove the ban first.");
		status = "active";
	}
	if (change.status === "banned" && target.status !== "banned") {
		if (isSelf) throw conflict("You cannot ban yourself.");
		if (target.role === "owner") throw conflict("Owners cannot be banned; change their role first.");
		if (actorRole === "moderator" && roleRank(target.role) >= roleRank("moderator")) {
			throw forbidden("Moderators can ban members only.");
		}
		status = "banned";
		role = "member";
	}
	if (change.role !== undefined && change.role !== target.role) {
		if (status !== "active") throw conflict("Only active members have roles; approve the request first.");
		if (actorRole === "moderator") {
			const stepsDown = isSelf && change.role === "member";
			const promotesMember = target.role === "member" && change.role === "moderator";
			if (!stepsDown && !promotesMember) {
				throw forbidden("Moderators can make members moderators or step down; owners decide the rest.");
			}
		}
		role = change.role;
	}
	if (status === target.status && role === target.role) return presentMembership(target);

	const demotesOwner = target.role === "owner" && role !== "owner";
	const lastOwnerMessage = "A group needs an owner: make someone else an owner first.";
	if (demotesOwner) await requireAnotherOwner(db, groupId, target, lastOwnerMessage);
	const [[updated]] = await db.batch([
		db
			.update(groupMembers)
			.set({ status, role })
			.where(
				and(
					eq(groupMembers.id, target.id),
					eq(groupMembers.status, target.status),
					eq(groupMembers.role, target.role),
					demotesOwner ? anotherOwner(groupId, target.id) : undefined,
				),
			)
			.returning(),
		recount(db, groupId),
		...(asGuardian ? [auditMembership(db, user, access, { user_id: memberId, status, role })] : []),
	]);
	if (!updated) {
		if (demotesOwner) throw conflict(lastOwnerMessage);
		throw conflict("This membership changed meanwhile; reload and try again.");
	}
	if (target.status === "active" && updated.status !== "active") {
		await withdrawFromUpcomingEvents(db, env, groupId, memberId);
	}
	return presentMembership(updated);
}

/**
 * Leave (also: withdraw a request, decline an invitation), or remove someone as an owner or moderator
 * (removing a banned row lifts the ban). The last owner cannot leave.
 */
export async function removeMember(
	db: Db,
	env: Bindings,
	user: CurrentUser,
	groupId: string,
	memberId: string,
) {
	const isSelf = memberId === user.id;
	// Someone else's membership is asked beside the group (one wait); judged after my rights.
	const [access, theirs] = await Promise.all([
		loadGroup(db, user, groupId),
		isSelf ? undefined : findMember(db, groupId, memberId),
	]);
	let asGuardian = false;
	let target: GroupMemberRow | undefined;
	if (isSelf) {
		target = access.membership;
		if (!target) throw notFound("membership");
		if (target.status === "banned") throw forbidden("A ban is lifted by the group's owners or moderators.");
	} else {
		({ asGuardian } = requireManager(access, "remove members"));
		target = theirs;
		if (!target) throw notFound("member");
		if (access.membership?.role === "moderator" && !asGuardian && target.role !== "member") {
			throw forbidden("Moderators can remove members only.");
		}
	}
	const removesOwner = target.role === "owner" && target.status === "active";
	const lastOwnerMessage = isSelf
		? "You are the group's last owner: make someone else an owner before leaving."
		: "A group needs an owner: this is the last one.";
	if (removesOwner) await requireAnotherOwner(db, groupId, target, lastOwnerMessage);
	const [deleted] = await db.batch([
		db
			.delete(groupMembers)
			.where(and(eq(groupMembers.id, target.id), removesOwner ? anotherOwner(groupId, target.id) : undefined))
			.returning(),
		recount(db, groupId),
		...(asGuardian ? [auditMembership(db, user, access, { user_id: memberId, removed: true })] : []),
	]);
	if (deleted.length === 0) {
		if (removesOwner) throw conflict(lastOwnerMessage);
		throw notFound("member");
	}
	if (target.status === "active") await withdrawFromUpcomingEvents(db, env, groupId, memberId);
}
