/**
 * @module orchard/connections: connection requests (ask → accept/decline; either side removes) and blocks.
 *
 * One row per unordered pair (unique on the sorted ids), so rules about "a request between us" are rules
 * about one row:
 * - asking someone who already asked me accepts their request (no second row, no 409);
 * - after a decline the same person may ask again once `DECLINE_COOLDOWN_DAYS` have passed (the row is
 *   replaced by the new request); the person who declined may ask at any time. The wait is kept in
 *   `connection_cooldowns`, apart from the row, so deleting the declined row (or blocking and unblocking,
 *   which deletes it) does not shorten it;
 * - a block deletes the row and ends open mentorships between the two, in the same batch.
 */
import { and, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { z } from "zod";
import { visibleUserQuery } from "../../core/accounts/accounts";
import type { CurrentUser } from "../../core/accounts/current-user";
import { chatAccess, sortedPair } from "../../core/chat-access";
import { screenPersonalText } from "../../core/moderation/personal";
import { type NotificationEvent, notificationStatements } from "../../core/notifications";
import { withDailyQuota } from "../../core/quotas";
import type { Db } from "../../db/client";
import {
	blocks,
	type CONNECTION_STATUSES,
	type ConnectionRow,
	connectionCooldowns,
	connections,
	mentorships,
} from "../../db/tables/orchard";
import { type UserRow, users } from "../../db/tables/users";
import type { Bindings } from "../../env";
import { DAY_MS } from "../../lib/durations";
import { newId } from "../../lib/ids";
import { decodeCursor, toPage } from "../../lib/pagination";
import { conflict, forbidden, notFound, unprocessable } from "../../lib/problem";
import type { Connection, ConnectionListQuery, CreateConnection } from "./schemas";

/** After a decline, the person declined waits this long before asking the same person again. */
export const DECLINE_COOLDOWN_DAYS = 7;

type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];
type Direction = "outgoing" | "incoming";
export type PeerFields = Pick<UserRow, "id" | "displayName" | "avatarUrl" | "trustLevel">;

export const toPeer = (peer: PeerFields) => ({
	id: peer.id,
	display_name: peer.displayName,
	avatar_url: peer.avatarUrl,
	trust_level: peer.trustLevel,
});

export function toConnection(row: ConnectionRow, me: string, peer: PeerFields): z.infer<typeof Connection> {
	return {
		id: row.id,
		connection_type: row.connectionType,
		status: row.status,
		direction: row.requesterId === me ? "outgoing" : "incoming",
		note: row.note,
		peer: toPeer(peer),
		created_at: row.createdAt,
		responded_at: row.respondedAt,
	};
}

const pairIs = (a: string, b: string) => {
	const [low, high] = sortedPair(a, b);
	return and(eq(connections.userLowId, low), eq(connections.userHighId, high));
};

const mine = (me: string) => or(eq(connections.requesterId, me), eq(connections.addresseeId, me));

/** The other person of a connection, as the answer shows them (a query: it rides in a write's batch). */
const peerOf = (db: Db, id: string) =>
	db
		.select({
			id: users.id,
			displayName: users.displayName,
			avatarUrl: users.avatarUrl,
			trustLevel: users.trustLevel,
		})
		.from(users)
		.where(eq(users.id, id));

// ---------------------------------------------------------------- listing

const IdCursor = z.object({ id: z.string() });

/**
 * My connections and requests, newest first. One indexed branch per (direction, status), each bounded by
 * the page size, run in one D1 batch and merged: no scan of all my rows, whatever the filters.
 */
