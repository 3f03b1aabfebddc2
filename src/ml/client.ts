/**
 * @module ml/client: the typed client over the `ML` service binding (Workers RPC) — the only way the API
 * reaches the flourish-ml Worker. Every call is bounded by a timeout and its answer is validated, so a
 * slow, failing or confused ML Worker degrades to `null` and never fails a user's write.
 */
import { z } from "zod";
import {
	type EmbeddingResult,
	MODERATION_LABELS,
	type ModerationResult,
	type RankCandidate,
	type RankedCandidate,
} from "../../ml/src/contract";
import type { PlatformBindings } from "../lib/bindings";
import { logEvent } from "../lib/log";

export type { EmbeddingResult, ModerationResult, RankCandidate, RankedCandidate };
export type MlBinding = PlatformBindings["ML"];

export const ML_TIMEOUT_MS = 1500;
/** Texts longer than this are cut before scoring (the start of a text carries its tone). */
export const ML_MAX_TEXT_CHARS = 8000;

const Score = z.number().min(0).max(1);
const ModerationAnswer = z.object({
	toxicity: Score,
	labels: z.object(
		Object.fromEntries(MODERATION_LABELS.map((label) => [label, Score])) as Record<
			(typeof MODERATION_LABELS)[number],
			typeof Score
		>,
	),
	selfHarmRisk: z.enum(["none", "low", "high"]),
	model: z.string().min(1),
});
const EmbeddingAnswer = z
	.object({
		model: z.string().min(1),
		dims: z.number().int().min(1).max(4096),
		vectors: z.array(z.array(z.number())),
	})
	.refine(
		(answer) => answer.vectors.every((vector) => vector.length === answer.dims),
		"vector length != dims",
	);
const RankAnswer = z.array(z.object({ id: z.string(), score: z.number() }));

async function bounded<T>(
	operation: string,
	call: () => Promise<unknown>,
	schema: z.ZodType<T>,
): Promise<T | null> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	try {
		const timeout = new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error(`timed out after ${ML_TIMEOUT_MS} ms`)), ML_TIMEOUT_MS);
		});
		const answer = schema.safeParse(await Promise.race([call(), timeout]));
		if (answer.success) return answer.data;
		logEvent("warn", "ml_bad_answer", { operation });
		return null;
	} catch (error) {
		logEvent("warn", "ml_unavailable", {
			operation,
			error: error instanceof Error ? error.message : "unknown",
		});
		return null;
	} finally {
		if (timer !== undefined) clearTimeout(timer);
	}
}

/** Scores a text; null when the ML Worker is down, slow or answers nonsense. */
export function moderate(ml: MlBinding, text: string): Promise<ModerationResult | null> {
	return bounded("moderate", () => ml.moderate(text.slice(0, ML_MAX_TEXT_CHARS)), ModerationAnswer);
}

/** Embeds texts (one vector each, L2-normalised); null on any failure, including a wrong number of vectors. */
export async function embed(ml: MlBinding, texts: string[]): Promise<EmbeddingResult | null> {
	if (texts.length === 0) return { model: "none", dims: 1, vectors: [] };
	const answer = await bounded(
		"embed",
		() => ml.embed(texts.map((text) => text.slice(0, ML_MAX_TEXT_CHARS))),
		EmbeddingAnswer,
	);
	if (answer && answer.vectors.length !== texts.length) {
		logEvent("warn", "ml_bad_answer", { operation: "embed" });
		return null;
	}
	return answer;
}

/** Ranks candidates by cosine similarity to `query`, best first; null on any failure. */
export function rank(
	ml: MlBinding,
	query: number[],
	candidates: RankCandidate[],
): Promise<RankedCandidate[] | null> {
	return bounded("rank", () => ml.rank(query, candidates), RankAnswer);
}

/** Reports whether the ML Worker answers its health probe in time. */
export async function probeMl(ml: MlBinding): Promise<"ok" | "unavailable"> {
	try {
		const response = await ml.fetch("https://flourish-ml.internal/health", {
			signal: AbortSignal.timeout(ML_TIMEOUT_MS),
		});
		return response.ok ? "ok" : "unavailable";
	} catch {
		return "unavailable";
	}
}
