/**
 * `npm run ml:train`: trains the learned heads of the embedded moderation model (`ml/src/learned/`) and
 * writes their weights to `ml/src/learned/weights.ts`. Deterministic: fixed seed, fixed fold assignment,
 * full-batch training, so the same data gives the same file.
 *
 * Data: the labelled sets in `ml/eval/data/` (development, second development, held-out, blind set A) and
 * the sets written for training in `ml/train/data/` (each named by its file prefix: `written5`, `everyday`,
 * `peer1` …), and the sealed sets already spent (the final set, set C, set D: each scored once with model 1.5.0,
 * released for training from 1.7.0 on; set E, scored once with 1.7.0, from 1.8.0 on). Never the sealed set in
 * force, `final-f-*` (refused below).
 *
 * Heads (logistic regression over `featurise`, L2-regularised, class-balanced, each set weighted by
 * `ML_TRAIN_SET_WEIGHTS`): `high` (self-harm high risk vs not), `risk` (any self-harm risk vs none), `toxic`.
 * Self-harm texts count as non-toxic examples for the toxic head, and moderation texts without a self_harm
 * label as no-risk examples for the self-harm heads.
 *
 * Prints: the leave-one-writer-out figure (for each of blind set A, spent set E and the peer sets, each written by
 * a helper who saw neither the rules, the code nor another set: trained without it, thresholds chosen by
 * cross-validation without it, scored on it; then all of them pooled), the model-selection criterion; then the
 * repeated stratified cross-validation of every set (out-of-fold scores, rules and model combined as the
 * Worker combines them) and the thresholds chosen on it, which the shipped heads (trained on every set)
 * carry, with the high threshold's floor from the everyday check sets (`checkFloor`). `--no-write` skips
 * writing the weights, `--no-lowo` the leave-one-writer-out figure (9 × 16
 * trainings), `--lowo-only` everything after it, `--by-category` prints its misses per set and kind.
 */
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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
const CHECK_DATA = join(HERE, "check");
/** Where the weights are written (`ML_TRAIN_WEIGHTS_FILE` writes a trial elsewhere, e.g. to measure its size). */
const WEIGHTS_FILE = process.env.ML_TRAIN_WEIGHTS_FILE ?? join(HERE, "..", "src", "learned", "weights.ts");

const SEED = 19;
/** Default per-set loss weights (`ML_TRAIN_SET_WEIGHTS` overrides): the sets written blind by other writers count twice (leave-one-writer-out high recall 0.797 → 0.808 at precision 0.834 → 0.840); the everyday set four times (1.8.0: fewer everyday posts near the threshold, so the check floor sits lower — pooled leave-one-writer-out over nine writers 0.900 → 0.906 at precision 0.845). */
const DEFAULT_SET_WEIGHTS = "peer*=2,blind-a=2,spent-*=2,everyday=4";
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
const WRITERS = [
	"blind-a",
	"spent-e",
	...writtenSets("self-harm")
		.map(([set]) => set)
		.filter((set) => set.startsWith("peer")),
].filter((set) => !process.env.ML_TRAIN_WRITERS || process.env.ML_TRAIN_WRITERS.split(",").includes(set));
/**
 * The model must keep at least this precision for high risk on out-of-fold scores (target 0.8, with a margin:
 * on writers it never saw, precision falls about 0.01–0.015 below the out-of-fold floor; 0.8 gave pooled
 * leave-one-writer-out precision 0.785, 0.85 recall 0.80 where 0.82 gives 0.85–0.89).
 */
const HIGH_PRECISION_FLOOR = Number(process.env.ML_TRAIN_HIGH_PRECISION ?? 0.82);
/**
 * The high-risk threshold's floor comes from the everyday check sets (`ml/train/check/`: 810 everyday posts
 * that share words with crisis talk — bedtime and "tonight" plans, routine pills, haircuts, goodbyes before a
 * move — written blind and never trained on): the lowest threshold at which the model trained on the data
 * calls at most this fraction of them high risk (`ML_TRAIN_CHECK_CAP`). 4.5% is what model 1.7.0 raised there at
 * its fixed floor 0.52 (35 of 810): 1.8.0 keeps the same false alarms and spends the data's gain on recall.
 * `ML_TRAIN_HIGH_MIN` is an absolute lower bound (0 by default).
 */
