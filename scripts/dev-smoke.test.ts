/**
 * Smoke test of the Workers as `npm run dev` runs them: `wrangler dev` bundles the real entry modules and local
 * workerd loads them as production does, so an entry that workerd refuses (an exported string: "Incorrect type
 * for map entry …") fails here, where the test integration — which loads the entry its own way — passes.
 *
 * Everything lives in a scratch directory, removed afterwards: copies of wrangler.toml and ml/wrangler.toml
 * (paths made absolute, so wrangler's `.wrangler/` lands there and no `.dev.vars` of the developer is read), the
 * vars file (`.dev.vars.example` plus a fresh VAPID key, as `npm run dev` makes `.dev.vars`), the D1 state,
 * wrangler's logs and dev registry. Free ports; the whole process group is killed at the end, whatever happens.
 *
 * Runs in Node: `npm run test:scripts`, and `.ci/run` counts it. No network.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { DEV_CONFIGS, MIGRATE_LOCAL_ARGS, wranglerDevArgs } from "./lib/dev-command.ts";
import { isRecord } from "./lib/guards.ts";
import { ensureDevVapidKey } from "./lib/vapid-keys.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "node_modules", ".bin");
const START_TIMEOUT_MS = 90_000;
const MIGRATE_TIMEOUT_MS = 60_000;

/** What wrangler or workerd print when a Worker does not start (ANSI colours removed first). */
const STARTUP_ERRORS = [
	/Incorrect type for map entry/,
	/Uncaught \w*Error/,
	/\[ERROR\]/,
	/failed to start/i,
	/no such Durable Object class is exported/,
];

const scratch = mkdtempSync(path.join(os.tmpdir(), "dev-smoke-"));
const state = path.join(scratch, "state");
const varsFile = path.join(scratch, "dev.vars");
let baseUrl = "";
/** `wrangler dev`, once started, and its output (stdout and stderr, as they come). */
let dev: ChildProcess | undefined;
let log = "";
/** Process groups started here (each wrangler is its own group leader, with its workerd and esbuild). */
const groups = new Set<number>();

const env = (): NodeJS.ProcessEnv => ({
	...process.env,
	PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ""}`,
	WRANGLER_SEND_METRICS: "false",
	WRANGLER_LOG_PATH: path.join(scratch, "logs"),
	WRANGLER_REGISTRY_PATH: path.join(scratch, "registry"),
	WRANGLER_CACHE_DIR: path.join(scratch, "cache"),
	NO_COLOR: "1",
});

function killGroup(pid: number, signal: NodeJS.Signals) {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** SIGTERM to the group, SIGKILL if anything of it is left after 5 s. */
async function stop(child: ChildProcess) {
	const pid = child.pid;
	if (pid === undefined) return;
	killGroup(pid, "SIGTERM");
	const deadline = Date.now() + 5000;
	while (Date.now() < deadline) {
		try {
			process.kill(-pid, 0);
		} catch {
			break; // no process of the group is left
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	killGroup(pid, "SIGKILL");
	groups.delete(pid);
}

/** wrangler in its own process group, its output appended to `log`. */
function wrangler(args: string[], extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
	const child = spawn("wrangler", args, {
		cwd: scratch,
		env: { ...env(), ...extraEnv },
		detached: true,
		stdio: ["ignore", "pipe", "pipe"],
	});
	if (child.pid !== undefined) groups.add(child.pid);
	const append = (chunk: Buffer) => {
		log += chunk.toString("utf8");
	};
	child.stdout?.on("data", append);
	child.stderr?.on("data", append);
	return child;
}

const plainLog = () => stripVTControlCharacters(log);
const logTail = () => `\n--- wrangler's output (end) ---\n${plainLog().slice(-6000)}`;
const startupError = () => STARTUP_ERRORS.find((pattern) => pattern.test(plainLog()));

/** Runs wrangler to completion within `timeoutMs`; rejects on a failure, with its output. */
async function run(args: string[], timeoutMs: number, extraEnv: NodeJS.ProcessEnv = {}) {
	const child = wrangler(args, extraEnv);
	const timer = setTimeout(() => void stop(child), timeoutMs);
	const code = await new Promise<number | null>((resolve, reject) => {
		child.once("error", reject);
		child.once("exit", (exitCode) => resolve(exitCode));
	}).finally(() => clearTimeout(timer));
	groups.delete(child.pid ?? -1);
	assert.equal(code, 0, `wrangler ${args.join(" ")} failed${logTail()}`);
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			server.close(() => (isRecord(address) ? resolve(Number(address.port)) : reject(new Error("no port"))));
		});
	});
}

/** A copy of a Wrangler configuration in `scratch`, its `main`, `migrations_dir` and assets `directory` made absolute. */
function copyConfig(config: string): string {
	const source = path.join(ROOT, config);
	const text = readFileSync(source, "utf8").replace(
		/^(main|migrations_dir|directory)(\s*=\s*)"([^"]+)"/gm,
		(_line, key: string, equals: string, value: string) =>
			`${key}${equals}${JSON.stringify(path.resolve(path.dirname(source), value))}`,
	);
	assert.match(text, /^main\s*=\s*"\//m, `${config}: main is absolute in the copy`);
	const copy = path.join(scratch, "config", config);
	mkdirSync(path.dirname(copy), { recursive: true });
	writeFileSync(copy, text);
	return copy;
}

