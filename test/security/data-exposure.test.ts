/**
 * OWASP API3 (property level), reads: no answer carries what must stay private — emails and Auth0 `sub`s
 * (only ever to their owner, on `GET /users/me` and the export), support-token hashes and salts, chat and
 * stream ticket hashes, raw support tokens after the one answer that creates them, who wrote anonymous
 * content (anonymous sunlight shares; support requests store no author at all), or an exact sign-up time
 * (which could be lined up with anonymous content).
 *
 * A "canary" signs up with a distinctive email, `sub` and name and leaves traces in every feature; an
 * "anonymous author" writes only anonymous content. Then every GET operation of the OpenAPI document is
 * called by several kinds of viewer and the raw text of each answer is searched.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { expectStatus, setUserColumns, type TestUser, tokenFor, uniqueSub } from "../support/api";
import {
	buildWorld,
	comment,
	connect,
	inBatches,
	joinGroup,
	joinProject,
	mediaUpload,
	mentorship,
	must,
	post,
	quietRequestLog,
	request,
	share,
	supportRequest,
	supportResponse,
	type World,
} from "./support/world";

type OpenApiDocument = { paths: Record<string, Record<string, unknown>> };

const isUpgrade = (operation: unknown) =>
	typeof operation === "object" &&
	operation !== null &&
	"101" in ((operation as { responses?: object }).responses ?? {});

const tag = crypto.randomUUID().replaceAll("-", "").slice(0, 10);
const CANARY_EMAIL = `canary.${tag}@exposure.test`;
const CANARY_NAME = `Canary ${tag}`;
const ANON_NAME = `Quiet ${tag}`;

let world: World;
let doc: OpenApiDocument;
let canary: TestUser;
let anonAuthor: TestUser;
let canaryPost: string;
let canaryShare: string;
let canaryHabit: string;
let canaryMedia: string;
let anonShare: string;
let anonRequest: { id: string; token: string };
let queueItems: string[];

async function signUpWith(label: string, claims: Record<string, string>): Promise<TestUser> {
	const sub = uniqueSub(label);
	const token = await tokenFor(sub, { claims });
	const me = await expectStatus<{ id: string }>(
		await request("GET", "/users/me", { as: { id: "", sub, token } }),
		200,
	);
	return { id: me.id, sub, token };
}

beforeAll(async () => {
	quietRequestLog();
	doc = await expectStatus<OpenApiDocument>(await request("GET", "/api/v1/openapi.json"), 200);
	world = await buildWorld();
	const { owner, callers } = world;

	canary = await signUpWith("canary", { email: CANARY_EMAIL, name: CANARY_NAME });
	await setUserColumns(canary.id, { trust_level: "flourishing" });
	anonAuthor = await signUpWith("anon-author", { email: `anon.${tag}@exposure.test`, name: ANON_NAME });
	await setUserColumns(anonAuthor.id, { trust_level: "growing" });

	// The canary everywhere: connected with the owner, posting, commenting, sharing, joining, talking.
	await connect(owner, canary);
	canaryPost = (await post(canary, { body: `Canary's walk ${tag}` })).id;
	await comment(canary, world.posts.public, `Canary's comment ${tag}`);
	canaryShare = (await share(canary, { body: `Canary's gratitude ${tag}` })).id;
	canaryHabit = (
		await must<{ id: string }>(201, "POST", "/garden/habits", {
			as: canary,
			body: { name: "Canary's habit", category: "health" },
		})
	).id;
	canaryMedia = (await mediaUpload(canary)).id;
	await joinGroup(canary, world.groupId);
	await must(200, "PUT", `/fellowship/events/${world.eventId}/rsvp`, {
		as: canary,
		body: { status: "going" },
	});
	await joinProject(canary, world.projectId);
	await must(201, "POST", `/teamup/projects/${world.projectId}/discussions`, {
		as: canary,
		body: { body: `Canary's idea ${tag}` },
	});
	await supportResponse(canary, world.support.community.id);
	await mentorship(canary, world.openGuide);
	await must(200, "PUT", `/flourish/posts/${world.posts.public}/reaction`, {
		as: canary,
		body: { reaction_type: "love" },
	});
	await must(201, "POST", `/orchard/conversations/${owner.id}/messages`, {
		as: canary,
		body: { text: `Canary says hi ${tag}` },
	});
	await must(201, "POST", `/orchard/conversations/${canary.id}/tickets`, { as: owner });
	await must(201, "POST", "/stream/tickets", { as: canary });
	await must(201, "POST", "/reports", {
		as: canary,
		body: { target_type: "post", target_id: world.posts.reportable, reason: "misinformation" },
	});
	await must(201, "POST", "/trust/guide-applications", {
		as: canary,
		body: { motivation: "The canary would like to guide others through hard times." },
	});

	// The anonymous author writes only anonymous content; others react to and report it.
	anonShare = (await share(anonAuthor, { anonymous: true, body: `Anonymous gratitude ${tag}` })).id;
	anonRequest = await supportRequest(anonAuthor, { body: `Anonymous request for help ${tag}` });
	await supportResponse(callers.guide, anonRequest.id);
	await must(200, "PUT", `/sunlight/${anonShare}/reactions/hug`, { as: callers.stranger });
	for (const [type, id] of [
		["sunlight_share", anonShare],
		["support_request", anonRequest.id],
		["post", canaryPost],
	] as const) {
		await must(201, "POST", "/reports", {
			as: callers.stranger,
			body: { target_type: type, target_id: id, reason: "other" },
		});
	}
	const items = await env.DB.prepare("SELECT id FROM moderation_queue_items").all<{ id: string }>();
	queueItems = items.results.map((row) => row.id);
}, 120_000);

interface Probe {
	operation: string;
	viewer: string;
	as: TestUser | undefined;
	path: string;
}

/** Values for each path parameter, chosen so that answers carry the canary's and the anonymous author's traces. */
function parameterValues(template: string, name: string, viewer: string): string[] {
	switch (name) {
		case "user_id":
			// A conversation path names the peer: the owner's with the canary, the canary's with the owner.
			if (template.includes("/conversations/")) return [viewer === "canary" ? world.owner.id : canary.id];
			return [canary.id];
		case "post_id":
			return [canaryPost, world.posts.public];
		case "share_id":
			return [anonShare, canaryShare];
		case "habit_id":
			return [canaryHabit];
		case "media_id":
			// The canary's upload: only the canary sees it (the bytes of a PNG, searched like any answer).
			return [canaryMedia];
		case "group_id":
			return [world.groupId];
		case "event_id":
			return [world.eventId];
		case "project_id":
			return [world.projectId];
		case "request_id":
			return [anonRequest.id, world.support.community.id];
		case "item_id":
			return template.includes("/guardians/queue/") ? queueItems : [world.nourishmentId];
		default:
			throw new Error(`${template}: no values for {${name}}`);
	}
}

