/**
 * Compares two runs of `npm run bench` (their results JSON): per endpoint and dataset size, throughput and
 * p50 before and after, each with its ratio to the trivial endpoint of its own run. Prints Markdown.
 *
 *   node --import tsx scripts/bench/compare.ts before.json after.json
 */
import { readFileSync } from "node:fs";
import { summarise } from "./lib/report.ts";
import type { BenchResults } from "./lib/results.ts";

const [beforeFile, afterFile] = process.argv.slice(2);
if (!beforeFile || !afterFile) {
	console.error("usage: node --import tsx scripts/bench/compare.ts before.json after.json");
	process.exit(2);
}
/** A results file of `npm run bench` (bench-results.json, or the copy a `--no-report` run leaves). */
const readResults = (file: string): BenchResults => JSON.parse(readFileSync(file, "utf8"));
const before = summarise(readResults(beforeFile));
const after = new Map(summarise(readResults(afterFile)).map((row) => [row.name, row]));
const fmt = (value: number | null | undefined, digits = 0) =>
	value === null || value === undefined || Number.isNaN(value) ? "—" : Number(value).toFixed(digits);

const lines = [
	"| endpoint | size | req/s before → after | × trivial before → after | p50 ms before → after | large/small p50 before → after |",
	"|---|---|--:|--:|--:|--:|",
];
for (const old of before) {
	const now = after.get(old.name);
	if (!now) continue;
	for (const size of ["small", "large"] as const) {
		const was = old[size];
		const is = now[size];
		if (!was && !is) continue;
		const ratio = size === "small" ? [old.smallRatio, now.smallRatio] : [old.largeRatio, now.largeRatio];
		lines.push(
			`| ${old.label} | ${size} | ${fmt(was?.rps)} → ${fmt(is?.rps)} | ${fmt(ratio[0], 3)} → ${fmt(ratio[1], 3)} | ${fmt(was?.p50, 1)} → ${fmt(is?.p50, 1)} | ${size === "large" ? `${fmt(old.p50Growth, 2)} → ${fmt(now.p50Growth, 2)}` : ""} |`,
		);
	}
}
console.log(lines.join("\n"));
