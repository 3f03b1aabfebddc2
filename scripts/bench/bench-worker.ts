/**
 * Bench-only Worker (never deployed), run beside the API in the same workerd and bound to the same D1
 * database. Two jobs:
 *
 * Loading the dataset, as plain SQL through the D1 binding (never through the API), and reading it back:
 *   POST /exec    { statements: [sql…] }                       one batch (the migrations)
 *   POST /insert  { table, columns, rows: [[…]…], onConflict? } multi-row INSERTs of at most 100 bound
 *                                                               parameters each, sent in batches
 *   POST /run     { statements: [{ sql, params }…] }           one batch of set-based statements
 *                                                               (INSERT … SELECT, generating their rows)
 *   POST /query   { sql, params }                              one statement's rows (the load generator
 *                                                               watching what a queue consumer wrote)
 *
 * Timing single operations of the API's own code, repeated `n` times so the caller can time them from
 * outside (workerd's clocks do not advance during pure computation):
 *   GET /jwt?n=…&token=…  the full RS256 verification of the same token, key cache warm after the first call
 *   GET /jwt_cached?n=…&token=…  verifyAccessToken as a request sees it: verified once, then remembered
 *   GET /pbkdf2?n=…       PBKDF2-SHA256 (100,000 iterations) of a fresh support token
 *   GET /moderate?n=…     the ML Worker's moderate() over the service binding, 1,000-character text
 *   GET /embed?n=…        the ML Worker's embed() over the service binding, one post-sized text
 *   GET /push_request?n=… buildPushRequest: one push's RFC 8291 encryption and VAPID signature (no sending)
 *
 * The reminders extra (habit reminders and Web Push), run with a counting D1 binding
 * (test/support/d1-counter.ts: D1's own `meta.rows_read` and `rows_written` of every statement, summed):
 *   POST /tick    { now }                 the minute cron's tasks for `now`, exactly as the API's `scheduled`
 *                                         handler runs them (src/scheduled.ts: the reminders, then the people
 *                                         notified poked and their push jobs queued)
 *   POST /deliver { jobs, concurrency }   push jobs delivered here, `concurrency` at a time, with the queue
 *                                         consumer's own function (deliverPushJob), for comparison with the
 *                                         queue
 *
 * Bundled by esbuild for workerd (lib/workers.ts), so it can be TypeScript; it is type-checked with the
 * Workers types, like src/, through its own tsconfig.worker.json (tsconfig.node.json has Node's).
 */
import { authConfig, verifyAccessToken, verifySignedToken } from "../../src/auth/verify.ts";
import type { Bindings } from "../../src/env.ts";
import type { PushJob } from "../../src/lib/bindings.ts";
import {
	buildPushRequest,
	type PushSubscriptionJson,
	pushTopic,
	toBase64Url,
} from "../../src/lib/web-push/index.ts";
import { embed, moderate } from "../../src/ml/client.ts";
import { deliverPushJob } from "../../src/modules/push/index.ts";
import { hashSupportToken, newSupportToken, PBKDF2_ITERATIONS } from "../../src/modules/support/token.ts";
import { EVERY_MINUTE, runScheduledTasks } from "../../src/scheduled.ts";
import { countingD1 } from "../../test/support/d1-counter.ts";

/** D1 refuses statements with more than 100 bound parameters (locally too). */
const MAX_BOUND_PARAMETERS = 100;
const STATEMENTS_PER_BATCH = 200;

const POST =
	"Week six of my morning routine: ten minutes of meditation, a short walk, and journaling before work. " +
	"Some days it is hard and I want to skip it, but this group keeps me honest. Yesterday I felt anxious " +
	"about a presentation, so I tried the box breathing exercise someone shared here and it really helped. ";
const TEXT_1000 = POST.repeat(4).slice(0, 1000);

/**
 * What lib/workers.ts binds: the API's auth configuration, the JWKS cache, D1, the ML Worker, the Web Push
 * configuration, the live streams' Durable Objects (the API's) and the notifications queue's producer.
 */
