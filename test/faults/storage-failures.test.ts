/**
 * When D1 fails, the client gets a clear problem — 503 for an unavailable database, 409 for a write that
 * lost a race, 500 without internals for anything else — always with the request id, and the log line
 * never contains the SQL's bound values.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { callWithConfig, expectProblem, signUp } from "../support/api";

/** A D1 binding whose every statement fails the way the given error says; the real one answers the rest. */
function failingD1(error: Error): D1Database {
	const fail = () => Promise.reject(error);
	const statement = { bind: () => statement, first: fail, all: fail, run: fail, raw: fail };
	return {
		prepare: () => statement,
		batch: fail,
		exec: fail,
		dump: fail,
		withSession: () => failingD1(error),
		getBookmark: () => null,
	} as unknown as D1Database;
}

afterEach(() => vi.restoreAllMocks());

describe("storage failures", () => {
	it("answers 503 with Retry-After when D1 is unavailable", async () => {
		const user = await signUp("d1-down");
		const logs = vi.spyOn(console, "warn");
		const response = await callWithConfig(
			{ DB: failingD1(new Error("D1_ERROR: Network connection lost.")) },
			"GET",
			"/api/v1/garden",
			{
				token: user.token,
			},
		);
		const problem = await expectProblem(response, 503);
		expect(response.headers.get("Retry-After")).toBeTruthy();
		expect(problem.request_id).toBeTruthy();
		expect(logs.mock.calls.flat().join(" ")).toContain("storage-unavailable");
	});

	it("answers 409 when a write loses a race on a constraint", async () => {
		const user = await signUp("d1-conflict");
		const response = await callWithConfig(
			{ DB: failingD1(new Error("D1_ERROR: UNIQUE constraint failed: habits.id: SQLITE_CONSTRAINT")) },
			"GET",
			"/api/v1/garden",
			{ token: user.token },
		);
		await expectProblem(response, 409);
	});

	it("answers 500 without internals for anything else", async () => {
		const user = await signUp("d1-bug");
		const errors = vi.spyOn(console, "error");
		const response = await callWithConfig(
			{ DB: failingD1(new TypeError("secret internal detail")) },
			"GET",
			"/api/v1/garden",
			{
				token: user.token,
			},
		);
		const problem = await expectProblem(response, 500);
		expect(JSON.stringify(problem)).not.toContain("secret internal detail");
		expect(problem.request_id).toBeTruthy();
		expect(errors).toHaveBeenCalled();
	});

	it("never logs the bound values of a failed query", async () => {
		const user = await signUp("d1-values");
		const secretText = "my very private journal line";
		await env.DB.prepare("SELECT 1").run();
		const logs = vi.spyOn(console, "warn");
		// A real constraint failure through drizzle: a habit with a garden id that does not exist.
		const { createDb } = await import("../../src/db/client");
		const { habits } = await import("../../src/db/tables/garden");
		const failure = await createDb(env.DB)
			.insert(habits)
			.values({
				gardenId: "0190a0a0-0000-7000-8000-00000000dead",
				userId: user.id,
				name: secretText,
				category: "other",
				frequency: "daily",
				startDate: "2026-01-01",
			})
			.run()
			.catch((error: unknown) => error);
		const { describeForLog, classifyFailure } = await import("../../src/lib/failures");
		expect(classifyFailure(failure)).toBe("constraint");
		expect(describeForLog(failure)).not.toContain(secretText);
		expect(String((failure as Error).message)).toContain(secretText); // drizzle's own message would leak it
		expect(logs).not.toHaveBeenCalled();
	});
});
