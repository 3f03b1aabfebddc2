/**
 * The habit reminder tick costs what is due, not what exists: with 10,000 reminder habits of which 1,100 are
 * due, a tick reads the first REMINDERS_PER_TICK (1,000) in one round trip and writes them in one batch per
 * REMINDERS_PER_BATCH (notifications and moves together), the next tick the other 100, and a tick with nothing
 * due reads next to nothing. Rows read are D1's own `meta.rows_read` of every statement the tick ran
 * (test/support/d1-counter.ts); every statement is served by an index (no full scan of a table).
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	REMINDERS_PER_BATCH,
	REMINDERS_PER_TICK,
	runHabitReminders,
} from "../../src/modules/garden/reminders";
import { countingD1, type ExecutedStatement } from "../support/d1-counter";

const PEOPLE = 1_000;
const HABITS_EACH = 10;
const DUE = 1_100;
const NOW = new Date("2026-02-10T12:00:00.000Z");
const ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe"];
/**
 * Rows read a due reminder may cost (13 measured): 2 to read it (its index entry, its owner), 7 to write its
 * notification (the JSON entry, the habit, the log probe, the owner's suspension and account, the preference
 * probe, the unique group key), 4 to move it (the entry, the habit, the due index's old and new entries).
 */
const ROWS_PER_REMINDER = 14;
/** Rows a tick may read besides its reminders (plans, empty probes). */
const ROWS_FIXED = 50;

/** The wall time `HH:MM` of NOW in a zone: a reminder at that time is due exactly at NOW. */
const wallAt = (timeZone: string) =>
	new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
		NOW,
	);

/** One set-based INSERT per table: the rows as one JSON value (D1 allows 100 bound values per statement). */
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
	fired: number;
	ms: number;
	statements: ExecutedStatement[];
}

async function measuredTick(): Promise<Tick> {
	const counter = countingD1(env.DB);
	const started = performance.now();
	const result = await runHabitReminders({ ...env, DB: counter.db }, NOW);
	return {
		roundTrips: counter.roundTrips,
		rowsRead: counter.rowsRead,
		fired: result.fired,
		ms: performance.now() - started,
		statements: counter.executed,
	};
}

/** Plan lines that read a whole table (`SCAN habits`), not a JSON list (`SCAN m VIRTUAL TABLE …`). */
async function fullScans(statement: ExecutedStatement): Promise<string[]> {
	const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`)
		.bind(...statement.params)
		.all<{ detail: string }>();
	return results
		.map((row) => row.detail)
		.filter((detail) => /^SCAN \w+$/.test(detail) && !/^SCAN (json_each|m|CONSTANT ROW)$/.test(detail));
}

beforeAll(async () => {
	const at = NOW.toISOString();
	const users = Array.from({ length: PEOPLE }, (_, i) => [
		crypto.randomUUID(),
		`budget|reminders-${i}`,
		`Person ${i}`,
		at,
		ZONES[i % ZONES.length],
		at,
		at,
	]);
	await insertJson(
		"users",
		["id", "auth0_sub", "display_name", "trust_level_since", "timezone", "created_at", "updated_at"],
		users,
	);
	const gardens = users.map((user) => [crypto.randomUUID(), user[0], at, at]);
	await insertJson("gardens", ["id", "user_id", "created_at", "updated_at"], gardens);
	const habits: unknown[][] = [];
	for (let i = 0; i < PEOPLE * HABITS_EACH; i++) {
		const owner = i % PEOPLE;
		const zone = ZONES[owner % ZONES.length] as string;
		const due = i < DUE;
		// Due ones fire exactly now; the rest some minutes to a day ahead.
		const next = due ? at : new Date(NOW.getTime() + (1 + (i % 1_440)) * 60_000).toISOString();
		habits.push([
			crypto.randomUUID(),
			gardens[owner]?.[0],
			users[owner]?.[0],
			`Habit ${i}`,
			"health",
			"daily",
			due ? wallAt(zone) : "07:00",
			1,
			"2026-01-01",
			next,
			at,
			at,
		]);
	}
	await insertJson(
		"habits",
		[
			"id",
			"garden_id",
			"user_id",
			"name",
			"category",
			"frequency",
			"reminder_time",
			"reminder_enabled",
			"start_date",
			"next_reminder_at",
			"created_at",
			"updated_at",
		],
		habits,
	);
}, 120_000);

describe("the habit reminder tick's cost", () => {
	it("reads and writes in proportion to the reminders due, bounded per tick, with no full scan", async () => {
		const full = await measuredTick();
		const rest = await measuredTick();
		const idle = await measuredTick();
		console.info(
			[
				`habit reminder tick, ${PEOPLE * HABITS_EACH} reminder habits:`,
				`${full.fired} due: ${full.roundTrips} round trips, ${full.rowsRead} rows read, ${full.ms.toFixed(0)} ms`,
				`${rest.fired} due: ${rest.roundTrips} round trips, ${rest.rowsRead} rows read, ${rest.ms.toFixed(0)} ms`,
				`nothing due: ${idle.roundTrips} round trip, ${idle.rowsRead} rows read, ${idle.ms.toFixed(0)} ms`,
			].join("\n"),
		);
		expect(full.fired).toBe(REMINDERS_PER_TICK);
		expect(rest.fired).toBe(DUE - REMINDERS_PER_TICK);
		expect(idle.fired).toBe(0);
		// One read, then one batch per REMINDERS_PER_BATCH reminders.
		expect(full.roundTrips).toBe(1 + Math.ceil(REMINDERS_PER_TICK / REMINDERS_PER_BATCH));
		expect(rest.roundTrips).toBe(2);
		expect(idle.roundTrips).toBe(1);
		expect(full.rowsRead).toBeLessThanOrEqual(REMINDERS_PER_TICK * ROWS_PER_REMINDER + ROWS_FIXED);
		expect(rest.rowsRead).toBeLessThanOrEqual((DUE - REMINDERS_PER_TICK) * ROWS_PER_REMINDER + ROWS_FIXED);
		expect(idle.rowsRead).toBeLessThanOrEqual(ROWS_FIXED);
		// Every notification written once, every reminder moved to tomorrow.
		const written = await env.DB.prepare(
			"SELECT count(*) AS n FROM notifications WHERE type = 'habit_reminder'",
		).first<{ n: number }>();
		expect(written?.n).toBe(DUE);
		const stillDue = await env.DB.prepare(
			"SELECT count(*) AS n FROM habits WHERE next_reminder_at IS NOT NULL AND deleted_at IS NULL AND next_reminder_at <= ?",
		)
			.bind(NOW.toISOString())
			.first<{ n: number }>();
		expect(stillDue?.n).toBe(0);

		const plan = async (statement: ExecutedStatement | undefined) =>
			(
				await env.DB.prepare(`EXPLAIN QUERY PLAN ${statement?.sql}`)
					.bind(...(statement?.params ?? []))
					.all<{ detail: string }>()
			).results
				.map((row) => row.detail)
				.join("; ");
		// The tick's one read: the due range, and the reminder habits not scheduled yet, each its partial index.
		expect(await plan(idle.statements[0])).toContain("habits_reminder_due_idx");
		expect(await plan(idle.statements[1])).toContain("habits_reminder_unscheduled_idx");
		const scans: string[] = [];
		for (const statement of [...full.statements, ...idle.statements]) {
			for (const line of await fullScans(statement)) scans.push(`${line} in ${statement.sql}`);
		}
		expect(scans).toEqual([]);
	});
});
