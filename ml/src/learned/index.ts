/**
 * @module learned: the learned heads of the embedded moderation model — logistic regressions over the hashed
 * features of `features.ts`, trained by `ml/train/train.ts` (`npm run ml:train`) on the labelled sets written
 * for this project, and bundled as int8-quantised weights (`weights.ts`, generated). No network, no download.
 *
 * Heads: `high` (self-harm high risk vs not), `risk` (any self-harm risk, low or high, vs none) and `toxic`.
 * Thresholds were chosen by cross-validation in the training script and travel with the weights.
 */
import { featurise, LEARNED_DIMS, LEARNED_FEATURES, type SparseVector } from "./features";
import { LEARNED_MODEL } from "./weights";

export type HeadName = "high" | "risk" | "toxic";

export interface HeadData {
	bias: number;
	/** Weight of slot i = int8 value × scale. */
	scale: number;
	/** Base64 of LEARNED_DIMS signed bytes. */
	weights: string;
}

/**
 * A two-layer MLP for p(high): the same hashed features (in `2^bits` slots) × an int8 input-to-hidden matrix
 * (only the text's active rows are read), one hidden layer, a sigmoid output.
 */
export interface MlpData {
	/** log2 of the number of input slots (the features are the heads', hashed into this many slots). */
	bits: number;
	hidden: number;
	activation: "relu" | "tanh";
	/** Base64 of 2^bits × hidden signed bytes, row-major by slot: weight(slot, j) = byte × scales[j]. */
	weights: string;
	/** One scale per hidden unit. */
	scales: number[];
	b1: number[];
	w2: number[];
	b2: number;
	/** p(high) is the MLP's alone, or the mean of the MLP's and the logistic head's. */
	mix: "mlp" | "ensemble";
}

export interface LearnedModelData {
	dims: number;
	heads: Record<HeadName, HeadData>;
	/** When present, p(high) comes from (or is averaged with) this MLP. */
	mlp?: MlpData;
	thresholds: {
		/** p(high) at or above which the model says high risk… */
		high: number;
		/** …when p(risk) is at least this too (absent: no such gate; model 1.8.0 on: 0.5). */
		highNeedsRisk?: number;
		/** p(risk) at or above which the model says at least low risk. */
		risk: number;
		/** p(toxic) mapped to the API's review threshold (toxicity 0.7). */
		toxic: number;
	};
}

export interface LearnedScores {
	high: number;
	risk: number;
	toxic: number;
}

interface Head {
	bias: number;
	weights: Float32Array;
}

function decodeHead(data: HeadData, dims: number): Head {
	const binary = atob(data.weights);
	if (binary.length !== dims) throw new Error(`learned head has ${binary.length} weights, expected ${dims}`);
	const weights = new Float32Array(dims);
	for (let i = 0; i < dims; i++) {
		const byte = binary.charCodeAt(i);
		weights[i] = (byte > 127 ? byte - 256 : byte) * data.scale;
	}
	return { bias: data.bias, weights };
}

interface Mlp extends Omit<MlpData, "weights"> {
	bytes: Int8Array;
}

function decodeMlp(data: MlpData): Mlp {
	const binary = atob(data.weights);
	const expected = (1 << data.bits) * data.hidden;
	if (binary.length !== expected)
		throw new Error(`learned MLP has ${binary.length} weights, expected ${expected}`);
	const bytes = new Int8Array(expected);
	for (let i = 0; i < expected; i++) bytes[i] = binary.charCodeAt(i);
	const { weights: _, ...rest } = data;
	return { ...rest, bytes };
}

/** The MLP's probability for a featurised text: only the active slots' rows of the matrix are read. */
function mlpProbability(mlp: Mlp, x: SparseVector): number {
	const H = mlp.hidden;
	const acc = new Float64Array(H);
	for (let i = 0; i < x.slots.length; i++) {
		const row = (x.slots[i] as number) * H;
		const value = x.values[i] as number;
		for (let j = 0; j < H; j++) acc[j] = (acc[j] as number) + (mlp.bytes[row + j] as number) * value;
	}
	let z = mlp.b2;
	for (let j = 0; j < H; j++) {
		const a = (acc[j] as number) * (mlp.scales[j] as number) + (mlp.b1[j] as number);
		const h = mlp.activation === "tanh" ? Math.tanh(a) : Math.max(a, 0);
		z += (mlp.w2[j] as number) * h;
	}
	return sigmoid(z);
}

