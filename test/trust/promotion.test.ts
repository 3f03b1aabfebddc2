/**
 * new_sprout → growing is automatic (checked on activity, no cron): account ≥ 3 days old and ≥ 5
 * contributions (habit logs, posts, comments, sunlight shares), unless suspended or locked by a guardian.
 */
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { users } from "../../src/db/tables/users";
import { countContributions, maybePromoteToGrowing } from "../../src/modules/trust/service";
import { call, expectStatus, setUserColumns } from "../support/api";
import { addContributions, ago, DAY_MS, levelOf, MINUTE_MS, userAt } from "./fixtures";

type Standing = {
	trust_level: string;
	next_level: {
		level: string;
		how: string;
		eligible: boolean;
		requirements: Array<{ key: string; current: number; required: number; met: boolean }>;
	} | null;
};

const standing = async (token: string) =>
	expectStatus<Standing>(await call("GET", "/api/v1/trust/me", { token }), 200);

const row = async (id: string) => {
	const found = await createDb(env.DB).select().from(users).where(eq(users.id, id)).get();
	if (!found) throw new Error("no user");
	return found;
};

describe("automatic promotion to growing", () => {
	it("happens on the next activity once the account is 3 days old with 5 contributions", async () => {
		const user = await userAt("new_sprout", 4, 4, "promote");
		await addContributions(user.id, { habitLogs: 2, posts: 1, comments: 1, shares: 1 });
		expect(await countContributions(createDb(env.DB), user.id)).toBe(5);
		const me = await standing(user.token);
		expect(me.trust_level).toBe("growing");
		expect(me.next_level?.level).toBe("good_soil");
		expect(await levelOf(user.id)).toBe("growing");
	});

	it("waits while the account is younger than 3 days, showing the progress", async () => {
		const user = await userAt("new_sprout", 0, 0, "too-young");
		await setUserColumns(user.id, { created_at: ago(3 * DAY_MS - 5 * MINUTE_MS) });
		await addContributions(user.id, { posts: 6 });
		const me = await standing(user.token);
		expect(me.trust_level).toBe("new_sprout");
		expect(me.next_level).toMatchObject({ level: "growing", how: "automatic", eligible: false });
		expect(me.next_level?.requirements).toEqual([
			expect.objectContaining({ key: "account_age_days", current: 2, required: 3, met: false }),
			expect.objectContaining({ key: "contributions", current: 6, required: 5, met: true }),
		]);
	});

	it("waits at 4 contributions and promotes at exactly 5", async () => {
		const user = await userAt("new_sprout", 3, 3, "four");
		await setUserColumns(user.id, { created_at: ago(3 * DAY_MS + MINUTE_MS) });
		await addContributions(user.id, { posts: 4 });
		expect((await standing(user.token)).trust_level).toBe("new_sprout");
		await addContributions(user.id, { shares: 1 });
		expect((await standing(user.token)).trust_level).toBe("growing");
	});

	it("does not count deleted or removed content", async () => {
		const user = await userAt("new_sprout", 5, 5, "removed");
		await addContributions(user.id, { posts: 5 });
		await env.DB.prepare(
			"UPDATE posts SET deleted_at = ? WHERE id IN (SELECT id FROM posts WHERE author_id = ? LIMIT 1)",
		)
			.bind(new Date().toISOString(), user.id)
			.run();
		await env.DB.prepare(
			"UPDATE posts SET moderation_status = 'removed' WHERE id IN (SELECT id FROM posts WHERE author_id = ? AND deleted_at IS NULL LIMIT 1)",
		)
			.bind(user.id)
			.run();
		expect(await countContributions(createDb(env.DB), user.id)).toBe(3);
		expect((await standing(user.token)).trust_level).toBe("new_sprout");
	});

	it("is skipped when a guardian locked the level, or while suspended", async () => {
		const locked = await userAt("new_sprout", 10, 10, "locked");
		await setUserColumns(locked.id, { trust_locked: 1 });
		await addContributions(locked.id, { posts: 6 });
		expect((await standing(locked.token)).trust_level).toBe("new_sprout");

		const suspended = await userAt("new_sprout", 10, 10, "suspended");
		await addContributions(suspended.id, { posts: 6 });
		await setUserColumns(suspended.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		const promoted = await maybePromoteToGrowing(createDb(env.DB), await row(suspended.id));
		expect(promoted.trustLevel).toBe("new_sprout");
		expect(await levelOf(suspended.id)).toBe("new_sprout");
	});

	it("is callable by any feature and never demotes", async () => {
		const user = await userAt("new_sprout", 10, 10, "callable");
		await addContributions(user.id, { habitLogs: 5 });
		const promoted = await maybePromoteToGrowing(createDb(env.DB), await row(user.id));
		expect(promoted.trustLevel).toBe("growing");
		const again = await maybePromoteToGrowing(createDb(env.DB), promoted);
		expect(again).toBe(promoted);

		const soil = await userAt("good_soil", 1, 30, "no-demote");
		expect((await maybePromoteToGrowing(createDb(env.DB), await row(soil.id))).trustLevel).toBe("good_soil");
	});
});
