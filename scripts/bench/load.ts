/**
 * The benchmark's load generator, a process apart from the server (run pinned to its own core by
 * scripts/bench/run.ts). Drives the API Worker's own socket with autocannon — one autocannon instance in
 * this one thread, a fixed number of connections — using valid tokens of many dataset users, then runs the
 * extras when asked to (`--extras`): the latency model (the endpoints again, with every D1 round trip of the
 * request handlers delayed by where it would go), micro figures, RSVP, the fan-out of a cancelled event, chat,
 * habit reminders and Web Push (lib/reminders-extra.ts).
 *
 *   node --import tsx scripts/bench/load.ts --fixtures FILE --key FILE --out FILE [--duration 8] [--warmup 2]
 *        [--connections 10] [--only name,name] [--extras] [--live-streams 500]
 *        [--inspector-port N --profile-dir DIR]
 *
 * `--only` names endpoints (the trivial one always runs) and extras (EXTRAS below); with `--only`, only the
 * extras it names run. `--live-streams` is how many of the fan-out's attendees hold their live stream open
 * during the cancel.
 *
 * With `--profile-dir`, each endpoint's measured phase is also CPU-profiled (scripts/bench/lib/profiler.ts)
 * and the busiest functions of the API isolate are printed.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { isRecord } from "../lib/guards.ts";
import { SEARCH_TERMS } from "./lib/dataset.mts";
import { type BenchKey, mintTokens } from "./lib/issuer.ts";
import { PHOTO_HEIGHT, PHOTO_WIDTH, photoJpeg } from "./lib/photo.ts";
import { startProfiles } from "./lib/profiler.ts";
import { measureReminders } from "./lib/reminders-extra.ts";
import type {
	BenchFixtures,
	ChatResult,
	EndpointResult,
	FanOutResult,
	LatencyEndpointResult,
	LatencyResult,
	MicroResult,
	RsvpResult,
	SizeResult,
	TripCounts,
} from "./lib/results.ts";

const { values: args } = parseArgs({
	options: {
		fixtures: { type: "string" },
		key: { type: "string" },
		out: { type: "string" },
		duration: { type: "string", default: "8" },
		warmup: { type: "string", default: "2" },
		connections: { type: "string", default: "10" },
		only: { type: "string" },
		extras: { type: "boolean", default: false },
		/** Attendees of the fan-out whose live stream is open during the cancel (0: none). */
		"live-streams": { type: "string", default: "500" },
		"inspector-port": { type: "string" },
		"profile-dir": { type: "string" },
		/** The chat levels (pairs); each on the API, and the one of 50 pairs (else the first) with D1 delayed. */
		"chat-pairs": { type: "string", default: "10,25,50,200" },
		/** workerd's processes: their CPU time is read around each chat level. */
		"workerd-pids": { type: "string" },
	},
});
declare module "autocannon" {
	namespace autocannon {
		interface Instance {
			/**
			 * Each response, with the client that received it (autocannon 9's lib/run.js); @types/autocannon
			 * declares this event only on a client.
			 */
			on(
				event: "response",
				listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void,
			): this;
		}
	}
}

/** run.ts always passes these. */
function required(name: "fixtures" | "key" | "out"): string {
	const value = args[name];
	if (value === undefined) throw new Error(`--${name} is required`);
	return value;
}
// Written by server.ts and run.ts.
const fixtures: BenchFixtures = JSON.parse(readFileSync(required("fixtures"), "utf8"));
const key: BenchKey = JSON.parse(readFileSync(required("key"), "utf8"));
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const API = `${fixtures.apiUrl}/api/v1`;
const log = (message: string) => process.stderr.write(`[load ${fixtures.size}] ${message}\n`);

const chatSubs = fixtures.chatPairs.flat().map((person) => person.sub);
const tokens = await mintTokens(key, [
	...fixtures.readers,
	...fixtures.posters,
	...fixtures.guardians,
	...chatSubs,
	...fixtures.rsvp.members,
	...fixtures.notified,
	fixtures.fanOut.organiser,
	...fixtures.fanOut.attendeeSubs.slice(0, Number(args["live-streams"])),
]);
/** The token of a sub (every dataset sub the load generator uses has one). */
const tokenOf = (sub: string): string => {
	const token = tokens.get(sub);
	if (token === undefined) throw new Error(`no token was minted for ${sub}`);
	return token;
};
const tokensOf = (subs: string[]) => subs.map(tokenOf);
const readerTokens = tokensOf(fixtures.readers);
const posterTokens = tokensOf(fixtures.posters);
const guardianTokens = tokensOf(fixtures.guardians);
const notifiedTokens = tokensOf(fixtures.notified);

interface Endpoint {
	name: string;
	label: string;
	/** One path, or `paths` taken in turn. */
	path?: string;
	paths?: string[];
	anonymous?: boolean;
	/** One request before the warm-up (see measureEndpoints). */
	prime?: boolean;
	method?: "POST";
	/** The token pool; readers by default. */
	tokens?: string[];
	/** A JSON text, or raw bytes sent with `contentType`. */
	body?: (n: number) => string | Buffer;
	/** The body's type: application/json unless given. */
	contentType?: string;
	/** The one status that counts as success (any 2xx unless given); every other answer is an error. */
	expect?: number;
	/** Run once before the endpoint's first request (e.g. to make what it reads); may set `path`. */
	setup?: () => Promise<void>;
	/** Sent with every request (the latency extra's choice of model). */
	headers?: Record<string, string>;
	/** Sent with request n (e.g. each from its own address). */
	headersOf?: (n: number) => Record<string, string>;
}

/**
 * The endpoints, in the order they run. Each request takes the next token of its pool (and the next path,
 * where a list is given), so consecutive requests come from different people.
 */
