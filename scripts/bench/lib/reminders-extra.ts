/**
 * The reminders extra (issue 16): what the minute cron costs with 100,000 reminder habits of which 1,000 are
 * due, and how many pushes per second the API sends.
 *
 * Loaded when the extra runs (after the endpoints, so their dataset is the same as without it), through the
 * bench Worker within D1's limits (multi-row INSERTs of at most 100 bound values, lib/sql.ts): PEOPLE people
 * in ten time zones, HABITS_EACH reminder habits each (daily, weekday and weekly habits, reminder times spread
 * over the day), each habit's `next_reminder_at` its first reminder after NOW as the API itself computes it
 * (garden/reminder-schedule) — except one habit of each of the first DUE people, whose reminder is at NOW's
 * wall time in their zone and due exactly at NOW. Those people have 1–3 push subscriptions each, on the
 * stand-in push service (lib/push-stand-in.ts).
 *
 * Measured, in this order:
 * 1. a tick at NOW before the habits are loaded (the small dataset has no reminder habits): the fixed cost;
 * 2. the tick at NOW with DUE due: its time (from here, around the bench Worker's answer), the D1 round trips,
 *    rows read and written (the counting D1 binding), and the `habit_reminder` notifications written;
 * 3. the pushes those notifications cause: the tick queues one push job per person notified, the API's queue
 *    consumer delivers them (D1 reads, RFC 8291 encryption, VAPID signature, the POST, the claims), and the
 *    stand-in verifies and decrypts each before accepting it: pushes per second from the first accepted to
 *    the last, and when the first and last came after the tick's answer;
 * 4. the same minute's tick again, nothing due any more;
 * 5. the same push jobs again (claims cleared) delivered by the bench Worker with the consumer's own function,
 *    ten at a time as one queue batch does, without the queue: pushes per second, D1 rows read per job;
 * 6. buildPushRequest alone (encryption and signature, no D1, no HTTP), per push.
 */
import { nextReminderAt } from "../../../src/modules/garden/reminder-schedule.ts";
import { isRecord } from "../../lib/guards.ts";
import { type BenchSubscription, startPushStandIn } from "./push-stand-in.ts";
import { createRandom, uuidv7 } from "./random.ts";
import type { PushDeliveryResult, RemindersResult, TickResult } from "./results.ts";
import { seedClient } from "./sql.ts";

export const PEOPLE = 10_000;
export const HABITS_EACH = 10;
export const DUE = 1_000;
/** Subscriptions of the n-th person told: 1, 2, 3, 1, 2, 3, … */
const subscriptionsOf = (n: number) => 1 + (n % 3);
/** Push jobs in flight at once in the comparison without the queue: one queue batch (max_batch_size). */
const DIRECT_CONCURRENCY = 10;
const PUSH_TIMEOUT_MS = 120_000;

const ZONES = [
	"UTC",
	"America/New_York",
	"America/Los_Angeles",
	"America/Sao_Paulo",
	"Europe/London",
	"Europe/Berlin",
	"Africa/Lagos",
	"Asia/Kolkata",
	"Asia/Tokyo",
	"Australia/Sydney",
];
const CATEGORIES = ["health", "mindfulness", "learning"];
const FREQUENCIES = ["daily", "weekdays", "times_per_week"] as const;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const iso = (ms: number) => new Date(ms).toISOString();

/** The wall time `HH:MM` of `at` in `timeZone`. */
const wallAt = (timeZone: string, at: Date) =>
	new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
		at,
	);

/** The calendar date `YYYY-MM-DD` of `at` in `timeZone`. */
const dateIn = (timeZone: string, at: Date) =>
	new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
		at,
	);

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export interface RemindersDeps {
	benchUrl: string;
	vapidPublicKey: string;
	log: (message: string) => void;
	/** ms per operation of the bench Worker, repeated n times (load.ts's micro timing). */
	timeOperation: (operation: string, n: number) => Promise<number>;
}

async function post(benchUrl: string, path: string, body: unknown): Promise<unknown> {
	const response = await fetch(`${benchUrl}${path}`, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify(body),
	});
	if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
	return response.json();
}

async function count(benchUrl: string, sql: string, params: unknown[] = []): Promise<number> {
	const answer = await post(benchUrl, "/query", { sql, params });
	const [row] = isRecord(answer) && Array.isArray(answer.results) ? answer.results : [];
	if (!isRecord(row) || typeof row.n !== "number") throw new Error(`query: ${JSON.stringify(answer)}`);
	return row.n;
}

interface Counted {
	roundTrips: number;
	statements: number;
	rowsRead: number;
	rowsWritten: number;
	insideMs: number;
	d1Ms?: number;
}

function isCounted(value: unknown): value is Counted {
	return isRecord(value) && typeof value.rowsRead === "number" && typeof value.roundTrips === "number";
}

