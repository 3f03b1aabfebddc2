/**
 * `GET /recommendations`: authorization, validation, paging, and the recency fallback when the ML
 * service is down or I have told nothing about myself.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callWithEnv, FAULTS, insertGroup } from "../ml/fixtures";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";

interface Page {
	data: Array<{ kind: string; id: string; score: number | null; name: string }>;
	next_cursor: string | null;
	ranked_by: string;
}

const PATH = "/api/v1/recommendations";

describe("GET /recommendations", () => {
	it("needs a signed-in, unsuspended user", async () => {
		await expectProblem(await call("GET", `${PATH}?kind=groups`), 401);
		const user = await signUp("rec-suspended");
		await setUserColumns(user.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(await call("GET", `${PATH}?kind=groups`, { token: user.token }), 403);
	});

	it("rejects a missing or unknown kind, a bad limit and a tampered cursor", async () => {
		const user = await signUp("rec-bad");
		for (const query of [
			"",
			"?kind=posts",
			"?kind=groups&limit=0",
			"?kind=groups&limit=51",
			"?kind=groups&limit=abc",
		]) {
			await expectProblem(await call("GET", `${PATH}${query}`, { token: user.token }), 422);
		}
		await expectProblem(
			await call("GET", `${PATH}?kind=groups&cursor=not-a-cursor`, { token: user.token }),
			400,
		);
	});

	it("pages through the ranked list without repeats", async () => {
		const owner = await signUp("rec-page-owner");
		const created = new Set<string>();
		for (let i = 0; i < 5; i++)
			created.add(await insertGroup(owner.id, { name: `Calm circle ${i}`, description: "Breathing" }));
		const me = await signUp("rec-page-me");
		await setUserColumns(me.id, { bio: "breathing and calm" });
		const seen: string[] = [];
		let cursor: string | null = null;
		do {
			const page: Page = await expectStatus<Page>(
				await call("GET", `${PATH}?kind=groups&limit=2${cursor ? `&cursor=${cursor}` : ""}`, {
					token: me.token,
				}),
				200,
			);
			expect(page.data.length).toBeLessThanOrEqual(2);
			seen.push(...page.data.map((item) => item.id));
			cursor = page.next_cursor;
		} while (cursor);
		expect(new Set(seen).size).toBe(seen.length);
		for (const id of created) expect(seen).toContain(id);
	});

	it("comes newest first with no score when I have told nothing about myself", async () => {
		const owner = await signUp("rec-empty-owner");
		const older = await insertGroup(owner.id, { name: "Older", description: "x" });
		const newer = await insertGroup(owner.id, { name: "Newer", description: "x" });
		const me = await signUp("rec-empty-me");
		const page = await expectStatus<Page>(
			await call("GET", `${PATH}?kind=groups&limit=50`, { token: me.token }),
			200,
		);
		expect(page.ranked_by).toBe("recency");
		const order = page.data.map((item) => item.id);
		expect(order.indexOf(newer)).toBeLessThan(order.indexOf(older));
		expect(page.data.every((item) => item.score === null)).toBe(true);
	});

	it.each(FAULTS)("falls back to newest first when the ML Worker fails (%s)", async (fault) => {
		const owner = await signUp("rec-down-owner");
		const group = await insertGroup(owner.id, { name: `Fresh group ${fault}`, description: "Walking club" });
		const me = await signUp("rec-down-me");
		await setUserColumns(me.id, { bio: `walking ${fault}` });
		const page = await expectStatus<Page>(
			await callWithEnv({ ML: env[fault] }, "GET", `${PATH}?kind=groups&limit=50`, { token: me.token }),
			200,
		);
		expect(page.ranked_by).toBe("recency");
		expect(page.data.map((item) => item.id)).toContain(group);
	});
});
