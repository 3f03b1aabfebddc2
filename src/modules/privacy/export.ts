/**
 * @module privacy/export: everything Flourish stores about the caller, as one JSON document
 * (`GET /users/me/export`).
 *
 * - Each collection is one indexed query on the caller's id, all of them in one D1 batch, each capped at
 *   EXPORT_LIMITS.rows newest rows; `truncated` names the collections that hit their cap.
 * - Chat messages come from each conversation's ChatRoom (the authority), only those the caller sent:
 *   at most EXPORT_LIMITS.conversations conversations, EXPORT_LIMITS.messages_per_conversation each.
 * - Other people appear by id only: no names, no notes or messages they wrote, no one's reports of me.
 * - Anonymous support requests are not linked to any account, so no export can contain them.
 */
import type { CurrentUser } from "../../core/accounts/current-user";
import { participantsOf } from "../../core/chat-access";
import type { Bindings } from "../../env";
import { roomFor } from "../orchard";
import { toMyProfile } from "../users";
import type { AccountExport } from "./schemas";

export const EXPORT_LIMITS = { rows: 1000, conversations: 100, messages_per_conversation: 500 } as const;
/** ChatRoom calls in flight at once. */
const CONCURRENCY = 8;

type Row = Record<string, unknown>;

interface Collection {
	/** Where it goes in the document, e.g. `flourish.posts`. */
	path: [string, string];
	/** ?1 is the caller's id, ?2 the row cap + 1 (one more tells that there are more). */
	sql: string;
	/** Columns holding JSON text. */
	json?: string[];
	/** Columns holding 0/1. */
	bool?: string[];
}

