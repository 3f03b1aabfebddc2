/**
 * @module privacy/erase: deleting an account (`DELETE /users/me`).
 *
 * One atomic D1 batch is the commit point. Every statement in it is set-based (`WHERE user_id = ?1`, served
 * by the user-id indexes) with at most four bound parameters, so the batch has the same ~50 statements
 * whatever the account holds, and it either happens whole or not at all. It:
 *
 * - erases the profile and replaces the row's Auth0 `sub` by `deleted:<id>` (a tombstone: the next token
 *   with that `sub` starts a fresh account, and no token can reach the old row again);
 * - deletes what was private (garden, habits and logs, connections, blocks, applications, counters,
 *   stored idempotent responses) and removes what was authored for others to read (posts, comments,
 *   sunlight shares: soft-deleted with their text blanked);
 * - hands groups and projects over (or archives them) and ends memberships and open mentorships;
 * - blanks the person's text in moderation records, which stay for accountability;
 * - writes the Durable Object work that remains into an outbox (`account_erasure_jobs`): blank the
 *   person's messages in each conversation's ChatRoom, withdraw each live RSVP from its EventRsvp object
 *   (promoting the waitlist), and one delayed `sweep` that runs this batch again for anything a request
 *   already past authentication wrote after the commit.
 *
 * After the commit the person's live stream is told: it reads that the account is gone, closes its sockets
 * and forgets what it kept. The outbox is worked off right away (bounded: ERASURE_JOBS_PER_REQUEST) and
 * then by the cron until each job succeeds; every job is idempotent. See README.md, "Privacy", for what is kept and why.
 */
import { eq } from "drizzle-orm";
import type { CurrentUser } from "../../core/accounts/current-user";
import { forgetCaller } from "../../core/accounts/remembered-callers";
import { tombstoneKey } from "../../core/accounts/tombstones";
import { isBatchGuardFailure } from "../../db/batch-guard";
import { createDb } from "../../db/client";
import { groupEvents } from "../../db/tables/fellowship";
import type { accountErasureJobs, ERASURE_JOB_KINDS } from "../../db/tables/users";
import { PERMANENT_UNTIL } from "../../db/tables/users";
import type { Bindings } from "../../env";
import { DAY_MS } from "../../lib/durations";
import { logEvent } from "../../lib/log";
import { conflict } from "../../lib/problem";
import { rsvpObject, termsOf } from "../fellowship";
import { type DeletedMedia, deletedMediaOf, purgeMedia } from "../media";
import { announceNotifications } from "../notifications";
import { eraseChatMessagesOf } from "../orchard";

/** Outbox jobs done inline by the DELETE request; the cron does the rest. */
export const ERASURE_JOBS_PER_REQUEST = 50;
/** Outbox jobs per cron run. */
export const ERASURE_JOBS_PER_RUN = 100;
/** Durable Object calls in flight at once. */
const CONCURRENCY = 8;
/** The second D1 pass waits this long for requests that were already past authentication at the commit. */
export const SWEEP_DELAY_MS = 60_000;
/** A failed job is retried after attempts × this (at most RETRY_MAX_MS). */
const RETRY_STEP_MS = 5 * 60_000;
const RETRY_MAX_MS = 60 * 60_000;

/** What others see of a person who has left: a pseudonym, never their name. */
export const DELETED_DISPLAY_NAME = "Former member";
const ERASED_MARKER = "json_object('erased', 'the person deleted their account')";

type Job = typeof accountErasureJobs.$inferSelect;
type JobKind = (typeof ERASURE_JOB_KINDS)[number];

/** A random UUID (version 4) in SQL, for outbox rows created by INSERT … SELECT. */
const SQL_UUID = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;

/** Fails the batch (rolling all of it back) when the account is the last active guardian. */
const LAST_GUARDIAN_GUARD = `SELECT CASE WHEN coalesce((SELECT role FROM users WHERE id = ?1), 'user') <> 'guardian'
	OR (SELECT count(*) FROM users AS other WHERE other.role = 'guardian' AND other.deleted_at IS NULL AND other.id <> ?1
		AND (other.suspended_until IS NULL OR other.suspended_until <= ?2)) >= 1
	THEN 1 ELSE json('batch-guard') END`;

