/**
 * `npm run ml:train`: trains the learned heads of the embedded moderation model (`ml/src/learned/`) and
 * writes their weights to `ml/src/learned/weights.ts`. Deterministic: fixed seed, fixed fold assignment,
 * full-batch training, so the same data gives the same file.
 *
 * Data: the labelled sets in `ml/eval/data/` (development, second development, held-out, blind set A) and
 * the sets written for training in `ml/train/data/` (each named by its file prefix: `written5`, `everyday`,
 * `peer1` …). Never a sealed set (`final-*`, `final-d-*`, `blind-c-*`: refused below).
 *
 * Heads (logistic regression over `featurise`, L2-regularised, class-balanced, each set weighted by
 * `ML_TRAIN_SET_WEIGHTS`): `high` (self-harm high risk vs not), `risk` (any self-harm risk vs none), `toxic`.
 * Self-harm texts count as non-toxic examples for the toxic head, and moderation texts without a self_harm
 * label as no-risk examples for the self-harm heads.
 *
 * Prints: the leave-one-writer-out figure (for each of blind set A and the three peer sets, each written by
 * a helper who saw neither the rules, the code nor another set: trained without it, thresholds chosen by
 * cross-validation without it, scored on it; then the four pooled), the model-selection criterion; then the
 * repeated stratified cross-validation of every set (out-of-fold scores, rules and model combined as the
 * Worker combines them) and the thresholds chosen on it, which the shipped heads (trained on every set)
 * carry. `--no-write` skips writing the weights, `--no-lowo` the leave-one-writer-out figure (4 × 16
 * trainings), `--lowo-only` everything after it, `--by-category` prints its misses per set and kind.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Counts } from "../eval/counts";
import { learnedReads } from "../src/learned";
import { type FeatureOptions, featurise, LEARNED_FEATURES, type SparseVector } from "../src/learned/features";
import { moderateText } from "../src/moderation";
import { normaliseForScoring } from "../src/text";

const HERE = dirname(fileURLToPath(import.meta.url));
const EVAL_DATA = join(HERE, "..", "eval", "data");
const TRAIN_DATA = join(HERE, "data");
const WEIGHTS_FILE = join(HERE, "..", "src", "learned", "weights.ts");

const SEED = 19;
/** Default per-set loss weights (`ML_TRAIN_SET_WEIGHTS` overrides): the sets written blind by other writers count twice (leave-one-writer-out high recall 0.797 → 0.808 at precision 0.834 → 0.840). */
const DEFAULT_SET_WEIGHTS = "peer*=2,blind-a=2";
const FOLDS = 5;
const REPEATS = Number(process.env.ML_TRAIN_REPEATS ?? 3);
const L2 = Number(process.env.ML_TRAIN_L2 ?? 3e-6);
const ITERATIONS = Number(process.env.ML_TRAIN_ITERATIONS ?? 300);
const LEARNING_RATE = 0.05;
/** The features (`ML_TRAIN_BITS`, `ML_TRAIN_SKIP_BIGRAMS=1`, `ML_TRAIN_CROSS_WORD=1` try other ones than the Worker's). */
const flag = (name: string, fallback: boolean) =>
	process.env[name] === undefined ? fallback : ["1", "true"].includes(process.env[name] as string);
const FEATURES: FeatureOptions = {
	bits: Number(process.env.ML_TRAIN_BITS ?? LEARNED_FEATURES.bits),
	skipBigrams: flag("ML_TRAIN_SKIP_BIGRAMS", LEARNED_FEATURES.skipBigrams),
	crossWordChars: flag("ML_TRAIN_CROSS_WORD", LEARNED_FEATURES.crossWordChars),
};
const DIMS = 1 << FEATURES.bits;
/** Per-set loss weights (see `setWeight`). */
const SET_WEIGHTS = (process.env.ML_TRAIN_SET_WEIGHTS ?? DEFAULT_SET_WEIGHTS)
	.split(",")
	.filter((item) => item.includes("="))
	.map((item) => {
		const [pattern = "", weight = "1"] = item.split("=");
		return { pattern: pattern.trim(), weight: Number(weight) };
	});