const QUERIES: Record<string, string[]> = {
	"/api/v1/recommendations": ["kind=groups", "kind=projects", "kind=guides", "kind=nourishment"],
	"/api/v1/flourish/feed": ["sort=recent", "sort=top", "sort=for_you"],
	"/api/v1/support/requests": ["", "visibility=guides_only"],
	// The canary's words and the anonymous author's, found by what they say: still no one's secrets.
	"/api/v1/search": [`q=${tag}`, "q=walk", `q=gratitude%20${tag}`, `q=anonymous%20${tag}&sort=recent`],
};

function probes(): Probe[] {
	const viewers: Array<[string, TestUser | undefined]> = [
		["anonymous", undefined],
		["owner", world.owner],
		["stranger", world.callers.stranger],
		["guide", world.callers.guide],
		["guardian", world.callers.guardian],
		["canary", canary],
	];
	const all: Probe[] = [];
	for (const [template, operations] of Object.entries(doc.paths)) {
		// WebSocket upgrades (documented 101) answer no JSON to search: their frames are tested with the feature.
		if (!("get" in operations) || isUpgrade(operations.get)) continue;
		for (const [viewer, as] of viewers) {
			let paths = [template];
			for (const name of template.match(/\{(\w+)\}/g) ?? []) {
				const key = name.slice(1, -1);
				paths = paths.flatMap((path) =>
					parameterValues(template, key, viewer).map((value) => path.replace(name, value)),
				);
			}
			for (const path of paths) {
				for (const query of QUERIES[template] ?? [""]) {
					all.push({ operation: `GET ${template}`, viewer, as, path: query ? `${path}?${query}` : path });
				}
			}
		}
	}
	return all;
}