export const COLLECTIONS: Collection[] = [
	{
		path: ["profile", "guide_profile"],
		sql: `SELECT headline, specialties, experience, availability, accepting_mentees, max_mentees, created_at, updated_at
			FROM guide_profiles WHERE user_id = ?1 LIMIT ?2`,
		json: ["specialties"],
		bool: ["accepting_mentees"],
	},
	{
		path: ["garden", "gardens"],
		sql: "SELECT id, name, created_at, updated_at FROM gardens WHERE user_id = ?1 LIMIT ?2",
	},
	{
		path: ["garden", "habits"],
		sql: `SELECT id, garden_id, name, description, category, frequency, weekdays, target_count, reminder_time,
				reminder_enabled, next_reminder_at, start_date, deleted_at AS archived_at, created_at, updated_at
			FROM habits WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2`,
		json: ["weekdays"],
		bool: ["reminder_enabled"],
	},
	{
		path: ["garden", "habit_logs"],
		sql: `SELECT id, habit_id, local_date, count, note, created_at
			FROM habit_logs WHERE user_id = ?1 ORDER BY local_date DESC LIMIT ?2`,
	},
	{
		path: ["flourish", "posts"],
		sql: `SELECT id, type, body, visibility, group_id, media_urls, milestone_habit_id, milestone_streak,
				poll_multiple_choice, poll_closes_at, is_spiritual, moderation_status, edited_at, deleted_at, created_at, updated_at
			FROM posts WHERE author_id = ?1 ORDER BY id DESC LIMIT ?2`,
		json: ["media_urls"],
		bool: ["poll_multiple_choice", "is_spiritual"],
	},
	{
		path: ["flourish", "poll_options"],
		sql: `SELECT o.post_id, o.position, o.label FROM poll_options AS o
			WHERE o.post_id IN (SELECT id FROM posts WHERE author_id = ?1 AND type = 'poll' ORDER BY id DESC LIMIT ?2)
			ORDER BY o.post_id DESC, o.position LIMIT ?2 * 6`,
	},
	{
		path: ["flourish", "comments"],
		sql: `SELECT id, post_id, parent_id, depth, body, moderation_status, deleted_at, created_at, updated_at
			FROM comments WHERE author_id = ?1 ORDER BY id DESC LIMIT ?2`,
	},
	{
		path: ["flourish", "reactions"],
		sql: `SELECT target_type, target_id, reaction_type, created_at, updated_at
			FROM reactions WHERE user_id = ?1 ORDER BY created_at DESC LIMIT ?2`,
	},
	{
		path: ["flourish", "poll_votes"],
		sql: "SELECT post_id, option_id, created_at FROM poll_votes WHERE user_id = ?1 ORDER BY created_at DESC LIMIT ?2",
	},
	{
		path: ["sunlight", "shares"],
		sql: `SELECT id, share_type, body, is_anonymous, is_spiritual, moderation_status, edited_at, deleted_at, created_at, updated_at
			FROM sunlight_shares WHERE author_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2`,
		bool: ["is_anonymous", "is_spiritual"],
	},
	{
		path: ["media", "uploads"],
		sql: `SELECT id, '/api/v1/media/' || id AS url, content_type, bytes, width, height, duration_s, alt,
				attached_kind, attached_id, created_at
			FROM media WHERE owner_id = ?1 AND status = 'ready' ORDER BY created_at DESC, id DESC LIMIT ?2`,
	},
	{
		path: ["sunlight", "reactions"],
		sql: `SELECT share_id, reaction_type, created_at
			FROM sunlight_reactions WHERE user_id = ?1 ORDER BY created_at DESC LIMIT ?2`,
	},
	{
		path: ["orchard", "connections"],
		// A note belongs to whoever wrote it: only my own requests' notes.
		sql: `SELECT id, CASE WHEN requester_id = ?1 THEN 'outgoing' ELSE 'incoming' END AS direction,
				CASE WHEN requester_id = ?1 THEN addressee_id ELSE requester_id END AS peer_id,
				connection_type, status, CASE WHEN requester_id = ?1 THEN note END AS my_note,
				responded_at, created_at, updated_at
			FROM connections WHERE requester_id = ?1 OR addressee_id = ?1 ORDER BY id DESC LIMIT ?2`,
	},
	{
		path: ["orchard", "blocks"],
		sql: "SELECT blocked_id AS user_id, created_at FROM blocks WHERE blocker_id = ?1 ORDER BY id DESC LIMIT ?2",
	},
	{
		path: ["orchard", "mentorships"],
		// Goals and message are the mentee's words.
		sql: `SELECT id, CASE WHEN mentee_id = ?1 THEN 'mentee' ELSE 'guide' END AS my_role,
				CASE WHEN mentee_id = ?1 THEN guide_id ELSE mentee_id END AS peer_id, status,
				CASE WHEN mentee_id = ?1 THEN goals END AS goals, CASE WHEN mentee_id = ?1 THEN message END AS message,
				responded_at, completed_at, created_at, updated_at
			FROM mentorships WHERE mentee_id = ?1 OR guide_id = ?1 ORDER BY id DESC LIMIT ?2`,
	},
	{
		path: ["fellowship", "memberships"],
		sql: `SELECT m.group_id, g.name AS group_name, m.role, m.status, m.invited_by, m.created_at, m.updated_at
			FROM group_members AS m JOIN fellowship_groups AS g ON g.id = m.group_id
			WHERE m.user_id = ?1 ORDER BY m.id DESC LIMIT ?2`,
	},
	{
		path: ["fellowship", "groups_created"],
		sql: `SELECT id, name, description, group_type, visibility, is_spiritual, deleted_at, created_at, updated_at
			FROM fellowship_groups WHERE owner_id = ?1 ORDER BY id DESC LIMIT ?2`,
		bool: ["is_spiritual"],
	},
	{
		path: ["fellowship", "events_created"],
		sql: `SELECT id, group_id, title, description, event_type, starts_at, ends_at, timezone, location, url, capacity,
				status, created_at, updated_at
			FROM group_events WHERE created_by = ?1 ORDER BY id DESC LIMIT ?2`,
	},
	{
		path: ["fellowship", "rsvps"],
		sql: `SELECT r.event_id, e.title AS event_title, e.starts_at, r.status, r.waitlist_position, r.updated_at
			FROM event_rsvps AS r JOIN group_events AS e ON e.id = r.event_id
			WHERE r.user_id = ?1 ORDER BY r.updated_at DESC LIMIT ?2`,
	},
	{
		path: ["teamup", "memberships"],
		sql: `SELECT m.project_id, p.title AS project_title, m.role, m.status, m.invited_by, m.created_at, m.updated_at
			FROM project_members AS m JOIN projects AS p ON p.id = m.project_id
			WHERE m.user_id = ?1 ORDER BY m.id DESC LIMIT ?2`,
	},
	{
		path: ["teamup", "projects_created"],
		sql: `SELECT id, title, description, project_type, status, visibility, max_members, is_spiritual, archived_at,
				created_at, updated_at
			FROM projects WHERE owner_id = ?1 ORDER BY id DESC LIMIT ?2`,
		bool: ["is_spiritual"],
	},
	{
		path: ["teamup", "discussions"],
		sql: `SELECT id, project_id, parent_id, body, moderation_status, deleted_at, created_at, updated_at
			FROM project_discussions WHERE author_id = ?1 ORDER BY id DESC LIMIT ?2`,
	},
	{
		path: ["support", "responses"],
		sql: `SELECT id, request_id, body, is_guide_response, is_helpful, moderation_status, deleted_at, created_at, updated_at
			FROM support_responses WHERE responder_id = ?1 ORDER BY id DESC LIMIT ?2`,
		bool: ["is_guide_response", "is_helpful"],
	},
	{
		path: ["trust", "applications"],
		sql: `SELECT id, from_level, requested_level, status, statement, reviewer_notes, reviewed_at, created_at, updated_at
			FROM trust_applications WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2`,
	},
	{
		path: ["trust", "guide_applications"],
		sql: `SELECT id, motivation, experience, specialties, status, reviewer_notes, reviewed_at, created_at, updated_at
			FROM guide_applications WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2`,
		json: ["specialties"],
	},
	{
		path: ["trust", "daily_usage"],
		sql: "SELECT day, kind, count FROM daily_quotas WHERE user_id = ?1 ORDER BY day DESC LIMIT ?2",
	},
	{
		path: ["moderation", "reports_filed"],
		sql: `SELECT id, target_type, target_id, reason, details, status, resolved_at, created_at
			FROM reports WHERE reporter_id = ?1 ORDER BY id DESC LIMIT ?2`,
	},
	{
		path: ["moderation", "penalties"],
		sql: `SELECT id, kind, duration, starts_at, ends_at, reason, lifted_at, created_at
			FROM penalties WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2`,
	},
	{
		path: ["moderation", "appeals"],
		sql: `SELECT id, penalty_id, body, status, reviewer_notes, decided_at, created_at
			FROM appeals WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2`,
	},
	{
		path: ["notifications", "notifications"],
		sql: `SELECT id, type, subject_type, subject_id, actor_ids, actor_count, data, created_at, updated_at, read_at
			FROM notifications WHERE user_id = ?1 ORDER BY updated_at DESC, id DESC LIMIT ?2`,
		json: ["actor_ids", "data"],
	},
	{
		path: ["notifications", "preferences"],
		sql: "SELECT type, in_app, push, updated_at FROM notification_preferences WHERE user_id = ?1 LIMIT ?2",
		bool: ["in_app", "push"],
	},
];

