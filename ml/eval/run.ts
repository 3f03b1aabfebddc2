/**
 * `npm run ml:eval`: scores the embedded models on the labelled sets in `ml/eval/data/` and prints
 * precision, recall and F1 per moderation label, toxicity at the API's queue threshold, self-harm risk,
 * and similarity-triple accuracy. Exits non-zero when a target is missed. `--verbose` lists every miss.
 *
 * Runs under Node: it imports the model modules directly (they use no workerd-only API), and scores what
 * the Worker scores: the text normalised at the entry of moderation (`normaliseForScoring`).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MODERATION_LABELS, type ModerationLabel, type SelfHarmRisk } from "../src/contract";
import { cosine, embedText } from "../src/embedding";
import { moderateText } from "../src/moderation";
import { normaliseForScoring } from "../src/text";
import { Counts } from "./counts";

const DATA = join(dirname(fileURLToPath(import.meta.url)), "data");
const verbose = process.argv.includes("--verbose");

/** A label counts as present at this score. */
const LABEL_THRESHOLD = 0.5;
/** The API queues content for review from this toxicity (src/moderation/screen.ts QUEUE_AT). */
const QUEUE_THRESHOLD = 0.7;
const TARGETS = {
	toxicityF1: 0.85,
	selfHarmHighRecall: 0.95,
	selfHarmHighPrecision: 0.8,
	tripleAccuracy: 0.85,
};

interface ModerationExample {
	text: string;
	labels: ModerationLabel[];
	toxic: boolean;
}
interface SelfHarmExample {
	text: string;
	risk: SelfHarmRisk;
}
interface Triple {
	anchor: string;
	closer: string;
	farther: string;
}

function readJsonl<T>(name: string): T[] {
	return readFileSync(join(DATA, name), "utf8")
		.split("\n")
		.filter((line) => line.trim().length > 0)
		.map((line) => JSON.parse(line) as T);
}

const header = `${"".padEnd(28)} ${"prec".padStart(6)} ${"recall".padStart(6)} ${"F1".padStart(6)}   ${"pos".padStart(4)}`;
const misses: string[] = [];

interface Figures {
	toxicity: Counts;
	high: Counts;
	tripleAccuracy: number;
}

function evaluate(
	title: string,
	files: { moderation: string; selfHarm: string; similarity?: string },
): Figures {
	console.log(`\n=== ${title} ===`);

	// Moderation labels and toxicity.
	const moderation = readJsonl<ModerationExample>(files.moderation);
	const perLabel = Object.fromEntries(
		MODERATION_LABELS.filter((label) => label !== "self_harm").map((label) => [label, new Counts()]),
	) as Record<Exclude<ModerationLabel, "self_harm">, Counts>;
	const toxicAtQueue = new Counts();
	const toxicAtHalf = new Counts();
	for (const example of moderation) {
		const result = moderateText(normaliseForScoring(example.text));
		for (const [label, counts] of Object.entries(perLabel) as [ModerationLabel, Counts][]) {
			const expected = example.labels.includes(label);
			const predicted = result.labels[label] >= LABEL_THRESHOLD;
			counts.add(expected, predicted);
			if (expected !== predicted) {
				misses.push(
					`[${title}] label ${label} expected=${expected} score=${result.labels[label]}: ${example.text}`,
				);
			}
		}
		toxicAtQueue.add(example.toxic, result.toxicity >= QUEUE_THRESHOLD);
		toxicAtHalf.add(example.toxic, result.toxicity >= LABEL_THRESHOLD);
		if (example.toxic !== result.toxicity >= QUEUE_THRESHOLD) {
			misses.push(`[${title}] toxic expected=${example.toxic} toxicity=${result.toxicity}: ${example.text}`);
		}
	}
	console.log(`\nModeration: ${moderation.length} examples (labels at score >= ${LABEL_THRESHOLD})`);
	console.log(header);
	for (const [label, counts] of Object.entries(perLabel)) console.log(counts.row(label));
	console.log(toxicAtQueue.row(`toxic (toxicity >= ${QUEUE_THRESHOLD})`));
	console.log(toxicAtHalf.row(`toxic (toxicity >= ${LABEL_THRESHOLD})`));

	// Self-harm risk.
	const selfHarm = readJsonl<SelfHarmExample>(files.selfHarm);
	const high = new Counts();
	const anyRisk = new Counts();
	const confusion: Record<SelfHarmRisk, Record<SelfHarmRisk, number>> = {
		none: { none: 0, low: 0, high: 0 },
		low: { none: 0, low: 0, high: 0 },
		high: { none: 0, low: 0, high: 0 },
	};
	for (const example of selfHarm) {
		const result = moderateText(normaliseForScoring(example.text));
		high.add(example.risk === "high", result.selfHarmRisk === "high");
		anyRisk.add(example.risk !== "none", result.selfHarmRisk !== "none");
		confusion[example.risk][result.selfHarmRisk]++;
		if (example.risk !== result.selfHarmRisk) {
			misses.push(
				`[${title}] self-harm expected=${example.risk} got=${result.selfHarmRisk} [${result.signals.join(",")}]: ${example.text}`,
			);
		}
	}
	console.log(`\nSelf-harm risk: ${selfHarm.length} examples`);
	console.log(header);
	console.log(high.row("high risk"));
	console.log(anyRisk.row("any risk (low or high)"));
	console.log("confusion (rows expected, columns predicted):       none    low   high");
	for (const risk of ["none", "low", "high"] as const) {
		const row = confusion[risk];
		console.log(
			`  ${risk.padEnd(48)} ${String(row.none).padStart(6)} ${String(row.low).padStart(6)} ${String(row.high).padStart(6)}`,
		);
	}

	// Similarity triples.
	const triples = files.similarity ? readJsonl<Triple>(files.similarity) : [];
	let correct = 0;
	for (const triple of triples) {
		const anchor = embedText(triple.anchor);
		const closer = cosine(anchor, embedText(triple.closer));
		const farther = cosine(anchor, embedText(triple.farther));
		if (closer > farther) correct++;
		else {
			misses.push(
				`[${title}] triple closer=${closer.toFixed(3)} farther=${farther.toFixed(3)}: ${triple.anchor} | ${triple.closer} | ${triple.farther}`,
			);
		}
	}
	const tripleAccuracy = triples.length === 0 ? 1 : correct / triples.length;
	if (triples.length > 0) {
		console.log(`\nSimilarity triples: ${triples.length} ("anchor is closer to b than to c")`);
		console.log(`  accuracy ${tripleAccuracy.toFixed(3)} (${correct}/${triples.length})`);
	}
	return { toxicity: toxicAtQueue, high, tripleAccuracy };
}

