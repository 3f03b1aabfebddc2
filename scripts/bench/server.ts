/**
 * The benchmark's server process: runs the API, the ML Worker and the bench Worker in local workerd through
 * Miniflare's API (storage persisted in a temporary directory), applies the migrations, loads the dataset,
 * writes what the load generator needs to `--fixtures`, prints `READY`, and serves until it is told to stop
 * (SIGTERM, SIGINT, or its standard input closing).
 *
 *   node --import tsx scripts/bench/server.ts --build DIR --persist DIR --key FILE --size small|large --fixtures FILE
 *        [--inspector-port N]   (workerd's inspector, for `npm run bench -- --profile`)
 *        [--d1-delay-ms N] [--api-d1-delay-ms N] [--primary-ms N] [--replica-ms N]   (see run.ts)
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Log, LogLevel, Miniflare } from "miniflare";
import { generateVapidKeyPair } from "../lib/vapid-keys.ts";
import { generateDataset, SIZES } from "./lib/dataset.mts";
import type { BenchKey } from "./lib/issuer.ts";
import type { BenchFixtures } from "./lib/results.ts";
import { seedClient } from "./lib/sql.ts";
import {
	type BuiltWorkers,
	D1_DELAY_MS,
	miniflareOptions,
	PRIMARY_MS,
	PROJECT_ROOT,
	REPLICA_MS,
} from "./lib/workers.ts";

const { values: args } = parseArgs({
	options: {
		build: { type: "string" },
		persist: { type: "string" },
		key: { type: "string" },
		size: { type: "string", default: "small" },
		fixtures: { type: "string" },
		"inspector-port": { type: "string" },
		"d1-delay-ms": { type: "string", default: String(D1_DELAY_MS) },
		"api-d1-delay-ms": { type: "string", default: "0" },
		"primary-ms": { type: "string", default: String(PRIMARY_MS) },
		"replica-ms": { type: "string", default: String(REPLICA_MS) },
	},
});
const log = (message: string) => process.stderr.write(`[server ${args.size}] ${message}\n`);
/** run.ts always passes these. */
function required(name: "build" | "persist" | "key" | "fixtures"): string {
	const value = args[name];
	if (value === undefined) throw new Error(`--${name} is required`);
	return value;
}

// Written by run.ts: the build's paths and sizes, and the run's key pair.
const built: BuiltWorkers = JSON.parse(readFileSync(path.join(required("build"), "built.json"), "utf8"));
const key: BenchKey = JSON.parse(readFileSync(required("key"), "utf8"));
// Web Push's VAPID key pair, made for this run and kept in memory (the load generator gets the public half).
const vapid = await generateVapidKeyPair();
const mf = new Miniflare({
	...miniflareOptions({
		built,
		persistDir: required("persist"),
		key,
		vapidPrivateKey: vapid.privateKey,
		d1DelayMs: Number(args["d1-delay-ms"]),
		apiD1DelayMs: Number(args["api-d1-delay-ms"]),
		primaryMs: Number(args["primary-ms"]),
		replicaMs: Number(args["replica-ms"]),
	}),
	...(args["inspector-port"] ? { inspectorPort: Number(args["inspector-port"]) } : {}),
	log: new Log(LogLevel.WARN),
	// The API logs one JSON line per request (as in production); the bench does not print them.
	handleStructuredLogs: () => {},
});
await mf.ready;
const apiUrl = await mf.unsafeGetDirectURL("flourish-api");
const apiD1DelayUrl = await mf.unsafeGetDirectURL("flourish-api-d1-delay");
const benchUrl = (await mf.unsafeGetDirectURL("bench-worker")).href.replace(/\/$/, "");
const seed = seedClient(benchUrl);
const migrationsDir = path.join(PROJECT_ROOT, "migrations");
const migrations = readdirSync(migrationsDir)
	.filter((file) => file.endsWith(".sql"))
	.sort()
	.map((file) => readFileSync(path.join(migrationsDir, file), "utf8"));
await seed.applyMigrations(migrations, "tables");

const started = Date.now();
const size = args.size;
if (size !== "small" && size !== "large")
	throw new Error(`unknown dataset size ${size}; one of ${Object.keys(SIZES)}`);
const dataset = await generateDataset(seed, size, { log });
await seed.applyMigrations(migrations, "indexes");
const seedSeconds = (Date.now() - started) / 1000;
log(`dataset loaded in ${seedSeconds.toFixed(1)} s`);

const fixtures: BenchFixtures = {
	apiUrl: apiUrl.href.replace(/\/$/, ""),
	apiD1DelayUrl: apiD1DelayUrl.href.replace(/\/$/, ""),
	d1DelayMs: Number(args["d1-delay-ms"]),
	apiD1DelayMs: Number(args["api-d1-delay-ms"]),
	primaryMs: Number(args["primary-ms"]),
	replicaMs: Number(args["replica-ms"]),
	benchUrl,
	size: args.size,
	counts: dataset.counts,
	seedSeconds,
	vapidPublicKey: vapid.publicKey,
	...dataset.fixtures,
};
writeFileSync(required("fixtures"), JSON.stringify(fixtures));
process.stdout.write("READY\n");

let stopping = false;
async function stop() {
	if (stopping) return;
	stopping = true;
	await mf.dispose().catch(() => {});
	process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();