const CHECK_CAP = Number(process.env.ML_TRAIN_CHECK_CAP ?? 0.045);
const HIGH_THRESHOLD_MIN = Number(process.env.ML_TRAIN_HIGH_MIN ?? 0);
/**
 * The high head says high risk only when the any-risk head also reads at least this (`ML_TRAIN_HIGH_NEEDS_RISK`,
 * 1.8.0): a high risk is a risk. Everyday posts the high head over-reads ("pills sorted for the week", "tonight
 * I'll finish the last 50 pages") mostly score low on the any-risk head: with heads trained on 1.8.0's data the
 * gate cuts the check sets' false alarms at 0.39 from 65 to 37 of 810, and at equal check alarms (≈ 35)
 * leave-one-writer-out reads ≈ 0.90 gated (threshold 0.41) against 0.883 ungated (≈ 0.6).
 */
const HIGH_NEEDS_RISK = Number(process.env.ML_TRAIN_HIGH_NEEDS_RISK ?? 0.5);
/** Model 1.7.0's fixed floor, reported beside the check floor by leave-one-writer-out. */
const FIXED_FLOOR_1_7 = 0.52;
/**
 * Optional two-layer MLP for the high head (`ML_TRAIN_MLP=16,32`: hidden sizes, each trained and reported
 * beside the logistic head; empty = off, the default): the same sparse input, one hidden layer
 * (`ML_TRAIN_MLP_ACTIVATION` relu or tanh), a sigmoid output; mini-batch Adam (`ML_TRAIN_MLP_LR`,
 * `ML_TRAIN_MLP_EPOCHS`, batch `ML_TRAIN_MLP_BATCH`), decoupled weight decay `ML_TRAIN_MLP_DECAY`, no dropout,
 * seeded init and seeded shuffles (deterministic), class-balanced and set-weighted as the logistic heads.
 * `ML_TRAIN_MLP_BITS` reads the text into fewer slots for the MLP (a smaller hidden matrix).
 * Each is reported as the MLP alone and as the ensemble (mean of the logistic and MLP probabilities), with
 * its own thresholds chosen the same way. `ML_TRAIN_SHIP` picks what the written weights carry
 * (`logistic`, `mlp32`, `ens32` …).
 */
const MLP_HIDDEN = (process.env.ML_TRAIN_MLP ?? "")
	.split(",")
	.filter((item) => item.trim().length > 0)
	.map(Number);
const MLP_ACTIVATION = process.env.ML_TRAIN_MLP_ACTIVATION === "tanh" ? "tanh" : "relu";
const MLP_LR = Number(process.env.ML_TRAIN_MLP_LR ?? 0.005);
const MLP_EPOCHS = Number(process.env.ML_TRAIN_MLP_EPOCHS ?? 20);
const MLP_BATCH = Number(process.env.ML_TRAIN_MLP_BATCH ?? 64);
const MLP_DECAY = Number(process.env.ML_TRAIN_MLP_DECAY ?? 1e-4);
/** Standard deviation of the seeded uniform init of the input-to-hidden weights (`ML_TRAIN_MLP_INIT`). */
const MLP_INIT = Number(process.env.ML_TRAIN_MLP_INIT ?? 0.1);
const MLP_BITS = Number(process.env.ML_TRAIN_MLP_BITS ?? FEATURES.bits);
const MLP_DIMS = 1 << MLP_BITS;
const SHIP = process.env.ML_TRAIN_SHIP ?? "logistic";
/** `ML_TRAIN_HEADS=high` trains only the listed heads (exploring the high head; the others score 0.5). */
const TRAIN_HEADS = (process.env.ML_TRAIN_HEADS ?? "high,risk,toxic").split(",");

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
	/** The MLP's input (the same features, `MLP_BITS` slots). */
	xm: SparseVector;
	/** Whether the Worker lets the heads read this text (`learnedReads`); if not, the rules decide alone. */
	reads: boolean;
	rules: { risk: Risk; toxicity: number };
	/** The set's own category of the text, when it has one (blind set A: "attempt", "idiom", …). */
	category?: string;
}

function readJsonl<T>(path: string): T[] {
	if (/(^|\/)final-f-[^/]*$/.test(path)) throw new Error(`refusing to read the sealed blind set: ${path}`);
	return readFileSync(path, "utf8")
		.split("\n")
		.filter((line) => line.trim().length > 0)
		.map((line) => JSON.parse(line) as T);
}

