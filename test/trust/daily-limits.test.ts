/**
 * The per-trust-level daily limits (core/quotas.ts), the one mechanism every feature uses: exact numbers
 * per level (×1, ×2, ×3, ×4; guardians ×10), exact under concurrency, and a 429 problem with Retry-After,
 * RateLimit headers and `resets_at` (the next UTC midnight).
 */
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { CurrentUser } from "../../src/core/accounts/current-user";
import {
	BASE_DAILY_LIMITS,
	consumeDailyQuota,
	dailyLimit,
	linksPerPost,
	mediaPerPost,
	type QuotaKind,
	refundDailyQuota,
	withDailyQuota,
} from "../../src/core/quotas";
import { createDb } from "../../src/db/client";
import { idempotencyKeys } from "../../src/db/tables/idempotency";
import { dailyQuotas } from "../../src/db/tables/trust";
import { users } from "../../src/db/tables/users";
import { Problem, problemResponse } from "../../src/lib/problem";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";

const db = () => createDb(env.DB);

async function userRow(columns: Record<string, string> = {}): Promise<CurrentUser> {
	const user = await signUp("limits");
	if (Object.keys(columns).length > 0) await setUserColumns(user.id, columns);
	const row = await db().select().from(users).where(eq(users.id, user.id)).get();
	if (!row) throw new Error("no user row");
	return row;
}

/** Uses a quota until it refuses; answers how many uses passed. */
async function useUntilRefused(
	user: CurrentUser,
	kind: QuotaKind,
	now: Date,
): Promise<{ passed: number; refusal: Problem }> {
	for (let passed = 0; passed < 10_000; passed++) {
		try {
			await consumeDailyQuota(db(), user, kind, now);
		} catch (error) {
			if (!(error instanceof Problem)) throw error;
			return { passed, refusal: error };
		}
	}
	throw new Error("the quota never refused");
}

const FIXED_NOW = new Date("2031-03-14T23:59:00.000Z");

describe("exact limits per trust level", () => {
	it("matches API.md for new_sprout: 5 posts+shares, 20 comments, 10 connection requests, 1 media, 2 links", async () => {
		const sprout = await userRow();
		expect(BASE_DAILY_LIMITS).toMatchObject({ posts: 5, comments: 20, connection_requests: 10 });
		expect(mediaPerPost(sprout)).toBe(1);
		expect(linksPerPost(sprout)).toBe(2);
		for (const kind of ["posts", "comments", "connection_requests"] as const) {
			const { passed } = await useUntilRefused(sprout, kind, FIXED_NOW);
			expect(passed, kind).toBe(BASE_DAILY_LIMITS[kind]);
		}
	});

	it.each([
		["growing", 2],
		["good_soil", 3],
		["flourishing", 4],
	] as const)("multiplies every limit by the level (%s ×%i)", async (level, multiplier) => {
		const user = await userRow({ trust_level: level });
		for (const kind of ["posts", "comments"] as const) {
			expect(dailyLimit(user, kind)).toBe(BASE_DAILY_LIMITS[kind] * multiplier);
			const { passed } = await useUntilRefused(user, kind, FIXED_NOW);
			expect(passed, kind).toBe(BASE_DAILY_LIMITS[kind] * multiplier);
		}
		expect(mediaPerPost(user)).toBe(multiplier);
		expect(linksPerPost(user)).toBe(2 * multiplier);
	});

	it("gives guardians ten times new_sprout's limits", async () => {
		const guardian = await userRow({ role: "guardian" });
		const { passed } = await useUntilRefused(guardian, "posts", FIXED_NOW);
		expect(passed).toBe(50);
	});

	it("counts per UTC day: a new day starts afresh, and a refund gives one use back", async () => {
		const sprout = await userRow();
		await useUntilRefused(sprout, "posts", FIXED_NOW);
		const nextDay = new Date("2031-03-15T00:00:01.000Z");
		expect(await consumeDailyQuota(db(), sprout, "posts", nextDay)).toBe(4);
		await refundDailyQuota(db(), sprout, "posts", FIXED_NOW);
		expect(await consumeDailyQuota(db(), sprout, "posts", FIXED_NOW)).toBe(0);
		await expect(consumeDailyQuota(db(), sprout, "posts", FIXED_NOW)).rejects.toBeInstanceOf(Problem);
	});
});

