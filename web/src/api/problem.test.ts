import { describe, expect, it } from "vitest";
import { ApiError, errorSentence, OfflineError, ok } from "./client";
import { asProblem, fieldLabel, OFFLINE_SENTENCE, problemSentence } from "./problem";

describe("problemSentence", () => {
	it("uses the API's detail, as a sentence", () => {
		expect(problemSentence({ status: 409, detail: "A garden holds at most 100 active habits" })).toBe(
			"A garden holds at most 100 active habits.",
		);
		expect(problemSentence({ status: 404, detail: "no such habit." })).toBe("No such habit.");
	});
	it("asks to sign in again on 401, whatever the detail", () => {
		expect(problemSentence({ status: 401, detail: "token expired (exp)" })).toBe(
			"Your session has ended. Please sign in again.",
		);
	});
	it("names the fields of a validation error in words", () => {
		expect(
			problemSentence({
				status: 422,
				detail: "The request is not valid.",
				errors: [
					{ field: "body/name", message: "Too small: expected string to have >=1 characters" },
					{ field: "body/target_count", message: "Too big." },
				],
			}),
		).toBe("Please check the name: Too small: expected string to have >=1 characters; the times: Too big.");
		expect(fieldLabel("query/reminder_time")).toBe("reminder time");
		expect(fieldLabel("body/some_new_field")).toBe("some new field");
	});
	it("says when to retry after a burst limit, in its own words", () => {
		const burst = {
			status: 429,
			type: "urn:flourish:problem:rate-limited",
			detail: "Too many requests: at most 60 per 60 seconds (user-writes). Retry after 30 seconds.",
		};
		expect(problemSentence(burst, 30)).toBe("That was a lot at once. You can try again in about 30 seconds.");
		expect(problemSentence(burst, 7200)).toBe(
			"That was a lot at once. You can try again in about 120 minutes.",
		);
		expect(problemSentence({ status: 429 })).toBe("That was a lot at once. You can try again in a moment.");
	});
	it("keeps a daily limit's own explanation", () => {
		expect(
			problemSentence({
				status: 429,
				type: "urn:flourish:problem:daily-limit",
				detail: "Daily limit reached: 5 posts per day",
			}),
		).toBe("Daily limit reached: 5 posts per day.");
	});
	it("blames no one for a server error, and gives the reference", () => {
		expect(problemSentence({ status: 500, request_id: "req-1" })).toBe(
			"Something went wrong on our side. Nothing you did caused it. (Reference: req-1)",
		);
		expect(
			problemSentence({
				status: 503,
				detail: "The database is unavailable right now; nothing was saved. Please retry.",
			}),
		).toBe("The database is unavailable right now; nothing was saved. Please retry.");
	});
	it("never shows a bare status", () => {
		for (const status of [400, 403, 404, 409, 413, 418]) {
			const text = problemSentence({ status });
			expect(text).not.toMatch(/\d{3}/);
			expect(text).toMatch(/^[A-Z].*[.]$/);
		}
	});
});

describe("asProblem", () => {
	it("keeps only the fields it knows, with the status of the answer when the body has none", () => {
		expect(asProblem("<html>Bad gateway</html>", 502)).toEqual({ status: 502 });
		expect(
			asProblem(
				{ title: "Conflict", detail: "  ", errors: [{ field: "x" }, { field: "a", message: "b" }] },
				409,
			),
		).toEqual({
			title: "Conflict",
			status: 409,
			errors: [{ field: "a", message: "b" }],
		});
	});
});

describe("ok()", () => {
	const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
		response: new Response(null, { status, headers }),
		...(status < 400 ? { data: body } : { error: body }),
	});
	it("returns the data of a success", async () => {
		await expect(ok(Promise.resolve(answer(200, { id: "1" })))).resolves.toEqual({ id: "1" });
	});
	it("throws an ApiError whose message is the sentence, with Retry-After read", async () => {
		const error = await ok(Promise.resolve(answer(429, { status: 429 }, { "Retry-After": "5" }))).then(
			() => expect.unreachable("ok() resolved"),
			(e: unknown) => e,
		);
		if (!(error instanceof ApiError)) throw new Error("not an ApiError");
		expect(error.status).toBe(429);
		expect(error.message).toBe("That was a lot at once. You can try again in about 5 seconds.");
	});
	it("turns anything thrown into a sentence", () => {
		expect(errorSentence(new OfflineError())).toBe(OFFLINE_SENTENCE);
		expect(errorSentence(new TypeError("Failed to fetch"))).toBe(OFFLINE_SENTENCE);
		expect(errorSentence(new Error("x"))).toBe("Something went wrong. Please try again.");
	});
});