/** One labelled text, read as the Worker reads it (normalised, featurised, the rules' verdict). */
function example(
	text: string,
	set: string,
	kind: Example["kind"],
	target: Example["target"],
	category?: string,
): Example {
	const normalised = normaliseForScoring(text);
	const rules = moderateText(normalised, { learned: false });
	return {
		text: normalised,
		set,
		kind,
		target,
		x: featurise(normalised, FEATURES),
		xm:
			MLP_BITS === FEATURES.bits
				? featurise(normalised, FEATURES)
				: featurise(normalised, { ...FEATURES, bits: MLP_BITS }),
		reads: learnedReads(normalised),
		rules: { risk: rules.selfHarmRisk, toxicity: rules.toxicity },
		category,
	};
}

/**
 * The everyday check sets (`ml/train/check/*.jsonl`): everyday posts that share words with crisis talk, written
 * blind for model 1.8.0 and never trained on. They set the high-risk threshold's floor (`checkFloor`).
 */
function loadChecks(): Example[] {
	return readdirSync(CHECK_DATA)
		.filter((name) => name.endsWith(".jsonl"))
		.sort()
		.flatMap((name) =>
			readJsonl<{ text: string; kind?: string }>(join(CHECK_DATA, name)).map(({ text, kind }) =>
				example(
					text,
					`check-${name.slice(0, -".jsonl".length)}`,
					"self-harm",
					{ high: 0, risk: 0, toxic: undefined },
					kind,
				),
			),
		);
}

