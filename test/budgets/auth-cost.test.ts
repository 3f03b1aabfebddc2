/**
 * What signing in costs a warm isolate: no request to the identity provider (the signing keys are held in
 * memory after the first verification) and exactly one D1 query for the caller — the user row by `sub` —
 * whatever the endpoint. Counted with a stand-in tenant of its own (JWKS fetches) and the instrumented D1
 * binding (statements).
 */

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authTenant, callWithConfig, signUp, type TestUser } from "../support/api";
import { countingD1, type ExecutedStatement } from "../support/d1-counter";

const tenant = authTenant("budgets-auth-cost");

const SIGNED_IN_READS = [
	"/api/v1/users/me",
	"/api/v1/garden",
	"/api/v1/flourish/feed",
	"/api/v1/orchard/conversations",
	"/api/v1/fellowship/groups",
	"/api/v1/trust/me",
	"/api/v1/sunlight",
	"/api/v1/support/requests",
	"/api/v1/teamup/projects",
];

/**
 * Statements that read a user row by the caller's `sub` or id: their own `from` is users. (A query of
 * another table may ask D1 about the caller's role or opt-in in a subquery; that is not a read of the row.)
 */
const readsOf = (user: TestUser, executed: ExecutedStatement[]) =>
	executed.filter(
		(statement) =>
			/^[^(]*?\bfrom "users"/i.test(statement.sql) &&
			statement.params.some((value) => value === user.sub || value === user.id),
	);

async function callAs(user: TestUser, path: string) {
	const counter = countingD1(env.DB);
	const response = await callWithConfig({ AUTH0_JWKS_URL: tenant.jwksUrl, DB: counter.db }, "GET", path, {
		token: user.token,
	});
	await response.text();
	return { status: response.status, userReads: readsOf(user, counter.executed) };
}

describe("signing in on a warm isolate", () => {
	it("fetches the signing keys once, then never again, and reads the caller's row exactly once per request", async () => {
		const user = await signUp("budget-auth");
		const fetchesBefore = await tenant.fetches();
		// The first request of this isolate against this tenant fetches its key set (the cache is cold).
		expect((await callAs(user, "/api/v1/users/me")).status).toBe(200);
		const afterWarmUp = await tenant.fetches();
		expect(afterWarmUp - fetchesBefore).toBe(1);

		const other = await signUp("budget-auth-other");
		for (const person of [user, other]) {
			for (const path of SIGNED_IN_READS) {
				const { status, userReads } = await callAs(person, path);
				expect(status, path).toBe(200);
				expect(
					userReads.map((statement) => statement.sql),
					`${path}: queries for the caller's user row`,
				).toHaveLength(1);
				expect(userReads[0]?.sql, path).toMatch(/"users"\."auth0_sub" = \?/);
			}
		}
		expect(await tenant.fetches()).toBe(afterWarmUp);
	});
});
