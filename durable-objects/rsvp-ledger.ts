/**
 * @module rsvp-ledger: the RSVP rules over the EventRsvp object's own SQLite — capacity, the FIFO waitlist
 * and promotion. Synchronous on purpose: every public step runs inside one `transactionSync`, so no two
 * steps ever interleave and `going` never exceeds the capacity, whatever the concurrency.
 *
 * Every step that changes anything takes the next change number (`seq`) and stamps it on each row it
 * touches (including waitlist positions that shift), so the D1 mirror can send exactly the rows changed
 * since its last write and D1 can refuse a write older than what it holds.
 */
import type { EventTerms, MyRsvp, RsvpChoice, RsvpCounts, RsvpStatus } from "./rsvp-contract";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS event (
	singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
	event_id TEXT NOT NULL,
	capacity INTEGER,
	ends_at TEXT NOT NULL,
	cancelled INTEGER NOT NULL DEFAULT 0,
	version INTEGER NOT NULL,
	going INTEGER NOT NULL DEFAULT 0,
	maybe INTEGER NOT NULL DEFAULT 0,
	not_going INTEGER NOT NULL DEFAULT 0,
	waitlisted INTEGER NOT NULL DEFAULT 0,
	seq INTEGER NOT NULL DEFAULT 0,
	mirrored_seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS rsvps (
	user_id TEXT PRIMARY KEY,
	status TEXT NOT NULL CHECK (status IN ('going', 'maybe', 'not_going', 'waitlisted')),
	position INTEGER CHECK ((status = 'waitlisted') = (position IS NOT NULL)),
	arrival INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	mirror_id TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rsvps_waitlist_idx ON rsvps (status, position);
CREATE INDEX IF NOT EXISTS rsvps_seq_idx ON rsvps (seq);
`;

interface EventRow extends Record<string, SqlStorageValue> {
	event_id: string;
	capacity: number | null;
	ends_at: string;
	cancelled: number;
	version: number;
	going: number;
	maybe: number;
	not_going: number;
	waitlisted: number;
	seq: number;
	mirrored_seq: number;
}

export interface RsvpRow extends Record<string, SqlStorageValue> {
	user_id: string;
	status: RsvpStatus;
	position: number | null;
	/** The change number at which the row took its current status: the arrival order. */
	arrival: number;
	seq: number;
	mirror_id: string;
	created_at: string;
	updated_at: string;
}

const COUNT_COLUMN: Record<RsvpStatus, "going" | "maybe" | "not_going" | "waitlisted"> = {
	going: "going",
	maybe: "maybe",
	not_going: "not_going",
	waitlisted: "waitlisted",
};

export class RsvpLedger {
	/** The change number of the step in progress, taken on its first write. */
	private stepSeq: number | undefined;

	constructor(
		private readonly sql: SqlStorage,
		private readonly newId: () => string,
	) {
		sql.exec(SCHEMA);
	}

	event(): EventRow | undefined {
		return this.sql.exec<EventRow>("SELECT * FROM event WHERE singleton = 1").toArray()[0];
	}

	/** Runs one step; returns its change number (0 when it changed nothing). */
	step<T>(body: () => T): { value: T; seq: number } {
		this.stepSeq = undefined;
		try {
			const value = body();
			return { value, seq: this.stepSeq ?? 0 };
		} finally {
			this.stepSeq = undefined;
		}
	}

	private seq(): number {
		if (this.stepSeq === undefined) {
			this.sql.exec("UPDATE event SET seq = seq + 1 WHERE singleton = 1");
			this.stepSeq = this.requireEvent().seq;
		}
		return this.stepSeq;
	}

	private requireEvent(): EventRow {
		const event = this.event();
		if (!event) throw new Error("EventRsvp used before its terms were set");
		return event;
	}

	/**
	 * Adopts newer terms (first call creates them). Raising the capacity promotes from the waitlist;
	 * lowering it below the current `going` keeps those already going and only stops new ones.
	 */
	applyTerms(terms: EventTerms): EventRow {
		const event = this.event();
		if (!event) {
			this.sql.exec(
				"INSERT INTO event (singleton, event_id, capacity, ends_at, cancelled, version) VALUES (1, ?, ?, ?, ?, ?)",
				terms.eventId,
				terms.capacity,
				terms.endsAt,
				terms.cancelled ? 1 : 0,
				terms.version,
			);
			return this.requireEvent();
		}
		if (event.event_id !== terms.eventId) throw new Error("EventRsvp terms are for another event");
		if (terms.version > event.version) {
			this.sql.exec(
				"UPDATE event SET capacity = ?, ends_at = ?, cancelled = max(cancelled, ?), version = ? WHERE singleton = 1",
				terms.capacity,
				terms.endsAt,
				terms.cancelled ? 1 : 0,
				terms.version,
			);
			if (!terms.cancelled && event.cancelled === 0) this.promote();
		}
		return this.requireEvent();
	}

	isOpen(event: EventRow, now: Date): "open" | "cancelled" | "ended" {
		if (event.cancelled) return "cancelled";
		return event.ends_at <= now.toISOString() ? "ended" : "open";
	}

	row(userId: string): RsvpRow | undefined {
		return this.sql.exec<RsvpRow>("SELECT * FROM rsvps WHERE user_id = ?", userId).toArray()[0];
	}

	mine(userId: string): MyRsvp {
		const row = this.row(userId);
		return { status: row?.status ?? null, waitlistPosition: row?.position ?? null };
	}

	counts(): RsvpCounts {
		const event = this.requireEvent();
		return {
			going: event.going,
			maybe: event.maybe,
			notGoing: event.not_going,
			waitlisted: event.waitlisted,
			capacity: event.capacity,
		};
	}

	/** Sets a member's choice. `going` when full joins the end of the waitlist. Returns whether anything changed. */
	choose(userId: string, choice: RsvpChoice, now: Date): boolean {
		const current = this.row(userId);
		if (choice === "going") {
			if (current?.status === "going" || current?.status === "waitlisted") return false;
			const event = this.requireEvent();
			const hasSeat = event.capacity === null || event.going < event.capacity;
			// Nobody jumps the queue: a free seat with people waiting goes to them first (promote() keeps
			// that from happening, but the check makes the rule local).
			if (hasSeat && event.waitlisted === 0) this.put(userId, current, "going", null, now);
			else this.put(userId, current, "waitlisted", event.waitlisted + 1, now);
			return true;
		}
		if (current?.status === choice) return false;
		this.put(userId, current, choice, null, now);
		if (current?.status === "waitlisted" && current.position !== null) this.closeGap(current.position, 1);
		if (current?.status === "going") this.promote();
		return true;
	}

	/** Fills free seats from the head of the waitlist, in FIFO order. */
	promote(now: Date = new Date()): number {
		const event = this.requireEvent();
		if (event.cancelled) return 0;
		const free = event.capacity === null ? event.waitlisted : Math.max(0, event.capacity - event.going);
		const take = Math.min(free, event.waitlisted);
		if (take === 0) return 0;
		const heads = this.sql
			.exec<RsvpRow>("SELECT * FROM rsvps WHERE status = 'waitlisted' ORDER BY position LIMIT ?", take)
			.toArray();
		for (const head of heads) this.put(head.user_id, head, "going", null, now);
		this.closeGap(0, heads.length);
		return heads.length;
	}

	/** Moves everyone waitlisted behind `after` forward by `by` places. */
	private closeGap(after: number, by: number): void {
		this.sql.exec(
			"UPDATE rsvps SET position = position - ?, seq = ? WHERE status = 'waitlisted' AND position > ?",
			by,
			this.seq(),
			after,
		);
	}

	private put(
		userId: string,
		current: RsvpRow | undefined,
		status: RsvpStatus,
		position: number | null,
		now: Date,
	): void {
		const seq = this.seq();
		const at = now.toISOString();
		if (current) {
			this.sql.exec(
				"UPDATE rsvps SET status = ?, position = ?, arrival = ?, seq = ?, updated_at = ? WHERE user_id = ?",
				status,
				position,
				seq,
				seq,
				at,
				userId,
			);
			this.sql.exec(
				`UPDATE event SET ${COUNT_COLUMN[current.status]} = ${COUNT_COLUMN[current.status]} - 1 WHERE singleton = 1`,
			);
		} else {
			this.sql.exec(
				"INSERT INTO rsvps (user_id, status, position, arrival, seq, mirror_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				userId,
				status,
				position,
				seq,
				seq,
				this.newId(),
				at,
				at,
			);
		}
		this.sql.exec(
			`UPDATE event SET ${COUNT_COLUMN[status]} = ${COUNT_COLUMN[status]} + 1 WHERE singleton = 1`,
		);
	}

	/** Rows changed after change number `after`, for the D1 mirror. */
	changedSince(after: number): RsvpRow[] {
		return this.sql.exec<RsvpRow>("SELECT * FROM rsvps WHERE seq > ? ORDER BY seq", after).toArray();
	}

	markMirrored(seq: number): void {
		this.sql.exec("UPDATE event SET mirrored_seq = max(mirrored_seq, ?) WHERE singleton = 1", seq);
	}
}
