/** @module errors: why a push request could not be built. */

export type WebPushErrorCode =
	/** The payload is over `MAX_PAYLOAD_BYTES`, or is not JSON. */
	| "bad-payload"
	/** The subscription's keys are not a P-256 point and a 16-byte secret. */
	| "bad-subscription"
	/** The endpoint fails the SSRF guard (`checkPushEndpoint`). */
	| "endpoint-refused"
	/** TTL, urgency or topic out of range. */
	| "bad-options"
	/** `VAPID_PRIVATE_KEY` or `VAPID_SUBJECT` is missing or malformed: a configuration error. */
	| "bad-vapid";

/**
 * Thrown by `buildPushRequest` and `vapidPublicKey`. `bad-subscription` and `endpoint-refused` mean the stored
 * subscription can never be delivered to (delete it); `bad-vapid` is the deployment's configuration.
 */
export class WebPushError extends Error {
	override readonly name = "WebPushError";
	constructor(
		readonly code: WebPushErrorCode,
		message: string,
	) {
		super(message);
	}
}