/** The writers left out one at a time for the leave-one-writer-out figure (the model-selection criterion). */
const WRITERS = ["blind-a", "peer1", "peer2", "peer3"];
/**
 * The model must keep at least this precision for high risk on out-of-fold scores (target 0.8, with a margin:
 * on writers it never saw, precision falls about 0.01–0.015 below the out-of-fold floor; 0.8 gave pooled
 * leave-one-writer-out precision 0.785, 0.85 recall 0.80 where 0.82 gives 0.85–0.89).
 */
const HIGH_PRECISION_FLOOR = Number(process.env.ML_TRAIN_HIGH_PRECISION ?? 0.82);
/**
 * The high-risk threshold never goes below this (`ML_TRAIN_HIGH_MIN`; 1.4.0's threshold). At 0.35, what the
 * 0.82 floor chose for 1.5.0, 6 of the 115 everyday texts of `ml/test/everyday.ts` alarmed ("tonight I'll
 * finish the last 50 pages of my book", "pills sorted for the week"; the test allows 2), and at 0.4 the API
 * test's "Writing this down / … looking forward to the weekend" (p 0.51) was urgent. Leave-one-writer-out is
 * measured with this bound too.
 */
const HIGH_THRESHOLD_MIN = Number(process.env.ML_TRAIN_HIGH_MIN ?? 0.52);
/** The any-risk head says "low" only from this probability up. */
const RISK_THRESHOLD_FLOOR = 0.5;

type Risk = "none" | "low" | "high";
type HeadName = "high" | "risk" | "toxic";
const HEADS: HeadName[] = ["high", "risk", "toxic"];

interface Example {
	text: string;
	set: string;
	kind: "self-harm" | "moderation";
	/** Per head: 1, 0, or undefined (not a training example for that head). */
	target: Record<HeadName, 0 | 1 | undefined>;
	x: SparseVector;
	/** Whether the Worker lets the heads read this text (`learnedReads`); if not, the rules decide alone. */
	reads: boolean;
	rules: { risk: Risk; toxicity: number };
	/** The set's own category of the text, when it has one (blind set A: "attempt", "idiom", …). */
	category?: string;
}

function readJsonl<T>(path: string): T[] {
	if (/(^|\/)(final|blind-c)-[^/]*$/.test(path))
		throw new Error(`refusing to read a sealed blind set: ${path}`);
	return readFileSync(path, "utf8")
		.split("\n")
		.filter((line) => line.trim().length > 0)
		.map((line) => JSON.parse(line) as T);
}

function load(): Example[] {
	const examples: Example[] = [];
	const add = (
		text: string,
		set: string,
		kind: Example["kind"],
		target: Example["target"],
		category?: string,
	) => {
		const normalised = normaliseForScoring(text);
		const rules = moderateText(normalised, { learned: false });
		examples.push({
			text: normalised,
			set,
			kind,
			target,
			x: featurise(normalised, FEATURES),
			reads: learnedReads(normalised),
			rules: { risk: rules.selfHarmRisk, toxicity: rules.toxicity },
			category,
		});
	};
	const selfHarmSets: [string, string][] = [
		["dev", join(EVAL_DATA, "self-harm.jsonl")],
		["dev2", join(EVAL_DATA, "dev2-self-harm.jsonl")],
		["holdout", join(EVAL_DATA, "holdout-self-harm.jsonl")],
		["blind-a", join(EVAL_DATA, "blind-a-self-harm.jsonl")],
		...writtenSets("self-harm"),
	];
	for (const [set, path] of selfHarmSets) {
		for (const { text, risk, kind } of readJsonl<{ text: string; risk: Risk; kind?: string }>(path)) {
			add(
				text,
				set,
				"self-harm",
				{ high: risk === "high" ? 1 : 0, risk: risk === "none" ? 0 : 1, toxic: 0 },
				kind,
			);
		}
	}
	const moderationSets: [string, string][] = [
		["dev", join(EVAL_DATA, "moderation.jsonl")],
		["dev2", join(EVAL_DATA, "dev2-moderation.jsonl")],
		["holdout", join(EVAL_DATA, "holdout-moderation.jsonl")],
		["blind-a", join(EVAL_DATA, "blind-a-moderation.jsonl")],
		...writtenSets("moderation"),
	];
	for (const [set, path] of moderationSets) {
		for (const { text, labels, toxic, kind } of readJsonl<{
			text: string;
			labels: string[];
			toxic: boolean;
			kind?: string;
		}>(path)) {
			const selfHarm = labels.includes("self_harm");
			add(
				text,
				set,
				"moderation",
				{
					high: selfHarm ? undefined : 0,
					risk: selfHarm ? undefined : 0,
					toxic: toxic ? 1 : 0,
				},
				kind,
			);
		}
	}
	return examples;
}

