/**
 * Helpers for the ML, moderation and recommendation tests: the failing stand-ins of the ML Worker (bound in
 * vitest.config.ts), a call with bindings swapped that also sends a body, and direct inserts of content
 * rows for features whose endpoints other issues own.
 */
import { env } from "cloudflare:workers";
import { createDb } from "../../src/db/client";
import { newId } from "../../src/lib/ids";
import { ORIGIN } from "../support/api";

declare global {
	namespace Cloudflare {
		interface Env {
			/** Stand-ins for the ML Worker: every method throws / never answers / answers nonsense. */
			ML_THROWS: Bindings["ML"];
			ML_HANGS: Bindings["ML"];
			ML_GARBAGE: Bindings["ML"];
		}
	}
}
type Bindings = import("../../src/env").Bindings;

export const FAULTS = ["ML_THROWS", "ML_HANGS", "ML_GARBAGE"] as const;
export type Fault = (typeof FAULTS)[number];

/** The environment with `ML` replaced by one of the failing stand-ins. */
export const envWithMl = (fault: Fault): Cloudflare.Env => ({ ...env, ML: env[fault] });

/** Calls the Worker with some bindings overridden, sending a JSON body (unlike `callWithConfig`). */
export async function callWithEnv(
	overrides: Partial<Cloudflare.Env>,
	method: string,
	path: string,
	options: { token?: string; body?: unknown } = {},
): Promise<Response> {
	const { createExecutionContext, waitOnExecutionContext } = await import("cloudflare:test");
	const worker = (await import("../../src/index")).default;
	const headers = new Headers();
	if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
	let body: string | undefined;
	if (options.body !== undefined) {
		body = JSON.stringify(options.body);
		headers.set("Content-Type", "application/json");
	}
	const ctx = createExecutionContext();
	const response = await worker.fetch(
		new Request(`${ORIGIN}${path}`, { method, headers, body }),
		{ ...env, ...overrides },
		ctx,
	);
	await waitOnExecutionContext(ctx);
	return response;
}

export const db = () => createDb(env.DB);

const tableColumns = new Map<string, Set<string>>();

/** Inserts a row with plain SQL (the table's own defaults fill the rest) and returns its id. */
export async function insertRow(
	table: string,
	columns: Record<string, string | number | null>,
): Promise<string> {
	let known = tableColumns.get(table);
	if (!known) {
		const info = await env.DB.prepare(`PRAGMA table_info(${table})`).all<{ name: string }>();
		known = new Set(info.results.map((column) => column.name));
		tableColumns.set(table, known);
	}
	const id = (columns.id as string | undefined) ?? newId();
	const now = new Date().toISOString();
	const stamps = Object.fromEntries(
		["created_at", "updated_at"].filter((name) => known.has(name)).map((name) => [name, now]),
	);
	const all: Record<string, string | number | null> = { ...stamps, ...columns, id };
	const names = Object.keys(all);
	await env.DB.prepare(
		`INSERT INTO ${table} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
	)
		.bind(...names.map((name) => all[name] ?? null))
		.run();
	return id;
}

export async function insertGroup(
	ownerId: string,
	columns: { name: string; description?: string } & Record<string, string | number | null>,
): Promise<string> {
	return insertRow("fellowship_groups", {
		owner_id: ownerId,
		group_type: "interest",
		visibility: "public",
		moderation_status: "clean",
		...columns,
	});
}

export async function insertHabit(userId: string, name: string, category = "mindfulness"): Promise<string> {
	const garden =
		(await env.DB.prepare("SELECT id FROM gardens WHERE user_id = ?").bind(userId).first<{ id: string }>())
			?.id ?? (await insertRow("gardens", { user_id: userId }));
	return insertRow("habits", {
		garden_id: garden,
		user_id: userId,
		name,
		category,
		frequency: "daily",
		start_date: "2026-01-01",
	});
}

export async function rowOf<T = Record<string, unknown>>(table: string, id: string): Promise<T | null> {
	return env.DB.prepare(`SELECT * FROM ${table} WHERE id = ?`).bind(id).first<T>();
}
