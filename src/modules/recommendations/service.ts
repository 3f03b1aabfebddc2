/**
 * @module recommendations/service: "what might I like" — groups, projects, Guides or daily nourishment,
 * ranked by similarity between my interests and each candidate's text.
 *
 * Candidates are only what I may see: no secret groups, private projects, spiritual content without my
 * opt-in, hidden or removed content, things owned by someone I block or who blocks me, nor what I already
 * belong to. My interest profile is my interest tags, bio, active habit names, the groups I am in and my
 * recent posts. Vectors live in `content_embeddings` (see `ml/ranking.ts`), so a repeated read embeds
 * nothing. When the ML service is down, or I have told nothing about myself yet, the newest candidates
 * come first (`ranked_by: "recency"`).
 */
import { and, desc, eq, gt, inArray, isNull, lte, ne, notExists, or, type SQL } from "drizzle-orm";
import type { CurrentUser } from "../../core/accounts/current-user";
import { notBlockedWith } from "../../core/blocks";
import { PUBLICLY_VISIBLE_STATUSES } from "../../core/moderation/screen";
import { spiritualFilter } from "../../core/spiritual";
import type { Db } from "../../db/client";
import { fellowshipGroups, groupMembers } from "../../db/tables/fellowship";
import { posts } from "../../db/tables/flourish";
import { habits } from "../../db/tables/garden";
import { nourishmentItems } from "../../db/tables/nourishment";
import { projectMembers, projects } from "../../db/tables/teamup";
import { guideProfiles, users } from "../../db/tables/users";
import type { Bindings } from "../../env";
import { HOUR_MS } from "../../lib/durations";
import { localToday } from "../../lib/local-date";
import { rankByRelevance } from "../../ml/ranking";

export const RECOMMENDATION_KINDS = ["groups", "projects", "guides", "nourishment"] as const;
export type RecommendationKind = (typeof RECOMMENDATION_KINDS)[number];

/** Newest candidates considered per kind (per visibility bucket where a kind has several). */
export const CANDIDATE_POOL = 100;
/** What of me goes into the profile. */
const PROFILE_HABITS = 50;
const PROFILE_GROUPS = 30;
const PROFILE_POSTS = 5;
/** Candidate text embedded per item (descriptions can be long; their start says what they are about). */
const CANDIDATE_TEXT_CHARS = 1_500;

export interface GroupCandidate {
	kind: "group";
	id: string;
	name: string;
	description: string;
	groupType: string;
	visibility: string;
	memberCount: number;
	isSpiritual: boolean;
}
export interface ProjectCandidate {
	kind: "project";
	id: string;
	title: string;
	description: string;
	projectType: string;
	status: string;
	visibility: string;
	memberCount: number;
	isSpiritual: boolean;
}
export interface GuideCandidate {
	kind: "guide";
	id: string;
	displayName: string;
	avatarUrl: string | null;
	bio: string;
	headline: string;
	specialties: string[];
	experience: string;
	availability: string;
}
export interface NourishmentCandidate {
	kind: "nourishment";
	id: string;
	title: string;
	body: string;
	contentType: string;
	category: string;
	author: string | null;
	isSpiritual: boolean;
}
export type Candidate = GroupCandidate | ProjectCandidate | GuideCandidate | NourishmentCandidate;

export interface Recommendations {
	rankedBy: "similarity" | "recency";
	items: Array<{ candidate: Candidate; score: number | null }>;
}

const visibleContent = (
	column: typeof fellowshipGroups.moderationStatus | typeof projects.moderationStatus,
) => inArray(column, [...PUBLICLY_VISIBLE_STATUSES]);

/** The text that stands for me: interests, bio, habits, groups and recent posts. */
export async function interestProfile(db: Db, user: CurrentUser): Promise<string> {
	const [habitRows, groupRows, postRows] = await db.batch([
		db
			.select({ name: habits.name, description: habits.description })
			.from(habits)
			.where(and(eq(habits.userId, user.id), isNull(habits.deletedAt)))
			.orderBy(desc(habits.id))
			.limit(PROFILE_HABITS),
		db
			.select({ name: fellowshipGroups.name })
			.from(groupMembers)
			.innerJoin(fellowshipGroups, eq(fellowshipGroups.id, groupMembers.groupId))
			.where(
				and(
					eq(groupMembers.userId, user.id),
					eq(groupMembers.status, "active"),
					isNull(fellowshipGroups.deletedAt),
				),
			)
			.limit(PROFILE_GROUPS),
		db
			.select({ body: posts.body })
			.from(posts)
			.where(and(eq(posts.authorId, user.id), isNull(posts.deletedAt)))
			.orderBy(desc(posts.id))
			.limit(PROFILE_POSTS),
	]);
	return [
		user.interests.join(", "),
		user.bio,
		...habitRows.map((habit) => [habit.name, habit.description].filter(Boolean).join(": ")),
		...groupRows.map((group) => group.name),
		...postRows.map((post) => post.body),
	]
		.map((part) => part.trim())
		.filter((part) => part.length > 0)
		.join("\n");
}

