/** classifyPushAnswer and Retry-After, as a table: what each answer of a push service means for a subscription. */
import { describe, expect, it } from "vitest";
import { classifyPushAnswer, parseRetryAfter } from "../../src/lib/web-push";

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const answer = (status: number, retryAfter?: string) => ({
	status,
	headers: new Headers(retryAfter === undefined ? {} : { "retry-after": retryAfter }),
});

describe("classifyPushAnswer", () => {
	it.each([200, 201, 202, 204])("%i is delivered", (status) => {
		expect(classifyPushAnswer(answer(status), NOW)).toEqual({ outcome: "delivered", status });
	});

	it.each([404, 410])("%i is gone: delete the subscription, never retry", (status) => {
		expect(classifyPushAnswer(answer(status, "60"), NOW)).toEqual({ outcome: "gone", status });
	});

	it.each([429, 500, 502, 503, 504])("%i is retried, after Retry-After when given", (status) => {
		expect(classifyPushAnswer(answer(status), NOW)).toEqual({ outcome: "retry", status });
		expect(classifyPushAnswer(answer(status, "90"), NOW)).toEqual({
			outcome: "retry",
			status,
			retryAfter: 90,
		});
	});

	it.each([301, 302, 400, 401, 403, 405, 413, 418])(
		"%i failed: not retried (it would be refused again)",
		(status) => {
			expect(classifyPushAnswer(answer(status, "60"), NOW)).toEqual({ outcome: "failed", status });
		},
	);
});

describe("parseRetryAfter", () => {
	it.each([
		["120", 120],
		[" 0 ", 0],
		[new Date(NOW + 90_500).toUTCString(), 90],
		[new Date(NOW - 60_000).toUTCString(), 0],
		["soon", undefined],
		["-5", undefined],
		["1.5", undefined],
		["", undefined],
		[null, undefined],
	])("%j is %s seconds", (value, seconds) => {
		expect(parseRetryAfter(value, NOW)).toBe(seconds);
	});
});
