/**
 * The world the fuzzer plays in: a handful of callers of every trust level and role (signed up once per
 * test file and reused), one of each resource made through the API, and the ids that exist, by the
 * parameter names that take them.
 */
import { env } from "cloudflare:workers";
import {
	call,
	expectStatus,
	setUserColumns,
	signUp,
	type TestUser,
	tokenFor,
	uniqueSub,
} from "../support/api";

export type CallerKind =
	| "anonymous"
	| "bad_token"
	| "new_sprout"
	| "growing"
	| "good_soil"
	| "flourishing"
	| "guide"
	| "guardian"
	| "suspended";

export interface Caller {
	kind: CallerKind;
	user?: TestUser;
	/** Sent as `Authorization: Bearer …` (the bad token is well-formed but signed by an unknown key). */
	token?: string;
}

/** What each signed-in caller's row must be (restored before each property: fuzzed admin calls change it). */
const COLUMNS: Record<Exclude<CallerKind, "anonymous" | "bad_token">, Record<string, string | null>> = {
	new_sprout: { role: "user", trust_level: "new_sprout", suspended_until: null },
	growing: { role: "user", trust_level: "growing", suspended_until: null },
	good_soil: { role: "user", trust_level: "good_soil", suspended_until: null },
	flourishing: { role: "user", trust_level: "flourishing", suspended_until: null },
	guide: { role: "guide", trust_level: "good_soil", suspended_until: null },
	guardian: { role: "guardian", trust_level: "flourishing", suspended_until: null },
	suspended: { role: "user", trust_level: "growing", suspended_until: "2999-01-01T00:00:00.000Z" },
};

/** Tables whose ids a parameter or body field of this name takes. */
const ID_SOURCES: Record<string, string[]> = {
	user_id: ["users"],
	author_id: ["users"],
	actor_id: ["users"],
	target_user_id: ["users"],
	guide_id: ["users"],
	habit_id: ["habits"],
	log_id: ["habit_logs"],
	post_id: ["posts"],
	comment_id: ["comments"],
	parent_id: ["comments", "project_discussions"],
	option_ids: ["poll_options"],
	connection_id: ["connections"],
	mentorship_id: ["mentorships"],
	item_id: ["nourishment_items", "moderation_queue_items"],
	share_id: ["sunlight_shares"],
	project_id: ["projects"],
	group_id: ["fellowship_groups"],
	event_id: ["group_events"],
	request_id: ["support_requests"],
	response_id: ["support_responses"],
	application_id: ["trust_applications", "guide_applications"],
	appeal_id: ["appeals"],
	penalty_id: ["penalties"],
	target_id: ["posts", "comments", "sunlight_shares", "support_requests", "projects", "users"],
};

export interface World {
	callers: Record<CallerKind, Caller>;
	/** Ids that exist for a parameter or field name (empty when the name means nothing to us). */
	idsFor(name: string): string[];
	/** The raw token of the fixture support request (for `X-Support-Token`). */
	supportToken: string;
	/** Puts every caller's role, trust level and suspension back as they were. */
	restoreCallers(): Promise<void>;
}

const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

async function created<T = { id: string }>(response: Promise<Response>, what: string): Promise<T> {
	const answer = await response;
	if (answer.status !== 200 && answer.status !== 201) {
		throw new Error(`fuzz world: creating ${what} answered ${answer.status}: ${await answer.text()}`);
	}
	return (await answer.json()) as T;
}

