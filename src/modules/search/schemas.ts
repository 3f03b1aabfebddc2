/** @module search/schemas: `GET /search` — its query and its results. */
import { z } from "@hono/zod-openapi";
import { PageQuery, pageOf } from "../../lib/pagination";
import { GroupSchema } from "../fellowship";
import { PostSchema } from "../flourish";
import { NourishmentItemSchema } from "../nourishment";
import { GuideSchema } from "../orchard";
import { ShareSchema } from "../sunlight";
import { ProjectSchema } from "../teamup";

export const SEARCH_TYPES = [
	"all",
	"posts",
	"groups",
	"projects",
	"guides",
	"nourishment",
	"sunlight",
] as const;
export const SEARCH_SORTS = ["relevance", "recent"] as const;
export const MAX_QUERY_CHARS = 200;
export const MAX_SEARCH_PAGE = 50;

export const SearchQuery = z.object({
	q: z.string().min(1).max(MAX_QUERY_CHARS).openapi({
		description:
			'What to find, 1–200 characters. Words (all must match), `"quoted phrases"`, a trailing `*` for a prefix (`gard*`), `-word` to leave out. Case, accents and English word forms are folded (`running` finds `run`, `café` finds `cafe`); any other character is read as plain text.',
		example: 'morning "gratitude walk" -running',
	}),
	type: z
		.enum(SEARCH_TYPES)
		.default("all")
		.openapi({ description: "What kind of thing to find (default all)." }),
	sort: z.enum(SEARCH_SORTS).default("relevance").openapi({
		description: "`relevance` (bm25, mildly favouring recent things; default) or `recent` (newest first).",
	}),
	limit: z.coerce
		.number()
		.int()
		.min(1)
		.max(MAX_SEARCH_PAGE)
		.default(20)
		.openapi({ description: `Page size, 1–${MAX_SEARCH_PAGE} (default 20).` }),
	cursor: PageQuery.shape.cursor,
});

const Highlight = z
	.tuple([z.number().int().min(0), z.number().int().min(0)])
	.openapi({ description: "A matched word: `[start, end)` character offsets into `snippet`." });

const resultFields = {
	id: z.uuid(),
	title: z.string().nullable().openapi({
		description:
			"The thing's title (a group's or Guide's name, a project's or item's title); null when it has none (a post, a Sunlight share).",
	}),
	snippet: z.string().max(240).openapi({
		description: "Plain text around the best match, at most 240 characters. Never markup: render it as text.",
	}),
	highlights: z.array(Highlight),
	score: z.number().openapi({ description: "Relevance (higher is better); 0 with `sort=recent`." }),
};

/** One result of a kind: `item` is that kind's own object, as the `GET` named here returns it. */
const resultOf = <T extends string, I extends z.ZodType>(type: T, item: I, name: string, from: string) =>
	z
		.object({
			type: z.literal(type).openapi({ description: "What the result is; `item` is its object." }),
			...resultFields,
			item: item.openapi({ description: `As ${from} returns it.` }),
		})
		.openapi(name);

export const SearchResult = z
	.discriminatedUnion("type", [
		resultOf("post", PostSchema, "PostSearchResult", "`GET /flourish/posts/{post_id}`"),
		resultOf("group", GroupSchema, "GroupSearchResult", "`GET /fellowship/groups/{group_id}`"),
		resultOf("project", ProjectSchema, "ProjectSearchResult", "the list `GET /teamup/projects`"),
		resultOf("guide", GuideSchema, "GuideSearchResult", "the directory `GET /orchard/guides`"),
		resultOf("nourishment", NourishmentItemSchema, "NourishmentSearchResult", "`GET /nourishment/{item_id}`"),
		resultOf("sunlight", ShareSchema, "SunlightSearchResult", "`GET /sunlight/{share_id}`"),
	])
	.openapi("SearchResult", {
		description:
			"A thing found, of one of six kinds (`type`), with the snippet that matched. A client renders `item` as it renders that kind's card anywhere else.",
	});

export const SearchPage = pageOf(SearchResult, "SearchPage");

export const SearchCursor = z.object({
	at: z.iso.datetime(),
	key: z.union([z.number(), z.string().max(40)]),
	id: z.uuid(),
});
