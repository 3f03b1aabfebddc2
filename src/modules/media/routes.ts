/**
 * @module media/routes: uploading a photo or video, serving its bytes, describing it (alt) and deleting it.
 */

import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { MediaRow } from "../../db/tables/media";
import type { AppEnv } from "../../env";
import { requestContext } from "../../http/context";
import { defineRoute, jsonContent, problemResponse } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { logEvent } from "../../lib/log";
import { conflict, notFound } from "../../lib/problem";
import { idParam } from "../../lib/schemas";
import { type Sight, sightOf } from "./access";
import { BASE_DAILY_UPLOAD_BYTES, BASE_DAILY_UPLOADS, MAX_PIXELS, MAX_SIDE_PX } from "./limits";
import { AltEdit, binaryBody, MediaView, UploadQuery } from "./schemas";
import { mediaHeaders, notModified, rangeApplies, rangeOf } from "./serve";
import { findStored, isAttachedOwnUpload, markDeleted, type NewMedia, updateAlt } from "./store";
import { acceptUpload, uploadGate } from "./upload";

const tags = ["media"];
const MediaId = idParam("media_id");

export const mediaPath = (id: string) => `/api/v1/media/${id}`;

/** What a client sees of an upload. */
export const presentMedia = (row: NewMedia | MediaRow) => ({
	id: row.id,
	content_type: row.contentType,
	bytes: row.bytes,
	width: row.width,
	height: row.height,
	duration_s: row.durationS,
	alt: row.alt,
	url: mediaPath(row.id),
	created_at: row.createdAt,
});

/**
 * Who may keep a copy of the bytes: the uploader's own device never (an unattached upload may be deleted or
 * be something they chose not to post); an attachment of something public, any cache for a while.
 */
const CACHE_CONTROL: Record<Exclude<Sight, "hidden">, string> = {
	personal: "private, no-store",
	public: "public, max-age=300",
};

const upload = defineRoute(
	"user",
	{
		method: "post",
		path: "/media",
		operationId: "uploadMedia",
		tags,
		summary: "Upload a photo or video",
		description: `The body is the file itself, its type in \`Content-Type\`: image/jpeg, image/png, image/webp, image/gif, video/mp4 or video/webm. The type is checked against the file's first bytes (415 when they disagree). Images are read for their size and refused beyond ${MAX_SIDE_PX} px a side or ${MAX_PIXELS / 1_000_000} megapixels; metadata that could say where, when or with what a photo was taken (EXIF with GPS, XMP, IPTC, PNG text, WebP EXIF/XMP, video location boxes) is removed before the file is stored. Limits per file depend on trust level (new_sprout: images up to 2 MB, no video; see docs/decisions/media.md), and a day allows ${BASE_DAILY_UPLOADS} uploads and ${BASE_DAILY_UPLOAD_BYTES / 1024 / 1024} MB for new_sprout, multiplied like every daily limit. Until it is attached to something, an upload is visible to its uploader only.`,
		request: {
			query: UploadQuery,
			body: { required: true, content: binaryBody, description: "The file's bytes." },
		},
		responses: {
			201: {
				description: "Stored.",
				content: jsonContent(MediaView),
				headers: { Location: { description: "The upload's URL.", schema: { type: "string" } } },
			},
			403: problemResponse("Video is not allowed at this trust level, or the account is suspended."),
			413: problemResponse("The file is larger than this trust level allows (`limit` names the bytes)."),
			415: problemResponse("Not a type we take, or the file's bytes are not of the declared type."),
			422: problemResponse(
				"An empty body, a file that cannot be read, an image too large in pixels, or an invalid `alt`.",
			),
			429: problemResponse(
				"The day's uploads or bytes are spent (`limit_kind` media_uploads or media_bytes; resets at UTC midnight).",
			),
		},
	},
	{ rawBody: { gate: uploadGate } },
);

const read = defineRoute("public", {
	method: "get",
	path: "/media/{media_id}",
	operationId: "getMedia",
	tags,
	summary: "The bytes of an upload",
	description:
		"Served with its type and length, `ETag` (304 for `If-None-Match`), byte ranges (`Range`, 206; 416 outside the file; `If-Range` with the ETag), `Content-Disposition: inline`, `X-Content-Type-Options: nosniff` and a `Content-Security-Policy` that allows no script. An unattached upload is visible to its uploader only, and never cached (`private, no-store`); to anyone else it is 404, exactly as an id that does not exist.",
	request: {
		params: MediaId,
		headers: z.object({
			Range: z
				.string()
				.optional()
				.openapi({ description: "One byte range, `bytes=start-end`, `start-` or `-length`." }),
			"If-Range": z.string().optional().openapi({ description: "The ETag the range is of." }),
		}),
	},
	responses: {
		200: {
			description: "The file.",
			content: Object.fromEntries(Object.entries(binaryBody)),
		},
		206: {
			description: "The range asked for (`Content-Range`).",
			content: Object.fromEntries(Object.entries(binaryBody)),
			headers: { "Content-Range": { description: "`bytes start-end/size`.", schema: { type: "string" } } },
		},
		404: problemResponse("No such upload that the caller may see."),
		416: problemResponse("The range is outside the file (`Content-Range: bytes */size`)."),
	},
});

