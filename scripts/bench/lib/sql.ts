/**
 * Bulk SQL into the benchmark's D1 database through the bench Worker (scripts/bench/bench-worker.ts), which
 * holds the real D1 binding inside workerd: it splits rows into multi-row INSERTs of at most 100 bound
 * parameters (D1's limit) and sends them in batches. Rows travel to it in chunks over HTTP; set-based
 * statements (which generate their rows in SQL) travel as they are.
 */
import { isRecord } from "../../lib/guards.ts";
import type { SeedClient } from "./dataset.mts";

/** Rows per HTTP request to the bench Worker. */
const ROWS_PER_REQUEST = 4_000;
/** Requests in flight at once (D1 runs them one after another; this only overlaps the transfer). */
const PARALLEL_REQUESTS = 2;

/** Network errors of a request that could not even be written (so it never ran). */
const UNSENT = new Set(["EPIPE", "ECONNRESET", "UND_ERR_SOCKET"]);

export interface BenchSeedClient extends SeedClient {
	applyMigrations(sqlFiles: string[], step: "tables" | "indexes"): Promise<void>;
}

/** The bench Worker's answer to /insert and /exec: how many statements it ran. */
function statementsOf(answer: unknown, path: string): number {
	if (isRecord(answer) && typeof answer.statements === "number") return answer.statements;
	throw new Error(`${path}: unexpected answer ${JSON.stringify(answer)}`);
}

export function seedClient(benchUrl: string): BenchSeedClient {
	const post = async (path: string, body: unknown): Promise<unknown> => {
		const send = () =>
			fetch(`${benchUrl}${path}`, {
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify(body),
			});
		// A keep-alive connection left idle while the next table was being generated may have been closed
		// by workerd: a request that could not even be written never ran, so it is sent again.
		const response = await send().catch((error: unknown) => {
			const code = isRecord(error) && isRecord(error.cause) ? error.cause.code : undefined;
			if (typeof code === "string" && UNSENT.has(code)) return send();
			throw error;
		});
		if (!response.ok) throw new Error(`${path} failed: ${response.status} ${await response.text()}`);
		return response.json();
	};
	return {
		/** Inserts `rows` (arrays in `columns` order); returns how many INSERT statements it took. */
		async insertRows(table, columns, rows, onConflict = "", options = {}) {
			let next = 0;
			let statements = 0;
			const worker = async () => {
				while (next < rows.length) {
					const chunk = rows.slice(next, next + ROWS_PER_REQUEST);
					next += ROWS_PER_REQUEST;
					statements += statementsOf(
						await post("/insert", { table, columns, rows: chunk, onConflict }),
						"/insert",
					);
				}
			};
			// Two requests in flight interleave their batches in D1: rows that must arrive in order go one by one.
			await Promise.all(Array.from({ length: options.ordered ? 1 : PARALLEL_REQUESTS }, worker));
			return statements;
		},
		async run(statements) {
			statementsOf(await post("/run", { statements }), "/run");
		},
		/**
		 * Applies drizzle-kit migration files in two steps, as bulk loads do: `"tables"` runs everything but
		 * the secondary indexes, `"indexes"` creates those once the rows are in (one sort each instead of a
		 * random insert per row; same final schema). See bulkLoadPlan.
		 */
		async applyMigrations(sqlFiles, step) {
			const plan = bulkLoadPlan(sqlFiles);
			const batches = step === "indexes" ? [plan.indexes] : plan.tables;
			for (const statements of batches) {
				if (statements.length > 0) await post("/exec", { statements });
			}
		},
	};
}

/** `CREATE [UNIQUE] INDEX name` / `DROP INDEX name`, after any leading `--` comment lines. */
const CREATE_INDEX = /^(?:\s*--[^\n]*\n)*\s*CREATE (?:UNIQUE )?INDEX (?:IF NOT EXISTS )?[`"]?([^`"\s(]+)/i;
const DROP_INDEX = /^(?:\s*--[^\n]*\n)*\s*DROP INDEX (?:IF EXISTS )?[`"]?([^`"\s;]+)/i;

/**
 * The migration files (statements separated by `--> statement-breakpoint`) as a bulk load runs them:
 * `tables`, one batch per file, is every statement but the secondary indexes' creation; `indexes` creates
 * the indexes that exist once every migration has run, after the rows are in. An index a later migration
 * drops is never created, and that `DROP INDEX` is left out with it (it would fail: the index does not
 * exist yet); one dropped and created again is created once, as last defined.
 */
export function bulkLoadPlan(sqlFiles: string[]): { tables: string[][]; indexes: string[] } {
	const deferred = new Map<string, string>();
	const tables = sqlFiles.map((text) =>
		text
			.split("--> statement-breakpoint")
			.map((part) => part.trim())
			.filter((part) => part.length > 0)
			.filter((statement) => {
				const created = CREATE_INDEX.exec(statement)?.[1];
				if (created !== undefined) {
					deferred.delete(created);
					deferred.set(created, statement);
					return false;
				}
				const dropped = DROP_INDEX.exec(statement)?.[1];
				if (dropped !== undefined && deferred.has(dropped)) {
					deferred.delete(dropped);
					return false;
				}
				return true;
			}),
	);
	return { tables, indexes: [...deferred.values()] };
}
