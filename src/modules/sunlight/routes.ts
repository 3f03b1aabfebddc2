/**
 * @module sunlight/routes: Share the Sunlight — gratitude, wins and kindness, optionally anonymous, with
 * positive reactions only. No answer to anyone but its author ever names the author of an anonymous share.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { DeleteQuery } from "../../core/content-rules";
import type { Screening } from "../../core/moderation/screen";
import type { AppEnv } from "../../env";
import { requestContext } from "../../http/context";
import { crisisResourcesFor } from "../../http/crisis";
import { defineRoute, jsonContent, problemResponse } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { decodeCursor, encodeCursor } from "../../lib/pagination";
import { idParam } from "../../lib/schemas";
import { checksPromotionAfterContribution } from "../trust";
import {
	CreateShare,
	ShareListQuery,
	SharePage,
	ShareSchema,
	ShareWithCrisis,
	SunlightReactions,
	SunlightReactionType,
	UpdateShare,
} from "./schemas";
import {
	addReaction,
	createShare,
	deleteShare,
	getShare,
	listShares,
	removeReaction,
	updateShare,
} from "./service";

const ShareParams = idParam("share_id");
const ReactionParams = ShareParams.extend({
	reaction_type: SunlightReactionType.openapi({ param: { name: "reaction_type", in: "path" } }),
});
const ShareCursor = z.object({ created_at: z.iso.datetime(), id: z.uuid() });
const shareNotFound = { 404: problemResponse("No such share that I may see.") };
const notAuthor = { 403: problemResponse("Not the author (or, for deletes, a guardian), or suspended.") };

const withCrisis = <T extends object>(c: Context<AppEnv>, body: T, screening: Screening | null) =>
	screening?.urgent ? { ...body, crisis_resources: crisisResourcesFor(c) } : body;

const listRoute = defineRoute("user", {
	method: "get",
	path: "/sunlight",
	operationId: "listShares",
	tags: ["sunlight"],
	summary: "Shares, newest first; filter by `share_type`",
	description:
		"Anonymous shares carry times rounded down to the hour and random ids, so within an hour they come in no particular order (after the named shares of that hour).",
	request: { query: ShareListQuery },
	responses: {
		200: { description: "A page of shares.", content: jsonContent(SharePage) },
		400: problemResponse("The cursor is not valid for this list."),
	},
});

const createRoute = defineRoute(
	"user",
	{
		method: "post",
		path: "/sunlight",
		operationId: "createShare",
		tags: ["sunlight"],
		summary: "Share gratitude, a win or a kindness (optionally anonymous)",
		request: { body: { required: true, content: jsonContent(CreateShare) } },
		responses: {
			201: { description: "The new share.", content: jsonContent(ShareWithCrisis) },
			429: problemResponse("Today's posts-and-shares limit for my trust level is reached."),
		},
	},
	{ middleware: [checksPromotionAfterContribution] },
);

const getRoute = defineRoute("user", {
	method: "get",
	path: "/sunlight/{share_id}",
	operationId: "getShare",
	tags: ["sunlight"],
	summary: "One share with its reaction counts",
	request: { params: ShareParams },
	responses: { 200: { description: "The share.", content: jsonContent(ShareSchema) }, ...shareNotFound },
});

const patchRoute = defineRoute("user", {
	method: "patch",
	path: "/sunlight/{share_id}",
	operationId: "updateShare",
	tags: ["sunlight"],
	summary: "Edit my share (a new text is moderated again)",
	description:
		"`anonymous: false` reveals an anonymous share; a share already shown with my name cannot be made anonymous (409): delete it and share again anonymously.",
	request: { params: ShareParams, body: { required: true, content: jsonContent(UpdateShare) } },
	responses: {
		200: { description: "The edited share.", content: jsonContent(ShareWithCrisis) },
		...notAuthor,
		...shareNotFound,
		409: problemResponse("The share was shown with my name: it cannot become anonymous."),
	},
});

const deleteRoute = defineRoute("user", {
	method: "delete",
	path: "/sunlight/{share_id}",
	operationId: "deleteShare",
	tags: ["sunlight"],
	summary: "Delete a share (author or guardian; audit-logged for guardians)",
	request: { params: ShareParams, query: DeleteQuery },
	responses: { 204: { description: "Deleted." }, ...notAuthor, ...shareNotFound },
});

const addReactionRoute = defineRoute("user", {
	method: "put",
	path: "/sunlight/{share_id}/reactions/{reaction_type}",
	operationId: "addShareReaction",
	tags: ["sunlight"],
	summary: "Add a positive reaction (idempotent: adding it twice changes nothing)",
	request: { params: ReactionParams },
	responses: {
		200: { description: "The share's reaction counts and mine.", content: jsonContent(SunlightReactions) },
		...shareNotFound,
	},
});

const removeReactionRoute = defineRoute("user", {
	method: "delete",
	path: "/sunlight/{share_id}/reactions/{reaction_type}",
	operationId: "removeShareReaction",
	tags: ["sunlight"],
	summary: "Remove my reaction of this type (idempotent)",
	request: { params: ReactionParams },
	responses: { 204: { description: "Removed (or there was none)." }, ...shareNotFound },
});

export const sunlightRoutes = createRouter()
	.openapi(listRoute, async (c) => {
		const { share_type, limit, cursor } = c.req.valid("query");
		const { data, next } = await listShares(
			requestContext(c),
			{ share_type },
			limit,
			decodeCursor(cursor, ShareCursor),
		);
		return c.json({ data, next_cursor: next ? encodeCursor(next) : null }, 200);
	})
	.openapi(createRoute, async (c) => {
		const { share, screening } = await createShare(requestContext(c), c.req.valid("json"));
		return c.json(withCrisis(c, share, screening), 201);
	})
	.openapi(getRoute, async (c) =>
		c.json(await getShare(requestContext(c), c.req.valid("param").share_id), 200),
	)
	.openapi(patchRoute, async (c) => {
		const { share, screening } = await updateShare(
			requestContext(c),
			c.req.valid("param").share_id,
			c.req.valid("json"),
		);
		return c.json(withCrisis(c, share, screening), 200);
	})
	.openapi(deleteRoute, async (c) => {
		await deleteShare(requestContext(c), c.req.valid("param").share_id, c.req.valid("query").reason);
		return c.body(null, 204);
	})
	.openapi(addReactionRoute, async (c) => {
		const { share_id, reaction_type } = c.req.valid("param");
		return c.json(await addReaction(requestContext(c), share_id, reaction_type), 200);
	})
	.openapi(removeReactionRoute, async (c) => {
		const { share_id, reaction_type } = c.req.valid("param");
		await removeReaction(requestContext(c), share_id, reaction_type);
		return c.body(null, 204);
	});
