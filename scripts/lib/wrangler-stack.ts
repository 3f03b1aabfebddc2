/**
 * The Workers under `wrangler dev`, started by a test the way `npm run dev` starts them, with everything in a
 * scratch directory removed afterwards: copies of the configurations (paths made absolute, so wrangler's
 * `.wrangler/` lands in the scratch directory and no `.dev.vars` of the developer is read), the vars file
 * (`.dev.vars.example`, some lines replaced, plus a fresh VAPID key), the D1 state (migrated and seeded with
 * `scripts/seed.sql`'s demo people, as `npm run dev` does), wrangler's logs and dev
 * registry. Free ports; each wrangler is its own process group, killed at the end whatever happens.
 *
 * Used by scripts/dev-smoke.test.ts (the Workers as they are) and scripts/web-journey.test.ts (the web app in a
 * browser, with a development build as the static assets).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { DEV_CONFIGS, MIGRATE_LOCAL_ARGS, wranglerDevArgs } from "./dev-command.ts";
import { PROJECT_ROOT } from "./dev-issuer.ts";
import { isRecord } from "./guards.ts";
import { ensureDevVapidKey } from "./vapid-keys.ts";

const BIN = path.join(PROJECT_ROOT, "node_modules", ".bin");
export const START_TIMEOUT_MS = 90_000;
const MIGRATE_TIMEOUT_MS = 60_000;

/** What wrangler or workerd print when a Worker does not start (ANSI colours removed first). */
const STARTUP_ERRORS = [
	/Incorrect type for map entry/,
	/Uncaught \w*Error/,
	/\[ERROR\]/,
	/failed to start/i,
	/no such Durable Object class is exported/,
];

