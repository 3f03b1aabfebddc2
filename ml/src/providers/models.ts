/** @module providers/models: what a model provider offers (ranking is plain cosine, the same for all). */
import type { EmbeddingResult, ModerationResult } from "../contract";

export interface Models {
	/** "embedded" or "workers-ai", reported by the health probe. */
	name: string;
	moderate(text: string): Promise<ModerationResult>;
	embed(texts: string[]): Promise<EmbeddingResult>;
}