async function groupCandidates(db: Db, user: CurrentUser): Promise<GroupCandidate[]> {
	// Public and private groups are listed; secret ones are for their members (who are excluded anyway).
	const bucket = (visibility: "public" | "private") =>
		db
			.select({
				id: fellowshipGroups.id,
				name: fellowshipGroups.name,
				description: fellowshipGroups.description,
				groupType: fellowshipGroups.groupType,
				visibility: fellowshipGroups.visibility,
				memberCount: fellowshipGroups.memberCount,
				isSpiritual: fellowshipGroups.isSpiritual,
			})
			.from(fellowshipGroups)
			.where(
				and(
					eq(fellowshipGroups.visibility, visibility),
					isNull(fellowshipGroups.deletedAt),
					visibleContent(fellowshipGroups.moderationStatus),
					spiritualFilter(user, fellowshipGroups.isSpiritual),
					notBlockedWith(db, user.id, fellowshipGroups.ownerId),
					notExists(
						db
							.select({ id: groupMembers.id })
							.from(groupMembers)
							.where(and(eq(groupMembers.groupId, fellowshipGroups.id), eq(groupMembers.userId, user.id))),
					),
				),
			)
			.orderBy(desc(fellowshipGroups.id))
			.limit(CANDIDATE_POOL);
	const [publicGroups, privateGroups] = await db.batch([bucket("public"), bucket("private")]);
	return [...publicGroups, ...privateGroups]
		.sort((a, b) => (a.id < b.id ? 1 : -1))
		.map((row) => ({ kind: "group", ...row }));
}

async function projectCandidates(db: Db, user: CurrentUser): Promise<ProjectCandidate[]> {
	// Listed projects that are still going; private ones are invite-only and never recommended.
	const bucket = (visibility: "public" | "members_only", status: "planning" | "active") =>
		db
			.select({
				id: projects.id,
				title: projects.title,
				description: projects.description,
				projectType: projects.projectType,
				status: projects.status,
				visibility: projects.visibility,
				memberCount: projects.memberCount,
				isSpiritual: projects.isSpiritual,
			})
			.from(projects)
			.where(
				and(
					eq(projects.visibility, visibility),
					eq(projects.status, status),
					isNull(projects.archivedAt),
					visibleContent(projects.moderationStatus),
					spiritualFilter(user, projects.isSpiritual),
					notBlockedWith(db, user.id, projects.ownerId),
					notExists(
						db
							.select({ id: projectMembers.id })
							.from(projectMembers)
							.where(and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, user.id))),
					),
				),
			)
			.orderBy(desc(projects.id))
			.limit(CANDIDATE_POOL);
	const buckets = await db.batch([
		bucket("public", "planning"),
		bucket("public", "active"),
		bucket("members_only", "planning"),
		bucket("members_only", "active"),
	]);
	return buckets
		.flat()
		.sort((a, b) => (a.id < b.id ? 1 : -1))
		.map((row) => ({ kind: "project", ...row }));
}

/** Verified Guides (role guide, trust good_soil or higher, not suspended) who accept mentees. */
async function guideCandidates(db: Db, user: CurrentUser, now: Date): Promise<GuideCandidate[]> {
	const rows = await db
		.select({
			id: users.id,
			displayName: users.displayName,
			avatarUrl: users.avatarUrl,
			bio: users.bio,
			headline: guideProfiles.headline,
			specialties: guideProfiles.specialties,
			experience: guideProfiles.experience,
			availability: guideProfiles.availability,
		})
		.from(users)
		.innerJoin(guideProfiles, eq(guideProfiles.userId, users.id))
		.where(
			and(
				eq(users.role, "guide"),
				inArray(users.trustLevel, ["good_soil", "flourishing"]),
				isNull(users.deletedAt),
				or(isNull(users.suspendedUntil), lte(users.suspendedUntil, now.toISOString())),
				eq(guideProfiles.acceptingMentees, true),
				notBlockedWith(db, user.id, users.id),
				ne(users.id, user.id),
			),
		)
		.orderBy(desc(users.id))
		.limit(CANDIDATE_POOL);
	return rows.map((row) => ({ kind: "guide", ...row }));
}

/**
 * The dates that may be someone's local today at `now`: from UTC−12 with a day that starts at 23:00 (35 hours
 * behind UTC) to UTC+14.
 */
function possibleTodays(now: Date): { earliest: string; latest: string } {
	const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
	return { earliest: utcDate(now.getTime() - 35 * HOUR_MS), latest: utcDate(now.getTime() + 14 * HOUR_MS) };
}