describe("withDailyQuota, the one way a write spends an allowance", () => {
	const used = async (userId: string) =>
		(
			await env.DB.prepare("SELECT count FROM daily_quotas WHERE user_id = ? AND kind = 'comments'")
				.bind(userId)
				.first<{ count: number }>()
		)?.count ?? 0;
	/** A write of this test: a row keyed `name` we can look for afterwards. */
	const keyed = (user: CurrentUser, name: string) =>
		db()
			.insert(idempotencyKeys)
			.values({ userId: user.id, key: name, requestHash: "x", expiresAt: "2999-01-01T00:00:00.000Z" });
	const keyedCount = async (name: string) =>
		(
			await env.DB.prepare("SELECT count(*) AS n FROM idempotency_keys WHERE key = ?")
				.bind(name)
				.first<{ n: number }>()
		)?.n ?? 0;

	it("counts a write whose batch carries the spend; a batch that fails counts nothing; an error passes on", async () => {
		const user = await userRow();
		const now = new Date();
		await withDailyQuota(db(), user, "comments", now, (spend) => db().batch([spend, keyed(user, "counted")]));
		expect(await used(user.id)).toBe(1);
		expect(await keyedCount("counted")).toBe(1);
		// A later statement of the batch fails (an invalid day): the whole batch, spend included, is undone.
		const failing = db()
			.insert(dailyQuotas)
			.values({ userId: user.id, day: "not a day", kind: "posts", count: 1 });
		const refused = withDailyQuota(db(), user, "comments", now, (spend) => db().batch([spend, failing]));
		await expect(refused).rejects.not.toBeInstanceOf(Problem);
		expect(await used(user.id)).toBe(1);
		// A write that throws before its batch has spent nothing.
		const failure = new Error("the write failed");
		await expect(
			withDailyQuota(db(), user, "comments", now, async () => {
				throw failure;
			}),
		).rejects.toBe(failure);
		expect(await used(user.id)).toBe(1);
	});

	it("at the limit fails the whole batch with the 429: nothing of the write lands", async () => {
		const user = await userRow();
		const now = new Date();
		for (let i = 0; i < dailyLimit(user, "comments"); i++)
			await consumeDailyQuota(db(), user, "comments", now);
		const name = `over-the-limit-${user.id}`;
		const refused = withDailyQuota(db(), user, "comments", now, (spend) =>
			db().batch([spend, keyed(user, name)]),
		);
		await expect(refused).rejects.toBeInstanceOf(Problem);
		await expect(refused).rejects.toMatchObject({ status: 429 });
		expect(await keyedCount(name)).toBe(0);
		expect(await used(user.id)).toBe(dailyLimit(user, "comments"));
	});

	it("never lets more than the limit through when batches race", async () => {
		const user = await userRow();
		const name = `raced-${user.id}`;
		const results = await Promise.allSettled(
			Array.from({ length: 30 }, (_, i) =>
				withDailyQuota(db(), user, "comments", FIXED_NOW, (spend) =>
					db().batch([spend, keyed(user, `${name}-${i}`)]),
				),
			),
		);
		expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(20);
		const landed = await env.DB.prepare("SELECT count(*) AS n FROM idempotency_keys WHERE user_id = ?")
			.bind(user.id)
			.first<{ n: number }>();
		expect(landed?.n).toBe(20);
	});
});

describe("concurrency", () => {
	it("never lets more than the limit through when uses race", async () => {
		const sprout = await userRow();
		const attempts = 40;
		const results = await Promise.allSettled(
			Array.from({ length: attempts }, () => consumeDailyQuota(db(), sprout, "comments", FIXED_NOW)),
		);
		const passed = results.filter((result) => result.status === "fulfilled").length;
		const refused = results.filter(
			(result) =>
				result.status === "rejected" && result.reason instanceof Problem && result.reason.status === 429,
		).length;
		expect(passed).toBe(20);
		expect(refused).toBe(attempts - 20);
		const row = await env.DB.prepare("SELECT count FROM daily_quotas WHERE user_id = ? AND kind = 'comments'")
			.bind(sprout.id)
			.first<{ count: number }>();
		expect(row?.count).toBe(20);
	});
});

describe("the 429 answer", () => {
	it("is problem+json with Retry-After until the next UTC midnight, RateLimit headers and resets_at", async () => {
		const sprout = await userRow();
		const { refusal } = await useUntilRefused(sprout, "posts", FIXED_NOW);
		expect(refusal.status).toBe(429);
		const response = problemResponse(refusal, "/api/v1/flourish/posts", "req-1");
		expect(response.headers.get("content-type")).toBe("application/problem+json");
		expect(response.headers.get("Retry-After")).toBe("60");
		expect(response.headers.get("RateLimit-Policy")).toBe('"posts";q=5;w=86400');
		expect(response.headers.get("RateLimit")).toBe('"posts";r=0;t=60');
		expect(await response.json()).toMatchObject({
			status: 429,
			type: "urn:flourish:problem:daily-limit",
			limit_kind: "posts",
			limit: 5,
			resets_at: "2031-03-15T00:00:00.000Z",
		});
	});

	it("reaches clients through an endpoint that uses it (POST /reports)", async () => {
		const reporter = await signUp("limits-http");
		const target = await signUp("limits-target");
		const today = new Date().toISOString().slice(0, 10);
		// Today's report allowance is already spent.
		await env.DB.prepare(
			"INSERT INTO daily_quotas (id, user_id, day, kind, count, created_at, updated_at) VALUES (?, ?, ?, 'reports', 20, ?, ?)",
		)
			.bind(crypto.randomUUID(), reporter.id, today, new Date().toISOString(), new Date().toISOString())
			.run();
		const response = await call("POST", "/api/v1/reports", {
			token: reporter.token,
			body: { target_type: "user", target_id: target.id, reason: "spam" },
		});
		const problem = await expectProblem(response, 429);
		const retryAfter = Number(response.headers.get("Retry-After"));
		expect(retryAfter).toBeGreaterThan(0);
		expect(retryAfter).toBeLessThanOrEqual(86_400);
		expect(problem).toMatchObject({ limit_kind: "reports", limit: 20 });
		expect(String((problem as Record<string, unknown>).resets_at)).toMatch(/T00:00:00\.000Z$/);
		const reports = await env.DB.prepare("SELECT count(*) AS n FROM reports WHERE reporter_id = ?")
			.bind(reporter.id)
			.first<{ n: number }>();
		expect(reports?.n).toBe(0);
	});

	it("shows each limit of my level in GET /trust/me", async () => {
		const user = await signUp("limits-me");
		await setUserColumns(user.id, { trust_level: "good_soil" });
		const me = await expectStatus<{ unlocks: { multiplier: number; daily_limits: Record<string, number> } }>(
			await call("GET", "/api/v1/trust/me", { token: user.token }),
			200,
		);
		expect(me.unlocks.multiplier).toBe(3);
		expect(me.unlocks.daily_limits).toMatchObject({
			posts: 15,
			comments: 60,
			connection_requests: 30,
			support_requests: 9,
		});
	});
});
