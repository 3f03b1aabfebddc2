/**
 * The benchmark's server process: runs the API, the ML Worker and the bench Worker in local workerd through
 * Miniflare's API (storage persisted in a temporary directory), applies the migrations, loads the dataset,
 * writes what the load generator needs to `--fixtures`, prints `READY`, and serves until it is told to stop
 * (SIGTERM, SIGINT, or its standard input closing).
 *
 *   node scripts/bench/server.mjs --build DIR --persist DIR --key FILE --size small|large --fixtures FILE
 *        [--inspector-port N]   (workerd's inspector, for `npm run bench -- --profile`)
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Log, LogLevel, Miniflare } from "miniflare";
import { generateDataset } from "./lib/dataset.mjs";
import { seedClient } from "./lib/sql.mjs";
import { miniflareOptions, PROJECT_ROOT } from "./lib/workers.mjs";

const { values: args } = parseArgs({
	options: {
		build: { type: "string" },
		persist: { type: "string" },
		key: { type: "string" },
		size: { type: "string", default: "small" },
		fixtures: { type: "string" },
		"inspector-port": { type: "string" },
	},
});
const log = (message) => process.stderr.write(`[server ${args.size}] ${message}\n`);

const built = JSON.parse(readFileSync(path.join(args.build, "built.json"), "utf8"));
const key = JSON.parse(readFileSync(args.key, "utf8"));
const mf = new Miniflare({
	...miniflareOptions({ built, persistDir: args.persist, key }),
	...(args["inspector-port"] ? { inspectorPort: Number(args["inspector-port"]) } : {}),
	log: new Log(LogLevel.WARN),
	// The API logs one JSON line per request (as in production); the bench does not print them.
	handleStructuredLogs: () => {},
});
await mf.ready;
const apiUrl = await mf.unsafeGetDirectURL("flourish-api");
const benchUrl = (await mf.unsafeGetDirectURL("bench-worker")).href.replace(/\/$/, "");
const seed = seedClient(benchUrl);
const migrationsDir = path.join(PROJECT_ROOT, "migrations");
const migrations = readdirSync(migrationsDir)
	.filter((file) => file.endsWith(".sql"))
	.sort()
	.map((file) => readFileSync(path.join(migrationsDir, file), "utf8"));
await seed.applyMigrations(migrations, "tables");

const started = Date.now();
const dataset = await generateDataset(seed, args.size, { log });
await seed.applyMigrations(migrations, "indexes");
const seedSeconds = (Date.now() - started) / 1000;
log(`dataset loaded in ${seedSeconds.toFixed(1)} s`);

writeFileSync(
	args.fixtures,
	JSON.stringify({
		apiUrl: apiUrl.href.replace(/\/$/, ""),
		benchUrl,
		size: args.size,
		counts: dataset.counts,
		seedSeconds,
		...dataset.fixtures,
	}),
);
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
