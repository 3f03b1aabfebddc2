/**
 * @module db/tables/idempotency: stored responses of creating POSTs sent with an `Idempotency-Key`, so a
 * retry within 24 h gets the original response and nothing is created twice.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, id } from "../columns";
import { users } from "./users";

export const idempotencyKeys = sqliteTable(
	"idempotency_keys",
	{
		id: id(),
		/** Keys are scoped per user: two users may send the same key. */
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		key: text("key").notNull(),
		/** SHA-256 of method, path and body: the same key with a different request is a 422/409, not a replay. */
		requestHash: text("request_hash").notNull(),
		/** Null while the first request is still in flight (a concurrent retry gets 409). */
		statusCode: integer("status_code"),
		responseBody: text("response_body"),
		/** Headers worth replaying (e.g. Location, Content-Type), as a JSON object. */
		responseHeaders: text("response_headers", { mode: "json" })
			.$type<Record<string, string>>()
			.notNull()
			.default(sql`'{}'`),
		createdAt: createdAt(),
		/** After this instant the key is forgotten (a sweep deletes expired rows). */
		expiresAt: text("expires_at").notNull(),
	},
	(t) => [
		uniqueIndex("idempotency_keys_user_key_unique").on(t.userId, t.key),
		index("idempotency_keys_expires_idx").on(t.expiresAt),
		check("idempotency_keys_status_code_check", sql`${t.statusCode} BETWEEN 100 AND 599`),
	],
);

export type IdempotencyKeyRow = typeof idempotencyKeys.$inferSelect;