async function tick(benchUrl: string, now: Date): Promise<TickResult & { answeredAt: number }> {
	const started = performance.now();
	const answer = await post(benchUrl, "/tick", { now: now.toISOString() });
	const answeredAt = performance.now();
	if (!isCounted(answer)) throw new Error(`tick: ${JSON.stringify(answer)}`);
	return { ms: round(answeredAt - started), ...answer, answeredAt };
}

const withoutTime = ({ answeredAt: _, ...result }: TickResult & { answeredAt: number }): TickResult => result;

/** Loads the people, habits and subscriptions; answers the people told at NOW, with their subscription counts. */
async function load(deps: RemindersDeps, now: Date, subscribe: (id: string) => Promise<BenchSubscription>) {
	const seed = seedClient(deps.benchUrl);
	const random = createRandom(0x16_0216);
	const createdMs = now.getTime() - 90 * DAY;
	const people = Array.from({ length: PEOPLE }, (_, i) => ({
		id: uuidv7(createdMs + i, random),
		gardenId: uuidv7(createdMs + i, random),
		zone: ZONES[i % ZONES.length] as string,
		// Most days start at midnight; every fifth person's at 04:00 (their late reminders close the day before).
		dayStartHour: i % 5 === 4 ? 4 : 0,
	}));
	await seed.insertRows(
		"users",
		[
			"id",
			"auth0_sub",
			"display_name",
			"trust_level_since",
			"timezone",
			"day_start_hour",
			"created_at",
			"updated_at",
		],
		people.map((person, i) => [
			person.id,
			`bench|reminders-${i}`,
			`Reminder person ${i}`,
			iso(createdMs),
			person.zone,
			person.dayStartHour,
			iso(createdMs),
			iso(createdMs),
		]),
	);
	await seed.insertRows(
		"gardens",
		["id", "user_id", "created_at", "updated_at"],
		people.map((person) => [person.gardenId, person.id, iso(createdMs), iso(createdMs)]),
	);
	const habits: unknown[][] = [];
	for (const [p, person] of people.entries()) {
		const zone = { timeZone: person.zone, dayStartHour: person.dayStartHour };
		const startDate = dateIn(person.zone, new Date(now.getTime() - 60 * DAY));
		for (let h = 0; h < HABITS_EACH; h++) {
			const due = p < DUE && h === 0;
			const frequency = due ? "daily" : (FREQUENCIES[(p + h) % FREQUENCIES.length] as string);
			const weekdays = frequency === "weekdays" ? [1, 2, 3, 4, 5] : [];
			// Reminder times over the whole day, on the quarter hour (people's choices), distinct per habit.
			const minute = ((p * 7 + h * 97) % 96) * 15;
			const reminderTime = due
				? wallAt(person.zone, now)
				: `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
			const habit = {
				frequency: frequency as (typeof FREQUENCIES)[number],
				weekdays,
				reminderTime,
				reminderEnabled: true,
				startDate,
			};
			const next = due ? now : nextReminderAt(habit, zone, now);
			if (next === null) throw new Error(`habit ${p}/${h} has no next reminder`);
			habits.push([
				uuidv7(createdMs + p, random),
				person.gardenId,
				person.id,
				`Habit ${h} of person ${p}`,
				CATEGORIES[h % CATEGORIES.length],
				frequency,
				JSON.stringify(weekdays),
				reminderTime,
				1,
				startDate,
				next.toISOString(),
				iso(createdMs),
				iso(createdMs),
			]);
		}
	}
	await seed.insertRows(
		"habits",
		[
			"id",
			"garden_id",
			"user_id",
			"name",
			"category",
			"frequency",
			"weekdays",
			"reminder_time",
			"reminder_enabled",
			"start_date",
			"next_reminder_at",
			"created_at",
			"updated_at",
		],
		habits,
	);
	const subscriptions: unknown[][] = [];
	for (const [p, person] of people.slice(0, DUE).entries()) {
		for (let s = 0; s < subscriptionsOf(p); s++) {
			const id = uuidv7(createdMs + p, random);
			const { endpoint, p256dh, auth } = await subscribe(id);
			subscriptions.push([id, person.id, endpoint, p256dh, auth, iso(createdMs)]);
		}
	}
	await seed.insertRows(
		"push_subscriptions",
		["id", "user_id", "endpoint", "p256dh", "auth", "created_at"],
		subscriptions,
	);
	return { told: people.slice(0, DUE).map((person) => person.id), subscriptions: subscriptions.length };
}

/** Waits until the stand-in has accepted `expected` pushes (or refused some, or the time is up). */
async function awaitPushes(standIn: { accepted: number; refused: number }, expected: number, from: number) {
	while (standIn.accepted + standIn.refused < expected && performance.now() - from < PUSH_TIMEOUT_MS) {
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

export async function measureReminders(deps: RemindersDeps): Promise<RemindersResult> {
	const { benchUrl, log } = deps;
	const standIn = await startPushStandIn();
	try {
		// The start of the current minute: the tick of this minute, as the cron would run it.
		const now = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);
		const emptyTick = withoutTime(await tick(benchUrl, now));
		log(`reminders: tick before any reminder habit: ${JSON.stringify(emptyTick)}`);
		const loadStarted = performance.now();
		const { told, subscriptions } = await load(deps, now, (id) => standIn.subscribe(id, deps.vapidPublicKey));
		const loadSeconds = round((performance.now() - loadStarted) / 1000, 1);
		log(
			`reminders: ${PEOPLE * HABITS_EACH} habits, ${subscriptions} subscriptions loaded in ${loadSeconds} s`,
		);
		const dueNow = await count(
			benchUrl,
			"SELECT count(*) AS n FROM habits WHERE next_reminder_at IS NOT NULL AND deleted_at IS NULL AND next_reminder_at <= ?1",
			[now.toISOString()],
		);
		const remindersBefore = await count(
			benchUrl,
			"SELECT count(*) AS n FROM notifications WHERE type = 'habit_reminder'",
		);

		const full = await tick(benchUrl, now);
		const fired =
			(await count(benchUrl, "SELECT count(*) AS n FROM notifications WHERE type = 'habit_reminder'")) -
			remindersBefore;
		log(`reminders: tick with ${dueNow} due: ${fired} notifications, ${JSON.stringify(withoutTime(full))}`);

		// Every person told has their push job queued by the tick; each subscription should get one push.
		await awaitPushes(standIn, subscriptions, full.answeredAt);
		const arrivals = [...standIn.acceptedAt].sort((a, b) => a - b);
		const first = arrivals[0];
		const last = arrivals.at(-1);
		const viaQueue: PushDeliveryResult = {
			jobs: told.length,
			expected: subscriptions,
			accepted: standIn.accepted,
			refused: standIn.refused,
			refusals: standIn.refusals,
			firstMs: first === undefined ? null : round(first - full.answeredAt, 0),
			lastMs: last === undefined ? null : round(last - full.answeredAt, 0),
			perSecond:
				first !== undefined && last !== undefined && last > first
					? round(((arrivals.length - 1) * 1000) / (last - first), 1)
					: null,
		};
		log(`reminders: pushes through the queue: ${JSON.stringify(viaQueue)}`);
		// Let the consumer finish its acks before the next tick.
		await new Promise((resolve) => setTimeout(resolve, 2_000));

		const idleTick = withoutTime(await tick(benchUrl, now));
		log(`reminders: the same minute again, nothing due: ${JSON.stringify(idleTick)}`);

		// The same push jobs again without the queue: claims cleared, so each is pushed once more.
		await post(benchUrl, "/run", { statements: [{ sql: "DELETE FROM push_deliveries", params: [] }] });
		standIn.reset();
		const jobs = told.map((userId) => ({ push: "notifications", userId, since: now.toISOString() }));
		const started = performance.now();
		const answer = await post(benchUrl, "/deliver", { jobs, concurrency: DIRECT_CONCURRENCY });
		const directMs = performance.now() - started;
		if (!isCounted(answer) || !isRecord(answer) || typeof answer.delivered !== "number")
			throw new Error(`deliver: ${JSON.stringify(answer)}`);
		const direct: PushDeliveryResult = {
			jobs: jobs.length,
			expected: subscriptions,
			accepted: standIn.accepted,
			refused: standIn.refused,
			refusals: standIn.refusals,
			concurrency: DIRECT_CONCURRENCY,
			ms: round(directMs, 0),
			perSecond: round((standIn.accepted * 1000) / directMs, 1),
			roundTripsPerJob: round(answer.roundTrips / jobs.length),
			rowsReadPerJob: round(answer.rowsRead / jobs.length, 1),
			rowsWrittenPerJob: round(answer.rowsWritten / jobs.length, 1),
			outcome: {
				delivered: answer.delivered,
				removed: Number(answer.removed),
				failed: Number(answer.failed),
				retry: Number(answer.retry),
			},
		};
		log(`reminders: the same pushes without the queue: ${JSON.stringify(direct)}`);

		const cryptoMs = await deps.timeOperation("push_request", 500);
		log(`reminders: buildPushRequest ${cryptoMs.toFixed(3)} ms per push`);
		return {
			people: PEOPLE,
			habits: PEOPLE * HABITS_EACH,
			due: dueNow,
			now: now.toISOString(),
			loadSeconds,
			emptyTick,
			tick: { ...withoutTime(full), fired },
			idleTick,
			viaQueue,
			direct,
			cryptoMsPerPush: round(cryptoMs, 3),
			cryptoPerSecond: cryptoMs > 0 ? round(1000 / cryptoMs, 0) : null,
		};
	} finally {
		await standIn.close();
	}
}