/**
 * Published nourishment: the evergreen pool and items whose date has come (never a future schedule).
 *
 * My local today depends on my row (time zone, day start), which arrives with this batch rather than before
 * it (core/accounts/remembered-callers): so the batch reads the items dated on or before the earliest
 * possible today, and apart the few dated after it up to the latest possible (one live item per date); once
 * the row is in, those after my today are dropped. The same pool as a query bound to my today, in one wait.
 */
async function nourishmentCandidates(db: Db, user: CurrentUser, now: Date): Promise<NourishmentCandidate[]> {
	const { earliest, latest } = possibleTodays(now);
	const columns = {
		id: nourishmentItems.id,
		title: nourishmentItems.title,
		body: nourishmentItems.body,
		contentType: nourishmentItems.contentType,
		category: nourishmentItems.category,
		author: nourishmentItems.author,
		isSpiritual: nourishmentItems.isSpiritual,
		publishDate: nourishmentItems.publishDate,
	};
	const live = (when: SQL | undefined) =>
		and(when, isNull(nourishmentItems.deletedAt), spiritualFilter(user, nourishmentItems.isSpiritual));
	const newestDated = [desc(nourishmentItems.publishDate), desc(nourishmentItems.id)];
	const [evergreen, settled, recent] = await db.batch([
		db
			.select(columns)
			.from(nourishmentItems)
			.where(live(isNull(nourishmentItems.publishDate)))
			.orderBy(desc(nourishmentItems.id))
			.limit(CANDIDATE_POOL),
		db
			.select(columns)
			.from(nourishmentItems)
			.where(live(lte(nourishmentItems.publishDate, earliest)))
			.orderBy(...newestDated)
			.limit(CANDIDATE_POOL),
		db
			.select(columns)
			.from(nourishmentItems)
			.where(live(and(gt(nourishmentItems.publishDate, earliest), lte(nourishmentItems.publishDate, latest))))
			.orderBy(...newestDated)
			.limit(CANDIDATE_POOL),
	]);
	const today = localToday(user.timezone, user.dayStartHour, now);
	const dated = [...recent.filter((row) => (row.publishDate ?? "") <= today), ...settled].slice(
		0,
		CANDIDATE_POOL,
	);
	return [...evergreen, ...dated]
		.sort((a, b) => (a.id < b.id ? 1 : -1))
		.map(({ publishDate: _publishDate, ...row }) => ({ kind: "nourishment", ...row }));
}

function candidateText(candidate: Candidate): string {
	switch (candidate.kind) {
		case "group":
			return `${candidate.name}\n${candidate.description}\n${candidate.groupType}`;
		case "project":
			return `${candidate.title}\n${candidate.description}\n${candidate.projectType.replace("_", " ")}`;
		case "guide":
			return [candidate.headline, candidate.specialties.join(", "), candidate.experience, candidate.bio].join(
				"\n",
			);
		case "nourishment":
			return `${candidate.title}\n${candidate.category}\n${candidate.body}`;
	}
}

const TARGET_TYPES = {
	group: "fellowship_group",
	project: "project",
	// Guides are keyed by user id, as the Guide directory's `sort=recommended` keys them.
	guide: "guide_profile",
	nourishment: "nourishment_item",
} as const;

async function candidatesFor(
	db: Db,
	user: CurrentUser,
	kind: RecommendationKind,
	now: Date,
): Promise<Candidate[]> {
	switch (kind) {
		case "groups":
			return groupCandidates(db, user);
		case "projects":
			return projectCandidates(db, user);
		case "guides":
			return guideCandidates(db, user, now);
		case "nourishment":
			return nourishmentCandidates(db, user, now);
	}
}

/** Every candidate of a kind I may see, best match first. */
export async function recommend(
	db: Db,
	env: Pick<Bindings, "ML" | "DB">,
	user: CurrentUser,
	kind: RecommendationKind,
	now = new Date(),
): Promise<Recommendations> {
	const [profile, candidates] = await Promise.all([
		interestProfile(db, user),
		candidatesFor(db, user, kind, now),
	]);
	const recency: Recommendations = {
		rankedBy: "recency",
		items: candidates.map((candidate) => ({ candidate, score: null })),
	};
	if (profile.length === 0 || candidates.length === 0) return recency;
	const ranked = await rankByRelevance(
		env,
		profile,
		candidates.map((candidate) => ({
			targetType: TARGET_TYPES[candidate.kind],
			id: candidate.id,
			text: candidateText(candidate).slice(0, CANDIDATE_TEXT_CHARS),
		})),
		{ queryKey: { targetType: "user", id: user.id } },
	);
	if (!ranked) return recency;
	const byId = new Map(candidates.map((candidate) => [candidate.id, candidate]));
	return {
		rankedBy: "similarity",
		items: ranked.flatMap((item) => {
			const candidate = byId.get(item.id);
			return candidate ? [{ candidate, score: Math.round(item.score * 10_000) / 10_000 }] : [];
		}),
	};
}