type BenchEnv = Pick<
	Bindings,
	| "DB"
	| "CACHE"
	| "ML"
	| "AUTH0_DOMAIN"
	| "AUTH0_AUDIENCE"
	| "AUTH0_ISSUER"
	| "AUTH0_JWKS_URL"
	| "VAPID_PRIVATE_KEY"
	| "VAPID_SUBJECT"
	| "PUSH_ENDPOINT_ALLOWLIST"
	| "PERSON_STREAM"
	| "NOTIFY_QUEUE"
>;

/**
 * authConfig and verifyAccessToken are typed with all the API's bindings but read only the auth variables
 * and CACHE (src/auth/verify.ts), which this Worker has; the minute cron's one task reads DB, and what follows
 * it PERSON_STREAM and NOTIFY_QUEUE (src/scheduled.ts, habit reminders).
 */
const asApiBindings = (env: BenchEnv) => env as Bindings;

/** A push like a habit reminder's (the record is padded to one size whatever the text). */
const PUSH_PAYLOAD = JSON.stringify({
	type: "habit_reminder",
	title: "Habit reminder",
	body: "Time for Morning meditation.",
	url: "/habits/0192f1e2-aaaa-7bbb-8ccc-0123456789ab",
	tag: "bench",
	notification_id: "0192f1e2-aaaa-7bbb-8ccc-0123456789ac",
});

/** A browser's subscription as the push_request operation encrypts to it (made once per isolate). */
let benchSubscription: Promise<PushSubscriptionJson> | undefined;
function pushSubscription(): Promise<PushSubscriptionJson> {
	benchSubscription ??= (async () => {
		const pair = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
			"deriveBits",
		])) as CryptoKeyPair;
		const point = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
		return {
			endpoint: "http://127.0.0.1:9/push/bench",
			keys: { p256dh: toBase64Url(point), auth: toBase64Url(crypto.getRandomValues(new Uint8Array(16))) },
		};
	})();
	return benchSubscription;
}

type Operation = (env: BenchEnv, url: URL, ctx: ExecutionContext) => Promise<void>;

const operations: Record<string, Operation> = {
	async jwt(env, url, ctx) {
		const token = url.searchParams.get("token") ?? "";
		await verifySignedToken(token, authConfig(asApiBindings(env)), env, (promise) => ctx.waitUntil(promise));
	},
	async jwt_cached(env, url, ctx) {
		const token = url.searchParams.get("token") ?? "";
		await verifyAccessToken(token, asApiBindings(env), (promise) => ctx.waitUntil(promise));
	},
	async pbkdf2() {
		await hashSupportToken(newSupportToken(), crypto.getRandomValues(new Uint8Array(16)), PBKDF2_ITERATIONS);
	},
	async moderate(env) {
		if (!(await moderate(env.ML, TEXT_1000))) throw new Error("moderate failed");
	},
	async embed(env) {
		if (!(await embed(env.ML, [POST]))) throw new Error("embed failed");
	},
	async push_request(env) {
		await buildPushRequest({
			subscription: await pushSubscription(),
			payload: PUSH_PAYLOAD,
			options: { ttl: 2 * 60 * 60, urgency: "normal", topic: await pushTopic("habit:bench") },
			vapid: { privateKey: env.VAPID_PRIVATE_KEY ?? "", subject: env.VAPID_SUBJECT ?? "" },
			allowlist: env.PUSH_ENDPOINT_ALLOWLIST ?? "",
		});
	},
};

/** What the counting D1 binding saw (test/support/d1-counter.ts), and how long it took inside workerd. */
function counted(counter: ReturnType<typeof countingD1>, started: number) {
	return {
		roundTrips: counter.roundTrips,
		statements: counter.executed.length,
		rowsRead: counter.rowsRead,
		rowsWritten: counter.rowsWritten,
		// workerd's clock advances across I/O (every D1 call), not during computation.
		insideMs: Date.now() - started,
	};
}

/**
 * The minute cron's tasks for `now`, as src/index.ts's `scheduled` handler runs them. `d1Ms`: until D1's
 * last answer (the reminders' own work: every D1 call of the tick is a batch); the rest is telling the people
 * notified (their live streams poked, their push jobs queued).
 */
