/**
 * Setting up trust histories directly in D1 (contributions, reactions, upheld reports, account age), so the
 * eligibility rules can be tested at their boundaries without weeks of clock time.
 */
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { createDb } from "../../src/db/client";
import { comments, posts, reactions } from "../../src/db/tables/flourish";
import { gardens, habitLogs, habits } from "../../src/db/tables/garden";
import { appeals, moderationActions, penalties } from "../../src/db/tables/guardians";
import { sunlightReactions, sunlightShares } from "../../src/db/tables/sunlight";
import { users } from "../../src/db/tables/users";
import { setUserColumns, signUp, type TestUser } from "../support/api";

export const DAY_MS = 24 * 60 * 60 * 1000;
export const MINUTE_MS = 60 * 1000;
const db = () => createDb(env.DB);

export const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

/** Adds contributions of each kind; `habitLogs` go on one habit, one per back-dated day. */
export async function addContributions(
	userId: string,
	counts: { habitLogs?: number; posts?: number; comments?: number; shares?: number },
): Promise<void> {
	const d = db();
	if (counts.habitLogs) {
		const [garden] = await d
			.insert(gardens)
			.values({ userId })
			.onConflictDoUpdate({ target: gardens.userId, set: { name: "My Garden" } })
			.returning();
		const [habit] = await d
			.insert(habits)
			.values({
				gardenId: garden?.id ?? "",
				userId,
				name: "Walk",
				category: "health",
				frequency: "daily",
				startDate: "2020-01-01",
			})
			.returning();
		for (let i = 0; i < counts.habitLogs; i++) {
			await d.insert(habitLogs).values({
				habitId: habit?.id ?? "",
				userId,
				localDate: `2024-01-${String(1 + (i % 28)).padStart(2, "0")}`,
			});
		}
	}
	for (let i = 0; i < (counts.posts ?? 0); i++) {
		await d.insert(posts).values({ authorId: userId, type: "text", body: `Post ${i}` });
	}
	if (counts.comments) {
		const [post] = await d
			.insert(posts)
			.values({ authorId: userId, type: "text", body: "Thread" })
			.returning();
		// The thread itself is a post: count it in.
		for (let i = 0; i < counts.comments - 1; i++) {
			await d.insert(comments).values({ postId: post?.id ?? "", authorId: userId, body: `Comment ${i}` });
		}
	}
	for (let i = 0; i < (counts.shares ?? 0); i++) {
		await d
			.insert(sunlightShares)
			.values({ authorId: userId, shareType: "gratitude", body: `Thankful ${i}` });
	}
}

/**
 * `count` reactions on the author's content from `people` distinct new users: the first on a post
 * (the `reactions` table), the rest on one sunlight share (up to 5 types per person). Adds exactly 2
 * contributions (the post and the share).
 */
export async function addReactionsReceived(authorId: string, count: number, people: number): Promise<void> {
	const d = db();
	const reactors: TestUser[] = [];
	for (let i = 0; i < people; i++) reactors.push(await signUp("reactor"));
	const [post] = await d.insert(posts).values({ authorId, type: "text", body: "Liked" }).returning();
	const [share] = await d
		.insert(sunlightShares)
		.values({ authorId, shareType: "win", body: "A win" })
		.returning();
	const types = ["sunshine", "heart", "celebrate", "hug", "inspired"] as const;
	for (let i = 0; i < count; i++) {
		const reactor = reactors[i % people];
		if (!reactor) throw new Error("no reactor");
		if (i === 0) {
			await d.insert(reactions).values({
				userId: reactor.id,
				targetType: "post",
				targetId: post?.id ?? "",
				targetAuthorId: authorId,
				reactionType: "like",
			});
		} else {
			const type = types[Math.floor(i / people) % types.length];
			if (!type) throw new Error("too many reactions per person");
			await d
				.insert(sunlightReactions)
				.values({ shareId: share?.id ?? "", userId: reactor.id, reactionType: type });
		}
	}
}

/** An upheld report against the user `daysAgo` days ago (a warning), optionally overturned on appeal. */
export async function addUpheldReport(userId: string, daysAgo: number, overturned = false): Promise<void> {
	const d = db();
	const when = ago(daysAgo * DAY_MS);
	const [penalty] = await d
		.insert(penalties)
		.values({ userId, kind: "warning", startsAt: when, reason: "test" })
		.returning();
	await d.insert(moderationActions).values({
		actorId: null,
		action: "warn",
		targetType: "post",
		targetId: crypto.randomUUID(),
		targetUserId: userId,
		reason: "test",
		details: { penalty_id: penalty?.id },
		createdAt: when,
	});
	if (overturned && penalty) {
		await d.insert(appeals).values({ penaltyId: penalty.id, userId, body: "Not me", status: "overturned" });
	}
}

/** A user at `level` since `daysAtLevel` days, account `ageDays` old. */
export async function userAt(
	level: "new_sprout" | "growing" | "good_soil" | "flourishing",
	daysAtLevel: number,
	ageDays = daysAtLevel + 10,
	label = "trust",
): Promise<TestUser> {
	const user = await signUp(label);
	await setUserColumns(user.id, {
		trust_level: level,
		trust_level_since: ago(daysAtLevel * DAY_MS),
		created_at: ago(ageDays * DAY_MS),
	});
	return user;
}

export async function levelOf(userId: string): Promise<string | undefined> {
	return (await db().select({ level: users.trustLevel }).from(users).where(eq(users.id, userId)).get())
		?.level;
}
