/**
 * The authorization matrix, written down: for every operation of the OpenAPI document ("METHOD /path"),
 * who may call it (`access`, from API.md) and what each kind of caller gets back.
 *
 * How a cell is read:
 * - The access rule decides first, for every operation alike: `anonymous` on a signed-in route → 401;
 *   `suspended` → 403 everywhere except `self` routes (and `none`, the unguarded service routes);
 *   a trust level or role below the route's → 403 (a guardian passes every trust check).
 * - A caller the rule lets through gets `expect[kind]` if the row names it, else `expect.others`.
 * - `owner` is the owner of the target (for a fresh target: its fresh owner); `stranger` is a user at the
 *   owner's trust level with no relation to it; `blocked` is someone the owner blocks. The level kinds
 *   (new_sprout … flourishing), `guide` and `guardian` are strangers to the target too.
 * - A case that should succeed against a target it would destroy (delete, cancel, decide…) gets a `fresh`
 *   target of its own; every other case of the row shares one target.
 */
import { png } from "../../media/fixtures";
import { setUserColumns, type TestUser } from "../../support/api";
import {
	appeal,
	askToConnect,
	block,
	type CallerKind,
	comment,
	connect,
	event,
	group,
	guardian,
	guide,
	guideApplication,
	habit,
	habitWithLog,
	inHours,
	joinGroup,
	joinProject,
	mediaUpload,
	mentorship,
	must,
	nourishmentItem,
	person,
	post,
	project,
	pushSubscription,
	pushSubscriptionBody,
	queueItem,
	share,
	supportRequest,
	suspend,
	type World,
} from "./world";

/** Who may call: `token` routes are public and need `X-Support-Token`; `none` has no guard at all. */
export type Access = "none" | "public" | "token" | "user" | "self" | "growing" | "good_soil" | "guardian";

export interface Target {
	params?: Record<string, string>;
	/** The resource's owner (for `owner` callers); the world's owner when absent. */
	owner?: TestUser;
	/** An anonymous support token. */
	token?: string;
	/** Makes the call as this person instead of the world's caller of that kind (e.g. deleting oneself). */
	as?: TestUser;
}

export interface Who {
	kind: CallerKind;
	user: TestUser | undefined;
}

export type Expect = Partial<Record<CallerKind, number>> & { others: number };

export interface Variant {
	/** What this variant's target is, when a row has several (e.g. "private post"). */
	name?: string;
	access: Access;
	target?: (w: World) => Target;
	/** A target of its own, for a case that succeeds and would destroy the shared one. */
	fresh?: (w: World, kind: CallerKind) => Promise<Target>;
	/** Path parameters per caller (default: the target's). */
	params?: (t: Target, who: Who, w: World) => Record<string, string>;
	query?: string;
	/** A valid body: what lets an allowed caller succeed. */
	body?: (t: Target, who: Who, w: World) => unknown;
	headers?: (t: Target, who: Who, w: World) => Record<string, string>;
	expect: Expect;
}

export type Row = Variant | Variant[];

const TRUST_RANK = { new_sprout: 0, growing: 1, good_soil: 2, flourishing: 3 } as const;
/** The trust level of each signed-in kind of caller in the world (see world.ts). */
export const CALLER_TRUST: Record<Exclude<CallerKind, "anonymous">, keyof typeof TRUST_RANK> = {
	new_sprout: "new_sprout",
	growing: "growing",
	good_soil: "good_soil",
	flourishing: "flourishing",
	guide: "good_soil",
	guardian: "new_sprout",
	suspended: "growing",
	blocked: "growing",
	owner: "flourishing",
	stranger: "flourishing",
};

/** The expected status of one cell. */
export function expectedStatus(variant: Variant, kind: CallerKind): number {
	const { access, expect } = variant;
	if (access === "none") return expect[kind] ?? expect.others;
	const open = access === "public" || access === "token";
	if (kind === "anonymous") return open ? (expect.anonymous ?? expect.others) : 401;
	if (kind === "suspended") return access === "self" ? (expect.suspended ?? expect.others) : 403;
	if (kind !== "guardian") {
		if (access === "guardian") return 403;
		if (access === "growing" || access === "good_soil") {
			if (TRUST_RANK[CALLER_TRUST[kind]] < TRUST_RANK[access]) return 403;
		}
	}
	return expect[kind] ?? expect.others;
}

// ---------------------------------------------------------------- fresh targets