async function tick(env: BenchEnv, now: Date) {
	const counter = countingD1(env.DB);
	const started = Date.now();
	let lastAnswer = started;
	const timed = new Proxy(counter.db, {
		get(target, property) {
			const value = Reflect.get(target, property, target);
			if (property !== "batch") return typeof value === "function" ? value.bind(target) : value;
			return async (statements: D1PreparedStatement[]) => {
				const results = await target.batch(statements);
				lastAnswer = Date.now();
				return results;
			};
		},
	});
	await runScheduledTasks(asApiBindings({ ...env, DB: timed }), now, EVERY_MINUTE);
	return { ...counted(counter, started), d1Ms: lastAnswer - started };
}

/** Push jobs delivered `concurrency` at a time by the queue consumer's function; their outcomes summed. */
async function deliver(env: BenchEnv, jobs: PushJob[], concurrency: number) {
	const counter = countingD1(env.DB);
	const counting = { ...env, DB: counter.db };
	const started = Date.now();
	const outcome = { delivered: 0, removed: 0, failed: 0, retry: 0 };
	let next = 0;
	const worker = async () => {
		while (next < jobs.length) {
			const job = jobs[next++];
			if (!job) break;
			const result = await deliverPushJob(counting, job);
			outcome.delivered += result.delivered;
			outcome.removed += result.removed;
			outcome.failed += result.failed;
			outcome.retry += result.retry;
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
	return { ...outcome, ...counted(counter, started) };
}

/** A statement with its bound parameters (at most 100). */
interface Statement {
	sql: string;
	params: unknown[];
}

interface InsertRequest {
	table: string;
	columns: string[];
	rows: unknown[][];
	onConflict?: string;
}

async function insert(
	db: D1Database,
	{ table, columns, rows, onConflict = "" }: InsertRequest,
): Promise<number> {
	const perStatement = Math.max(1, Math.floor(MAX_BOUND_PARAMETERS / columns.length));
	const tuple = `(${columns.map(() => "?").join(", ")})`;
	const statements = [];
	for (let start = 0; start < rows.length; start += perStatement) {
		const chunk = rows.slice(start, start + perStatement);
		const sql = `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${chunk.map(() => tuple).join(", ")} ${onConflict}`;
		statements.push(db.prepare(sql).bind(...chunk.flat()));
	}
	for (let start = 0; start < statements.length; start += STATEMENTS_PER_BATCH) {
		await db.batch(statements.slice(start, start + STATEMENTS_PER_BATCH));
	}
	return statements.length;
}

export default {
	async fetch(request, env, ctx) {
		const url = new URL(request.url);
		// The bodies come from lib/sql.ts, the only client of this Worker.
		if (request.method === "POST" && url.pathname === "/insert") {
			return Response.json({ statements: await insert(env.DB, await request.json<InsertRequest>()) });
		}
		if (request.method === "POST" && url.pathname === "/run") {
			const { statements } = await request.json<{ statements: Statement[] }>();
			await env.DB.batch(statements.map(({ sql, params }) => env.DB.prepare(sql).bind(...params)));
			return Response.json({ statements: statements.length });
		}
		if (request.method === "POST" && url.pathname === "/query") {
			const { sql, params } = await request.json<Statement>();
			const { results } = await env.DB.prepare(sql)
				.bind(...params)
				.all();
			return Response.json({ results });
		}
		if (request.method === "POST" && url.pathname === "/tick") {
			const { now } = await request.json<{ now: string }>();
			return Response.json(await tick(env, new Date(now)));
		}
		if (request.method === "POST" && url.pathname === "/deliver") {
			const { jobs, concurrency } = await request.json<{ jobs: PushJob[]; concurrency: number }>();
			return Response.json(await deliver(env, jobs, concurrency));
		}
		if (request.method === "POST" && url.pathname === "/exec") {
			const { statements } = await request.json<{ statements: string[] }>();
			await env.DB.batch(statements.map((statement) => env.DB.prepare(statement)));
			return Response.json({ statements: statements.length });
		}
		const operation = operations[url.pathname.slice(1)];
		if (!operation) return new Response("unknown operation", { status: 404 });
		const n = Math.min(100_000, Math.max(0, Number(url.searchParams.get("n") ?? "1")));
		for (let i = 0; i < n; i++) await operation(env, url, ctx);
		return Response.json({ n });
	},
} satisfies ExportedHandler<BenchEnv>;
