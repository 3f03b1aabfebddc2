/**
 * D1 failing in the middle of a multi-statement write: the client gets a 503 problem+json with the request
 * id and Retry-After, and nothing of the write is left half-done — D1 batches are atomic, and these tests
 * break a real batch in the real local D1 right after its first statement to show it.
 *
 * Related faults proved elsewhere (not repeated here):
 * - D1 unavailable / lost race / other errors → 503 / 409 / 500: `storage-failures.test.ts` beside this file.
 * - The ML service down, hanging or answering garbage → writes still succeed: `test/ml/faults.test.ts`.
 * - Auth0's JWKS unreachable → cached keys keep working, a cold cache is 503: `test/auth/jwks-cache.test.ts`.
 * - Durable Objects throwing, aborted or evicted mid-request: `durable-object-failures.test.ts`.
 * - A deletion refused by a condition inside its batch (the last guardian) changes nothing:
 *   `test/privacy/account-deletion.test.ts`.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, callWithConfig, expectProblem, signUp } from "../support/api";

/**
 * The real D1, except that every batch of two or more statements is cut after its first: the real engine
 * runs statement 1, fails on an injected statement (rolling the batch back), and the caller sees what D1
 * reports when its connection drops. Everything else goes to D1 unchanged.
 */
function cutAfterFirstStatement(real: D1Database): { db: D1Database; cuts: () => number } {
	let cuts = 0;
	const cutting = <T extends D1Database | D1DatabaseSession>(database: T): T =>
		new Proxy(database, {
			get(target, property) {
				// The request's D1 session (db/session) cuts its batches the same way.
				if (property === "withSession" && "withSession" in target) {
					return (start?: string) => cutting(target.withSession(start));
				}
				if (property === "batch") {
					return async (statements: D1PreparedStatement[]) => {
						if (statements.length < 2) return target.batch(statements);
						cuts += 1;
						const [first, ...rest] = statements;
						try {
							await target.batch([
								first as D1PreparedStatement,
								target.prepare("SELECT json('cut here')"),
								...rest,
							]);
						} catch {
							throw new Error("D1_ERROR: Network connection lost.");
						}
						throw new Error("the injected statement did not fail");
					};
				}
				const value = Reflect.get(target, property, target);
				return typeof value === "function" ? value.bind(target) : value;
			},
		});
	return { db: cutting(real), cuts: () => cuts };
}

const count = async (sql: string, ...binds: unknown[]) =>
	(
		await env.DB.prepare(sql)
			.bind(...binds)
			.first<{ n: number }>()
	)?.n ?? -1;

