/**
 * @module contract: what the flourish-ml Worker offers over Workers RPC. The API imports these types
 * (and only these) through `src/ml/client.ts`.
 */
export const MODERATION_LABELS = [
	"insult",
	"threat",
	"profanity",
	"identity_attack",
	"sexual",
	"self_harm",
] as const;
export type ModerationLabel = (typeof MODERATION_LABELS)[number];
export type SelfHarmRisk = "none" | "low" | "high";

export interface ModerationResult {
	/** Overall toxicity in [0, 1]. */
	toxicity: number;
	labels: Record<ModerationLabel, number>;
	selfHarmRisk: SelfHarmRisk;
	model: string;
}

export interface EmbeddingResult {
	model: string;
	dims: number;
	/** L2-normalised, one per input text, in order. */
	vectors: number[][];
}

export interface RankCandidate {
	id: string;
	vector: number[];
}

export interface RankedCandidate {
	id: string;
	/** Cosine similarity in [-1, 1]. */
	score: number;
}

export interface MlService {
	moderate(text: string): Promise<ModerationResult>;
	embed(texts: string[]): Promise<EmbeddingResult>;
	rank(query: number[], candidates: RankCandidate[]): Promise<RankedCandidate[]>;
}
