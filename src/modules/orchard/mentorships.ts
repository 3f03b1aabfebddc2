/**
 * @module orchard/mentorships: the Guide directory and mentorships.
 *
 * A guide in the directory is a live, unsuspended user with role `guide` (set only by an approved guide
 * application, which also creates the guide profile) and trust good_soil or above. A guide never has more
 * accepted mentorships than `max_mentees`: the accept is one conditional UPDATE that counts the accepted
 * ones inside its own WHERE, so two accepts at the same moment cannot both take the last place.
 *
 * Notifications go in the write's own batch: the guide is asked (`mentorship_request`); the other side
 * learns of an acceptance, a decline, a completion or a cancellation (`mentorship_update`). Ending one by
 * blocking tells no one (that would reveal the block).
 */
import { and, asc, desc, eq, inArray, isNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import { type CurrentUser, isVerifiedGuide } from "../../core/accounts/current-user";
import { notBlockedWith } from "../../core/blocks";
import { screenPersonalText } from "../../core/moderation/personal";
import {
	type NotificationEvent,
	notificationStatement,
	notificationStatements,
} from "../../core/notifications";
import type { Db } from "../../db/client";
import { afterCursor } from "../../db/keyset";
import { MENTORSHIP_STATUSES, type MentorshipRow, mentorships } from "../../db/tables/orchard";
import { guideProfiles, TRUST_LEVELS, type UserRow, users } from "../../db/tables/users";
import type { Bindings } from "../../env";
import { newId } from "../../lib/ids";
import { decodeCursor, encodeCursor, toPage } from "../../lib/pagination";
import { conflict, forbidden, notFound, unprocessable } from "../../lib/problem";
import { rankByRelevance } from "../../ml/ranking";
import type { CreateMentorship, Guide, GuideListQuery, Mentorship, MentorshipListQuery } from "./schemas";

/** `sort=recommended` ranks at most this many guides (the directory is small; beyond it, name order). */
export const RECOMMEND_POOL = 200;

const GUIDE_TRUST = TRUST_LEVELS.filter((level) => level === "good_soil" || level === "flourishing");
type MentorshipStatus = (typeof MENTORSHIP_STATUSES)[number];

/** Accepted mentorships of the guide in `guideIdColumn` (served by mentorships_guide_status_idx). */
export const activeMentees = (guideId: SQL | string) =>
	sql<number>`(SELECT count(*) FROM ${mentorships} AS m WHERE m.guide_id = ${guideId} AND m.status = 'accepted')`;

/** The rule that makes someone a guide others may find (and ask). */
export function verifiedGuide(db: Db, viewerId: string, now: Date) {
	return and(
		eq(users.role, "guide"),
		inArray(users.trustLevel, GUIDE_TRUST),
		isNull(users.deletedAt),
		or(isNull(users.suspendedUntil), lte(users.suspendedUntil, now.toISOString())),
		notBlockedWith(db, viewerId, users.id),
	);
}

export const guideColumns = {
	userId: users.id,
	displayName: users.displayName,
	avatarUrl: users.avatarUrl,
	bio: users.bio,
	trustLevel: users.trustLevel,
	headline: guideProfiles.headline,
	specialties: guideProfiles.specialties,
	experience: guideProfiles.experience,
	availability: guideProfiles.availability,
	acceptingMentees: guideProfiles.acceptingMentees,
	maxMentees: guideProfiles.maxMentees,
	activeMentees: activeMentees(sql`${users.id}`).mapWith(Number),
};

export type GuideRow = {
	userId: string;
	displayName: string;
	avatarUrl: string | null;
	bio: string;
	trustLevel: UserRow["trustLevel"];
	headline: string;
	specialties: string[];
	experience: string;
	availability: string;
	acceptingMentees: boolean;
	maxMentees: number;
	activeMentees: number;
};

export function toGuide(row: GuideRow): z.infer<typeof Guide> {
	return {
		user_id: row.userId,
		display_name: row.displayName,
		avatar_url: row.avatarUrl,
		bio: row.bio,
		trust_level: row.trustLevel,
		headline: row.headline,
		specialties: row.specialties,
		experience: row.experience,
		availability: row.availability,
		accepting_mentees: row.acceptingMentees,
		max_mentees: row.maxMentees,
		active_mentees: row.activeMentees,
		has_capacity: row.acceptingMentees && row.activeMentees < row.maxMentees,
	};
}

const NameCursor = z.object({ n: z.string(), i: z.string() });
const OffsetCursor = z.object({ o: z.number().int().min(0).max(RECOMMEND_POOL) });

/** The Guide directory: filters, name order with a keyset cursor, or `recommended` (ML ranking). */
export async function listGuides(
	db: Db,
	env: Pick<Bindings, "ML" | "DB">,
	viewer: CurrentUser,
	query: z.infer<typeof GuideListQuery>,
	now = new Date(),
) {
	const filters = and(
		verifiedGuide(db, viewer.id, now),
		query.specialty
			? sql`EXISTS (SELECT 1 FROM json_each(${guideProfiles.specialties}) WHERE lower(json_each.value) = lower(${query.specialty}))`
			: undefined,
		query.availability
			? sql`instr(lower(${guideProfiles.availability}), lower(${query.availability})) > 0`
			: undefined,
		query.accepting === "true"
			? and(
					eq(guideProfiles.acceptingMentees, true),
					sql`${activeMentees(sql`${users.id}`)} < ${guideProfiles.maxMentees}`,
				)
			: undefined,
		query.accepting === "false"
			? or(
					eq(guideProfiles.acceptingMentees, false),
					sql`${activeMentees(sql`${users.id}`)} >= ${guideProfiles.maxMentees}`,
				)
			: undefined,
	);
	const base = () =>
		db.select(guideColumns).from(users).innerJoin(guideProfiles, eq(guideProfiles.userId, users.id));

	if (query.sort === "name") {
		const after = decodeCursor(query.cursor, NameCursor);
		const rows = await base()
			.where(
				and(
					filters,
					after ? afterCursor("asc", [users.displayName, after.n], [users.id, after.i]) : undefined,
				),
			)
			.orderBy(asc(users.displayName), asc(users.id))
			.limit(query.limit + 1);
		return toPage(rows, query.limit, (row) => ({ n: row.displayName, i: row.userId }), toGuide);
	}

	// Recommended: rank the (bounded) pool by similarity to what I wrote about myself; page by offset.
	const offset = decodeCursor(query.cursor, OffsetCursor)?.o ?? 0;
	const pool = await base()
		.where(filters)
		.orderBy(asc(users.displayName), asc(users.id))
		.limit(RECOMMEND_POOL);
	const about = [viewer.bio, ...viewer.interests].join(" ").trim();
	const ranked = about
		? await rankByRelevance(
				env,
				about,
				pool.map((guide) => ({
					targetType: "guide_profile" as const,
					id: guide.userId,
					text: [guide.headline, guide.specialties.join(" "), guide.experience, guide.bio].join(" "),
				})),
			)
		: null;
	const order = new Map(ranked?.map((item, index) => [item.id, index]));
	const sorted = ranked
		? [...pool].sort((a, b) => (order.get(a.userId) ?? pool.length) - (order.get(b.userId) ?? pool.length))
		: pool;
	const page = sorted.slice(offset, offset + query.limit);
	const next = offset + query.limit;
	return {
		data: page.map(toGuide),
		next_cursor: next < sorted.length ? encodeCursor({ o: next }) : null,
	};
}

// ---------------------------------------------------------------- mentorships

const mentee = alias(users, "mentee");
const guide = alias(users, "guide");

/** A mentorship with both people; every column aliased (same-named join columns break in D1 batches). */
function mentorshipSelect(db: Db) {
	return db
		.select({
			mentorship: mentorships,
			menteeName: sql<string>`${mentee.displayName}`.as("mentee_display_name"),
			menteeAvatar: sql<string | null>`${mentee.avatarUrl}`.as("mentee_avatar_url"),
			menteeTrust: sql<UserRow["trustLevel"]>`${mentee.trustLevel}`.as("mentee_trust_level"),
			guideName: sql<string>`${guide.displayName}`.as("guide_display_name"),
			guideAvatar: sql<string | null>`${guide.avatarUrl}`.as("guide_avatar_url"),
			guideTrust: sql<UserRow["trustLevel"]>`${guide.trustLevel}`.as("guide_trust_level"),
		})
		.from(mentorships)
		.innerJoin(mentee, eq(mentee.id, mentorships.menteeId))
		.innerJoin(guide, eq(guide.id, mentorships.guideId));
}

type MentorshipView = Awaited<ReturnType<ReturnType<typeof mentorshipSelect>["all"]>>[number];

function toMentorship(row: MentorshipView, me: string): z.infer<typeof Mentorship> {
	const m = row.mentorship;
	return {
		id: m.id,
		status: m.status,
		role: m.guideId === me ? "guide" : "mentee",
		mentee: {
			id: m.menteeId,
			display_name: row.menteeName,
			avatar_url: row.menteeAvatar,
			trust_level: row.menteeTrust,
		},
		guide: {
			id: m.guideId,
			display_name: row.guideName,
			avatar_url: row.guideAvatar,
			trust_level: row.guideTrust,
		},
		goals: m.goals,
		message: m.message,
		created_at: m.createdAt,
		responded_at: m.respondedAt,
		completed_at: m.completedAt,
	};
}

/** A growing+ member asks a guide with a free place (one open request per guide). */
export async function requestMentorship(
	env: Pick<Bindings, "ML">,
	db: Db,
	me: CurrentUser,
	body: z.infer<typeof CreateMentorship>,
	now = new Date(),
): Promise<z.infer<typeof Mentorship>> {
	if (body.guide_id === me.id) {
		throw unprocessable("You cannot mentor yourself.", [
			{ field: "body/guide_id", message: "must be someone else" },
		]);
	}
	const target = await db
		.select({
			id: users.id,
			acceptingMentees: guideProfiles.acceptingMentees,
			maxMentees: guideProfiles.maxMentees,
			activeMentees: activeMentees(sql`${users.id}`).mapWith(Number),
		})
		.from(users)
		.innerJoin(guideProfiles, eq(guideProfiles.userId, users.id))
		.where(and(eq(users.id, body.guide_id), verifiedGuide(db, me.id, now)))
		.get();
	if (!target) throw notFound("guide");
	if (!target.acceptingMentees || target.activeMentees >= target.maxMentees) {
		throw conflict("This guide has no free place for a new mentee right now.");
	}
	// The goals and message reach the guide word for word: screened first, abusive words refused.
	const { queue: queued } = await screenPersonalText(
		env,
		db,
		me,
		"mentorship_request",
		{ goals: body.goals, message: body.message },
		{ to_user_id: target.id },
	);
	const id = newId(now.getTime());
	const insert = db
		.insert(mentorships)
		.values({ id, menteeId: me.id, guideId: target.id, goals: body.goals, message: body.message })
		.onConflictDoNothing()
		.returning({ id: mentorships.id });
	// The guide learns who asked — only if this insert won (an open pair already there leaves nothing new).
	const notified = notificationStatement(
		db,
		{
			type: "mentorship_request",
			recipientId: target.id,
			actorId: me.id,
			subject: { type: "mentorship", id },
			groupKey: `mentorship_request:${id}`,
			when: sql`EXISTS (SELECT 1 FROM ${mentorships} WHERE ${mentorships.id} = ${id})`,
		},
		now,
	);
	// The new mentorship is read back in the same batch (nothing there if the insert lost to an open pair).
	const [[created], [view]] = await db.batch([
		insert,
		mentorshipSelect(db).where(eq(mentorships.id, id)),
		...(notified ? [notified] : []),
		...(queued ? [queued] : []),
	]);
	if (!created || !view) throw conflict("You already have an open mentorship or request with this guide.");
	return toMentorship(view, me.id);
}

const IdCursor = z.object({ id: z.string() });

/**
 * My mentorships as mentee and as guide, newest first: one indexed branch per (role, status), bounded by
 * the page size, in one D1 batch.
 */
export async function listMentorships(db: Db, me: string, query: z.infer<typeof MentorshipListQuery>) {
	const after = decodeCursor(query.cursor, IdCursor);
	const roles = query.role ? [query.role] : (["mentee", "guide"] as const);
	const statuses: readonly MentorshipStatus[] = query.status ? [query.status] : MENTORSHIP_STATUSES;
	const branches = roles.flatMap((role) =>
		statuses.map((status) =>
			mentorshipSelect(db)
				.where(
					and(
						eq(role === "mentee" ? mentorships.menteeId : mentorships.guideId, me),
						eq(mentorships.status, status),
						after ? lt(mentorships.id, after.id) : undefined,
					),
				)
				.orderBy(desc(mentorships.id))
				.limit(query.limit + 1),
		),
	);
	const [first, ...rest] = branches;
	if (!first) return { data: [], next_cursor: null };
	const rows = (await db.batch([first, ...rest]))
		.flat()
		.sort((a, b) => (a.mentorship.id < b.mentorship.id ? 1 : -1))
		.slice(0, query.limit + 1);
	return toPage(
		rows,
		query.limit,
		(row) => ({ id: row.mentorship.id }),
		(row) => toMentorship(row, me),
	);
}

export type MentorshipChange = "accepted" | "declined" | "completed" | "cancelled";

/** Who may move a mentorship from which state to which. */
function checkTransition(row: MentorshipRow, me: CurrentUser, to: MentorshipChange): void {
	const isGuide = row.guideId === me.id;
	switch (to) {
		case "accepted":
		case "declined":
			if (!isGuide) throw forbidden("Only the guide accepts or declines a mentorship request.");
			if (to === "accepted" && !isVerifiedGuide(me)) {
				throw forbidden("Only a verified guide (trust good_soil or higher) can take on mentees.");
			}
			if (row.status !== "requested") throw conflict(`This mentorship is already ${row.status}.`);
			return;
		case "completed":
			if (row.status !== "accepted") throw conflict("Only an accepted mentorship can be completed.");
			return;
		case "cancelled":
			if (isGuide)
				throw forbidden("A guide declines a request or completes a mentorship; the mentee cancels.");
			if (row.status !== "requested" && row.status !== "accepted") {
				throw conflict(`This mentorship is already ${row.status}.`);
			}
			return;
	}
}

/**
 * The other side learns what became of the mentorship: the mentee when the guide accepts, declines or
 * completes it; the guide when the mentee completes or cancels it. Written only if this change is the one
 * that applied (the status and time it set are there), so a repeated change tells no one twice.
 */
function updateEvent(
	row: MentorshipRow,
	actorId: string,
	to: MentorshipChange,
	at: string,
): NotificationEvent {
	return {
		type: "mentorship_update",
		recipientId: row.guideId === actorId ? row.menteeId : row.guideId,
		actorId,
		subject: { type: "mentorship", id: row.id },
		groupKey: `mentorship_update:${row.id}:${to}`,
		data: { status: to },
		when: sql`EXISTS (SELECT 1 FROM ${mentorships} WHERE ${mentorships.id} = ${row.id}
			AND ${mentorships.status} = ${to} AND ${mentorships.updatedAt} = ${at})`,
	};
}

/**
 * Moves a mentorship on. Returns the view and whether an accepted mentorship ended (the caller then lets the
 * chat room re-check who may still talk). `beforeEnd` runs before an accepted mentorship's end is committed
 * (the caller fences the pair's chat room).
 */
export async function updateMentorship(
	db: Db,
	me: CurrentUser,
	mentorshipId: string,
	to: MentorshipChange,
	now = new Date(),
	beforeEnd?: (peerId: string) => Promise<void>,
): Promise<{ mentorship: z.infer<typeof Mentorship>; endedActive: boolean; peerId: string }> {
	const row = await db
		.select()
		.from(mentorships)
		.where(
			and(
				eq(mentorships.id, mentorshipId),
				or(eq(mentorships.menteeId, me.id), eq(mentorships.guideId, me.id)),
			),
		)
		.get();
	if (!row) throw notFound("mentorship");
	checkTransition(row, me, to);
	const peerId = row.guideId === me.id ? row.menteeId : row.guideId;
	const endsActive = row.status === "accepted" && (to === "completed" || to === "cancelled");
	if (endsActive) await beforeEnd?.(peerId);
	const at = now.toISOString();
	const update = db
		.update(mentorships)
		.set({
			status: to,
			updatedAt: at,
			...(to === "accepted" || to === "declined" ? { respondedAt: at } : {}),
			...(to === "completed" ? { completedAt: at } : {}),
		})
		.where(
			and(
				eq(mentorships.id, row.id),
				eq(mentorships.status, row.status),
				// The capacity rule, checked by the same statement that takes the place.
				to === "accepted"
					? sql`${activeMentees(row.guideId)} < (SELECT ${guideProfiles.maxMentees} FROM ${guideProfiles} WHERE ${guideProfiles.userId} = ${row.guideId})`
					: undefined,
			),
		)
		.returning({ id: mentorships.id });
	const [[updated], [view]] = await db.batch([
		update,
		mentorshipSelect(db).where(eq(mentorships.id, row.id)),
		...notificationStatements(db, [updateEvent(row, me.id, to, at)], now),
	]);
	if (!updated) {
		const current = await db
			.select({ status: mentorships.status })
			.from(mentorships)
			.where(eq(mentorships.id, row.id))
			.get();
		if (to === "accepted" && current?.status === "requested") {
			throw conflict("You have no free place: you already mentor as many people as your max_mentees.");
		}
		throw conflict("This mentorship just changed; reload and try again.");
	}
	if (!view) throw notFound("mentorship");
	return {
		mentorship: toMentorship(view, me.id),
		endedActive: endsActive,
		peerId,
	};
}