describe("a batch cut after its first statement", () => {
	it("creates no part of a poll post (post, options, quota) and answers 503 with the request id", async () => {
		const user = await signUp("cut-poll");
		const fault = cutAfterFirstStatement(env.DB);
		const response = await callWithConfig({ DB: fault.db }, "POST", "/api/v1/flourish/posts", {
			token: user.token,
			body: {
				type: "poll",
				body: "Morning or evening runs?",
				poll: {
					options: ["Morning", "Evening", "Both"],
					closes_at: new Date(Date.now() + 86_400_000).toISOString(),
				},
			},
		});
		const problem = await expectProblem(response, 503);
		expect(fault.cuts()).toBe(1);
		expect(problem.request_id).toBe(response.headers.get("X-Request-Id"));
		expect(response.headers.get("Retry-After")).toBeTruthy();
		expect(await count("SELECT count(*) AS n FROM posts WHERE author_id = ?", user.id)).toBe(0);
		expect(
			await count(
				"SELECT count(*) AS n FROM poll_options WHERE label = 'Morning' AND post_id NOT IN (SELECT id FROM posts)",
			),
		).toBe(0);
		expect(
			await count("SELECT coalesce(sum(count), 0) AS n FROM daily_quotas WHERE user_id = ?", user.id),
		).toBe(0);

		// The same request against a healthy D1 goes through whole.
		const retry = await call("POST", "/api/v1/flourish/posts", {
			token: user.token,
			body: {
				type: "poll",
				body: "Morning or evening runs?",
				poll: {
					options: ["Morning", "Evening", "Both"],
					closes_at: new Date(Date.now() + 86_400_000).toISOString(),
				},
			},
		});
		expect(retry.status).toBe(201);
		expect(
			await count(
				"SELECT count(*) AS n FROM poll_options WHERE post_id IN (SELECT id FROM posts WHERE author_id = ?)",
				user.id,
			),
		).toBe(3);
	});

	it("leaves an account deletion undone: the account and everything in it stay, and a retry deletes it", async () => {
		const user = await signUp("cut-delete", { email: "cut-delete@example.test" });
		const habit = await call("POST", "/api/v1/garden/habits", {
			token: user.token,
			body: { name: "Journal", category: "mindfulness" },
		});
		expect(habit.status).toBe(201);
		const fault = cutAfterFirstStatement(env.DB);
		const response = await callWithConfig({ DB: fault.db }, "DELETE", "/api/v1/users/me", {
			token: user.token,
		});
		const problem = await expectProblem(response, 503);
		expect(problem.request_id).toBeTruthy();
		expect(fault.cuts()).toBe(1);

		const row = await env.DB.prepare("SELECT auth0_sub, email, deleted_at FROM users WHERE id = ?")
			.bind(user.id)
			.first();
		expect(row).toEqual({ auth0_sub: user.sub, email: "cut-delete@example.test", deleted_at: null });
		expect(await count("SELECT count(*) AS n FROM habits WHERE user_id = ?", user.id)).toBe(1);
		expect(await count("SELECT count(*) AS n FROM account_erasure_jobs WHERE user_id = ?", user.id)).toBe(0);

		expect((await call("DELETE", "/api/v1/users/me", { token: user.token })).status).toBe(204);
		expect(await count("SELECT count(*) AS n FROM habits WHERE user_id = ?", user.id)).toBe(0);
	});

	it("rolls back in the real engine too (no proxy): a failing statement undoes the ones before it", async () => {
		const user = await signUp("cut-raw");
		await expect(
			env.DB.batch([
				env.DB.prepare("UPDATE users SET bio = 'changed' WHERE id = ?").bind(user.id),
				// day_start_hour has a CHECK (0–23): this statement fails inside the batch.
				env.DB.prepare("UPDATE users SET day_start_hour = 99 WHERE id = ?").bind(user.id),
			]),
		).rejects.toThrow(/CHECK constraint failed/);
		const row = await env.DB.prepare("SELECT bio FROM users WHERE id = ?")
			.bind(user.id)
			.first<{ bio: string }>();
		expect(row?.bio).toBe("");
	});
});

describe("what a D1 error means", () => {
	/** A D1 binding whose every call fails with `message`. */
	const failingWith = (message: string) => {
		const fail = () => Promise.reject(new Error(message));
		const statement = { bind: () => statement, first: fail, all: fail, run: fail, raw: fail };
		return {
			prepare: () => statement,
			batch: fail,
			exec: fail,
			withSession: () => failingWith(message),
			getBookmark: () => null,
		} as unknown as D1Database;
	};

	it("answers an outage with 503, but SQL that D1 rejects (our bug) with 500: retrying would not help", async () => {
		const user = await signUp("d1-meaning");
		const outage = await callWithConfig(
			{ DB: failingWith("D1_ERROR: D1 DB is overloaded. Too many requests queued.") },
			"GET",
			"/api/v1/garden",
			{ token: user.token },
		);
		await expectProblem(outage, 503);
		const bug = await callWithConfig(
			{ DB: failingWith("D1_ERROR: no such column: gardens.colour: SQLITE_ERROR") },
			"GET",
			"/api/v1/garden",
			{ token: user.token },
		);
		const problem = await expectProblem(bug, 500);
		expect(JSON.stringify(problem)).not.toContain("colour");
	});
});