const ENDPOINTS: Endpoint[] = [
	{ name: "trivial", label: "GET / (liveness, no auth, no D1)", path: "/", anonymous: true },
	{ name: "users_me", label: "GET /users/me", path: `${API}/users/me` },
	{ name: "garden", label: "GET /garden", path: `${API}/garden` },
	{ name: "feed_recent", label: "GET /flourish/feed?sort=recent", path: `${API}/flourish/feed?sort=recent` },
	{ name: "feed_top", label: "GET /flourish/feed?sort=top", path: `${API}/flourish/feed?sort=top` },
	{
		name: "feed_for_you",
		label: "GET /flourish/feed?sort=for_you",
		path: `${API}/flourish/feed?sort=for_you`,
		prime: true,
	},
	{
		name: "post_comments",
		label: "GET /flourish/posts/{id}/comments",
		paths: fixtures.threadPostIds.map((id) => `${API}/flourish/posts/${id}/comments`),
	},
	{ name: "conversations", label: "GET /orchard/conversations", path: `${API}/orchard/conversations` },
	{ name: "groups", label: "GET /fellowship/groups", path: `${API}/fellowship/groups` },
	{
		name: "guardian_queue",
		label: "GET /guardians/queue (guardians)",
		path: `${API}/guardians/queue`,
		tokens: guardianTokens,
	},
	{
		name: "recommendations_groups",
		label: "GET /recommendations?kind=groups",
		path: `${API}/recommendations?kind=groups`,
		prime: true,
	},
	// People with 10,000 notifications each (scripts/bench/lib/dataset.mts), read in turn.
	{
		name: "notifications",
		label: "GET /notifications (10,000 each)",
		path: `${API}/notifications`,
		tokens: notifiedTokens,
	},
	{
		name: "unread_count",
		label: "GET /notifications/unread-count (10,000 each)",
		path: `${API}/notifications/unread-count`,
		tokens: notifiedTokens,
	},
	// Search (issue 21): a common word (a third of the posts), a rare one, a phrase and a two-letter prefix,
	// each best first and newest first; every reader sees what their own visibility allows.
	...searchEndpoints(),
	// Media (issue 22): a public post's photo, as an <img> fetches it (no token: public posts' media are served
	// to anyone; each request from its own address), then uploads of a ≈ 1 MiB photo (writes, but nothing the feeds read).
	...mediaEndpoints(),
	// Writes last: new posts change what the feeds above would read.
	{
		name: "create_post",
		label: "POST /flourish/posts",
		path: `${API}/flourish/posts`,
		method: "POST",
		tokens: posterTokens,
		body: (n) =>
			JSON.stringify({
				type: "text",
				visibility: "public",
				body: `Bench post ${n}: ten minutes of stretching before work, every day this week.`,
			}),
	},
	{ name: "trivial_again", label: "GET / (again, after the others)", path: "/", anonymous: true },
];

/** `GET /search` for each of SEARCH_TERMS (scripts/bench/lib/dataset.mts), by relevance and newest first. */
function searchEndpoints(): Endpoint[] {
	return Object.entries(SEARCH_TERMS).flatMap(([kind, q]) =>
		(["relevance", "recent"] as const).map((sort) => ({
			name: `search_${kind}_${sort}`,
			label: `GET /search?q=${q} (${kind}; ${sort})`,
			path: `${API}/search?${new URLSearchParams({ q, sort })}`,
		})),
	);
}
/**
 * The media cases. The photo is ≈ 1 MiB (lib/photo.ts). Uploads come from the posters (1,000 people, every one
 * growing or above: at least 20 uploads and 50 MiB a day each, docs/decisions/media.md), in turn, so the daily
 * allowance (a 429) is never what is measured: 20,000 uploads before any of them could reach it. The image
 * read is uploaded once by a poster and attached to a public image post, through the API (R2 gets its object
 * the way it does in production), just before that endpoint runs.
 */
function mediaEndpoints(): Endpoint[] {
	const photo = Buffer.from(photoJpeg());
	const mib = (photo.length / 2 ** 20).toFixed(2);
	const get: Endpoint = {
		name: "media_get",
		label: `GET /media/{id} (a public post's ${mib} MiB JPEG, no token)`,
		anonymous: true,
		// Many viewers, each from their own address: one address is limited to 300 anonymous requests a minute.
		headersOf: (n) => ({ "CF-Connecting-IP": `10.22.${(n >> 8) & 0xff}.${n & 0xff}` }),
		expect: 200,
		setup: async () => {
			const token = posterTokens[0];
			const upload = await fetch(`${API}/media?alt=${encodeURIComponent("A bench photo")}`, {
				method: "POST",
				headers: { authorization: `Bearer ${token}`, "content-type": "image/jpeg" },
				body: photo,
			});
			const uploaded: unknown = await upload.json();
			if (upload.status !== 201 || !isRecord(uploaded) || typeof uploaded.id !== "string")
				throw new Error(`media_get setup: upload answered ${upload.status} ${JSON.stringify(uploaded)}`);
			const post = await fetch(`${API}/flourish/posts`, {
				method: "POST",
				headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
				body: JSON.stringify({
					type: "image",
					visibility: "public",
					body: "Morning light on the allotment.",
					media_ids: [uploaded.id],
				}),
			});
			if (post.status !== 201)
				throw new Error(`media_get setup: the post answered ${post.status} ${await post.text()}`);
			await post.arrayBuffer();
			get.path = `${API}/media/${uploaded.id}`;
			const check = await fetch(get.path);
			const served = new Uint8Array(await check.arrayBuffer());
			if (check.status !== 200 || served.length !== photo.length)
				throw new Error(`media_get setup: the photo answered ${check.status} with ${served.length} bytes`);
		},
	};
	const upload: Endpoint = {
		name: "media_upload",
		label: `POST /media (a ${mib} MiB JPEG, ${PHOTO_WIDTH}×${PHOTO_HEIGHT})`,
		path: `${API}/media`,
		method: "POST",
		tokens: posterTokens,
		body: () => photo,
		contentType: "image/jpeg",
		expect: 201,
	};
	return [get, upload];
}

/** The one search endpoint the latency extra measures (all search endpoints make the same round trips). */
const LATENCY_SEARCH = "search_common_relevance";

/** The extras (run with `--extras`), by the names `--only` selects them with. */
const EXTRAS = ["latency", "micro", "rsvp", "event_cancel_fan_out", "chat", "reminders"] as const;
const onlyNames = args.only ? new Set(args.only.split(",")) : undefined;
for (const name of onlyNames ?? []) {
	if (!ENDPOINTS.some((endpoint) => endpoint.name === name) && !(EXTRAS as readonly string[]).includes(name))
		throw new Error(`--only: ${name} is neither an endpoint nor an extra`);
}

