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

/** Writes one mirror batch atomically (one D1 batch). */
export async function writeMirror(db: D1Database, batch: MirrorBatch): Promise<void> {
	const statements: D1PreparedStatement[] = [];
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
		statements.push(db.prepare(UPSERT_ROWS).bind(batch.eventId, JSON.stringify(chunk)));
	}
	const { going, maybe, waitlisted } = batch.counts;
	statements.push(db.prepare(UPDATE_COUNTS).bind(going, maybe, waitlisted, batch.seq, batch.eventId));
	await db.batch(statements);
}
