/**
 * @module http/openapi-document: what the OpenAPI document says besides its operations — the introduction a
 * client developer reads first on `/docs`, and one description per tag. The operations describe themselves
 * (http/define-route).
 */

const INTRODUCTION = `The edge API of Flourish, a community for personal growth and wellbeing.

## Authentication
Send an Auth0 access token (RS256, this API's audience) as \`Authorization: Bearer <token>\`. Routes marked
public also answer without one; a valid token personalises their answer. Roles and trust come from Flourish's
own records, never from the token. An anonymous support request is read and managed with its own
\`X-Support-Token\`, shown once when it is made.

## Errors
Every error is RFC 9457 \`application/problem+json\`: \`type\`, \`title\`, \`status\`, \`detail\`, and for a
422 an \`errors[]\` entry per field (\`{ "field": "body/name", "message" }\`). Unknown query parameters are
refused the same way.

## Pagination
Lists answer \`{ "data": [...], "next_cursor": string | null }\`. Pass \`next_cursor\` back as \`cursor\` with
the same filters for the next page; \`null\` means the end. A cursor is opaque and may stop being accepted
after a deploy (422): start again from the first page.

## Idempotency
Signed-in \`POST\`s accept an \`Idempotency-Key\`: within 24 hours a retry with the same key and request
replays the first answer (\`Idempotent-Replayed: true\`) instead of doing the work twice. \`PUT\` and
\`DELETE\` are idempotent by nature.

## Rate limits
Bursts are limited per signed-in person and per IP address, and some actions have a daily allowance that grows
with trust. A refusal is 429 with \`Retry-After\` and the IETF \`RateLimit-Policy\` / \`RateLimit\` headers.

## Reading your own writes
Reads may come from a copy of the database near the client. Every answer that read or wrote data carries
\`X-D1-Bookmark\`; send the latest one back as \`X-D1-Bookmark\` and the read sees at least that state.

## WebSockets
Chat (\`openChat\`) and the live stream (\`openStream\`) are WebSockets. A browser first asks for a single-use
ticket (\`createChatTicket\`, \`createStreamTicket\`) and opens the socket with \`?ticket=\`; a native client may
send its bearer token instead. The frames are JSON, described as schemas in this document
(\`x-websocket-frames\` on each upgrade operation).

## Crisis resources
Whenever something written reads as a person in danger, the answer carries \`crisis_resources\` for where they
are. Show them at once and prominently.`;

/** One entry per tag, in the order the docs page lists them. */
const TAGS = [
	{ name: "service", description: "Liveness and readiness of the Worker and what it depends on." },
	{
		name: "users",
		description: "My profile and preferences, public profiles, and my data (export, erasure).",
	},
	{ name: "garden", description: "My Garden: private habits, daily logs, streaks and strength." },
	{
		name: "flourish",
		description: "The community feed: posts, polls, milestones, comments and reactions.",
	},
	{
		name: "orchard",
		description:
			"One-to-one ties: connections, blocks, direct messages (REST and live chat) and mentorships.",
	},
	{ name: "nourishment", description: "Daily content: a reflection, practice or quote for each local day." },
	{ name: "sunlight", description: "Gratitude shares, named or anonymous, with their reactions." },
	{ name: "teamup", description: "Projects people do together: members, invitations and discussions." },
	{
		name: "support",
		description:
			"Support requests, anonymous or named, and the responses of volunteers; crisis resources when needed.",
	},
	{ name: "trust", description: "My trust level, and applications for a higher level or to become a guide." },
	{
		name: "fellowship",
		description: "Groups, their members and invitations, events and RSVPs with waitlists.",
	},
	{
		name: "guardians",
		description: "Moderation: reports, the review queue, decisions, appeals, penalties and the audit log.",
	},
	{ name: "moderation", description: "Check a text against the community's rules before posting it." },
	{ name: "notifications", description: "What happened for me: the list, unread count and preferences." },
	{
		name: "stream",
		description: "A live WebSocket per device carrying notifications and messages as they happen.",
	},
	{ name: "push", description: "Web Push subscriptions of my browsers, and a test push." },
	{ name: "recommendations", description: "Groups, projects and guides suggested for me." },
	{
		name: "search",
		description: "Find things by what they say, with the same visibility as their own reads.",
	},
	{
		name: "media",
		description:
			"Photos and videos: uploaded as the file itself, stripped of metadata, served with the headers that keep them inert.",
	},
];

/** Everything of the document but its paths and components. */
function documentConfig(origin: string) {
	return {
		openapi: "3.1.0",
		info: {
			title: "Flourish API",
			version: "1.0.0",
			description: INTRODUCTION,
			license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
		},
		servers: [{ url: origin }],
		tags: TAGS,
	};
}

type Json = unknown;

/** The parts of the app this module needs: its registry, turned into a document. */
interface DocumentedApp {
	getOpenAPI31Document(config: ReturnType<typeof documentConfig>): object;
}

const built = new WeakMap<DocumentedApp, Record<string, Json>>();

/**
 * The document the app serves at `origin`. It is built once per app (half a megabyte of JSON, the same for
 * every request); only `servers` follows the origin asked.
 */
export function openApiDocument(app: DocumentedApp, origin: string): Record<string, Json> {
	let document = built.get(app);
	if (!document) {
		document = truthfulNulls(app.getOpenAPI31Document(documentConfig(origin))) as Record<string, Json>;
		built.set(app, document);
	}
	return { ...document, servers: [{ url: origin }] };
}

/**
 * A nullable reference, as the generator writes it, is `allOf: [{ $ref }, { type: [object, null] }]`: an
 * intersection, which client generators read as "never null" (so `comment.author.display_name` compiles and
 * crashes on a removed comment). Say it as a union instead: `anyOf: [{ $ref }, { type: null }]`, keeping any
 * description beside it.
 */
export function truthfulNulls(node: Json): Json {
	if (Array.isArray(node)) return node.map(truthfulNulls);
	if (typeof node !== "object" || node === null) return node;
	const entries = Object.entries(node).map(([key, value]) => [key, truthfulNulls(value)] as const);
	const object = Object.fromEntries(entries) as Record<string, Json>;
	const parts = object.allOf;
	if (!Array.isArray(parts) || parts.length !== 2) return object;
	const [ref, nullable] = parts as [Record<string, Json>, Record<string, Json>];
	const types = nullable?.type;
	if (typeof ref?.$ref !== "string" || !Array.isArray(types) || !types.includes("null")) return object;
	const { type: _type, ...besides } = nullable;
	const { allOf: _allOf, ...rest } = object;
	return { ...rest, ...besides, anyOf: [ref, { type: "null" }] };
}