function percentile(sorted: number[], p: number): number | null {
	if (sorted.length === 0) return null;
	const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[index] ?? null;
}

const round = (value: number | null, digits = 2) =>
	value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

/** One autocannon run; latencies are kept at full resolution (autocannon's own histogram is in whole ms). */
function runAutocannon(
	endpoint: Endpoint,
	seconds: number,
	record: boolean,
): Promise<Omit<EndpointResult, "label">> {
	const pool = endpoint.tokens ?? readerTokens;
	const paths = endpoint.paths ?? [endpoint.path ?? "/"];
	let n = 0;
	const latencies: number[] = [];
	const statuses: Record<string, number> = {};
	const errorSamples: string[] = [];
	const failed = (status: number) =>
		endpoint.expect === undefined ? status < 200 || status > 299 : status !== endpoint.expect;
	return new Promise((resolve, reject) => {
		const instance = autocannon(
			{
				url: fixtures.apiUrl,
				connections: CONNECTIONS,
				pipelining: 1,
				duration: seconds,
				// autocannon counts 2xx; anything else is reported, never hidden.
				requests: [
					{
						setupRequest(request) {
							const i = n++;
							const target = new URL(paths[i % paths.length] ?? "/", fixtures.apiUrl);
							request.path = `${target.pathname}${target.search}`;
							request.method = endpoint.method ?? "GET";
							const headers = { ...request.headers, ...endpoint.headers, ...endpoint.headersOf?.(i) };
							request.headers = headers;
							if (!endpoint.anonymous) headers.authorization = `Bearer ${pool[i % pool.length]}`;
							if (endpoint.body) {
								request.body = endpoint.body(i);
								headers["content-type"] = endpoint.contentType ?? "application/json";
							}
							return request;
						},
						onResponse(status, body) {
							statuses[status] = (statuses[status] ?? 0) + 1;
							if (failed(status) && errorSamples.length < 3) errorSamples.push(body.slice(0, 300));
						},
					},
				],
			},
			(error, result) => {
				if (error) return reject(error);
				latencies.sort((a, b) => a - b);
				resolve({
					requests: result.requests.total,
					rps: round(result.requests.total / result.duration, 1),
					p50: round(percentile(latencies, 50)),
					p95: round(percentile(latencies, 95)),
					p99: round(percentile(latencies, 99)),
					statuses,
					// With `expect`, every other status (a 2xx too) counts here.
					non2xx:
						endpoint.expect === undefined
							? result.non2xx
							: Object.entries(statuses).reduce(
									(sum, [status, count]) => sum + (failed(Number(status)) ? count : 0),
									0,
								),
					errors: result.errors,
					timeouts: result.timeouts,
					errorSamples,
				});
			},
		);
		if (record)
			instance.on("response", (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
	});
}

/**
 * Ranked endpoints embed their candidates once (then read the stored vectors): one request first, so the
 * warm-up is not ten concurrent requests all embedding the same 200 texts.
 */
async function prime(endpoint: Endpoint): Promise<void> {
	if (!endpoint.prime || !endpoint.path) return;
	const response = await fetch(endpoint.path, { headers: { authorization: `Bearer ${readerTokens[0]}` } });
	await response.arrayBuffer();
}

async function measureEndpoints(): Promise<Record<string, EndpointResult>> {
	const results: Record<string, EndpointResult> = {};
	for (const endpoint of ENDPOINTS) {
		if (onlyNames && !onlyNames.has(endpoint.name) && !endpoint.name.startsWith("trivial")) continue;
		await endpoint.setup?.();
		await prime(endpoint);
		if (WARMUP > 0) await runAutocannon(endpoint, WARMUP, false);
		const profiles = args["profile-dir"]
			? await startProfiles(Number(args["inspector-port"]), args["profile-dir"])
			: undefined;
		const result = await runAutocannon(endpoint, DURATION, true);
		results[endpoint.name] = { label: endpoint.label, ...result };
		log(
			`${endpoint.label}: ${result.rps} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, statuses ${JSON.stringify(result.statuses)}`,
		);
		if (profiles) {
			for (const { target, file, top } of await profiles.stop(`${fixtures.size}-${endpoint.name}`)) {
				log(`  profile of ${target}: ${file}`);
				if (target === "core:user:flourish-api") {
					for (const { name, percent } of top) log(`    ${String(percent).padStart(5)}%  ${name}`);
				}
			}
		}
	}
	return results;
}

// ---------------------------------------------------------------------------------------------------
// The latency model (issue 18): the endpoints again, each request asking the API's bench entry
// (scripts/bench/api-entry.ts) to delay every D1 round trip of its handler by where it would go — the primary
// far away, a replica near — and to count them; then the same with no replicas (every round trip the
// primary's). What is reported is latency and round trips: throughput is set by the delays.
//
// Not autocannon's closed loop of 10 connections here: a reply from a replica 8 ms away comes back so soon
// that 10 connections keep workerd's core busy, and the median would be queueing behind other requests, not
// the model. Instead requests are sent at a fixed pace (LATENCY_RATE a second, evenly spaced, whether or not
// the previous ones have answered), which leaves the core mostly idle, so a request's time is its own round
// trips and its own CPU.

/** Requests per second sent to an endpoint under the model, evenly spaced (an open loop). */
const LATENCY_RATE = 25;
const LATENCY_SECONDS = 5;
const LATENCY_WARMUP_SECONDS = 1;
/** Time for the work a request leaves running after its answer (`waitUntil`) to make its round trips. */
const LATENCY_DRAIN_MS = 1_000;
/** The targets for the median under the model. */
const READ_TARGET_MS = 25;
const WRITE_TARGET_MS = 200;
const MODEL_HEADER = "x-bench-d1-model";

/** A write every live stream and chat socket opens with (the fan-out and chat extras measure them). */
const STREAM_TICKET: Endpoint = {
	name: "stream_ticket",
	label: "POST /stream/tickets",
	path: `${API}/stream/tickets`,
	method: "POST",
};

/** The round trips the API counted since the last read (the read resets them). */
async function readTrips(): Promise<TripCounts> {
	const response = await fetch(`${fixtures.apiUrl}/__bench/d1-trips`);
	if (!response.ok) throw new Error(`d1-trips: ${response.status} ${await response.text()}`);
	return (await response.json()) as TripCounts;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A body for fetch (a Buffer's bytes copied into a plain Uint8Array, which fetch's types take). */
const bodyInit = (body: string | Buffer): string | Uint8Array<ArrayBuffer> =>
	typeof body === "string" ? body : new Uint8Array(body);

/** Requests sent under the model so far: each takes the next token of its pool (and path). */
let pacedSent = 0;

/** `seconds` of `endpoint` at LATENCY_RATE requests a second, each timed from its send to its whole answer. */
async function runPaced(endpoint: Endpoint, seconds: number): Promise<Omit<EndpointResult, "label">> {
	const pool = endpoint.tokens ?? readerTokens;
	const paths = endpoint.paths ?? [endpoint.path ?? "/"];
	const latencies: number[] = [];
	const statuses: Record<string, number> = {};
	const errorSamples: string[] = [];
	let errors = 0;
	const send = async () => {
		const i = pacedSent++;
		const headers: Record<string, string> = { ...endpoint.headers };
		if (!endpoint.anonymous) headers.authorization = `Bearer ${pool[i % pool.length]}`;
		if (endpoint.body) headers["content-type"] = endpoint.contentType ?? "application/json";
		const sentAt = performance.now();
		try {
			const response = await fetch(new URL(paths[i % paths.length] ?? "/", fixtures.apiUrl), {
				method: endpoint.method ?? "GET",
				headers,
				...(endpoint.body ? { body: bodyInit(endpoint.body(i)) } : {}),
			});
			const body = await response.text();
			latencies.push(performance.now() - sentAt);
			statuses[response.status] = (statuses[response.status] ?? 0) + 1;
			if (!response.ok && errorSamples.length < 3) errorSamples.push(body.slice(0, 300));
		} catch (error) {
			errors++;
			if (errorSamples.length < 3) errorSamples.push(error instanceof Error ? error.message : String(error));
		}
	};
	const count = Math.round(seconds * LATENCY_RATE);
	const started = performance.now();
	const sent: Promise<void>[] = [];
	for (let i = 0; i < count; i++) {
		const wait = started + (i * 1000) / LATENCY_RATE - performance.now();
		if (wait > 0) await pause(wait);
		sent.push(send());
	}
	await Promise.all(sent);
	latencies.sort((a, b) => a - b);
	const non2xx = Object.entries(statuses)
		.filter(([status]) => !status.startsWith("2"))
		.reduce((sum, [, n]) => sum + n, 0);
	return {
		requests: latencies.length,
		rps: round(count / seconds, 1),
		p50: round(percentile(latencies, 50)),
		p95: round(percentile(latencies, 95)),
		p99: round(percentile(latencies, 99)),
		statuses,
		non2xx,
		errors,
		timeouts: 0,
		errorSamples,
	};
}

/**
 * Every person of a read's pool asks once, without the model and 10 at a time: what a first read of
 * someone stores (the interest profile's vector of `GET /recommendations`, vectors of new candidates) is
 * stored, as after the main table's runs, and both variants then see the same state (otherwise the first
 * variant pays for the stores, and they move its sessions to the primary).
 */
async function warmPool(endpoint: Endpoint): Promise<void> {
	if (endpoint.method) return;
	const pool = endpoint.tokens ?? readerTokens;
	const paths = endpoint.paths ?? [endpoint.path ?? "/"];
	let next = 0;
	const worker = async () => {
		while (next < pool.length) {
			const i = next++;
			const response = await fetch(new URL(paths[i % paths.length] ?? "/", fixtures.apiUrl), {
				headers: { authorization: `Bearer ${pool[i]}` },
			});
			await response.arrayBuffer();
		}
	};
	await Promise.all(Array.from({ length: 10 }, worker));
}

async function measureLatencyOf(endpoint: Endpoint, model: string): Promise<LatencyEndpointResult> {
	const modelled: Endpoint = { ...endpoint, headers: { [MODEL_HEADER]: model } };
	if (LATENCY_WARMUP_SECONDS > 0) await runPaced(modelled, LATENCY_WARMUP_SECONDS);
	// Every request of the warm-up has answered (runPaced waits for them): the counts start from zero.
	await pause(LATENCY_DRAIN_MS);
	await readTrips();
	const result = await runPaced(modelled, LATENCY_SECONDS);
	// The answered requests' counts are in; what they left running after the answer has a moment to count.
	await pause(LATENCY_DRAIN_MS);
	let trips: TripCounts | null = null;
	try {
		trips = await readTrips();
	} catch (error) {
		log(
			`\x1b[31mlatency: ${endpoint.name} (${model}): ${error instanceof Error ? error.message : error}\x1b[0m`,
		);
	}
	const perRequest = (value: number | undefined) =>
		trips && trips.requests > 0 && value !== undefined ? (value / trips.requests).toFixed(2) : "?";
	log(
		`latency ${model}: ${endpoint.label}: p50 ${result.p50} ms, p95 ${result.p95} ms; per request ${perRequest(trips?.primary)} primary + ${perRequest(trips?.replica)} replica round trips; statuses ${JSON.stringify(result.statuses)}`,
	);
	return {
		label: endpoint.label,
		...result,
		trips,
		targetP50: endpoint.method ? WRITE_TARGET_MS : READ_TARGET_MS,
	};
}

async function measureLatency(): Promise<LatencyResult> {
	const result: LatencyResult = {
		primaryMs: fixtures.primaryMs,
		replicaMs: fixtures.replicaMs,
		ratePerSecond: LATENCY_RATE,
		seconds: LATENCY_SECONDS,
		warmupSeconds: LATENCY_WARMUP_SECONDS,
		sessions: {},
		primaryOnly: {},
	};
	const endpoints = [
		...ENDPOINTS.filter(
			(endpoint) =>
				!endpoint.name.startsWith("trivial") &&
				// Media moves bytes (R2), not D1 round trips: the model has nothing to say about it.
				!endpoint.name.startsWith("media_") &&
				(!endpoint.name.startsWith("search_") || endpoint.name === LATENCY_SEARCH),
		),
		STREAM_TICKET,
	];
	for (const endpoint of endpoints) {
		await prime(endpoint);
		await warmPool(endpoint);
		// Both variants back to back, the machine in the same state.
		result.sessions[endpoint.name] = await measureLatencyOf(endpoint, "sessions");
		result.primaryOnly[endpoint.name] = await measureLatencyOf(endpoint, "primary-only");
	}
	return result;
}

// ---------------------------------------------------------------------------------------------------
// Chat: pairs of WebSocket clients (the browser flow: a ticket from POST …/tickets, then the socket).

const CHAT_SECONDS = 10;
/** Messages per second each client sends: under the chat burst limit (30 frames per 10 s per user). */
const CHAT_RATE_PER_CLIENT = 2;

type Person = BenchFixtures["chatPairs"][number][number];

/**
 * A WebSocket opened as a browser does: a ticket from `ticketPath` (POST, with the person's token), then its
 * `url`; resolves once the server's `ready` frame has arrived (chat and the live stream both send one).
 * `clientIp`, when given, is sent as `CF-Connecting-IP` on the upgrade (which carries no token, so the API
 * counts it against the anonymous limit of 300 per minute per address): each person on their own address,
 * as in production, rather than every bench client on one.
 */
async function openTicketedSocket(
	ticketPath: string,
	token: string,
	clientIp?: string,
	apiUrl = fixtures.apiUrl,
): Promise<WebSocket> {
	const ticket = await fetch(`${apiUrl}/api/v1${ticketPath}`, {
		method: "POST",
		headers: { authorization: `Bearer ${token}` },
	});
	if (ticket.status !== 201) throw new Error(`ticket: ${ticket.status} ${await ticket.text()}`);
	const answer: unknown = await ticket.json();
	if (!isRecord(answer) || typeof answer.url !== "string")
		throw new Error(`ticket: ${JSON.stringify(answer)}`);
	const url = `${apiUrl.replace(/^http/, "ws")}${answer.url}`;
	// Node's WebSocket (undici) takes `{ headers }` as its second argument; the DOM's type does not say so.
	const socket = clientIp
		? new WebSocket(url, { headers: { "CF-Connecting-IP": clientIp } } as unknown as string[])
		: new WebSocket(url);
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error("socket did not get ready")), 10_000);
		socket.addEventListener("message", function onReady(event) {
			if (frameOf(event).type !== "ready") return;
			clearTimeout(timer);
			socket.removeEventListener("message", onReady);
			resolve();
		});
		socket.addEventListener("error", () => reject(new Error("socket error")));
	});
	return socket;
}

