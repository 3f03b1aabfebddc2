/**
 * The bench's entry of the API Worker (never deployed): src/index.ts — its handlers and Durable Object
 * classes, unchanged — given an environment that differs from the local runtime's where that runtime is not
 * what production runs (`flourish-api-under-test` is aliased to src/index.ts, or to `--api-src`'s copy):
 *
 * - The Rate Limiting bindings named in `BENCH_LOCAL_LIMITS` (all of wrangler.toml's) count in this isolate's
 *   memory. In production their counters are cached on the machine the Worker runs on; Miniflare's binding
 *   instead sends every `limit()` as an HTTP request to a Durable Object that writes SQLite, which under the
 *   chat load was about a third of workerd's CPU per message. Same rule: a fixed window of `period` seconds
 *   aligned to the clock, `limit` per key.
 * - With `BENCH_D1_DELAY_MS`, the chat's objects — the ChatRoom and the PersonStream it leases quota from —
 *   see D1 that much further away on every round trip (each statement run, each batch): what a room far from
 *   the D1 primary feels, where local D1 answers in well under a millisecond. The request handlers keep the
 *   undelayed binding: only the rooms' D1 is in question (issue 17).
 * - A request carrying `X-Bench-D1-Model` (the `latency` extra, issue 18) is handled with a `DB` that adds
 *   `BENCH_API_PRIMARY_MS` to every round trip that goes to the primary and `BENCH_API_REPLICA_MS` to every
 *   one a replica may answer (`sessions`), or the primary's delay to every round trip (`primary-only`: no
 *   replicas), and counts them per request; `GET /__bench/d1-trips` answers the counts so far and resets
 *   them. The model is written down in BENCHMARKS.md ("Latency model"). Requests without the header, the
 *   Durable Objects, the cron and the queue consumers keep the binding as it is.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import api, {
	ChatRoom as ApiChatRoom,
	EventRsvp as ApiEventRsvp,
	PersonStream as ApiPersonStream,
} from "flourish-api-under-test";
// A write, for the model, is what the API's own sessions hold back as one (anything but a read-only SELECT).
import { readsOnly } from "../../src/db/session";

interface BenchVars {
	BENCH_LOCAL_LIMITS?: string;
	BENCH_D1_DELAY_MS?: string;
	BENCH_API_PRIMARY_MS?: string;
	BENCH_API_REPLICA_MS?: string;
	DB: D1Database;
}

// ------------------------------------------------------------------------------ in-isolate rate limits

function localLimiter(limit: number, period: number): RateLimit {
	const windows = new Map<string, { epoch: number; count: number }>();
	return {
		async limit({ key }: RateLimitOptions): Promise<RateLimitOutcome> {
			const epoch = Math.floor(Date.now() / (period * 1000));
			const window = windows.get(key);
			const count = window && window.epoch === epoch ? window.count : 0;
			if (count >= limit) return { success: false };
			windows.set(key, { epoch, count: count + 1 });
			return { success: true };
		},
	};
}

/** One limiter per binding name per isolate (the handlers and the objects share them, as a machine does). */
const limiters = new Map<string, RateLimit>();

// ------------------------------------------------------------------------------ D1 further away

/** Statements this wrapper made, to their D1 originals (a batch is sent with the originals). */
const originals = new WeakMap<object, D1PreparedStatement>();

function delayedStatement(statement: D1PreparedStatement, wait: () => Promise<void>): D1PreparedStatement {
	const wrapped = {
		bind: (...values: unknown[]) => delayedStatement(statement.bind(...values), wait),
		first: async (column?: string) => {
			await wait();
			return column === undefined ? statement.first() : statement.first(column);
		},
		run: async () => {
			await wait();
			return statement.run();
		},
		all: async () => {
			await wait();
			return statement.all();
		},
		raw: async (options?: { columnNames?: boolean }) => {
			await wait();
			return options?.columnNames ? statement.raw({ columnNames: true }) : statement.raw();
		},
	};
	originals.set(wrapped, statement);
	return wrapped as unknown as D1PreparedStatement;
}

function delayedD1(db: D1Database, ms: number): D1Database {
	const wait = () => new Promise<void>((resolve) => setTimeout(resolve, ms));
	const wrapped = {
		prepare: (query: string) => delayedStatement(db.prepare(query), wait),
		batch: async (statements: D1PreparedStatement[]) => {
			await wait();
			return db.batch(statements.map((statement) => originals.get(statement) ?? statement));
		},
		exec: async (query: string) => {
			await wait();
			return db.exec(query);
		},
		withSession: () => {
			throw new Error("the bench's D1 delay has no sessions yet");
		},
	};
	return wrapped as unknown as D1Database;
}

// ------------------------------------------------------------------------------ the latency model