/** The groups (or projects) of which ?1 is the last active owner: `table` is their membership table. */
const lastOwnerOf = (table: string, scope: string) => `
	SELECT mine.${scope} FROM ${table} AS mine
	WHERE mine.user_id = ?1 AND mine.role = 'owner' AND mine.status = 'active'
		AND NOT EXISTS (SELECT 1 FROM ${table} AS other WHERE other.${scope} = mine.${scope}
			AND other.role = 'owner' AND other.status = 'active' AND other.user_id <> ?1)`;

/** The longest-standing active member with `role` of each scope where ?1 is the last owner. */
const successorOf = (table: string, scope: string, role: string) => `
	UPDATE ${table} SET role = 'owner', updated_at = ?2 WHERE id IN (
		SELECT (SELECT heir.id FROM ${table} AS heir WHERE heir.${scope} = orphaned.${scope} AND heir.status = 'active'
			AND heir.role = '${role}' AND heir.user_id <> ?1 ORDER BY heir.created_at, heir.id LIMIT 1)
		FROM (${lastOwnerOf(table, scope)}) AS orphaned)`;

const recount = (container: string, table: string, scope: string) => `
	UPDATE ${container} SET member_count = (SELECT count(*) FROM ${table} AS m
		WHERE m.${scope} = ${container}.id AND m.status = 'active' AND m.user_id <> ?1)
	WHERE id IN (SELECT ${scope} FROM ${table} WHERE user_id = ?1 AND status = 'active')`;

const outbox = (kind: JobKind, select: string) => `
	INSERT INTO account_erasure_jobs (id, user_id, kind, target_id, not_before, attempts, created_at, updated_at)
	SELECT ${SQL_UUID}, ?1, '${kind}', target_id, ?2, 0, ?2, ?2 FROM (${select}) WHERE true
	ON CONFLICT (user_id, kind, target_id) DO NOTHING`;

/**
 * The duration label of a tombstone whose timed suspension has no penalty row in force (set by hand in D1):
 * only a label — the tombstone carries the exact end — but a timed penalty needs a timed duration.
 */
const UNRECORDED_DURATION = "30d";

/** A suspension in force on ?1 (the user id) at ?2 (now) that came from queue item `item`. */
const penaltyInForceFrom = (
	item: string,
) => `EXISTS (SELECT 1 FROM penalties AS p WHERE p.queue_item_id = ${item}
	AND p.kind = 'suspension' AND p.lifted_at IS NULL AND (p.ends_at IS NULL OR p.ends_at > ?2))`;

/**
 * The erasure, in order. Parameters: ?1 the user id, ?2 now, ?3 when the sweep may run, ?4 the keyed hash of
 * the Auth0 `sub` (?3 and ?4 on the first pass only). `sweep` is the delayed second pass: the same
 * statements except that it schedules no further sweep and leaves no tombstone (the `sub` is gone by then).
 */
