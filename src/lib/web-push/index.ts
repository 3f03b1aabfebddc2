/**
 * @module web-push: sending Web Push messages (RFC 8030, 8291, 8292) — the public face of this folder.
 *
 * `buildPushRequest` turns a subscription and a JSON payload into an encrypted, VAPID-signed request the
 * caller `fetch`es; `classifyPushAnswer` says what the answer means for the subscription;
 * `checkPushEndpoint` is the SSRF guard for endpoints (also when a subscription is saved);
 * `vapidPublicKey` is the key browsers subscribe with. Decisions: docs/decisions/push.md.
 */
export { classifyPushAnswer, type PushAnswer, parseRetryAfter } from "./answers";
export { fromBase64Url, toBase64Url } from "./base64url";
export {
	type AllowedOrigin,
	checkPushEndpoint,
	type EndpointCheck,
	type EndpointRefusal,
	isAllowedPushEndpoint,
	MAX_ENDPOINT_LENGTH,
	parseEndpointAllowlist,
} from "./endpoints";
export { WebPushError, type WebPushErrorCode } from "./errors";
export {
	buildPushRequest,
	checkSubscriptionKeys,
	encryptPushPayload,
	isPushTopic,
	MAX_PAYLOAD_BYTES,
	MAX_TTL_SECONDS,
	PUSH_URGENCIES,
	type PushMessage,
	type PushOptions,
	type PushRequest,
	type PushSubscriptionJson,
	type PushUrgency,
	pushTopic,
} from "./request";
export { isVapidSubject, VAPID_TOKEN_SECONDS, type VapidConfig, vapidPublicKey } from "./vapid";
