/**
 * @module core/fan-outs: notifications to many people — everyone going to an event that changed or was
 * cancelled, every guardian when someone may be at risk — through the notifications queue.
 *
 * The action writes a fan-out row (`notification_fan_outs`) in its own D1 batch (`fanOutStatement`; an urgent
 * moderation item gets one from a trigger on its table), so the fan-out exists exactly when the action does.
 * After the commit it is handed to the queue (`dispatchFanOuts`: right after the request, and by the cron for
 * whatever was not handed over or not finished), and the queue's consumer writes every notification in one
 * set-based statement and deletes the row. Every step is idempotent: the rows are unique per cause, the
 * notifications unique per person and cause.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { and, asc, eq, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type FanOutKind, notificationFanOuts } from "../db/tables/notifications";
import type { FanOutMessage, PlatformBindings } from "../lib/bindings";
import { MINUTE_MS } from "../lib/durations";
import { newId } from "../lib/ids";
import { logEvent } from "../lib/log";

/** Fan-outs handed to the queue per dispatch. */
const DISPATCH_BATCH = 50;
/** A fan-out handed over but not finished is handed over again after this long… */
export const REDISPATCH_AFTER_MS = 5 * MINUTE_MS;
/** …at most this many times; then it stays in the table, logged, for a person to look at. */
export const MAX_DISPATCHES = 10;

export interface FanOut {
	kind: FanOutKind;
	subjectId: string;
	actorId: string | null;
	/** Unique per cause: the same action retried writes one fan-out. */
	dedupeKey: string;
	data?: Record<string, unknown>;
}

/** What a request built: the ids of the fan-outs it wrote, and whether a table trigger may have written one. */
export interface PendingFanOuts {
	ids: Set<string>;
	byTrigger: boolean;
}

const pendingInScope = new AsyncLocalStorage<PendingFanOuts>();

/** Runs `work`, answering the fan-outs it may have written (so that the caller dispatches after the commit). */
export async function collectingFanOuts<T>(
	work: () => Promise<T>,
): Promise<{ result: T; pending: PendingFanOuts }> {
	const pending: PendingFanOuts = { ids: new Set(), byTrigger: false };
	const result = await pendingInScope.run(pending, work);
	return { result, pending };
}

/** Notes that this request may have made a table trigger write a fan-out (an urgent moderation item). */
export function noteFanOut(): void {
	const scope = pendingInScope.getStore();
	if (scope) scope.byTrigger = true;
}

/** True when `pending` holds anything to dispatch. */
export const hasPendingFanOuts = (pending: PendingFanOuts) => pending.byTrigger || pending.ids.size > 0;

/**
 * The statement that writes a fan-out, for the action's own batch; with `when`, only if that holds when it
 * runs (e.g. the event's update really applied).
 */
export function fanOutStatement(db: Db, fanOut: FanOut & { when?: SQL }, now = new Date()) {
	const id = newId(now.getTime());
	pendingInScope.getStore()?.ids.add(id);
	// Columns in the table's order (db/tables/notifications): id, kind, subject_id, actor_id, dedupe_key,
	// data, created_at, dispatched_at, attempts.
	return db
		.insert(notificationFanOuts)
		.select(sql`SELECT ${id}, ${fanOut.kind}, ${fanOut.subjectId}, ${fanOut.actorId},
			${fanOut.dedupeKey}, ${JSON.stringify(fanOut.data ?? {})}, ${now.toISOString()}, NULL, 0
			WHERE ${fanOut.when ?? sql`1`}`)
		.onConflictDoNothing({ target: notificationFanOuts.dedupeKey });
}

/**
 * The statement that writes many fan-outs at once (the cron's event reminders): one set-based INSERT over a
 * JSON list (one bound value), one row per dedupe key — a fan-out that exists already is left as it is.
 * Answers the ids of the rows it wrote, to hand to the queue. A list, not a statement per fan-out: D1 allows
 * 1,000 queries per Worker invocation (50 on the free plan), and a cron invocation runs every task.
 */