export function erasureSql(pass: "first" | "sweep"): string[] {
	return [
		LAST_GUARDIAN_GUARD,

		// A suspension in force outlives the account: it waits under the keyed hash of the `sub` for the next
		// account that `sub` signs in to (guardians/tombstones). Before the row below forgets the suspension.
		...(pass === "first"
			? [
					`INSERT INTO penalty_tombstones (subject_hash, suspended_until, duration, created_at)
					 SELECT ?4, u.suspended_until, CASE WHEN u.suspended_until >= '${PERMANENT_UNTIL}' THEN 'permanent'
						ELSE coalesce((SELECT p.duration FROM penalties AS p WHERE p.user_id = ?1 AND p.kind = 'suspension'
							AND p.lifted_at IS NULL AND p.ends_at > ?2 ORDER BY p.ends_at DESC LIMIT 1), '${UNRECORDED_DURATION}') END, ?2
					 FROM users AS u WHERE u.id = ?1 AND u.suspended_until > ?2
					 ON CONFLICT (subject_hash) DO UPDATE SET suspended_until = max(suspended_until, excluded.suspended_until),
						duration = CASE WHEN excluded.suspended_until >= suspended_until THEN excluded.duration ELSE duration END`,
				]
			: []),

		// Outbox: Durable Object work, captured before the rows that name it go.
		outbox(
			"chat",
			`SELECT conversation_id AS target_id FROM conversation_summaries WHERE user_id = ?1
			 UNION SELECT conversation_id FROM conversation_summaries WHERE peer_id = ?1`,
		),
		outbox(
			"rsvp",
			`SELECT r.event_id AS target_id FROM event_rsvps AS r JOIN group_events AS e ON e.id = r.event_id
			 WHERE r.user_id = ?1 AND r.status IN ('going', 'maybe', 'waitlisted') AND e.status = 'scheduled' AND e.ends_at > ?2`,
		),
		...(pass === "first"
			? [
					`INSERT INTO account_erasure_jobs (id, user_id, kind, target_id, not_before, attempts, created_at, updated_at)
					 VALUES (${SQL_UUID}, ?1, 'sweep', ?1, ?3, 0, ?2, ?2) ON CONFLICT (user_id, kind, target_id) DO NOTHING`,
					// Anonymous shares go later, at a random moment 1–14 days on: gone together with the profile,
					// they would be attributed to it (see anonymousSharesSql).
					`INSERT INTO account_erasure_jobs (id, user_id, kind, target_id, not_before, attempts, created_at, updated_at)
					 VALUES (${SQL_UUID}, ?1, 'sweep', '${ANONYMOUS_SHARES_JOB}', strftime('%Y-%m-%dT%H:%M:%fZ', ?2,
						'+' || (${ANONYMOUS_SHARES_DELAY_S.min} + abs(random()) % ${ANONYMOUS_SHARES_DELAY_S.max - ANONYMOUS_SHARES_DELAY_S.min}) || ' seconds'),
						0, ?2, ?2) ON CONFLICT (user_id, kind, target_id) DO NOTHING`,
				]
			: []),

		// Fellowship: the last owner hands over to the longest-standing moderator, else the group is archived.
		successorOf("group_members", "group_id", "moderator"),
		`UPDATE fellowship_groups SET deleted_at = ?2, updated_at = ?2
		 WHERE deleted_at IS NULL AND id IN (${lastOwnerOf("group_members", "group_id")})`,
		recount("fellowship_groups", "group_members", "group_id"),
		"DELETE FROM group_members WHERE user_id = ?1",

		// Team Up: the same with admins; an unowned project is archived.
		successorOf("project_members", "project_id", "admin"),
		`UPDATE projects SET status = 'archived', archived_at = ?2, updated_at = ?2
		 WHERE archived_at IS NULL AND id IN (${lastOwnerOf("project_members", "project_id")})`,
		recount("projects", "project_members", "project_id"),
		"DELETE FROM project_members WHERE user_id = ?1",

		// My Garden: private, deleted.
		"DELETE FROM habit_logs WHERE user_id = ?1",
		"DELETE FROM habits WHERE user_id = ?1",
		"DELETE FROM gardens WHERE user_id = ?1",

		// Flourish: posts and comments removed (soft delete, text blanked); a removed comment with replies
		// keeps its place as "[removed]". Reactions and poll votes stay as anonymous counts.
		`UPDATE posts SET comment_count = max(comment_count - (SELECT count(*) FROM comments AS c
			WHERE c.post_id = posts.id AND c.author_id = ?1 AND c.deleted_at IS NULL), 0)
		 WHERE id IN (SELECT post_id FROM comments WHERE author_id = ?1 AND deleted_at IS NULL)`,
		`UPDATE comments SET body = '', deleted_at = coalesce(deleted_at, ?2), updated_at = ?2
		 WHERE author_id = ?1 AND (deleted_at IS NULL OR body <> '')`,
		`UPDATE poll_options SET label = '' WHERE label <> '' AND post_id IN (SELECT id FROM posts WHERE author_id = ?1)`,
		`DELETE FROM content_embeddings WHERE target_type = 'post' AND target_id IN (SELECT id FROM posts WHERE author_id = ?1)`,
		`UPDATE posts SET body = '', media_urls = '[]', deleted_at = coalesce(deleted_at, ?2), updated_at = ?2
		 WHERE author_id = ?1 AND (deleted_at IS NULL OR body <> '' OR media_urls <> '[]')`,

		// Share the Sunlight: named shares removed the same way; anonymous ones later (anonymousSharesSql).
		`DELETE FROM content_embeddings WHERE target_type = 'sunlight_share'
		 AND target_id IN (SELECT id FROM sunlight_shares WHERE author_id = ?1 AND is_anonymous = 0)`,
		`UPDATE sunlight_shares SET body = '', deleted_at = coalesce(deleted_at, ?2), updated_at = ?2
		 WHERE author_id = ?1 AND is_anonymous = 0 AND (deleted_at IS NULL OR body <> '')`,

		// The Orchard: connections, blocks (both ways), my conversation list, tickets; open mentorships end.
		"DELETE FROM connections WHERE requester_id = ?1",
		"DELETE FROM connections WHERE addressee_id = ?1",
		"DELETE FROM blocks WHERE blocker_id = ?1",
		"DELETE FROM blocks WHERE blocked_id = ?1",
		"DELETE FROM conversation_summaries WHERE user_id = ?1",
		// The other person's list may still preview my last message; the ChatRoom job rewrites it.
		"UPDATE conversation_summaries SET last_message_preview = '' WHERE peer_id = ?1 AND last_message_preview <> ''",
		"DELETE FROM chat_tickets WHERE user_id = ?1",
		"DELETE FROM chat_tickets WHERE peer_id = ?1",
		`UPDATE mentorships SET status = 'cancelled', updated_at = ?2 WHERE mentee_id = ?1 AND status IN ('requested', 'accepted')`,
		`UPDATE mentorships SET status = 'cancelled', updated_at = ?2 WHERE guide_id = ?1 AND status IN ('requested', 'accepted')`,
		"UPDATE mentorships SET goals = '', message = '' WHERE mentee_id = ?1 AND (goals <> '' OR message <> '')",
		`DELETE FROM content_embeddings WHERE target_type = 'guide_profile'
		 AND target_id IN (SELECT id FROM guide_profiles WHERE user_id = ?1)`,
		"DELETE FROM guide_profiles WHERE user_id = ?1",
		"DELETE FROM content_embeddings WHERE target_type = 'user' AND target_id = ?1",

		// Trust: applications and daily counters.
		"DELETE FROM trust_applications WHERE user_id = ?1",
		"DELETE FROM guide_applications WHERE user_id = ?1",
		"DELETE FROM daily_quotas WHERE user_id = ?1",

		// Moderation records stay (who decided what, when, why) without the person's own words.
		"UPDATE reports SET details = '' WHERE reporter_id = ?1 AND details <> ''",
		"UPDATE appeals SET body = '' WHERE user_id = ?1 AND body <> ''",
		// …except evidence: the snapshot of my content under an open case, or behind a suspension in force, is
		// kept until the case has been closed for EVIDENCE_RETENTION_DAYS (then the cron erases it).
		`UPDATE moderation_queue_items SET author_erased_at = coalesce(author_erased_at, ?2)
		 WHERE target_author_id = ?1 AND (status = 'open' OR ${penaltyInForceFrom("moderation_queue_items.id")})`,
		`UPDATE moderation_queue_items SET content_snapshot = ${ERASED_MARKER}
		 WHERE target_author_id = ?1 AND author_erased_at IS NULL`,
		`UPDATE moderation_actions SET details = ${ERASED_MARKER} WHERE target_user_id = ?1`,

		// Notifications: mine and my preferences go; where I was an actor I am shown as no person (the
		// tombstone is deleted_at), and my live-stream tickets go.
		"DELETE FROM notifications WHERE user_id = ?1",
		"DELETE FROM notification_preferences WHERE user_id = ?1",
		"DELETE FROM stream_tickets WHERE user_id = ?1",
		// Nothing is pushed to a deleted account's devices (their claims go with them).
		"DELETE FROM push_subscriptions WHERE user_id = ?1",
		"DELETE FROM push_quiet_hours WHERE user_id = ?1",
		// The calendar link stops working (the feed also refuses a deleted account's token).
		"DELETE FROM calendar_tokens WHERE user_id = ?1",

		// Media: every upload marked deleted (its bytes leave R2 right after the commit: purgeDeletedMediaOf,
		// and the cron's media sweep for what fails); attached ones disappear with their post or avatar.
		`UPDATE media SET status = 'deleted', alt = NULL WHERE owner_id = ?1 AND status = 'ready'`,

		// Stored responses of idempotent requests hold personal data.
		"DELETE FROM idempotency_keys WHERE user_id = ?1",

		// The tombstone, last.
		`UPDATE users SET auth0_sub = 'deleted:' || id, email = NULL, display_name = '${DELETED_DISPLAY_NAME}', bio = '',
			avatar_url = NULL, interests = '[]', role = 'user', trust_level = 'new_sprout', trust_locked = 0,
			trust_level_since = ?2, timezone = 'UTC', day_start_hour = 0, spiritual_opt_in = 0, suspended_until = NULL,
			deleted_at = coalesce(deleted_at, ?2), updated_at = ?2
		 WHERE id = ?1`,
	];
}

