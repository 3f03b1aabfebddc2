/**
 * @module db/tables/shared: what several features share beyond `columns.ts`: the moderation columns every
 * user-written content table carries, a date-text check, and the ML `content_embeddings` table.
 */
import { type SQL, sql } from "drizzle-orm";
import {
	check,
	customType,
	index,
	integer,
	real,
	type SQLiteColumn,
	sqliteTable,
	text,
	uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { enumCheck, id, timestamps } from "../columns";

/**
 * - `unchecked`: published, but the ML check has not run yet (or the ML service was down): a sweep retries.
 * - `clean`: checked, below the queue threshold (< 0.7).
 * - `flagged`: in the Guardian queue (0.7–0.9, or reported) but still visible.
 * - `hidden`: hidden pending review (toxicity ≥ 0.9, or open reports weighing ≥ 5).
 * - `removed`: a Guardian removed it; it stays stored for the queue snapshot and appeals.
 */
export const MODERATION_STATUSES = ["unchecked", "clean", "flagged", "hidden", "removed"] as const;
export type ModerationStatus = (typeof MODERATION_STATUSES)[number];

/** The moderation columns of a content table. */
export const moderation = () => ({
	moderationStatus: text("moderation_status", { enum: MODERATION_STATUSES }).notNull().default("unchecked"),
	/** The ML toxicity score in [0, 1]; null until checked. */
	toxicityScore: real("toxicity_score"),
});

/**
 * The constraints and the re-check index that go with `moderation()`. The partial index holds only the rows
 * still `unchecked`, so the "check later" sweep never scans a growing table.
 */
export function moderationExtras(
	table: string,
	t: { id: SQLiteColumn; moderationStatus: SQLiteColumn; toxicityScore: SQLiteColumn },
) {
	return [
		enumCheck(`${table}_moderation_status_check`, t.moderationStatus, MODERATION_STATUSES),
		check(`${table}_toxicity_score_check`, sql`${t.toxicityScore} BETWEEN 0 AND 1`),
		index(`${table}_unchecked_idx`).on(t.id).where(sql`moderation_status = 'unchecked'`),
	];
}

/** A CHECK that a text column (when not null) is a YYYY-MM-DD date. */
export function isoDateCheck(name: string, column: SQLiteColumn) {
	const pattern: SQL = sql.raw(`'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'`);
	return check(name, sql`${column} GLOB ${pattern}`);
}

/**
 * A float32 vector stored as a BLOB (4 bytes per dimension, a quarter of its JSON text). D1 hands blobs back
 * as an array of byte values (sometimes an ArrayBuffer / Uint8Array), so reading accepts all three.
 */
export const float32Vector = customType<{
	data: Float32Array;
	driverData: ArrayBuffer | Uint8Array | number[];
}>({
	dataType: () => "blob",
	toDriver: (value) =>
		value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) as ArrayBuffer,
	fromDriver: (value) => {
		if (Array.isArray(value)) return new Float32Array(Uint8Array.from(value).buffer);
		if (value instanceof Uint8Array) return new Float32Array(value.slice().buffer);
		return new Float32Array(value.slice(0));
	},
});

/** What can carry an embedding: content for "similar" and `for_you`, and the things recommendations rank. */
export const EMBEDDING_TARGET_TYPES = [
	"post",
	"sunlight_share",
	"fellowship_group",
	"project",
	"nourishment_item",
	"guide_profile",
	"user",
] as const;

export const contentEmbeddings = sqliteTable(
	"content_embeddings",
	{
		id: id(),
		/** Polymorphic (no foreign key): the owning feature deletes the embedding with its row. */
		targetType: text("target_type", { enum: EMBEDDING_TARGET_TYPES }).notNull(),
		targetId: text("target_id").notNull(),
		/** The embedding model's name: vectors of different models are never compared. */
		model: text("model").notNull(),
		dims: integer("dims").notNull(),
		vector: float32Vector("vector").notNull(),
		/** A hash of the embedded text, so an unchanged edit does not call the ML service again. */
		contentHash: text("content_hash").notNull(),
		...timestamps(),
	},
	(t) => [
		uniqueIndex("content_embeddings_target_unique").on(t.targetType, t.targetId),
		index("content_embeddings_model_idx").on(t.targetType, t.model),
		enumCheck("content_embeddings_target_type_check", t.targetType, EMBEDDING_TARGET_TYPES),
		check("content_embeddings_dims_check", sql`${t.dims} BETWEEN 1 AND 4096`),
		check("content_embeddings_vector_length_check", sql`length(${t.vector}) = ${t.dims} * 4`),
	],
);

export type ContentEmbeddingRow = typeof contentEmbeddings.$inferSelect;
