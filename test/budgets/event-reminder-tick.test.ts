/**
 * The event reminder tick costs what is due, not what exists: among 5,000 events (2,000 past, 2,900 ahead
 * outside both reminder windows, 100 cancelled inside them), the 260 whose reminder is due (230 a day ahead,
 * 30 an hour ahead, 5 RSVPs each) cost one read of both windows — each one range of
 * `group_events_status_starts_idx` — and one set-based write of their fan-outs, at most
 * EVENT_REMINDERS_PER_TICK per window; the next tick writes the 30 left; once the consumer has told everyone, a
 * tick writes nothing and reads a few rows per event in the windows; a tick with nothing in its windows
 * reads next to nothing. Rows read are D1's own `meta.rows_read` (test/support/d1-counter.ts); no statement
 * scans a table.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { EVENT_REMINDERS_PER_TICK, writeEventReminders } from "../../src/modules/fellowship/reminders";
import { processFanOut } from "../../src/modules/notifications";
import { countingD1, type ExecutedStatement } from "../support/d1-counter";

const NOW = new Date("2026-03-10T12:00:00.000Z");
const HOUR_MS = 3_600_000;
const PEOPLE = 200;
const PAST = 2_000;
const AHEAD = 2_900;
const CANCELLED_IN_WINDOWS = 100;
const DUE_DAY = 230;
const DUE_HOUR = 30;
/**
 * Rows a due event may cost a tick (measured: about 6 while its fan-out is written — its index entry, the row,
 * the group, the probes, the write — and 3 once everyone going is told).
 */
const ROWS_PER_DUE_EVENT = 10;
/** Rows a tick may read besides its events. */
const ROWS_FIXED = 20;

const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

/** One set-based INSERT per 2,000 rows: the rows as one JSON value. */
async function insertJson(table: string, columns: string[], rows: unknown[][]): Promise<void> {
	const picks = columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ");
	for (let start = 0; start < rows.length; start += 2_000) {
		await env.DB.prepare(`INSERT INTO ${table} (${columns.join(", ")}) SELECT ${picks} FROM json_each(?)`)
			.bind(JSON.stringify(rows.slice(start, start + 2_000)))
			.run();
	}
}

interface Tick {
	roundTrips: number;
	rowsRead: number;
	written: string[];
	statements: ExecutedStatement[];
}

async function measuredTick(now: Date): Promise<Tick> {
	const counter = countingD1(env.DB);
	const tick = await writeEventReminders(createDb(counter.db), now);
	return {
		roundTrips: counter.roundTrips,
		rowsRead: counter.rowsRead,
		written: tick.written,
		statements: counter.executed,
	};
}