/** The `target_id` of the delayed sweep that removes a deleted account's anonymous shares. */
export const ANONYMOUS_SHARES_JOB = "anonymous-shares";
/** …between one and fourteen days after the account is deleted, at random. */
export const ANONYMOUS_SHARES_DELAY_S = { min: 86_400, max: 14 * 86_400 } as const;

/**
 * The removal of a deleted account's anonymous shares (?1 the user id, ?2 now), run by the delayed sweep. Its
 * time is rounded down to the hour, like every time stored on an anonymous share.
 */
export function anonymousSharesSql(): string[] {
	const hour = "strftime('%Y-%m-%dT%H:00:00.000Z', ?2)";
	return [
		`DELETE FROM content_embeddings WHERE target_type = 'sunlight_share'
		 AND target_id IN (SELECT id FROM sunlight_shares WHERE author_id = ?1 AND is_anonymous = 1)`,
		`UPDATE sunlight_shares SET body = '', deleted_at = coalesce(deleted_at, ${hour}), updated_at = ${hour}
		 WHERE author_id = ?1 AND is_anonymous = 1 AND (deleted_at IS NULL OR body <> '')`,
	];
}

/** How many `?n` parameters a statement uses (each is bound once). */
const parameterCount = (statement: string) =>
	Math.max(0, ...[...statement.matchAll(/\?(\d)/g)].map((m) => Number(m[1])));

