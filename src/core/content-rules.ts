/**
 * @module core/content-rules: the per-post caps of the trust levels (media and links per post), and the SQL
 * helpers every list of user content reuses (the feed, comments, Share the Sunlight).
 */
import { z } from "@hono/zod-openapi";
import { inArray, type Placeholder, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { Problem } from "../lib/problem";
import type { CurrentUser } from "./accounts/current-user";
import { PUBLICLY_VISIBLE_STATUSES } from "./moderation/screen";
import { linksPerPost, mediaPerPost } from "./quotas";

/** The absolute cap of media URLs on one post, whatever the trust level. */
export const MAX_MEDIA_PER_POST = 4;

const LINK_PATTERN = /\bhttps?:\/\/[^\s<>"]+|\bwww\.[^\s<>"]+/gi;

/** Links written into a text (http(s) URLs and bare `www.` addresses). */
export function countLinks(text: string): number {
	return text.match(LINK_PATTERN)?.length ?? 0;
}

function limitProblem(detail: string, field: string, limitKind: string, limit: number): Problem {
	return new Problem(422, {
		detail,
		kind: "content-limit",
		errors: [{ field, message: detail }],
		extensions: { limit_kind: limitKind, limit },
	});
}

/** 422 naming the limit when a post carries more media than the author's trust level allows. */
export function enforceMediaLimit(user: CurrentUser, count: number, field = "body/media_urls"): void {
	const limit = Math.min(mediaPerPost(user), MAX_MEDIA_PER_POST);
	if (count > limit) {
		throw limitProblem(
			`At trust level ${user.trustLevel} a post may carry at most ${limit} media URL${limit === 1 ? "" : "s"} (media_per_post).`,
			field,
			"media_per_post",
			limit,
		);
	}
}

/** 422 naming the limit when a text holds more links than the author's trust level allows. */
export function enforceLinkLimit(user: CurrentUser, text: string, field = "body/body"): void {
	const limit = linksPerPost(user);
	const count = countLinks(text);
	if (count > limit) {
		throw limitProblem(
			`At trust level ${user.trustLevel} a text may hold at most ${limit} links (links_per_post); this one has ${count}.`,
			field,
			"links_per_post",
			limit,
		);
	}
}

/**
 * `column IN (ids)` with the ids bound as ONE JSON parameter, so a page of 100 never hits D1's 100-bind cap.
 * In a prepared query, pass a placeholder and bind it to `JSON.stringify(ids)`; to present a page in the
 * page query's own batch, pass the JSON list D1 makes of the page (`jsonListOf`).
 */
export function inJsonList(column: SQLiteColumn, ids: readonly string[] | Placeholder | SQL): SQL {
	const list = Array.isArray(ids) ? JSON.stringify(ids) : ids;
	return inArray(column, sql`(SELECT value FROM json_each(${list}))`);
}

/**
 * The values of `column` in the rows `query` selects, as one JSON list made by D1: for `inJsonList`, so that
 * what presents a page can be asked in the page's own batch, with the page query as its subquery, instead of
 * waiting for the page's ids (a batch is one transaction: the subquery finds the page's very rows).
 */
export const jsonListOf = (query: SQLWrapper, column = "id"): SQL =>
	sql`(SELECT json_group_array(${sql.identifier(column)}) FROM ${query})`;

/** Moderation states anyone may see. */
export const publiclyVisible = (column: SQLiteColumn): SQL => inArray(column, [...PUBLICLY_VISIBLE_STATUSES]);

/** Hidden or removed: shown only to the author (as pending review) and guardians. */
export const isPendingReview = (status: string): boolean =>
	!(PUBLICLY_VISIBLE_STATUSES as readonly string[]).includes(status);

/** The query of a content DELETE: a guardian says why (kept in the audit log). */
export const DeleteQuery = z.object({
	reason: z.string().trim().max(500).optional().openapi({
		description: "Guardians: why the content is removed (kept in the audit log).",
	}),
});
