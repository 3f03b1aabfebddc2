/**
 * @module embedding: the embedded text embedding — hashed features, L2-normalised, fixed dimension.
 *
 * Features per text: Porter-stemmed content words, pairs of neighbouring words, character 3- and 4-grams
 * of each word (so spelling variants and word families still overlap), and topic features from a curated
 * lexicon. Each feature's weight is TF-IDF-style: sublinear term frequency (1 + ln tf) times a static
 * prior for how informative the word is (see `vocabulary.ts`). Features are hashed into `EMBEDDING_DIMS`
 * slots with a second hash choosing the sign, which keeps collisions from adding up.
 *
 * Deterministic and offline; the vector of a text never depends on the other texts in the batch, so a
 * stored vector stays valid for as long as the model id is unchanged.
 */
import { stemmer } from "stemmer";
import type { RankCandidate, RankedCandidate } from "../contract";
import { wordTokens } from "../text";
import { EMBEDDING_VERSION } from "../version";
import { DAMPED, STOPWORDS, TOPICS } from "./vocabulary";

export const EMBEDDING_DIMS = 512;
export const EMBEDDED_EMBEDDING_MODEL = `flourish-hashed-ngrams-${EMBEDDING_DIMS}@${EMBEDDING_VERSION}`;
/** Texts are embedded on their first this-many characters. */
export const EMBEDDING_MAX_CHARS = 8_000;

const WORD_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.5;
/** Total weight of a word's character n-grams relative to the word itself (in L2 terms). */
const CHAR_NGRAM_SHARE = 0.5;
const TOPIC_WEIGHT = 1.3;

const TOPICS_BY_STEM = new Map<string, string[]>();
for (const [topic, words] of Object.entries(TOPICS)) {
	for (const word of words.split(/\s+/).filter(Boolean)) {
		for (const key of new Set([word, stemmer(word)])) {
			const topics = TOPICS_BY_STEM.get(key) ?? [];
			if (!topics.includes(topic)) topics.push(topic);
			TOPICS_BY_STEM.set(key, topics);
		}
	}
}

function fnv1a(text: string, seed: number): number {
	let hash = seed >>> 0;
	for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
	return hash >>> 0;
}

const SLOT_SEED = 2166136261;
const SIGN_SEED = 0x9747b28c;

class FeatureBag {
	private readonly features = new Map<string, { weight: number; count: number }>();

	add(key: string, weight: number): void {
		const feature = this.features.get(key);
		if (feature) {
			feature.count += 1;
			feature.weight = Math.max(feature.weight, weight);
		} else {
			this.features.set(key, { weight, count: 1 });
		}
	}

	/** Hashes the bag into a vector, with sublinear term frequency, and L2-normalises it. */
	toVector(): number[] {
		const vector = new Float64Array(EMBEDDING_DIMS);
		for (const [key, { weight, count }] of this.features) {
			const value = weight * (1 + Math.log(count));
			const slot = fnv1a(key, SLOT_SEED) % EMBEDDING_DIMS;
			vector[slot] = (vector[slot] ?? 0) + ((fnv1a(key, SIGN_SEED) & 1) === 1 ? value : -value);
		}
		let norm = 0;
		for (const value of vector) norm += value * value;
		norm = Math.sqrt(norm);
		// A text with no features (empty, only stopwords or symbols) stays the zero vector: similar to nothing.
		return Array.from(vector, (value) => (norm > 0 ? value / norm : 0));
	}
}

function charNgrams(word: string): string[] {
	const padded = `<${word}>`;
	const grams: string[] = [];
	for (const n of [3, 4]) {
		for (let i = 0; i + n <= padded.length; i++) grams.push(padded.slice(i, i + n));
	}
	return grams;
}

/** Embeds one text. */
export function embedText(text: string): number[] {
	const bag = new FeatureBag();
	const words = wordTokens(text.slice(0, EMBEDDING_MAX_CHARS)).filter(
		(word) => !STOPWORDS.has(word) && (word.length > 1 || /\d/.test(word)),
	);
	let previous: { stem: string; weight: number } | undefined;
	for (const word of words) {
		const stem = stemmer(word);
		const prior = DAMPED[word] ?? DAMPED[stem] ?? 1;
		const weight = WORD_WEIGHT * prior;
		bag.add(`w:${stem}`, weight);
		const grams = charNgrams(word);
		const gramWeight = (CHAR_NGRAM_SHARE * weight) / Math.sqrt(grams.length);
		for (const gram of grams) bag.add(`c:${gram}`, gramWeight);
		for (const topic of TOPICS_BY_STEM.get(stem) ?? TOPICS_BY_STEM.get(word) ?? []) {
			bag.add(`t:${topic}`, TOPIC_WEIGHT);
		}
		if (previous) bag.add(`b:${previous.stem}_${stem}`, BIGRAM_WEIGHT * Math.min(previous.weight, weight));
		previous = { stem, weight };
	}
	return bag.toVector();
}

/** Embeds texts, one vector each, in order. */
export function embedTexts(texts: string[]): number[][] {
	return texts.map(embedText);
}

/** Cosine similarity; vectors of unequal length compare as unrelated (0). */
export function cosine(a: number[], b: number[]): number {
	if (a.length !== b.length) return 0;
	let dot = 0;
	let normA = 0;
	let normB = 0;
	for (let i = 0; i < a.length; i++) {
		const x = a[i] ?? 0;
		const y = b[i] ?? 0;
		dot += x * y;
		normA += x * x;
		normB += y * y;
	}
	return normA > 0 && normB > 0 ? dot / Math.sqrt(normA * normB) : 0;
}

/** Candidates by cosine similarity to the query, best first (ties by id, so the order is stable). */
export function rankCandidates(query: number[], candidates: RankCandidate[]): RankedCandidate[] {
	return candidates
		.map((candidate) => ({ id: candidate.id, score: cosine(query, candidate.vector) }))
		.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
