/**
 * @module search/routes: `GET /search` — find posts (and, as they are indexed, the other kinds) by what they
 * say, showing only what the caller could open through the thing's own `GET`.
 */
import type { z } from "@hono/zod-openapi";
import type { CurrentUser } from "../../core/accounts/current-user";
import { cursorKey, findMatches, type KindRule, toSnippet } from "../../core/search";
import type { Db } from "../../db/client";
import { defineRoute, jsonContent } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { parseSearchQuery } from "../../lib/fts-query";
import { decodeCursor, encodeCursor } from "../../lib/pagination";
import { unprocessable } from "../../lib/problem";
import { postSearchRule, presentPostsById } from "../flourish";
import { type SEARCH_TYPES, SearchCursor, SearchPage, SearchQuery, type SearchResult } from "./schemas";

type SearchType = (typeof SEARCH_TYPES)[number];

const search = defineRoute("public", {
	method: "get",
	path: "/search",
	operationId: "search",
	tags: ["search"],
	summary: "Find posts, groups, projects, guides and daily content by what they say",
	description:
		"Each result carries the thing as its own `GET` returns it (`item`), a plain-text `snippet` with `highlights` as character ranges, and a `score`. A result appears only when the caller could open the thing: visibility, groups and projects they belong to, blocks both ways, the spiritual opt-in; never anything held or removed by moderation, nor deleted. Callers without a token see only what is public to everyone. Today posts are indexed; the other kinds answer no results until they are.",
	request: { query: SearchQuery },
	responses: { 200: { description: "One page of results, best first.", content: jsonContent(SearchPage) } },
});

/** The kinds a search of `type` covers, each with who may see its matches. */
function rulesFor(db: Db, viewer: CurrentUser | undefined, type: SearchType): KindRule[] {
	const rules: KindRule[] = [];
	// Posts are for signed-in people only, as the feed is.
	if (viewer && (type === "all" || type === "posts")) rules.push(postSearchRule(db, viewer));
	return rules;
}

const QUERY_PROBLEMS = {
	no_words: "must contain a word to search for (letters or digits)",
	only_exclusions: "must contain a word to find, not only words to leave out",
} as const;

export const searchRoutes = createRouter().openapi(search, async (c) => {
	const { q, type, sort, limit, cursor } = c.req.valid("query");
	const parsed = parseSearchQuery(q);
	if (!parsed.ok)
		throw unprocessable("The search query has nothing to find.", [
			{ field: "query/q", message: QUERY_PROBLEMS[parsed.reason] },
		]);
	const { db, now, user } = c.var;
	const after = decodeCursor(cursor, SearchCursor);
	const { matches, at } = await findMatches(db, {
		match: parsed.match,
		rules: rulesFor(db, user, type),
		sort,
		limit,
		after,
		now,
	});
	const page = matches.slice(0, limit);
	const postsById = user
		? await presentPostsById(
				db,
				user,
				page.filter((match) => match.kind === "post").map((match) => match.refId),
				now,
			)
		: new Map();
	const data: z.infer<typeof SearchResult>[] = page.flatMap((match) => {
		const item = postsById.get(match.refId);
		// Gone between the match and its presentation (deleted or hidden a moment ago): left out.
		if (!item) return [];
		return [
			{
				type: "post" as const,
				id: match.refId,
				title: null,
				...toSnippet(match.marked),
				score: match.score,
				item,
			},
		];
	});
	const last = page.at(-1);
	const next_cursor =
		matches.length > limit && last ? encodeCursor({ at, key: cursorKey(last, sort), id: last.refId }) : null;
	return c.json({ data, next_cursor }, 200);
});
