/**
 * @module providers/workers-ai: optional production models on Workers AI (the `AI` binding), selected with
 * `ML_PROVIDER = "workers-ai"`.
 *
 * - Embeddings: `@cf/baai/bge-small-en-v1.5` (384 dimensions, CLS pooling), re-normalised here.
 * - Moderation: `@cf/meta/llama-guard-3-8b` for the severe hazard categories, merged with the embedded
 *   model, which still supplies what Llama Guard does not judge (profanity, insults) and the first-person
 *   self-harm reading. Both read the same normalised text (`moderateWith`). If Workers AI fails,
 *   moderation falls back to the embedded result alone; embedding fails (the API then falls back to its own
 *   order), because mixing two models' vectors would be wrong.
 */
import type { EmbeddingResult, ModerationLabel, ModerationResult, SelfHarmRisk } from "../contract";
import { toxicityOf } from "../moderation";
import { moderateEmbedded } from "./embedded";
import type { Models } from "./models";

/** The part of the `Ai` binding this provider uses; tests pass a stand-in object with the same shape. */
export interface AiRunner {
	run(model: string, input: Record<string, unknown>): Promise<unknown>;
}

export const AI_EMBEDDING_MODEL = "@cf/baai/bge-small-en-v1.5";
export const AI_MODERATION_MODEL = "@cf/meta/llama-guard-3-8b";
/** Texts per embedding request. */
const AI_EMBED_BATCH = 100;

export interface GuardVerdict {
	safe: boolean;
	/** Hazard codes such as "S10". */
	categories: string[];
}

/**
 * Llama Guard 3 hazard categories mapped onto our labels (S1 violent crimes, S3 sex-related crimes, S4 child
 * sexual exploitation, S5 defamation, S9 indiscriminate weapons, S10 hate, S11 suicide and self-harm, S12
 * sexual content). Categories with no counterpart (S2, S6–S8, S13, S14) do not change the scores.
 */
const GUARD_LABELS: Record<string, Partial<Record<ModerationLabel, number>>> = {
	S1: { threat: 0.9 },
	S3: { sexual: 0.92 },
	S4: { sexual: 1 },
	S5: { insult: 0.6 },
	S9: { threat: 0.9 },
	S10: { identity_attack: 0.92 },
	S11: { self_harm: 0.9 },
	S12: { sexual: 0.85 },
};

/** Reads Llama Guard's answer: `{ response: { safe, categories } }` or the raw text "unsafe\nS1,S10". */
export function parseGuardResponse(output: unknown): GuardVerdict | null {
	if (typeof output !== "object" || output === null || !("response" in output)) return null;
	const { response } = output as { response: unknown };
	if (typeof response === "string") {
		const [verdict = "", codes = ""] = response.trim().split(/\s*\n\s*/);
		if (verdict.toLowerCase() === "safe") return { safe: true, categories: [] };
		if (verdict.toLowerCase() !== "unsafe") return null;
		return { safe: false, categories: codes.match(/S\d{1,2}/g) ?? [] };
	}
	if (typeof response === "object" && response !== null && "safe" in response) {
		const { safe, categories } = response as { safe: unknown; categories?: unknown };
		if (typeof safe !== "boolean") return null;
		const codes = Array.isArray(categories)
			? categories.flatMap((code) => (typeof code === "string" ? (code.match(/S\d{1,2}/g) ?? []) : []))
			: [];
		return { safe, categories: safe ? [] : codes };
	}
	return null;
}

const RISK_ORDER: SelfHarmRisk[] = ["none", "low", "high"];

/**
 * Merges a Llama Guard verdict into the embedded result: each label keeps the higher score; S11 raises the
 * self-harm risk one step (it also fires on content that encourages self-harm in others, which is the
 * embedded model's `threat`, not the author's own risk).
 */
export function mergeGuardVerdict(base: ModerationResult, verdict: GuardVerdict): ModerationResult {
	if (verdict.safe) return { ...base, model: `${AI_MODERATION_MODEL}+${base.model}` };
	const labels = { ...base.labels };
	for (const code of verdict.categories) {
		for (const [label, score] of Object.entries(GUARD_LABELS[code] ?? {}) as [ModerationLabel, number][]) {
			labels[label] = Math.max(labels[label], score);
		}
	}
	let selfHarmRisk = base.selfHarmRisk;
	if (verdict.categories.includes("S11")) {
		selfHarmRisk = RISK_ORDER[Math.min(2, RISK_ORDER.indexOf(base.selfHarmRisk) + 1)] ?? "high";
	}
	return {
		toxicity: toxicityOf(labels),
		labels,
		selfHarmRisk,
		model: `${AI_MODERATION_MODEL}+${base.model}`,
	};
}

/** Reads a bge embedding answer `{ shape: [n, d], data: number[][] }` into L2-normalised vectors. */
export function embeddingsFromResponse(output: unknown, expected: number): EmbeddingResult {
	const data = (output as { data?: unknown } | null)?.data;
	if (!Array.isArray(data) || data.length !== expected) {
		throw new Error(
			`Workers AI answered ${Array.isArray(data) ? data.length : "no"} vectors for ${expected} texts`,
		);
	}
	const vectors = data.map((vector) => {
		if (
			!Array.isArray(vector) ||
			vector.length === 0 ||
			!vector.every((x) => typeof x === "number" && Number.isFinite(x))
		) {
			throw new Error("Workers AI answered a malformed vector");
		}
		const norm = Math.sqrt(vector.reduce((sum: number, x: number) => sum + x * x, 0));
		return vector.map((x: number) => (norm > 0 ? x / norm : 0));
	});
	const dims = vectors[0]?.length ?? 384;
	if (vectors.some((vector) => vector.length !== dims))
		throw new Error("Workers AI vectors differ in length");
	return { model: `${AI_EMBEDDING_MODEL}:cls`, dims, vectors };
}

export function workersAiModels(ai: AiRunner): Models {
	return {
		name: "workers-ai",
		async moderate(text) {
			const base = moderateEmbedded(text);
			try {
				const output = await ai.run(AI_MODERATION_MODEL, {
					messages: [{ role: "user", content: text }],
					temperature: 0,
				});
				const verdict = parseGuardResponse(output);
				if (verdict) return mergeGuardVerdict(base, verdict);
				console.warn(JSON.stringify({ level: "warn", event: "ml_guard_unreadable" }));
			} catch (error) {
				console.warn(
					JSON.stringify({
						level: "warn",
						event: "ml_guard_failed",
						error: error instanceof Error ? error.message : "unknown",
					}),
				);
			}
			return base;
		},
		async embed(texts) {
			if (texts.length === 0) return { model: `${AI_EMBEDDING_MODEL}:cls`, dims: 384, vectors: [] };
			const parts: EmbeddingResult[] = [];
			for (let start = 0; start < texts.length; start += AI_EMBED_BATCH) {
				const batch = texts.slice(start, start + AI_EMBED_BATCH);
				parts.push(
					embeddingsFromResponse(
						await ai.run(AI_EMBEDDING_MODEL, { text: batch, pooling: "cls" }),
						batch.length,
					),
				);
			}
			const [first] = parts;
			return {
				model: first?.model ?? AI_EMBEDDING_MODEL,
				dims: first?.dims ?? 384,
				vectors: parts.flatMap((part) => part.vectors),
			};
		},
	};
}
