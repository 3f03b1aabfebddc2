/**
 * @module support/routes: Anonymous Support. Creating needs a signed-in user (for limits only); editing,
 * closing, deleting and marking responses helpful need the request's token in `X-Support-Token`.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { currentUser } from "../../auth/guards";
import { unauthorized } from "../../auth/verify";
import { isGuardian } from "../../core/accounts/current-user";
import type { AppEnv } from "../../env";
import { crisisResourcesFor } from "../../http/crisis";
import { defineRoute, jsonContent, problemResponse } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { decodeCursor, toPage } from "../../lib/pagination";
import { notFound } from "../../lib/problem";
import { idParam } from "../../lib/schemas";
import {
	CreatedSupportRequest,
	CreateSupportRequest,
	CreateSupportResponse,
	EditedSupportRequest,
	SetSupportStatus,
	SupportListQuery,
	SupportRequest,
	SupportRequestPage,
	SupportRequestWithResponses,
	SupportResponse,
	SupportTokenHeader,
	toSupportRequest,
	toSupportResponse,
	UpdateSupportRequest,
} from "./schemas";
import {
	canSeeRequest,
	createSupportRequest,
	deleteSupportRequest,
	editSupportRequest,
	findResponseWithRequest,
	findSupportRequest,
	listSupportRequests,
	markResponseHelpful,
	requireSupportToken,
	respondToSupportRequest,
	responsesFor,
	setSupportRequestStatus,
	withResponder,
} from "./service";
import { supportTokenMatches } from "./token";

const RequestParams = idParam("request_id");
const ListCursor = z.object({ is_urgent: z.boolean(), created_at: z.iso.datetime(), id: z.uuid() });
const tokenHeader = (c: Context<AppEnv>) => c.req.header("X-Support-Token");

const tokenProblems = {
	403: problemResponse("The support token is missing or does not match this request."),
	404: problemResponse("No such support request."),
	429: problemResponse("Too many wrong tokens for this request; see Retry-After."),
};

/**
 * The answer carries the raw token, so it is never stored for Idempotency-Key replay — and no idempotency
 * record at all is kept: even without the answer, a row would put the user id beside the request's time.
 */
const postRequest = defineRoute(
	"user",
	{
		method: "post",
		path: "/support/requests",
		operationId: "createSupportRequest",
		tags: ["support"],
		summary: "Ask for support anonymously",
		description: [
			"The stored request has no link to you: no user id, no IP, no log line. Your account is used only to",
			"count the daily limit, under a keyed hash. The answer carries the raw token once; it is the only way",
			"to edit, close or delete the request or to mark responses helpful. When the text reads as a crisis the",
			"request is marked urgent, guardians are alerted, and the answer lists crisis resources.",
			"Nothing dates the request to the moment you sent it: its id is random and its times are rounded down",
			"to the hour.",
		].join(" "),
		request: { body: { required: true, content: jsonContent(CreateSupportRequest) } },
		responses: {
			201: {
				description: "The request, and its token (shown once).",
				content: jsonContent(CreatedSupportRequest),
			},
			429: problemResponse("The daily limit of support requests is reached."),
		},
	},
	{
		secretInAnswer: {
			onRetry:
				"A retry creates a second request (its record would also link your account to this one): after a lost answer, look for the request in the list before sending it again.",
		},
	},
);

const getRequests = defineRoute(
	"user",
	{
		method: "get",
		path: "/support/requests",
		operationId: "listSupportRequests",
		tags: ["support"],
		summary: "Support requests I may see, urgent first",
		description:
			"`guides_only` requests appear only for verified Guides (and guardians). Urgent first, then newest hour first; within one hour the order is arbitrary (times are rounded down to the hour and ids are random, so nothing tells who asked first).",
		request: { query: SupportListQuery },
		responses: { 200: { description: "A page of requests.", content: jsonContent(SupportRequestPage) } },
	},
	// What I may see depends on my role (guides and guardians see more).
	{ callerRowFirst: true },
);