/** Process groups started by any stack of this process: none outlives it. */
const groups = new Set<number>();
function killGroup(pid: number, signal: NodeJS.Signals) {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}
process.once("exit", () => {
	for (const pid of groups) killGroup(pid, "SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
	process.once(signal, () => {
		for (const pid of groups) killGroup(pid, "SIGKILL");
		process.kill(process.pid, signal);
	});
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			server.close(() => (isRecord(address) ? resolve(Number(address.port)) : reject(new Error("no port"))));
		});
	});
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** SIGTERM to the group, SIGKILL if anything of it is left after 5 s. */
async function stopGroup(child: ChildProcess) {
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

export interface StartOptions {
	/** Serve these static assets instead of the configuration's `directory` (e.g. a development build). */
	assetsDir?: string;
	/** `.dev.vars.example` lines to replace (or add), by name. */
	vars?: Record<string, string>;
}

export class WranglerStack {
	readonly scratch: string;
	baseUrl = "";
	private log = "";
	private dev: ChildProcess | undefined;
	private options: StartOptions = {};

	/** `name`: the scratch directory's prefix. */
	constructor(name: string) {
		this.scratch = mkdtempSync(path.join(os.tmpdir(), `${name}-`));
	}

	/** wrangler's output so far, without colours. */
	plainLog(): string {
		return stripVTControlCharacters(this.log);
	}

	logTail(): string {
		return `\n--- wrangler's output (end) ---\n${this.plainLog().slice(-6000)}`;
	}

	startupError(): RegExp | undefined {
		return STARTUP_ERRORS.find((pattern) => pattern.test(this.plainLog()));
	}

	get(route: string, init: RequestInit = {}): Promise<Response> {
		return fetch(`${this.baseUrl}${route}`, { signal: AbortSignal.timeout(10_000), ...init });
	}

	/**
	 * Copies the configurations, writes the vars file, applies the migrations, and runs `wrangler dev` until
	 * GET /health answers 200; throws, with wrangler's output, if it prints a startup error, exits, or 90 s pass.
	 */
	async start(options: StartOptions = {}): Promise<void> {
		this.options = options;
		const configs = DEV_CONFIGS.map((config) => this.copyConfig(config));
		const apiConfig = configs[0] ?? assert.fail("no configuration");
		const varsFile = path.join(this.scratch, "dev.vars");
		const replaced = this.options.vars ?? {};
		const example = readFileSync(path.join(PROJECT_ROOT, ".dev.vars.example"), "utf8")
			.split("\n")
			.filter((line) => !((line.split("=")[0]?.trim() ?? "") in replaced))
			.join("\n");
		const added = Object.entries(replaced).map(([name, value]) => `${name}=${value}\n`);
		writeFileSync(varsFile, `${example}\n${added.join("")}`);
		await ensureDevVapidKey(varsFile);

		const state = path.join(this.scratch, "state");
		await this.run([...MIGRATE_LOCAL_ARGS, "-c", apiConfig, "--persist-to", state], MIGRATE_TIMEOUT_MS, {
			CI: "true",
		});
		// The demo people and their data, as `npm run dev` loads them (dev|demo-guardian is a guardian).
		const seed = path.join(PROJECT_ROOT, "scripts", "seed.sql");
		await this.run(
			["d1", "execute", "DB", "--local", "--file", seed, "-c", apiConfig, "--persist-to", state],
			MIGRATE_TIMEOUT_MS,
			{ CI: "true" },
		);

		const [port, inspectorPort] = [await freePort(), await freePort()];
		this.baseUrl = `http://127.0.0.1:${port}`;
		this.log = "";
		const child = this.wrangler([
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
		this.dev = child;

		const deadline = Date.now() + START_TIMEOUT_MS;
		for (;;) {
			const error = this.startupError();
			assert.ok(!error, `wrangler dev reported a startup error (${error})${this.logTail()}`);
			assert.ok(
				!exited(child),
				`wrangler dev exited (${child.exitCode ?? child.signalCode})${this.logTail()}`,
			);
			assert.ok(
				Date.now() < deadline,
				`GET /health did not answer 200 within ${START_TIMEOUT_MS / 1000} s${this.logTail()}`,
			);
			const status = await this.get("/health").then(
				(response) => response.status,
				() => 0,
			);
			if (status === 200) return;
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}

	/** Stops wrangler dev and removes the scratch directory. */
	async stop(): Promise<void> {
		if (this.dev) await stopGroup(this.dev);
		rmSync(this.scratch, { recursive: true, force: true });
	}

	private env(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
		return {
			...process.env,
			PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ""}`,
			WRANGLER_SEND_METRICS: "false",
			WRANGLER_LOG_PATH: path.join(this.scratch, "logs"),
			WRANGLER_REGISTRY_PATH: path.join(this.scratch, "registry"),
			WRANGLER_CACHE_DIR: path.join(this.scratch, "cache"),
			NO_COLOR: "1",
			...extra,
		};
	}

	/** wrangler in its own process group, its output appended to the log. */
	private wrangler(args: string[], extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
		const child = spawn("wrangler", args, {
			cwd: this.scratch,
			env: this.env(extraEnv),
			detached: true,
			stdio: ["ignore", "pipe", "pipe"],
		});
		if (child.pid !== undefined) groups.add(child.pid);
		const append = (chunk: Buffer) => {
			this.log += chunk.toString("utf8");
		};
		child.stdout?.on("data", append);
		child.stderr?.on("data", append);
		return child;
	}

	/** Runs wrangler to completion within `timeoutMs`; rejects on a failure, with its output. */
	private async run(args: string[], timeoutMs: number, extraEnv: NodeJS.ProcessEnv = {}) {
		const child = this.wrangler(args, extraEnv);
		const timer = setTimeout(() => void stopGroup(child), timeoutMs);
		const code = await new Promise<number | null>((resolve, reject) => {
			child.once("error", reject);
			child.once("exit", (exitCode) => resolve(exitCode));
		}).finally(() => clearTimeout(timer));
		groups.delete(child.pid ?? -1);
		assert.equal(code, 0, `wrangler ${args.join(" ")} failed${this.logTail()}`);
	}

	/** A copy of a configuration in the scratch directory: `main`, `migrations_dir`, the assets made absolute. */
	private copyConfig(config: string): string {
		const source = path.join(PROJECT_ROOT, config);
		const text = readFileSync(source, "utf8").replace(
			/^(main|migrations_dir|directory)(\s*=\s*)"([^"]+)"/gm,
			(_line, key: string, equals: string, value: string) => {
				const absolute =
					key === "directory" && this.options.assetsDir
						? this.options.assetsDir
						: path.resolve(path.dirname(source), value);
				return `${key}${equals}${JSON.stringify(absolute)}`;
			},
		);
		assert.match(text, /^main\s*=\s*"\//m, `${config}: main is absolute in the copy`);
		const copy = path.join(this.scratch, "config", config);
		mkdirSync(path.dirname(copy), { recursive: true });
		writeFileSync(copy, text);
		return copy;
	}
}