export function fanOutsStatement(db: Db, fanOuts: readonly FanOut[], now = new Date()) {
	const at = now.toISOString();
	const rows = fanOuts.map((fanOut) => {
		const id = newId(now.getTime());
		pendingInScope.getStore()?.ids.add(id);
		return [
			id,
			fanOut.kind,
			fanOut.subjectId,
			fanOut.actorId,
			fanOut.dedupeKey,
			JSON.stringify(fanOut.data ?? {}),
		];
	});
	// Columns in the table's order (db/tables/notifications), as in fanOutStatement.
	return db
		.insert(notificationFanOuts)
		.select(sql`SELECT json_extract(f.value, '$[0]'), json_extract(f.value, '$[1]'), json_extract(f.value, '$[2]'),
			json_extract(f.value, '$[3]'), json_extract(f.value, '$[4]'), json_extract(f.value, '$[5]'), ${at}, NULL, 0
			FROM json_each(${JSON.stringify(rows)}) AS f WHERE 1`)
		.onConflictDoNothing({ target: notificationFanOuts.dedupeKey })
		.returning({ id: notificationFanOuts.id });
}

/** `Queue.sendBatch` takes at most 100 messages. */
export const QUEUE_SEND_BATCH = 100;

async function sendFanOuts(
	env: Pick<PlatformBindings, "NOTIFY_QUEUE">,
	ids: readonly string[],
): Promise<void> {
	for (let start = 0; start < ids.length; start += QUEUE_SEND_BATCH) {
		await env.NOTIFY_QUEUE.sendBatch(
			ids
				.slice(start, start + QUEUE_SEND_BATCH)
				.map((fanOutId) => ({ body: { fanOutId } satisfies FanOutMessage })),
		);
	}
}

/**
 * Hands fan-outs to the queue and marks them handed over: the ones a request wrote (`known`: their ids,
 * without reading them first — one that did not apply is a no-op for the consumer), or else every one not
 * yet handed over, or handed over long ago and still unfinished. Returns how many. A queue that refuses
 * leaves them for the next dispatch.
 */
export async function dispatchFanOuts(
	env: Pick<PlatformBindings, "NOTIFY_QUEUE">,
	db: Db,
	now = new Date(),
	known?: ReadonlySet<string>,
): Promise<number> {
	if (known && known.size > 0) {
		const ids = [...known];
		await sendFanOuts(env, ids);
		await db
			.update(notificationFanOuts)
			.set({ dispatchedAt: now.toISOString(), attempts: sql`${notificationFanOuts.attempts} + 1` })
			.where(sql`${notificationFanOuts.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`);
		return ids.length;
	}
	const stale = new Date(now.getTime() - REDISPATCH_AFTER_MS).toISOString();
	const due = await db
		.select({ id: notificationFanOuts.id, attempts: notificationFanOuts.attempts })
		.from(notificationFanOuts)
		.where(
			and(
				or(isNull(notificationFanOuts.dispatchedAt), lt(notificationFanOuts.dispatchedAt, stale)),
				lt(notificationFanOuts.attempts, MAX_DISPATCHES),
			),
		)
		.orderBy(asc(notificationFanOuts.createdAt))
		.limit(DISPATCH_BATCH);
	if (due.length === 0) return 0;
	await sendFanOuts(
		env,
		due.map(({ id }) => id),
	);
	await db
		.update(notificationFanOuts)
		.set({ dispatchedAt: now.toISOString(), attempts: sql`${notificationFanOuts.attempts} + 1` })
		.where(
			inArray(
				notificationFanOuts.id,
				due.map(({ id }) => id),
			),
		);
	const exhausted = due.filter(({ attempts }) => attempts + 1 >= MAX_DISPATCHES).length;
	if (exhausted > 0) logEvent("error", "notification_fan_out_exhausted", { count: exhausted });
	return due.length;
}

/** Reads one fan-out (undefined once it is done). */
export const fanOutById = (db: Db, id: string) =>
	db.select().from(notificationFanOuts).where(eq(notificationFanOuts.id, id)).get();

/** A fan-out is done: its notifications are written. */
export const finishFanOut = (db: Db, id: string) =>
	db.delete(notificationFanOuts).where(eq(notificationFanOuts.id, id));
