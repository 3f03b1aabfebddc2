/**
 * @module rsvp-mirror: copies an EventRsvp object's changes to D1 (`event_rsvps` rows and the counts on
 * `group_events`), so lists and "my events" read D1 and never call a Durable Object per event.
 *
 * Every write carries the object's change number and D1 keeps a row or the counts only when the incoming
 * number is newer, so a late, older write can never overwrite a newer one. Rows travel as one JSON
 * parameter per chunk (`json_each`), which keeps each statement far below D1's 100-parameter limit.
 */
import type { RsvpCounts } from "./rsvp-contract";
import type { RsvpRow } from "./rsvp-ledger";

/** Rows per upsert statement: one bound JSON parameter each, a few dozen KB at most. */
const ROWS_PER_STATEMENT = 250;

const UPSERT_ROWS = `
INSERT INTO event_rsvps (id, event_id, user_id, status, waitlist_position, seq, created_at, updated_at)
SELECT json_extract(r.value, '$.id'), ?1, json_extract(r.value, '$.user_id'), json_extract(r.value, '$.status'),
	json_extract(r.value, '$.position'), json_extract(r.value, '$.seq'), json_extract(r.value, '$.created_at'),
	json_extract(r.value, '$.updated_at')
FROM json_each(?2) AS r
WHERE EXISTS (SELECT 1 FROM users WHERE users.id = json_extract(r.value, '$.user_id'))
	AND EXISTS (SELECT 1 FROM group_events WHERE group_events.id = ?1)
ON CONFLICT (event_id, user_id) DO UPDATE SET
	status = excluded.status,
	waitlist_position = excluded.waitlist_position,
	seq = excluded.seq,
	updated_at = excluded.updated_at
WHERE excluded.seq > event_rsvps.seq`;

/**
 * A person moved from the waitlist to going is told (`waitlist_promoted`), read from the mirror as it was
 * before this batch's upsert: one notification per promotion (keyed by the row's change number), under the
 * rules of every notification (core/notifications): no deleted account, not a type turned off.
 */
const NOTIFY_PROMOTED = `
INSERT INTO notifications (id, user_id, type, subject_type, subject_id, group_key, actor_ids, actor_count, data,
	created_at, updated_at, read_at)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
		|| substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
	before.user_id, 'waitlist_promoted', 'event', ?1,
	'waitlist_promoted:' || ?1 || ':' || json_extract(r.value, '$.seq'), '[]', 0, json_object('title', e.title), ?3, ?3, NULL
FROM json_each(?2) AS r
JOIN event_rsvps AS before ON before.event_id = ?1 AND before.user_id = json_extract(r.value, '$.user_id')
JOIN group_events AS e ON e.id = ?1
WHERE before.status = 'waitlisted' AND json_extract(r.value, '$.status') = 'going'
	AND json_extract(r.value, '$.seq') > before.seq
	AND EXISTS (SELECT 1 FROM users WHERE users.id = before.user_id AND users.deleted_at IS NULL)
	AND NOT EXISTS (SELECT 1 FROM notification_preferences AS p WHERE p.user_id = before.user_id
		AND p.type = 'waitlist_promoted' AND p.in_app = 0)
ON CONFLICT (user_id, group_key) DO NOTHING
RETURNING user_id`;

const UPDATE_COUNTS = `
UPDATE group_events SET going_count = ?1, maybe_count = ?2, waitlist_count = ?3, rsvp_seq = ?4
WHERE id = ?5 AND rsvp_seq < ?4`;

export interface MirrorBatch {
	eventId: string;
	/** The object's change number the counts belong to. */
	seq: number;
	counts: RsvpCounts;
	rows: RsvpRow[];
}

/**
 * Writes one mirror batch atomically (one D1 batch), with the notifications of the people it moves from the
 * waitlist to going. Answers who was told (for their live streams).
 */
export async function writeMirror(db: D1Database, batch: MirrorBatch, now = new Date()): Promise<string[]> {
	const statements: D1PreparedStatement[] = [];
	const notifying: number[] = [];
	for (let start = 0; start < batch.rows.length; start += ROWS_PER_STATEMENT) {
		const chunk = batch.rows.slice(start, start + ROWS_PER_STATEMENT).map((row) => ({
			id: row.mirror_id,
			user_id: row.user_id,
			status: row.status,
			position: row.position,
			seq: row.seq,
			created_at: row.created_at,
			updated_at: row.updated_at,
		}));
		const rows = JSON.stringify(chunk);
		// Before the upsert: it reads the rows as they were.
		notifying.push(
			statements.push(db.prepare(NOTIFY_PROMOTED).bind(batch.eventId, rows, now.toISOString())) - 1,
		);
		statements.push(db.prepare(UPSERT_ROWS).bind(batch.eventId, rows));
	}
	const { going, maybe, waitlisted } = batch.counts;
	statements.push(db.prepare(UPDATE_COUNTS).bind(going, maybe, waitlisted, batch.seq, batch.eventId));
	const results = await db.batch<{ user_id: string }>(statements);
	return notifying.flatMap((index) => results[index]?.results.map((row) => row.user_id) ?? []);
}