/** The request header that asks for the latency model, and its values. */
const MODEL_HEADER = "X-Bench-D1-Model";
type ModelName = "sessions" | "primary-only";
const isModelName = (value: string): value is ModelName => value === "sessions" || value === "primary-only";
/** Where the load generator reads (and resets) the round trips counted so far. */
const TRIPS_PATH = "/__bench/d1-trips";

interface Model {
	primaryMs: number;
	replicaMs: number;
	/** False: every round trip goes to the primary (`primary-only`). */
	replicas: boolean;
}

type Copy = "primary" | "replica";

/** One request's round trips so far. */
interface RequestTrips {
	primary: number;
	replica: number;
	/** Round trips that started while none of the request's others was in flight: its waits one after another. */
	waits: number;
	inFlight: number;
	/** Set once the handler has answered: later round trips (its `waitUntil` work) are counted apart. */
	answered: boolean;
}

/** The counts since the last read of TRIPS_PATH, over the requests answered in that time. */
function emptyTotals() {
	return {
		requests: 0,
		primary: 0,
		replica: 0,
		waits: 0,
		/** Round trips made after the answer (in `waitUntil`): they cost the client nothing. */
		afterAnswer: { primary: 0, replica: 0 },
		/** How many requests made each combination, e.g. `"1p+2r"` (primary + replica round trips). */
		patterns: {} as Record<string, number>,
	};
}
let totals = emptyTotals();
const currentRequest = new AsyncLocalStorage<RequestTrips>();

const sleep = (ms: number) =>
	ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

/** Decides which copy answers a round trip (`write`: whether it carries a write). */
type Route = (write: boolean) => Copy;

/** One round trip: counted for the current request, delayed by its copy's distance, then sent. */
async function roundTrip<T>(model: Model, route: Route, write: boolean, send: () => Promise<T>): Promise<T> {
	const copy = route(write);
	const trips = currentRequest.getStore();
	if (trips) {
		if (trips.answered) totals.afterAnswer[copy]++;
		else {
			trips[copy]++;
			if (trips.inFlight === 0) trips.waits++;
		}
		trips.inFlight++;
	}
	try {
		await sleep(copy === "primary" ? model.primaryMs : model.replicaMs);
		return await send();
	} finally {
		if (trips) trips.inFlight--;
	}
}

/** Statements this model made: their D1 originals, and whether each writes. */
const modelled = new WeakMap<object, { statement: D1PreparedStatement; write: boolean }>();

function modelStatement(
	statement: D1PreparedStatement,
	write: boolean,
	model: Model,
	route: Route,
): D1PreparedStatement {
	const trip = <T>(send: () => Promise<T>) => roundTrip(model, route, write, send);
	const wrapped = {
		bind: (...values: unknown[]) => modelStatement(statement.bind(...values), write, model, route),
		first: (column?: string) =>
			trip(() => (column === undefined ? statement.first() : statement.first(column))),
		run: () => trip(() => statement.run()),
		all: () => trip(() => statement.all()),
		raw: (options?: { columnNames?: boolean }) =>
			trip(() => (options?.columnNames ? statement.raw({ columnNames: true }) : statement.raw())),
	};
	modelled.set(wrapped, { statement, write });
	return wrapped as unknown as D1PreparedStatement;
}

/** `prepare` and `batch` over `target` (the binding or one session), each call one round trip. */
function modelQueries(target: D1Database | D1DatabaseSession, model: Model, route: Route) {
	return {
		prepare: (query: string) => modelStatement(target.prepare(query), !readsOnly(query), model, route),
		batch: (statements: D1PreparedStatement[]) => {
			const parts = statements.map((statement) => modelled.get(statement));
			const write = parts.some((part) => part === undefined || part.write);
			return roundTrip(model, route, write, () =>
				target.batch(statements.map((statement, i) => parts[i]?.statement ?? statement)),
			);
		},
	};
}

/**
 * The binding as the model sees it. Without a session every round trip is the primary's; a session started
 * `first-primary` stays on the primary; one started `first-unconstrained` or at a bookmark is answered by a
 * replica until its first write, and by the primary from that write on (sequential consistency needs a copy
 * at least as new as the write). Without replicas, everything is the primary's.
 */
function modelD1(db: D1Database, model: Model): D1Database {
	const toPrimary: Route = () => "primary";
	const wrapped = {
		...modelQueries(db, model, toPrimary),
		exec: (query: string) => roundTrip(model, toPrimary, true, () => db.exec(query)),
		dump: () => db.dump(),
		withSession: (start?: string) => {
			const session = db.withSession(start);
			let onPrimary = !model.replicas || start === "first-primary";
			const route: Route = (write) => {
				if (write) onPrimary = true;
				return onPrimary ? "primary" : "replica";
			};
			return { ...modelQueries(session, model, route), getBookmark: () => session.getBookmark() };
		},
	};
	return wrapped as unknown as D1Database;
}

