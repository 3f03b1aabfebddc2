/**
 * `npm run bench`: builds the Workers as `wrangler deploy` bundles them, and for each dataset size
 *
 *  1. starts the server process (scripts/bench/server.ts: Miniflare's API running the API and ML Workers
 *     in local workerd, storage in a temporary directory) and loads the dataset;
 *  2. pins workerd (the Workers, D1, KV, Durable Objects) to CPU 0 and starts the load generator
 *     (scripts/bench/load.ts: one autocannon instance, a fixed number of connections) pinned to CPU 1 with
 *     the Node host (which only relays workerd's log lines), so neither starves the other on 2 cores;
 *  3. stops the server.
 *
 * Then writes bench-results.json and the figures section of BENCHMARKS.md (between its markers).
 * The server and the load generator run as `node --import tsx`, like this script.
 *
 *   npm run bench                                  # both sizes, every endpoint, the extras on small
 *   npm run bench -- --sizes small --only feed_recent,garden --duration 5 --no-report
 *   npm run bench -- --sizes small --only notifications,unread_count,event_cancel_fan_out --duration 5
 *   npm run bench -- --sizes small --only event_cancel_fan_out --live-streams 200 --no-report
 *   npm run bench -- --api-src /tmp/before --no-report        # the same run against another copy of the API
 *   npm run bench -- --sizes small --only reminders --merge   # one extra again, merged into the report
 *   npm run bench -- --sizes small --only feed_recent --no-extras --no-report --profile   # + CPU profiles
 *   npm run bench -- --sizes small --only latency --merge     # the latency model (D1 far, a replica near)
 *   npm run bench -- --sizes small --only latency --primary-ms 150 --replica-ms 5 --no-report
 *
 * The extras (small dataset only) are latency, micro, rsvp, event_cancel_fan_out, chat and reminders; `--only`
 * names endpoints and extras alike, and with `--only` only the extras it names run.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createBenchKey } from "./lib/issuer.ts";
import { renderFigures } from "./lib/report.ts";
import type { BenchResults, SizeResult } from "./lib/results.ts";
import { buildWorkers, PRIMARY_MS, PROJECT_ROOT, REPLICA_MS } from "./lib/workers.ts";

const { values: args } = parseArgs({
	options: {
		sizes: { type: "string", default: "small,large" },
		only: { type: "string" },
		duration: { type: "string", default: "8" },
		warmup: { type: "string", default: "2" },
		connections: { type: "string", default: "10" },
		/** The chat extra's levels (pairs of clients), each on the API; the last also with D1 delayed. */
		"chat-pairs": { type: "string", default: "10,25,50,200" },
		/** The round trip added to each D1 call of the rooms in the chat extra's last row. */
		"d1-delay-ms": { type: "string", default: "50" },
		/** The same delay on the API's own rooms (0): with `--api-src`, a before/after with D1 far away. */
		"api-d1-delay-ms": { type: "string", default: "0" },
		/** The latency extra's model: each D1 round trip to the primary, and to a replica (ms). */
		"primary-ms": { type: "string", default: String(PRIMARY_MS) },
		"replica-ms": { type: "string", default: String(REPLICA_MS) },
		/** Attendees of event_cancel_fan_out with their live stream open during the cancel (0: none). */
		"live-streams": { type: "string", default: "500" },
		"no-extras": { type: "boolean", default: false },
		"no-report": { type: "boolean", default: false },
		/**
		 * With `--only`: the extras it names are measured and merged into the existing bench-results.json (each
		 * marked with its own run's date and machine load), and the figures are written from that, so the
		 * rest of the report stays as it was. Endpoints are never merged (they are only comparable within a run).
		 */
		merge: { type: "boolean", default: false },
		/** Build the API from another copy of the project (e.g. the code before a fix), for comparisons. */
		"api-src": { type: "string" },
		/** CPU-profile each endpoint's measured phase (API, D1 and ML isolates); implies --no-report. */
		profile: { type: "boolean", default: false },
	},
});
/** workerd's inspector port when profiling (nothing listens on it otherwise). */
const INSPECTOR_PORT = 9239;
if (args.profile) args["no-report"] = true;
if (args.merge && !args.only) throw new Error("--merge needs --only (the extras to merge)");
const say = (message: string) => process.stderr.write(`\x1b[32m[bench]\x1b[0m ${message}\n`);
const BIN = path.join(PROJECT_ROOT, "node_modules", ".bin");
/** The child scripts are TypeScript too: node loads them through tsx (resolved from PROJECT_ROOT, their cwd). */
const TSX = ["--import", "tsx"];
const childEnv = {
	...process.env,
	PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ""}`,
	WRANGLER_SEND_METRICS: "false",
};
const hasTaskset = (() => {
	try {
		execFileSync("taskset", ["-V"], { stdio: "ignore" });
		return os.availableParallelism() >= 2;
	} catch {
		return false;
	}
})();

const loadAverage = () => os.loadavg().map((value) => Math.round(value * 100) / 100);
/** Busy share of all cores over one second, from /proc/stat (the load average lags by minutes). */
async function cpuBusy(): Promise<number | null> {
	const sample = () => {
		const [, ...fields] = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/);
		const numbers = fields.map(Number);
		// user nice system idle iowait …: idle and iowait are the idle time.
		const idle = (numbers[3] ?? Number.NaN) + (numbers[4] ?? 0);
		return { idle, total: numbers.reduce((sum, value) => sum + value, 0) };
	};
	const first = sample();
	await new Promise((resolve) => setTimeout(resolve, 1000));
	const second = sample();
	const total = second.total - first.total;
	return total > 0 ? Math.round((100 * (total - (second.idle - first.idle))) / total) : null;
}

/** The pids of `pid` and everything below it (workerd is a child of the Node host). */
function processTree(pid: number): number[] {
	const children = new Map<number, number[]>();
	for (const entry of readdirSync("/proc")) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
			const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
			children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
		} catch {
			// gone meanwhile
		}
	}
	const all: number[] = [];
	const visit = (id: number) => {
		all.push(id);
		for (const child of children.get(id) ?? []) visit(child);
	};
	visit(pid);
	return all;
}

function isWorkerd(pid: number): boolean {
	try {
		return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "workerd";
	} catch {
		return false;
	}
}

/**
 * Where D1, KV and Durable Object storage live during a run: in memory (tmpfs) where the machine has one.
 * On disk, every commit of D1 or of a Durable Object's SQLite is an fsync, and on this VM the kernel's share
 * of those (its virtual disk) was a fifth of workerd's CPU under the chat load — the disk, not the Worker,
 * and not what production runs on the Worker's core.
 */
const STORAGE_ROOT = (() => {
	try {
		return mkdtempSync("/dev/shm/flourish-bench-");
	} catch {
		return undefined;
	}
})();

function startServer({ tmp, size }: { tmp: string; size: string }) {
	const persist = path.join(STORAGE_ROOT ?? tmp, `persist-${size}`);
	const fixtures = path.join(tmp, `fixtures-${size}.json`);
	const child = spawn(
		process.execPath,
		[
			...TSX,
			path.join(PROJECT_ROOT, "scripts/bench/server.ts"),
			"--build",
			path.join(tmp, "build"),
			"--persist",
			persist,
			"--key",
			path.join(tmp, "key.json"),
			"--size",
			size,
			"--fixtures",
			fixtures,
			"--d1-delay-ms",
			args["d1-delay-ms"],
			"--api-d1-delay-ms",
			args["api-d1-delay-ms"],
			"--primary-ms",
			args["primary-ms"],
			"--replica-ms",
			args["replica-ms"],
			...(args.profile ? ["--inspector-port", String(INSPECTOR_PORT)] : []),
		],
		{ cwd: PROJECT_ROOT, env: childEnv, stdio: ["pipe", "pipe", "inherit"] },
	);
	const ready = new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error("the server did not get ready in 8 minutes")), 480_000);
		child.stdout.on("data", (chunk) => {
			if (chunk.toString().includes("READY")) {
				clearTimeout(timer);
				resolve();
			}
		});
		child.once("exit", (code) => {
			clearTimeout(timer);
			reject(new Error(`the server exited (${code}) before it was ready`));
		});
	});
	const stop = () =>
		new Promise<void>((resolve) => {
			if (child.exitCode !== null) return resolve();
			const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
			child.once("exit", () => {
				clearTimeout(timer);
				resolve();
			});
			child.kill("SIGTERM");
		});
	return { child, ready, stop, fixtures };
}

function runLoad({
	tmp,
	size,
	fixtures,
	extras,
	workerdPids,
}: {
	tmp: string;
	size: string;
	fixtures: string;
	extras: boolean;
	/** workerd's processes (the load generator reads their CPU time around the chat levels). */
	workerdPids: number[];
}): Promise<SizeResult> {
	const out = path.join(tmp, `results-${size}.json`);
	const loadArgs = [
		...TSX,
		path.join(PROJECT_ROOT, "scripts/bench/load.ts"),
		"--fixtures",
		fixtures,
		"--key",
		path.join(tmp, "key.json"),
		"--out",
		out,
		"--duration",
		args.duration,
		"--warmup",
		args.warmup,
		"--connections",
		args.connections,
		"--live-streams",
		args["live-streams"],
		"--chat-pairs",
		args["chat-pairs"],
		...(args.only ? ["--only", args.only] : []),
		...(extras ? ["--extras"] : []),
		...(workerdPids.length > 0 ? ["--workerd-pids", workerdPids.join(",")] : []),
		...(args.profile ? ["--inspector-port", String(INSPECTOR_PORT), "--profile-dir", tmp] : []),
	];
	const [command, commandArgs]: [string, string[]] = hasTaskset
		? ["taskset", ["-c", "1", process.execPath, ...loadArgs]]
		: [process.execPath, loadArgs];
	return new Promise((resolve, reject) => {
		const child = spawn(command, commandArgs, { cwd: PROJECT_ROOT, env: childEnv, stdio: "inherit" });
		child.once("exit", (code) =>
			code === 0 ? resolve(JSON.parse(readFileSync(out, "utf8"))) : reject(new Error(`load exited ${code}`)),
		);
	});
}

function versions(): BenchResults["versions"] {
	const version = (name: string): string | null => {
		try {
			return JSON.parse(readFileSync(path.join(PROJECT_ROOT, "node_modules", name, "package.json"), "utf8"))
				.version;
		} catch {
			return null;
		}
	};
	let workerd = null;
	try {
		workerd = execFileSync(path.join(BIN, "workerd"), ["--version"], { encoding: "utf8" })
			.trim()
			.replace(/^workerd\s+/, "");
	} catch {
		// reported as null
	}
	return {
		node: process.version,
		workerd,
		wrangler: version("wrangler"),
		miniflare: version("miniflare"),
		autocannon: version("autocannon"),
		hono: version("hono"),
		"drizzle-orm": version("drizzle-orm"),
		jose: version("jose"),
	};
}

function machine(): BenchResults["machine"] {
	const cpus = os.cpus();
	return {
		cpu: cpus[0]?.model ?? "unknown",
		cores: os.availableParallelism(),
		memoryGiB: Math.round(os.totalmem() / 2 ** 30),
		os: `${os.type()} ${os.release()}`,
	};
}

/** Where each extra's figures are kept in a SizeResult. */
const EXTRA_KEYS = {
	micro: "micro",
	rsvp: "rsvp",
	event_cancel_fan_out: "fanOut",
	chat: "chat",
	reminders: "reminders",
	latency: "latency",
} as const satisfies Record<string, keyof SizeResult>;

/** `--merge`: the extras measured in `run` put into the `existing` results, each with its run's date and load. */
function mergeExtras(existing: BenchResults, run: BenchResults): BenchResults {
	const merged: BenchResults = { ...existing, sizes: { ...existing.sizes } };
	for (const [size, measured] of Object.entries(run.sizes)) {
		const target = merged.sizes[size];
		if (!measured || !target)
			throw new Error(`--merge: bench-results.json has no ${size} dataset to merge into`);
		const updated: SizeResult = { ...target };
		for (const [name, key] of Object.entries(EXTRA_KEYS)) {
			if (measured[key] === undefined) continue;
			Object.assign(updated, { [key]: measured[key] });
			merged.mergedExtras = {
				...merged.mergedExtras,
				[name]: { startedAt: run.startedAt, load: run.load, versions: run.versions },
			};
		}
		merged.sizes[size] = updated;
	}
	return merged;
}

const started = Date.now();
const tmp = mkdtempSync(path.join(os.tmpdir(), "flourish-bench-"));
const results: BenchResults = {
	startedAt: new Date(started).toISOString(),
	machine: machine(),
	versions: versions(),
	method: {
		server:
			"Miniflare API (node_modules/miniflare) running the wrangler-built bundles in local workerd; load sent to the API Worker's own socket (unsafeDirectSockets), not through wrangler dev or Miniflare's entry Worker",
		storage: STORAGE_ROOT
			? "D1, KV and Durable Object storage in memory (tmpfs): no disk flush per commit"
			: "D1, KV and Durable Object storage on disk (no tmpfs here)",
		pinning: hasTaskset
			? "workerd (API and ML Workers, D1, KV, Durable Objects) on CPU 0; load generator and the Node host (relays workerd's logs) on CPU 1 (taskset)"
			: "none (taskset unavailable)",
		loadGenerator: `autocannon, 1 instance in 1 thread, ${args.connections} connections, no pipelining, ${args.warmup} s warm-up then ${args.duration} s measured per endpoint`,
	},
	load: { before: { loadAverage: loadAverage(), cpuBusyPercent: await cpuBusy() } },
	sizes: {},
};
let exitCode = 0;
try {
	say(`machine load before: ${JSON.stringify(results.load.before)}`);
	say("building the Workers (wrangler deploy --dry-run) …");
	const built = await buildWorkers(path.join(tmp, "build"), {
		...(args["api-src"] ? { apiSource: path.resolve(args["api-src"]) } : {}),
	});
	writeFileSync(path.join(tmp, "build", "built.json"), JSON.stringify(built));
	writeFileSync(path.join(tmp, "key.json"), JSON.stringify(await createBenchKey()));
	results.bundle = {
		api: { bytes: built.api.bytes, gzipBytes: built.api.gzipBytes },
		ml: { bytes: built.ml.bytes, gzipBytes: built.ml.gzipBytes },
	};
	const sizes = args.sizes.split(",");
	for (const [index, size] of sizes.entries()) {
		say(`${size} dataset: starting the server and loading the data …`);
		const server = startServer({ tmp, size });
		try {
			await server.ready;
			if (hasTaskset && server.child.pid !== undefined) {
				// workerd (the Workers, D1, KV, Durable Objects) gets CPU 0 to itself; the Node host only relays
				// workerd's log lines (production ships them outside the request), so it shares CPU 1 with the
				// load generator, which leaves that core ≈ 60% idle even at the trivial route's rate.
				for (const pid of processTree(server.child.pid)) {
					const cpu = isWorkerd(pid) ? "0" : "1";
					execFileSync("taskset", ["-a", "-p", "-c", cpu, String(pid)], { stdio: "ignore" });
				}
			}
			say(`${size} dataset: loaded; measuring (machine load ${JSON.stringify(loadAverage())}) …`);
			const extras = index === 0 && !args["no-extras"];
			const workerdPids =
				server.child.pid === undefined ? [] : processTree(server.child.pid).filter(isWorkerd);
			const measured = await runLoad({ tmp, size, fixtures: server.fixtures, extras, workerdPids });
			measured.loadAverageAfter = loadAverage();
			results.sizes[size] = measured;
		} finally {
			await server.stop();
			rmSync(path.join(STORAGE_ROOT ?? tmp, `persist-${size}`), { recursive: true, force: true });
		}
	}
	results.load.after = { loadAverage: loadAverage(), cpuBusyPercent: await cpuBusy() };
	results.durationSeconds = Math.round((Date.now() - started) / 1000);
	if (!args["no-report"]) {
		const resultsFile = path.join(PROJECT_ROOT, "bench-results.json");
		const report = args.merge ? mergeExtras(JSON.parse(readFileSync(resultsFile, "utf8")), results) : results;
		writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
		// In the repository's own format, so `npm run lint` stays clean.
		execFileSync(path.join(BIN, "biome"), ["format", "--write", resultsFile], { stdio: "ignore" });
		const file = path.join(PROJECT_ROOT, "BENCHMARKS.md");
		const current = existsSync(file) ? readFileSync(file, "utf8") : "";
		writeFileSync(file, renderFigures(current, report));
		say("wrote bench-results.json and the figures in BENCHMARKS.md");
	} else {
		writeFileSync(path.join(tmp, "bench-results.json"), `${JSON.stringify(results, null, 2)}\n`);
		say(`results: ${path.join(tmp, "bench-results.json")}`);
	}
	say(`done in ${results.durationSeconds} s`);
} catch (error) {
	exitCode = 1;
	process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
} finally {
	if (!args["no-report"]) rmSync(tmp, { recursive: true, force: true });
	if (STORAGE_ROOT) rmSync(STORAGE_ROOT, { recursive: true, force: true });
}
process.exit(exitCode);