export async function listConnections(db: Db, me: string, query: z.infer<typeof ConnectionListQuery>) {
	const after = decodeCursor(query.cursor, IdCursor);
	const statuses: ConnectionStatus[] = query.status ? [query.status] : ["pending", "accepted"];
	const directions: Direction[] = query.direction ? [query.direction] : ["outgoing", "incoming"];
	const branches = directions.flatMap((direction) =>
		statuses.map((status) => {
			const [self, other] =
				direction === "outgoing"
					? [connections.requesterId, connections.addresseeId]
					: [connections.addresseeId, connections.requesterId];
			return (
				db
					.select({
						connection: connections,
						// Aliased: same-named columns of a join are mis-mapped inside a D1 batch.
						peerId: sql<string>`${users.id}`.as("peer_id"),
						peerName: sql<string>`${users.displayName}`.as("peer_display_name"),
						peerAvatar: sql<string | null>`${users.avatarUrl}`.as("peer_avatar_url"),
						peerTrust: sql<UserRow["trustLevel"]>`${users.trustLevel}`.as("peer_trust_level"),
					})
					.from(connections)
					.innerJoin(users, eq(users.id, other))
					.where(
						and(
							eq(self, me),
							eq(connections.status, status),
							query.connection_type ? eq(connections.connectionType, query.connection_type) : undefined,
							after ? lt(connections.id, after.id) : undefined,
							isNull(users.deletedAt),
						),
					)
					// SQLite picks (requester_id|addressee_id, status, id) and walks it backwards.
					.orderBy(desc(connections.id))
					.limit(query.limit + 1)
			);
		}),
	);
	const [first, ...rest] = branches;
	if (!first) return { data: [], next_cursor: null };
	const results = await db.batch([first, ...rest]);
	const rows = results
		.flat()
		.sort((a, b) => (a.connection.id < b.connection.id ? 1 : -1))
		.slice(0, query.limit + 1);
	return toPage(
		rows,
		query.limit,
		(row) => ({ id: row.connection.id }),
		(row) =>
			toConnection(row.connection, me, {
				id: row.peerId,
				displayName: row.peerName,
				avatarUrl: row.peerAvatar,
				trustLevel: row.peerTrust,
			}),
	);
}

// ---------------------------------------------------------------- requests

export interface RequestOutcome {
	/** true: a new request (201); false: it accepted the other person's pending request (200). */
	created: boolean;
	connection: z.infer<typeof Connection>;
}

export async function requestConnection(
	env: Pick<Bindings, "ML">,
	db: Db,
	me: CurrentUser,
	body: z.infer<typeof CreateConnection>,
	now = new Date(),
): Promise<RequestOutcome> {
	if (body.user_id === me.id) {
		throw unprocessable("You cannot connect with yourself.", [
			{ field: "body/user_id", message: "must be someone else" },
		]);
	}
	// The addressee, an existing pair and the cooldown side by side (the pair is known from the ids): one
	// round trip. The pair of someone I may not see is read, never shown: 404.
	const [[peer], existingRows, cooldownRows] = await db.batch([
		visibleUserQuery(db, me.id, body.user_id).limit(1),
		db.select().from(connections).where(pairIs(me.id, body.user_id)).limit(1),
		db
			.select({ until: connectionCooldowns.until })
			.from(connectionCooldowns)
			.where(
				and(eq(connectionCooldowns.requesterId, me.id), eq(connectionCooldowns.addresseeId, body.user_id)),
			),
	]);
	if (!peer) throw notFound("user");
	const [low, high] = sortedPair(me.id, peer.id);
	const existing = existingRows[0];
	const cooldown = cooldownRows[0];

	if (existing?.status === "accepted") throw conflict("You are already connected.");
	if (existing?.status === "pending" && existing.requesterId === me.id) {
		throw conflict("You already asked; the request is waiting for an answer.");
	}
	if (existing?.status === "pending") {
		// They asked me first: asking back is saying yes.
		const [[accepted]] = await db.batch([
			db
				.update(connections)
				.set({ status: "accepted", respondedAt: now.toISOString(), updatedAt: now.toISOString() })
				.where(and(eq(connections.id, existing.id), eq(connections.status, "pending")))
				.returning(),
			...notificationStatements(db, [acceptedEvent(existing, me.id, now)], now),
		]);
		if (!accepted) throw conflict("Their request was just withdrawn or answered; reload and try again.");
		return { created: false, connection: toConnection(accepted, me.id, peer) };
	}
	if (cooldown && cooldown.until > now.toISOString()) {
		throw conflict(`Your last request was declined; you can ask again after ${cooldown.until}.`);
	}

	// The note reaches the other person word for word: screened first, abusive words refused.
	const { queue: queued } = await screenPersonalText(
		env,
		db,
		me,
		"connection_request",
		{ note: body.note },
		{
			to_user_id: peer.id,
		},
	);
	const created = await withDailyQuota(db, me, "connection_requests", now, async (spend) => {
		const id = newId(now.getTime());
		const insert = db
			.insert(connections)
			.values({
				id,
				requesterId: me.id,
				addresseeId: peer.id,
				userLowId: low,
				userHighId: high,
				connectionType: body.connection_type,
				note: body.note,
			})
			.onConflictDoNothing()
			.returning();
		// A declined row is replaced by the new request (a fresh id: it sorts as new); the note's queue item,
		// if any, is written with it.
		const statements: BatchItem<"sqlite">[] = [spend];
		if (existing) {
			statements.push(
				db
					.delete(connections)
					.where(and(eq(connections.id, existing.id), eq(connections.status, "declined"))),
			);
		}
		const insertAt = statements.push(insert) - 1;
		if (queued) statements.push(queued);
		statements.push(
			...notificationStatements(
				db,
				[
					{
						type: "connection_request",
						recipientId: peer.id,
						actorId: me.id,
						subject: { type: "connection", id },
						groupKey: `connection_request:${id}`,
						// Only if this insert won (a concurrent request between us leaves nothing to tell).
						when: sql`EXISTS (SELECT 1 FROM ${connections} WHERE ${connections.id} = ${id})`,
					},
				],
				now,
			),
		);
		const results = await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
		const inserted = results[insertAt] as ConnectionRow[];
		const row = inserted[0];
		if (!row) throw conflict("A request between you two was just made; reload and try again.");
		return row;
	});
	return { created: true, connection: toConnection(created, me.id, peer) };
}

