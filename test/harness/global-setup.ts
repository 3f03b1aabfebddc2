/**
 * Builds what the tests load but the repository does not hold: the ML Worker as plain JavaScript
 * (ml/dist/index.js; `--outdir` is relative to its config: a service-bound Worker in tests must be pre-built),
 * and the static assets `/docs` serves (scripts/build-assets.mjs; `postinstall` builds them too, but a checkout
 * that shares another's node_modules never ran it).
 */
import { execFileSync } from "node:child_process";

export default function buildBeforeTests(): void {
	execFileSync(
		"wrangler",
		["deploy", "--dry-run", "--config", "ml/wrangler.toml", "--env", "", "--outdir", "dist"],
		{
			stdio: "inherit",
			env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG: "warn" },
		},
	);
	execFileSync(process.execPath, ["scripts/build-assets.mjs"], { stdio: "inherit" });
}
