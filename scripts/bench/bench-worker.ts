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
 *
 * Bundled by esbuild for workerd (lib/workers.ts), so it can be TypeScript; it is type-checked with the
 * Workers types, like src/, through its own tsconfig.worker.json (tsconfig.node.json has Node's).
 */
import { authConfig, verifyAccessToken, verifySignedToken } from "../../src/auth/verify.ts";
import type { Bindings } from "../../src/env.ts";
import { embed, moderate } from "../../src/ml/client.ts";
import { hashSupportToken, newSupportToken, PBKDF2_ITERATIONS } from "../../src/modules/support/token.ts";

/** D1 refuses statements with more than 100 bound parameters (locally too). */
const MAX_BOUND_PARAMETERS = 100;
const STATEMENTS_PER_BATCH = 200;

const POST =
	"Week six of my morning routine: ten minutes of meditation, a short walk, and journaling before work. " +
	"Some days it is hard and I want to skip it, but this group keeps me honest. Yesterday I felt anxious " +
	"about a presentation, so I tried the box breathing exercise someone shared here and it really helped. ";
const TEXT_1000 = POST.repeat(4).slice(0, 1000);

/** What lib/workers.ts binds: the API's auth configuration, the JWKS cache, D1 and the ML Worker. */
type BenchEnv = Pick<
	Bindings,
	"DB" | "CACHE" | "ML" | "AUTH0_DOMAIN" | "AUTH0_AUDIENCE" | "AUTH0_ISSUER" | "AUTH0_JWKS_URL"
>;

/**
 * authConfig and verifyAccessToken are typed with all the API's bindings but read only the auth variables
 * and CACHE (src/auth/verify.ts), which this Worker has.
 */
const asApiBindings = (env: BenchEnv) => env as Bindings;

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
};

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
