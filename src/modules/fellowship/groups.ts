/**
 * @module fellowship/groups: creating, reading, listing, editing and deleting groups.
 *
 * Lists merge two bounded queries: listed groups (public and private) through the partial indexes of
 * tables.ts, and the caller's own secret (or moderation-hidden, when they manage them) groups through their
 * memberships. Each query fetches at most one page, so no list scans the table.
 */
import { and, desc, eq, inArray, notInArray, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { unauthorized } from "../../auth/verify";
import type { CurrentUser } from "../../core/accounts/current-user";
import { type AuthorView, authorFromJson, toAuthor } from "../../core/authors";
import { auditStatement } from "../../core/moderation/audit";
import { type CallerCountry, crisisResources } from "../../core/moderation/crisis";
import { removalNotice } from "../../core/moderation/notices";
import { queueItemForContent } from "../../core/moderation/queue";
import { PUBLICLY_VISIBLE_STATUSES, screenText } from "../../core/moderation/screen";
import { requireSpiritualOptIn, spiritualFilter } from "../../core/spiritual";
import type { Db } from "../../db/client";
import {
	type FellowshipGroupRow,
	fellowshipGroupContent,
	fellowshipGroups,
	type GroupMemberRow,
	groupMembers,
} from "../../db/tables/fellowship";
import type { Bindings } from "../../env";
import { newId } from "../../lib/ids";
import { decodeCursor, encodeCursor } from "../../lib/pagination";
import { unprocessable } from "../../lib/problem";
import { matchesEveryWord } from "../../lib/search";
import { rankByRelevance } from "../../ml/ranking";
import {
	groupCreator,
	isPubliclyVisible,
	listedGroup,
	loadGroup,
	requireManager,
	requireOwner,
} from "./access";
import { RECOMMENDED_CANDIDATES } from "./schemas";

export interface GroupView {
	group: FellowshipGroupRow;
	creator: AuthorView | null;
	membership: GroupMemberRow | undefined;
}

export function presentGroup({
	group,
	creator,
	membership,
}: Omit<GroupView, "membership"> & { membership: Pick<GroupMemberRow, "role" | "status"> | undefined }) {
	return {
		id: group.id,
		name: group.name,
		description: group.description,
		group_type: group.groupType,
		visibility: group.visibility,
		is_spiritual: group.isSpiritual,
		member_count: group.memberCount,
		created_by: creator,
		created_at: group.createdAt,
		updated_at: group.updatedAt,
		my_membership: membership ? { role: membership.role, status: membership.status } : null,
		pending_review: !isPubliclyVisible(group.moderationStatus),
	};
}

const moderationText = (group: { name: string; description: string }) =>
	group.description ? `${group.name}\n\n${group.description}` : group.name;

// ─── create, read, update, delete ─────────────────────────────────────────────────────────────────

export interface GroupInput {
	name: string;
	description: string;
	group_type: FellowshipGroupRow["groupType"];
	visibility: FellowshipGroupRow["visibility"];
	is_spiritual: boolean;
}

/**
 * Creates a group; the creator becomes its active owner in the same batch. `country`: the caller's
 * (http/crisis `callerCountry`), which orders the crisis resources of an urgent text.
 */
export async function createGroup(
	db: Db,
	env: Bindings,
	country: CallerCountry,
	user: CurrentUser,
	input: GroupInput,
) {
	await requireSpiritualOptIn(user, input.is_spiritual, "groups");
	const screening = await screenText(env, moderationText(input));
	const id = newId();
	const values = {
		id,
		ownerId: user.id,
		name: input.name,
		description: input.description,
		groupType: input.group_type,
		visibility: input.visibility,
		isSpiritual: input.is_spiritual,
		memberCount: 1,
		moderationStatus: screening.status,
		toxicityScore: screening.toxicity,
		createdAt: new Date().toISOString(),
	};
	const queued = queueItemForContent(db, fellowshipGroupContent, values, screening);
	const [[group], [membership]] = await db.batch([
		db.insert(fellowshipGroups).values(values).returning(),
		db
			.insert(groupMembers)
			.values({ groupId: id, userId: user.id, role: "owner", status: "active" })
			.returning(),
		...(queued ? [queued] : []),
	]);
	if (!group || !membership) throw new Error("group insert returned nothing");
	return {
		...presentGroup({ group, creator: toAuthor(user), membership }),
		...(screening.urgent ? { crisis_resources: crisisResources(env.CRISIS_RESOURCES, country) } : {}),
	};
}

export async function getGroup(db: Db, viewer: CurrentUser | undefined, groupId: string) {
	return presentGroup(await loadGroup(db, viewer, groupId));
}

export type GroupChanges = Partial<GroupInput>;

export async function updateGroup(
	db: Db,
	env: Bindings,
	user: CurrentUser,
	groupId: string,
	changes: GroupChanges,
) {
	const access = await loadGroup(db, user, groupId);
	const { asGuardian } = requireManager(access, "edit the group");
	if (changes.visibility !== undefined && changes.visibility !== access.group.visibility) {
		requireOwner(access, "change the group's visibility");
	}
	await requireSpiritualOptIn(user, changes.is_spiritual, "groups");
	const { group } = access;
	const next = {
		name: changes.name ?? group.name,
		description: changes.description ?? group.description,
	};
	const textChanged = next.name !== group.name || next.description !== group.description;
	const screening = textChanged ? await screenText(env, moderationText(next)) : undefined;
	// A group hidden for review or removed stays so: editing is no way around a review.
	const keepStatus = !isPubliclyVisible(group.moderationStatus);
	const queued = screening
		? queueItemForContent(db, fellowshipGroupContent, { ...group, ...next }, screening)
		: null;
	const [[updated]] = await db.batch([
		db
			.update(fellowshipGroups)
			.set({
				...next,
				...(changes.group_type !== undefined ? { groupType: changes.group_type } : {}),
				...(changes.visibility !== undefined ? { visibility: changes.visibility } : {}),
				...(changes.is_spiritual !== undefined ? { isSpiritual: changes.is_spiritual } : {}),
				...(screening && !keepStatus
					? { moderationStatus: screening.status, toxicityScore: screening.toxicity }
					: {}),
			})
			.where(eq(fellowshipGroups.id, group.id))
			.returning(),
		...(queued ? [queued] : []),
		...(asGuardian
			? [
					auditStatement(db, {
						actorId: user.id,
						action: "edit_content",
						targetType: "fellowship_group",
						targetId: group.id,
						targetUserId: group.ownerId,
						details: { fields: Object.keys(changes) },
					}),
				]
			: []),
	]);
	if (!updated) throw new Error("group vanished during its update");
	return presentGroup({ group: updated, creator: access.creator, membership: access.membership });
}

/** Soft delete by an owner or a guardian (audit-logged). */
export async function deleteGroup(db: Db, user: CurrentUser, groupId: string): Promise<void> {
	const access = await loadGroup(db, user, groupId);
	const { asGuardian } = requireOwner(access, "delete the group");
	const now = new Date().toISOString();
	await db.batch([
		db.update(fellowshipGroups).set({ deletedAt: now }).where(eq(fellowshipGroups.id, groupId)),
		// A guardian's deletion tells the group's owner.
		...(asGuardian ? removalNotice(db, "fellowship_group", groupId, access.group.ownerId, user.id, now) : []),
		...(asGuardian
			? [
					auditStatement(db, {
						actorId: user.id,
						action: "delete_content",
						targetType: "fellowship_group",
						targetId: groupId,
						targetUserId: access.group.ownerId,
						details: { name: access.group.name },
					}),
				]
			: []),
	]);
}

// ─── lists ────────────────────────────────────────────────────────────────────────────────────────

export interface GroupListOptions {
	member?: "me" | undefined;
	group_type?: FellowshipGroupRow["groupType"] | undefined;
	q?: string | undefined;
	sort: "newest" | "popular" | "recommended";
	limit: number;
	cursor?: string | undefined;
}

const NewestCursor = z.object({ id: z.string().max(64) });
const PopularCursor = z.object({ m: z.number().int().min(0), id: z.string().max(64) });
const OffsetCursor = z.object({ o: z.number().int().min(1).max(RECOMMENDED_CANDIDATES) });

type SortKey = { m: number; id: string };
const keyOf = (view: GroupView): SortKey => ({ m: view.group.memberCount, id: view.group.id });

const g = fellowshipGroups;
const VISIBLE = [...PUBLICLY_VISIBLE_STATUSES];

function commonFilters(viewer: CurrentUser | undefined, options: GroupListOptions): SQL[] {
	const filters: SQL[] = [];
	if (options.group_type) filters.push(eq(g.groupType, options.group_type));
	const spiritual = spiritualFilter(viewer, g.isSpiritual);
	if (spiritual) filters.push(spiritual);
	const search = matchesEveryWord(options.q, [g.name, g.description]);
	if (search) filters.push(search);
	return filters;
}

function afterCursor(sort: "newest" | "popular", key: SortKey | { id: string } | undefined): SQL[] {
	if (!key) return [];
	if (sort === "newest") return [sql`${g.id} < ${key.id}`];
	const { m, id } = key as SortKey;
	return [sql`(${g.memberCount}, ${g.id}) < (${m}, ${id})`];
}

const orderFor = (sort: "newest" | "popular") =>
	sort === "newest" ? [desc(g.id)] : [desc(g.memberCount), desc(g.id)];

/** Listed groups (public, private) everyone may see, through the listed partial indexes. */
function listedQuery(
	db: Db,
	viewer: CurrentUser | undefined,
	filters: SQL[],
	sort: "newest" | "popular",
	limit: number,
) {
	const where = and(listedGroup(), inArray(g.moderationStatus, VISIBLE), ...filters);
	if (!viewer) {
		return db
			.select({ group: g, creator: groupCreator(db, undefined) })
			.from(g)
			.where(where)
			.orderBy(...orderFor(sort))
			.limit(limit);
	}
	return db
		.select({ group: g, creator: groupCreator(db, viewer), membership: groupMembers })
		.from(g)
		.leftJoin(groupMembers, and(eq(groupMembers.groupId, g.id), eq(groupMembers.userId, viewer.id)))
		.where(where)
		.orderBy(...orderFor(sort))
		.limit(limit);
}

/** The caller's unlisted groups: secret ones they belong to or are invited to, and hidden ones they manage. */
function myUnlistedQuery(
	db: Db,
	viewer: CurrentUser,
	filters: SQL[],
	sort: "newest" | "popular",
	limit: number,
) {
	const manager = and(eq(groupMembers.status, "active"), inArray(groupMembers.role, ["owner", "moderator"]));
	return db
		.select({ group: g, creator: groupCreator(db, viewer), membership: groupMembers })
		.from(groupMembers)
		.innerJoin(g, eq(g.id, groupMembers.groupId))
		.where(
			and(
				eq(groupMembers.userId, viewer.id),
				inArray(groupMembers.status, ["active", "invited"]),
				sql`${g.deletedAt} IS NULL`,
				or(
					and(eq(g.visibility, "secret"), inArray(g.moderationStatus, VISIBLE)),
					and(manager, notInArray(g.moderationStatus, VISIBLE)),
				),
				...filters,
			),
		)
		.orderBy(...orderFor(sort))
		.limit(limit);
}

/**
 * `member=me`: the groups the caller is an active member of, through their memberships (one page at most).
 * A group hidden by moderation shows only to its managers, as everywhere else.
 */
function myGroupsQuery(
	db: Db,
	viewer: CurrentUser,
	filters: SQL[],
	sort: "newest" | "popular",
	limit: number,
) {
	const manager = inArray(groupMembers.role, ["owner", "moderator"]);
	return db
		.select({ group: g, creator: groupCreator(db, viewer), membership: groupMembers })
		.from(groupMembers)
		.innerJoin(g, eq(g.id, groupMembers.groupId))
		.where(
			and(
				eq(groupMembers.userId, viewer.id),
				eq(groupMembers.status, "active"),
				sql`${g.deletedAt} IS NULL`,
				or(inArray(g.moderationStatus, VISIBLE), manager),
				...filters,
			),
		)
		.orderBy(...orderFor(sort))
		.limit(limit);
}

async function visibleGroups(
	db: Db,
	viewer: CurrentUser | undefined,
	filters: SQL[],
	sort: "newest" | "popular",
	limit: number,
	member?: "me",
): Promise<GroupView[]> {
	if (member === "me" && viewer) {
		const rows = await myGroupsQuery(db, viewer, filters, sort, limit);
		return rows.map((row) => ({
			group: row.group,
			creator: authorFromJson(row.creator),
			membership: row.membership,
		}));
	}
	// Two concurrent reads, not one batch: drizzle mis-maps same-named columns of joins inside a batch.
	const [listed, mine] = await Promise.all([
		listedQuery(db, viewer, filters, sort, limit),
		viewer ? myUnlistedQuery(db, viewer, filters, sort, limit) : Promise.resolve([]),
	]);
	const views: GroupView[] = [...listed, ...mine].map((row) => ({
		group: row.group,
		creator: authorFromJson(row.creator),
		membership: "membership" in row ? ((row.membership as GroupMemberRow | null) ?? undefined) : undefined,
	}));
	const compare =
		sort === "newest"
			? (a: GroupView, b: GroupView) => b.group.id.localeCompare(a.group.id)
			: (a: GroupView, b: GroupView) =>
					b.group.memberCount - a.group.memberCount || b.group.id.localeCompare(a.group.id);
	const seen = new Set<string>();
	return views
		.sort(compare)
		.filter((view) => !seen.has(view.group.id) && seen.add(view.group.id))
		.slice(0, limit);
}

function pageFrom(views: GroupView[], limit: number, cursorOf: (view: GroupView) => unknown) {
	const hasMore = views.length > limit;
	const page = views.slice(0, limit);
	const last = page.at(-1);
	return {
		data: page.map(presentGroup),
		next_cursor: hasMore && last ? encodeCursor(cursorOf(last)) : null,
	};
}

/** The text that stands for the caller's interests when ranking (empty when there is nothing to go on). */
const interestText = (viewer: CurrentUser, q: string | undefined) =>
	[q, viewer.interests.join(", "), viewer.bio].filter((part) => part && part.trim().length > 0).join(". ");

export async function listGroups(
	db: Db,
	env: Bindings,
	viewer: CurrentUser | undefined,
	options: GroupListOptions,
) {
	if (options.member === "me") {
		if (!viewer)
			throw unauthorized("`member=me` needs a token: send one to list my groups.", "invalid_request");
		if (options.sort === "recommended") {
			throw unprocessable(
				"`sort=recommended` lists groups I have not joined; it cannot go with `member=me`.",
				[{ field: "query/member", message: "not with sort=recommended" }],
			);
		}
	}
	const filters = commonFilters(viewer, options);
	if (options.sort === "recommended") return listRecommended(db, env, viewer, options, filters);
	const key =
		options.sort === "newest"
			? decodeCursor(options.cursor, NewestCursor)
			: decodeCursor(options.cursor, PopularCursor);
	const views = await visibleGroups(
		db,
		viewer,
		[...filters, ...afterCursor(options.sort, key)],
		options.sort,
		options.limit + 1,
		options.member,
	);
	return pageFrom(views, options.limit, (view) =>
		options.sort === "newest" ? { id: view.group.id } : keyOf(view),
	);
}

/**
 * Up to RECOMMENDED_CANDIDATES of the most popular groups the caller may see and has not joined, ranked by
 * similarity to the caller's interests and bio (and `q`); the popular order when ML is down or there is
 * nothing to rank by. Pages are offsets into that ranking.
 */
async function listRecommended(
	db: Db,
	env: Bindings,
	viewer: CurrentUser | undefined,
	options: GroupListOptions,
	filters: SQL[],
) {
	const offset = decodeCursor(options.cursor, OffsetCursor)?.o ?? 0;
	const candidates = (await visibleGroups(db, viewer, filters, "popular", RECOMMENDED_CANDIDATES)).filter(
		(view) => view.membership?.status !== "active" && view.membership?.status !== "banned",
	);
	let ordered = candidates;
	const query = viewer ? interestText(viewer, options.q) : "";
	if (query) {
		const ranked = await rankByRelevance(
			env,
			query,
			candidates.map((view) => ({
				targetType: "fellowship_group" as const,
				id: view.group.id,
				text: moderationText(view.group),
			})),
		);
		if (ranked) {
			const byId = new Map(candidates.map((view) => [view.group.id, view]));
			ordered = ranked.flatMap((item) => byId.get(item.id) ?? []);
		}
	}
	const page = ordered.slice(offset, offset + options.limit);
	const next = offset + options.limit;
	return {
		data: page.map(presentGroup),
		next_cursor: next < ordered.length ? encodeCursor({ o: next }) : null,
	};
}