const getRequest = defineRoute("public", {
	method: "get",
	path: "/support/requests/{request_id}",
	operationId: "getSupportRequest",
	tags: ["support"],
	summary: "A support request with its responses",
	description:
		"Signed in: the request as your role may see it. With `X-Support-Token` (and no sign-in needed — send none, so nothing ties you to it): your own request, even when others may not see it (e.g. pending review); a wrong token is 403. Neither: 401.",
	request: { params: RequestParams, headers: SupportTokenHeader },
	responses: {
		200: { description: "The request and its responses.", content: jsonContent(SupportRequestWithResponses) },
		...tokenProblems,
	},
});

const patchRequest = defineRoute("public", {
	method: "patch",
	path: "/support/requests/{request_id}",
	operationId: "updateSupportRequest",
	tags: ["support"],
	summary: "Edit my support request (token)",
	description: "Needs the request's token in `X-Support-Token`.",
	request: {
		params: RequestParams,
		headers: SupportTokenHeader,
		body: { required: true, content: jsonContent(UpdateSupportRequest) },
	},
	responses: {
		200: { description: "The edited request.", content: jsonContent(EditedSupportRequest) },
		...tokenProblems,
		409: problemResponse("The request is resolved, closed or removed."),
	},
});

const deleteRequest = defineRoute("public", {
	method: "delete",
	path: "/support/requests/{request_id}",
	operationId: "deleteSupportRequest",
	tags: ["support"],
	summary: "Delete a support request (token, or a guardian)",
	description: "The token holder (`X-Support-Token`) or a signed-in guardian.",
	request: { params: RequestParams, headers: SupportTokenHeader },
	responses: { 204: { description: "Deleted." }, ...tokenProblems },
});

const postStatus = defineRoute("public", {
	method: "post",
	path: "/support/requests/{request_id}/status",
	operationId: "setSupportRequestStatus",
	tags: ["support"],
	summary: "Mark my request resolved or closed (token)",
	description: "open/responded → resolved or closed; resolved → closed; closed is final.",
	request: {
		params: RequestParams,
		headers: SupportTokenHeader,
		body: { required: true, content: jsonContent(SetSupportStatus) },
	},
	responses: {
		200: { description: "The request.", content: jsonContent(SupportRequest) },
		...tokenProblems,
		409: problemResponse("A closed request is final."),
	},
});

const postResponse = defineRoute(
	{ trust: "growing" },
	{
		method: "post",
		path: "/support/requests/{request_id}/responses",
		operationId: "respondToSupportRequest",
		tags: ["support"],
		summary: "Respond to a support request",
		description:
			"Responses by verified Guides are marked `is_guide_response`. Counts toward the daily comment limit.",
		request: { params: RequestParams, body: { required: true, content: jsonContent(CreateSupportResponse) } },
		responses: {
			201: { description: "The response.", content: jsonContent(SupportResponse) },
			404: problemResponse("No such request (or not visible to me)."),
			409: problemResponse("The request is resolved or closed, or has the most responses it may have."),
			429: problemResponse("The daily comment limit is reached."),
		},
	},
);

const postHelpful = defineRoute("public", {
	method: "post",
	path: "/support/responses/{response_id}/helpful",
	operationId: "markResponseHelpful",
	tags: ["support"],
	summary: "Mark a response to my request helpful (token)",
	description: "Needs the token of the request the response answers, in `X-Support-Token`. Idempotent.",
	request: { params: idParam("response_id"), headers: SupportTokenHeader },
	responses: {
		200: { description: "The response.", content: jsonContent(SupportResponse) },
		...tokenProblems,
		404: problemResponse("No such response."),
	},
});

async function loadRequest(c: Context<AppEnv>, requestId: string) {
	const db = c.var.db;
	const request = await findSupportRequest(db, requestId);
	if (!request) throw notFound("support request");
	return { db, request };
}