const development = evaluate("development set (the rules were tuned on it)", {
	moderation: "moderation.jsonl",
	selfHarm: "self-harm.jsonl",
	similarity: "similarity.jsonl",
});
const secondDevelopment = evaluate("second development set (first held out, then tuned on: see README)", {
	moderation: "dev2-moderation.jsonl",
	selfHarm: "dev2-self-harm.jsonl",
	similarity: "dev2-similarity.jsonl",
});
// Reported as it is, never gated: it measures how the rules generalise.
evaluate("held-out set (written before scoring, never tuned on)", {
	moderation: "holdout-moderation.jsonl",
	selfHarm: "holdout-self-harm.jsonl",
	similarity: "holdout-similarity.jsonl",
});

// Written by helpers who never read the rules (see README). Set A was scored before the rules changed, then
// tuned on; the final set is never tuned on, and only its figures are read.
evaluate("blind set A (written blind; scored first, then tuned on)", {
	moderation: "blind-a-moderation.jsonl",
	selfHarm: "blind-a-self-harm.jsonl",
});
// `--skip-final` while improving the models: the sealed sets' figures are read once, at the end.
if (!process.argv.includes("--skip-final")) {
	evaluate("final blind set (never tuned on)", {
		moderation: "final-moderation.jsonl",
		selfHarm: "final-self-harm.jsonl",
	});
	// Written while the models were being improved, sealed until they were done: scored once, never tuned on.
	evaluate("blind set C (sealed until the end, never tuned on)", {
		moderation: "blind-c-moderation.jsonl",
		selfHarm: "blind-c-self-harm.jsonl",
	});
	// Written with the peer training sets (model 1.5.0), sealed until that model was shipped: scored once.
	evaluate("sealed set D (sealed until model 1.5.0 shipped, never tuned on)", {
		moderation: "final-d-moderation.jsonl",
		selfHarm: "final-d-self-harm.jsonl",
	});
	// Written blind with the peer4 and peer5 training sets, scored once with model 1.7.0; training data since 1.8.0.
	evaluate("sealed set E (scored once with 1.7.0; training data since 1.8.0)", {
		moderation: "final-e-moderation.jsonl",
		selfHarm: "final-e-self-harm.jsonl",
	});
	// Written blind with the peer6 and peer7 training sets, sealed until model 1.8.0 was chosen: scored once,
	// never tuned on (texts another set already held were removed before sealing, so none was seen in training).
	evaluate("sealed set F (sealed until model 1.8.0 was chosen, never tuned on)", {
		moderation: "final-f-moderation.jsonl",
		selfHarm: "final-f-self-harm.jsonl",
	});
}

const failures: string[] = [];
// The targets apply to the development sets; the held-out figures are reported as they are.
for (const [name, figures] of [
	["development", development],
	["second development", secondDevelopment],
] as const) {
	if (figures.toxicity.f1 < TARGETS.toxicityF1) {
		failures.push(`${name}: toxicity F1 ${figures.toxicity.f1.toFixed(3)} < ${TARGETS.toxicityF1}`);
	}
	if (figures.high.recall < TARGETS.selfHarmHighRecall) {
		failures.push(
			`${name}: self-harm high recall ${figures.high.recall.toFixed(3)} < ${TARGETS.selfHarmHighRecall}`,
		);
	}
	if (figures.high.precision < TARGETS.selfHarmHighPrecision) {
		failures.push(
			`${name}: self-harm high precision ${figures.high.precision.toFixed(3)} < ${TARGETS.selfHarmHighPrecision}`,
		);
	}
	if (figures.tripleAccuracy < TARGETS.tripleAccuracy) {
		failures.push(
			`${name}: triple accuracy ${figures.tripleAccuracy.toFixed(3)} < ${TARGETS.tripleAccuracy}`,
		);
	}
}

if (verbose && misses.length > 0) console.log(`\nMisses:\n  ${misses.join("\n  ")}`);
if (failures.length > 0) {
	console.log(`\nTargets missed:\n  ${failures.join("\n  ")}`);
	process.exitCode = 1;
} else {
	console.log("\nAll targets met on the development sets.");
}
