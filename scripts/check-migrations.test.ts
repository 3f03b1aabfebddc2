/**
 * scripts/check-migrations.ts against scratch git repositories: a tiny drizzle project (one schema file, the
 * same kind of config, the project's own drizzle-kit through a node_modules link) whose history is like
 * Flourish's — 0000_initial regenerated freely, then 0001_abuse_hardening where the append-only rule
 * starts — and each test changes a copy of it the way a developer might.
 *
 * Runs in Node (workerd cannot spawn processes): `npm run test:scripts`, and `.ci/run` counts it. No network.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
	appendFileSync,
	cpSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const TOOLING_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CHECK_SCRIPT = path.join(TOOLING_ROOT, "scripts", "check-migrations.ts");
const DRIZZLE_KIT = path.join(TOOLING_ROOT, "node_modules", ".bin", "drizzle-kit");

let workspace = "";
/** TMPDIR of every check run: the check must leave nothing in it. */
let checkTmp = "";
/** The repository every test starts from (copied, never changed). */
let template = "";
let copies = 0;

/** git and the check see no configuration of this machine or user: the same behaviour everywhere. */
const env = (): NodeJS.ProcessEnv => ({
	...process.env,
	GIT_CONFIG_NOSYSTEM: "1",
	GIT_CONFIG_GLOBAL: "/dev/null",
	GIT_AUTHOR_NAME: "Test",
	GIT_AUTHOR_EMAIL: "test@example.invalid",
	GIT_COMMITTER_NAME: "Test",
	GIT_COMMITTER_EMAIL: "test@example.invalid",
	TMPDIR: checkTmp,
	NO_COLOR: "1",
});

function run(command: string, args: string[], cwd: string): string {
	const result = spawnSync(command, args, { cwd, env: env(), encoding: "utf8" });
	if (result.error) throw result.error;
	if (result.status !== 0) {
		throw new Error(
			`${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}${result.stderr}`,
		);
	}
	return result.stdout;
}

const git = (repo: string, ...args: string[]) => run("git", args, repo).trim();

function commitAll(repo: string, message: string): string {
	git(repo, "add", "-A");
	git(repo, "commit", "-q", "-m", message);
	return git(repo, "rev-parse", "--short=10", "HEAD");
}

/** `npm run db:generate` in the scratch project. */
function generate(repo: string, name: string) {
	run(process.execPath, [DRIZZLE_KIT, "generate", "--name", name], repo);
	assert.ok(
		readdirSync(path.join(repo, "migrations")).some((file) => file.includes(name)),
		`generated ${name}`,
	);
}

const TABLES = {
	notes: `export const notes = sqliteTable("notes", {
	id: text("id").primaryKey(),
	body: text("body").notNull(),
});`,
	notesWithStars: `export const notes = sqliteTable("notes", {
	id: text("id").primaryKey(),
	body: text("body").notNull(),
	stars: integer("stars").notNull().default(0),
});`,
	flags: `export const flags = sqliteTable("flags", {
	id: text("id").primaryKey(),
	noteId: text("note_id").notNull(),
});`,
	labels: `export const labels = sqliteTable("labels", {
	id: text("id").primaryKey(),
	name: text("name").notNull(),
});`,
};

function writeSchema(repo: string, tables: string[]) {
	const header = 'import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";\n\n';
	writeFileSync(path.join(repo, "src", "db", "schema.ts"), `${header}${tables.join("\n\n")}\n`);
}

function editFile(repo: string, file: string, edit: (text: string) => string) {
	const full = path.join(repo, file);
	writeFileSync(full, edit(readFileSync(full, "utf8")));
}

/** A fresh copy of the template (its history included). */
function copyOfTemplate(): string {
	const repo = path.join(workspace, `repo-${++copies}`);
	cpSync(template, repo, { recursive: true, verbatimSymlinks: true });
	return repo;
}

