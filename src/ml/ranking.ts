/**
 * @module ml/ranking: "how relevant is each candidate to this text" — for `sort=for_you`, similar posts,
 * `sort=recommended` and `/recommendations`. Callers pass only candidates the viewer may see (visibility
 * is the caller's rule); this module only orders them.
 *
 * Candidate vectors are kept in `content_embeddings`, keyed by (target type, id) with a hash of the
 * embedded text and the model's id: a read embeds only what is new, edited, or embedded by another model,
 * all in one ML call together with the query. A query with a stable identity (a user's interest profile)
 * may be stored too (`options.queryKey`), so a repeated read with nothing new needs no ML call at all.
 * Vectors read or written are also remembered in the isolate (the same key and text hash as in D1): a warm
 * isolate ranks the same candidates again without reading D1.
 *
 * Returns null when the ML Worker is unavailable, so the caller can fall back to its own order.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import { createDb, type Db } from "../db/client";
import { contentEmbeddings, type EMBEDDING_TARGET_TYPES } from "../db/tables/shared";
import type { PlatformBindings } from "../lib/bindings";
import { BoundedMap } from "../lib/bounded-map";
import { logEvent } from "../lib/log";
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

export interface RankOptions {
	/** Store (and reuse) the query's vector under this key, e.g. `{ targetType: "user", id }`. */
	queryKey?: { targetType: EmbeddingTargetType; id: string };
}

/** Texts per ML `embed` call (the ML Worker accepts up to 256). */
const EMBED_CHUNK = 128;
/** Candidates considered per call: callers bound their pools; this is a backstop. */
export const MAX_RANK_ITEMS = 500;

interface Stored {
	model: string;
	dims: number;
	vector: Float32Array | number[];
	contentHash: string;
}

interface Keyed {
	targetType: EmbeddingTargetType;
	id: string;
	text: string;
	hash: string;
}

const keyOf = (targetType: string, id: string) => `${targetType}\u0000${id}`;

/** Recently hashed texts (a pure function, memoised: a feed ranks the same 200 posts request after request). */
const HASHES_KEPT = 5_000;
const recentHashes = new BoundedMap<string, string>(HASHES_KEPT);

/** A short, stable fingerprint of an embedded text (SHA-256, hex, 128 bits). */
export async function contentHash(text: string): Promise<string> {
	const known = recentHashes.get(text);
	if (known !== undefined) return known;
	const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
	const hash = Array.from(digest.subarray(0, 16), (byte) => byte.toString(16).padStart(2, "0")).join("");
	recentHashes.set(text, hash);
	return hash;
}

/**
 * Rows of `content_embeddings` this isolate has read or written, by the same key. An entry is used only
 * while its text hash matches the candidate's text (a text's vector under one model never changes), and
 * stays in line with D1 because every vector this module writes is remembered too.
 * Bounded: 2,000 vectors of 512 float32 are 4 MB; the oldest entry goes first.
 */
const VECTORS_KEPT = 2_000;
const rememberedVectors = new BoundedMap<string, Stored>(VECTORS_KEPT);

/** Forgets every remembered vector, as a fresh isolate would start (for tests of the stored path). */
export function forgetRememberedVectors(): void {
	rememberedVectors.clear();
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
	if (a.length !== b.length) return 0;
	let dot = 0;
	let normA = 0;
	let normB = 0;
	for (let i = 0; i < a.length; i++) {
		const x = a[i] ?? 0;
		const y = b[i] ?? 0;
		dot += x * y;
		normA += x * x;
		normB += y * y;
	}
	return normA > 0 && normB > 0 ? dot / Math.sqrt(normA * normB) : 0;
}

/** Hex digit → value, for decoding `hex(vector)` without a call per byte. */
const HEX_VALUES = (() => {
	const table = new Uint8Array(128);
	for (let digit = 0; digit < 16; digit++) {
		table["0123456789ABCDEF".charCodeAt(digit)] = digit;
		table["0123456789abcdef".charCodeAt(digit)] = digit;
	}
	return table;
})();

/** `Uint8Array.fromHex` (ES2026) where the runtime has it: native decoding. */
const nativeFromHex = (Uint8Array as unknown as { fromHex?: (hex: string) => Uint8Array }).fromHex;

