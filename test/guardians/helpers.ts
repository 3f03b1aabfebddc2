/** Shared steps of the guardian tests: people at given levels, content to report, reports and queue reads. */
import { env } from "cloudflare:workers";
import { createDb } from "../../src/db/client";
import { comments, posts } from "../../src/db/tables/flourish";
import { sunlightShares } from "../../src/db/tables/sunlight";
import { call, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";

export async function person(
	label: string,
	columns: Record<string, string | number | null> = {},
): Promise<TestUser> {
	const user = await signUp(label);
	if (Object.keys(columns).length > 0) await setUserColumns(user.id, columns);
	return user;
}

export const guardian = (label = "guardian") => person(label, { role: "guardian" });

/**
 * A reporter whose reports count toward hiding: at `level`, an account 30 days old with five posts other
 * people can see (see ESTABLISHED_AFTER_DAYS and ESTABLISHED_CONTRIBUTIONS in guardians/reports.ts).
 */
export async function established(level: string, label = `established-${level}`): Promise<TestUser> {
	const user = await person(label, {
		trust_level: level,
		created_at: new Date(Date.now() - 30 * 86_400_000).toISOString(),
	});
	for (let i = 0; i < 5; i++) await postBy(user.id, `Morning walk number ${i}`);
	return user;
}
export const atLevel = (level: string, label = level) => person(label, { trust_level: level });

/** A clean public post (written straight to D1, as the feed feature would). */
export async function postBy(authorId: string, body = "A post about my morning routine"): Promise<string> {
	const [post] = await createDb(env.DB)
		.insert(posts)
		.values({ authorId, type: "text", body, moderationStatus: "clean", toxicityScore: 0.01 })
		.returning();
	if (!post) throw new Error("no post");
	return post.id;
}

export async function commentBy(authorId: string, postId: string, body = "Nice one"): Promise<string> {
	const [comment] = await createDb(env.DB)
		.insert(comments)
		.values({ postId, authorId, body, moderationStatus: "clean" })
		.returning();
	if (!comment) throw new Error("no comment");
	return comment.id;
}

export async function shareBy(authorId: string, body = "Grateful for sunny days"): Promise<string> {
	const [share] = await createDb(env.DB)
		.insert(sunlightShares)
		.values({ authorId, shareType: "gratitude", body, moderationStatus: "clean" })
		.returning();
	if (!share) throw new Error("no share");
	return share.id;
}

export const report = (
	reporter: TestUser,
	targetType: string,
	targetId: string,
	reason = "spam",
	extra: Record<string, unknown> = {},
) =>
	call("POST", "/api/v1/reports", {
		token: reporter.token,
		body: { target_type: targetType, target_id: targetId, reason, ...extra },
	});

export async function reported(reporter: TestUser, targetType: string, targetId: string, reason = "spam") {
	return expectStatus<{ id: string; status: string }>(
		await report(reporter, targetType, targetId, reason),
		201,
	);
}

export async function moderationStatusOf(table: string, id: string): Promise<string | undefined> {
	const row = await env.DB.prepare(`SELECT moderation_status FROM ${table} WHERE id = ?`)
		.bind(id)
		.first<{ moderation_status: string }>();
	return row?.moderation_status;
}

export type QueueItem = {
	id: string;
	target_type: string;
	target_id: string;
	status: string;
	score: number;
	report_count: number;
	is_hidden: boolean;
	is_urgent: boolean;
	source: string;
	author: { id: string } | null;
	reports: Array<{ reason: string; weight: number; status: string; reporter: { id: string } }>;
	decision: string | null;
	created_at: string;
};

export async function queueItemFor(
	targetType: string,
	targetId: string,
): Promise<{ id: string } & Record<string, unknown>> {
	const row = await env.DB.prepare(
		"SELECT * FROM moderation_queue_items WHERE target_type = ? AND target_id = ?",
	)
		.bind(targetType, targetId)
		.first<{ id: string } & Record<string, unknown>>();
	if (!row) throw new Error(`no queue item for ${targetType} ${targetId}`);
	return row;
}

export const decide = (by: TestUser, itemId: string, body: Record<string, unknown>) =>
	call("POST", `/api/v1/guardians/queue/${itemId}/decision`, { token: by.token, body });

export async function auditEntries(targetId: string): Promise<Array<Record<string, unknown>>> {
	const { results } = await env.DB.prepare(
		"SELECT * FROM moderation_actions WHERE target_id = ? ORDER BY created_at, id",
	)
		.bind(targetId)
		.all<Record<string, unknown>>();
	return results;
}