function load(): Example[] {
	const examples: Example[] = [];
	const add = (...args: Parameters<typeof example>) => examples.push(example(...args));
	const selfHarmSets: [string, string][] = [
		["dev", join(EVAL_DATA, "self-harm.jsonl")],
		["dev2", join(EVAL_DATA, "dev2-self-harm.jsonl")],
		["holdout", join(EVAL_DATA, "holdout-self-harm.jsonl")],
		["blind-a", join(EVAL_DATA, "blind-a-self-harm.jsonl")],
		...spentSealedSets("self-harm"),
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
		...spentSealedSets("moderation"),
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
/**
 * The sealed sets already spent: each written blind and scored once, with model 1.5.0, as its final figure
 * (ml/README.md keeps those figures; set E's with 1.7.0). Training data from the next model on; sealed set F is
 * the final set.
 */
function spentSealedSets(kind: Example["kind"]): [string, string][] {
	return [
		["spent-final", join(EVAL_DATA, `final-${kind}.jsonl`)],
		["spent-c", join(EVAL_DATA, `blind-c-${kind}.jsonl`)],
		["spent-d", join(EVAL_DATA, `final-d-${kind}.jsonl`)],
		["spent-e", join(EVAL_DATA, `final-e-${kind}.jsonl`)],
	];
}

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
function prepare(examples: Example[], head: HeadName, input: "x" | "xm" = "x") {
	const data = examples.filter((example) => example.target[head] !== undefined);
	const n = data.length;
	let nnz = 0;
	for (const example of data) nnz += example[input].slots.length;
	const offsets = new Int32Array(n + 1);
	const slots = new Int32Array(nnz);
	const values = new Float64Array(nnz);
	const ys = new Float64Array(n);
	const sample = new Float64Array(n);
	let positives = 0;
	let negatives = 0;
	for (const [i, example] of data.entries()) {
		const x = example[input];
		const y = example.target[head] as number;
		ys[i] = y;
		sample[i] = setWeight(example.set);
		if (y === 1) positives += sample[i] as number;
		else negatives += sample[i] as number;
		offsets[i + 1] = (offsets[i] as number) + x.slots.length;
		slots.set(x.slots, offsets[i] as number);
		for (let k = 0; k < x.values.length; k++) values[(offsets[i] as number) + k] = x.values[k] as number;
	}
	const total = positives + negatives;
	// Class-balanced: each class carries half of the (set-weighted) total; scaled so the mean weight is 1.
	const scaleBy = n / total;
	for (let i = 0; i < n; i++) {
		const classWeight = ys[i] === 1 ? total / (2 * positives) : total / (2 * negatives);
		sample[i] = (sample[i] as number) * classWeight * scaleBy;
	}
	return { n, offsets, slots, values, ys, sample };
}

function train(examples: Example[], head: HeadName): Trained {
	const { n, offsets, slots, values, ys, sample } = prepare(examples, head);
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

interface Mlp {
	hidden: number;
	/** Input-to-hidden weights, row-major by input slot: w1[slot * hidden + j]. */
	w1: Float64Array;
	b1: Float64Array;
	w2: Float64Array;
	b2: number;
}

/**
 * The two-layer MLP (see `MLP_HIDDEN`): mini-batch Adam over seeded shuffles; only the input rows a batch
 * touches are updated (lazy Adam, as sparse inputs want), with decoupled weight decay on the rows updated and
 * on the hidden-to-output weights. Deterministic.
 */
function trainMlp(examples: Example[], head: HeadName, hidden: number): Mlp {
	const { n, offsets, slots, values, ys, sample } = prepare(examples, head, "xm");
	const H = hidden;
	const rng = random(SEED * 7919 + H);
	const w1 = new Float64Array(MLP_DIMS * H);
	// Inputs are L2-normalised, so a hidden unit's pre-activation at init has the spread of one weight.
	for (let i = 0; i < w1.length; i++) w1[i] = (rng() * 2 - 1) * Math.sqrt(3) * MLP_INIT;
	const b1 = new Float64Array(H);
	const w2 = new Float64Array(H);
	for (let j = 0; j < H; j++) w2[j] = ((rng() * 2 - 1) * Math.sqrt(3)) / Math.sqrt(H);
	let b2 = 0;
	const m1 = new Float64Array(w1.length);
	const v1 = new Float64Array(w1.length);
	const g1 = new Float64Array(w1.length);
	const mb1 = new Float64Array(H);
	const vb1 = new Float64Array(H);
	const gb1 = new Float64Array(H);
	const m2 = new Float64Array(H);
	const v2 = new Float64Array(H);
	const g2 = new Float64Array(H);
	let mb2 = 0;
	let vb2 = 0;
	const touched = new Int32Array(MLP_DIMS);
	const rows: number[] = [];
	const a = new Float64Array(H);
	const h = new Float64Array(H);
	const beta1 = 0.9;
	const beta2 = 0.999;
	const tanh = MLP_ACTIVATION === "tanh";
	const order = Array.from({ length: n }, (_, i) => i);
	let step = 0;
	for (let epoch = 0; epoch < MLP_EPOCHS; epoch++) {
		for (let i = n - 1; i > 0; i--) {
			const r = Math.floor(rng() * (i + 1));
			const swap = order[i] as number;
			order[i] = order[r] as number;
			order[r] = swap;
		}
		for (let start = 0; start < n; start += MLP_BATCH) {
			step++;
			const end = Math.min(n, start + MLP_BATCH);
			const size = end - start;
			rows.length = 0;
			gb1.fill(0);
			g2.fill(0);
			let gb2 = 0;
			for (let q = start; q < end; q++) {
				const i = order[q] as number;
				const from = offsets[i] as number;
				const to = offsets[i + 1] as number;
				a.set(b1);
				for (let k = from; k < to; k++) {
					const row = (slots[k] as number) * H;
					const value = values[k] as number;
					for (let j = 0; j < H; j++) a[j] = (a[j] as number) + (w1[row + j] as number) * value;
				}
				let z = b2;
				for (let j = 0; j < H; j++) {
					const aj = a[j] as number;
					const hj = tanh ? Math.tanh(aj) : Math.max(aj, 0);
					h[j] = hj;
					z += (w2[j] as number) * hj;
				}
				const p = 1 / (1 + Math.exp(-z));
				const g = ((p - (ys[i] as number)) * (sample[i] as number)) / size;
				gb2 += g;
				for (let j = 0; j < H; j++) {
					const hj = h[j] as number;
					g2[j] = (g2[j] as number) + g * hj;
					// dL/da_j, kept in a (no longer needed as the pre-activation).
					a[j] = g * (w2[j] as number) * (tanh ? 1 - hj * hj : hj > 0 ? 1 : 0);
					gb1[j] = (gb1[j] as number) + (a[j] as number);
				}
				for (let k = from; k < to; k++) {
					const slot = slots[k] as number;
					const row = slot * H;
					if (touched[slot] !== step) {
						touched[slot] = step;
						rows.push(slot);
						g1.fill(0, row, row + H);
					}
					const value = values[k] as number;
					for (let j = 0; j < H; j++) g1[row + j] = (g1[row + j] as number) + (a[j] as number) * value;
				}
			}
			const c1 = 1 - beta1 ** step;
			const c2 = 1 - beta2 ** step;
			const adam = (m: Float64Array, v: Float64Array, i: number, g: number) => {
				m[i] = beta1 * (m[i] as number) + (1 - beta1) * g;
				v[i] = beta2 * (v[i] as number) + (1 - beta2) * g * g;
				return (MLP_LR * ((m[i] as number) / c1)) / (Math.sqrt((v[i] as number) / c2) + 1e-8);
			};
			for (const slot of rows) {
				const row = slot * H;
				for (let j = 0; j < H; j++) {
					const i = row + j;
					w1[i] = (w1[i] as number) * (1 - MLP_LR * MLP_DECAY) - adam(m1, v1, i, g1[i] as number);
				}
			}
			for (let j = 0; j < H; j++) {
				b1[j] = (b1[j] as number) - adam(mb1, vb1, j, gb1[j] as number);
				w2[j] = (w2[j] as number) * (1 - MLP_LR * MLP_DECAY) - adam(m2, v2, j, g2[j] as number);
			}
			mb2 = beta1 * mb2 + (1 - beta1) * gb2;
			vb2 = beta2 * vb2 + (1 - beta2) * gb2 * gb2;
			b2 -= (MLP_LR * (mb2 / c1)) / (Math.sqrt(vb2 / c2) + 1e-8);
		}
	}
	return { hidden: H, w1, b1, w2, b2 };
}

interface QuantisedMlp {
	hidden: number;
	/** int8, row-major by input slot; weight = byte × scales[j]. */
	bytes: Int8Array;
	/** One scale per hidden unit (column). */
	scales: Float64Array;
	b1: Float64Array;
	w2: Float64Array;
	b2: number;
}

/** int8 input-to-hidden weights with one scale per hidden unit, as shipped; the small layers stay float. */
function quantiseMlp(model: Mlp): QuantisedMlp {
	const H = model.hidden;
	const scales = new Float64Array(H);
	for (let i = 0; i < model.w1.length; i++) {
		const j = i % H;
		scales[j] = Math.max(scales[j] as number, Math.abs(model.w1[i] as number));
	}
	for (let j = 0; j < H; j++) scales[j] = (scales[j] as number) / 127 || 1;
	const bytes = new Int8Array(model.w1.length);
	for (let i = 0; i < bytes.length; i++)
		bytes[i] = Math.round((model.w1[i] as number) / (scales[i % H] as number));
	return { hidden: H, bytes, scales, b1: model.b1, w2: model.w2, b2: model.b2 };
}

function predictMlp(model: QuantisedMlp, x: SparseVector): number {
	const H = model.hidden;
	const acc = new Float64Array(H);
	for (let i = 0; i < x.slots.length; i++) {
		const row = (x.slots[i] as number) * H;
		const value = x.values[i] as number;
		for (let j = 0; j < H; j++) acc[j] = (acc[j] as number) + (model.bytes[row + j] as number) * value;
	}
	let z = model.b2;
	for (let j = 0; j < H; j++) {
		const aj = (acc[j] as number) * (model.scales[j] as number) + (model.b1[j] as number);
		const hj = MLP_ACTIVATION === "tanh" ? Math.tanh(aj) : Math.max(aj, 0);
		z += (model.w2[j] as number) * hj;
	}
	return 1 / (1 + Math.exp(-z));
}

/** Per text: the three heads' probabilities, and `mlp<H>` for each MLP tried. */
type Scores = Map<Example, Record<HeadName, number> & Record<string, number>>;

/** A head not trained (`ML_TRAIN_HEADS`): scores 0.5 everywhere. */
const untrained = () => ({ bias: 0, scale: 1, bytes: new Int8Array(DIMS) });

function trainHeads(examples: Example[]) {
	const heads = Object.fromEntries(
		HEADS.map((head) => [head, TRAIN_HEADS.includes(head) ? quantise(train(examples, head)) : untrained()]),
	) as Record<HeadName, ReturnType<typeof quantise>>;
	const mlps = MLP_HIDDEN.map((hidden) => quantiseMlp(trainMlp(examples, "high", hidden)));
	return { ...heads, mlps };
}

function scoreAll(models: ReturnType<typeof trainHeads>, examples: Example[], into: Scores): void {
	for (const example of examples) {
		into.set(example, {
			high: predict(models.high, example.x),
			risk: predict(models.risk, example.x),
			toxic: predict(models.toxic, example.x),
			...Object.fromEntries(models.mlps.map((mlp) => [`mlp${mlp.hidden}`, predictMlp(mlp, example.xm)])),
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
		const mean: Record<string, number> & Record<HeadName, number> = { high: 0, risk: 0, toxic: 0 };
		for (const run of runs) {
			const s = run.get(example);
			if (!s) continue;
			for (const [key, value] of Object.entries(s)) mean[key] = (mean[key] ?? 0) + value / runs.length;
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

/** The high head's verdict as the Worker reaches it (`learnedRisk`): p(high) at its threshold, p(risk) at the gate. */
const modelSaysHigh = (s: { high: number; risk: number }, t: number) =>
	s.high >= t && s.risk >= HIGH_NEEDS_RISK;

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
			const modelHigh = modelSaysHigh(s, t.high);
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
function chooseThresholds(examples: Example[], scores: Scores, minHigh: number): Thresholds {
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
	best = { ...best, high: Math.max(best.high, minHigh) };
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

/** How many check texts (none at risk) the combined decision calls high risk at p(high) ≥ t. */
function checkAlarms(checks: Example[], scores: Scores, t: number): number {
	let alarms = 0;
	for (const check of checks) {
		const s = scores.get(check);
		const modelHigh = check.reads && s !== undefined && modelSaysHigh(s, t);
		if (check.rules.risk === "high" || modelHigh) alarms++;
	}
	return alarms;
}

/** The high-risk threshold's floor: the lowest (0.01 steps, ≥ `HIGH_THRESHOLD_MIN`) within `CHECK_CAP` of the checks. */
function checkFloor(checks: Example[], scores: Scores): number {
	const limit = Math.floor(CHECK_CAP * checks.length);
	for (let i = 5; i <= 99; i++) {
		const t = i / 100;
		if (t >= HIGH_THRESHOLD_MIN && checkAlarms(checks, scores, t) <= limit) return t;
	}
	return 0.99;
}

/**
 * `ML_TRAIN_DUMP=file.jsonl`: leave-one-writer-out appends, per held-out writer, each held-out text's scores and
 * the out-of-fold scores of the rest (no text, only set, category, targets, rules and head probabilities), to
 * explore decision rules without retraining.
 */
const DUMP = process.env.ML_TRAIN_DUMP;
function dumpScores(writer: string, heldOut: Example[], scores: Scores, rest: Example[], cv: Scores) {
	const lines: string[] = [];
	for (const [role, examples, from] of [
		["held-out", heldOut, scores],
		["oof", rest, cv],
	] as const) {
		for (const example of examples) {
			const s = from.get(example);
			if (!s) continue;
			lines.push(
				JSON.stringify({
					writer,
					role,
					set: example.set,
					kind: example.kind,
					category: example.category,
					target: example.target,
					reads: example.reads,
					rules: example.rules,
					p: { high: s.high, risk: s.risk, toxic: s.toxic },
				}),
			);
		}
	}
	appendFileSync(DUMP as string, `${lines.join("\n")}\n`);
}

/** The ways of scoring high risk compared: the logistic head, and for each MLP tried, it alone and the mean of the two. */
const VARIANTS = ["logistic", ...MLP_HIDDEN.flatMap((hidden) => [`mlp${hidden}`, `ens${hidden}`])];

/** The scores with `high` replaced by the variant's probability. */
function variant(scores: Scores, name: string): Scores {
	if (name === "logistic") return scores;
	const key = `mlp${name.replace(/^\D+/, "")}`;
	const out: Scores = new Map();
	for (const [example, s] of scores) {
		const mlp = s[key] as number;
		out.set(example, { ...s, high: name.startsWith("ens") ? (s.high + mlp) / 2 : mlp });
	}
	return out;
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
			const saidHigh = example.rules.risk === "high" || modelSaysHigh(s, t.high);
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
const checks = loadChecks();
const count = (examples: Example[], kind: Example["kind"]) => examples.filter((e) => e.kind === kind).length;
const sets = [...new Set(all.map((example) => example.set))];
console.log(
	`${all.length} texts (self-harm ${count(all, "self-harm")}, moderation ${count(all, "moderation")}) in ${sets.length} sets: ${sets.join(", ")}`,
);
if (MLP_HIDDEN.length > 0)
	console.log(
		`MLP ${MLP_HIDDEN.join(",")} ${MLP_ACTIVATION}, ${MLP_EPOCHS} epochs, batch ${MLP_BATCH}, lr ${MLP_LR}, decay ${MLP_DECAY}, init ${MLP_INIT}, ${MLP_DIMS} slots; shipping ${SHIP}`,
	);
console.log(
	`L2 ${L2}, ${ITERATIONS} iterations, seed ${SEED}, ${REPEATS} × ${FOLDS}-fold, ${DIMS} slots, features ${JSON.stringify(FEATURES)}, high-risk precision floor ${HIGH_PRECISION_FLOOR} (threshold ≥ the check floor: at most ${CHECK_CAP} of the everyday check texts alarm; ≥ ${HIGH_THRESHOLD_MIN}; p(risk) ≥ ${HIGH_NEEDS_RISK}), set weights ${JSON.stringify(SET_WEIGHTS)}`,
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
// and score it. Pooled: the held-out decisions of every writer, concatenated.
if (!process.argv.includes("--no-lowo")) {
	const pooled = new Map<string, ReturnType<typeof figures>>();
	const byCategory = process.argv.includes("--by-category");
	const rows: string[] = [];
	// Floors of the high-risk threshold: the check floor (shipped since 1.8.0), 1.7.0's fixed 0.52, and none
	// (the precision constraint alone).
	const kinds = ["check", "fixed", "none"] as const;
	for (const writer of WRITERS) {
		const rest = all.filter((example) => example.set !== writer);
		const heldOut = all.filter((example) => example.set === writer);
		const cv = crossValidate(rest);
		const scores: Scores = new Map();
		const models = trainHeads(rest);
		scoreAll(models, heldOut, scores);
		scoreAll(models, checks, scores);
		if (DUMP) dumpScores(writer, heldOut, scores, rest, cv);
		for (const name of VARIANTS) {
			const floors = {
				check: checkFloor(checks, variant(scores, name)),
				fixed: FIXED_FLOOR_1_7,
				none: 0,
			};
			const cells: string[] = [];
			for (const kind of kinds) {
				const t = chooseThresholds(rest, variant(cv, name), floors[kind]);
				const f = figures(heldOut, variant(scores, name), t);
				const key = `${name}/${kind}`;
				if (!pooled.has(key)) pooled.set(key, figures([], new Map(), { high: 0.5, risk: 0.5, toxic: 0.5 }));
				pool(pooled.get(key) as ReturnType<typeof figures>, f);
				cells.push(
					`${f.combined.high.recall.toFixed(3)} @ ${f.combined.high.precision.toFixed(3)} (t ${t.high})`,
				);
				if (kind === "check") {
					console.log(
						`\nleave-one-writer-out ${writer} [${name}] (${heldOut.length} texts; thresholds ${JSON.stringify(t)}; check alarms ${checkAlarms(checks, variant(scores, name), t.high)} of ${checks.length}):` +
							`\n  combined high: ${f.combined.high}\n  combined toxic: ${f.combined.toxic}` +
							`\n  model high: ${f.model.high}\n  model toxic: ${f.model.toxic}`,
					);
					if (byCategory) reportByCategory(heldOut, variant(scores, name), t);
				}
			}
			rows.push(`| ${writer} | ${name} | ${cells.join(" | ")} |`);
			console.log(`  ${rows.at(-1)}`);
		}
	}
	const pooledRow = (name: string) =>
		kinds.map((kind) => {
			const f = pooled.get(`${name}/${kind}`) as ReturnType<typeof figures>;
			return `${f.combined.high.recall.toFixed(3)} @ ${f.combined.high.precision.toFixed(3)}`;
		});
	for (const name of VARIANTS) rows.push(`| pooled | ${name} | ${pooledRow(name).join(" | ")} |`);
	console.log(
		`\ncombined high R @ P (threshold) by floor\n| held out | variant | check floor (≤ ${CHECK_CAP}) | fixed ${FIXED_FLOOR_1_7} | no floor |\n|---|---|---|---|---|\n${rows.join("\n")}`,
	);
	for (const name of VARIANTS) {
		const f = pooled.get(`${name}/check`) as ReturnType<typeof figures>;
		report(`leave-one-writer-out [${name}], check floor, pooled (${WRITERS.join(", ")})`, f);
	}
	if (process.argv.includes("--lowo-only")) process.exit(0);
}

// Cross-validation of everything allowed: the thresholds the shipped heads carry.
if (!VARIANTS.includes(SHIP)) throw new Error(`ML_TRAIN_SHIP=${SHIP} is none of ${VARIANTS.join(", ")}`);
const oof = variant(crossValidate(all), SHIP);
// The shipped heads, trained on every set, score the check sets (never trained on) for the threshold's floor.
const shipped = trainHeads(all);
const checkScores: Scores = new Map();
scoreAll(shipped, checks, checkScores);
const thresholds = chooseThresholds(all, oof, checkFloor(checks, variant(checkScores, SHIP)));
console.log(
	`check texts alarmed at ${thresholds.high}: ${checkAlarms(checks, variant(checkScores, SHIP), thresholds.high)} of ${checks.length}`,
);
console.log(
	`\nthresholds for ${SHIP} (chosen on out-of-fold scores of every set): ${JSON.stringify(thresholds)}`,
);
report(
	`${REPEATS} × ${FOLDS}-fold stratified cross-validation [${SHIP}] (every set, out-of-fold, averaged over repeats)`,
	figures(all, oof, thresholds),
);

if (!process.argv.includes("--no-write")) {
	const net = shipped.mlps.find((mlp) => `${mlp.hidden}` === SHIP.replace(/^\D+/, ""));
	const round = (x: number) => Number(x.toPrecision(9));
	const mlpSource =
		SHIP === "logistic" || !net
			? ""
			: `\tmlp: {\n\t\tbits: ${MLP_BITS},\n\t\thidden: ${net.hidden},\n\t\tactivation: "${MLP_ACTIVATION}",\n\t\tmix: "${SHIP.startsWith("ens") ? "ensemble" : "mlp"}",\n\t\tscales: [${[...net.scales].map(round).join(", ")}],\n\t\tb1: [${[...net.b1].map(round).join(", ")}],\n\t\tw2: [${[...net.w2].map(round).join(", ")}],\n\t\tb2: ${round(net.b2)},\n\t\tweights:\n\t\t\t"${toBase64(net.bytes)}",\n\t},\n`;
	const mlpNote =
		mlpSource === ""
			? ""
			: `\n// High head: ${SHIP} (MLP ${net?.hidden} ${MLP_ACTIVATION}, ${MLP_EPOCHS} epochs, batch ${MLP_BATCH}, lr ${MLP_LR}, decay ${MLP_DECAY}, init ${MLP_INIT}, ${MLP_DIMS} slots).`;
	const head = (name: HeadName) =>
		`\t\t${name}: {\n\t\t\tbias: ${shipped[name].bias},\n\t\t\tscale: ${shipped[name].scale},\n\t\t\tweights:\n\t\t\t\t"${toBase64(shipped[name].bytes)}",\n\t\t},\n`;
	const weights =
		SET_WEIGHTS.length > 0
			? `, set weights ${SET_WEIGHTS.map(({ pattern, weight }) => `${pattern}=${weight}`).join(",")}`
			: "";
	writeFileSync(
		WEIGHTS_FILE,
		`// Generated by ml/train/train.ts (npm run ml:train): do not edit. Trained on ${all.length} texts (every\n// training set and blind set A; the sealed sets excluded); L2 ${L2}, ${ITERATIONS} iterations, seed ${SEED}${weights}.${mlpNote}\nimport type { LearnedModelData } from "./index";\n\nexport const LEARNED_MODEL: LearnedModelData = {\n\tdims: ${DIMS},\n\theads: {\n${HEADS.map(head).join("")}\t},\n${mlpSource}\tthresholds: { high: ${thresholds.high}, highNeedsRisk: ${HIGH_NEEDS_RISK}, risk: ${thresholds.risk}, toxic: ${thresholds.toxic} },\n};\n`,
	);
	console.log(`\nwrote ${WEIGHTS_FILE}`);
}
