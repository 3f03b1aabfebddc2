/**
 * @module learned/features: the hashed features the learned heads read. The text (already normalised at
 * the entry of moderation) is read as the rules read it — folded, de-obfuscated, contractions and chat
 * spellings expanded (`canonicalTokens`) — and cut into word unigrams, Porter stems, neighbouring word
 * pairs and triples, and character 3/4-grams of each word. Each distinct feature counts once; features are
 * hashed into `LEARNED_DIMS` slots with a second hash choosing the sign, and the vector is L2-normalised.
 * Shared by the Worker and the training script (`ml/train/train.ts`), so both read text the same way.
 */
import { stemmer } from "stemmer";
import { canonicalTokens, isKnownWord } from "../text";

export const LEARNED_BITS = 14;
export const LEARNED_DIMS = 1 << LEARNED_BITS;
/** Texts are read on their first this-many characters (a crisis or an attack is rarely only at the end of a long text). */
export const LEARNED_MAX_CHARS = 4_000;

/** FNV-1a over `prefix` then `text[start, end)`, finished with murmur3's avalanche so every bit mixes. */
function hashKey(prefix: string, text: string, start = 0, end = text.length): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < prefix.length; i++) hash = Math.imul(hash ^ prefix.charCodeAt(i), 16777619);
	for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
	hash ^= hash >>> 16;
	hash = Math.imul(hash, 0x85ebca6b);
	hash ^= hash >>> 13;
	hash = Math.imul(hash, 0xc2b2ae35);
	hash ^= hash >>> 16;
	return hash >>> 0;
}

/** A sparse vector: parallel arrays of slots and values. */
export interface SparseVector {
	slots: Int32Array;
	values: Float32Array;
}

function tokensOf(text: string): string[] {
	return canonicalTokens(text.slice(0, LEARNED_MAX_CHARS), isKnownWord).filter((token) =>
		/[\p{L}\p{N}]/u.test(token),
	);
}

/** Optional feature families (the training script tries them; the Worker reads `LEARNED_FEATURES`). */
export interface FeatureOptions {
	/** log2 of the number of hashed slots. */
	bits: number;
	/** "k:" skip-bigrams: a word and the word after next. */
	skipBigrams: boolean;
	/** "x:" character 5-grams across a word boundary of the text's words joined by spaces. */
	crossWordChars: boolean;
}

/** Model 1.5.0 reads skip-bigrams and cross-word character 5-grams (chosen by leave-one-writer-out). */
export const LEARNED_FEATURES: FeatureOptions = {
	bits: LEARNED_BITS,
	skipBigrams: true,
	crossWordChars: true,
};

/**
 * Visits each feature of a text as (prefix, text, start, end): "w:" word, "s:" stem (when it differs), "b:"
 * word pair, "t:" word triple, "c:" character 3/4-gram of a word padded with < and > (words of 3+ letters),
 * and the optional families of `FeatureOptions`.
 */
function visitFeatures(
	text: string,
	visit: (prefix: string, key: string, start?: number, end?: number) => void,
	options: FeatureOptions = LEARNED_FEATURES,
): void {
	const tokens = tokensOf(text);
	if (options.crossWordChars && tokens.length > 1) {
		const joined = ` ${tokens.join(" ")} `;
		for (let j = 0; j + 5 <= joined.length; j++) {
			const space = joined.indexOf(" ", j + 1);
			if (space > j && space < j + 4) visit("x:", joined, j, j + 5);
		}
	}
	visit("", "<bias-text>");
	for (let i = 0; i < tokens.length; i++) {
		const token = tokens[i] as string;
		visit("w:", token);
		const stem = stemmer(token);
		if (stem !== token) visit("s:", stem);
		const next = tokens[i + 1];
		if (next !== undefined) {
			visit("b:", `${token}_${next}`);
			const third = tokens[i + 2];
			if (third !== undefined) {
				visit("t:", `${token}_${next}_${third}`);
				if (options.skipBigrams) visit("k:", `${token}_${third}`);
			}
		}
		if (token.length > 2) {
			const padded = `<${token}>`;
			for (let j = 0; j + 3 <= padded.length; j++) visit("c:", padded, j, j + 3);
			for (let j = 0; j + 4 <= padded.length; j++) visit("c:", padded, j, j + 4);
		}
	}
}

/** The feature strings of a text (for tests and for inspecting a model). */
export function featureKeys(text: string, options: FeatureOptions = LEARNED_FEATURES): Set<string> {
	const keys = new Set<string>();
	visitFeatures(
		text,
		(prefix, key, start = 0, end = key.length) => keys.add(prefix + key.slice(start, end)),
		options,
	);
	return keys;
}

/**
 * The hashed, signed, L2-normalised feature vector of a text: each distinct feature (by its 32-bit hash)
 * counts once; the hash's low bits choose the slot and its top bit the sign.
 */
export function featurise(text: string, options: FeatureOptions = LEARNED_FEATURES): SparseVector {
	const dims = 1 << options.bits;
	const seen = new Set<number>();
	const bySlot = new Map<number, number>();
	visitFeatures(
		text,
		(prefix, key, start, end) => {
			const hash = hashKey(prefix, key, start, end);
			if (seen.has(hash)) return;
			seen.add(hash);
			const slot = hash & (dims - 1);
			bySlot.set(slot, (bySlot.get(slot) ?? 0) + (hash >>> 31 === 1 ? 1 : -1));
		},
		options,
	);
	let norm = 0;
	for (const value of bySlot.values()) norm += value * value;
	norm = Math.sqrt(norm) || 1;
	const slots = new Int32Array(bySlot.size);
	const values = new Float32Array(bySlot.size);
	let i = 0;
	for (const [slot, value] of bySlot) {
		slots[i] = slot;
		values[i] = value / norm;
		i++;
	}
	return { slots, values };
}