const editAlt = defineRoute("user", {
	method: "patch",
	path: "/media/{media_id}",
	operationId: "updateMediaAlt",
	tags,
	summary: "Describe one of my uploads (alt text)",
	request: { params: MediaId, body: { required: true, content: jsonContent(AltEdit) } },
	responses: {
		200: { description: "Updated.", content: jsonContent(MediaView) },
		404: problemResponse("No such upload of mine."),
	},
});

const remove = defineRoute("user", {
	method: "delete",
	path: "/media/{media_id}",
	operationId: "deleteMedia",
	tags,
	summary: "Delete one of my uploads that is not attached to anything",
	description:
		"The bytes are deleted from storage at once. A deleted upload still counts toward the day's upload allowance.",
	request: { params: MediaId },
	responses: {
		204: { description: "Deleted." },
		404: problemResponse("No such upload of mine."),
		409: problemResponse("The upload is attached to something: delete or edit that instead."),
	},
});

async function serve(c: Context<AppEnv>, row: MediaRow, sight: Exclude<Sight, "hidden">): Promise<Response> {
	const headers = {
		...mediaHeaders(row, CACHE_CONTROL[sight]),
		// Public bytes may be embedded by any site (an <img> elsewhere); personal ones stay same-origin.
		"Cross-Origin-Resource-Policy": sight === "public" ? "cross-origin" : "same-origin",
	};
	if (notModified(c.req.header("If-None-Match"), row)) {
		const { "Content-Type": _type, ...rest } = headers;
		return new Response(null, { status: 304, headers: rest });
	}
	const range = rangeApplies(c.req.header("If-Range"), headers.ETag)
		? rangeOf(c.req.header("Range"), row.bytes)
		: undefined;
	const object = await c.env.MEDIA.get(row.objectKey, range ? { range } : {});
	if (!object || !("body" in object)) {
		// A row whose bytes are gone (a failed deletion half done): nothing to serve, nothing to say.
		logEvent("warn", "media_object_missing", { request_id: c.get("requestId") });
		throw notFound("media");
	}
	if (!range) {
		return new Response(object.body, {
			status: 200,
			headers: { ...headers, "Content-Length": String(row.bytes) },
		});
	}
	const last = range.offset + range.length - 1;
	return new Response(object.body, {
		status: 206,
		headers: {
			...headers,
			"Content-Length": String(range.length),
			"Content-Range": `bytes ${range.offset}-${last}/${row.bytes}`,
		},
	});
}

export const mediaRoutes = createRouter()
	.openapi(upload, async (c) => {
		const { db, user, now } = requestContext(c);
		const row = await acceptUpload(c, db, user, c.req.valid("query").alt ?? null, now);
		c.header("Location", mediaPath(row.id));
		return c.json(presentMedia(row), 201);
	})
	.openapi(read, async (c) => {
		const { media_id } = c.req.valid("param");
		const db = c.var.db;
		const row = await findStored(db, media_id);
		const sight = row ? await sightOf(db, c.var.user, row) : "hidden";
		// The same 404 for a missing id and one the caller may not see: nothing tells them apart.
		if (!row || sight === "hidden") throw notFound("media");
		return serve(c, row, sight) as never;
	})
	.openapi(editAlt, async (c) => {
		const { db, user } = requestContext(c);
		const row = await updateAlt(db, c.req.valid("param").media_id, user.id, c.req.valid("json").alt);
		if (!row) throw notFound("media");
		return c.json(presentMedia(row), 200);
	})
	.openapi(remove, async (c) => {
		const { db, user } = requestContext(c);
		const { media_id } = c.req.valid("param");
		const key = await markDeleted(db, media_id, user.id);
		if (key === undefined) {
			if (await isAttachedOwnUpload(db, media_id, user.id)) {
				throw conflict("This upload is attached to something; remove it from there instead.");
			}
			throw notFound("media");
		}
		await c.env.MEDIA.delete(key);
		return c.body(null, 204);
	});
