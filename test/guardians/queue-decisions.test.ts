/**
 * The Guardians' queue: only guardians (a guide or flourishing member gets 403); items by score then age
 * with their reports; decisions that resolve every report of an item, act on the content, and penalise
 * the author — suspensions block writes at once and end on time by themselves.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PERMANENT_UNTIL } from "../../src/db/tables/users";
import { createRequest } from "../anonymous-support/helpers";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import {
	atLevel,
	decide,
	established,
	guardian,
	moderationStatusOf,
	person,
	postBy,
	type QueueItem,
	queueItemFor,
	report,
	reported,
} from "./helpers";

const HOUR_MS = 60 * 60 * 1000;

async function reportedPost(reporters = 1, reason = "spam") {
	const author = await signUp("q-author");
	const postId = await postBy(author.id);
	for (let i = 0; i < reporters; i++) await reported(await signUp("q-reporter"), "post", postId, reason);
	const item = await queueItemFor("post", postId);
	return { author, postId, itemId: item.id };
}

async function fullQueue(by: TestUser, query = ""): Promise<QueueItem[]> {
	const items: QueueItem[] = [];
	let cursor: string | null = null;
	do {
		const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
		const page: { data: QueueItem[]; next_cursor: string | null } = await expectStatus(
			await call("GET", `/api/v1/guardians/queue?limit=3${query}${suffix}`, { token: by.token }),
			200,
		);
		items.push(...page.data);
		cursor = page.next_cursor;
	} while (cursor);
	return items;
}

describe("who may use the guardian endpoints", () => {
	it("answers 401 anonymously and 403 to guides, flourishing members and suspended guardians", async () => {
		const { itemId } = await reportedPost();
		const guide = await person("q-guide", { role: "guide", trust_level: "good_soil" });
		const flourishing = await atLevel("flourishing", "q-flourishing");
		const suspended = await person("q-suspended-guardian", {
			role: "guardian",
			suspended_until: "2999-01-01T00:00:00.000Z",
		});
		const requests: Array<[string, string, unknown?]> = [
			["GET", "/api/v1/guardians/queue"],
			["GET", `/api/v1/guardians/queue/${itemId}`],
			["POST", `/api/v1/guardians/queue/${itemId}/decision`, { decision: "dismiss", reason: "fine" }],
			["GET", "/api/v1/guardians/applications"],
			["GET", "/api/v1/guardians/audit-log"],
			["GET", "/api/v1/guardians/stats"],
			["GET", "/api/v1/guardians/appeals"],
			["PATCH", `/api/v1/guardians/users/${guide.id}`, { role: "user", reason: "x" }],
			[
				"POST",
				"/api/v1/guardians/applications/0190a0a0-0000-7000-8000-000000000000/decision",
				{ decision: "approve" },
			],
			["PATCH", "/api/v1/guardians/appeals/0190a0a0-0000-7000-8000-000000000000", { decision: "uphold" }],
		];
		for (const [method, path, body] of requests) {
			await expectProblem(await call(method, path, { body }), 401);
			for (const user of [guide, flourishing, suspended]) {
				await expectProblem(await call(method, path, { token: user.token, body }), 403);
			}
		}
		// Nothing changed.
		const row = await env.DB.prepare("SELECT status FROM moderation_queue_items WHERE id = ?")
			.bind(itemId)
			.first();
		expect(row).toMatchObject({ status: "open" });
	});
});

describe("GET /guardians/queue", () => {
	it("lists open items urgent first, then by score, then oldest first, with their reports and ML flags", async () => {
		const watcher = await guardian("q-list");
		const low = await reportedPost(1);
		const high = await reportedPost(3, "harassment");
		const sameAsLow = await reportedPost(1);
		const worried = await reportedPost(1, "self_harm");
		const items = await fullQueue(watcher);
		const ids = items.map((item) => item.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (let i = 1; i < items.length; i++) {
			const [previous, current] = [items[i - 1], items[i]];
			if (!previous || !current) continue;
			expect(Number(previous.is_urgent)).toBeGreaterThanOrEqual(Number(current.is_urgent));
			if (previous.is_urgent !== current.is_urgent) continue;
			expect(previous.score).toBeGreaterThanOrEqual(current.score);
			if (previous.score === current.score) expect(previous.created_at <= current.created_at).toBe(true);
		}
		// One self-harm report (score 1) comes before three harassment reports (score 3).
		expect(ids.indexOf(worried.itemId)).toBeLessThan(ids.indexOf(high.itemId));
		expect(ids.indexOf(high.itemId)).toBeLessThan(ids.indexOf(low.itemId));
		expect(ids.indexOf(low.itemId)).toBeLessThan(ids.indexOf(sameAsLow.itemId));
		const highItem = items.find((item) => item.id === high.itemId);
		expect(highItem).toMatchObject({ score: 3, report_count: 3, author: { id: high.author.id } });
		expect(highItem?.reports.map((each) => each.reason)).toEqual(["harassment", "harassment", "harassment"]);
		expect(highItem).toHaveProperty("ml");
	});

	it("lists an anonymous request without an author, and each item with its own reports and author", async () => {
		const watcher = await guardian("q-anon-list");
		const requestAuthor = await signUp("q-anon-author");
		const request = await createRequest(requestAuthor);
		await reported(await signUp("q-anon-reporter"), "support_request", request.request.id, "spam");
		const anonymous = await queueItemFor("support_request", request.request.id);
		const known = await reportedPost(2, "harassment");
		const items = await fullQueue(watcher);
		const anonymousItem = items.find((item) => item.id === anonymous.id);
		expect(anonymousItem?.author).toBeNull();
		expect(anonymousItem?.reports.map((each) => each.reason)).toEqual(["spam"]);
		expect(JSON.stringify(anonymousItem)).not.toContain(requestAuthor.id);
		const knownItem = items.find((item) => item.id === known.itemId);
		expect(knownItem?.author?.id).toBe(known.author.id);
		expect(knownItem?.reports.map((each) => each.reason)).toEqual(["harassment", "harassment"]);
	});

	it("filters by target type and status, and rejects bad queries", async () => {
		const watcher = await guardian("q-filter");
		const author = await signUp("q-filter-author");
		await reported(await signUp("q-filter-reporter"), "user", author.id, "harassment");
		const users = await fullQueue(watcher, "&target_type=user");
		expect(users.every((item) => item.target_type === "user")).toBe(true);
		expect(users.map((item) => item.target_id)).toContain(author.id);
		await expectProblem(
			await call("GET", "/api/v1/guardians/queue?status=maybe", { token: watcher.token }),
			422,
		);
		await expectProblem(
			await call("GET", "/api/v1/guardians/queue?limit=1000", { token: watcher.token }),
			422,
		);
		await expectProblem(await call("GET", "/api/v1/guardians/queue/nope", { token: watcher.token }), 422);
		await expectProblem(
			await call("GET", "/api/v1/guardians/queue/0190a0a0-0000-7000-8000-000000000000", {
				token: watcher.token,
			}),
			404,
		);
	});
});

describe("decisions", () => {
	it("dismiss: resolves every report, shows hidden content again, resets the item", async () => {
		const judge = await guardian("d-dismiss");
		const { postId, itemId } = await reportedPost(1);
		await reported(await established("flourishing", "d-dismiss-flourisher"), "post", postId, "spam");
		expect(await moderationStatusOf("posts", postId)).toBe("hidden");
		const result = await expectStatus<{ item: QueueItem; penalty_id: string | null }>(
			await decide(judge, itemId, { decision: "dismiss", reason: "Satire, not spam" }),
			200,
		);
		expect(result).toMatchObject({
			item: { status: "resolved", decision: "dismiss", score: 0, report_count: 0 },
			penalty_id: null,
		});
		expect(await moderationStatusOf("posts", postId)).toBe("clean");
		const reports = await env.DB.prepare("SELECT DISTINCT status FROM reports WHERE queue_item_id = ?")
			.bind(itemId)
			.all();
		expect(reports.results).toEqual([{ status: "dismissed" }]);
		await expectProblem(
			await decide(judge, itemId, { decision: "remove_content", reason: "changed my mind" }),
			409,
		);
	});

	it("remove_content: removes the content and resolves its reports", async () => {
		const judge = await guardian("d-remove");
		const { postId, itemId } = await reportedPost(1);
		await expectStatus(await decide(judge, itemId, { decision: "remove_content", reason: "Spam link" }), 200);
		expect(await moderationStatusOf("posts", postId)).toBe("removed");
		const reports = await env.DB.prepare("SELECT DISTINCT status FROM reports WHERE queue_item_id = ?")
			.bind(itemId)
			.all();
		expect(reports.results).toEqual([{ status: "resolved" }]);
		// Removed content is seen by nobody else, so it cannot be reported again.
		await expectProblem(await report(await signUp("d-remove-late"), "post", postId, "spam"), 404);
	});

	it("a new report after a dismissal reopens the same item with a fresh score", async () => {
		const judge = await guardian("d-reopen");
		const { postId, itemId } = await reportedPost(2);
		await expectStatus(await decide(judge, itemId, { decision: "dismiss", reason: "Fine" }), 200);
		await reported(await signUp("d-reopen-late"), "post", postId, "hate_speech");
		expect(await queueItemFor("post", postId)).toMatchObject({
			id: itemId,
			status: "open",
			report_count: 1,
			score: 1,
		});
		expect(await moderationStatusOf("posts", postId)).toBe("flagged");
	});

	it("warn: a strike for the author, and the reported content is removed", async () => {
		const judge = await guardian("d-warn");
		const { author, postId, itemId } = await reportedPost(1);
		const result = await expectStatus<{ penalty_id: string }>(
			await decide(judge, itemId, { decision: "warn", reason: "Repeated self-promotion" }),
			200,
		);
		const penalty = await env.DB.prepare("SELECT * FROM penalties WHERE id = ?")
			.bind(result.penalty_id)
			.first();
		expect(penalty).toMatchObject({
			user_id: author.id,
			kind: "warning",
			duration: null,
			ends_at: null,
			issued_by: judge.id,
		});
		expect(await moderationStatusOf("posts", postId)).toBe("removed");
		// A warning does not suspend.
		await expectStatus(await call("GET", "/api/v1/trust/me", { token: author.token }), 200);
	});

	it.each([
		["24h", 24 * HOUR_MS],
		["72h", 72 * HOUR_MS],
		["7d", 7 * 24 * HOUR_MS],
		["30d", 30 * 24 * HOUR_MS],
	])("suspend %s: blocks the author's writes at once, for exactly that long", async (duration, ms) => {
		const judge = await guardian(`d-suspend-${duration}`);
		const { author, itemId } = await reportedPost(1);
		const result = await expectStatus<{ penalty_id: string }>(
			await decide(judge, itemId, { decision: "suspend", duration, reason: "Harassment" }),
			200,
		);
		const penalty = await env.DB.prepare("SELECT starts_at, ends_at, duration FROM penalties WHERE id = ?")
			.bind(result.penalty_id)
			.first<{ starts_at: string; ends_at: string; duration: string }>();
		expect(penalty?.duration).toBe(duration);
		expect(Date.parse(penalty?.ends_at ?? "") - Date.parse(penalty?.starts_at ?? "")).toBe(ms);
		const user = await env.DB.prepare("SELECT suspended_until FROM users WHERE id = ?")
			.bind(author.id)
			.first<{ suspended_until: string }>();
		expect(user?.suspended_until).toBe(penalty?.ends_at);
		await expectProblem(await report(author, "user", judge.id, "other"), 403);
		await expectProblem(await call("GET", "/api/v1/trust/me", { token: author.token }), 403);
		// Still allowed to see their own profile (and why).
		await expectStatus(await call("GET", "/api/v1/users/me", { token: author.token }), 200);
	});

	it("suspend permanent: suspended until 9999-12-31", async () => {
		const judge = await guardian("d-permanent");
		const { author, itemId } = await reportedPost(1);
		await expectStatus(
			await decide(judge, itemId, { decision: "suspend", duration: "permanent", reason: "Threats" }),
			200,
		);
		const user = await env.DB.prepare("SELECT suspended_until FROM users WHERE id = ?")
			.bind(author.id)
			.first();
		expect(user).toEqual({ suspended_until: PERMANENT_UNTIL });
		expect(PERMANENT_UNTIL).toBe("9999-12-31T23:59:59.999Z");
	});

	it("a suspension ends by itself once its time has passed", async () => {
		const judge = await guardian("d-expiry");
		const { author, itemId } = await reportedPost(1);
		await expectStatus(
			await decide(judge, itemId, { decision: "suspend", duration: "24h", reason: "Cool off" }),
			200,
		);
		await expectProblem(await call("GET", "/api/v1/trust/me", { token: author.token }), 403);
		// 24 hours later (the clock moved past suspended_until; nothing ran in between).
		await setUserColumns(author.id, { suspended_until: new Date(Date.now() - 1000).toISOString() });
		await expectStatus(await call("GET", "/api/v1/trust/me", { token: author.token }), 200);
		await expectStatus(await report(author, "user", judge.id, "other"), 201);
	});

	it("never shortens a longer suspension", async () => {
		const judge = await guardian("d-longer");
		const first = await reportedPost(1);
		await expectStatus(
			await decide(judge, first.itemId, { decision: "suspend", duration: "30d", reason: "A" }),
			200,
		);
		const postId = await postBy(first.author.id);
		await reported(await signUp("d-longer-reporter"), "post", postId, "spam");
		const second = await queueItemFor("post", postId);
		await expectStatus(
			await decide(judge, second.id, { decision: "suspend", duration: "24h", reason: "B" }),
			200,
		);
		const rows = await env.DB.prepare("SELECT ends_at FROM penalties WHERE user_id = ? ORDER BY ends_at DESC")
			.bind(first.author.id)
			.all<{ ends_at: string }>();
		const user = await env.DB.prepare("SELECT suspended_until FROM users WHERE id = ?")
			.bind(first.author.id)
			.first<{ suspended_until: string }>();
		expect(user?.suspended_until).toBe(rows.results[0]?.ends_at);
	});

	it.each([
		["suspend without a duration", { decision: "suspend", reason: "x" }],
		["a duration on a warning", { decision: "warn", duration: "24h", reason: "x" }],
		["no reason", { decision: "dismiss" }],
		["an unknown decision", { decision: "ban", reason: "x" }],
		["an unknown duration", { decision: "suspend", duration: "1y", reason: "x" }],
		["an unknown field", { decision: "dismiss", reason: "x", notify: true }],
	])("rejects %s with 422", async (_label, body) => {
		const judge = await guardian("d-bad");
		const { itemId } = await reportedPost(1);
		await expectProblem(await decide(judge, itemId, body), 422);
		const row = await env.DB.prepare("SELECT status FROM moderation_queue_items WHERE id = ?")
			.bind(itemId)
			.first();
		expect(row).toEqual({ status: "open" });
	});

	it("refuses to penalise an unknown author, remove a user, or let a guardian judge reports about themselves", async () => {
		const judge = await guardian("d-limits");
		const requestAuthor = await signUp("d-anon");
		const request = await createRequest(requestAuthor);
		await reported(await signUp("d-anon-reporter"), "support_request", request.request.id, "spam");
		const anonymous = await queueItemFor("support_request", request.request.id);
		await expectProblem(await decide(judge, anonymous.id, { decision: "warn", reason: "x" }), 422);
		await expectStatus(
			await decide(judge, anonymous.id, { decision: "remove_content", reason: "Spam" }),
			200,
		);
		expect(await moderationStatusOf("support_requests", request.request.id)).toBe("removed");

		const someone = await signUp("d-user");
		await reported(await signUp("d-user-reporter"), "user", someone.id, "harassment");
		const userItem = await queueItemFor("user", someone.id);
		await expectProblem(await decide(judge, userItem.id, { decision: "remove_content", reason: "x" }), 422);

		await reported(await signUp("d-self-reporter"), "user", judge.id, "harassment");
		const aboutJudge = await queueItemFor("user", judge.id);
		await expectProblem(await decide(judge, aboutJudge.id, { decision: "dismiss", reason: "Not me" }), 403);
	});

	it("lets only one of two guardians deciding at the same moment act", async () => {
		const first = await guardian("d-race-1");
		const second = await guardian("d-race-2");
		const { author, itemId } = await reportedPost(1);
		const statuses = (
			await Promise.all([
				decide(first, itemId, { decision: "warn", reason: "A" }),
				decide(second, itemId, { decision: "warn", reason: "B" }),
			])
		).map((response) => response.status);
		expect(statuses.sort()).toEqual([200, 409]);
		const penalties = await env.DB.prepare("SELECT count(*) AS n FROM penalties WHERE user_id = ?")
			.bind(author.id)
			.first<{ n: number }>();
		expect(penalties?.n).toBe(1);
	});
});