let mlp: Mlp | null | undefined;
function loadMlp(data: LearnedModelData = LEARNED_MODEL): Mlp | null {
	mlp ??= data.mlp ? decodeMlp(data.mlp) : null;
	return mlp;
}

let heads: Record<HeadName, Head> | undefined;
/** Decoded once per isolate, on first use. */
function loadHeads(data: LearnedModelData = LEARNED_MODEL): Record<HeadName, Head> {
	if (data.dims !== LEARNED_DIMS)
		throw new Error(`learned model has ${data.dims} dims, features ${LEARNED_DIMS}`);
	heads ??= {
		high: decodeHead(data.heads.high, data.dims),
		risk: decodeHead(data.heads.risk, data.dims),
		toxic: decodeHead(data.heads.toxic, data.dims),
	};
	return heads;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The three heads' probabilities for a text (normalised at the entry of moderation). */
export function learnedScores(text: string): LearnedScores {
	const model = loadHeads();
	const x = featurise(text);
	const { slots, values } = x;
	const z = { high: model.high.bias, risk: model.risk.bias, toxic: model.toxic.bias };
	for (let i = 0; i < slots.length; i++) {
		const slot = slots[i] as number;
		const value = values[i] as number;
		z.high += (model.high.weights[slot] ?? 0) * value;
		z.risk += (model.risk.weights[slot] ?? 0) * value;
		z.toxic += (model.toxic.weights[slot] ?? 0) * value;
	}
	let high = sigmoid(z.high);
	const net = loadMlp();
	if (net) {
		const input =
			net.bits === LEARNED_FEATURES.bits ? x : featurise(text, { ...LEARNED_FEATURES, bits: net.bits });
		const p = mlpProbability(net, input);
		high = net.mix === "ensemble" ? (high + p) / 2 : p;
	}
	return { high, risk: sigmoid(z.risk), toxic: sigmoid(z.toxic) };
}

export const LEARNED_THRESHOLDS = LEARNED_MODEL.thresholds;

/** The API queues content for review from this toxicity (src/moderation/screen.ts QUEUE_AT). */
export const REVIEW_TOXICITY = 0.7;

/** The API hides content from this toxicity (src/core/moderation/screen.ts HIDE_AT). */
export const HIDE_TOXICITY = 0.9;
/** The most toxicity the toxic head gives on its own: enough for review, never enough to hide a post. */
export const LEARNED_MAX_TOXICITY = 0.89;

/**
 * The toxic head's probability on the toxicity scale. Below its threshold it adds nothing (0: the rules'
 * toxicity stands); from the threshold it maps linearly onto [0.7, 0.89], so "the model says toxic" and
 * "toxicity >= 0.7" agree, and the model alone sends a post to review but never hides it.
 */
export function toxicityFromProbability(p: number, threshold: number = LEARNED_THRESHOLDS.toxic): number {
	if (p < threshold) return 0;
	return (
		REVIEW_TOXICITY + ((LEARNED_MAX_TOXICITY - REVIEW_TOXICITY) * (p - threshold)) / (1 - threshold || 1)
	);
}

/**
 * The heads read English: a text with fewer than this many Latin-letter words (Russian or Greek prose, an
 * emoji, a number) is left to the rules, which is where the heads have no evidence either way.
 */
export const LEARNED_MIN_WORDS = 2;
const LATIN_WORD = /\b[a-z][a-z']*\b/gi;

/** Whether the heads read this text at all (see `LEARNED_MIN_WORDS`). */
export function learnedReads(text: string): boolean {
	return (text.slice(0, 2_000).match(LATIN_WORD)?.length ?? 0) >= LEARNED_MIN_WORDS;
}