/**
 * The sets written for training: `ml/train/data/<set>-self-harm.jsonl` or `<set>-moderation.jsonl`, in name
 * order; each set is named by its file's prefix (`written5`, `everyday`, `peer1` …), so a writer's set can be
 * left out whole and weighted on its own.
 */
function writtenSets(kind: Example["kind"]): [string, string][] {
	return readdirSync(TRAIN_DATA)
		.filter((name) => name.endsWith(`-${kind}.jsonl`))
		.sort()
		.map((name) => [name.slice(0, -`-${kind}.jsonl`.length), join(TRAIN_DATA, name)]);
}

/**
 * Weight of a set's texts in the loss (`ML_TRAIN_SET_WEIGHTS`, e.g. `written5=0.5,written*=0.7`: a name or
 * a prefix ending in `*`; the first match wins; unlisted sets weigh 1).
 */
function setWeight(set: string): number {
	for (const { pattern, weight } of SET_WEIGHTS) {
		if (pattern.endsWith("*") ? set.startsWith(pattern.slice(0, -1)) : set === pattern) return weight;
	}
	return 1;
}

/** mulberry32: a small seeded generator, so folds are the same on every run. */
function random(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

interface Trained {
	bias: number;
	weights: Float64Array;
}

/**
 * Full-batch Adam on the class-balanced, L2-regularised logistic loss, each text weighted by its set's weight
 * (`setWeight`). The examples' sparse vectors are copied into flat arrays once, so the loop stays tight.
 * Deterministic.
 */
function train(examples: Example[], head: HeadName): Trained {
	const data = examples.filter((example) => example.target[head] !== undefined);
	const n = data.length;
	let nnz = 0;
	for (const example of data) nnz += example.x.slots.length;
	const offsets = new Int32Array(n + 1);
	const slots = new Int32Array(nnz);
	const values = new Float64Array(nnz);
	const ys = new Float64Array(n);
	const sample = new Float64Array(n);
	let positives = 0;
	let negatives = 0;
	for (const [i, example] of data.entries()) {
		const y = example.target[head] as number;
		ys[i] = y;
		sample[i] = setWeight(example.set);
		if (y === 1) positives += sample[i] as number;
		else negatives += sample[i] as number;
		offsets[i + 1] = (offsets[i] as number) + example.x.slots.length;
		slots.set(example.x.slots, offsets[i] as number);
		for (let k = 0; k < example.x.values.length; k++)
			values[(offsets[i] as number) + k] = example.x.values[k] as number;
	}
	const total = positives + negatives;
	// Class-balanced: each class carries half of the (set-weighted) total; scaled so the mean weight is 1.
	const scaleBy = n / total;
	for (let i = 0; i < n; i++) {
		const classWeight = ys[i] === 1 ? total / (2 * positives) : total / (2 * negatives);
		sample[i] = (sample[i] as number) * classWeight * scaleBy;
	}
	const w = new Float64Array(DIMS);
	let b = 0;
	const m = new Float64Array(DIMS + 1);
	const v = new Float64Array(DIMS + 1);
	const grad = new Float64Array(DIMS + 1);
	const beta1 = 0.9;
	const beta2 = 0.999;
	for (let step = 1; step <= ITERATIONS; step++) {
		grad.fill(0);
		let gradBias = 0;
		for (let i = 0; i < n; i++) {
			const start = offsets[i] as number;
			const end = offsets[i + 1] as number;
			let z = b;
			for (let k = start; k < end; k++) z += (w[slots[k] as number] as number) * (values[k] as number);
			const p = 1 / (1 + Math.exp(-z));
			const g = (p - (ys[i] as number)) * (sample[i] as number);
			for (let k = start; k < end; k++) {
				const slot = slots[k] as number;
				grad[slot] = (grad[slot] as number) + g * (values[k] as number);
			}
			gradBias += g;
		}
		grad[DIMS] = gradBias;
		const c1 = 1 - beta1 ** step;
		const c2 = 1 - beta2 ** step;
		for (let j = 0; j <= DIMS; j++) {
			const weight = j === DIMS ? b : (w[j] as number);
			const g = (grad[j] as number) / n + (j === DIMS ? 0 : L2 * weight);
			m[j] = beta1 * (m[j] as number) + (1 - beta1) * g;
			v[j] = beta2 * (v[j] as number) + (1 - beta2) * g * g;
			const update = (LEARNING_RATE * ((m[j] as number) / c1)) / (Math.sqrt((v[j] as number) / c2) + 1e-8);
			if (j === DIMS) b -= update;
			else w[j] = weight - update;
		}
	}
	return { bias: b, weights: w };
}

/** Quantises to int8 (one scale per head), as shipped, so every figure below is the shipped model's. */
function quantise(model: Trained): { bias: number; scale: number; bytes: Int8Array } {
	let max = 0;
	for (const weight of model.weights) max = Math.max(max, Math.abs(weight));
	const scale = max / 127 || 1;
	const bytes = new Int8Array(DIMS);
	for (let i = 0; i < DIMS; i++) bytes[i] = Math.round((model.weights[i] as number) / scale);
	return { bias: model.bias, scale, bytes };
}

function predict(model: { bias: number; scale: number; bytes: Int8Array }, x: SparseVector): number {
	let z = model.bias;
	for (let i = 0; i < x.slots.length; i++) {
		z += (model.bytes[x.slots[i] as number] as number) * model.scale * (x.values[i] as number);
	}
	return 1 / (1 + Math.exp(-z));
}

type Scores = Map<Example, Record<HeadName, number>>;

function trainHeads(examples: Example[]) {
	return Object.fromEntries(HEADS.map((head) => [head, quantise(train(examples, head))])) as Record<
		HeadName,
		ReturnType<typeof quantise>
	>;
}

function scoreAll(models: ReturnType<typeof trainHeads>, examples: Example[], into: Scores): void {
	for (const example of examples) {
		into.set(example, {
			high: predict(models.high, example.x),
			risk: predict(models.risk, example.x),
			toxic: predict(models.toxic, example.x),
		});
	}
}

/**
 * Repeated stratified k-fold (REPEATS × FOLDS, seeds SEED, SEED + 1, …): each example's out-of-fold scores
 * averaged over the repeats, so thresholds do not hang on one fold assignment.
 */
function crossValidate(examples: Example[], extra: Example[] = []): Scores {
	const runs = Array.from({ length: REPEATS }, (_, r) => crossValidateOnce(examples, extra, SEED + r));
	const scores: Scores = new Map();
	for (const example of examples) {
		const mean = { high: 0, risk: 0, toxic: 0 };
		for (const run of runs) {
			const s = run.get(example);
			if (!s) continue;
			for (const head of HEADS) mean[head] += s[head] / runs.length;
		}
		scores.set(example, mean);
	}
	return scores;
}

/**
 * One stratified k-fold: out-of-fold scores: every example scored by a model that never saw it. `extra` examples
 * join every training fold and are never scored (to ask whether a set helps the others).
 */
function crossValidateOnce(examples: Example[], extra: Example[], seed: number): Scores {
	const rng = random(seed);
	const strata = new Map<string, Example[]>();
	for (const example of examples) {
		const key = `${example.kind}:${example.target.high}:${example.target.risk}:${example.target.toxic}`;
		strata.set(key, [...(strata.get(key) ?? []), example]);
	}
	const fold = new Map<Example, number>();
	for (const key of [...strata.keys()].sort()) {
		const members = strata.get(key) ?? [];
		const order = members.map((example) => ({ example, r: rng() })).sort((a, b) => a.r - b.r);
		for (const [i, { example }] of order.entries()) fold.set(example, i % FOLDS);
	}
	const scores: Scores = new Map();
	for (let k = 0; k < FOLDS; k++) {
		const models = trainHeads([...examples.filter((example) => fold.get(example) !== k), ...extra]);
		scoreAll(
			models,
			examples.filter((example) => fold.get(example) === k),
			scores,
		);
	}
	return scores;
}

interface Thresholds {
	high: number;
	risk: number;
	toxic: number;
}

/** The figures the eval reports, for rules alone, model alone and the two combined as the Worker does. */
function figures(examples: Example[], scores: Scores, t: Thresholds) {
	const out = {
		rules: { high: new Counts(), any: new Counts(), toxic: new Counts() },
		model: { high: new Counts(), any: new Counts(), toxic: new Counts() },
		combined: { high: new Counts(), any: new Counts(), toxic: new Counts() },
	};
	for (const example of examples) {
		const scored = scores.get(example);
		if (!scored) continue;
		const s = example.reads ? scored : { high: 0, risk: 0, toxic: 0 };
		if (example.kind === "self-harm") {
			const high = example.target.high === 1;
			const any = example.target.risk === 1;
			const rulesHigh = example.rules.risk === "high";
			const rulesAny = example.rules.risk !== "none";
			const modelHigh = s.high >= t.high;
			const modelAny = modelHigh || s.risk >= t.risk;
			out.rules.high.add(high, rulesHigh);
			out.rules.any.add(any, rulesAny);
			out.model.high.add(high, modelHigh);
			out.model.any.add(any, modelAny);
			out.combined.high.add(high, rulesHigh || modelHigh);
			out.combined.any.add(any, rulesAny || modelAny);
		} else {
			const toxic = example.target.toxic === 1;
			out.rules.toxic.add(toxic, example.rules.toxicity >= 0.7);
			out.model.toxic.add(toxic, s.toxic >= t.toxic);
			out.combined.toxic.add(toxic, example.rules.toxicity >= 0.7 || s.toxic >= t.toxic);
		}
	}
	return out;
}

/** Thresholds chosen on out-of-fold scores, for the combined decision. */
function chooseThresholds(examples: Example[], scores: Scores): Thresholds {
	const grid = Array.from({ length: 91 }, (_, i) => 0.05 + i * 0.01);
	let best = { high: 0.5, risk: 0.5, toxic: 0.5 };
	let bestHigh = -1;
	let bestRisk = -1;
	let bestToxic = -1;
	for (const t of grid) {
		const f = figures(examples, scores, { high: t, risk: t, toxic: t });
		// High risk: the most recall that keeps precision above the floor (ties: the higher threshold).
		if (f.combined.high.precision >= HIGH_PRECISION_FLOOR && f.combined.high.recall >= bestHigh) {
			bestHigh = f.combined.high.recall;
			best = { ...best, high: t };
		}
	}
	best = { ...best, high: Math.max(best.high, HIGH_THRESHOLD_MIN) };
	// Toxic: the best F1 averaged over neighbouring thresholds (±0.03), so one lucky point does not decide.
	const toxicF1 = grid.map(
		(t) => figures(examples, scores, { high: t, risk: t, toxic: t }).combined.toxic.f1,
	);
	for (const [i, t] of grid.entries()) {
		const window = toxicF1.slice(Math.max(0, i - 3), i + 4);
		const smoothed = window.reduce((sum, f1) => sum + f1, 0) / window.length;
		if (smoothed > bestToxic) {
			bestToxic = smoothed;
			best = { ...best, toxic: t };
		}
	}
	// Any risk (low or high): the best F1, from 0.5 up (a lower threshold reads idioms as low risk).
	for (const t of grid.filter((t) => t >= RISK_THRESHOLD_FLOOR)) {
		const f = figures(examples, scores, { ...best, risk: t });
		if (f.combined.any.f1 >= bestRisk) {
			bestRisk = f.combined.any.f1;
			best = { ...best, risk: t };
		}
	}
	const round2 = (x: number) => Math.round(x * 100) / 100;
	return { high: round2(best.high), risk: round2(best.risk), toxic: round2(best.toxic) };
}

function report(title: string, f: ReturnType<typeof figures>): void {
	console.log(`\n${title}`);
	for (const source of ["rules", "model", "combined"] as const) {
		console.log(`  ${source.padEnd(9)} self-harm high: ${f[source].high}`);
		console.log(`  ${"".padEnd(9)} self-harm any:  ${f[source].any}`);
		console.log(`  ${"".padEnd(9)} toxic:          ${f[source].toxic}`);
	}
}

/**
 * Per category (counts only, never texts): how many of each kind the combined decision got right. Self-harm:
 * "high" answered for high-risk kinds (misses), any "high" answered for the others (false alarms); moderation:
 * toxic answered or not.
 */
function reportByCategory(examples: Example[], scores: Scores, t: Thresholds): void {
	const rows = new Map<string, { n: number; wrong: number; byRules: number; what: string }>();
	for (const example of examples) {
		if (example.category === undefined) continue;
		const scored = scores.get(example);
		if (!scored) continue;
		const s = example.reads ? scored : { high: 0, risk: 0, toxic: 0 };
		let wrong: boolean;
		let byRules: boolean;
		let what: string;
		if (example.kind === "self-harm") {
			const saidHigh = example.rules.risk === "high" || s.high >= t.high;
			wrong = example.target.high === 1 ? !saidHigh : saidHigh;
			byRules = example.rules.risk === "high";
			what = example.target.high === 1 ? "missed high" : "false high";
		} else {
			const saidToxic = example.rules.toxicity >= 0.7 || s.toxic >= t.toxic;
			wrong = example.target.toxic === 1 ? !saidToxic : saidToxic;
			byRules = example.rules.toxicity >= 0.7;
			what = example.target.toxic === 1 ? "missed toxic" : "false toxic";
		}
		const key = `${example.kind}:${example.category}`;
		const row = rows.get(key) ?? { n: 0, wrong: 0, byRules: 0, what };
		row.n++;
		if (wrong) row.wrong++;
		if (wrong && byRules) row.byRules++;
		rows.set(key, row);
	}
	for (const [key, row] of [...rows].sort()) {
		if (row.wrong > 0) {
			const rules = row.what.startsWith("false") ? ` (rules: ${row.byRules})` : "";
			console.log(`  ${key.padEnd(40)} ${row.what} ${row.wrong}/${row.n}${rules}`);
		}
	}
}

function toBase64(bytes: Int8Array): string {
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

const all = load();
const count = (examples: Example[], kind: Example["kind"]) => examples.filter((e) => e.kind === kind).length;
const sets = [...new Set(all.map((example) => example.set))];
console.log(
	`${all.length} texts (self-harm ${count(all, "self-harm")}, moderation ${count(all, "moderation")}) in ${sets.length} sets: ${sets.join(", ")}`,
);
console.log(
	`L2 ${L2}, ${ITERATIONS} iterations, seed ${SEED}, ${REPEATS} × ${FOLDS}-fold, ${DIMS} slots, features ${JSON.stringify(FEATURES)}, high-risk precision floor ${HIGH_PRECISION_FLOOR} (threshold ≥ ${HIGH_THRESHOLD_MIN}), set weights ${JSON.stringify(SET_WEIGHTS)}`,
);

/** Adds b's counts into a (pooling held-out sets, each judged at its own thresholds). */
function pool(a: ReturnType<typeof figures>, b: ReturnType<typeof figures>): void {
	for (const source of ["rules", "model", "combined"] as const) {
		for (const what of ["high", "any", "toxic"] as const) {
			a[source][what].tp += b[source][what].tp;
			a[source][what].fp += b[source][what].fp;
			a[source][what].fn += b[source][what].fn;
			a[source][what].tn += b[source][what].tn;
		}
	}
}

// Leave-one-writer-out (the model-selection criterion): for each set written by a helper who saw neither the
// rules, the code nor the other sets, train without it (thresholds chosen by cross-validation without it)
// and score it. Pooled: the held-out decisions of all four, concatenated.
if (!process.argv.includes("--no-lowo")) {
	const pooled = figures([], new Map(), { high: 0.5, risk: 0.5, toxic: 0.5 });
	const byCategory = process.argv.includes("--by-category");
	for (const writer of WRITERS) {
		const rest = all.filter((example) => example.set !== writer);
		const heldOut = all.filter((example) => example.set === writer);
		const t = chooseThresholds(rest, crossValidate(rest));
		const scores: Scores = new Map();
		scoreAll(trainHeads(rest), heldOut, scores);
		const f = figures(heldOut, scores, t);
		pool(pooled, f);
		console.log(
			`\nleave-one-writer-out ${writer} (${heldOut.length} texts; thresholds ${JSON.stringify(t)}):` +
				`\n  combined high: ${f.combined.high}\n  combined toxic: ${f.combined.toxic}` +
				`\n  model high: ${f.model.high}\n  model toxic: ${f.model.toxic}`,
		);
		if (byCategory) reportByCategory(heldOut, scores, t);
	}
	report("leave-one-writer-out, pooled (blind-a, peer1, peer2, peer3)", pooled);
	if (process.argv.includes("--lowo-only")) process.exit(0);
}

// Cross-validation of everything allowed: the thresholds the shipped heads carry.
const oof = crossValidate(all);
const thresholds = chooseThresholds(all, oof);
console.log(`\nthresholds (chosen on out-of-fold scores of every set): ${JSON.stringify(thresholds)}`);
report(
	`${REPEATS} × ${FOLDS}-fold stratified cross-validation (every set, out-of-fold, averaged over repeats)`,
	figures(all, oof, thresholds),
);

if (!process.argv.includes("--no-write")) {
	const shipped = trainHeads(all);
	const head = (name: HeadName) =>
		`\t\t${name}: {\n\t\t\tbias: ${shipped[name].bias},\n\t\t\tscale: ${shipped[name].scale},\n\t\t\tweights:\n\t\t\t\t"${toBase64(shipped[name].bytes)}",\n\t\t},\n`;
	const weights =
		SET_WEIGHTS.length > 0
			? `, set weights ${SET_WEIGHTS.map(({ pattern, weight }) => `${pattern}=${weight}`).join(",")}`
			: "";
	writeFileSync(
		WEIGHTS_FILE,
		`// Generated by ml/train/train.ts (npm run ml:train): do not edit. Trained on ${all.length} texts (every\n// training set and blind set A; the sealed sets excluded); L2 ${L2}, ${ITERATIONS} iterations, seed ${SEED}${weights}.\nimport type { LearnedModelData } from "./index";\n\nexport const LEARNED_MODEL: LearnedModelData = {\n\tdims: ${DIMS},\n\theads: {\n${HEADS.map(head).join("")}\t},\n\tthresholds: { high: ${thresholds.high}, risk: ${thresholds.risk}, toxic: ${thresholds.toxic} },\n};\n`,
	);
	console.log(`\nwrote ${WEIGHTS_FILE}`);
}
