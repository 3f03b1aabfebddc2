/**
 * `npm run db:check` (and `.ci/run`, before the tests): the migrations are what production's D1 is given.
 *
 *  1. **No drift.** The drizzle tables and the migrations agree: `drizzle-kit generate`, run against a
 *     scratch copy of the migrations folder (in a temporary directory, removed afterwards), has nothing to
 *     add. Otherwise a schema change has no migration, and production would never get it.
 *  2. **Append-only.** `wrangler d1 migrations apply` records each migration's file name and skips every
 *     name it has applied, so an edit to a committed migration never reaches production. Along HEAD's
 *     first-parent history (what landed on this branch; a merged side branch counts by what its merge
 *     brought in), from the commit where the rule starts — the first to add
 *     `migrations/0001_abuse_hardening.sql`; `0000_initial.sql` was regenerated freely before it — no commit
 *     may modify, delete or rename a `migrations/*.sql` file, and neither may the working tree; and
 *     `migrations/meta/_journal.json` may never drop or rename an entry. A shallow clone lacks that history:
 *     this check is then skipped with a warning (never failed falsely).
 *  3. **One list.** The journal's entries and the `.sql` files name the same migrations.
 *
 *   node --import tsx scripts/check-migrations.ts [--root DIR]
 *
 * `--root` checks another checkout (the tests use scratch repositories); it needs its own node_modules.
 * Exits 0 when everything holds, 1 otherwise, with each problem and what to do about it.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { isRecord } from "./lib/guards.ts";

/** Where drizzle-kit is installed: this script's own project. */
const TOOLING_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The first migration written under the append-only rule; the commit adding it is where the rule starts. */
const RULE_START_MIGRATION = "0001_abuse_hardening.sql";
const JOURNAL = "meta/_journal.json";
const DRIZZLE_TIMEOUT_MS = 120_000;

interface JournalEntry {
	idx: number;
	tag: string;
}

interface Problem {
	check: "drift" | "append-only" | "journal";
	message: string;
}

const say = (message: string) => console.log(`db:check: ${message}`);
const warn = (message: string) => console.error(`db:check: WARNING: ${message}`);

// ---------------------------------------------------------------------------------------------------
// The drizzle config: where the schema and the migrations are.

interface DrizzleSettings {
	/** Everything the config says, passed on to the scratch run unchanged but for `schema` and `out`. */
	config: Record<string, unknown>;
	/** The schema paths (or globs), absolute. */
	schema: string[];
	/** The migrations folder, relative to the root, with forward slashes (as git names it). */
	out: string;
}

async function loadDrizzleConfig(root: string): Promise<DrizzleSettings> {
	const file = path.join(root, "drizzle.config.ts");
	const loaded: unknown = await import(pathToFileURL(file).href);
	const config = isRecord(loaded) ? loaded.default : undefined;
	if (!isRecord(config)) throw new Error(`${file} has no default export`);
	const schema = typeof config.schema === "string" ? [config.schema] : config.schema;
	if (!Array.isArray(schema) || schema.length === 0 || !schema.every((entry) => typeof entry === "string")) {
		throw new Error(`${file}: \`schema\` must be a path or a list of paths`);
	}
	// drizzle-kit's own default for `out`.
	const out = typeof config.out === "string" ? config.out : "drizzle";
	return {
		config,
		schema: schema.map((entry: string) => path.resolve(root, entry)),
		out: path.relative(root, path.resolve(root, out)).split(path.sep).join("/"),
	};
}

// ---------------------------------------------------------------------------------------------------
// 1. Drift: would drizzle-kit generate add a migration?

function sqlFiles(dir: string): string[] {
	return existsSync(dir)
		? readdirSync(dir)
				.filter((file) => file.endsWith(".sql"))
				.sort()
		: [];
}