/** A new person just like the world's caller of `kind` (for cases that use the caller up). */
async function freshCaller(kind: CallerKind): Promise<TestUser | undefined> {
	switch (kind) {
		case "anonymous":
			return undefined;
		case "guide":
			return guide();
		case "guardian":
			return guardian();
		case "suspended": {
			const user = await person("growing");
			await setUserColumns(user.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
			return user;
		}
		default:
			return person(CALLER_TRUST[kind]);
	}
}

const freshOwner = () => person("flourishing");

async function freshPost(visibility: "public" | "private" = "public"): Promise<Target> {
	const owner = await freshOwner();
	return { owner, params: { post_id: (await post(owner, { visibility })).id } };
}

async function freshShare(anonymous: boolean): Promise<Target> {
	const owner = await freshOwner();
	return { owner, params: { share_id: (await share(owner, { anonymous })).id } };
}

async function freshGroup(visibility: "public" | "secret" = "public"): Promise<Target> {
	const owner = await freshOwner();
	return { owner, params: { group_id: (await group(owner, { visibility })).id } };
}

async function freshGroupWithMember(): Promise<Target> {
	const target = await freshGroup();
	const member = await person();
	const groupId = target.params?.group_id as string;
	await joinGroup(member, groupId);
	return { ...target, params: { group_id: groupId, user_id: member.id } };
}

async function freshEvent(visibility: "public" | "secret" = "public"): Promise<Target> {
	const target = await freshGroup(visibility);
	const owner = target.owner as TestUser;
	return { owner, params: { event_id: (await event(owner, target.params?.group_id as string)).id } };
}

async function freshProject(visibility: "public" | "private" = "public"): Promise<Target> {
	const owner = await freshOwner();
	return { owner, params: { project_id: (await project(owner, { visibility })).id } };
}

async function freshProjectWithMember(): Promise<Target> {
	const target = await freshProject();
	const member = await person();
	const projectId = target.params?.project_id as string;
	await joinProject(member, projectId);
	return { ...target, params: { project_id: projectId, user_id: member.id } };
}

async function freshSupport(): Promise<Target> {
	const owner = await freshOwner();
	const created = await supportRequest(owner);
	return { owner, token: created.token, params: { request_id: created.id } };
}

// ---------------------------------------------------------------- helpers for rows

const asOwner = (who: Who) => who.kind === "owner";
/** The owner's token goes with the owner's calls; everyone else has none. */
const ownerHoldsToken = (t: Target, who: Who): Record<string, string> =>
	asOwner(who) && t.token ? { "X-Support-Token": t.token } : {};
/** The asker with the token and no sign-in: the anonymous caller holds it. */
const anonymousHoldsToken = (t: Target, who: Who): Record<string, string> =>
	who.kind === "anonymous" && t.token ? { "X-Support-Token": t.token } : {};
/** Chat paths name the peer: the owner talks to their connection, everyone else to the owner. */
const peerOf = (_t: Target, who: Who, w: World) => ({ user_id: asOwner(who) ? w.friend.id : w.owner.id });
/** A chat message path: the peer as in `peerOf`, and the target's message. */
const messageOf = (t: Target, who: Who, w: World) => ({
	...peerOf(t, who, w),
	message_id: t.params?.message_id as string,
});
/** A message the owner just sent their connection (editable and deletable for 15 minutes). */
async function ownChatMessage(w: World): Promise<Target> {
	const sent = await must<{ id: string }>(201, "POST", `/orchard/conversations/${w.friend.id}/messages`, {
		as: w.owner,
		body: { text: "A message to change." },
	});
	return { params: { message_id: sent.id } };
}

const habitTarget = (w: World): Target => ({ params: { habit_id: w.habitId } });
const postTarget =
	(which: keyof World["posts"]) =>
	(w: World): Target => ({ params: { post_id: w.posts[which] } });
const shareTarget =
	(which: keyof World["shares"]) =>
	(w: World): Target => ({ params: { share_id: w.shares[which] } });
const groupTarget = (w: World): Target => ({ params: { group_id: w.groupId } });
const secretGroupTarget = (w: World): Target => ({ params: { group_id: w.secretGroupId } });
const eventTarget = (w: World): Target => ({ params: { event_id: w.eventId } });
const secretEventTarget = (w: World): Target => ({ params: { event_id: w.secretEventId } });
const projectTarget = (w: World): Target => ({ params: { project_id: w.projectId } });
const privateProjectTarget = (w: World): Target => ({ params: { project_id: w.privateProjectId } });
const supportTarget =
	(which: keyof World["support"]) =>
	(w: World): Target => ({ token: w.support[which].token, params: { request_id: w.support[which].id } });

const EVENT_BODY = () => ({
	title: "Evening walk",
	event_type: "online",
	url: "https://meet.example/walk",
	starts_at: inHours(72),
	ends_at: inHours(73),
});

// ---------------------------------------------------------------- the table

export const MATRIX: Record<string, Row> = {
	// ------------------------------------------------------------ service
	"GET /": { access: "none", expect: { others: 200 } },
	"GET /health": { access: "none", expect: { others: 200 } },

	// ------------------------------------------------------------ users
	"GET /api/v1/users/me": { access: "self", expect: { others: 200 } },
	"PATCH /api/v1/users/me": {
		access: "user",
		body: () => ({ bio: "Walking and reading." }),
		expect: { others: 200 },
	},
	"PUT /api/v1/users/me": {
		access: "user",
		body: () => ({ bio: "Reading and walking." }),
		expect: { others: 200 },
	},
	"GET /api/v1/users/me/export": { access: "self", expect: { others: 200 } },
	"GET /api/v1/users/me/events": { access: "user", expect: { others: 200 } },
	"GET /api/v1/users/me/events.ics": [
		// A bearer token or a calendar token; with neither, 401.
		{ name: "by bearer token", access: "public", expect: { anonymous: 401, others: 200 } },
		{
			name: "with a calendar token that is no one's",
			access: "public",
			query: `token=${"A".repeat(43)}`,
			expect: { others: 404 },
		},
	],
	"POST /api/v1/users/me/calendar-token": { access: "user", expect: { others: 201 } },
	"DELETE /api/v1/users/me": {
		// Everyone may delete their own account, suspended or not; each case deletes a fresh look-alike.
		access: "self",
		fresh: async (_w, kind) => {
			const as = await freshCaller(kind);
			return as ? { as } : {};
		},
		expect: { others: 204 },
	},
	"GET /api/v1/users/{user_id}": {
		access: "user",
		target: (w) => ({ params: { user_id: w.owner.id } }),
		expect: { blocked: 404, others: 200 },
	},

	// ------------------------------------------------------------ garden: private to its owner
	"GET /api/v1/garden": { access: "user", expect: { others: 200 } },
	"POST /api/v1/garden/habits": {
		access: "user",
		body: () => ({ name: "Drink water", category: "health" }),
		expect: { others: 201 },
	},
	"GET /api/v1/garden/habits/{habit_id}": {
		access: "user",
		target: habitTarget,
		expect: { owner: 200, others: 404 },
	},
	"PATCH /api/v1/garden/habits/{habit_id}": {
		access: "user",
		target: habitTarget,
		body: () => ({ name: "Evening stretches" }),
		expect: { owner: 200, others: 404 },
	},
	"PUT /api/v1/garden/habits/{habit_id}": {
		access: "user",
		target: habitTarget,
		body: () => ({ name: "Evening stretching" }),
		expect: { owner: 200, others: 404 },
	},
	"DELETE /api/v1/garden/habits/{habit_id}": {
		access: "user",
		target: habitTarget,
		fresh: async () => {
			const owner = await freshOwner();
			return { owner, params: { habit_id: (await habit(owner)).id } };
		},
		expect: { owner: 204, others: 404 },
	},
	"POST /api/v1/garden/habits/{habit_id}/logs": {
		access: "user",
		target: habitTarget,
		body: () => ({ note: "done" }),
		expect: { owner: 201, others: 404 },
	},
	"GET /api/v1/garden/habits/{habit_id}/logs": {
		access: "user",
		target: habitTarget,
		expect: { owner: 200, others: 404 },
	},
	"DELETE /api/v1/garden/habits/{habit_id}/logs/{log_id}": {
		access: "user",
		target: (w) => ({ params: { habit_id: w.habitId, log_id: w.logId } }),
		fresh: async () => {
			const owner = await freshOwner();
			const { habitId, logId } = await habitWithLog(owner);
			return { owner, params: { habit_id: habitId, log_id: logId } };
		},
		expect: { owner: 204, others: 404 },
	},

	// ------------------------------------------------------------ flourish
	"GET /api/v1/flourish/feed": { access: "user", expect: { others: 200 } },
	"POST /api/v1/flourish/posts": {
		access: "user",
		body: () => ({ type: "text", body: "Small steps today." }),
		expect: { others: 201 },
	},
	"GET /api/v1/flourish/posts/{post_id}": [
		{
			name: "public post",
			access: "user",
			target: postTarget("public"),
			expect: { blocked: 404, others: 200 },
		},
		{
			name: "connections post",
			access: "user",
			target: postTarget("connections"),
			expect: { owner: 200, guardian: 200, others: 404 },
		},
		{
			name: "group post",
			access: "user",
			target: postTarget("group"),
			expect: { owner: 200, guardian: 200, others: 404 },
		},
		{
			name: "private post",
			access: "user",
			target: postTarget("private"),
			expect: { owner: 200, others: 404 },
		},
	],
	"PATCH /api/v1/flourish/posts/{post_id}": [
		{
			name: "public post",
			access: "user",
			target: postTarget("public"),
			body: () => ({ body: "A quiet morning walk did me a lot of good." }),
			expect: { owner: 200, blocked: 404, others: 403 },
		},
		{
			name: "private post",
			access: "user",
			target: postTarget("private"),
			body: () => ({ body: "My private journal entry, edited." }),
			expect: { owner: 200, others: 404 },
		},
	],
	"DELETE /api/v1/flourish/posts/{post_id}": [
		{
			name: "public post",
			access: "user",
			target: postTarget("public"),
			fresh: () => freshPost("public"),
			expect: { owner: 204, guardian: 204, blocked: 404, others: 403 },
		},
		{
			name: "private post",
			access: "user",
			target: postTarget("private"),
			fresh: () => freshPost("private"),
			expect: { owner: 204, guardian: 204, others: 404 },
		},
	],
	"GET /api/v1/flourish/posts/{post_id}/comments": [
		{
			name: "public post",
			access: "user",
			target: postTarget("public"),
			expect: { blocked: 404, others: 200 },
		},
		{
			name: "private post",
			access: "user",
			target: postTarget("private"),
			expect: { owner: 200, others: 404 },
		},
	],
	"POST /api/v1/flourish/posts/{post_id}/comments": [
		{
			name: "public post",
			access: "user",
			target: postTarget("public"),
			body: () => ({ body: "Thank you for sharing." }),
			expect: { blocked: 404, others: 201 },
		},
		{
			name: "private post",
			access: "user",
			target: postTarget("private"),
			body: () => ({ body: "A note to myself." }),
			expect: { owner: 201, others: 404 },
		},
	],
	"DELETE /api/v1/flourish/comments/{comment_id}": {
		access: "user",
		target: (w) => ({ params: { comment_id: w.commentId } }),
		fresh: async (w) => {
			const owner = await freshOwner();
			return { owner, params: { comment_id: (await comment(owner, w.posts.public)).id } };
		},
		expect: { owner: 204, guardian: 204, blocked: 404, others: 403 },
	},
	"PUT /api/v1/flourish/posts/{post_id}/reaction": [
		{
			name: "public post",
			access: "user",
			target: postTarget("public"),
			body: () => ({ reaction_type: "support" }),
			expect: { blocked: 404, others: 200 },
		},
		{
			name: "private post",
			access: "user",
			target: postTarget("private"),
			body: () => ({ reaction_type: "love" }),
			expect: { owner: 200, others: 404 },
		},
	],
	"DELETE /api/v1/flourish/posts/{post_id}/reaction": [
		{
			name: "public post",
			access: "user",
			target: postTarget("public"),
			expect: { blocked: 404, others: 204 },
		},
		{
			name: "private post",
			access: "user",
			target: postTarget("private"),
			expect: { owner: 204, others: 404 },
		},
	],
	"PUT /api/v1/flourish/comments/{comment_id}/reaction": {
		access: "user",
		target: (w) => ({ params: { comment_id: w.commentId } }),
		body: () => ({ reaction_type: "celebrate" }),
		expect: { blocked: 404, others: 200 },
	},
	"DELETE /api/v1/flourish/comments/{comment_id}/reaction": {
		access: "user",
		target: (w) => ({ params: { comment_id: w.commentId } }),
		expect: { blocked: 404, others: 204 },
	},
	"POST /api/v1/flourish/posts/{post_id}/votes": {
		access: "user",
		target: postTarget("poll"),
		body: (_t, _who, w) => ({ option_ids: [w.pollOptionId] }),
		expect: { blocked: 404, others: 201 },
	},
	"GET /api/v1/flourish/posts/{post_id}/similar": [
		{
			name: "public post",
			access: "user",
			target: postTarget("public"),
			expect: { blocked: 404, others: 200 },
		},
		{
			name: "private post",
			access: "user",
			target: postTarget("private"),
			expect: { owner: 200, others: 404 },
		},
	],

	// ------------------------------------------------------------ orchard
	"GET /api/v1/orchard/connections": { access: "user", expect: { others: 200 } },
	"POST /api/v1/orchard/connections": {
		access: "user",
		body: (_t, _who, w) => ({ user_id: w.owner.id, note: "Met you at the run." }),
		expect: { owner: 422, blocked: 404, others: 201 },
	},
	"PATCH /api/v1/orchard/connections/{connection_id}": {
		access: "user",
		target: (w) => ({ params: { connection_id: w.pendingConnectionId } }),
		fresh: async () => {
			const owner = await freshOwner();
			const asker = await person();
			return { owner, params: { connection_id: (await askToConnect(asker, owner)).id } };
		},
		body: () => ({ status: "accepted" }),
		expect: { owner: 200, others: 404 },
	},
	"DELETE /api/v1/orchard/connections/{connection_id}": {
		access: "user",
		target: (w) => ({ params: { connection_id: w.connectionId } }),
		fresh: async () => {
			const owner = await freshOwner();
			return { owner, params: { connection_id: await connect(owner, await person()) } };
		},
		expect: { owner: 204, others: 404 },
	},
	"GET /api/v1/orchard/blocks": { access: "user", expect: { others: 200 } },
	"PUT /api/v1/orchard/blocks/{user_id}": {
		access: "user",
		target: (w) => ({ params: { user_id: w.blockTarget.id } }),
		expect: { others: 201 },
	},
	"DELETE /api/v1/orchard/blocks/{user_id}": {
		access: "user",
		target: (w) => ({ params: { user_id: w.blockedByOwner.id } }),
		fresh: async () => {
			const owner = await freshOwner();
			const other = await person();
			await block(owner, other);
			return { owner, params: { user_id: other.id } };
		},
		expect: { owner: 204, others: 404 },
	},
	"GET /api/v1/orchard/conversations": { access: "user", expect: { others: 200 } },
	"GET /api/v1/orchard/conversations/{user_id}/messages": {
		access: "user",
		params: peerOf,
		expect: { owner: 200, blocked: 404, others: 403 },
	},
	"POST /api/v1/orchard/conversations/{user_id}/messages": {
		access: "user",
		params: peerOf,
		body: () => ({ text: "How was your walk?" }),
		expect: { owner: 201, blocked: 404, others: 403 },
	},
	"PATCH /api/v1/orchard/conversations/{user_id}/messages/{message_id}": {
		access: "user",
		// Everyone but the owner is refused before the message is looked at: any id will do for them.
		target: () => ({ params: { message_id: crypto.randomUUID() } }),
		fresh: ownChatMessage,
		params: messageOf,
		body: () => ({ text: "How was your walk, really?" }),
		expect: { owner: 200, blocked: 404, others: 403 },
	},
	"DELETE /api/v1/orchard/conversations/{user_id}/messages/{message_id}": {
		access: "user",
		target: () => ({ params: { message_id: crypto.randomUUID() } }),
		fresh: ownChatMessage,
		params: messageOf,
		expect: { owner: 200, blocked: 404, others: 403 },
	},
	"POST /api/v1/orchard/conversations/{user_id}/read": {
		access: "user",
		params: peerOf,
		body: () => ({ seq: 0 }),
		expect: { owner: 200, blocked: 404, others: 403 },
	},
	"POST /api/v1/orchard/conversations/{user_id}/tickets": {
		access: "user",
		params: peerOf,
		expect: { owner: 201, blocked: 404, others: 403 },
	},
	"GET /api/v1/orchard/conversations/{user_id}/ws": {
		// Public in the router (a ticket may stand in for the token) but never open without a caller.
		access: "public",
		params: peerOf,
		headers: () => ({ Upgrade: "websocket" }),
		expect: { anonymous: 401, owner: 101, blocked: 404, others: 403 },
	},
	"GET /api/v1/orchard/guides": { access: "user", expect: { others: 200 } },
	"POST /api/v1/orchard/mentorships": {
		access: "growing",
		body: (_t, _who, w) => ({ guide_id: w.openGuide.id, goals: "Sleep before midnight." }),
		expect: { others: 201 },
	},
	"GET /api/v1/orchard/mentorships": { access: "user", expect: { others: 200 } },
	"PATCH /api/v1/orchard/mentorships/{mentorship_id}": {
		access: "user",
		target: (w) => ({ params: { mentorship_id: w.mentorshipId } }),
		fresh: async (w) => {
			const owner = await freshOwner();
			return { owner, params: { mentorship_id: (await mentorship(owner, w.mentor)).id } };
		},
		body: () => ({ status: "cancelled" }),
		expect: { owner: 200, others: 404 },
	},

	// ------------------------------------------------------------ nourishment
	"GET /api/v1/nourishment/today": { access: "public", expect: { others: 200 } },
	"GET /api/v1/nourishment": { access: "public", expect: { others: 200 } },
	"POST /api/v1/nourishment": {
		access: "guardian",
		body: () => ({ title: "Notice", content_type: "reflection", category: "gratitude" }),
		expect: { others: 201 },
	},
	"GET /api/v1/nourishment/{item_id}": {
		access: "public",
		target: (w) => ({ params: { item_id: w.nourishmentId } }),
		expect: { others: 200 },
	},
	"PATCH /api/v1/nourishment/{item_id}": {
		access: "guardian",
		target: (w) => ({ params: { item_id: w.nourishmentId } }),
		body: () => ({ title: "Breathe slowly" }),
		expect: { others: 200 },
	},
	"DELETE /api/v1/nourishment/{item_id}": {
		access: "guardian",
		target: (w) => ({ params: { item_id: w.nourishmentId } }),
		fresh: async (w) => ({ params: { item_id: (await nourishmentItem(w.callers.guardian)).id } }),
		expect: { others: 204 },
	},

	// ------------------------------------------------------------ sunlight
	"GET /api/v1/sunlight": { access: "user", expect: { others: 200 } },
	"POST /api/v1/sunlight": {
		access: "user",
		body: () => ({ share_type: "win", body: "Ran my first 5k." }),
		expect: { others: 201 },
	},
	"GET /api/v1/sunlight/{share_id}": [
		{
			name: "named share",
			access: "user",
			target: shareTarget("named"),
			expect: { blocked: 404, others: 200 },
		},
		// Blocks do not hide anonymous shares: hiding one from exactly the blocked would name its author.
		{ name: "anonymous share", access: "user", target: shareTarget("anonymous"), expect: { others: 200 } },
	],
	"PATCH /api/v1/sunlight/{share_id}": [
		{
			name: "named share",
			access: "user",
			target: shareTarget("named"),
			body: () => ({ body: "Grateful for friends who really listen." }),
			expect: { owner: 200, blocked: 404, others: 403 },
		},
		{
			name: "anonymous share",
			access: "user",
			target: shareTarget("anonymous"),
			body: () => ({ body: "Grateful, very quietly." }),
			expect: { owner: 200, others: 403 },
		},
	],
	"DELETE /api/v1/sunlight/{share_id}": [
		{
			name: "named share",
			access: "user",
			target: shareTarget("named"),
			fresh: () => freshShare(false),
			expect: { owner: 204, guardian: 204, blocked: 404, others: 403 },
		},
		{
			name: "anonymous share",
			access: "user",
			target: shareTarget("anonymous"),
			fresh: () => freshShare(true),
			expect: { owner: 204, guardian: 204, others: 403 },
		},
	],
	"PUT /api/v1/sunlight/{share_id}/reactions/{reaction_type}": [
		{
			name: "named share",
			access: "user",
			target: (w) => ({ params: { share_id: w.shares.named, reaction_type: "heart" } }),
			expect: { blocked: 404, others: 200 },
		},
		{
			name: "anonymous share",
			access: "user",
			target: (w) => ({ params: { share_id: w.shares.anonymous, reaction_type: "hug" } }),
			expect: { others: 200 },
		},
	],
	"DELETE /api/v1/sunlight/{share_id}/reactions/{reaction_type}": [
		{
			name: "named share",
			access: "user",
			target: (w) => ({ params: { share_id: w.shares.named, reaction_type: "sunshine" } }),
			expect: { blocked: 404, others: 204 },
		},
		{
			name: "anonymous share",
			access: "user",
			target: (w) => ({ params: { share_id: w.shares.anonymous, reaction_type: "inspired" } }),
			expect: { others: 204 },
		},
	],

	// ------------------------------------------------------------ team up
	"GET /api/v1/teamup/projects": { access: "public", expect: { others: 200 } },
	"POST /api/v1/teamup/projects": {
		access: "growing",
		body: () => ({ title: "Litter pick", project_type: "community_service" }),
		expect: { others: 201 },
	},
	"GET /api/v1/teamup/projects/{project_id}": [
		{ name: "public project", access: "public", target: projectTarget, expect: { others: 200 } },
		{
			name: "private project",
			access: "public",
			target: privateProjectTarget,
			expect: { owner: 200, guardian: 200, others: 404 },
		},
	],
	"PATCH /api/v1/teamup/projects/{project_id}": [
		{
			name: "public project",
			access: "user",
			target: projectTarget,
			body: () => ({ description: "Saturdays at ten." }),
			expect: { owner: 200, guardian: 200, others: 403 },
		},
		{
			name: "private project",
			access: "user",
			target: privateProjectTarget,
			body: () => ({ description: "Only for us." }),
			expect: { owner: 200, guardian: 200, others: 404 },
		},
	],
	"DELETE /api/v1/teamup/projects/{project_id}": [
		{
			name: "public project",
			access: "user",
			target: projectTarget,
			fresh: () => freshProject("public"),
			expect: { owner: 204, guardian: 204, others: 403 },
		},
		{
			name: "private project",
			access: "user",
			target: privateProjectTarget,
			fresh: () => freshProject("private"),
			expect: { owner: 204, guardian: 204, others: 404 },
		},
	],
	"POST /api/v1/teamup/projects/{project_id}/members": [
		{
			name: "public project",
			access: "user",
			target: (w) => ({ params: { project_id: w.openProjectId } }),
			expect: { owner: 409, others: 201 },
		},
		{
			name: "private project",
			access: "user",
			target: privateProjectTarget,
			expect: { owner: 409, others: 404 },
		},
	],
	"GET /api/v1/teamup/projects/{project_id}/members": [
		{ name: "public project", access: "user", target: projectTarget, expect: { others: 200 } },
		{
			name: "private project",
			access: "user",
			target: privateProjectTarget,
			expect: { owner: 200, guardian: 200, others: 404 },
		},
	],
	"PATCH /api/v1/teamup/projects/{project_id}/members/{user_id}": {
		access: "user",
		target: (w) => ({ params: { project_id: w.projectId, user_id: w.member.id } }),
		fresh: freshProjectWithMember,
		body: () => ({ role: "admin" }),
		expect: { owner: 200, guardian: 200, others: 403 },
	},
	"DELETE /api/v1/teamup/projects/{project_id}/members/{user_id}": {
		access: "user",
		target: (w) => ({ params: { project_id: w.projectId, user_id: w.member.id } }),
		fresh: freshProjectWithMember,
		expect: { owner: 204, guardian: 204, others: 403 },
	},
	"POST /api/v1/teamup/projects/{project_id}/invitations": {
		access: "user",
		target: projectTarget,
		fresh: () => freshProject("public"),
		body: (_t, _who, w) => ({ user_id: w.invitee.id }),
		expect: { owner: 201, guardian: 201, others: 403 },
	},
	"GET /api/v1/teamup/projects/{project_id}/discussions": [
		{ name: "public project", access: "user", target: projectTarget, expect: { others: 200 } },
		{
			name: "private project",
			access: "user",
			target: privateProjectTarget,
			expect: { owner: 200, guardian: 200, others: 404 },
		},
	],
	"POST /api/v1/teamup/projects/{project_id}/discussions": [
		{
			name: "public project",
			access: "user",
			target: projectTarget,
			body: () => ({ body: "Shall we meet on Saturday?" }),
			expect: { owner: 201, others: 403 },
		},
		{
			name: "private project",
			access: "user",
			target: privateProjectTarget,
			body: () => ({ body: "Private plans for Saturday." }),
			expect: { owner: 201, guardian: 403, others: 404 },
		},
	],

	// ------------------------------------------------------------ anonymous support
	"POST /api/v1/support/requests": {
		access: "user",
		body: () => ({
			title: "Trouble sleeping",
			body: "I keep waking at four and cannot settle again.",
			category: "stress",
		}),
		expect: { others: 201 },
	},
	"GET /api/v1/support/requests": { access: "user", expect: { others: 200 } },
	"GET /api/v1/support/requests/{request_id}": [
		{
			name: "community request",
			access: "token",
			target: supportTarget("community"),
			expect: { anonymous: 401, others: 200 },
		},
		{
			name: "guides_only request (the owner shows its token)",
			access: "token",
			target: supportTarget("guidesOnly"),
			headers: ownerHoldsToken,
			expect: { anonymous: 401, owner: 200, guide: 200, guardian: 200, others: 404 },
		},
		{
			// The asker reads with the token and no sign-in; signed in without the token, the owner is anyone.
			name: "guides_only request (the token alone, no sign-in)",
			access: "token",
			target: supportTarget("guidesOnly"),
			headers: anonymousHoldsToken,
			expect: { anonymous: 200, guide: 200, guardian: 200, others: 404 },
		},
	],
	"PATCH /api/v1/support/requests/{request_id}": {
		access: "token",
		target: supportTarget("forEdit"),
		headers: ownerHoldsToken,
		body: () => ({ body: "Still struggling, though a little better this week." }),
		expect: { owner: 200, others: 403 },
	},
	"DELETE /api/v1/support/requests/{request_id}": {
		access: "token",
		target: supportTarget("forDelete"),
		fresh: freshSupport,
		headers: ownerHoldsToken,
		expect: { owner: 204, guardian: 204, others: 403 },
	},
	"POST /api/v1/support/requests/{request_id}/status": {
		access: "token",
		target: supportTarget("forStatus"),
		fresh: freshSupport,
		headers: ownerHoldsToken,
		body: () => ({ status: "resolved" }),
		expect: { owner: 200, others: 403 },
	},
	"POST /api/v1/support/requests/{request_id}/responses": {
		access: "growing",
		target: supportTarget("community"),
		body: () => ({ body: "One day at a time; you are doing well." }),
		expect: { others: 201 },
	},
	"POST /api/v1/support/responses/{response_id}/helpful": {
		access: "token",
		target: (w) => ({ token: w.support.forHelpful.token, params: { response_id: w.responseId } }),
		headers: ownerHoldsToken,
		expect: { owner: 200, others: 403 },
	},

	// ------------------------------------------------------------ trust
	"GET /api/v1/trust/me": { access: "user", expect: { others: 200 } },
	"POST /api/v1/trust/applications": {
		access: "user",
		body: () => ({ statement: "I would like to help more." }),
		// Eligibility, not permission: nobody here qualifies; flourishing is the top level.
		expect: { flourishing: 409, owner: 409, stranger: 409, others: 422 },
	},
	"GET /api/v1/trust/applications": { access: "user", expect: { others: 200 } },
	"POST /api/v1/trust/guide-applications": {
		access: "good_soil",
		body: () => ({ motivation: "I have been through grief and want to help others through it." }),
		// The owner's application is pending; a guide or guardian already holds the powers.
		expect: { owner: 409, guide: 409, guardian: 409, others: 201 },
	},
	"GET /api/v1/trust/guide-applications": { access: "user", expect: { others: 200 } },
	"DELETE /api/v1/trust/applications/{application_id}": {
		access: "user",
		target: (w) => ({ params: { application_id: w.guideApplicationId } }),
		fresh: async () => {
			const owner = await freshOwner();
			return { owner, params: { application_id: (await guideApplication(owner)).id } };
		},
		expect: { owner: 204, others: 404 },
	},

	// ------------------------------------------------------------ fellowship
	"GET /api/v1/fellowship/groups": { access: "public", expect: { others: 200 } },
	"POST /api/v1/fellowship/groups": {
		access: "good_soil",
		body: () => ({ name: "Book circle", group_type: "learning" }),
		expect: { others: 201 },
	},
	"GET /api/v1/fellowship/groups/{group_id}": [
		{ name: "public group", access: "public", target: groupTarget, expect: { others: 200 } },
		{
			name: "secret group",
			access: "public",
			target: secretGroupTarget,
			expect: { owner: 200, guardian: 200, others: 404 },
		},
	],
	"PATCH /api/v1/fellowship/groups/{group_id}": [
		{
			name: "public group",
			access: "user",
			target: groupTarget,
			body: () => ({ description: "We run at dawn." }),
			expect: { owner: 200, guardian: 200, others: 403 },
		},
		{
			name: "secret group",
			access: "user",
			target: secretGroupTarget,
			body: () => ({ description: "We talk at dusk." }),
			expect: { owner: 200, guardian: 200, others: 404 },
		},
	],
	"DELETE /api/v1/fellowship/groups/{group_id}": [
		{
			name: "public group",
			access: "user",
			target: groupTarget,
			fresh: () => freshGroup("public"),
			expect: { owner: 204, guardian: 204, others: 403 },
		},
		{
			name: "secret group",
			access: "user",
			target: secretGroupTarget,
			fresh: () => freshGroup("secret"),
			expect: { owner: 204, guardian: 204, others: 404 },
		},
	],
	"POST /api/v1/fellowship/groups/{group_id}/members": [
		{
			name: "public group",
			access: "user",
			target: (w) => ({ params: { group_id: w.openGroupId } }),
			expect: { owner: 409, others: 201 },
		},
		{ name: "secret group", access: "user", target: secretGroupTarget, expect: { owner: 409, others: 404 } },
	],
	"GET /api/v1/fellowship/groups/{group_id}/members": [
		{ name: "public group", access: "user", target: groupTarget, expect: { others: 200 } },
		{
			name: "secret group",
			access: "user",
			target: secretGroupTarget,
			expect: { owner: 200, guardian: 200, others: 404 },
		},
	],
	"PATCH /api/v1/fellowship/groups/{group_id}/members/{user_id}": {
		access: "user",
		target: (w) => ({ params: { group_id: w.groupId, user_id: w.member.id } }),
		fresh: freshGroupWithMember,
		body: () => ({ role: "moderator" }),
		expect: { owner: 200, guardian: 200, others: 403 },
	},
	"DELETE /api/v1/fellowship/groups/{group_id}/members/{user_id}": {
		access: "user",
		target: (w) => ({ params: { group_id: w.groupId, user_id: w.member.id } }),
		fresh: freshGroupWithMember,
		expect: { owner: 204, guardian: 204, others: 403 },
	},
	"POST /api/v1/fellowship/groups/{group_id}/invitations": {
		access: "user",
		target: groupTarget,
		fresh: () => freshGroup("public"),
		body: (_t, _who, w) => ({ user_id: w.invitee.id }),
		expect: { owner: 201, guardian: 201, others: 403 },
	},
	"GET /api/v1/fellowship/groups/{group_id}/events": [
		{ name: "public group", access: "user", target: groupTarget, expect: { others: 200 } },
		{
			name: "secret group",
			access: "user",
			target: secretGroupTarget,
			expect: { owner: 200, guardian: 200, others: 404 },
		},
	],
	"POST /api/v1/fellowship/groups/{group_id}/events": [
		{
			name: "public group",
			access: "user",
			target: groupTarget,
			body: EVENT_BODY,
			expect: { owner: 201, guardian: 201, others: 403 },
		},
		{
			name: "secret group",
			access: "user",
			target: secretGroupTarget,
			body: EVENT_BODY,
			expect: { owner: 201, guardian: 201, others: 404 },
		},
	],
	"GET /api/v1/fellowship/events/{event_id}": [
		{ name: "public group's event", access: "user", target: eventTarget, expect: { others: 200 } },
		{
			name: "secret group's event",
			access: "user",
			target: secretEventTarget,
			expect: { owner: 200, guardian: 200, others: 404 },
		},
	],
	"GET /api/v1/fellowship/events/{event_id}.ics": [
		{ name: "public group's event", access: "user", target: eventTarget, expect: { others: 200 } },
		{
			name: "secret group's event",
			access: "user",
			target: secretEventTarget,
			expect: { owner: 200, guardian: 200, others: 404 },
		},
	],
	"PATCH /api/v1/fellowship/events/{event_id}": [
		{
			name: "public group's event",
			access: "user",
			target: eventTarget,
			fresh: () => freshEvent("public"),
			body: () => ({ location: "The old oak" }),
			expect: { owner: 200, guardian: 200, others: 403 },
		},
		{
			name: "secret group's event",
			access: "user",
			target: secretEventTarget,
			fresh: () => freshEvent("secret"),
			body: () => ({ location: "The quiet room" }),
			expect: { owner: 200, guardian: 200, others: 404 },
		},
	],
	"POST /api/v1/fellowship/events/{event_id}/cancel": [
		{
			name: "public group's event",
			access: "user",
			target: eventTarget,
			fresh: () => freshEvent("public"),
			expect: { owner: 200, guardian: 200, others: 403 },
		},
		{
			name: "secret group's event",
			access: "user",
			target: secretEventTarget,
			fresh: () => freshEvent("secret"),
			expect: { owner: 200, guardian: 200, others: 404 },
		},
	],
	"PUT /api/v1/fellowship/events/{event_id}/rsvp": [
		{
			name: "public group's event",
			access: "user",
			target: eventTarget,
			body: () => ({ status: "going" }),
			// Only active members RSVP; guardians moderate but do not attend.
			expect: { owner: 200, others: 403 },
		},
		{
			name: "secret group's event",
			access: "user",
			target: secretEventTarget,
			body: () => ({ status: "maybe" }),
			expect: { owner: 200, guardian: 403, others: 404 },
		},
	],
	"GET /api/v1/fellowship/events/{event_id}/rsvps": [
		{ name: "public group's event", access: "user", target: eventTarget, expect: { others: 200 } },
		{
			name: "secret group's event",
			access: "user",
			target: secretEventTarget,
			expect: { owner: 200, guardian: 200, others: 404 },
		},
	],

	// ------------------------------------------------------------ reports, guardians, appeals
	"POST /api/v1/reports": [
		{
			name: "public post",
			access: "user",
			body: (_t, _who, w) => ({ target_type: "post", target_id: w.posts.reportable, reason: "spam" }),
			// Blocked people cannot see the post, so they cannot report it either.
			expect: { owner: 422, blocked: 404, others: 201 },
		},
		{
			name: "private post",
			access: "user",
			body: (_t, _who, w) => ({ target_type: "post", target_id: w.posts.reportablePrivate, reason: "spam" }),
			expect: { owner: 422, others: 404 },
		},
	],
	"GET /api/v1/guardians/queue": { access: "guardian", expect: { others: 200 } },
	"GET /api/v1/guardians/queue/{item_id}": {
		access: "guardian",
		target: (w) => ({ params: { item_id: w.queueItemId } }),
		expect: { others: 200 },
	},
	"POST /api/v1/guardians/queue/{item_id}/decision": {
		access: "guardian",
		target: (w) => ({ params: { item_id: w.queueItemId } }),
		fresh: async (w) => {
			const owner = await freshOwner();
			const reported = await post(owner, { body: "Reported for the decision case." });
			return { owner, params: { item_id: await queueItem(w.friend, reported.id) } };
		},
		body: () => ({ decision: "dismiss", reason: "Not spam." }),
		expect: { others: 200 },
	},
	"GET /api/v1/guardians/applications": { access: "guardian", expect: { others: 200 } },
	"POST /api/v1/guardians/applications/{application_id}/decision": {
		access: "guardian",
		target: (w) => ({ params: { application_id: w.guideApplicationId } }),
		fresh: async () => {
			const owner = await freshOwner();
			return { owner, params: { application_id: (await guideApplication(owner)).id } };
		},
		body: () => ({ decision: "reject", notes: "Not yet." }),
		expect: { others: 200 },
	},
	"PATCH /api/v1/guardians/users/{user_id}": {
		access: "guardian",
		target: (w) => ({ params: { user_id: w.adminTarget.id } }),
		body: () => ({ trust_locked: true, reason: "Holding steady for now." }),
		expect: { others: 200 },
	},
	"GET /api/v1/guardians/audit-log": { access: "guardian", expect: { others: 200 } },
	"GET /api/v1/guardians/stats": { access: "guardian", expect: { others: 200 } },
	"GET /api/v1/guardians/appeals": { access: "guardian", expect: { others: 200 } },
	"PATCH /api/v1/guardians/appeals/{appeal_id}": {
		access: "guardian",
		target: (w) => ({ params: { appeal_id: w.appealId } }),
		fresh: async (w) => {
			const appellant = await person();
			const penaltyId = await suspend(w.callers.guardian, appellant);
			return { owner: appellant, params: { appeal_id: (await appeal(appellant, penaltyId)).id } };
		},
		body: () => ({ decision: "uphold", notes: "The suspension stands." }),
		expect: { others: 200 },
	},
	"POST /api/v1/appeals": {
		// Only the suspended caller holds this penalty: everyone else is told it does not exist.
		access: "self",
		body: (_t, _who, w) => ({ penalty_id: w.penaltyId, body: "Please look at the whole thread." }),
		expect: { suspended: 201, others: 404 },
	},
	"GET /api/v1/penalties": { access: "self", expect: { others: 200 } },

	// ------------------------------------------------------------ helpers
	"POST /api/v1/moderation/check": {
		access: "user",
		body: () => ({ text: "Have a lovely day." }),
		expect: { others: 200 },
	},
	"GET /api/v1/recommendations": { access: "user", query: "kind=groups", expect: { others: 200 } },
	"GET /api/v1/search": { access: "public", query: "q=walk", expect: { others: 200 } },

	// ------------------------------------------------------------ notifications (one's own, suspended too)
	"GET /api/v1/notifications": { access: "self", expect: { others: 200 } },
	"GET /api/v1/notifications/unread-count": { access: "self", expect: { others: 200 } },
	"POST /api/v1/notifications/read": { access: "self", body: () => ({ all: true }), expect: { others: 200 } },
	"GET /api/v1/notifications/preferences": { access: "self", expect: { others: 200 } },
	"PATCH /api/v1/notifications/preferences": {
		access: "self",
		body: () => ({ types: { reaction: { push: false } } }),
		expect: { others: 200 },
	},
	// Web Push: the key is public; subscriptions are one's own (suspended people are still told about their account).
	"GET /api/v1/push/public-key": { access: "public", expect: { others: 200 } },
	"POST /api/v1/push/subscriptions": {
		access: "self",
		body: () => pushSubscriptionBody(),
		expect: { others: 201 },
	},
	"GET /api/v1/push/subscriptions": { access: "self", expect: { others: 200 } },
	"DELETE /api/v1/push/subscriptions/{subscription_id}": {
		access: "self",
		target: (w) => ({ params: { subscription_id: w.pushSubscriptionId } }),
		fresh: async () => {
			const owner = await freshOwner();
			return { owner, params: { subscription_id: (await pushSubscription(owner)).id } };
		},
		expect: { owner: 204, others: 404 },
	},
	"POST /api/v1/push/test": { access: "self", expect: { others: 200 } },
	// Media: anyone signed in uploads; an unattached upload is its uploader's alone (404 to everyone else,
	// anonymous callers too, as for an id that does not exist).
	"POST /api/v1/media": {
		access: "user",
		body: () => png(),
		headers: () => ({ "Content-Type": "image/png" }),
		expect: { others: 201 },
	},
	"GET /api/v1/media/{media_id}": {
		access: "public",
		target: (w) => ({ params: { media_id: w.mediaId } }),
		expect: { owner: 200, others: 404 },
	},
	"PATCH /api/v1/media/{media_id}": {
		access: "user",
		target: (w) => ({ params: { media_id: w.mediaId } }),
		body: () => ({ alt: "A small grey square" }),
		expect: { owner: 200, others: 404 },
	},
	"DELETE /api/v1/media/{media_id}": {
		access: "user",
		target: (w) => ({ params: { media_id: w.mediaId } }),
		fresh: async () => {
			const owner = await freshOwner();
			return { owner, params: { media_id: (await mediaUpload(owner)).id } };
		},
		expect: { owner: 204, others: 404 },
	},
	// The live stream: everyone has their own, suspended people have none (they still read the list).
	"POST /api/v1/stream/tickets": { access: "user", expect: { others: 201 } },
	"GET /api/v1/stream": {
		// Public in the router (a ticket may stand in for the token) but never open without a caller.
		access: "public",
		headers: () => ({ Upgrade: "websocket" }),
		expect: { anonymous: 401, others: 101 },
	},
};

/** Every variant of a row, as an array. */
export const variantsOf = (row: Row): Variant[] => (Array.isArray(row) ? row : [row]);
