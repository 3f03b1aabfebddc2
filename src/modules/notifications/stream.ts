/**
 * @module notifications/stream: the API side of a person's live stream — reaching their `PersonStream`
 * Durable Object, poking it when something of theirs changed (`announceNotifications`), and the single-use
 * tickets that open its WebSocket (a browser cannot send an Authorization header with one).
 */
import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { requestNotificationPushes } from "../../core/push-jobs";
import { createDb, type Db } from "../../db/client";
import { streamTickets } from "../../db/tables/notifications";
import type { Bindings } from "../../env";
import type { Announcement } from "../../http/announce";
import type { TicketRefusal } from "../../http/socket-refusal";
import { logEvent } from "../../lib/log";
import { randomTicket, sha256Hex } from "../../lib/tickets";

/** A ticket opens one stream, within this many seconds of being issued (as chat tickets). */
export const STREAM_TICKET_TTL_SECONDS = 60;
/** Streams poked at once by one announcement (a guardian alert may name many people). */
const POKES_IN_FLIGHT = 20;

/** The person's live stream object (one per person). */
export function streamOf(env: Pick<Bindings, "PERSON_STREAM">, userId: string) {
	return env.PERSON_STREAM.get(env.PERSON_STREAM.idFromName(userId));
}

/**
 * Tells each person's live stream that something of theirs changed in D1 (notifications written or read,
 * their standing): a stream with open sockets reads what changed and sends it; one without does nothing.
 * Call it after the change has committed. Never throws: a failed poke is only logged (without ids), and the
 * next poke or the client's reconnect catches up from the list. Used by every request (`http/announce`) and
 * by work outside a request (a queue consumer) for the people it notified.
 */
export async function announceNotifications(
	env: Pick<Bindings, "PERSON_STREAM">,
	userIds: Iterable<string>,
): Promise<void> {
	const people = [...new Set(userIds)];
	let failed = 0;
	for (let start = 0; start < people.length; start += POKES_IN_FLIGHT) {
		const outcomes = await Promise.allSettled(
			people.slice(start, start + POKES_IN_FLIGHT).map((userId) => streamOf(env, userId).changed()),
		);
		failed += outcomes.filter((outcome) => outcome.status === "rejected").length;
	}
	if (failed > 0) logEvent("warn", "stream_poke_failed", { people: people.length, failed });
}

/**
 * Up to this many people, an announcement pokes their streams itself (a request: the fastest way). Beyond,
 * the notified people's streams are poked by their push jobs, a few per queue invocation: a cron tick with
 * 1,000 reminders must not make 1,000 Durable Object calls (each a subrequest, most waking an idle object)
 * before it is done.
 */
export const DIRECT_POKES = 20;

/**
 * After work that notified people has committed (a request, the cron, the fan-out consumer): their live
 * streams look again, and the pushes of what was written from `since` are asked for. Never throws.
 */
export async function announce(
	env: Pick<Bindings, "PERSON_STREAM" | "NOTIFY_QUEUE">,
	{ streams, notified, since }: Announcement,
): Promise<void> {
	const viaQueue = streams.length > DIRECT_POKES;
	const queued = new Set(viaQueue ? notified : []);
	await Promise.all([
		announceNotifications(
			env,
			streams.filter((userId) => !queued.has(userId)),
		),
		requestNotificationPushes(env, notified, since, { poke: viaQueue }),
	]);
}

/** A new single-use ticket for `userId`'s stream; only its hash is stored. */
export async function issueStreamTicket(
	db: Db,
	userId: string,
	now = new Date(),
): Promise<{ ticket: string; expiresAt: string }> {
	const ticket = randomTicket();
	const expiresAt = new Date(now.getTime() + STREAM_TICKET_TTL_SECONDS * 1000).toISOString();
	await db.batch([
		// My own spent and expired tickets are dead weight.
		db
			.delete(streamTickets)
			.where(
				and(
					eq(streamTickets.userId, userId),
					or(sql`${streamTickets.usedAt} IS NOT NULL`, lt(streamTickets.expiresAt, now.toISOString())),
				),
			),
		db.insert(streamTickets).values({ ticketHash: await sha256Hex(ticket), userId, expiresAt }),
	]);
	return { ticket, expiresAt };
}

/**
 * Spends a ticket (one conditional UPDATE, so it works once): its person, or why it opens nothing —
 * `ticket_used` while its spent row is kept, else `ticket_expired` (expired, swept, or never issued).
 */
export async function redeemStreamTicket(
	db: Db,
	ticket: string,
	now = new Date(),
): Promise<{ userId: string } | { refused: TicketRefusal }> {
	const ticketHash = await sha256Hex(ticket);
	const [redeemed] = await db
		.update(streamTickets)
		.set({ usedAt: now.toISOString() })
		.where(
			and(
				eq(streamTickets.ticketHash, ticketHash),
				isNull(streamTickets.usedAt),
				gt(streamTickets.expiresAt, now.toISOString()),
			),
		)
		.returning({ userId: streamTickets.userId });
	if (redeemed) return redeemed;
	// Only a refusal reads again, to tell the client what to do.
	const spent = await db
		.select({ usedAt: streamTickets.usedAt })
		.from(streamTickets)
		.where(eq(streamTickets.ticketHash, ticketHash))
		.get();
	return { refused: spent?.usedAt ? "ticket_used" : "ticket_expired" };
}

/** Scheduled sweep: spent and expired stream tickets (served by stream_tickets_expires_idx). */
export async function purgeExpiredStreamTickets(d1: D1Database, now = new Date()): Promise<void> {
	await createDb(d1).delete(streamTickets).where(lt(streamTickets.expiresAt, now.toISOString()));
}
