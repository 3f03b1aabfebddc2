/**
 * new_sprout → growing happens on activity: the contribution that meets the requirements (account ≥ 3
 * days, ≥ 5 contributions) promotes its author, without a cron and without slowing the write.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, callWithConfig, expectStatus, setUserColumns, signUp } from "../support/api";

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

async function trustLevel(userId: string): Promise<string | undefined> {
	const row = await env.DB.prepare("SELECT trust_level FROM users WHERE id = ?")
		.bind(userId)
		.first<{ trust_level: string }>();
	return row?.trust_level;
}

describe("automatic promotion to growing", () => {
	it("promotes on the fifth contribution of an account older than three days", async () => {
		const user = await signUp("promote");
		await setUserColumns(user.id, { created_at: daysAgo(4) });
		const habit = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/garden/habits", {
				token: user.token,
				body: { name: "Walk", category: "health" },
			}),
			201,
		);
		const logPath = `/api/v1/garden/habits/${habit.id}/logs`;
		for (let i = 0; i < 4; i++) {
			await expectStatus(await callWithConfig({}, "POST", logPath, { token: user.token, body: {} }), 201);
			expect(await trustLevel(user.id)).toBe("new_sprout");
		}
		await expectStatus(await callWithConfig({}, "POST", logPath, { token: user.token, body: {} }), 201);
		expect(await trustLevel(user.id)).toBe("growing");
	});

	it("does not promote a young account, nor a locked one", async () => {
		const young = await signUp("young");
		const locked = await signUp("locked");
		await setUserColumns(locked.id, { created_at: daysAgo(10), trust_locked: 1 });
		for (const user of [young, locked]) {
			const habit = await expectStatus<{ id: string }>(
				await call("POST", "/api/v1/garden/habits", {
					token: user.token,
					body: { name: "Read", category: "learning" },
				}),
				201,
			);
			for (let i = 0; i < 6; i++) {
				await expectStatus(
					await callWithConfig({}, "POST", `/api/v1/garden/habits/${habit.id}/logs`, {
						token: user.token,
						body: {},
					}),
					201,
				);
			}
			expect(await trustLevel(user.id)).toBe("new_sprout");
		}
	});
});
