/**
 * `npm run dev`: everything a fresh clone needs to serve the API locally.
 *
 *  1. copies `.dev.vars.example` to `.dev.vars` if missing (points the API at the local issuer), and adds a
 *     Web Push (VAPID) key pair to it if it has none;
 *  2. creates the development signing key once (`.dev/issuer.json`);
 *  3. applies the D1 migrations to the local database;
 *  4. loads the demo data (`scripts/seed.sql`, idempotent);
 *  5. starts the development issuer (JWKS on http://127.0.0.1:8790, and the tokens of the web app's
 *     development sign-in page);
 *  6. runs `wrangler dev` for the API and the ML Worker on http://localhost:8787;
 *  7. serves the web app with hot reload on http://localhost:5173 (Vite's dev server, which hands the API's
 *     paths to wrangler dev);
 *  8. prints how to get a development token once the API answers.
 *
 * Children run with the project's `node_modules/.bin` first on PATH, so wrangler runs on the
 * project's Node.js 22 even when the globally installed Node.js is older.
 */
import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { copyFile, readdir } from "node:fs/promises";
import path from "node:path";
import { DEV_CONFIGS, MIGRATE_LOCAL_ARGS, wranglerDevArgs } from "./lib/dev-command.ts";
import {
	DEV_ISSUER_PORT,
	devJwksUrl,
	ensureDevKey,
	PROJECT_ROOT,
	resolveDevAudience,
	startIssuerServer,
} from "./lib/dev-issuer.ts";
import { errnoCode } from "./lib/guards.ts";
import { ensureDevVapidKey } from "./lib/vapid-keys.ts";

const API_PORT = 8787;
const API_URL = `http://localhost:${API_PORT}`;
const WEB_URL = "http://localhost:5173";
const BIN = path.resolve(PROJECT_ROOT, "node_modules/.bin");
const DEMO_SUBS = ["dev|demo-alice", "dev|demo-bob", "dev|demo-guide", "dev|demo-guardian"];

const childEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
	...process.env,
	PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ""}`,
	WRANGLER_SEND_METRICS: "false",
	...extra,
});

const say = (message: string) => console.log(`\x1b[32m[dev]\x1b[0m ${message}`);

function fail(message: string): never {
	console.error(`\x1b[31m[dev]\x1b[0m ${message}`);
	process.exit(1);
}

/**
 * Runs a command to completion; rejects on a non-zero exit. `quiet` captures its output and shows it
 * only if the command fails.
 */
function run(
	command: string,
	args: string[],
	{ env, quiet = false }: { env?: NodeJS.ProcessEnv; quiet?: boolean } = {},
): Promise<void> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			cwd: PROJECT_ROOT,
			env: childEnv(env),
			stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit",
		});
		let output = "";
		child.stdout?.on("data", (chunk) => {
			output += chunk;
		});
		child.stderr?.on("data", (chunk) => {
			output += chunk;
		});
		child.once("error", reject);
		child.once("exit", (code, signal) => {
			if (code === 0) return resolve();
			if (quiet) process.stderr.write(output);
			reject(new Error(`\`${command} ${args.join(" ")}\` failed (${signal ?? `exit code ${code}`})`));
		});
	});
}

async function ensureDevVars() {
	const devVars = path.join(PROJECT_ROOT, ".dev.vars");
	try {
		await copyFile(
			path.join(PROJECT_ROOT, ".dev.vars.example"),
			devVars,
			constants.COPYFILE_EXCL, // never overwrite a developer's own .dev.vars
		);
		say("created .dev.vars from .dev.vars.example");
	} catch (err) {
		if (errnoCode(err) !== "EEXIST") throw err;
	}
	const vapid = await ensureDevVapidKey(devVars);
	if (vapid) say(`added a local VAPID key pair to .dev.vars (public key ${vapid.publicKey.slice(0, 12)}…)`);
}

async function ensureMigrations() {
	const files = await readdir(path.join(PROJECT_ROOT, "migrations")).catch(() => []);
	if (!files.some((file) => file.endsWith(".sql"))) {
		fail("no SQL migrations in migrations/: run `npm run db:generate` first.");
	}
}