/** The erasure batch of `userId`, ready for `d1.batch` (each statement binds only the parameters it uses). */
export function erasureStatements(
	d1: D1Database,
	userId: string,
	now: Date,
	pass: { first: { subjectHash: string } } | "sweep",
): D1PreparedStatement[] {
	const params = [
		userId,
		now.toISOString(),
		new Date(now.getTime() + SWEEP_DELAY_MS).toISOString(),
		pass === "sweep" ? "" : pass.first.subjectHash,
	];
	return erasureSql(pass === "sweep" ? "sweep" : "first").map((statement) =>
		d1.prepare(statement).bind(...params.slice(0, parameterCount(statement))),
	);
}

export interface ErasureOutcome {
	/** Durable Object jobs still queued for the cron (0 when everything is done). */
	pendingCleanup: number;
}

/**
 * Deletes the caller's account: the atomic D1 batch, then this account's outbox jobs (bounded). 409 when
 * the caller is the last active guardian (nothing is changed then).
 */
export async function deleteAccount(
	env: Bindings,
	user: CurrentUser,
	now = new Date(),
): Promise<ErasureOutcome> {
	const subjectHash = await tombstoneKey(env.SUPPORT_HMAC_SECRET, user.auth0Sub);
	let deletedMedia: DeletedMedia[] = [];
	try {
		// The person's uploads, just marked deleted, are read at the batch's end: their bytes go right after.
		const results = await env.DB.batch([
			...erasureStatements(env.DB, user.id, now, { first: { subjectHash } }),
			deletedMediaOf(env.DB, user.id),
		]);
		deletedMedia = (results.at(-1)?.results ?? []) as DeletedMedia[];
	} catch (error) {
		if (isBatchGuardFailure(error)) {
			throw conflict(
				"You are the last active guardian: make someone else a guardian before deleting your account.",
			);
		}
		throw error;
	}
	// This isolate forgets the account at once; the others find out on the person's next read.
	forgetCaller(user.auth0Sub);
	logEvent("info", "account_deleted", { jobs_inline_limit: ERASURE_JOBS_PER_REQUEST });
	// The live stream reads the account's standing, closes its sockets and forgets what it kept (its chat
	// sockets close with the outbox's chat jobs, below).
	await announceNotifications(env, [user.id]);
	// The person's photos and videos leave R2 now; what fails here, the cron's media sweep finishes.
	await purgeMedia(env, deletedMedia).catch((error: unknown) =>
		logEvent("warn", "media_purge_failed", { error: String(error) }),
	);
	const jobs = await env.DB.prepare(
		"SELECT * FROM account_erasure_jobs WHERE user_id = ?1 AND kind <> 'sweep' AND not_before <= ?2 LIMIT ?3",
	)
		.bind(user.id, now.toISOString(), ERASURE_JOBS_PER_REQUEST + 1)
		.all<JobRow>();
	const batch = jobs.results.slice(0, ERASURE_JOBS_PER_REQUEST);
	const failed = await runJobs(env, batch.map(fromRow), now);
	return { pendingCleanup: failed + (jobs.results.length - batch.length) };
}