export const supportRoutes = createRouter()
	.openapi(postRequest, async (c) => {
		const { request, token, screening } = await createSupportRequest(
			c.var.db,
			c.env,
			currentUser(c),
			c.req.valid("json"),
		);
		return c.json(
			{
				request: toSupportRequest(request, true),
				token,
				...(screening.urgent ? { crisis_resources: crisisResourcesFor(c) } : {}),
			},
			201,
		);
	})
	.openapi(getRequests, async (c) => {
		const { limit, cursor, ...filters } = c.req.valid("query");
		const after = decodeCursor(cursor, ListCursor);
		const rows = await listSupportRequests(c.var.db, currentUser(c), { ...filters, limit, after });
		return c.json(
			toPage(
				rows,
				limit,
				(row) => ({ is_urgent: row.isUrgent, created_at: row.createdAt, id: row.id }),
				(row) => toSupportRequest(row, false),
			),
			200,
		);
	})
	.openapi(getRequest, async (c) => {
		// The asker reads the answers with the token alone: no sign-in need travel with their anonymous words.
		const viewer = c.get("user") ?? null;
		const token = tokenHeader(c);
		if (token === undefined && !viewer) {
			throw unauthorized("Sign in, or send the request's token in X-Support-Token.", "invalid_request");
		}
		const { db, request } = await loadRequest(c, c.req.valid("param").request_id);
		if (token !== undefined) await requireSupportToken(c.env, request, token);
		const isMine = token !== undefined;
		if (!canSeeRequest(viewer, request, isMine)) throw notFound("support request");
		const responses = await responsesFor(db, viewer, request.id);
		// Someone who comes back to an urgent request of their own may still be in crisis: the lines come again.
		const resources = isMine && request.isUrgent ? { crisis_resources: crisisResourcesFor(c) } : {};
		return c.json(
			{ ...toSupportRequest(request, isMine), responses: responses.map(toSupportResponse), ...resources },
			200,
		);
	})
	.openapi(patchRequest, async (c) => {
		const { db, request } = await loadRequest(c, c.req.valid("param").request_id);
		await requireSupportToken(c.env, request, tokenHeader(c));
		const edited = await editSupportRequest(db, c.env, request, c.req.valid("json"));
		return c.json(
			{
				...toSupportRequest(edited.request, true),
				...(edited.screening?.urgent ? { crisis_resources: crisisResourcesFor(c) } : {}),
			},
			200,
		);
	})
	.openapi(deleteRequest, async (c) => {
		const { db, request } = await loadRequest(c, c.req.valid("param").request_id);
		const token = tokenHeader(c);
		const user = c.get("user");
		if (token !== undefined && (await supportTokenMatches(token, request))) {
			await deleteSupportRequest(db, request, null);
		} else if (user && isGuardian(user)) {
			await deleteSupportRequest(db, request, user);
		} else {
			await requireSupportToken(c.env, request, token);
		}
		return c.body(null, 204);
	})
	.openapi(postStatus, async (c) => {
		const { db, request } = await loadRequest(c, c.req.valid("param").request_id);
		await requireSupportToken(c.env, request, tokenHeader(c));
		const updated = await setSupportRequestStatus(db, request, c.req.valid("json").status);
		return c.json(toSupportRequest(updated, true), 200);
	})
	.openapi(postResponse, async (c) => {
		const me = currentUser(c);
		const { response } = await respondToSupportRequest(
			c.var.db,
			c.env,
			me,
			c.req.valid("param").request_id,
			c.req.valid("json").body,
		);
		return c.json(toSupportResponse(withResponder(response, me)), 201);
	})
	.openapi(postHelpful, async (c) => {
		const db = c.var.db;
		const { response_id } = c.req.valid("param");
		const found = await findResponseWithRequest(db, response_id);
		if (!found) throw notFound("support response");
		await requireSupportToken(c.env, found.request, tokenHeader(c));
		if (found.response.moderationStatus === "hidden" || found.response.moderationStatus === "removed") {
			throw notFound("support response");
		}
		return c.json(toSupportResponse(await markResponseHelpful(db, response_id)), 200);
	});