/** The float32 vector whose little-endian bytes SQLite's `hex()` spelled out (as the BLOB column stores them). */
function vectorFromHex(hex: string): Float32Array {
	if (nativeFromHex) return new Float32Array(nativeFromHex(hex).buffer);
	const bytes = new Uint8Array(hex.length >> 1);
	for (let i = 0, j = 0; i < bytes.length; i++, j += 2) {
		bytes[i] = ((HEX_VALUES[hex.charCodeAt(j)] ?? 0) << 4) | (HEX_VALUES[hex.charCodeAt(j + 1)] ?? 0);
	}
	return new Float32Array(bytes.buffer);
}

/**
 * The stored vectors of `keys`: one query per target type (ids bound as one JSON parameter), all in one
 * batch. Vectors are read as `hex(vector)`: D1 hands a BLOB back as an array of byte values, which cost far
 * more to encode and decode than the same bytes as one hex string (200 candidates are 400 KB of vectors).
 */
async function loadStored(db: Db, keys: Array<{ targetType: EmbeddingTargetType; id: string }>) {
	const stored = new Map<string, Stored>();
	const byType = new Map<EmbeddingTargetType, string[]>();
	for (const { targetType, id } of keys) byType.set(targetType, [...(byType.get(targetType) ?? []), id]);
	const queries = [...byType].map(([targetType, ids]) =>
		db
			.select({
				targetType: contentEmbeddings.targetType,
				targetId: contentEmbeddings.targetId,
				model: contentEmbeddings.model,
				dims: contentEmbeddings.dims,
				vectorHex: sql<string>`hex(${contentEmbeddings.vector})`,
				contentHash: contentEmbeddings.contentHash,
			})
			.from(contentEmbeddings)
			.where(
				and(
					eq(contentEmbeddings.targetType, targetType),
					inArray(contentEmbeddings.targetId, sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`),
				),
			),
	);
	const [first, ...rest] = queries;
	if (!first) return stored;
	for (const rows of await db.batch([first, ...rest])) {
		for (const { vectorHex, ...row } of rows) {
			stored.set(keyOf(row.targetType, row.targetId), { ...row, vector: vectorFromHex(vectorHex) });
		}
	}
	return stored;
}

/** Embeds texts in chunks; null if any chunk fails or the chunks disagree on the model. */
async function embedAll(ml: PlatformBindings["ML"], texts: string[]) {
	let model: string | undefined;
	let dims = 0;
	const vectors: number[][] = [];
	for (let start = 0; start < texts.length; start += EMBED_CHUNK) {
		const chunk = texts.slice(start, start + EMBED_CHUNK);
		const result = await embed(ml, chunk);
		if (!result || result.vectors.length !== chunk.length) return null;
		if (model !== undefined && (result.model !== model || result.dims !== dims)) return null;
		model = result.model;
		dims = result.dims;
		vectors.push(...result.vectors);
	}
	return model === undefined ? null : { model, dims, vectors };
}

/** Writes new or changed vectors; a failure only costs a recompute next time. */
async function store(db: Db, rows: Array<Keyed & { model: string; dims: number; vector: number[] }>) {
	if (rows.length === 0) return;
	const now = new Date().toISOString();
	const statements = rows.map((row) =>
		db
			.insert(contentEmbeddings)
			.values({
				targetType: row.targetType,
				targetId: row.id,
				model: row.model,
				dims: row.dims,
				vector: Float32Array.from(row.vector),
				contentHash: row.hash,
			})
			.onConflictDoUpdate({
				target: [contentEmbeddings.targetType, contentEmbeddings.targetId],
				set: {
					model: row.model,
					dims: row.dims,
					vector: Float32Array.from(row.vector),
					contentHash: row.hash,
					updatedAt: now,
				},
			}),
	);
	try {
		const [first, ...rest] = statements;
		if (first) await db.batch([first, ...rest]);
	} catch (error) {
		logEvent("warn", "embeddings_store_failed", {
			rows: rows.length,
			error: error instanceof Error ? error.message : "unknown",
		});
	}
}

/**
 * Candidates ordered by cosine similarity of their text to `query`, best first (ties by id); null if ML is
 * down. Each id appears once (the first item with it wins).
 *
 * @example
 * const ranked = await rankByRelevance(c.env, "meditation and sleep", groups.map((g) => ({
 *   targetType: "fellowship_group", id: g.id, text: `${g.name}\n${g.description}`,
 * })));
 */
export async function rankByRelevance(
	env: Pick<PlatformBindings, "ML" | "DB">,
	query: string,
	items: RankItem[],
	options: RankOptions = {},
): Promise<RankedItem[] | null> {
	const seen = new Set<string>();
	const unique = items.filter((item) => {
		const key = keyOf(item.targetType, item.id);
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
	if (unique.length === 0) return [];
	const candidates: Keyed[] = await Promise.all(
		unique.slice(0, MAX_RANK_ITEMS).map(async (item) => ({ ...item, hash: await contentHash(item.text) })),
	);
	const db = createDb(env.DB);
	const queryItem: Keyed | undefined = options.queryKey
		? { ...options.queryKey, text: query, hash: await contentHash(query) }
		: undefined;
	const all = queryItem ? [queryItem, ...candidates] : candidates;

	// Remembered vectors first; only the rest are read from D1.
	const stored = new Map<string, Stored>();
	const unremembered: Keyed[] = [];
	for (const item of all) {
		const key = keyOf(item.targetType, item.id);
		const remembered = rememberedVectors.get(key);
		if (remembered?.contentHash === item.hash) stored.set(key, remembered);
		else unremembered.push(item);
	}
	if (unremembered.length > 0) {
		try {
			for (const [key, row] of await loadStored(db, unremembered)) {
				stored.set(key, row);
				rememberedVectors.set(key, row);
			}
		} catch (error) {
			logEvent("warn", "embeddings_load_failed", {
				error: error instanceof Error ? error.message : "unknown",
			});
		}
	}
	const fresh = (item: Keyed, model?: string) => {
		const row = stored.get(keyOf(item.targetType, item.id));
		return row !== undefined && row.contentHash === item.hash && (model === undefined || row.model === model);
	};

	// Everything stored and made by one model: no ML call.
	const vectors = new Map<string, { model: string; vector: ArrayLike<number> }>();
	for (const item of all) {
		const row = stored.get(keyOf(item.targetType, item.id));
		if (row && fresh(item))
			vectors.set(keyOf(item.targetType, item.id), { model: row.model, vector: row.vector });
	}
	const models = new Set([...vectors.values()].map((entry) => entry.model));
	let queryVector: ArrayLike<number> | undefined = queryItem
		? vectors.get(keyOf(queryItem.targetType, queryItem.id))?.vector
		: undefined;
	const complete = queryVector !== undefined && vectors.size === all.length && models.size === 1;

	if (!complete) {
		// One ML call: the query (unless stored) plus every candidate that is missing or stale.
		const needQuery = queryVector === undefined;
		const missing = candidates.filter((item) => !fresh(item));
		const first = await embedAll(env.ML, [
			...(needQuery ? [query] : []),
			...missing.map((item) => item.text),
		]);
		if (!first) return null;
		const { model, dims } = first;
		const embedded = [...first.vectors];
		if (needQuery) queryVector = embedded.shift();
		const toStore: Array<Keyed & { model: string; dims: number; vector: number[] }> = [];
		missing.forEach((item, i) => {
			const vector = embedded[i];
			if (vector) toStore.push({ ...item, model, dims, vector });
		});
		// Stored vectors (query included) from another model cannot be compared with this one: re-embed them.
		const stale = [...(needQuery || !queryItem ? [] : [queryItem]), ...candidates].filter(
			(item) => fresh(item) && !fresh(item, model),
		);
		if (stale.length > 0) {
			const second = await embedAll(
				env.ML,
				stale.map((item) => item.text),
			);
			if (!second || second.model !== model) return null;
			stale.forEach((item, i) => {
				const vector = second.vectors[i];
				if (!vector) return;
				toStore.push({ ...item, model, dims, vector });
				if (item === queryItem) queryVector = vector;
			});
		}
		if (needQuery && queryItem && queryVector) {
			toStore.push({ ...queryItem, model, dims, vector: Array.from(queryVector) });
		}
		// Scores use float32 vectors throughout, exactly as stored, so a later read ranks identically.
		if (queryVector) queryVector = Float32Array.from(queryVector);
		for (const row of toStore) {
			const vector = Float32Array.from(row.vector);
			vectors.set(keyOf(row.targetType, row.id), { model, vector });
			rememberedVectors.set(keyOf(row.targetType, row.id), { model, dims, vector, contentHash: row.hash });
		}
		for (const item of candidates) {
			const entry = vectors.get(keyOf(item.targetType, item.id));
			if (entry && entry.model !== model) vectors.delete(keyOf(item.targetType, item.id));
		}
		await store(db, toStore);
	}
	if (!queryVector) return null;

	const target = queryVector;
	return candidates
		.map((item) => ({
			id: item.id,
			score: cosine(target, vectors.get(keyOf(item.targetType, item.id))?.vector ?? []),
		}))
		.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
