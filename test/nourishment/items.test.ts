/**
 * Daily Nourishment items: guardian-only writes (create, schedule, update, delete — audit-logged), one live
 * item per date (409), public reads where future items stay hidden until their day except to guardians,
 * spiritual items only for opted-in users, and the archive's filters and cursor.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";

type Item = {
	id: string;
	title: string;
	body: string;
	content_type: string;
	category: string;
	author: string | null;
	source: string | null;
	media_url: string | null;
	publish_date: string | null;
	is_spiritual: boolean;
};

let guardian: TestUser;
const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
	guardian = await signUp("items-guardian");
	await setUserColumns(guardian.id, { role: "guardian" });
});

async function createItem(body: Record<string, unknown>): Promise<Item> {
	return expectStatus<Item>(
		await call("POST", "/api/v1/nourishment", {
			token: guardian.token,
			body: { title: "A thought", content_type: "reflection", category: "purpose", ...body },
		}),
		201,
	);
}

async function archive(user: TestUser | undefined, query = ""): Promise<Item[]> {
	const all: Item[] = [];
	let cursor: string | null = null;
	for (let i = 0; i < 50; i++) {
		const sep = query.includes("?") ? "&" : "?";
		const path = `/api/v1/nourishment${query}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ""}`;
		const page: { data: Item[]; next_cursor: string | null } = await expectStatus(
			await call("GET", path, user ? { token: user.token } : {}),
			200,
		);
		all.push(...page.data);
		cursor = page.next_cursor;
		if (!cursor) return all;
	}
	throw new Error("archive did not end");
}

describe("POST /nourishment", () => {
	it("lets a guardian create a scheduled item with all its fields", async () => {
		const item = await createItem({
			title: "Small steps",
			body: "Every journey begins with one.",
			content_type: "quote",
			category: "hope",
			author: "Lao Tzu",
			source: "Tao Te Ching",
			media_url: "https://media.example/steps.jpg",
			publish_date: daysFromNow(-40),
		});
		expect(item).toMatchObject({
			title: "Small steps",
			author: "Lao Tzu",
			publish_date: daysFromNow(-40),
			is_spiritual: false,
		});
		const row = await env.DB.prepare("SELECT created_by FROM nourishment_items WHERE id = ?")
			.bind(item.id)
			.first<{ created_by: string }>();
		expect(row?.created_by).toBe(guardian.id);
	});

	it("is 403 for members, 401 anonymously", async () => {
		const member = await signUp("items-member");
		const body = { title: "Mine", content_type: "quote", category: "hope" };
		await expectProblem(await call("POST", "/api/v1/nourishment", { token: member.token, body }), 403);
		await setUserColumns(member.id, { trust_level: "flourishing" });
		await expectProblem(await call("POST", "/api/v1/nourishment", { token: member.token, body }), 403);
		await expectProblem(await call("POST", "/api/v1/nourishment", { body }), 401);
	});

	it("refuses a second live item on the same date with 409, and frees the date when one is deleted", async () => {
		const date = daysFromNow(-41);
		const first = await createItem({ publish_date: date });
		await expectProblem(
			await call("POST", "/api/v1/nourishment", {
				token: guardian.token,
				body: { title: "Clash", content_type: "quote", category: "hope", publish_date: date },
			}),
			409,
		);
		const other = await createItem({ publish_date: daysFromNow(-42) });
		await expectProblem(
			await call("PATCH", `/api/v1/nourishment/${other.id}`, {
				token: guardian.token,
				body: { publish_date: date },
			}),
			409,
		);
		expect((await call("DELETE", `/api/v1/nourishment/${first.id}`, { token: guardian.token })).status).toBe(
			204,
		);
		await createItem({ publish_date: date });
	});

	it.each([
		["a missing title", { title: undefined }],
		["an oversized title", { title: "t".repeat(201) }],
		["an unknown content type", { content_type: "meme" }],
		["an unknown category", { category: "wealth" }],
		["an impossible date", { publish_date: "2026-02-30" }],
		["a timestamp for a date", { publish_date: "2026-02-03T00:00:00Z" }],
		["a non-https media URL", { media_url: "http://media.example/x.jpg" }],
		["an unknown field", { featured: true }],
		["a wrong type", { is_spiritual: "no" }],
	])("rejects %s with 422", async (_label, body) => {
		await expectProblem(
			await call("POST", "/api/v1/nourishment", {
				token: guardian.token,
				body: { title: "T", content_type: "quote", category: "hope", ...body },
			}),
			422,
		);
	});

	it("answers malformed JSON with 400", async () => {
		await expectProblem(
			await call("POST", "/api/v1/nourishment", { token: guardian.token, rawBody: "{" }),
			400,
		);
	});
});

describe("reads", () => {
	it("hides a future item from everyone but guardians, in the archive and on direct read", async () => {
		const future = await createItem({ title: "Next week", publish_date: daysFromNow(7) });
		const member = await signUp("future-reader");
		await expectProblem(await call("GET", `/api/v1/nourishment/${future.id}`), 404);
		await expectProblem(await call("GET", `/api/v1/nourishment/${future.id}`, { token: member.token }), 404);
		await expectStatus(await call("GET", `/api/v1/nourishment/${future.id}`, { token: guardian.token }), 200);
		expect((await archive(undefined)).map((item) => item.id)).not.toContain(future.id);
		expect((await archive(member)).map((item) => item.id)).not.toContain(future.id);
		expect((await archive(guardian)).map((item) => item.id)).toContain(future.id);
	});

	it("shows spiritual items only to opted-in users (404 on direct read otherwise)", async () => {
		const prayer = await createItem({
			title: "Evening prayer",
			content_type: "prayer",
			category: "faith",
			is_spiritual: true,
		});
		const secular = await signUp("items-secular");
		const believer = await signUp("items-believer");
		await setUserColumns(believer.id, { spiritual_opt_in: 1 });
		await expectProblem(await call("GET", `/api/v1/nourishment/${prayer.id}`), 404);
		await expectProblem(await call("GET", `/api/v1/nourishment/${prayer.id}`, { token: secular.token }), 404);
		await expectStatus(await call("GET", `/api/v1/nourishment/${prayer.id}`, { token: believer.token }), 200);
		expect((await archive(secular)).some((item) => item.is_spiritual)).toBe(false);
		expect((await archive(believer)).map((item) => item.id)).toContain(prayer.id);
	});

	it("orders the archive newest date first then the evergreen pool, filters, and pages without repeats", async () => {
		const dated = [
			await createItem({
				title: "Gratitude 1",
				category: "gratitude",
				content_type: "exercise",
				publish_date: daysFromNow(-3),
			}),
			await createItem({
				title: "Gratitude 2",
				category: "gratitude",
				content_type: "quote",
				publish_date: daysFromNow(-2),
			}),
		];
		const evergreen = await createItem({
			title: "Gratitude always",
			category: "gratitude",
			content_type: "exercise",
		});
		const pages = await archive(undefined, "?category=gratitude&limit=1");
		expect(pages.map((item) => item.id)).toEqual([dated[1]?.id, dated[0]?.id, evergreen.id]);
		const exercises = await archive(undefined, "?category=gratitude&content_type=exercise");
		expect(exercises.map((item) => item.id)).toEqual([dated[0]?.id, evergreen.id]);

		const everything = await archive(undefined, "?limit=2");
		expect(new Set(everything.map((item) => item.id)).size).toBe(everything.length);
		const dates = everything.map((item) => item.publish_date);
		const firstEvergreen = dates.indexOf(null);
		expect(dates.slice(firstEvergreen).every((date) => date === null)).toBe(true);
		const scheduled = dates.slice(0, firstEvergreen) as string[];
		expect(scheduled).toEqual([...scheduled].sort().reverse());
	});

	it("rejects bad filters (422) and cursors (400); unknown items are 404", async () => {
		await expectProblem(await call("GET", "/api/v1/nourishment?category=wealth"), 422);
		await expectProblem(await call("GET", "/api/v1/nourishment?cursor=abc"), 400);
		await expectProblem(await call("GET", `/api/v1/nourishment/${crypto.randomUUID()}`), 404);
		await expectProblem(await call("GET", "/api/v1/nourishment/not-an-id"), 422);
	});
});

describe("PATCH and DELETE /nourishment/{item_id}", () => {
	it("lets guardians update and reschedule; members get 403", async () => {
		const item = await createItem({ title: "Draft" });
		const member = await signUp("items-patcher");
		await expectProblem(
			await call("PATCH", `/api/v1/nourishment/${item.id}`, { token: member.token, body: { title: "Mine" } }),
			403,
		);
		const updated = await expectStatus<Item>(
			await call("PATCH", `/api/v1/nourishment/${item.id}`, {
				token: guardian.token,
				body: { title: "Final", publish_date: daysFromNow(-50), author: null },
			}),
			200,
		);
		expect(updated).toMatchObject({ title: "Final", publish_date: daysFromNow(-50), author: null });
		await expectProblem(
			await call("PATCH", `/api/v1/nourishment/${item.id}`, { token: guardian.token, body: {} }),
			422,
		);
		await expectProblem(
			await call("PATCH", `/api/v1/nourishment/${crypto.randomUUID()}`, {
				token: guardian.token,
				body: { title: "x" },
			}),
			404,
		);
	});

	it("soft-deletes, audit-logged; members get 403; a second delete is 404", async () => {
		const item = await createItem({ title: "To retire" });
		const member = await signUp("items-deleter");
		await expectProblem(await call("DELETE", `/api/v1/nourishment/${item.id}`, { token: member.token }), 403);
		expect((await call("DELETE", `/api/v1/nourishment/${item.id}`, { token: guardian.token })).status).toBe(
			204,
		);
		await expectProblem(await call("GET", `/api/v1/nourishment/${item.id}`, { token: guardian.token }), 404);
		await expectProblem(
			await call("DELETE", `/api/v1/nourishment/${item.id}`, { token: guardian.token }),
			404,
		);
		const audit = await env.DB.prepare(
			"SELECT action, target_type, actor_id FROM moderation_actions WHERE target_id = ?",
		)
			.bind(item.id)
			.all<{ action: string; target_type: string; actor_id: string }>();
		expect(audit.results).toEqual([
			{ action: "delete_content", target_type: "nourishment_item", actor_id: guardian.id },
		]);
	});
});