/** A chat or live-stream frame from the server, as far as it is read here. */
interface Frame {
	type?: string;
	code?: string;
	message?: { sender_id: string; text: string };
	notification?: { type?: string; subject?: { type?: string; id?: string } };
}

/** The ChatRoom and the PersonStream send JSON text frames. */
function frameOf(event: MessageEvent): Frame {
	const frame: unknown = JSON.parse(String(event.data));
	return isRecord(frame) ? frame : {};
}

const workerdPids = (args["workerd-pids"] ?? "").split(",").filter(Boolean).map(Number);
/** Clock ticks per second of /proc's CPU times. */
const CLOCK_TICKS = (() => {
	try {
		return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
	} catch {
		return 100;
	}
})();

/**
 * CPU milliseconds workerd has used so far (user and system, all its threads), or null without its pids.
 * workerd runs every isolate of the bench (the API and its Durable Objects, the ML Worker, D1) on its core.
 */
function workerdCpuMs(): number | null {
	if (workerdPids.length === 0) return null;
	let ticks = 0;
	for (const pid of workerdPids) {
		const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
		// Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
		const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
		ticks += Number(fields[11]) + Number(fields[12]);
	}
	return (ticks * 1000) / CLOCK_TICKS;
}

/** Where a chat level runs: the API, or the same API with its chat objects' D1 delayed. */
interface ChatTarget {
	apiUrl: string;
	/** The round trip added to each D1 call of the rooms (0: none). */
	d1DelayMs: number;
}