async function findMine(db: Db, me: string, connectionId: string): Promise<ConnectionRow> {
	const row = await db
		.select()
		.from(connections)
		.where(and(eq(connections.id, connectionId), mine(me)))
		.get();
	if (!row) throw notFound("connection");
	return row;
}

/** The person asked accepts or declines a pending request. */
export async function answerConnection(
	db: Db,
	me: string,
	connectionId: string,
	status: "accepted" | "declined",
	now = new Date(),
): Promise<z.infer<typeof Connection>> {
	const row = await findMine(db, me, connectionId);
	if (row.addresseeId !== me) throw forbidden("Only the person asked can answer a request.");
	if (row.status !== "pending") throw conflict(`This request was already ${row.status}.`);
	const nowIso = now.toISOString();
	const answer = db
		.update(connections)
		.set({ status, respondedAt: nowIso, updatedAt: nowIso })
		.where(and(eq(connections.id, row.id), eq(connections.status, "pending")))
		.returning();
	// A decline starts the requester's wait, in the same batch (and only if this answer is the one applied);
	// the requester, whom the answer shows, is read in it too.
	const [[peer], [answered]] =
		status === "declined"
			? await db.batch([
					peerOf(db, row.requesterId),
					answer,
					db
						.insert(connectionCooldowns)
						.select(
							db
								.select({
									id: sql<string>`${newId()}`.as("id"),
									requesterId: connections.requesterId,
									addresseeId: connections.addresseeId,
									until:
										sql<string>`${new Date(now.getTime() + DECLINE_COOLDOWN_DAYS * DAY_MS).toISOString()}`.as(
											"until",
										),
									createdAt: sql<string>`${nowIso}`.as("created_at"),
								})
								.from(connections)
								.where(
									and(
										eq(connections.id, row.id),
										eq(connections.status, "declined"),
										eq(connections.respondedAt, nowIso),
									),
								),
						)
						.onConflictDoUpdate({
							target: [connectionCooldowns.requesterId, connectionCooldowns.addresseeId],
							set: { until: sql`excluded.until` },
						}),
				])
			: await db.batch([
					peerOf(db, row.requesterId),
					answer,
					...notificationStatements(db, [acceptedEvent(row, me, now)], now),
				]);
	if (!answered) throw conflict("This request was just withdrawn or answered; reload.");
	if (!peer) throw notFound("connection");
	return toConnection(answered, me, peer);
}

/** The requester learns their request was accepted — if the acceptance at `now` is the one that applied. */
function acceptedEvent(request: ConnectionRow, accepterId: string, now: Date): NotificationEvent {
	return {
		type: "connection_accepted",
		recipientId: request.requesterId,
		actorId: accepterId,
		subject: { type: "connection", id: request.id },
		groupKey: `connection_accepted:${request.id}`,
		when: sql`EXISTS (SELECT 1 FROM ${connections} WHERE ${connections.id} = ${request.id}
			AND ${connections.status} = 'accepted' AND ${connections.respondedAt} = ${now.toISOString()})`,
	};
}

