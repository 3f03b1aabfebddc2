/** @module providers/select: which models the Worker uses, the entry of moderation, and the limits of one call. */
import type { ModerationResult } from "../contract";
import { normaliseForScoring } from "../text";
import { embeddedModels } from "./embedded";
import type { Models } from "./models";
import { type AiRunner, workersAiModels } from "./workers-ai";

export interface MlEnv {
	/** "embedded" (default) or "workers-ai". */
	ML_PROVIDER?: string;
	/** Workers AI, used only when `ML_PROVIDER` is "workers-ai". */
	AI?: Ai;
}

/** Most texts one `embed` call accepts, and most candidates one `rank` call accepts. */
export const MAX_EMBED_TEXTS = 256;
export const MAX_RANK_CANDIDATES = 2_000;
/** Longest text accepted (the API cuts texts to 8,000 characters before sending). */
export const MAX_TEXT_CHARS = 100_000;

/** The configured models; anything but a complete Workers AI setup means the embedded models. */
export function selectModels(env: MlEnv): Models {
	if (env.ML_PROVIDER === "workers-ai" && env.AI) return workersAiModels(env.AI as unknown as AiRunner);
	return embeddedModels;
}

/**
 * The entry of moderation, the same for every provider: the text is normalised once (invisible characters,
 * NFKC, look-alike letters, separators between single letters: `normaliseForScoring`), and every model —
 * the embedded rules, Llama Guard — scores that copy. The caller's text is never changed.
 */
export function moderateWith(models: Models, text: string): Promise<ModerationResult> {
	return models.moderate(normaliseForScoring(text));
}
