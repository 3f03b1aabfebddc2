/** @module providers/models: what a model provider offers (ranking is plain cosine, the same for all). */
import type { EmbeddingResult, ModerationResult } from "../contract";

export interface Models {
	/** "embedded" or "workers-ai", reported by the health probe. */
	name: string;
	/** Scores a text already normalised for scoring: call it through `moderateWith`, never directly. */
	moderate(normalisedText: string): Promise<ModerationResult>;
	embed(texts: string[]): Promise<EmbeddingResult>;
}