/** Latencies from send to the peer's `message` frame, and what else came back. */
function chatTally() {
	return {
		latencies: [] as number[],
		sentAt: new Map<string, number>(),
		acks: 0,
		errors: 0,
		errorCodes: {} as Record<string, number>,
	};
}

/**
 * One level of the chat extra: `pairCount` pairs connect (each person's upgrade from their own address, as in
 * production: the upgrade carries no token and counts against the anonymous per-IP limit), each client sends
 * ONE message and the run waits until the peers have them all (a conversation's first message in its room
 * registers the room in D1 and seeds the sender's daily quota from D1, by design: timed, reported apart),
 * then every client sends CHAT_RATE_PER_CLIENT messages/s for CHAT_SECONDS, measured.
 */
async function measureChat(pairCount: number, target: ChatTarget, profileDir?: string): Promise<ChatResult> {
	const pairs = fixtures.chatPairs.slice(0, pairCount);
	if (pairs.length < pairCount)
		throw new Error(`the dataset has ${pairs.length} chat pairs, not ${pairCount}`);
	const clients: Array<{ me: Person; socket: WebSocket }> = [];
	const ipOf = (index: number) => `10.17.${Math.floor(index / 250)}.${(index % 250) + 1}`;
	const open = (me: Person, peer: Person) =>
		openTicketedSocket(
			`/orchard/conversations/${peer.id}/tickets`,
			tokenOf(me.sub),
			ipOf(clients.length),
			target.apiUrl,
		);
	for (const [a, b] of pairs) {
		clients.push({ me: a, socket: await open(a, b) });
		clients.push({ me: b, socket: await open(b, a) });
	}
	let tally = chatTally();
	for (const client of clients) {
		client.socket.addEventListener("message", (event) => {
			const frame = frameOf(event);
			if (frame.type === "ack") tally.acks++;
			else if (frame.type === "error") {
				tally.errors++;
				const code = String(frame.code);
				tally.errorCodes[code] = (tally.errorCodes[code] ?? 0) + 1;
			} else if (frame.type === "message" && frame.message && frame.message.sender_id !== client.me.id) {
				const started = tally.sentAt.get(frame.message.text);
				if (started !== undefined) tally.latencies.push(performance.now() - started);
			}
		});
	}
	// Client message ids are unique per sender forever (a repeated id is a retry: acknowledged, not delivered).
	const runId = `${Date.now().toString(36)}-${pairCount}-${target.d1DelayMs}`;
	const send = (i: number, count: number) => {
		const text = `bench ${runId} ${i}-${count}: how was your walk today?`;
		tally.sentAt.set(text, performance.now());
		clients[i]?.socket.send(
			JSON.stringify({ type: "message", client_message_id: `${runId}-${i}-${count}`, text }),
		);
	};
	const settle = async (sent: number, ms: number) => {
		const deadline = performance.now() + ms;
		while (tally.latencies.length + tally.errors < sent && performance.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	};

	// Each client's first message, spread over one interval, as the timed run's are.
	const interval = 1000 / CHAT_RATE_PER_CLIENT;
	await Promise.all(
		clients.map(
			(_, i) =>
				new Promise<void>((resolve) =>
					setTimeout(
						() => {
							send(i, 0);
							resolve();
						},
						(interval * i) / clients.length,
					),
				),
		),
	);
	await settle(clients.length, 10_000);
	const first = tally.latencies.sort((x, y) => x - y);
	const firstErrors = tally.errors;
	tally = chatTally();
	await new Promise((resolve) => setTimeout(resolve, 1_000));

	const profiles = profileDir
		? await startProfiles(Number(args["inspector-port"]), profileDir, [
				"core:user:flourish-api",
				"core:user:flourish-ml",
				"d1:db",
			])
		: undefined;
	log(
		`chat: ${pairCount} pairs (D1 + ${target.d1DelayMs} ms) connected, first messages in; measuring ${CHAT_SECONDS} s`,
	);
	let sent = 0;
	const cpuBefore = workerdCpuMs();
	const started = performance.now();
	const timers = clients.map((_, i) => {
		let count = 1;
		return new Promise<void>((resolve) =>
			setTimeout(
				() => {
					const timer = setInterval(() => {
						if (performance.now() - started >= CHAT_SECONDS * 1000) {
							clearInterval(timer);
							resolve();
						} else {
							send(i, count++);
							sent++;
						}
					}, interval);
				},
				// Spread the clients' send times evenly over the interval.
				(interval * i) / clients.length,
			),
		);
	});
	await Promise.all(timers);
	const sendingSeconds = (performance.now() - started) / 1000;
	// Let what is in flight arrive.
	await settle(sent, 5_000);
	const cpuAfter = workerdCpuMs();
	const cpu = profiles
		? await chatCpu(profiles, `chat-${pairCount}-d1-${target.d1DelayMs}`, sent)
		: undefined;
	for (const client of clients) client.socket.close();
	const latencies = tally.latencies.sort((x, y) => x - y);
	return {
		pairs: pairs.length,
		d1DelayMs: target.d1DelayMs,
		clients: clients.length,
		offeredPerSecond: clients.length * CHAT_RATE_PER_CLIENT,
		sent,
		delivered: latencies.length,
		acks: tally.acks,
		errorFrames: tally.errors + firstErrors,
		errorCodes: tally.errorCodes,
		messagesPerSecond: round(latencies.length / sendingSeconds, 1),
		p50: round(percentile(latencies, 50)),
		p99: round(percentile(latencies, 99)),
		max: round(latencies.at(-1) ?? null),
		first: {
			sent: clients.length,
			delivered: first.length,
			p50: round(percentile(first, 50)),
			max: round(first.at(-1) ?? null),
		},
		...(cpuBefore !== null && cpuAfter !== null
			? { workerdCpuMsPerMessage: round((cpuAfter - cpuBefore) / Math.max(sent, 1), 3) }
			: {}),
		...(cpu ? { cpuMsPerMessage: cpu } : {}),
	};
}

/**
 * CPU per message of the measured phase, per isolate (`--profile`): the sampled busy time (every sample but
 * idle) divided by the messages sent. The API isolate runs the ChatRoom and PersonStream objects (nothing
 * else is asked of it meanwhile); the ML isolate screens; `d1:db` is Miniflare's D1 (the write-behind).
 */
async function chatCpu(
	profiles: Awaited<ReturnType<typeof startProfiles>>,
	prefix: string,
	messages: number,
): Promise<Record<string, number>> {
	const perMessage: Record<string, number> = {};
	for (const { target, file, top, busyMs } of await profiles.stop(prefix)) {
		perMessage[target] = Math.round((1000 * busyMs) / Math.max(messages, 1)) / 1000;
		log(`  profile of ${target}: ${file} (${busyMs.toFixed(0)} ms busy, ${perMessage[target]} ms/message)`);
		if (target === "core:user:flourish-api") {
			for (const { name, percent } of top) log(`    ${String(percent).padStart(5)}%  ${name}`);
		}
	}
	return perMessage;
}

// ---------------------------------------------------------------------------------------------------
// RSVP: every member of one group answers `going` to one event at the same moment.

async function measureRsvp(): Promise<RsvpResult> {
	const { eventId, capacity, members } = fixtures.rsvp;
	const started = performance.now();
	const answers = await Promise.all(
		members.map(async (sub) => {
			const sentAt = performance.now();
			const response = await fetch(`${API}/fellowship/events/${eventId}/rsvp`, {
				method: "PUT",
				headers: { authorization: `Bearer ${tokens.get(sub)}`, "content-type": "application/json" },
				body: JSON.stringify({ status: "going" }),
			});
			const body: { status?: string; waitlist_position?: number } = await response.json();
			return { status: response.status, body, ms: performance.now() - sentAt };
		}),
	);
	const completionMs = performance.now() - started;
	const ok = answers.filter((answer) => answer.status === 200);
	const going = ok.filter((answer) => answer.body.status === "going").length;
	const waitlisted = ok.filter((answer) => answer.body.status === "waitlisted");
	const positions = waitlisted.map((answer) => answer.body.waitlist_position ?? 0).sort((x, y) => x - y);
	const positionsExact = positions.every((position, i) => position === i + 1);
	const event: { rsvp_counts?: Record<string, number> } = await (
		await fetch(`${API}/fellowship/events/${eventId}`, {
			headers: { authorization: `Bearer ${tokens.get(members[0] ?? "")}` },
		})
	).json();
	const counts = event.rsvp_counts;
	const latencies = answers.map((answer) => answer.ms).sort((x, y) => x - y);
	const statuses: Record<string, number> = {};
	for (const answer of answers) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
	const correct =
		ok.length === members.length &&
		going === Math.min(capacity, members.length) &&
		waitlisted.length === members.length - going &&
		positionsExact &&
		counts?.going === going &&
		counts?.waitlisted === waitlisted.length;
	return {
		requests: members.length,
		capacity,
		completionMs: round(completionMs, 0),
		p50: round(percentile(latencies, 50)),
		p99: round(percentile(latencies, 99)),
		statuses,
		going,
		waitlisted: waitlisted.length,
		waitlistPositionsExact: positionsExact,
		eventCounts: counts,
		correct,
	};
}

// ---------------------------------------------------------------------------------------------------
// Fan-out: an organiser cancels an event 500 people are going to (or waitlisted for); the request writes a
// fan-out row and hands it to the notifications queue, whose consumer writes one notification per person.
// Timed from the cancel's answer until every attendee's row is in D1, read through the bench Worker (the
// same database; one indexed statement per poll, so the polling costs workerd little). Before the cancel,
// `--live-streams` of the attendees open their live stream; each socket is timed from the same answer to
// its `event_cancelled` notification frame (the consumer pokes each person's PersonStream once its
// statement has committed; the object reads the list and sends what is new).

const FAN_OUT_POLL_MS = 10;
const FAN_OUT_TIMEOUT_MS = 60_000;

async function notifiedCount(): Promise<number> {
	const { groupKey, attendeeIds } = fixtures.fanOut;
	const response = await fetch(`${fixtures.benchUrl}/query`, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({
			sql: "SELECT count(*) AS n FROM notifications WHERE group_key = ?1 AND user_id IN (SELECT value FROM json_each(?2))",
			params: [groupKey, JSON.stringify(attendeeIds)],
		}),
	});
	if (!response.ok) throw new Error(`query: ${response.status} ${await response.text()}`);
	const answer: unknown = await response.json();
	const [row] = isRecord(answer) && Array.isArray(answer.results) ? answer.results : [];
	if (!isRecord(row) || typeof row.n !== "number") throw new Error(`query: ${JSON.stringify(answer)}`);
	return row.n;
}

