/**
 * @module flourish-ml: the ML Worker, reached only through the API's `ML` service binding (Workers RPC).
 *
 * Skeleton models for now: moderation scores nothing, embeddings are hashed bags of words. The real
 * embedded models come with the ML issue; the RPC contract (`contract.ts`) stays.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import {
	type EmbeddingResult,
	type MlService,
	MODERATION_LABELS,
	type ModerationResult,
	type RankCandidate,
	type RankedCandidate,
} from "./contract";

const VERSION = "0.1.0-skeleton";
const DIMS = 256;

function hashedBagOfWords(text: string): number[] {
	const vector = new Array<number>(DIMS).fill(0);
	for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
		let hash = 2166136261;
		for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 16777619);
		const slot = (hash >>> 0) % DIMS;
		vector[slot] = (vector[slot] ?? 0) + 1;
	}
	const norm = Math.hypot(...vector) || 1;
	return vector.map((value) => value / norm);
}

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0);

export default class FlourishMl extends WorkerEntrypoint implements MlService {
	async moderate(_text: string): Promise<ModerationResult> {
		const labels = Object.fromEntries(
			MODERATION_LABELS.map((label) => [label, 0]),
		) as ModerationResult["labels"];
		return { toxicity: 0, labels, selfHarmRisk: "none", model: `skeleton-null@${VERSION}` };
	}

	async embed(texts: string[]): Promise<EmbeddingResult> {
		return {
			model: `skeleton-hashed-bow-${DIMS}@${VERSION}`,
			dims: DIMS,
			vectors: texts.map(hashedBagOfWords),
		};
	}

	async rank(query: number[], candidates: RankCandidate[]): Promise<RankedCandidate[]> {
		return candidates
			.map((candidate) => ({ id: candidate.id, score: cosine(query, candidate.vector) }))
			.sort((a, b) => b.score - a.score);
	}

	override async fetch(request: Request): Promise<Response> {
		const url = new URL(request.url);
		if (request.method === "GET" && url.pathname === "/health") {
			return Response.json({ status: "ok", service: "flourish-ml", version: VERSION });
		}
		return Response.json(
			{ title: "Not Found", status: 404 },
			{ status: 404, headers: { "content-type": "application/problem+json" } },
		);
	}
}