function banner() {
	const lines = [
		"",
		`Web app:        ${WEB_URL}  (hot reload; sign in as a demo user on its development sign-in page)`,
		`Flourish API:   ${API_URL}  (docs ${API_URL}/docs, ML Worker behind the ML service binding)`,
		`Dev issuer:     ${devJwksUrl()}  (public key only)`,
		`Demo users:     ${DEMO_SUBS.join(", ")}  (any other sub is created on first use)`,
		"",
		"Get a development token (a real RS256 JWT, valid 1 h) and call the API:",
		"  TOKEN=$(npm run -s token -- --sub 'dev|demo-alice')",
		`  curl -H "Authorization: Bearer $TOKEN" ${API_URL}/api/v1/users/me`,
		"",
		"Options: npm run token -- --help.  Stop with Ctrl-C.",
		"",
	];
	console.log(lines.map((line) => (line ? `\x1b[36m${line}\x1b[0m` : line)).join("\n"));
}

/** Polls the API's liveness route until it answers (or the child exits / 90 s pass). */
async function waitForApi(isAlive: () => boolean): Promise<boolean> {
	const deadline = Date.now() + 90_000;
	while (Date.now() < deadline && isAlive()) {
		try {
			const res = await fetch(`http://127.0.0.1:${API_PORT}/`, { signal: AbortSignal.timeout(2000) });
			if (res.ok) return true;
		} catch {
			// not up yet
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	return false;
}

async function main() {
	await ensureDevVars();
	const key = await ensureDevKey();
	say(
		key.created ? `created development signing key ${key.kid} (.dev/issuer.json)` : `signing key ${key.kid}`,
	);

	await ensureMigrations();
	say("applying D1 migrations to the local database");
	// CI=true: wrangler applies without asking for confirmation.
	await run("wrangler", [...MIGRATE_LOCAL_ARGS], { env: { CI: "true" } });
	say("loading demo data (scripts/seed.sql)");
	await run("wrangler", ["d1", "execute", "DB", "--local", "--file", "scripts/seed.sql"], {
		env: { CI: "true" },
		quiet: true,
	});
	say("demo data loaded (existing rows are kept)");

	const issuer = await startIssuerServer({ audience: await resolveDevAudience() }).catch((err: unknown) => {
		if (errnoCode(err) === "EADDRINUSE") {
			fail(`port ${DEV_ISSUER_PORT} is in use: is another \`npm run dev\` running?`);
		}
		throw err;
	});
	say(`development issuer on ${devJwksUrl()}`);

	const child = spawn("wrangler", wranglerDevArgs(DEV_CONFIGS, API_PORT), {
		cwd: PROJECT_ROOT,
		env: childEnv(),
		stdio: "inherit",
	});
	let exited = false;

	const stop = (signal: NodeJS.Signals) => {
		if (exited) process.exit(1);
		child.kill(signal);
	};
	for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stop(signal));
	// `npm run` starts us through a shell that does not pass on a SIGTERM sent to npm: if our parent
	// goes away, stop wrangler too instead of leaving it running.
	const parentPid = process.ppid;
	const orphanWatch = setInterval(() => {
		if (process.ppid === parentPid) return;
		clearInterval(orphanWatch);
		stop("SIGTERM");
	}, 1000).unref();
	child.once("error", (err) => {
		exited = true;
		issuer.close();
		fail(`could not start wrangler: ${err.message}`);
	});
	child.once("exit", (code, signal) => {
		exited = true;
		issuer.close();
		if (signal) say(`wrangler stopped (${signal})`);
		process.exit(code ?? 0);
	});

	// The web app with hot reload, development mode (its development sign-in page): Vite's dev server.
	const { createServer: createViteServer } = await import("vite");
	const web = await createViteServer({
		configFile: path.join(PROJECT_ROOT, "web", "vite.config.ts"),
		mode: "development",
		logLevel: "warn",
	}).catch((err: unknown) => {
		child.kill("SIGTERM");
		throw err;
	});
	await web.listen().catch((err: unknown) => {
		child.kill("SIGTERM");
		fail(
			`the web app's dev server could not start (${err instanceof Error ? err.message : err}): is port 5173 in use?`,
		);
	});
	child.once("exit", () => void web.close());

	if (await waitForApi(() => !exited)) banner();
	else if (!exited) say(`the API did not answer on ${API_URL} within 90 s; see wrangler's output above.`);
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err)));