/** Runs one request of the model and adds its round trips to the totals when it has answered. */
async function withTrips(handle: () => Response | Promise<Response>): Promise<Response> {
	const trips: RequestTrips = { primary: 0, replica: 0, waits: 0, inFlight: 0, answered: false };
	const response = await currentRequest.run(trips, handle);
	trips.answered = true;
	totals.requests++;
	totals.primary += trips.primary;
	totals.replica += trips.replica;
	totals.waits += trips.waits;
	const pattern = `${trips.primary}p+${trips.replica}r`;
	totals.patterns[pattern] = (totals.patterns[pattern] ?? 0) + 1;
	return response;
}

function tripsAnswer(): Response {
	const answer = Response.json(totals);
	totals = emptyTotals();
	return answer;
}

// ------------------------------------------------------------------------------ the environment

/** The bench's environment for `env`, made once per isolate and kind (the app may cache per environment). */
const made = new WeakMap<
	object,
	{ plain: object; chat: object; models: Partial<Record<ModelName, object>> }
>();

function benchEnv<Env extends BenchVars>(env: Env, chatObject = false, modelName?: ModelName): Env {
	let pair = made.get(env);
	if (!pair) {
		const limits: Record<string, { limit: number; period: number }> = JSON.parse(
			env.BENCH_LOCAL_LIMITS ?? "{}",
		);
		const local: Record<string, RateLimit> = {};
		for (const [name, { limit, period }] of Object.entries(limits)) {
			let limiter = limiters.get(name);
			if (!limiter) {
				limiter = localLimiter(limit, period);
				limiters.set(name, limiter);
			}
			local[name] = limiter;
		}
		const plain = { ...env, ...local };
		const delay = Number(env.BENCH_D1_DELAY_MS ?? "0");
		pair = { plain, chat: delay > 0 ? { ...plain, DB: delayedD1(env.DB, delay) } : plain, models: {} };
		made.set(env, pair);
	}
	if (modelName !== undefined) {
		let modelEnv = pair.models[modelName];
		if (!modelEnv) {
			const primaryMs = Number(env.BENCH_API_PRIMARY_MS ?? "0");
			const model = {
				primaryMs,
				replicaMs: modelName === "sessions" ? Number(env.BENCH_API_REPLICA_MS ?? "0") : primaryMs,
				replicas: modelName === "sessions",
			};
			modelEnv = { ...pair.plain, DB: modelD1(env.DB, model) };
			pair.models[modelName] = modelEnv;
		}
		return modelEnv as Env;
	}
	return (chatObject ? pair.chat : pair.plain) as Env;
}

type Handlers = Required<Pick<ExportedHandler<BenchVars>, "fetch" | "scheduled" | "queue">>;
const handlers = api as unknown as Handlers;

export default {
	fetch: (request, env, ctx) => {
		const modelName = request.headers.get(MODEL_HEADER);
		if (modelName === null) {
			if (new URL(request.url).pathname === TRIPS_PATH) return tripsAnswer();
			return handlers.fetch(request, benchEnv(env), ctx);
		}
		if (!isModelName(modelName))
			return new Response(`${MODEL_HEADER}: sessions or primary-only\n`, { status: 400 });
		return withTrips(() => handlers.fetch(request, benchEnv(env, false, modelName), ctx));
	},
	scheduled: (controller, env, ctx) => handlers.scheduled(controller, benchEnv(env), ctx),
	queue: (batch, env, ctx) => handlers.queue(batch, benchEnv(env), ctx),
} satisfies ExportedHandler<BenchVars>;

/**
 * The bench's environment, set on the object after `super`: the object reads it whether or not the runtime's
 * DurableObject base keeps the environment it was handed.
 */
function useBenchEnv(object: object, env: object): void {
	Object.defineProperty(object, "env", { value: env, writable: true, configurable: true });
}

export class ChatRoom extends ApiChatRoom {
	constructor(ctx: DurableObjectState, env: ConstructorParameters<typeof ApiChatRoom>[1] & BenchVars) {
		super(ctx, env);
		useBenchEnv(this, benchEnv(env, true));
	}
}

export class PersonStream extends ApiPersonStream {
	constructor(ctx: DurableObjectState, env: ConstructorParameters<typeof ApiPersonStream>[1] & BenchVars) {
		super(ctx, env);
		useBenchEnv(this, benchEnv(env, true));
	}
}

export class EventRsvp extends ApiEventRsvp {
	constructor(ctx: DurableObjectState, env: ConstructorParameters<typeof ApiEventRsvp>[1] & BenchVars) {
		super(ctx, env);
		useBenchEnv(this, benchEnv(env));
	}
}
