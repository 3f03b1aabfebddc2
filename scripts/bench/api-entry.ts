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
 */
import api, {
	ChatRoom as ApiChatRoom,
	EventRsvp as ApiEventRsvp,
	PersonStream as ApiPersonStream,
} from "flourish-api-under-test";

interface BenchVars {
	BENCH_LOCAL_LIMITS?: string;
	BENCH_D1_DELAY_MS?: string;
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

// ------------------------------------------------------------------------------ the environment

/** The bench's environment for `env`, made once per isolate and kind (the app may cache per environment). */
const made = new WeakMap<object, { plain: object; chat: object }>();

function benchEnv<Env extends BenchVars>(env: Env, chatObject = false): Env {
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
		pair = { plain, chat: delay > 0 ? { ...plain, DB: delayedD1(env.DB, delay) } : plain };
		made.set(env, pair);
	}
	return (chatObject ? pair.chat : pair.plain) as Env;
}

type Handlers = Required<Pick<ExportedHandler<BenchVars>, "fetch" | "scheduled" | "queue">>;
const handlers = api as unknown as Handlers;

export default {
	fetch: (request, env, ctx) => handlers.fetch(request, benchEnv(env), ctx),
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
