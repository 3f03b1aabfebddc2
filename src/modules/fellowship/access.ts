/**
 * @module fellowship/access: who may know a group exists, who may see its content, and who may manage it.
 *
 * - A group the caller may not know exists answers 404: deleted, spiritual without opt-in, secret unless
 *   the caller is an active or invited member, hidden by moderation unless the caller manages it.
 * - Content (members, events, attendees) of private and secret groups is for active members; public
 *   groups show it to every signed-in user.
 * - Managing is for active owners and moderators. A guardian passes every role check; when a guardian
 *   acts without holding the role, the action is audit-logged by the caller.
 */
import { and, eq, exists, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { type CurrentUser, isGuardian } from "../../core/accounts/current-user";
import { type AuthorView, authorFromJson, authorJsonOf } from "../../core/authors";
import { PUBLICLY_VISIBLE_STATUSES } from "../../core/moderation/screen";
import { seesSpiritual } from "../../core/spiritual";
import type { Db } from "../../db/client";
import {
	type FellowshipGroupRow,
	fellowshipGroups,
	GROUP_MEMBER_ROLES,
	type GroupMemberRow,
	groupMembers,
} from "../../db/tables/fellowship";
import { forbidden, notFound } from "../../lib/problem";

export type GroupRole = GroupMemberRow["role"];

export interface GroupAccess {
	group: FellowshipGroupRow;
	/** The owner's public profile, read with the group; null once their account is deleted. */
	creator: AuthorView | null;
	/** The caller's membership row, whatever its status; undefined for anonymous callers and strangers. */
	membership: GroupMemberRow | undefined;
	viewer: CurrentUser | undefined;
}

/**
 * The most owners and moderators told of one request to join (owners first, then the longest-serving
 * moderators): a group has a handful of them, and one request must stay a bounded write.
 */
export const MAX_JOIN_REQUEST_RECIPIENTS = 20;

/**
 * For a group that approves members (`private`), the ids of its active owners and moderators as a JSON
 * array, at most MAX_JOIN_REQUEST_RECIPIENTS (served by group_members_group_status_idx); `[]` for others.
 */
const managerIdsOf = (groupColumn: SQLiteColumn) =>
	sql<string>`(SELECT json_group_array(user_id) FROM (
		SELECT m.user_id FROM ${groupMembers} AS m
		WHERE ${fellowshipGroups.visibility} = 'private'
			AND m.group_id = ${groupColumn} AND m.status = 'active' AND m.role IN ('owner', 'moderator')
		ORDER BY m.role = 'owner' DESC, m.id LIMIT ${MAX_JOIN_REQUEST_RECIPIENTS}
	))`;

/** The group owner's public profile, a column of any query over groups (core/authors). */
export const groupCreator = (db: Db, viewer: CurrentUser | undefined) =>
	authorJsonOf(db, fellowshipGroups.ownerId, "group_creator", viewer?.id);

/** owner 3 > moderator 2 > member 1. */
export const roleRank = (role: GroupRole): number =>
	GROUP_MEMBER_ROLES.length - GROUP_MEMBER_ROLES.indexOf(role);

export const isActive = (membership: GroupMemberRow | undefined): boolean => membership?.status === "active";

/** An active owner or moderator. */
export const holdsManagerRole = (membership: GroupMemberRow | undefined): boolean =>
	isActive(membership) && membership?.role !== "member";

export const isPubliclyVisible = (status: FellowshipGroupRow["moderationStatus"]): boolean =>
	(PUBLICLY_VISIBLE_STATUSES as readonly string[]).includes(status);

/** The listed-groups condition, exactly as the partial indexes state it (see tables.ts). */
export const listedGroup = (): SQL =>
	sql`${fellowshipGroups.visibility} <> 'secret' AND ${fellowshipGroups.deletedAt} IS NULL`;

/** May the caller know this group exists? */
export function mayKnow(access: GroupAccess): boolean {
	const { group, membership, viewer } = access;
	if (group.deletedAt !== null) return false;
	// The spiritual opt-in is a preference, not a permission: it holds for guardians too.
	if (group.isSpiritual && !seesSpiritual(viewer)) return false;
	if (viewer && isGuardian(viewer)) return true;
	if (!isPubliclyVisible(group.moderationStatus) && !holdsManagerRole(membership)) return false;
	if (group.visibility === "secret")
		return membership?.status === "active" || membership?.status === "invited";
	return true;
}

/** The group and the caller's membership, or 404 when the caller may not know the group exists. */
export async function loadGroup(
	db: Db,
	viewer: CurrentUser | undefined,
	groupId: string,
): Promise<GroupAccess> {
	return (await loadGroupWith(db, viewer, groupId, false)).access;
}

/**
 * `loadGroup`, plus the owners and moderators to tell of a request to join a private group (at most
 * MAX_JOIN_REQUEST_RECIPIENTS), read in the same query.
 */
export async function loadGroupWithManagers(
	db: Db,
	viewer: CurrentUser,
	groupId: string,
): Promise<{ access: GroupAccess; managerIds: string[] }> {
	return loadGroupWith(db, viewer, groupId, true);
}

async function loadGroupWith(
	db: Db,
	viewer: CurrentUser | undefined,
	groupId: string,
	withManagers: boolean,
): Promise<{ access: GroupAccess; managerIds: string[] }> {
	let access: GroupAccess | undefined;
	let managerIds: string[] = [];
	if (viewer) {
		const row = await db
			.select({
				group: fellowshipGroups,
				membership: groupMembers,
				creator: groupCreator(db, viewer),
				managers: withManagers ? managerIdsOf(fellowshipGroups.id) : sql<string>`NULL`,
			})
			.from(fellowshipGroups)
			.leftJoin(
				groupMembers,
				and(eq(groupMembers.groupId, fellowshipGroups.id), eq(groupMembers.userId, viewer.id)),
			)
			.where(eq(fellowshipGroups.id, groupId))
			.get();
		if (row) {
			access = {
				group: row.group,
				creator: authorFromJson(row.creator),
				membership: row.membership ?? undefined,
				viewer,
			};
			managerIds = row.managers ? (JSON.parse(row.managers) as string[]) : [];
		}
	} else {
		const row = await db
			.select({ group: fellowshipGroups, creator: groupCreator(db, undefined) })
			.from(fellowshipGroups)
			.where(eq(fellowshipGroups.id, groupId))
			.get();
		if (row)
			access = { group: row.group, creator: authorFromJson(row.creator), membership: undefined, viewer };
	}
	if (!access) throw notFound("group");
	if (!mayKnow(access)) throw notFound("group");
	return { access, managerIds };
}

/** Members, events and attendees: every signed-in user for public groups, active members otherwise. */
export function requireContentAccess(access: GroupAccess): void {
	if (access.group.visibility === "public") return;
	if (isActive(access.membership)) return;
	if (access.viewer && isGuardian(access.viewer)) return;
	throw forbidden("Only members of this group can see this.");
}

/**
 * An active owner or moderator (or a guardian). Returns whether the permission came from the guardian
 * role alone, so the caller audit-logs the action.
 */
export function requireManager(access: GroupAccess, what = "manage this group"): { asGuardian: boolean } {
	if (holdsManagerRole(access.membership)) return { asGuardian: false };
	if (access.viewer && isGuardian(access.viewer)) return { asGuardian: true };
	throw forbidden(`Only the group's owners and moderators may ${what}.`);
}

/** An active owner (or a guardian). */
export function requireOwner(access: GroupAccess, what: string): { asGuardian: boolean } {
	if (isActive(access.membership) && access.membership?.role === "owner") return { asGuardian: false };
	if (access.viewer && isGuardian(access.viewer)) return { asGuardian: true };
	throw forbidden(`Only the group's owners may ${what}.`);
}

/** For other features' queries: the viewer is an active member of the group in `groupColumn`. */
export function activeMemberOf(db: Db, viewerId: string, groupColumn: SQLiteColumn): SQL {
	return exists(
		db
			.select({ id: groupMembers.id })
			.from(groupMembers)
			.where(
				and(
					eq(groupMembers.groupId, groupColumn),
					eq(groupMembers.userId, viewerId),
					eq(groupMembers.status, "active"),
				),
			),
	);
}
