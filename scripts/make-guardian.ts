/**
 * `npm run make-guardian -- --sub "<auth0 sub>" [--remote]`: grants the guardian role to one user.
 *
 * This is how a new deployment gets its first guardian (after that, guardians manage roles through
 * the API). The user must have signed in once, so that their row exists. Without `--remote` it
 * changes the local development database; with it, the deployed D1 database (wrangler must be
 * logged in).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { PROJECT_ROOT } from "./lib/dev-issuer.ts";
import { isRecord } from "./lib/guards.ts";

const SUB_PATTERN = /^[A-Za-z0-9|_.@:-]{1,200}$/;

const USAGE = `Usage: npm run make-guardian -- --sub "<auth0 sub>" [--remote]

Sets role = 'guardian' on the user whose Auth0 subject is <sub>.
  --sub     e.g. "auth0|64b7f0c2e1d3a9f5b2c4d6e8" (letters, digits and | _ . @ : - only)
  --remote  change the deployed D1 database instead of the local one

The user must have signed in to the API once first (that creates their row).
`;

function runWrangler(args: string[]): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn("wrangler", args, {
			cwd: PROJECT_ROOT,
			env: {
				...process.env,
				PATH: `${path.resolve(PROJECT_ROOT, "node_modules/.bin")}${path.delimiter}${process.env.PATH ?? ""}`,
				WRANGLER_SEND_METRICS: "false",
			},
			stdio: ["inherit", "pipe", "inherit"],
		});
		let stdout = "";
		child.stdout.setEncoding("utf8");
		child.stdout.on("data", (chunk) => {
			stdout += chunk;
		});
		child.once("error", reject);
		child.once("exit", (code, signal) => {
			if (code === 0) resolve(stdout);
			else {
				process.stderr.write(stdout);
				reject(new Error(`wrangler failed (${signal ?? `exit code ${code}`})`));
			}
		});
	});
}

/**
 * The number of changed rows from `wrangler d1 execute --json` output (an array of statement results).
 * The statement ends in `RETURNING id`, so the returned rows count the changes: local D1's `meta`
 * carries no `changes` field (only the remote one does), which is the fallback.
 */
function changedRows(output: string): number {
	const start = output.search(/[[{]/);
	if (start < 0) throw new Error(`unexpected wrangler output: ${output.trim()}`);
	const parsed: unknown = JSON.parse(output.slice(start));
	const statements: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
	return statements.reduce<number>((sum, statement) => {
		const result = isRecord(statement) ? statement : {};
		if (result.success === false) throw new Error(`the update failed: ${JSON.stringify(statement)}`);
		const returned = Array.isArray(result.results) ? result.results.length : 0;
		const changes = isRecord(result.meta) ? Number(result.meta.changes) : 0;
		return sum + Math.max(returned, changes || 0);
	}, 0);
}

async function main() {
	const { values } = parseArgs({
		options: {
			sub: { type: "string" },
			remote: { type: "boolean", default: false },
			help: { type: "boolean", short: "h" },
		},
		strict: true,
	});
	if (values.help) {
		process.stdout.write(USAGE);
		return;
	}
	const sub = values.sub;
	if (!sub) throw new Error("--sub is required");
	// The pattern admits no quotes, spaces or semicolons, so the sub is safe inside the SQL literal.
	if (!SUB_PATTERN.test(sub)) throw new Error(`--sub must match ${SUB_PATTERN}`);

	const now = new Date().toISOString();
	const sql =
		`UPDATE users SET role = 'guardian', updated_at = '${now}' ` +
		`WHERE auth0_sub = '${sub}' AND deleted_at IS NULL RETURNING id`;
	const target = values.remote ? "--remote" : "--local";
	const where = values.remote ? "the deployed database" : "the local database";

	const changes = changedRows(await runWrangler(["d1", "execute", "DB", target, "--command", sql, "--json"]));
	if (changes > 0) {
		console.log(`${sub} is now a guardian in ${where} (${changes} row${changes === 1 ? "" : "s"} changed).`);
		return;
	}
	console.error(`No user with auth0_sub ${sub} in ${where} (0 rows changed).`);
	console.error("The user must sign in to the API once first (that creates their row); then run this again.");
	process.exitCode = 1;
}

main().catch((err) => {
	console.error(`make-guardian: ${err instanceof Error ? err.message : String(err)}`);
	console.error("Run `npm run make-guardian -- --help` for usage.");
	process.exit(1);
});