/** Evidence of a deleted person's content is kept this long after its case is closed. */
export const EVIDENCE_RETENTION_DAYS = 90;

/**
 * The cron: the snapshots kept as evidence after their author deleted the account (`author_erased_at`) are
 * erased once the case has been closed for EVIDENCE_RETENTION_DAYS and no suspension it led to is in force.
 */
export async function eraseExpiredEvidence(d1: D1Database, now = new Date()): Promise<number> {
	const closedBefore = new Date(now.getTime() - EVIDENCE_RETENTION_DAYS * DAY_MS).toISOString();
	const expired = `author_erased_at IS NOT NULL AND status = 'resolved' AND resolved_at <= ?1
		AND NOT ${penaltyInForceFrom("moderation_queue_items.id")}`;
	const [, result] = await d1.batch([
		// Chat messages kept for the other person: the room blanks them now (the outbox job runs right after).
		d1
			.prepare(
				`INSERT INTO account_erasure_jobs (id, user_id, kind, target_id, not_before, attempts, created_at, updated_at)
				 SELECT ${SQL_UUID}, target_author_id, 'chat', json_extract(content_snapshot, '$.conversation_id'), ?2, 0, ?2, ?2
				 FROM moderation_queue_items WHERE target_type = 'chat_message' AND target_author_id IS NOT NULL AND ${expired}
				 ON CONFLICT (user_id, kind, target_id) DO NOTHING`,
			)
			.bind(closedBefore, now.toISOString()),
		d1
			.prepare(
				`UPDATE moderation_queue_items SET content_snapshot = ${ERASED_MARKER}, author_erased_at = NULL WHERE ${expired}`,
			)
			.bind(closedBefore, now.toISOString()),
	]);
	return result?.meta.changes ?? 0;
}

/** The cron: due outbox jobs of every deleted account, oldest due first. Returns how many failed. */
export async function runDueErasureJobs(env: Bindings, now = new Date(), limit = ERASURE_JOBS_PER_RUN) {
	const jobs = await env.DB.prepare(
		"SELECT * FROM account_erasure_jobs WHERE not_before <= ?1 ORDER BY not_before, id LIMIT ?2",
	)
		.bind(now.toISOString(), limit)
		.all<JobRow>();
	return runJobs(env, jobs.results.map(fromRow), now);
}