describe("what answers never carry", () => {
	it("no email, sub, token hash or salt, ticket hash, raw token, or anonymous author, in any GET", async () => {
		const { results: sealed } = await env.DB.prepare(
			"SELECT token_hash, token_salt FROM support_requests",
		).all<{
			token_hash: string;
			token_salt: string;
		}>();
		const { results: tickets } = await env.DB.prepare(
			"SELECT ticket_hash FROM chat_tickets UNION ALL SELECT ticket_hash FROM stream_tickets",
		).all<{ ticket_hash: string }>();
		expect(sealed.length).toBeGreaterThan(5);
		expect(tickets.length).toBeGreaterThan(0);
		const neverAnywhere = [
			...sealed.flatMap((row) => [row.token_hash, row.token_salt]),
			...tickets.map((row) => row.ticket_hash),
			...Object.values(world.support).map((each) => each.token),
			anonRequest.token,
		];
		const selfOnly = new Set(["GET /api/v1/users/me", "GET /api/v1/users/me/export"]);
		// Exact sign-up times reach no one but their owner (others see the day), so none can be lined up with
		// the anonymous author's request or share — whose ids are random and times whole hours.
		const signedUp = await env.DB.prepare("SELECT id, created_at FROM users WHERE id IN (?, ?)")
			.bind(canary.id, anonAuthor.id)
			.all<{ id: string; created_at: string }>();
		expect(signedUp.results).toHaveLength(2);
		expect([anonRequest.id, anonShare].map((id) => id.charAt(14))).toEqual(["4", "4"]);

		const all = probes();
		const answers = await inBatches(
			8,
			all.map((probe) => async () => {
				const response = await request("GET", probe.path, { as: probe.as });
				return { probe, status: response.status, text: await response.text() };
			}),
		);

		const leaks: string[] = [];
		let sawCanary = 0;
		let sawAnonymousContent = 0;
		for (const { probe, status, text } of answers) {
			const where = `${probe.viewer} ${probe.path} (${status})`;
			if (status >= 500) leaks.push(`${where}: server error`);
			const ownData = probe.viewer === "canary" && selfOnly.has(probe.operation);
			for (const secret of neverAnywhere)
				if (text.includes(secret)) leaks.push(`${where}: a token, hash or salt`);
			if (!ownData) {
				if (text.includes(CANARY_EMAIL) || text.includes(`canary.${tag}`)) leaks.push(`${where}: the email`);
				if (text.includes(canary.sub)) leaks.push(`${where}: the Auth0 sub`);
			}
			if (!selfOnly.has(probe.operation)) {
				if (text.includes("auth0|")) leaks.push(`${where}: an Auth0 sub`);
				if (text.includes('"email"')) leaks.push(`${where}: an email field`);
			}
			// Guardians see who wrote an anonymous share in their queue (to warn or suspend); nobody else, anywhere.
			const moderation = probe.viewer === "guardian" && probe.path.startsWith("/api/v1/guardians/");
			if (!moderation && (text.includes(anonAuthor.id) || text.includes(ANON_NAME))) {
				leaks.push(`${where}: the author of anonymous content`);
			}
			for (const user of signedUp.results) {
				if (probe.as?.id !== user.id && text.includes(user.created_at)) {
					leaks.push(`${where}: someone else's exact sign-up time`);
				}
			}
			if (text.includes(canary.id) || text.includes(CANARY_NAME)) sawCanary++;
			if (text.includes(`Anonymous gratitude ${tag}`) || text.includes(`Anonymous request for help ${tag}`)) {
				sawAnonymousContent++;
			}
		}
		expect(leaks).toEqual([]);
		// The scan is not vacuous: every operation answered someone with data,: the traces are there, and the canary's own profile does carry the email.
		const answered = new Set(answers.filter((a) => a.status === 200).map((a) => a.probe.operation));
		expect([...new Set(all.map((p) => p.operation))].filter((op) => !answered.has(op))).toEqual([]);
		expect(sawCanary).toBeGreaterThan(50);
		expect(sawAnonymousContent).toBeGreaterThan(10);
		const own = answers.find(
			(a) => a.probe.viewer === "canary" && a.probe.operation === "GET /api/v1/users/me",
		);
		expect(own?.text).toContain(CANARY_EMAIL);
		console.info(
			`data exposure: ${answers.length} GET answers scanned (${new Set(all.map((p) => p.operation)).size} operations, 6 viewers)`,
		);
	}, 120_000);

	it("a public profile is exactly the public fields", async () => {
		const profile = await must<Record<string, unknown>>(200, "GET", `/users/${canary.id}`, {
			as: world.callers.stranger,
		});
		expect(Object.keys(profile).sort()).toEqual(
			[
				"avatar_url",
				"bio",
				"created_at",
				"display_name",
				"id",
				"interests",
				"is_verified_guide",
				"role",
				"trust_level",
				// Where the caller stands with them (users/relationship): about the pair, nothing private.
				"connection",
				"blocked_by_me",
				"can_message",
			].sort(),
		);
	});

	it("an anonymous share names no author to others, only to its author", async () => {
		const seen = await must<{ author: unknown; is_mine: boolean }>(200, "GET", `/sunlight/${anonShare}`, {
			as: world.callers.guardian,
		});
		expect(seen).toMatchObject({ author: null, is_mine: false });
		const mine = await must<{ author: { id: string } | null; is_mine: boolean }>(
			200,
			"GET",
			`/sunlight/${anonShare}`,
			{ as: anonAuthor },
		);
		expect(mine).toMatchObject({ author: { id: anonAuthor.id }, is_mine: true });
	});

	it("keeps no time finer than the day in the support counter, not even in its UUIDv7 id", async () => {
		// The counter row is keyed by HMAC(user, day); a creation instant in it would match the request's own.
		const { results } = await env.DB.prepare(
			"SELECT id, day, created_at, updated_at FROM support_quota",
		).all<{
			id: string;
			day: string;
			created_at: string;
			updated_at: string;
		}>();
		expect(results.length).toBeGreaterThan(0);
		for (const row of results) {
			const dayStart = Date.parse(`${row.day}T00:00:00.000Z`);
			const idMillis = Number.parseInt(row.id.replaceAll("-", "").slice(0, 12), 16);
			expect(idMillis, row.id).toBe(dayStart);
			expect([Date.parse(row.created_at), Date.parse(row.updated_at)]).toEqual([dayStart, dayStart]);
		}
	});

	it("stores no author for a support request, and its queue item names none", async () => {
		const row = await env.DB.prepare("SELECT * FROM support_requests WHERE id = ?")
			.bind(anonRequest.id)
			.first<Record<string, unknown>>();
		expect(JSON.stringify(row)).not.toContain(anonAuthor.id);
		const item = await env.DB.prepare(
			"SELECT target_author_id FROM moderation_queue_items WHERE target_type = 'support_request' AND target_id = ?",
		)
			.bind(anonRequest.id)
			.first();
		expect(item).toEqual({ target_author_id: null });
	});
});
