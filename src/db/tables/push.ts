/**
 * @module db/tables/push: Web Push — the browsers' subscriptions each person registered, the claims that make
 * every push go out at most once per subscription, and each person's quiet hours.
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt, id } from "../columns";
import { users } from "./users";

/**
 * A browser's push subscription (W3C Push API), owned by the person who registered it last: an endpoint is
 * one browser profile, so when someone else signs in there and registers it, it moves to them.
 */
export const pushSubscriptions = sqliteTable(
	"push_subscriptions",
	{
		id: id(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		/** The push service's URL for this browser (checked against the allowlist when saved and when sent). */
		endpoint: text("endpoint").notNull().unique(),
		/** The browser's P-256 public key (uncompressed point) and 16-byte auth secret, base64url. */
		p256dh: text("p256dh").notNull(),
		auth: text("auth").notNull(),
		/** `PushSubscription.expirationTime` (ms since the epoch), when the browser gave one. */
		expirationTime: integer("expiration_time"),
		createdAt: createdAt(),
	},
	(t) => [index("push_subscriptions_user_created_idx").on(t.userId, t.createdAt, t.id)],
);

/**
 * One row per push sent (or being sent) to one subscription: `key` names what was pushed (a notification at
 * one version, a direct message, a test). Claimed before the request, so a redelivered queue message or two
 * overlapping consumers never push the same thing twice; released when the push service asks for a retry.
 */
export const pushDeliveries = sqliteTable(
	"push_deliveries",
	{
		subscriptionId: text("subscription_id")
			.notNull()
			.references(() => pushSubscriptions.id, { onDelete: "cascade" }),
		key: text("key").notNull(),
		claimedAt: text("claimed_at").notNull(),
	},
	(t) => [
		primaryKey({ columns: [t.subscriptionId, t.key] }),
		/** The cron forgets claims older than a queue message can live. */
		index("push_deliveries_claimed_idx").on(t.claimedAt),
	],
);

/** A person's quiet hours (`HH:MM` wall times in their time zone; `end` before `start` crosses midnight). */
export const pushQuietHours = sqliteTable("push_quiet_hours", {
	userId: text("user_id")
		.primaryKey()
		.references(() => users.id, { onDelete: "cascade" }),
	start: text("start").notNull(),
	end: text("end").notNull(),
	updatedAt: text("updated_at").notNull(),
});

export type PushSubscriptionRow = typeof pushSubscriptions.$inferSelect;