function checkDrift(root: string, settings: DrizzleSettings): Problem[] {
	const migrations = path.join(root, settings.out);
	const scratch = mkdtempSync(path.join(os.tmpdir(), "flourish-db-check-"));
	try {
		// drizzle-kit reads `out` relative to its working directory (it prefixes "./"), so it runs in the
		// scratch directory, on a copy of the migrations, with the schema at its absolute path.
		if (existsSync(migrations)) cpSync(migrations, path.join(scratch, "migrations"), { recursive: true });
		const configFile = path.join(scratch, "drizzle.config.mjs");
		const config = { ...settings.config, schema: settings.schema, out: "./migrations" };
		writeFileSync(configFile, `export default ${JSON.stringify(config, null, "\t")};\n`);
		const before = new Set(sqlFiles(path.join(scratch, "migrations")));
		const run = spawnSync(
			process.execPath,
			[path.join(TOOLING_ROOT, "node_modules", ".bin", "drizzle-kit"), "generate", "--config", configFile],
			{
				cwd: scratch,
				encoding: "utf8",
				stdio: ["ignore", "pipe", "pipe"],
				timeout: DRIZZLE_TIMEOUT_MS,
				env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
			},
		);
		const output = `${run.stdout ?? ""}${run.stderr ?? ""}`.trim();
		const added = sqlFiles(path.join(scratch, "migrations")).filter((file) => !before.has(file));
		if (added.length > 0) {
			const sql = added
				.map((file) => `--- ${file}\n${readFileSync(path.join(scratch, "migrations", file), "utf8").trim()}`)
				.join("\n");
			return [
				{
					check: "drift",
					message:
						`the drizzle tables and ${settings.out}/ disagree: drizzle-kit generate would add a migration:\n` +
						`${indent(truncate(sql, 60))}\n` +
						"Run `npm run db:generate` (never edit a committed migration) and commit the new files.",
				},
			];
		}
		// drizzle-kit exits 0 even when it fails, so its verdict is read from what it printed.
		if (/Interactive prompts require a TTY/.test(output)) {
			return [
				{
					check: "drift",
					message:
						`the drizzle tables and ${settings.out}/ disagree: drizzle-kit generate needs to ask whether ` +
						"a table or column was renamed or is new, so the change has no migration yet.\n" +
						"Run `npm run db:generate` in a terminal, answer its questions, and commit the new files.",
				},
			];
		}
		if (run.error || run.status !== 0 || !/No schema changes, nothing to migrate/.test(output)) {
			const why = run.error ? `: ${run.error.message}` : "";
			return [
				{
					check: "drift",
					message: `drizzle-kit generate did not run to its verdict${why}:\n${indent(truncate(output, 40))}`,
				},
			];
		}
		return [];
	} finally {
		rmSync(scratch, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------------------------------
// 2. Append-only, from git history.

function git(root: string, args: string[]): string {
	const run = spawnSync("git", args, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
	if (run.error) throw run.error;
	if (run.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${run.stderr.trim()}`);
	return run.stdout;
}

const lines = (text: string) => text.split("\n").filter((line) => line.length > 0);

function parseJournal(text: string): JournalEntry[] {
	const parsed: unknown = JSON.parse(text);
	const entries = isRecord(parsed) ? parsed.entries : undefined;
	if (!Array.isArray(entries)) throw new Error("it has no `entries` list");
	return entries.map((entry: unknown, i) => {
		if (!isRecord(entry) || typeof entry.tag !== "string" || typeof entry.idx !== "number") {
			throw new Error(`entry ${i} has no \`idx\` and \`tag\``);
		}
		return { idx: entry.idx, tag: entry.tag };
	});
}

/** What `newer` lost of `older`: entries must stay where they are, with the same idx and tag. */
function journalLosses(older: JournalEntry[], newer: JournalEntry[]): string[] {
	return older.flatMap((entry, i) => {
		const now = newer[i];
		if (!now) return [`drops entry ${entry.idx} (${entry.tag})`];
		if (now.tag !== entry.tag || now.idx !== entry.idx) {
			return [`renames entry ${entry.idx} (${entry.tag}) to ${now.idx} (${now.tag})`];
		}
		return [];
	});
}

interface Commit {
	hash: string;
	subject: string;
	changes: Array<{ status: string; file: string }>;
}

/** First-parent commits in `range` touching `paths`, oldest first, each with its diff to its first parent. */
function firstParentChanges(root: string, range: string, paths: string[]): Commit[] {
	const log = git(root, [
		"log",
		"--first-parent",
		"--diff-merges=first-parent",
		"--no-renames",
		"--reverse",
		"--format=%x1e%H%x1f%s",
		"--name-status",
		range,
		"--",
		...paths,
	]);
	return log
		.split("\x1e")
		.filter((record) => record.trim().length > 0)
		.map((record) => {
			const [header = "", ...rest] = lines(record);
			const [hash = "", subject = ""] = header.split("\x1f");
			const changes = rest.map((line) => {
				const [status = "", file = ""] = line.split("\t");
				return { status, file };
			});
			return { hash, subject, changes };
		});
}

const short = (hash: string) => hash.slice(0, 10);
const describe = (commit: { hash: string; subject: string }) => `${short(commit.hash)} ("${commit.subject}")`;
const STATUS_WORDS: Record<string, string> = { M: "modified", D: "deleted", T: "changed the type of" };

/** The problems found, or `"skipped"` (with a warning printed) when there is no history to check. */
function checkAppendOnly(root: string, out: string): Problem[] | "skipped" {
	const inside = spawnSync("git", ["rev-parse", "--is-inside-work-tree"], { cwd: root, encoding: "utf8" });
	if (inside.status !== 0 || inside.stdout.trim() !== "true") {
		warn(`${root} is not a git work tree: the check that committed migrations never change was SKIPPED.`);
		return "skipped";
	}
	if (git(root, ["rev-parse", "--is-shallow-repository"]).trim() === "true") {
		warn(
			"this is a shallow clone, without the history the check needs: the check that committed migrations " +
				"never change was SKIPPED. Run `git fetch --unshallow` to get it.",
		);
		return "skipped";
	}
	const ruleFile = `${out}/${RULE_START_MIGRATION}`;
	const journalFile = `${out}/${JOURNAL}`;
	// The oldest commit that added the rule's first migration (a later one would be a re-adding).
	const ruleStart = lines(git(root, ["log", "--diff-filter=A", "--format=%H", "HEAD", "--", ruleFile])).at(
		-1,
	);
	if (!ruleStart) {
		return [
			{
				check: "append-only",
				message: `cannot find the commit that added ${ruleFile}, where the append-only rule starts.`,
			},
		];
	}
	// The baseline: the first commit on HEAD's first-parent line that contains the rule's start (the start
	// itself, or the merge that brought it in). Its migrations are final; so is every one added after it.
	const descendants = new Set([
		ruleStart,
		...lines(git(root, ["rev-list", "--ancestry-path", `${ruleStart}..HEAD`])),
	]);
	const baseline = lines(git(root, ["rev-list", "--first-parent", "--reverse", "HEAD"])).find((hash) =>
		descendants.has(hash),
	);
	if (!baseline) {
		return [
			{
				check: "append-only",
				message: `HEAD's first-parent history does not contain ${short(ruleStart)}, where the append-only rule starts.`,
			},
		];
	}

	const problems: Problem[] = [];
	const isMigration = (file: string) => path.posix.dirname(file) === out && file.endsWith(".sql");
	const commits = firstParentChanges(root, `${baseline}..HEAD`, [out]);
	for (const commit of commits) {
		for (const { status, file } of commit.changes) {
			if (!isMigration(file) || status === "A") continue;
			problems.push({
				check: "append-only",
				message:
					`${describe(commit)} ${STATUS_WORDS[status] ?? `changed (${status})`} ${file}, a migration ` +
					"already committed. D1 skips a migration whose name it has applied, so production would " +
					"never see this. Restore the file as it was first committed, and make the change a new " +
					"migration (`npm run db:generate`).",
			});
		}
	}
	for (const line of lines(git(root, ["diff", "--name-status", "--no-renames", "HEAD", "--", out]))) {
		const [status = "", file = ""] = line.split("\t");
		if (!isMigration(file) || status === "A") continue;
		problems.push({
			check: "append-only",
			message:
				`the working tree ${STATUS_WORDS[status] ?? `changed (${status})`} ${file}, a committed migration. ` +
				`Restore it (\`git checkout HEAD -- ${file}\`) and make the change a new migration (\`npm run db:generate\`).`,
		});
	}

	// The journal, at the baseline, at every later commit that touched it, and in the working tree.
	const journalAt = (commit: string): JournalEntry[] | string => {
		const shown = spawnSync("git", ["show", `${commit}:${journalFile}`], { cwd: root, encoding: "utf8" });
		if (shown.status !== 0) return "deletes the journal";
		try {
			return parseJournal(shown.stdout);
		} catch (error) {
			return `leaves a journal that cannot be read (${error instanceof Error ? error.message : String(error)})`;
		}
	};
	const versions: Array<{ where: string; journal: JournalEntry[] | string }> = [
		{
			where: describe({ hash: baseline, subject: git(root, ["log", "-1", "--format=%s", baseline]).trim() }),
			journal: journalAt(baseline),
		},
		...commits
			.filter((commit) => commit.changes.some((change) => change.file === journalFile))
			.map((commit) => ({ where: describe(commit), journal: journalAt(commit.hash) })),
	];
	const onDisk = path.join(root, journalFile);
	if (existsSync(onDisk)) {
		try {
			versions.push({ where: "the working tree", journal: parseJournal(readFileSync(onDisk, "utf8")) });
		} catch (error) {
			versions.push({
				where: "the working tree",
				journal: `leaves a journal that cannot be read (${error instanceof Error ? error.message : String(error)})`,
			});
		}
	} else {
		versions.push({ where: "the working tree", journal: "deletes the journal" });
	}
	let last: JournalEntry[] = [];
	for (const { where, journal } of versions) {
		if (typeof journal === "string") {
			problems.push({ check: "journal", message: `${where} ${journal} (${journalFile}).` });
			continue;
		}
		for (const loss of journalLosses(last, journal)) {
			problems.push({
				check: "journal",
				message: `${where} ${loss} of ${journalFile}: its entries may only be added at the end.`,
			});
		}
		last = journal;
	}
	return problems;
}

// ---------------------------------------------------------------------------------------------------
// 3. The journal and the .sql files name the same migrations (in the working tree).

function checkJournalMatchesFiles(root: string, out: string): Problem[] {
	const file = path.join(root, out, JOURNAL);
	if (!existsSync(file)) return [{ check: "journal", message: `${out}/${JOURNAL} is missing.` }];
	let entries: JournalEntry[];
	try {
		entries = parseJournal(readFileSync(file, "utf8"));
	} catch (error) {
		const why = error instanceof Error ? error.message : String(error);
		return [{ check: "journal", message: `${out}/${JOURNAL} cannot be read: ${why}` }];
	}
	const tags = new Set(entries.map((entry) => `${entry.tag}.sql`));
	const files = new Set(sqlFiles(path.join(root, out)));
	return [
		...[...tags]
			.filter((name) => !files.has(name))
			.map((name) => ({
				check: "journal" as const,
				message: `${out}/${JOURNAL} lists ${name.replace(/\.sql$/, "")}, but ${out}/${name} does not exist.`,
			})),
		...[...files]
			.filter((name) => !tags.has(name))
			.map((name) => ({
				check: "journal" as const,
				message:
					`${out}/${name} is not in ${out}/${JOURNAL}: wrangler would apply it, but drizzle-kit does not ` +
					"know it. Create migrations with `npm run db:generate` (`-- --custom` for hand-written SQL).",
			})),
	];
}

// ---------------------------------------------------------------------------------------------------

function indent(text: string): string {
	return text
		.split("\n")
		.map((line) => `    ${line}`)
		.join("\n");
}

function truncate(text: string, maxLines: number): string {
	const all = text.split("\n");
	return all.length <= maxLines
		? text
		: [...all.slice(0, maxLines), `… (${all.length - maxLines} more lines)`].join("\n");
}

async function main(): Promise<number> {
	const { values } = parseArgs({ options: { root: { type: "string" } }, strict: true });
	const root = path.resolve(values.root ?? TOOLING_ROOT);
	const settings = await loadDrizzleConfig(root);

	const drift = checkDrift(root, settings);
	if (drift.length === 0)
		say(`the drizzle tables and ${settings.out}/ agree (drizzle-kit generate has nothing to add)`);
	const history = checkAppendOnly(root, settings.out);
	const listing = checkJournalMatchesFiles(root, settings.out);
	const problems = [...drift, ...(history === "skipped" ? [] : history), ...listing];
	if (history !== "skipped" && history.length === 0)
		say("no committed migration was changed, and the journal only grew");
	if (listing.length === 0) say(`${settings.out}/${JOURNAL} and the .sql files name the same migrations`);

	for (const problem of problems) console.error(`db:check: FAILED (${problem.check}): ${problem.message}`);
	if (problems.length > 0) {
		console.error(
			`db:check: ${problems.length} problem${problems.length === 1 ? "" : "s"} with the migrations.`,
		);
		return 1;
	}
	return 0;
}

main().then(
	(code) => {
		process.exitCode = code;
	},
	(error: unknown) => {
		console.error(
			`db:check: could not check the migrations: ${error instanceof Error ? error.message : String(error)}`,
		);
		process.exitCode = 1;
	},
);
