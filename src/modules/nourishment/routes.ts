/**
 * @module nourishment/routes: Daily Nourishment — public reads (a token, if sent, picks my local date and
 * my spiritual preference), guardian-only writes.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { currentUser } from "../../auth/guards";
import type { AppEnv } from "../../env";
import { defineRoute, jsonContent, problemResponse } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { decodeCursor, encodeCursor } from "../../lib/pagination";
import { idParam, LocalDate } from "../../lib/schemas";
import { ArchiveQuery, CreateItem, ItemPage, ItemSchema, TodaySchema, toItem, UpdateItem } from "./schemas";
import { createItem, deleteItem, getItem, listArchive, todaysItem, updateItem } from "./service";

const ItemParams = idParam("item_id");
/** How long an anonymous answer is kept at the edge: an edit shows to callers without a token within this. */
const NOURISHMENT_CACHE_SECONDS = 60;
const utcDate = (c: Context<AppEnv>) => c.var.now.toISOString().slice(0, 10);
const ArchiveCursor = z.object({ date: LocalDate.nullable(), id: z.string() });
const itemNotFound = { 404: problemResponse("No such item that I may see.") };
const dateTaken = { 409: problemResponse("Another live item is already scheduled for that date.") };

const getToday = defineRoute(
	"public",
	{
		method: "get",
		path: "/nourishment/today",
		operationId: "getTodaysNourishment",
		tags: ["nourishment"],
		summary: "Today's item for my local date: the scheduled one, else a deterministic evergreen pick",
		responses: {
			200: { description: "Today's item.", content: jsonContent(TodaySchema) },
			404: problemResponse("Nothing is scheduled today and the evergreen pool is empty."),
		},
	},
	// Without a token "today" is the UTC date, so that date is part of the key.
	// My local date (time zone, day start) and spiritual opt-in decide the query.
	{ callerRowFirst: true, edgeCache: { seconds: NOURISHMENT_CACHE_SECONDS, varyOn: utcDate } },
);

const getArchive = defineRoute(
	"public",
	{
		method: "get",
		path: "/nourishment",
		operationId: "listNourishment",
		tags: ["nourishment"],
		summary: "The archive: published items, newest date first, then the evergreen pool",
		request: { query: ArchiveQuery },
		responses: {
			200: { description: "A page of items.", content: jsonContent(ItemPage) },
			400: problemResponse("The cursor is not valid for this list."),
		},
	},
	// Items become published at their date (UTC without a token).
	// My local date (time zone, day start) and spiritual opt-in decide the query.
	{ callerRowFirst: true, edgeCache: { seconds: NOURISHMENT_CACHE_SECONDS, varyOn: utcDate } },
);

const getOne = defineRoute(
	"public",
	{
		method: "get",
		path: "/nourishment/{item_id}",
		operationId: "getNourishment",
		tags: ["nourishment"],
		summary: "One item (scheduled future items only for guardians)",
		request: { params: ItemParams },
		responses: { 200: { description: "The item.", content: jsonContent(ItemSchema) }, ...itemNotFound },
	},
	// My local date and role decide what I may see.
	{ callerRowFirst: true, edgeCache: { seconds: NOURISHMENT_CACHE_SECONDS } },
);

const postItem = defineRoute("guardian", {
	method: "post",
	path: "/nourishment",
	operationId: "createNourishment",
	tags: ["nourishment"],
	summary: "Create an item, scheduled (`publish_date`) or evergreen",
	request: { body: { required: true, content: jsonContent(CreateItem) } },
	responses: { 201: { description: "The new item.", content: jsonContent(ItemSchema) }, ...dateTaken },
});

const patchItem = defineRoute("guardian", {
	method: "patch",
	path: "/nourishment/{item_id}",
	operationId: "updateNourishment",
	tags: ["nourishment"],
	summary: "Update or reschedule an item",
	request: { params: ItemParams, body: { required: true, content: jsonContent(UpdateItem) } },
	responses: {
		200: { description: "The updated item.", content: jsonContent(ItemSchema) },
		...itemNotFound,
		...dateTaken,
	},
});

const deleteOne = defineRoute("guardian", {
	method: "delete",
	path: "/nourishment/{item_id}",
	operationId: "deleteNourishment",
	tags: ["nourishment"],
	summary: "Delete an item (audit-logged; its date becomes free)",
	request: { params: ItemParams },
	responses: { 204: { description: "Deleted." }, ...itemNotFound },
});

export const nourishmentRoutes = createRouter()
	.openapi(getToday, async (c) => {
		const { date, source, item } = await todaysItem(c.var.db, c.get("user"));
		return c.json({ date, source, item: toItem(item) }, 200);
	})
	.openapi(getArchive, async (c) => {
		const { category, content_type, limit, cursor } = c.req.valid("query");
		const { rows, next } = await listArchive(
			c.var.db,
			c.get("user"),
			{ category, content_type },
			limit,
			decodeCursor(cursor, ArchiveCursor),
		);
		return c.json({ data: rows.map(toItem), next_cursor: next ? encodeCursor(next) : null }, 200);
	})
	.openapi(getOne, async (c) =>
		c.json(toItem(await getItem(c.var.db, c.get("user"), c.req.valid("param").item_id)), 200),
	)
	.openapi(postItem, async (c) =>
		c.json(toItem(await createItem(c.var.db, currentUser(c), c.req.valid("json"))), 201),
	)
	.openapi(patchItem, async (c) =>
		c.json(toItem(await updateItem(c.var.db, c.req.valid("param").item_id, c.req.valid("json"))), 200),
	)
	.openapi(deleteOne, async (c) => {
		await deleteItem(c.var.db, currentUser(c), c.req.valid("param").item_id);
		return c.body(null, 204);
	});