const get = (route: string) => fetch(`${baseUrl}${route}`, { signal: AbortSignal.timeout(10_000) });

// Whatever ends this process, no wrangler or workerd is left behind.
process.once("exit", () => {
	for (const pid of groups) killGroup(pid, "SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
	process.once(signal, () => {
		for (const pid of groups) killGroup(pid, "SIGKILL");
		process.kill(process.pid, signal);
	});
}

/**
 * Copies the configurations, writes the vars file, applies the migrations, and runs `wrangler dev` until
 * GET /health answers 200; throws, with wrangler's output, if it prints a startup error, exits, or 90 s pass.
 */
async function start(): Promise<void> {
	const configs = DEV_CONFIGS.map(copyConfig);
	const apiConfig = configs[0] ?? assert.fail("no configuration");
	// The vars file `npm run dev` makes (.dev.vars), made here instead.
	copyFileSync(path.join(ROOT, ".dev.vars.example"), varsFile);
	await ensureDevVapidKey(varsFile);

	await run([...MIGRATE_LOCAL_ARGS, "-c", apiConfig, "--persist-to", state], MIGRATE_TIMEOUT_MS, {
		CI: "true",
	});

	const [port, inspectorPort] = [await freePort(), await freePort()];
	baseUrl = `http://127.0.0.1:${port}`;
	log = "";
	const child = wrangler([
		...wranglerDevArgs(configs, port),
		"--ip",
		"127.0.0.1",
		"--inspector-port",
		String(inspectorPort),
		"--persist-to",
		state,
		"--env-file",
		varsFile,
	]);
	dev = child;

	const deadline = Date.now() + START_TIMEOUT_MS;
	for (;;) {
		const error = startupError();
		assert.ok(!error, `wrangler dev reported a startup error (${error})${logTail()}`);
		assert.ok(!exited(child), `wrangler dev exited (${child.exitCode ?? child.signalCode})${logTail()}`);
		assert.ok(
			Date.now() < deadline,
			`GET /health did not answer 200 within ${START_TIMEOUT_MS / 1000} s${logTail()}`,
		);
		const status = await get("/health").then(
			(response) => response.status,
			() => 0,
		);
		if (status === 200) return;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

let startup: Promise<void> | undefined;
/** Started once, by whichever test comes first. */
const started = () => {
	startup ??= start();
	return startup;
};
/** For the tests after the first: a failed start is reported in full once, by the first test. */
const afterStart = () =>
	started().catch((error: unknown) => {
		const message = error instanceof Error ? error.message : String(error);
		throw new Error(`the Workers did not start: ${message.split("\n")[0]}`);
	});
const budget = { timeout: MIGRATE_TIMEOUT_MS + START_TIMEOUT_MS + 15_000 };

describe("the Workers as `npm run dev` runs them (wrangler dev, local workerd)", () => {
	after(async () => {
		if (dev) await stop(dev);
		for (const pid of groups) killGroup(pid, "SIGKILL");
		rmSync(scratch, { recursive: true, force: true });
	});

	it("start: GET /health answers 200 within 90 s, and no startup error is printed", budget, async () => {
		await started();
	});

	it("GET /health: 200, with D1 and the ML Worker (over the service binding) ok", budget, async () => {
		await afterStart();
		const response = await get("/health");
		assert.equal(response.status, 200);
		assert.deepEqual(await response.json(), { status: "ok", checks: { d1: "ok", ml: "ok" } });
	});

	it("GET /api/v1/openapi.json: 200, an OpenAPI 3.1 document", budget, async () => {
		await afterStart();
		const response = await get("/api/v1/openapi.json");
		assert.equal(response.status, 200);
		const document: unknown = await response.json();
		assert.ok(isRecord(document) && typeof document.openapi === "string" && isRecord(document.paths));
		assert.match(document.openapi, /^3\.1\./);
		// The published client is generated from this very document (scripts/client.ts builds it in Node).
		const published = JSON.parse(readFileSync(path.join(ROOT, "client", "openapi.json"), "utf8"));
		assert.deepEqual({ ...document, servers: [] }, { ...published, servers: [] });
	});

	it("the local migrations were applied: a public list reads D1 (200)", budget, async () => {
		await afterStart();
		const response = await get("/api/v1/fellowship/groups");
		assert.equal(response.status, 200, await response.clone().text());
	});

	it("GET /api/v1/push/public-key answers 200, or the 503 its document lists", budget, async (t) => {
		await afterStart();
		const route = "/api/v1/push/public-key";
		const document: unknown = await (await get("/api/v1/openapi.json")).json();
		const operation =
			isRecord(document) && isRecord(document.paths) && isRecord(document.paths[route])
				? document.paths[route].get
				: undefined;
		if (!isRecord(operation)) {
			t.skip(`${route} is not in the OpenAPI document`);
			return;
		}
		const response = await get(route);
		const documented = isRecord(operation.responses) ? Object.keys(operation.responses) : [];
		assert.ok(
			response.status === 200 || (response.status === 503 && documented.includes("503")),
			`${route} answered ${response.status}: ${await response.text()}`,
		);
	});

	it("after these requests, wrangler's output still has no error", budget, async () => {
		await afterStart();
		const error = startupError();
		assert.ok(!error, `${error} in${logTail()}`);
		assert.match(plainLog(), /Ready on http:\/\/127\.0\.0\.1:\d+/);
	});
});