/** Live streams opened at once while preparing the fan-out (each: a ticket, an upgrade, the catch-up). */
const LIVE_OPEN_CONCURRENCY = 10;

/**
 * The first `count` attendees open their live stream (a ticket, then the socket, past `ready`); each socket
 * then notes when its `event_cancelled` frame for the fan-out's event arrives, and how it closed if it closes
 * before that.
 */
async function openLiveStreams(count: number) {
	const { eventId, attendeeSubs } = fixtures.fanOut;
	const subs = attendeeSubs.slice(0, count);
	const sockets: WebSocket[] = [];
	const arrivals: number[] = [];
	const closedEarly: Record<string, number> = {};
	const started = performance.now();
	let next = 0;
	const failures: string[] = [];
	const opener = async () => {
		while (next < subs.length) {
			const index = next++;
			const sub = subs[index] ?? "";
			try {
				const clientIp = `10.15.${Math.floor(index / 250)}.${(index % 250) + 1}`;
				const socket = await openTicketedSocket("/stream/tickets", tokenOf(sub), clientIp);
				let arrived = false;
				socket.addEventListener("message", (event) => {
					const { type, notification } = frameOf(event);
					if (
						!arrived &&
						type === "notification" &&
						notification?.type === "event_cancelled" &&
						notification.subject?.id === eventId
					) {
						arrived = true;
						arrivals.push(performance.now());
					}
				});
				socket.addEventListener("close", (event) => {
					if (!arrived) closedEarly[event.code] = (closedEarly[event.code] ?? 0) + 1;
				});
				sockets.push(socket);
			} catch (failure) {
				failures.push(`stream ${index}: ${failure instanceof Error ? failure.message : String(failure)}`);
			}
		}
	};
	await Promise.all(Array.from({ length: LIVE_OPEN_CONCURRENCY }, opener));
	const error = failures.length
		? `${failures.length} did not open (${failures.slice(0, 3).join("; ")})`
		: undefined;
	return { sockets, arrivals, closedEarly, openMs: round(performance.now() - started, 0), error };
}

