/**
 * Builds the Workers exactly as `wrangler deploy` would bundle them (`--dry-run --outdir`), and describes
 * how Miniflare's API runs them in local workerd: the API Worker with its D1, KV, Durable Objects, rate
 * limiters and the ML service binding taken from wrangler.toml, the ML Worker from ml/wrangler.toml, and
 * the bench-only Worker (scripts/bench/bench-worker.ts) that loads the dataset into the same D1 database
 * and times single operations (JWT verification, PBKDF2, moderate, embed).
 *
 * The load generator talks to the API Worker's own socket (`unsafeDirectSockets`): no wrangler proxy, no
 * inspector, no dev middleware and not even Miniflare's entry Worker sit in front of it.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { convertV4MiniflareOptions, type MiniflareOptions, type V4WorkerOptionsShape } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import {
	BENCH_AUDIENCE,
	BENCH_ISSUER,
	BENCH_JWKS_URL,
	BENCH_PUSH_HOST,
	type BenchKey,
	outboundHandler,
} from "./issuer.ts";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const BIN = path.join(PROJECT_ROOT, "node_modules", ".bin");

/**
 * Bundles the API, the ML Worker and the bench Worker into `outDir`; returns their paths and sizes.
 * `apiSource` builds the API from another copy of the project (a "before" tree for comparisons).
 */
export interface BuiltWorker {
	dir: string;
	script: string;
}

export interface BuiltWorkers {
	/** The API as deployed (its size), and as the bench runs it: the same code behind scripts/bench/api-entry.ts. */
	api: BuiltWorker & { bytes: number; gzipBytes: number };
	apiBench: BuiltWorker;
	/** The API of PROJECT_ROOT behind the bench entry, for the chat extra's row with the rooms' D1 delayed. */
	apiD1Delay: BuiltWorker;
	ml: BuiltWorker & { bytes: number; gzipBytes: number };
	bench: BuiltWorker;
}