async function plan(statement: ExecutedStatement): Promise<string[]> {
	const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`)
		.bind(...statement.params)
		.all<{ detail: string }>();
	return results.map((row) => row.detail);
}

/** Plan lines that read a whole table, not a JSON list. */
const fullScans = async (statement: ExecutedStatement) =>
	(await plan(statement)).filter(
		(detail) => /^SCAN \w+$/.test(detail) && !/^SCAN (json_each|f|CONSTANT ROW)$/.test(detail),
	);

beforeAll(async () => {
	const created = NOW.toISOString();
	const users = Array.from({ length: PEOPLE }, (_, i) => [
		crypto.randomUUID(),
		`budget|event-reminders-${i}`,
		`Person ${i}`,
		created,
		created,
		created,
	]);
	await insertJson(
		"users",
		["id", "auth0_sub", "display_name", "trust_level_since", "created_at", "updated_at"],
		users,
	);
	const group = crypto.randomUUID();
	await insertJson(
		"fellowship_groups",
		["id", "owner_id", "name", "group_type", "created_at", "updated_at"],
		[[group, users[0]?.[0], "Runners", "wellness", created, created]],
	);
	const events: unknown[][] = [];
	const event = (startsMs: number, status: "scheduled" | "cancelled" = "scheduled") => {
		const id = crypto.randomUUID();
		events.push([
			id,
			group,
			"Run",
			"in_person",
			at(startsMs),
			at(startsMs + 2 * HOUR_MS),
			status,
			status === "cancelled" ? created : null,
			created,
			created,
		]);
		return id;
	};
	// Past events (still `scheduled` in the table: `completed` is derived when read), before both windows.
	for (let i = 0; i < PAST; i++) event(-(i + 1) * 15 * 60_000);
	// Ahead, outside both windows: from 25 h on, every 15 minutes.
	for (let i = 0; i < AHEAD; i++) event(25 * HOUR_MS + i * 15 * 60_000);
	// Due: a day ahead (in (now + 23 h, now + 24 h]) and an hour ahead (in (now, now + 1 h]).
	const due: string[] = [];
	for (let i = 0; i < DUE_DAY; i++) due.push(event(23 * HOUR_MS + (i + 1) * 15_000));
	for (let i = 0; i < DUE_HOUR; i++) due.push(event((i + 1) * 100_000));
	// Cancelled in the windows: another part of the index.
	const cancelled: string[] = [];
	for (let i = 0; i < CANCELLED_IN_WINDOWS; i++)
		cancelled.push(event((i % 2 ? 23 * HOUR_MS : 0) + (i + 1) * 30_000, "cancelled"));
	await insertJson(
		"group_events",
		[
			"id",
			"group_id",
			"title",
			"event_type",
			"starts_at",
			"ends_at",
			"status",
			"cancelled_at",
			"created_at",
			"updated_at",
		],
		events,
	);
	// Five RSVPs per due or cancelled event: three going, one maybe, one waitlisted.
	const rsvps: unknown[][] = [];
	[...due, ...cancelled].forEach((eventId, e) => {
		for (let k = 0; k < 5; k++) {
			const status = k < 3 ? "going" : k === 3 ? "maybe" : "waitlisted";
			rsvps.push([
				crypto.randomUUID(),
				eventId,
				users[(e * 5 + k) % PEOPLE]?.[0],
				status,
				status === "waitlisted" ? 1 : null,
				created,
				created,
			]);
		}
	});
	await insertJson(
		"event_rsvps",
		["id", "event_id", "user_id", "status", "waitlist_position", "created_at", "updated_at"],
		rsvps,
	);
}, 120_000);

describe("the event reminder tick's cost", () => {
	it("reads the due windows only, bounded per tick, with no full scan", async () => {
		const db = createDb(env.DB);
		const first = await measuredTick(NOW);
		const second = await measuredTick(NOW);
		// The consumer tells everyone (run here, not through the queue, so that the ticks measure a known state).
		for (const id of [...first.written, ...second.written]) await processFanOut(db, id, NOW);
		const settled = await measuredTick(NOW);
		const idle = await measuredTick(new Date(NOW.getTime() - 30 * 24 * HOUR_MS));
		console.info(
			[
				`event reminder tick, ${PAST + AHEAD + DUE_DAY + DUE_HOUR + CANCELLED_IN_WINDOWS} events:`,
				`${DUE_DAY + DUE_HOUR} due: ${first.roundTrips} round trips, ${first.rowsRead} rows read, ${first.written.length} fan-outs`,
				`the rest: ${second.roundTrips} round trips, ${second.rowsRead} rows read, ${second.written.length} fan-outs`,
				`everyone told: ${settled.roundTrips} round trip, ${settled.rowsRead} rows read`,
				`nothing in the windows: ${idle.roundTrips} round trip, ${idle.rowsRead} rows read`,
			].join("\n"),
		);
		expect(first.written).toHaveLength(EVENT_REMINDERS_PER_TICK + DUE_HOUR);
		expect(second.written).toHaveLength(DUE_DAY - EVENT_REMINDERS_PER_TICK);
		expect(settled.written).toEqual([]);
		expect(idle.written).toEqual([]);
		// One read of both windows, then one write.
		expect(first.roundTrips).toBe(2);
		expect(second.roundTrips).toBe(2);
		expect(settled.roundTrips).toBe(1);
		expect(idle.roundTrips).toBe(1);
		const inWindows = DUE_DAY + DUE_HOUR;
		for (const tick of [first, second, settled])
			expect(tick.rowsRead).toBeLessThanOrEqual(inWindows * ROWS_PER_DUE_EVENT + ROWS_FIXED);
		expect(idle.rowsRead).toBeLessThanOrEqual(ROWS_FIXED);

		// Everyone going told once per due event; no one else.
		const told = await env.DB.prepare(
			"SELECT count(*) AS n, count(DISTINCT group_key) AS keys FROM notifications WHERE type = 'event_reminder'",
		).first<{ n: number; keys: number }>();
		expect(told).toEqual({ n: inWindows * 3, keys: inWindows });

		// Each window is one range of (status, starts_at); nothing scans a table.
		const [day, hour] = idle.statements[0] ? [idle.statements[0], idle.statements[1]] : [];
		for (const statement of [day, hour]) {
			expect(statement).toBeDefined();
			const lines = await plan(statement as ExecutedStatement);
			expect(lines.join("; ")).toMatch(
				/SEARCH group_events USING INDEX group_events_status_starts_idx \(status=\? AND starts_at>\? AND starts_at<\?\)/,
			);
		}
		const scans: string[] = [];
		for (const statement of [...first.statements, ...settled.statements, ...idle.statements]) {
			for (const line of await fullScans(statement)) scans.push(`${line} in ${statement.sql}`);
		}
		expect(scans).toEqual([]);
	});
});
