/**
 * @module search/routes: `GET /search` — find posts (and, as they are indexed, the other kinds) by what they
 * say, showing only what the caller could open through the thing's own `GET`.
 */
import type { z } from "@hono/zod-openapi";
import type { CurrentUser } from "../../core/accounts/current-user";
import {
	cursorKey,
	findMatches,
	type KindSearch,
	presentMatches,
	type SearchKind,
	toSnippet,
} from "../../core/search";
import type { Db } from "../../db/client";
import { defineRoute, jsonContent } from "../../http/define-route";
import { createRouter } from "../../http/router";
import { parseSearchQuery } from "../../lib/fts-query";
import { decodeCursor, encodeCursor } from "../../lib/pagination";
import { unprocessable } from "../../lib/problem";
import { groupSearch } from "../fellowship";
import { postSearch } from "../flourish";
import { nourishmentSearch } from "../nourishment";
import { guideSearch } from "../orchard";
import { sunlightSearch } from "../sunlight";
import { projectSearch } from "../teamup";
import { type SEARCH_TYPES, SearchCursor, SearchPage, SearchQuery, type SearchResult } from "./schemas";

type SearchType = (typeof SEARCH_TYPES)[number];

const search = defineRoute("public", {
	method: "get",
	path: "/search",
	operationId: "search",
	tags: ["search"],
	summary: "Find posts, groups, projects, guides and daily content by what they say",
	description:
		"Each result carries the thing as its own `GET` returns it (`item`), a plain-text `snippet` with `highlights` as character ranges, and a `score`. A result appears only when the caller could open the thing: visibility, groups and projects they belong to, blocks both ways, the spiritual opt-in; never anything held or removed by moderation, nor deleted or archived. Callers without a token find only what is public to everyone: listed groups and projects, and daily content (posts, Guides and Sunlight shares are for signed-in people, as their own lists are).",
	request: { query: SearchQuery },
	responses: { 200: { description: "One page of results, best first.", content: jsonContent(SearchPage) } },
});

/** Which kind each `type` asks for (`all`: every kind). */
const KIND_OF: Record<Exclude<SearchType, "all">, SearchKind> = {
	posts: "post",
	groups: "group",
	projects: "project",
	guides: "guide",
	nourishment: "nourishment",
	sunlight: "sunlight",
};

/** The kinds a search of `type` covers, each with who may see its matches and how they are presented. */
function searchesFor(db: Db, viewer: CurrentUser | undefined, type: SearchType, now: Date): KindSearch[] {
	const all: KindSearch[] = [
		groupSearch(db, viewer),
		projectSearch(db, viewer),
		nourishmentSearch(db, viewer, now),
		// Posts, Guides and Sunlight shares are for signed-in people only, as their own lists are.
		...(viewer
			? [postSearch(db, viewer, now), guideSearch(db, viewer, now), sunlightSearch(db, viewer)]
			: []),
	];
	return type === "all" ? all : all.filter((search) => search.kind === KIND_OF[type]);
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
	const searches = searchesFor(db, user, type, now);
	const { matches, at } = await findMatches(db, {
		match: parsed.match,
		rules: searches,
		sort,
		limit,
		after,
		now,
	});
	const page = matches.slice(0, limit);
	const items = await presentMatches(db, searches, page);
	const data = page.flatMap((match) => {
		const item = items.get(`${match.kind}:${match.refId}`);
		// Gone between the match and its presentation (deleted or hidden a moment ago): left out.
		if (item === undefined) return [];
		// Each kind's presenter made this item (KindSearch<Item>), the object the result of its `type` carries.
		const result = {
			type: match.kind,
			id: match.refId,
			title: match.title,
			...toSnippet(match.marked),
			score: match.score,
			item,
		} as z.infer<typeof SearchResult>;
		return [result];
	});
	const last = page.at(-1);
	const next_cursor =
		matches.length > limit && last ? encodeCursor({ at, key: cursorKey(last, sort), id: last.refId }) : null;
	return c.json({ data, next_cursor }, 200);
});
