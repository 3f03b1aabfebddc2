/**
 * @module flourish-ml: the ML Worker, reached only through the API's `ML` service binding (Workers RPC).
 *
 * Offers moderation (toxicity, per-label scores, self-harm risk), text embeddings and cosine ranking — see
 * `contract.ts`. The embedded models (bundled, offline, deterministic) are the default; `ML_PROVIDER =
 * "workers-ai"` with an `AI` binding switches to Workers AI models (see `providers/workers-ai.ts`).
 *
 * Only the entrypoint class is exported here: workerd treats every export of the main module as an
 * entrypoint, so helpers live in their own modules.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import type {
	EmbeddingResult,
	MlService,
	ModerationResult,
	RankCandidate,
	RankedCandidate,
} from "./contract";
import { rankCandidates } from "./embedding";
import {
	MAX_EMBED_TEXTS,
	MAX_RANK_CANDIDATES,
	MAX_TEXT_CHARS,
	type MlEnv,
	moderateWith,
	selectModels,
} from "./providers/select";
import { MODEL_VERSION } from "./version";

function assertText(text: unknown, what: string): asserts text is string {
	if (typeof text !== "string") throw new TypeError(`${what} must be a string`);
	if (text.length > MAX_TEXT_CHARS)
		throw new RangeError(`${what} is longer than ${MAX_TEXT_CHARS} characters`);
}

function assertVector(vector: unknown, what: string): asserts vector is number[] {
	if (!Array.isArray(vector) || !vector.every((x) => typeof x === "number" && Number.isFinite(x))) {
		throw new TypeError(`${what} must be an array of finite numbers`);
	}
}

export default class FlourishMl extends WorkerEntrypoint<MlEnv> implements MlService {
	async moderate(text: string): Promise<ModerationResult> {
		assertText(text, "text");
		return moderateWith(selectModels(this.env), text);
	}

	async embed(texts: string[]): Promise<EmbeddingResult> {
		if (!Array.isArray(texts)) throw new TypeError("texts must be an array of strings");
		if (texts.length > MAX_EMBED_TEXTS) throw new RangeError(`at most ${MAX_EMBED_TEXTS} texts per call`);
		for (const [i, text] of texts.entries()) assertText(text, `texts[${i}]`);
		return selectModels(this.env).embed(texts);
	}

	async rank(query: number[], candidates: RankCandidate[]): Promise<RankedCandidate[]> {
		assertVector(query, "query");
		if (!Array.isArray(candidates)) throw new TypeError("candidates must be an array");
		if (candidates.length > MAX_RANK_CANDIDATES) {
			throw new RangeError(`at most ${MAX_RANK_CANDIDATES} candidates per call`);
		}
		candidates.forEach((candidate, i) => {
			if (typeof candidate?.id !== "string") throw new TypeError(`candidates[${i}].id must be a string`);
			assertVector(candidate.vector, `candidates[${i}].vector`);
		});
		return rankCandidates(query, candidates);
	}

	override async fetch(request: Request): Promise<Response> {
		const url = new URL(request.url);
		if (request.method === "GET" && url.pathname === "/health") {
			return Response.json({
				status: "ok",
				service: "flourish-ml",
				version: MODEL_VERSION,
				provider: selectModels(this.env).name,
			});
		}
		return Response.json(
			{ title: "Not Found", status: 404 },
			{ status: 404, headers: { "content-type": "application/problem+json" } },
		);
	}
}