const CONVERSATIONS_SQL = `SELECT conversation_id, peer_id, last_message_at, last_read_seq, unread_count
	FROM conversation_summaries WHERE user_id = ?1 ORDER BY last_message_at DESC, id DESC LIMIT ?2`;

function tidy(row: Row, collection: Pick<Collection, "json" | "bool">): Row {
	const out: Row = { ...row };
	for (const column of collection.json ?? []) {
		const value = out[column];
		if (typeof value === "string") {
			try {
				out[column] = JSON.parse(value);
			} catch {
				// Left as stored.
			}
		}
	}
	for (const column of collection.bool ?? []) {
		if (typeof out[column] === "number") out[column] = out[column] === 1;
	}
	return out;
}

/** Runs `task` over `items`, CONCURRENCY at a time, keeping the order. */
async function mapLimited<T, R>(items: T[], task: (item: T) => Promise<R>): Promise<R[]> {
	const results: R[] = [];
	for (let start = 0; start < items.length; start += CONCURRENCY) {
		results.push(...(await Promise.all(items.slice(start, start + CONCURRENCY).map(task))));
	}
	return results;
}

export async function exportAccount(
	env: Bindings,
	user: CurrentUser,
	now = new Date(),
): Promise<AccountExport> {
	const cap = EXPORT_LIMITS.rows;
	const statements = [
		...COLLECTIONS.map((collection) => env.DB.prepare(collection.sql).bind(user.id, cap + 1)),
		env.DB.prepare(CONVERSATIONS_SQL).bind(user.id, EXPORT_LIMITS.conversations + 1),
	];
	const results = await env.DB.batch<Row>(statements);
	const truncated: string[] = [];
	const sections: Record<string, Record<string, Row[]>> = {};
	COLLECTIONS.forEach((collection, i) => {
		const rows = results[i]?.results ?? [];
		const [section, name] = collection.path;
		if (rows.length > cap) truncated.push(`${section}.${name}`);
		sections[section] ??= {};
		(sections[section] as Record<string, Row[]>)[name] = rows
			.slice(0, cap)
			.map((row) => tidy(row, collection));
	});

	const summaries = results[COLLECTIONS.length]?.results ?? [];
	if (summaries.length > EXPORT_LIMITS.conversations) truncated.push("orchard.conversations");
	const conversations = await mapLimited(summaries.slice(0, EXPORT_LIMITS.conversations), async (summary) => {
		const participants = participantsOf(String(summary.conversation_id));
		const sent = participants
			? await roomFor(env, ...participants).messagesSentBy(user.id, EXPORT_LIMITS.messages_per_conversation)
			: { messages: [], hasMore: false };
		if (sent.hasMore)
			truncated.push(`orchard.conversations[${String(summary.conversation_id)}].messages_sent`);
		return {
			...summary,
			conversation_id: String(summary.conversation_id),
			peer_id: String(summary.peer_id),
			messages_sent: sent.messages.map((message) => ({
				id: message.id,
				seq: message.seq,
				text: message.text,
				client_message_id: message.client_message_id,
				pending_review: message.pending_review,
				created_at: message.created_at,
				edited_at: message.edited_at,
				deleted_at: message.deleted_at,
			})),
		};
	});

	const { guide_profile: guideProfiles = [] } = sections.profile ?? {};
	const section = (name: string) => sections[name] ?? {};
	return {
		format: "flourish-account-export",
		version: 1,
		exported_at: now.toISOString(),
		user_id: user.id,
		about: {
			people:
				"Other people appear by their user id only; what they wrote (messages, notes, reports) is theirs and not included.",
			anonymous_support_requests:
				"Support requests are stored with no link to any account, so they cannot be part of an export. Whoever holds a request's support token can still read, edit or delete it.",
			limits: `Each collection holds at most its ${EXPORT_LIMITS.rows} newest rows; chat holds the ${EXPORT_LIMITS.conversations} most recent conversations with at most ${EXPORT_LIMITS.messages_per_conversation} messages sent in each. \`truncated\` names every collection that was cut.`,
			not_included:
				"Transient copies kept for retries (Idempotency-Key responses, 24 h; WebSocket tickets, 60 s) and values derived by the ML service (embeddings, toxicity scores other than each item's moderation status).",
		},
		limits: EXPORT_LIMITS,
		truncated,
		// The stored creation time, exactly: answers show only its day, the export is the record itself.
		profile: { ...toMyProfile(user), created_at: user.createdAt, guide_profile: guideProfiles[0] ?? null },
		garden: section("garden"),
		flourish: section("flourish"),
		sunlight: section("sunlight"),
		media: section("media"),
		orchard: {
			connections: section("orchard").connections ?? [],
			blocks: section("orchard").blocks ?? [],
			mentorships: section("orchard").mentorships ?? [],
			conversations,
		},
		fellowship: section("fellowship"),
		teamup: section("teamup"),
		support: section("support"),
		trust: section("trust"),
		moderation: section("moderation"),
		notifications: section("notifications"),
	};
}