/** Signs the callers up and makes one of each resource, through the API. */
export async function buildWorld(label: string): Promise<World> {
	const users: Partial<Record<CallerKind, TestUser>> = {};
	for (const kind of Object.keys(COLUMNS) as Array<keyof typeof COLUMNS>) {
		users[kind] = await signUp(`fuzz-${label}-${kind}`);
	}
	const restoreCallers = async () => {
		for (const [kind, columns] of Object.entries(COLUMNS)) {
			const user = users[kind as keyof typeof COLUMNS];
			if (user) await setUserColumns(user.id, columns);
		}
	};
	await restoreCallers();
	const u = users as Record<keyof typeof COLUMNS, TestUser>;
	await env.DB.prepare(
		`INSERT INTO guide_profiles (id, user_id, headline, specialties, experience, availability, accepting_mentees, max_mentees, created_at, updated_at)
		 VALUES (?, ?, 'Listening first', '["anxiety","grief"]', '', 'evenings', 1, 50, ?, ?)`,
	)
		.bind(crypto.randomUUID(), u.guide.id, new Date().toISOString(), new Date().toISOString())
		.run();

	const api = "/api/v1";
	const as = (user: TestUser, method: string, path: string, body?: unknown) =>
		call(method, `${api}${path}`, { token: user.token, ...(body === undefined ? {} : { body }) });

	// The garden, the feed, sunlight.
	const habit = await created(
		as(u.growing, "POST", "/garden/habits", { name: "Walk", category: "health" }),
		"habit",
	);
	await created(as(u.growing, "POST", `/garden/habits/${habit.id}/logs`, {}), "habit log");
	const post = await created(
		as(u.growing, "POST", "/flourish/posts", { type: "text", body: "A calm morning" }),
		"post",
	);
	await created(
		as(u.growing, "POST", "/flourish/posts", {
			type: "poll",
			body: "Tea or coffee?",
			poll: { options: ["Tea", "Coffee"], closes_at: hoursFromNow(48) },
		}),
		"poll",
	);
	await created(
		as(u.good_soil, "POST", `/flourish/posts/${post.id}/comments`, { body: "Lovely" }),
		"comment",
	);
	const share = await created(
		as(u.growing, "POST", "/sunlight", { share_type: "gratitude", body: "Thankful for friends" }),
		"share",
	);

	// The orchard: an accepted connection (so chat works), a pending one, a message, a mentorship.
	const connection = await created(
		as(u.growing, "POST", "/orchard/connections", { user_id: u.good_soil.id }),
		"connection",
	);
	await expectStatus(
		await as(u.good_soil, "PATCH", `/orchard/connections/${connection.id}`, { status: "accepted" }),
		200,
	);
	await created(
		as(u.new_sprout, "POST", "/orchard/connections", { user_id: u.flourishing.id }),
		"connection",
	);
	await created(
		as(u.growing, "POST", `/orchard/conversations/${u.good_soil.id}/messages`, { text: "Hello there" }),
		"message",
	);
	await created(
		as(u.growing, "POST", "/orchard/mentorships", { guide_id: u.guide.id, goals: "Sleep better" }),
		"mentorship",
	);

	// Team Up and Fellowship.
	const project = await created<{ id: string }>(
		as(u.growing, "POST", "/teamup/projects", { title: "Park clean-up", project_type: "community_service" }),
		"project",
	);
	await created(
		as(u.growing, "POST", `/teamup/projects/${project.id}/discussions`, { body: "Saturday?" }),
		"discussion",
	);
	const group = await created<{ id: string }>(
		as(u.good_soil, "POST", "/fellowship/groups", { name: "Morning walkers", group_type: "wellness" }),
		"group",
	);
	const event = await created<{ id: string }>(
		as(u.good_soil, "POST", `/fellowship/groups/${group.id}/events`, {
			title: "Sunrise walk",
			event_type: "online",
			starts_at: hoursFromNow(24),
			ends_at: hoursFromNow(25),
			url: "https://meet.example/walk",
			capacity: 2,
		}),
		"event",
	);
	await expectStatus(
		await as(u.good_soil, "PUT", `/fellowship/events/${event.id}/rsvp`, { status: "going" }),
		200,
	);

	// Anonymous support, with its token.
	const support = await created<{ request: { id: string }; token: string }>(
		as(u.new_sprout, "POST", "/support/requests", {
			title: "Feeling low",
			body: "It has been a hard week at work.",
			category: "stress",
		}),
		"support request",
	);
	await created(
		as(u.growing, "POST", `/support/requests/${support.request.id}/responses`, {
			body: "You are not alone.",
		}),
		"support response",
	);

	// Curation, trust, moderation: an item, a guide application, reports, a warning and its appeal.
	await created(
		as(u.guardian, "POST", "/nourishment", { title: "Breathe", content_type: "quote", category: "hope" }),
		"nourishment item",
	);
	await created(
		as(u.good_soil, "POST", "/trust/guide-applications", { motivation: "I would like to help others heal." }),
		"guide application",
	);
	await created(
		as(u.good_soil, "POST", "/reports", { target_type: "post", target_id: post.id, reason: "spam" }),
		"report",
	);
	await created(
		as(u.flourishing, "POST", "/reports", {
			target_type: "sunlight_share",
			target_id: share.id,
			reason: "other",
		}),
		"report",
	);
	const queue = await expectStatus<{ data: Array<{ id: string; target_id: string }> }>(
		await as(u.guardian, "GET", "/guardians/queue"),
		200,
	);
	const postItem = queue.data.find((item) => item.target_id === post.id);
	if (postItem) {
		await created(
			as(u.guardian, "POST", `/guardians/queue/${postItem.id}/decision`, {
				decision: "warn",
				reason: "Fuzz setup",
			}),
			"warning",
		);
		const penalties = await expectStatus<{ data: Array<{ id: string }> }>(
			await as(u.growing, "GET", "/penalties"),
			200,
		);
		const penalty = penalties.data[0];
		if (penalty) {
			await created(
				as(u.growing, "POST", "/appeals", { penalty_id: penalty.id, body: "It was not spam." }),
				"appeal",
			);
		}
	}
	await restoreCallers();

	const pools = new Map<string, string[]>();
	const allIds: string[] = [];
	const tables = new Set(Object.values(ID_SOURCES).flat());
	const byTable = new Map<string, string[]>();
	for (const table of tables) {
		const { results } = await env.DB.prepare(`SELECT id FROM ${table} ORDER BY id DESC LIMIT 12`).all<{
			id: string;
		}>();
		const ids = results.map((row) => row.id);
		byTable.set(table, ids);
		allIds.push(...ids);
	}
	for (const [name, sources] of Object.entries(ID_SOURCES)) {
		pools.set(
			name,
			sources.flatMap((table) => byTable.get(table) ?? []),
		);
	}

	const badToken = await tokenFor(uniqueSub("fuzz-bad"), { key: "unknown" });
	const callers = {
		anonymous: { kind: "anonymous" },
		bad_token: { kind: "bad_token", token: badToken },
	} as Record<CallerKind, Caller>;
	for (const kind of Object.keys(COLUMNS) as Array<keyof typeof COLUMNS>) {
		callers[kind] = { kind, user: u[kind], token: u[kind].token };
	}

	return {
		callers,
		idsFor: (name) => pools.get(name) ?? (name.endsWith("_id") ? allIds : []),
		supportToken: support.token,
		restoreCallers,
	};
}
