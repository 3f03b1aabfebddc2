/**
 * How `npm run dev` (scripts/dev.ts) runs the Workers, shared with the smoke test that starts them the same way
 * (scripts/dev-smoke.test.ts): the configurations `wrangler dev` gets, the API's first, and how the local
 * migrations are applied.
 */

/** The API (it serves) and the ML Worker behind its `ML` service binding, in one `wrangler dev`. */
export const DEV_CONFIGS = ["wrangler.toml", "ml/wrangler.toml"] as const;

/** `wrangler …` arguments that apply the D1 migrations to the local database (run with `CI=true`: no prompt). */
export const MIGRATE_LOCAL_ARGS = ["d1", "migrations", "apply", "DB", "--local"] as const;

/** `wrangler …` arguments that serve `configs` together on `port`. */
export function wranglerDevArgs(configs: readonly string[], port: number): string[] {
	return ["dev", ...configs.flatMap((config) => ["-c", config]), "--port", String(port)];
}
