/**
 * @module support/service: anonymous support requests and the responses to them.
 *
 * A request row holds no link to its author. The author proves ownership with the token only they hold
 * (`X-Support-Token`); the user id is used once at creation, for the HMAC-keyed daily quota, and then
 * forgotten. Nothing here logs a request's text, its token or who created it. Nor does anything date it
 * finer than the hour: its id is random and its times are rounded down (`lib/coarse-time`), and what the
 * token holder does later (edits, status, deletion, helpful marks) leaves no exact time either.
 */
import { and, asc, eq, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import { type CurrentUser, isGuardian, isVerifiedGuide } from "../../core/accounts/current-user";
import { notBlockedWith } from "../../core/blocks";
import { auditStatement } from "../../core/moderation/audit";
import { queueItemForContent } from "../../core/moderation/queue";
import { PUBLICLY_VISIBLE_STATUSES, type Screening, screenText } from "../../core/moderation/screen";
import { isSpentAllowance, withDailyQuota } from "../../core/quotas";
import type { Db } from "../../db/client";
import { afterCursor } from "../../db/keyset";
import {
	ACTIVE_SUPPORT_REQUEST,
	ACTIVE_SUPPORT_STATUSES,
	type SUPPORT_CATEGORIES,
	type SUPPORT_STATUSES,
	type SUPPORT_VISIBILITIES,
	type SupportRequestRow,
	type SupportResponseRow,
	supportRequestContent,
	supportRequests,
	supportResponseContent,
	supportResponses,
} from "../../db/tables/support";
import { users } from "../../db/tables/users";
import type { Bindings } from "../../env";
import { anonymousTime } from "../../lib/coarse-time";
import { newId, newRandomId } from "../../lib/ids";
import { logEvent } from "../../lib/log";
import { conflict, forbidden, notFound, Problem } from "../../lib/problem";
import { supportLimitProblem, supportSpendStatement } from "./quota";
import { newSupportToken, sealSupportToken, supportTokenMatches } from "./token";

/** A request keeps at most this many responses, so reading it with its responses stays bounded. */
export const MAX_RESPONSES_PER_REQUEST = 100;
/** Seconds a client should wait after too many wrong tokens (the limiter's period). */
const TOKEN_RETRY_AFTER_SECONDS = 60;

type Category = (typeof SUPPORT_CATEGORIES)[number];
type Visibility = (typeof SUPPORT_VISIBILITIES)[number];
type Status = (typeof SUPPORT_STATUSES)[number];

export interface NewSupportRequest {
	title: string;
	body: string;
	category: Category;
	visibility: Visibility;
}

/** The fields an edit can change, as they are now. */
const editableOf = (request: Pick<SupportRequestRow, "title" | "body" | "category" | "visibility">) => ({
	title: request.title,
	body: request.body,
	category: request.category,
	visibility: request.visibility,
});

/**
 * Creates a request: the quota is counted under an HMAC of the user id, the text screened (crisis and
 * toxicity), the token sealed; the row and any Guardian queue item are written in one batch.
 */
export async function createSupportRequest(
	db: Db,
	env: Pick<Bindings, "ML" | "SUPPORT_HMAC_SECRET">,
	user: CurrentUser,
	input: NewSupportRequest,
	now = new Date(),
): Promise<{ request: SupportRequestRow; token: string; screening: Screening }> {
	// The request and its daily count are one batch: nothing written, nothing counted.
	const { spend } = await supportSpendStatement(db, env.SUPPORT_HMAC_SECRET, user, now);
	const screening = await screenText(env, `${input.title}\n\n${input.body}`);
	const token = newSupportToken();
	const sealed = await sealSupportToken(token);
	const id = newRandomId();
	const at = anonymousTime(now);
	const values = {
		id,
		createdAt: at,
		updatedAt: at,
		...input,
		isUrgent: screening.urgent,
		...sealed,
		moderationStatus: screening.status,
		toxicityScore: screening.toxicity,
	};
	const insert = db.insert(supportRequests).values(values).returning();
	const queued = queueItemForContent(db, supportRequestContent, values, screening);
	const [, rows] = await (queued ? db.batch([spend, insert, queued]) : db.batch([spend, insert])).catch(
		(error: unknown) => {
			throw isSpentAllowance(error) ? supportLimitProblem(user, now) : error;
		},
	);
	const request = rows[0];
	if (!request) throw new Error("support request insert returned nothing");
	return { request, token, screening };
}

/** A live (not deleted) request, whoever may see it. */
export const findSupportRequest = (db: Db, id: string) =>
	db
		.select()
		.from(supportRequests)
		.where(and(eq(supportRequests.id, id), isNull(supportRequests.deletedAt)))
		.get();

/**
 * Passes when `token` is the request's token; otherwise 403, or 429 once the request has seen too many
 * wrong or missing tokens (Workers Rate Limiting, keyed per request id).
 */
export async function requireSupportToken(
	env: Pick<Bindings, "SUPPORT_TOKEN_LIMITER">,
	request: SupportRequestRow,
	token: string | undefined,
): Promise<void> {
	if (token !== undefined && (await supportTokenMatches(token, request))) return;
	let limited = false;
	try {
		limited = !(await env.SUPPORT_TOKEN_LIMITER.limit({ key: `support-token:${request.id}` })).success;
	} catch {
		logEvent("warn", "support_token_limiter_unavailable");
	}
	if (limited) {
		throw new Problem(429, {
			detail: "Too many wrong support tokens for this request; wait a minute before trying again.",
			kind: "rate-limited",
			headers: { "Retry-After": String(TOKEN_RETRY_AFTER_SECONDS) },
		});
	}
	throw forbidden(
		token === undefined
			? "This needs the request's support token in X-Support-Token."
			: "The support token does not match this request.",
	);
}

/**
 * Who may read a request: its token holder, guardians, and others as its visibility and moderation allow.
 * `viewer` is null when the asker reads with the token alone (`ownsIt`).
 */
export function canSeeRequest(
	viewer: CurrentUser | null,
	request: SupportRequestRow,
	ownsIt: boolean,
): boolean {
	if (ownsIt) return true;
	if (!viewer) return false;
	if (isGuardian(viewer)) return true;
	if (!(PUBLICLY_VISIBLE_STATUSES as readonly string[]).includes(request.moderationStatus)) return false;
	return request.visibility === "community" || isVerifiedGuide(viewer);
}

export interface SupportListFilters {
	status?: Status;
	category?: Category;
	visibility?: Visibility;
	limit: number;
	after?: SupportListCursor;
}

/** The list's sort key: urgent first, then the newest hour, then the (random) id. */
export interface SupportListCursor {
	is_urgent: boolean;
	created_at: string;
	id: string;
}

/** A `support_requests` row as D1 hands it back from a raw query. */
type RawSupportRequest = {
	[K in
		| "id"
		| "title"
		| "body"
		| "category"
		| "visibility"
		| "status"
		| "token_hash"
		| "token_salt"
		| "moderation_status"
		| "created_at"
		| "updated_at"]: string;
} & {
	is_urgent: number;
	token_iterations: number;
	toxicity_score: number | null;
	response_count: number;
	deleted_at: string | null;
};

const fromRaw = (raw: RawSupportRequest): SupportRequestRow => ({
	id: raw.id,
	title: raw.title,
	body: raw.body,
	category: raw.category as Category,
	visibility: raw.visibility as Visibility,
	status: raw.status as Status,
	isUrgent: raw.is_urgent === 1,
	tokenHash: raw.token_hash,
	tokenSalt: raw.token_salt,
	tokenIterations: raw.token_iterations,
	moderationStatus: raw.moderation_status as SupportRequestRow["moderationStatus"],
	toxicityScore: raw.toxicity_score,
	responseCount: raw.response_count,
	deletedAt: raw.deleted_at,
	createdAt: raw.created_at,
	updatedAt: raw.updated_at,
});

/**
 * The list query: requests I may see, urgent first, then newest hour first, then by id (random, so the
 * order within an hour says nothing about who came first). Without a status filter, the still-active ones
 * (open, responded). Each variant names the index whose order is the list's: without table statistics
 * SQLite would rather look rows up by status and sort them all.
 */
export function supportListQuery(viewer: CurrentUser, filters: SupportListFilters): SQL {
	const conditions: Array<SQL | undefined> = [
		filters.status
			? and(eq(supportRequests.status, filters.status), isNull(supportRequests.deletedAt))
			: ACTIVE_SUPPORT_REQUEST,
		filters.category ? eq(supportRequests.category, filters.category) : undefined,
		filters.visibility ? eq(supportRequests.visibility, filters.visibility) : undefined,
		isVerifiedGuide(viewer) ? undefined : eq(supportRequests.visibility, "community"),
		isGuardian(viewer)
			? undefined
			: inArray(supportRequests.moderationStatus, [...PUBLICLY_VISIBLE_STATUSES]),
	];
	const { after } = filters;
	if (after) {
		const urgent = after.is_urgent ? 1 : 0;
		conditions.push(
			afterCursor(
				"desc",
				[supportRequests.isUrgent, urgent],
				[supportRequests.createdAt, after.created_at],
				[supportRequests.id, after.id],
			),
		);
	}
	const index = filters.status
		? "support_requests_status_urgent_idx"
		: filters.category
			? "support_requests_active_category_idx"
			: "support_requests_active_idx";
	return sql`SELECT * FROM ${supportRequests} INDEXED BY ${sql.identifier(index)}
		WHERE ${and(...conditions)}
		ORDER BY ${supportRequests.isUrgent} DESC, ${supportRequests.createdAt} DESC, ${supportRequests.id} DESC
		LIMIT ${filters.limit + 1}`;
}

export async function listSupportRequests(
	db: Db,
	viewer: CurrentUser,
	filters: SupportListFilters,
): Promise<SupportRequestRow[]> {
	const rows = await db.all<RawSupportRequest>(supportListQuery(viewer, filters));
	return rows.map(fromRaw);
}

export type ResponseWithResponder = {
	response: SupportResponseRow;
	responder: {
		id: string;
		displayName: string;
		avatarUrl: string | null;
		role: CurrentUser["role"];
		trustLevel: CurrentUser["trustLevel"];
		deletedAt: string | null;
	};
};

const responderColumns = {
	id: users.id,
	displayName: users.displayName,
	avatarUrl: users.avatarUrl,
	role: users.role,
	trustLevel: users.trustLevel,
	deletedAt: users.deletedAt,
};

/**
 * The responses of a request the viewer may see (oldest first, at most MAX_RESPONSES_PER_REQUEST). A null viewer
 * is the asker reading with the token alone: the published responses, with no one's blocks applied.
 */
export function responsesFor(
	db: Db,
	viewer: CurrentUser | null,
	requestId: string,
): Promise<ResponseWithResponder[]> {
	return db
		.select({ response: supportResponses, responder: responderColumns })
		.from(supportResponses)
		.innerJoin(users, eq(users.id, supportResponses.responderId))
		.where(
			and(
				eq(supportResponses.requestId, requestId),
				isNull(supportResponses.deletedAt),
				!viewer
					? inArray(supportResponses.moderationStatus, [...PUBLICLY_VISIBLE_STATUSES])
					: isGuardian(viewer)
						? undefined
						: or(
								inArray(supportResponses.moderationStatus, [...PUBLICLY_VISIBLE_STATUSES]),
								eq(supportResponses.responderId, viewer.id),
							),
				viewer ? notBlockedWith(db, viewer.id, supportResponses.responderId) : undefined,
			),
		)
		.orderBy(asc(supportResponses.id))
		.limit(MAX_RESPONSES_PER_REQUEST);
}

export interface SupportRequestEdit {
	title?: string;
	body?: string;
	category?: Category;
	visibility?: Visibility;
}

/** The token holder edits a still-active request; new text is screened again (hidden stays hidden). */
export async function editSupportRequest(
	db: Db,
	env: Pick<Bindings, "ML">,
	request: SupportRequestRow,
	edit: SupportRequestEdit,
): Promise<{ request: SupportRequestRow; screening: Screening | null }> {
	if (request.moderationStatus === "removed") throw conflict("A guardian removed this request.");
	if (!(ACTIVE_SUPPORT_STATUSES as readonly string[]).includes(request.status)) {
		throw conflict(`A ${request.status} request can no longer be edited.`);
	}
	const next = { ...editableOf(request), ...edit };
	const textChanged = next.title !== request.title || next.body !== request.body;
	const screening = textChanged ? await screenText(env, `${next.title}\n\n${next.body}`) : null;
	const update = db
		.update(supportRequests)
		.set({
			...edit,
			...(screening
				? {
						moderationStatus: request.moderationStatus === "hidden" ? "hidden" : screening.status,
						toxicityScore: screening.toxicity,
						isUrgent: request.isUrgent || screening.urgent,
					}
				: {}),
		})
		.where(and(eq(supportRequests.id, request.id), isNull(supportRequests.deletedAt)))
		.returning();
	const queued = screening
		? queueItemForContent(db, supportRequestContent, { ...request, ...next }, screening)
		: null;
	const [rows] = queued ? await db.batch([update, queued]) : await db.batch([update]);
	const updated = rows[0];
	if (!updated) throw notFound("support request");
	return { request: updated, screening };
}

/** Soft delete, by the token holder or by a guardian (audit-logged in the same batch). */
export async function deleteSupportRequest(
	db: Db,
	request: SupportRequestRow,
	byGuardian: CurrentUser | null,
): Promise<void> {
	// Rounded like every time of the request: a deletion by its token holder is their act too.
	const remove = db
		.update(supportRequests)
		.set({ deletedAt: anonymousTime() })
		.where(and(eq(supportRequests.id, request.id), isNull(supportRequests.deletedAt)));
	if (!byGuardian) {
		await remove;
		return;
	}
	await db.batch([
		remove,
		auditStatement(db, {
			actorId: byGuardian.id,
			action: "delete_content",
			targetType: "support_request",
			targetId: request.id,
			reason: "Deleted by a guardian.",
		}),
	]);
}

/** open/responded → resolved or closed; resolved → closed; closed is final. Same status: no change. */
export async function setSupportRequestStatus(
	db: Db,
	request: SupportRequestRow,
	status: "resolved" | "closed",
): Promise<SupportRequestRow> {
	if (request.status === status) return request;
	if (request.status === "closed") throw conflict("A closed request is final.");
	if (request.status === "resolved" && status !== "closed")
		throw conflict("A resolved request can only be closed.");
	const [updated] = await db
		.update(supportRequests)
		.set({ status })
		.where(
			and(
				eq(supportRequests.id, request.id),
				eq(supportRequests.status, request.status),
				isNull(supportRequests.deletedAt),
			),
		)
		.returning();
	if (!updated) throw conflict("The request changed meanwhile; read it again.");
	return updated;
}

/** A growing+ user responds to an active request they may see (guides' responses are marked). */
export async function respondToSupportRequest(
	db: Db,
	env: Pick<Bindings, "ML">,
	user: CurrentUser,
	requestId: string,
	body: string,
	now = new Date(),
): Promise<{ response: SupportResponseRow; screening: Screening }> {
	const request = await findSupportRequest(db, requestId);
	if (!request || !canSeeRequest(user, request, false)) throw notFound("support request");
	if (!(ACTIVE_SUPPORT_STATUSES as readonly string[]).includes(request.status)) {
		throw conflict(`This request is ${request.status}; it takes no more responses.`);
	}
	if (request.responseCount >= MAX_RESPONSES_PER_REQUEST) {
		throw conflict(`This request already has ${MAX_RESPONSES_PER_REQUEST} responses.`);
	}
	// A response counts against the same daily allowance as comments.
	return withDailyQuota(db, user, "comments", now, async (spend) => {
		const screening = await screenText(env, body);
		const id = newId(now.getTime());
		const values = {
			id,
			requestId,
			responderId: user.id,
			isGuideResponse: isVerifiedGuide(user),
			body,
			moderationStatus: screening.status,
			toxicityScore: screening.toxicity,
			createdAt: now.toISOString(),
		};
		const insert = db.insert(supportResponses).values(values).returning();
		const bump = db
			.update(supportRequests)
			.set({
				responseCount: sql`${supportRequests.responseCount} + 1`,
				status: sql`CASE WHEN ${supportRequests.status} = 'open' THEN 'responded' ELSE ${supportRequests.status} END`,
			})
			.where(eq(supportRequests.id, requestId));
		const queued = queueItemForContent(db, supportResponseContent, values, screening);
		const [, rows] = queued
			? await db.batch([spend, insert, bump, queued])
			: await db.batch([spend, insert, bump]);
		const response = rows[0];
		if (!response) throw new Error("support response insert returned nothing");
		return { response, screening };
	});
}

/** A live response with its live request. */
export async function findResponseWithRequest(db: Db, responseId: string) {
	const row = await db
		.select({ response: supportResponses, request: supportRequests })
		.from(supportResponses)
		.innerJoin(supportRequests, eq(supportRequests.id, supportResponses.requestId))
		.where(
			and(
				eq(supportResponses.id, responseId),
				isNull(supportResponses.deletedAt),
				isNull(supportRequests.deletedAt),
			),
		)
		.get();
	return row;
}

/**
 * The requester marks a (visible) response helpful; idempotent. `updated_at` stays as it was: the mark is
 * the anonymous requester's act, and its time would otherwise reach the responder (their data export).
 */
export async function markResponseHelpful(db: Db, responseId: string): Promise<ResponseWithResponder> {
	// The mark, then the response and its responder read back in the same batch, each from its own table (in
	// a D1 batch a join's same-named columns would collide): one round trip.
	const [, [response], [responder]] = await db.batch([
		db
			.update(supportResponses)
			.set({ isHelpful: true, updatedAt: sql`${supportResponses.updatedAt}` })
			.where(and(eq(supportResponses.id, responseId), eq(supportResponses.isHelpful, false))),
		db.select().from(supportResponses).where(eq(supportResponses.id, responseId)),
		db
			.select(responderColumns)
			.from(users)
			.where(
				inArray(
					users.id,
					db
						.select({ id: supportResponses.responderId })
						.from(supportResponses)
						.where(eq(supportResponses.id, responseId)),
				),
			),
	]);
	if (!response || !responder) throw notFound("support response");
	return { response, responder };
}

/** A response just created, with its responder for the answer: the caller, whose row this request read. */
export function withResponder(response: SupportResponseRow, caller: CurrentUser): ResponseWithResponder {
	const { id, displayName, avatarUrl, role, trustLevel, deletedAt } = caller;
	return { response, responder: { id, displayName, avatarUrl, role, trustLevel, deletedAt } };
}
