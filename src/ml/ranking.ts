/**
 * @module ml/ranking: "how relevant is each candidate to this text" — for `sort=for_you`, similar posts,
 * `sort=recommended` and `/recommendations`. Callers pass only candidates the viewer may see (visibility
 * is the caller's rule); this module only orders them.
 *
 * Returns null when the ML Worker is unavailable, so the caller can fall back to its own order.
 */
import type { EMBEDDING_TARGET_TYPES } from "../db/shared-tables";
import type { Bindings } from "../env";
import { embed } from "./client";

export type EmbeddingTargetType = (typeof EMBEDDING_TARGET_TYPES)[number];

export interface RankItem {
	targetType: EmbeddingTargetType;
	id: string;
	text: string;
}

export interface RankedItem {
	id: string;
	score: number;
}

const dot = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0);

/** Candidates ordered by cosine similarity of their text to `query`, best first; null if ML is down. */
export async function rankByRelevance(
	env: Pick<Bindings, "ML" | "DB">,
	query: string,
	items: RankItem[],
): Promise<RankedItem[] | null> {
	if (items.length === 0) return [];
	const embedded = await embed(env.ML, [query, ...items.map((item) => item.text)]);
	if (!embedded) return null;
	const [queryVector, ...vectors] = embedded.vectors;
	if (!queryVector) return null;
	return items
		.map((item, i) => ({ id: item.id, score: dot(queryVector, vectors[i] ?? []) }))
		.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}
