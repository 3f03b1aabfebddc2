/** Builds the ML Worker to plain JavaScript (ml/dist/index.js; `--outdir` is relative to its config): a service-bound Worker in tests must be pre-built. */
import { execFileSync } from "node:child_process";

export default function buildMlWorker(): void {
	execFileSync(
		"wrangler",
		["deploy", "--dry-run", "--config", "ml/wrangler.toml", "--env", "", "--outdir", "dist"],
		{
			stdio: "inherit",
			env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG: "warn" },
		},
	);
}