export async function buildWorkers(
	outDir: string,
	{ apiSource = PROJECT_ROOT }: { apiSource?: string } = {},
): Promise<BuiltWorkers> {
	const env = {
		...process.env,
		PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ""}`,
		WRANGLER_SEND_METRICS: "false",
		WRANGLER_LOG: "warn",
	};
	const wrangler = (args: string[], cwd = PROJECT_ROOT) =>
		execFileSync("wrangler", ["deploy", "--dry-run", ...args], { cwd, env, stdio: "pipe" });
	const api = path.join(outDir, "api");
	const apiBench = path.join(outDir, "api-bench");
	const apiD1Delay = path.join(outDir, "api-d1-delay");
	const ml = path.join(outDir, "ml");
	const bench = path.join(outDir, "bench");
	wrangler(["--outdir", api], apiSource);
	// The same code built with the bench's entry in front of it (wrangler.toml's `main` replaced).
	const benchEntry = (outdir: string, source: string) =>
		// The entry first: `--alias` takes an array, which would swallow a script named after it.
		wrangler([
			path.join(PROJECT_ROOT, "scripts/bench/api-entry.ts"),
			"--outdir",
			outdir,
			"--alias",
			`flourish-api-under-test:${path.join(source, "src/index.ts")}`,
		]);
	benchEntry(apiBench, apiSource);
	benchEntry(apiD1Delay, PROJECT_ROOT);
	wrangler(["--config", "ml/wrangler.toml", "--env", "", "--outdir", ml]);
	await build({
		entryPoints: [path.join(PROJECT_ROOT, "scripts/bench/bench-worker.ts")],
		outfile: path.join(bench, "index.js"),
		bundle: true,
		format: "esm",
		platform: "browser",
		conditions: ["workerd", "worker", "browser"],
		external: ["cloudflare:*", "node:*"],
		logLevel: "warning",
	});
	// The one script wrangler wrote (it names it after the entry).
	const bundleIn = (dir: string) => {
		const scripts = readdirSync(dir).filter((file) => file.endsWith(".js"));
		if (scripts.length !== 1) throw new Error(`expected one bundle in ${dir}, found ${scripts.join(", ")}`);
		return path.join(dir, scripts[0] as string);
	};
	const sizeOf = (file: string) => {
		const bytes = readFileSync(file);
		return { bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
	};
	return {
		api: { dir: api, script: path.join(api, "index.js"), ...sizeOf(path.join(api, "index.js")) },
		apiBench: { dir: apiBench, script: bundleIn(apiBench) },
		apiD1Delay: { dir: apiD1Delay, script: bundleIn(apiD1Delay) },
		ml: { dir: ml, script: path.join(ml, "index.js"), ...sizeOf(path.join(ml, "index.js")) },
		bench: { dir: bench, script: path.join(bench, "index.js") },
	};
}

/** The round trip added by default to each D1 call of the chat objects in `flourish-api-d1-delay`. */
export const D1_DELAY_MS = 50;

/**
 * The latency model's defaults (`npm run bench -- --primary-ms --replica-ms`; scripts/bench/api-entry.ts): a
 * client on another continent than the D1 primary, with a read replica near it.
 */
export const PRIMARY_MS = 80;
export const REPLICA_MS = 8;

/** The API's D1 database, shared with the bench Worker that loads the dataset into it. */
const BENCH_D1_ID = "flourish-bench";

/** The bindings that point the API at the bench issuer (the same verification path as Auth0). */
const authBindings = {
	AUTH0_DOMAIN: "issuer.bench.test",
	AUTH0_AUDIENCE: BENCH_AUDIENCE,
	AUTH0_ISSUER: BENCH_ISSUER,
	AUTH0_JWKS_URL: BENCH_JWKS_URL,
};

/**
 * A wrangler.toml's Worker as Miniflare options, without its source (a pre-built bundle is given instead) and
 * without module rules (which do not apply to a pre-built bundle).
 */
function workerOptionsOf(configPath: string, env?: string): V4WorkerOptionsShape {
	const { workerOptions } = unstable_getMiniflareWorkerOptions(configPath, env);
	const { modulesRules: _rules, ...options } = workerOptions;
	// wrangler types these as `Omit<V4WorkerOptions, …>`, and Omit over a type with an index signature keeps
	// only the signature (every field reads as `unknown`); they are Miniflare's worker options all the same.
	return options as V4WorkerOptionsShape;
}

/** Miniflare options for the three Workers, with D1/KV/Durable Object storage persisted in `persistDir`. */
export function miniflareOptions({
	built,
	persistDir,
	key,
	vapidPrivateKey,
	d1DelayMs = D1_DELAY_MS,
	apiD1DelayMs = 0,
	primaryMs = PRIMARY_MS,
	replicaMs = REPLICA_MS,
}: {
	built: BuiltWorkers;
	/** The delay of `flourish-api-d1-delay`'s chat objects' D1 calls. */
	d1DelayMs?: number;
	/** The same for the API itself (0; a before/after comparison delays both). */
	apiD1DelayMs?: number;
	/**
	 * The latency model's round trips to the D1 primary and to a replica, for the API's requests that ask for
	 * it (the `latency` extra; others are not delayed).
	 */
	primaryMs?: number;
	replicaMs?: number;
	persistDir: string;
	key: BenchKey;
	/** The run's VAPID key (made by server.ts, never stored): the API pushes, as in production. */
	vapidPrivateKey: string;
}): MiniflareOptions {
	// Bindings as wrangler.toml declares them.
	const apiWorker = workerOptionsOf(path.join(PROJECT_ROOT, "wrangler.toml"));
	const mlWorker = workerOptionsOf(path.join(PROJECT_ROOT, "ml/wrangler.toml"), "");
	const outbound = outboundHandler(key);
	// Web Push as in production (a VAPID key and subject), to the stand-in push service on this machine.
	const pushBindings = {
		VAPID_PRIVATE_KEY: vapidPrivateKey,
		VAPID_SUBJECT: "mailto:bench@flourish.bench",
		PUSH_ENDPOINT_ALLOWLIST: `http://${BENCH_PUSH_HOST}:*`,
	};
	const scripted = (build: BuiltWorker) => ({
		modules: true,
		scriptPath: build.script,
		modulesRoot: build.dir,
	});
	// The Rate Limiting bindings as wrangler.toml declares them, counted in the isolate (scripts/bench/api-entry.ts).
	const localLimits = Object.fromEntries(
		Object.entries(apiWorker.ratelimits ?? {}).map(([name, { simple }]) => [
			name,
			{ limit: simple.limit, period: simple.period ?? 60 },
		]),
	);
	const apiOptions = (build: BuiltWorker, name: string, extra: Record<string, string>) => ({
		...apiWorker,
		...scripted(build),
		name,
		rootPath: PROJECT_ROOT,
		cronTriggers: [],
		bindings: {
			...apiWorker.bindings,
			...authBindings,
			CORS_ORIGINS: "https://app.flourish.bench",
			SUPPORT_HMAC_SECRET: "bench-only-support-hmac-secret-0123456789abcdef",
			...pushBindings,
			BENCH_LOCAL_LIMITS: JSON.stringify(localLimits),
			...extra,
		},
		d1Databases: { DB: BENCH_D1_ID },
		serviceBindings: { ML: "flourish-ml" },
		outboundService: outbound,
		unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
	});
	return convertV4MiniflareOptions({
		resourcePersistencePath: persistDir,
		logRequests: false,
		// No network: a placeholder `request.cf` instead of fetching Cloudflare's, and no telemetry.
		cf: false,
		telemetry: { enabled: false },
		workers: [
			apiOptions(built.apiBench, "flourish-api", {
				BENCH_D1_DELAY_MS: String(apiD1DelayMs),
				BENCH_API_PRIMARY_MS: String(primaryMs),
				BENCH_API_REPLICA_MS: String(replicaMs),
			}),
			{
				// The chat extra's "D1 delayed" row: the API with its chat objects' D1 calls each made `d1DelayMs`
				// slower (scripts/bench/api-entry.ts). Its own Durable Objects (same classes, another namespace),
				// the same D1 and KV; not a queue consumer (the API Worker is).
				...apiOptions(built.apiD1Delay, "flourish-api-d1-delay", { BENCH_D1_DELAY_MS: String(d1DelayMs) }),
				queueConsumers: undefined,
			},
			{
				...mlWorker,
				...scripted(built.ml),
				name: "flourish-ml",
				rootPath: PROJECT_ROOT,
			},
			{
				...scripted(built.bench),
				name: "bench-worker",
				compatibilityDate: apiWorker.compatibilityDate,
				compatibilityFlags: apiWorker.compatibilityFlags,
				bindings: { ...authBindings, ...pushBindings },
				kvNamespaces: { CACHE: "bench-worker-cache" },
				d1Databases: { DB: BENCH_D1_ID },
				// The cron's tasks run here with a counting D1 (the reminders extra): after them, the people
				// notified have their live streams poked and their pushes queued, as the API's cron handler does.
				durableObjects: {
					PERSON_STREAM: { className: "PersonStream", scriptName: "flourish-api", useSQLite: true },
				},
				queueProducers: { NOTIFY_QUEUE: { queueName: "flourish-notifications" } },
				serviceBindings: { ML: "flourish-ml" },
				outboundService: outbound,
				unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
			},
		],
	});
}