/**
 * Either side removes a connection or request (the requester cancelling included). Returns the removed row.
 * `beforeEnd` runs before an accepted connection is deleted (the caller fences the pair's chat room).
 */
export async function removeConnection(
	db: Db,
	me: string,
	connectionId: string,
	beforeEnd?: (row: ConnectionRow) => Promise<void>,
): Promise<ConnectionRow> {
	const row = await findMine(db, me, connectionId);
	if (row.status === "accepted") await beforeEnd?.(row);
	await db.delete(connections).where(eq(connections.id, row.id));
	return row;
}

// ---------------------------------------------------------------- blocks

export async function listBlocks(db: Db, me: string, limit: number, cursor: string | undefined) {
	const after = decodeCursor(cursor, IdCursor);
	const rows = await db
		.select({
			id: blocks.id,
			createdAt: blocks.createdAt,
			peer: {
				id: users.id,
				displayName: users.displayName,
				avatarUrl: users.avatarUrl,
				trustLevel: users.trustLevel,
			},
		})
		.from(blocks)
		.innerJoin(users, eq(users.id, blocks.blockedId))
		.where(and(eq(blocks.blockerId, me), after ? lt(blocks.id, after.id) : undefined))
		.orderBy(desc(blocks.id))
		.limit(limit + 1);
	return toPage(
		rows,
		limit,
		(row) => ({ id: row.id }),
		(row) => ({ user: toPeer(row.peer), created_at: row.createdAt }),
	);
}

/**
 * Blocks a person: in one batch, the block, the end of any connection or request between us, and the end
 * of open mentorships between us (requested or accepted → cancelled). Idempotent. When we could chat
 * before, `beforeEnd` runs before the batch (the caller fences the chat room) and the caller then tells the
 * room, which closes its sockets.
 */
export async function blockUser(db: Db, me: string, userId: string, beforeEnd?: () => Promise<void>) {
	if (userId === me) {
		throw unprocessable("You cannot block yourself.", [
			{ field: "path/user_id", message: "must be someone else" },
		]);
	}
	// Anyone who exists can be blocked, even someone who already blocks me (nothing is revealed by it). Only
	// a pair that could chat can have open sockets to close (saves waking rooms that never existed). Both
	// asked side by side: one wait.
	const [target, access] = await Promise.all([
		db
			.select()
			.from(users)
			.where(and(eq(users.id, userId), isNull(users.deletedAt)))
			.get(),
		chatAccess(db, me, userId),
	]);
	if (!target) throw notFound("user");
	const couldChat = access === "ok";
	if (couldChat) await beforeEnd?.();
	const now = new Date().toISOString();
	const [inserted] = await db.batch([
		db.insert(blocks).values({ blockerId: me, blockedId: userId }).onConflictDoNothing().returning(),
		db.delete(connections).where(pairIs(me, userId)),
		db
			.update(mentorships)
			.set({ status: "cancelled", updatedAt: now })
			.where(
				and(
					inArray(mentorships.status, ["requested", "accepted"]),
					or(
						and(eq(mentorships.menteeId, me), eq(mentorships.guideId, userId)),
						and(eq(mentorships.menteeId, userId), eq(mentorships.guideId, me)),
					),
				),
			),
	]);
	const block =
		inserted[0] ??
		(await db
			.select()
			.from(blocks)
			.where(and(eq(blocks.blockerId, me), eq(blocks.blockedId, userId)))
			.get());
	if (!block) throw conflict("The block was just lifted; try again.");
	return {
		created: inserted.length > 0,
		couldChat,
		block: { user: toPeer(target), created_at: block.createdAt },
	};
}

export async function unblockUser(db: Db, me: string, userId: string): Promise<void> {
	const removed = await db
		.delete(blocks)
		.where(and(eq(blocks.blockerId, me), eq(blocks.blockedId, userId)))
		.returning({ id: blocks.id });
	if (removed.length === 0) throw notFound("block");
}

/** The cron: cool-downs that have ended are forgotten. */
export async function purgeEndedCooldowns(db: Db, now = new Date()): Promise<void> {
	await db.delete(connectionCooldowns).where(lt(connectionCooldowns.until, now.toISOString()));
}