async function measureFanOut(): Promise<FanOutResult> {
	const { eventId, organiser, attendeeIds } = fixtures.fanOut;
	const attendees = attendeeIds.length;
	const result: FanOutResult = {
		attendees,
		cancelMs: null,
		cancelStatus: 0,
		fanOutMs: null,
		notified: 0,
		polls: 0,
		pollIntervalMs: FAN_OUT_POLL_MS,
	};
	const streamCount = Math.min(Number(args["live-streams"]), attendees);
	const live = streamCount > 0 ? await openLiveStreams(streamCount) : undefined;
	if (live) {
		log(
			`event_cancel_fan_out: ${live.sockets.length} of ${streamCount} live streams open in ${live.openMs} ms`,
		);
		// The cancel still runs (its list figure stands); the streams that did not open count as missing.
		if (live.error) log(`\x1b[31mevent_cancel_fan_out: LIVE STREAMS FAILED: ${live.error}\x1b[0m`);
	}
	let answered: number | null = null;
	try {
		const before = await notifiedCount();
		if (before !== 0) throw new Error(`${before} attendees were told before the cancel`);
		const started = performance.now();
		const response = await fetch(`${API}/fellowship/events/${eventId}/cancel`, {
			method: "POST",
			headers: { authorization: `Bearer ${tokenOf(organiser)}` },
		});
		await response.arrayBuffer();
		answered = performance.now();
		result.cancelMs = round(answered - started);
		result.cancelStatus = response.status;
		if (response.status !== 200) throw new Error(`cancel answered ${response.status}`);
		while (performance.now() - answered < FAN_OUT_TIMEOUT_MS) {
			result.polls++;
			result.notified = await notifiedCount();
			if (result.notified >= attendees) {
				result.fanOutMs = round(performance.now() - answered, 0);
				break;
			}
			await new Promise((resolve) => setTimeout(resolve, FAN_OUT_POLL_MS));
		}
	} catch (error) {
		result.error = error instanceof Error ? error.message : String(error);
	}
	if (live) {
		// The frames still on their way: every socket is waited for until FAN_OUT_TIMEOUT_MS after the answer.
		const from = answered;
		if (from !== null) {
			while (live.arrivals.length < live.sockets.length && performance.now() - from < FAN_OUT_TIMEOUT_MS) {
				await new Promise((resolve) => setTimeout(resolve, 10));
			}
		}
		const waitedMs = from === null ? null : round(performance.now() - from, 0);
		for (const socket of live.sockets) socket.close();
		const latencies = from === null ? [] : live.arrivals.map((at) => at - from).sort((x, y) => x - y);
		result.live = {
			streams: streamCount,
			opened: live.sockets.length,
			openMs: live.openMs,
			received: live.arrivals.length,
			missing: streamCount - live.arrivals.length,
			waitedMs,
			min: round(latencies[0] ?? null, 0),
			p50: round(percentile(latencies, 50), 0),
			p99: round(percentile(latencies, 99), 0),
			max: round(latencies.at(-1) ?? null, 0),
			closedEarly: live.closedEarly,
			...(live.error ? { error: live.error } : {}),
		};
		if (result.live.missing > 0)
			log(
				`\x1b[31mevent_cancel_fan_out: ${result.live.missing} OF ${streamCount} LIVE STREAMS NEVER RECEIVED THEIR event_cancelled FRAME\x1b[0m`,
			);
	}
	return result;
}

