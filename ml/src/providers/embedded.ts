/** @module providers/embedded: the default models, bundled into the Worker — no network, no download. */
import type { EmbeddingResult, ModerationResult } from "../contract";
import { EMBEDDED_EMBEDDING_MODEL, EMBEDDING_DIMS, embedTexts } from "../embedding";
import { moderateText } from "../moderation";
import type { Models } from "./models";

/** The embedded moderation result without its debugging detail (what crosses the RPC boundary). */
export function moderateEmbedded(text: string): ModerationResult {
	const { signals: _signals, learned: _learned, ...result } = moderateText(text);
	return result;
}

export function embedEmbedded(texts: string[]): EmbeddingResult {
	return { model: EMBEDDED_EMBEDDING_MODEL, dims: EMBEDDING_DIMS, vectors: embedTexts(texts) };
}

export const embeddedModels: Models = {
	name: "embedded",
	moderate: async (text) => moderateEmbedded(text),
	embed: async (texts) => embedEmbedded(texts),
};