/** Runs the check on `repo`: its exit status and everything it printed. */
function check(repo: string): { status: number | null; output: string } {
	const result = spawnSync(process.execPath, ["--import", "tsx", CHECK_SCRIPT, "--root", repo], {
		cwd: TOOLING_ROOT,
		env: env(),
		encoding: "utf8",
		timeout: 180_000,
	});
	if (result.error) throw result.error;
	return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function assertPasses(repo: string) {
	const { status, output } = check(repo);
	assert.equal(status, 0, output);
	assert.match(output, /drizzle-kit generate has nothing to add/);
	return output;
}

function assertFails(repo: string, ...patterns: RegExp[]) {
	const { status, output } = check(repo);
	assert.equal(status, 1, output);
	for (const pattern of patterns) assert.match(output, pattern);
	return output;
}

before(() => {
	workspace = mkdtempSync(path.join(os.tmpdir(), "flourish-check-migrations-test-"));
	checkTmp = path.join(workspace, "tmp");
	mkdirSync(checkTmp);
	template = path.join(workspace, "template");
	mkdirSync(path.join(template, "src", "db"), { recursive: true });
	symlinkSync(path.join(TOOLING_ROOT, "node_modules"), path.join(template, "node_modules"));
	writeFileSync(path.join(template, ".gitignore"), "node_modules\n");
	writeFileSync(
		path.join(template, "drizzle.config.ts"),
		'import { defineConfig } from "drizzle-kit";\n\n' +
			'export default defineConfig({ dialect: "sqlite", schema: "./src/db/schema.ts", out: "./migrations" });\n',
	);
	git(template, "init", "-q", "-b", "main");

	// Before the rule: the one initial migration is regenerated whenever the tables change.
	writeSchema(template, [TABLES.notes]);
	generate(template, "initial");
	commitAll(template, "initial migration");
	writeSchema(template, [TABLES.notesWithStars]);
	rmSync(path.join(template, "migrations"), { recursive: true });
	generate(template, "initial");
	commitAll(template, "regenerate the initial migration");
	// The rule starts with the first added migration.
	writeSchema(template, [TABLES.notesWithStars, TABLES.flags]);
	generate(template, "abuse_hardening");
	commitAll(template, "add 0001_abuse_hardening");
});

after(() => {
	if (workspace) rmSync(workspace, { recursive: true, force: true });
});

describe("check-migrations: append-only", () => {
	it("passes on history where 0000_initial was regenerated before the rule started", () => {
		const output = assertPasses(copyOfTemplate());
		assert.match(output, /no committed migration was changed/);
	});

	it("passes when a schema change comes with a new migration", () => {
		const repo = copyOfTemplate();
		writeSchema(repo, [TABLES.notesWithStars, TABLES.flags, TABLES.labels]);
		generate(repo, "labels");
		commitAll(repo, "add labels");
		assertPasses(repo);
	});

	it("fails when a committed migration is edited in a later commit", () => {
		const repo = copyOfTemplate();
		appendFileSync(
			path.join(repo, "migrations", "0001_abuse_hardening.sql"),
			"\nCREATE INDEX x ON flags (note_id);",
		);
		const commit = commitAll(repo, "tweak 0001");
		assertFails(
			repo,
			new RegExp(`${commit} \\("tweak 0001"\\) modified migrations/0001_abuse_hardening\\.sql`),
		);
	});

	it("fails when a migration from before the rule is edited after it", () => {
		const repo = copyOfTemplate();
		editFile(repo, "migrations/0000_initial.sql", (sql) => sql.replace("`notes`", "`notes_v2`"));
		commitAll(repo, "regenerate again");
		assertFails(repo, /modified migrations\/0000_initial\.sql/);
	});

	it("fails when a committed migration and its journal entry are renamed", () => {
		const repo = copyOfTemplate();
		git(repo, "mv", "migrations/0001_abuse_hardening.sql", "migrations/0001_flags.sql");
		editFile(repo, "migrations/meta/_journal.json", (json) =>
			json.replace('"0001_abuse_hardening"', '"0001_flags"'),
		);
		commitAll(repo, "rename 0001");
		assertFails(
			repo,
			/deleted migrations\/0001_abuse_hardening\.sql/,
			/renames entry 1 \(0001_abuse_hardening\) to 1 \(0001_flags\)/,
		);
	});

	it("fails when the journal drops an entry", () => {
		const repo = copyOfTemplate();
		editFile(repo, "migrations/meta/_journal.json", (json) => {
			const journal = JSON.parse(json) as { entries: unknown[] };
			journal.entries.pop();
			return JSON.stringify(journal, null, 2);
		});
		commitAll(repo, "drop a journal entry");
		assertFails(repo, /\("drop a journal entry"\) drops entry 1 \(0001_abuse_hardening\)/);
	});

	it("fails on an uncommitted edit of a committed migration", () => {
		const repo = copyOfTemplate();
		appendFileSync(path.join(repo, "migrations", "0001_abuse_hardening.sql"), "\n-- edited");
		assertFails(repo, /the working tree modified migrations\/0001_abuse_hardening\.sql/);
	});

	it("judges a merged side branch by what its merge brought in", () => {
		const repo = copyOfTemplate();
		// A new migration reworked on its branch before it landed: fine, main only ever had the final one.
		git(repo, "switch", "-q", "-c", "labels");
		writeSchema(repo, [TABLES.notesWithStars, TABLES.flags, TABLES.labels]);
		generate(repo, "labels");
		commitAll(repo, "add labels");
		appendFileSync(path.join(repo, "migrations", "0002_labels.sql"), "\n-- reviewed");
		commitAll(repo, "rework 0002 before it lands");
		git(repo, "switch", "-q", "main");
		git(repo, "merge", "-q", "--no-ff", "-m", "Merge branch 'labels'", "labels");
		assertPasses(repo);

		// A branch that edits a migration main already had: its merge changes it on main.
		git(repo, "switch", "-q", "-c", "sneaky");
		appendFileSync(path.join(repo, "migrations", "0001_abuse_hardening.sql"), "\n-- sneaky");
		commitAll(repo, "edit 0001 on a branch");
		git(repo, "switch", "-q", "main");
		git(repo, "merge", "-q", "--no-ff", "-m", "Merge branch 'sneaky'", "sneaky");
		assertFails(repo, /\("Merge branch 'sneaky'"\) modified migrations\/0001_abuse_hardening\.sql/);
	});

	it("skips the history check with a warning on a shallow clone, and still checks the rest", () => {
		const source = copyOfTemplate();
		appendFileSync(path.join(source, "migrations", "0001_abuse_hardening.sql"), "\n-- edited");
		commitAll(source, "edit 0001");
		const shallow = path.join(workspace, `shallow-${++copies}`);
		run("git", ["clone", "-q", "--depth", "1", pathToFileURL(source).href, shallow], workspace);
		symlinkSync(path.join(TOOLING_ROOT, "node_modules"), path.join(shallow, "node_modules"));
		const output = assertPasses(shallow);
		assert.match(output, /WARNING: this is a shallow clone/);
		assert.match(output, /SKIPPED/);
		assert.doesNotMatch(output, /no committed migration was changed/);
	});
});

describe("check-migrations: drift between the tables and the migrations", () => {
	it("fails when the tables changed without a migration, and leaves no file behind", () => {
		const repo = copyOfTemplate();
		writeSchema(repo, [TABLES.notesWithStars, TABLES.flags, TABLES.labels]);
		commitAll(repo, "add labels, forget the migration");
		assertFails(
			repo,
			/drizzle-kit generate would add a migration/,
			/CREATE TABLE `labels`/,
			/npm run db:generate/,
		);
		assert.equal(git(repo, "status", "--porcelain", "--ignored=no"), "");
		assert.deepEqual(readdirSync(path.join(repo, "migrations")).sort(), [
			"0000_initial.sql",
			"0001_abuse_hardening.sql",
			"meta",
		]);
		// (tsx keeps its compile cache there; that is all there may be.)
		assert.deepEqual(
			readdirSync(checkTmp).filter((name) => !name.startsWith("tsx-")),
			[],
		);
	});

	it("fails when drizzle-kit would have to ask whether a column was renamed", () => {
		const repo = copyOfTemplate();
		writeSchema(repo, [
			TABLES.notesWithStars.replace('body: text("body")', 'text: text("text")'),
			TABLES.flags,
		]);
		commitAll(repo, "rename a column, forget the migration");
		assertFails(repo, /needs to ask whether a table or column was renamed/);
	});
});