// ---------------------------------------------------------------------------------------------------
// Micro figures: one operation repeated n times inside workerd (bench Worker), timed from here:
// (time of n+1 runs − time of 1 run) / n, so request overhead and cold caches drop out. Median of 3.

async function timeOperation(operation: string, n: number, query = ""): Promise<number> {
	const once = async (count: number) => {
		const started = performance.now();
		const response = await fetch(`${fixtures.benchUrl}/${operation}?n=${count}${query}`);
		if (!response.ok) throw new Error(`${operation}: ${response.status} ${await response.text()}`);
		await response.json();
		return performance.now() - started;
	};
	const samples = [];
	for (let round = 0; round < 3; round++) {
		const base = await once(1);
		const full = await once(n + 1);
		samples.push(Math.max(0, full - base) / n);
	}
	samples.sort((a, b) => a - b);
	return samples[1] ?? Number.NaN;
}

async function measureMicro(): Promise<MicroResult> {
	const token = encodeURIComponent(readerTokens[0] ?? "");
	return {
		jwtVerifyWarmUs: round((await timeOperation("jwt", 2_000, `&token=${token}`)) * 1000, 1),
		jwtCachedUs: round((await timeOperation("jwt_cached", 20_000, `&token=${token}`)) * 1000, 2),
		pbkdf2SupportTokenMs: round(await timeOperation("pbkdf2", 10)),
		moderateMs: round(await timeOperation("moderate", 200)),
		embedMs: round(await timeOperation("embed", 200)),
	};
}

const result: SizeResult = {
	size: fixtures.size,
	counts: fixtures.counts,
	seedSeconds: fixtures.seedSeconds,
	endpoints: await measureEndpoints(),
};
const extra = (name: (typeof EXTRAS)[number]) => args.extras && (!onlyNames || onlyNames.has(name));
if (extra("latency")) {
	try {
		result.latency = await measureLatency();
	} catch (error) {
		result.latency = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
		log(`\x1b[31mlatency: FAILED: ${result.latency.error}\x1b[0m`);
	}
}
if (extra("micro")) {
	result.micro = await measureMicro();
	log(`micro: ${JSON.stringify(result.micro)}`);
}
if (extra("rsvp")) {
	result.rsvp = await measureRsvp();
	log(`rsvp: ${JSON.stringify(result.rsvp)}`);
}
if (extra("event_cancel_fan_out")) {
	result.fanOut = await measureFanOut();
	log(`event_cancel_fan_out: ${JSON.stringify(result.fanOut)}`);
}
if (extra("chat")) {
	result.chat = [];
	const pairLevels = args["chat-pairs"].split(",").map(Number);
	const delayedPairs = pairLevels.includes(50) ? 50 : (pairLevels[0] ?? 50);
	const api: ChatTarget = { apiUrl: fixtures.apiUrl, d1DelayMs: fixtures.apiD1DelayMs };
	// The same clients against the API whose rooms see D1 `d1DelayMs` further away (api-entry.ts), right after
	// the level it compares with (the machine in the same state: a bigger level leaves more objects behind).
	const delayed: ChatTarget = { apiUrl: fixtures.apiD1DelayUrl, d1DelayMs: fixtures.d1DelayMs };
	const levels: Array<[number, ChatTarget]> = pairLevels.flatMap(
		(pairs): Array<[number, ChatTarget]> =>
			pairs === delayedPairs
				? [
						[pairs, api],
						[pairs, delayed],
					]
				: [[pairs, api]],
	);
	for (const [pairs, target] of levels) {
		let chat: ChatResult;
		try {
			// Profiled (--profile) on the API itself only: the delayed API is another isolate.
			chat = await measureChat(pairs, target, target.d1DelayMs === 0 ? args["profile-dir"] : undefined);
		} catch (error) {
			chat = {
				pairs,
				d1DelayMs: target.d1DelayMs,
				error: error instanceof Error ? error.message : String(error),
			};
		}
		result.chat.push(chat);
		log(`chat: ${JSON.stringify(chat)}`);
		// Let the rooms finish their write-behind before the next level.
		await new Promise((resolve) => setTimeout(resolve, 3_000));
	}
}
if (extra("reminders")) {
	// Last: it adds 10,000 people and 100,000 habits to the database (lib/reminders-extra.ts).
	try {
		result.reminders = await measureReminders({
			benchUrl: fixtures.benchUrl,
			vapidPublicKey: fixtures.vapidPublicKey,
			log,
			timeOperation: (operation, n) => timeOperation(operation, n),
		});
	} catch (error) {
		result.reminders = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
		log(`\x1b[31mreminders: FAILED: ${result.reminders.error}\x1b[0m`);
	}
}
writeFileSync(required("out"), `${JSON.stringify(result, null, 2)}\n`);