type JobRow = {
	id: string;
	user_id: string;
	kind: JobKind;
	target_id: string;
	not_before: string;
	attempts: number;
	last_error: string | null;
	created_at: string;
	updated_at: string;
};

const fromRow = (row: JobRow): Job => ({
	id: row.id,
	userId: row.user_id,
	kind: row.kind,
	targetId: row.target_id,
	notBefore: row.not_before,
	attempts: row.attempts,
	lastError: row.last_error,
	createdAt: row.created_at,
	updatedAt: row.updated_at,
});

/** Runs jobs, CONCURRENCY at a time; a done job is deleted, a failed one rescheduled. Returns failures. */
async function runJobs(env: Bindings, jobs: Job[], now: Date): Promise<number> {
	let failed = 0;
	for (let start = 0; start < jobs.length; start += CONCURRENCY) {
		const slice = jobs.slice(start, start + CONCURRENCY);
		const results = await Promise.allSettled(slice.map((job) => runJob(env, job, now)));
		const statements: D1PreparedStatement[] = [];
		results.forEach((result, i) => {
			const job = slice[i] as Job;
			if (result.status === "fulfilled") {
				statements.push(env.DB.prepare("DELETE FROM account_erasure_jobs WHERE id = ?1").bind(job.id));
				return;
			}
			failed += 1;
			const error =
				result.reason instanceof Error ? `${result.reason.name}: ${result.reason.message}` : "failed";
			logEvent("warn", "account_erasure_job_failed", { kind: job.kind, attempts: job.attempts + 1, error });
			const retryAt = new Date(now.getTime() + Math.min((job.attempts + 1) * RETRY_STEP_MS, RETRY_MAX_MS));
			statements.push(
				env.DB.prepare(
					"UPDATE account_erasure_jobs SET attempts = attempts + 1, last_error = ?2, not_before = ?3, updated_at = ?4 WHERE id = ?1",
				).bind(job.id, error.slice(0, 300), retryAt.toISOString(), now.toISOString()),
			);
		});
		if (statements.length > 0) await env.DB.batch(statements);
	}
	return failed;
}

async function runJob(env: Bindings, job: Job, now: Date): Promise<void> {
	switch (job.kind) {
		case "chat": {
			// Closes my open sockets in that room, blanks my messages and refreshes both conversation lists;
			// mine is then removed again. My messages stay while they are evidence (a report on one of them is
			// open or led to a suspension in force: the erasure marked its item), so the person who reported
			// me keeps their copy; eraseExpiredEvidence queues this job again once the case has aged out.
			const evidence = await env.DB.prepare(
				`SELECT 1 FROM moderation_queue_items WHERE target_author_id = ?1 AND target_type = 'chat_message'
				 AND author_erased_at IS NOT NULL AND json_extract(content_snapshot, '$.conversation_id') = ?2 LIMIT 1`,
			)
				.bind(job.userId, job.targetId)
				.first();
			await eraseChatMessagesOf(env, job.userId, [job.targetId], evidence !== null);
			await env.DB.prepare("DELETE FROM conversation_summaries WHERE user_id = ?1 AND conversation_id = ?2")
				.bind(job.userId, job.targetId)
				.run();
			return;
		}
		case "rsvp": {
			// The event's object is the authority: it withdraws the RSVP and promotes the waitlist in one step.
			const event = await createDb(env.DB)
				.select()
				.from(groupEvents)
				.where(eq(groupEvents.id, job.targetId))
				.get();
			if (event) await rsvpObject(env, event.id).withdraw(termsOf(event), job.userId);
			return;
		}
		case "sweep":
			if (job.targetId === ANONYMOUS_SHARES_JOB) {
				const params = [job.userId, now.toISOString()];
				await env.DB.batch(
					anonymousSharesSql().map((statement) =>
						env.DB.prepare(statement).bind(...params.slice(0, parameterCount(statement))),
					),
				);
			} else {
				await env.DB.batch(erasureStatements(env.DB, job.userId, now, "sweep"));
			}
			return;
	}
}
