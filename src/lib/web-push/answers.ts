/**
 * @module answers: what a push service's answer means for the subscription (RFC 8030 §5, §6.2, §8).
 *
 * - 2xx (RFC 8030 says 201; some services say 202 or 200): accepted, `delivered`.
 * - 404, 410: the subscription has expired or was withdrawn, `gone`: delete it, never retry.
 * - 429 and 5xx: `retry`, after `Retry-After` when the service sends one.
 * - anything else (400 malformed, 401/403 VAPID refused, 413 too large, a redirect…): `failed`, not retried;
 *   the request itself is wrong and would be refused again.
 */

export type PushAnswer =
	| { outcome: "delivered"; status: number }
	| { outcome: "gone"; status: number }
	| {
			outcome: "retry";
			status: number /** whole seconds to wait, when the service said */;
			retryAfter?: number;
	  }
	| { outcome: "failed"; status: number };

/**
 * `Retry-After` (RFC 9110 §10.2.3) as whole seconds from `nowMs`: delay-seconds or an HTTP date; a date in
 * the past is 0. `undefined` when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
	const text = value?.trim();
	if (!text) return undefined;
	if (/^\d+$/.test(text)) return Number.parseInt(text, 10);
	// An HTTP date begins with the day's name (all three of RFC 9110's formats); Date.parse alone takes "1.5".
	if (!/^[A-Za-z]{3}/.test(text)) return undefined;
	const at = Date.parse(text);
	if (Number.isNaN(at)) return undefined;
	return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/**
 * Classifies a push service's answer. Pure: give it the `Response` (or its status and headers).
 *
 * @example
 * const answer = classifyPushAnswer(await fetch(request.url, request));
 * if (answer.outcome === "gone") await deleteSubscription(id);
 */
export function classifyPushAnswer(
	response: { status: number; headers: Headers },
	nowMs: number = Date.now(),
): PushAnswer {
	const { status } = response;
	if (status >= 200 && status < 300) return { outcome: "delivered", status };
	if (status === 404 || status === 410) return { outcome: "gone", status };
	if (status === 429 || (status >= 500 && status < 600)) {
		const retryAfter = parseRetryAfter(response.headers.get("retry-after"), nowMs);
		return retryAfter === undefined ? { outcome: "retry", status } : { outcome: "retry", status, retryAfter };
	}
	return { outcome: "failed", status };
}
