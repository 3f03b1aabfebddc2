/** @module push/schemas: Web Push subscriptions and the test push on the wire. */
import { z } from "@hono/zod-openapi";
import { IsoTimestamp, Uuid } from "../../lib/schemas";
import { MAX_ENDPOINT_LENGTH } from "../../lib/web-push";

export const PushPublicKey = z
	.object({
		public_key: z.string().openapi({
			description:
				"The VAPID application server key: an uncompressed P-256 point, base64url. Pass it as `applicationServerKey` to `pushManager.subscribe`.",
		}),
	})
	.openapi("PushPublicKey");

const Base64Url = z.string().regex(/^[A-Za-z0-9_-]+={0,2}$/, { message: "must be base64url" });

/** `PushSubscription.toJSON()` as browsers serialise it; nothing else (strict, as every request body). */
export const NewPushSubscription = z
	.strictObject({
		endpoint: z.string().min(1).max(MAX_ENDPOINT_LENGTH).openapi({
			description:
				"The push service URL: `https` on a browser push service (FCM, Mozilla, Apple, Windows), or an origin of `PUSH_ENDPOINT_ALLOWLIST`.",
		}),
		expirationTime: z.number().int().nonnegative().nullable().optional().openapi({
			description: "Milliseconds since the epoch when the browser will end the subscription, or null.",
		}),
		keys: z.strictObject({
			p256dh: Base64Url.max(200).openapi({ description: "The browser's P-256 public key (65 bytes)." }),
			auth: Base64Url.max(50).openapi({ description: "The 16-byte authentication secret." }),
		}),
	})
	.openapi("NewPushSubscription");

export const PushSubscriptionView = z
	.object({
		id: Uuid,
		endpoint: z.string(),
		created_at: IsoTimestamp,
	})
	.openapi("PushSubscription");

export const PushSubscriptionListItem = PushSubscriptionView.extend({
	expiration_time: z.number().int().nullable(),
}).openapi("PushSubscriptionListItem");

export const PushSubscriptionList = z
	.object({ data: z.array(PushSubscriptionListItem) })
	.openapi("PushSubscriptionList");

export const PushTestResult = z
	.object({
		subscriptions: z.number().int().openapi({ description: "How many subscriptions were tried." }),
		accepted: z.number().int().openapi({ description: "How many the push services accepted (2xx)." }),
		removed: z.number().int().openapi({
			description:
				"Subscriptions deleted because the push service said they are gone (404/410) or they expired.",
		}),
	})
	.openapi("PushTestResult");
