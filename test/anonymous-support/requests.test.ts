/**
 * Support requests: creation (validation, limits, crisis), who sees what (community vs guides_only,
 * moderation), urgent first, status changes, and responses by growing+ users with guides' marked.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { type CreatedRequest, createRequest, withToken } from "./helpers";

type Page = {
	data: Array<{ id: string; is_urgent: boolean; visibility: string }>;
	next_cursor: string | null;
};
type Detail = CreatedRequest["request"] & {
	responses: Array<{ id: string; is_guide_response: boolean; body: string; responder: { id: string } }>;
};

async function listAll(user: TestUser, query = ""): Promise<Page["data"]> {
	const items: Page["data"] = [];
	let cursor: string | null = null;
	do {
		const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
		const page: Page = await expectStatus<Page>(
			await call("GET", `/api/v1/support/requests?limit=7${query}${suffix}`, { token: user.token }),
			200,
		);
		items.push(...page.data);
		cursor = page.next_cursor;
	} while (cursor);
	return items;
}

async function growingUser(label: string, columns: Record<string, string> = {}): Promise<TestUser> {
	const user = await signUp(label);
	await setUserColumns(user.id, { trust_level: "growing", ...columns });
	return user;
}

describe("POST /support/requests", () => {
	it("creates an open community request and answers the token once", async () => {
		const author = await signUp("support-create");
		const created = await createRequest(author, { category: "grief" });
		expect(created.request).toMatchObject({
			category: "grief",
			visibility: "community",
			status: "open",
			is_urgent: false,
			response_count: 0,
			is_mine: true,
		});
		expect(created.crisis_resources).toBeUndefined();
	});

	it("marks a crisis urgent, raises a crisis queue item and answers crisis resources", async () => {
		const author = await signUp("support-crisis");
		const created = await createRequest(author, {
			title: "I can't do this anymore",
			body: "I want to end it all tonight. I don't see any way forward and nobody would notice.",
			category: "depression",
		});
		expect(created.request.is_urgent).toBe(true);
		expect(created.crisis_resources?.length).toBeGreaterThan(0);
		expect(created.crisis_resources?.map((resource) => resource.name).join(" ")).toContain("988");
		const item = await env.DB.prepare(
			"SELECT source, is_urgent, target_author_id, status FROM moderation_queue_items WHERE target_type = 'support_request' AND target_id = ?",
		)
			.bind(created.request.id)
			.first();
		expect(item).toMatchObject({ source: "crisis", is_urgent: 1, target_author_id: null, status: "open" });
	});

	it("answers the crisis resources again to the asker who comes back to an urgent request, and to no one else", async () => {
		const author = await signUp("support-crisis-again");
		const guardian = await growingUser("support-crisis-again-guardian", {
			role: "guardian",
			trust_level: "good_soil",
		});
		const urgent = await createRequest(author, {
			title: "Still here, barely",
			body: "I have the pills ready and I want to end my life tonight.",
			category: "depression",
		});
		const calm = await createRequest(author, { category: "grief" });
		const read = (id: string, options: Parameters<typeof call>[2]) =>
			call("GET", `/api/v1/support/requests/${id}`, options);

		type WithResources = Detail & { crisis_resources?: Array<{ name: string; country?: string }> };
		const again = await expectStatus<WithResources>(
			await read(urgent.request.id, { headers: withToken(urgent.token) }),
			200,
		);
		expect(again.is_urgent).toBe(true);
		expect(again.crisis_resources?.map((resource) => resource.name)).toEqual(
			urgent.crisis_resources?.map((resource) => resource.name),
		);
		// Ordered for where the asker is now, as on creation.
		const fromGb = await expectStatus<WithResources>(
			await read(urgent.request.id, { headers: withToken(urgent.token), cf: { country: "GB" } }),
			200,
		);
		expect(fromGb.crisis_resources?.[0]?.country).toBe("GB");
		// Not on a calm request, and never to a reader who is not the asker (a guardian sees the request, not the lines).
		const quiet = await expectStatus<{ crisis_resources?: unknown }>(
			await read(calm.request.id, { headers: withToken(calm.token) }),
			200,
		);
		expect(quiet.crisis_resources).toBeUndefined();
		const seenByGuardian = await expectStatus<{ crisis_resources?: unknown }>(
			await read(urgent.request.id, { token: guardian.token }),
			200,
		);
		expect(seenByGuardian.crisis_resources).toBeUndefined();
	});

	it.each([
		["a missing title", { title: undefined }],
		["a short title", { title: "Hi" }],
		["an oversized body", { body: "b".repeat(5001) }],
		["a blank body", { body: "          " }],
		["an unknown category", { category: "money" }],
		["an unknown visibility", { visibility: "friends" }],
		["an unknown field", { user_id: "0190a0a0-0000-7000-8000-000000000000" }],
		["a wrong type", { title: 42 }],
	])("rejects %s with 422 and stores nothing", async (_label, body) => {
		const author = await signUp("support-bad");
		const before = await env.DB.prepare("SELECT count(*) AS n FROM support_requests").first<{ n: number }>();
		const problem = await expectProblem(
			await call("POST", "/api/v1/support/requests", {
				token: author.token,
				body: { title: "A fine title", body: "A body that is long enough.", category: "stress", ...body },
			}),
			422,
		);
		expect(problem.errors?.length).toBeGreaterThan(0);
		const after = await env.DB.prepare("SELECT count(*) AS n FROM support_requests").first<{ n: number }>();
		expect(after?.n).toBe(before?.n);
	});

	it("answers malformed JSON with 400, anonymous callers with 401 and suspended users with 403", async () => {
		const author = await signUp("support-auth");
		await expectProblem(
			await call("POST", "/api/v1/support/requests", { token: author.token, rawBody: '{"title": "x",' }),
			400,
		);
		await expectProblem(
			await call("POST", "/api/v1/support/requests", {
				body: { title: "Anonymous", body: "Without signing in at all.", category: "other" },
			}),
			401,
		);
		await setUserColumns(author.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(
			await call("POST", "/api/v1/support/requests", {
				token: author.token,
				body: { title: "Suspended", body: "Trying while suspended.", category: "other" },
			}),
			403,
		);
	});

	it("limits new_sprout to 3 requests per UTC day (429 with Retry-After), growing to 6", async () => {
		const sprout = await signUp("support-limit");
		for (let i = 0; i < 3; i++) await createRequest(sprout);
		const refused = await call("POST", "/api/v1/support/requests", {
			token: sprout.token,
			body: { title: "One more time", body: "Hoping someone can listen.", category: "other" },
		});
		const problem = await expectProblem(refused, 429);
		expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
		expect(problem).toMatchObject({ limit_kind: "support_requests", limit: 3 });

		const growing = await growingUser("support-limit-growing");
		for (let i = 0; i < 6; i++) await createRequest(growing);
		await expectProblem(
			await call("POST", "/api/v1/support/requests", {
				token: growing.token,
				body: { title: "Seventh request", body: "Hoping someone can listen.", category: "other" },
			}),
			429,
		);
	});
});

describe("GET /support/requests", () => {
	it("shows guides_only requests only to verified guides and guardians, urgent first, paginated", async () => {
		const author = await signUp("support-list-author");
		const plain = await signUp("support-list-plain");
		const guide = await signUp("support-list-guide");
		await setUserColumns(guide.id, { role: "guide", trust_level: "good_soil" });
		const lapsedGuide = await signUp("support-list-lapsed");
		await setUserColumns(lapsedGuide.id, { role: "guide", trust_level: "growing" });
		const guardian = await signUp("support-list-guardian");
		await setUserColumns(guardian.id, { role: "guardian" });

		const community = await createRequest(author);
		const guidesOnly = await createRequest(author, { visibility: "guides_only" });
		const urgent = await createRequest(author, {
			title: "Please, anyone",
			body: "I want to end it all. I have been thinking about it every night this week.",
		});

		const seenByPlain = (await listAll(plain)).map((item) => item.id);
		expect(seenByPlain).toContain(community.request.id);
		expect(seenByPlain).not.toContain(guidesOnly.request.id);
		expect((await listAll(lapsedGuide)).map((item) => item.id)).not.toContain(guidesOnly.request.id);

		for (const viewer of [guide, guardian]) {
			const items = await listAll(viewer);
			const ids = items.map((item) => item.id);
			expect(ids).toContain(guidesOnly.request.id);
			expect(new Set(ids).size).toBe(ids.length);
			// Urgent requests come before every other one.
			const firstCalm = items.findIndex((item) => !item.is_urgent);
			const lastUrgent = items.map((item) => item.is_urgent).lastIndexOf(true);
			expect(lastUrgent).toBeLessThan(firstCalm === -1 ? Number.POSITIVE_INFINITY : firstCalm);
			expect(ids.indexOf(urgent.request.id)).toBeLessThan(ids.indexOf(community.request.id));
		}
	});

	it("filters by category and status; resolved requests leave the default list", async () => {
		const author = await signUp("support-filter");
		const reader = await signUp("support-filter-reader");
		const grief = await createRequest(author, { category: "grief" });
		const loneliness = await createRequest(author, { category: "loneliness" });
		await expectStatus(
			await call("POST", `/api/v1/support/requests/${loneliness.request.id}/status`, {
				headers: withToken(loneliness.token),
				body: { status: "resolved" },
			}),
			200,
		);
		const griefOnly = await listAll(reader, "&category=grief");
		expect(griefOnly.map((item) => item.id)).toContain(grief.request.id);
		expect(griefOnly.map((item) => item.id)).not.toContain(loneliness.request.id);
		expect((await listAll(reader)).map((item) => item.id)).not.toContain(loneliness.request.id);
		expect((await listAll(reader, "&status=resolved")).map((item) => item.id)).toContain(
			loneliness.request.id,
		);
		await expectProblem(
			await call("GET", "/api/v1/support/requests?status=archived", { token: reader.token }),
			422,
		);
		await expectProblem(
			await call("GET", "/api/v1/support/requests?cursor=garbage", { token: reader.token }),
			400,
		);
		await expectProblem(await call("GET", "/api/v1/support/requests"), 401);
	});

	it("hides requests hidden pending review from everyone but guardians and the token holder", async () => {
		const author = await signUp("support-hidden");
		const reader = await signUp("support-hidden-reader");
		const guardian = await signUp("support-hidden-guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		const created = await createRequest(author);
		await env.DB.prepare("UPDATE support_requests SET moderation_status = 'hidden' WHERE id = ?")
			.bind(created.request.id)
			.run();
		const path = `/api/v1/support/requests/${created.request.id}`;
		expect((await listAll(reader)).map((item) => item.id)).not.toContain(created.request.id);
		await expectProblem(await call("GET", path, { token: reader.token }), 404);
		expect((await listAll(guardian)).map((item) => item.id)).toContain(created.request.id);
		const own = await expectStatus<Detail & { pending_review: boolean }>(
			await call("GET", path, { token: author.token, headers: withToken(created.token) }),
			200,
		);
		expect(own).toMatchObject({ is_mine: true, pending_review: true });
	});

	it("lets the token holder read their own guides_only request", async () => {
		const author = await signUp("support-own-guides-only");
		const created = await createRequest(author, { visibility: "guides_only" });
		const path = `/api/v1/support/requests/${created.request.id}`;
		await expectProblem(await call("GET", path, { token: author.token }), 404);
		await expectStatus(
			await call("GET", path, { token: author.token, headers: withToken(created.token) }),
			200,
		);
	});
});

describe("responses", () => {
	it("the asker reads them with the token alone: no sign-in travels with the request; neither is 401", async () => {
		const author = await signUp("support-read-token-author");
		const guide = await growingUser("support-read-token-guide", { role: "guide", trust_level: "good_soil" });
		const created = await createRequest(author, { visibility: "guides_only" });
		const path = `/api/v1/support/requests/${created.request.id}`;
		await expectStatus(
			await call("POST", `${path}/responses`, { token: guide.token, body: { body: "I'm here to listen." } }),
			201,
		);

		const read = await expectStatus<Detail>(
			await call("GET", path, { headers: withToken(created.token) }),
			200,
		);
		expect(read.responses.map((response) => response.body)).toEqual(["I'm here to listen."]);
		// Without the token, the author signed in is just a member: a guides-only request is not theirs to see.
		await expectProblem(await call("GET", path, { token: author.token }), 404);
		await expectProblem(await call("GET", path, { headers: withToken("not-the-token") }), 403);
		await expectProblem(await call("GET", path), 401);
	});

	it("needs growing or above; guides' responses are marked; the request becomes responded", async () => {
		const author = await signUp("support-respond-author");
		const sprout = await signUp("support-respond-sprout");
		const growing = await growingUser("support-respond-growing");
		const guide = await growingUser("support-respond-guide", { role: "guide", trust_level: "good_soil" });
		const created = await createRequest(author);
		const path = `/api/v1/support/requests/${created.request.id}`;

		await expectProblem(
			await call("POST", `${path}/responses`, { token: sprout.token, body: { body: "Hi" } }),
			403,
		);
		await expectProblem(await call("POST", `${path}/responses`, { body: { body: "Hi" } }), 401);
		const peer = await expectStatus<{ is_guide_response: boolean }>(
			await call("POST", `${path}/responses`, { token: growing.token, body: { body: "I hear you." } }),
			201,
		);
		const byGuide = await expectStatus<{
			is_guide_response: boolean;
			responder: { is_verified_guide: boolean };
		}>(
			await call("POST", `${path}/responses`, {
				token: guide.token,
				body: { body: "Let's talk it through." },
			}),
			201,
		);
		expect(peer.is_guide_response).toBe(false);
		expect(byGuide).toMatchObject({ is_guide_response: true, responder: { is_verified_guide: true } });

		const detail = await expectStatus<Detail>(await call("GET", path, { token: sprout.token }), 200);
		expect(detail).toMatchObject({ status: "responded", response_count: 2 });
		expect(detail.responses.map((response) => response.is_guide_response)).toEqual([false, true]);
	});

	it("validates the body and refuses unknown, invisible and finished requests", async () => {
		const author = await signUp("support-respond-rules");
		const growing = await growingUser("support-respond-rules-growing");
		const created = await createRequest(author);
		const guidesOnly = await createRequest(author, { visibility: "guides_only" });
		const path = `/api/v1/support/requests/${created.request.id}`;
		const { token } = growing;
		await expectProblem(await call("POST", `${path}/responses`, { token, body: {} }), 422);
		await expectProblem(
			await call("POST", `${path}/responses`, { token, body: { body: "x".repeat(5001) } }),
			422,
		);
		await expectProblem(
			await call("POST", `${path}/responses`, { token, body: { body: "ok", extra: 1 } }),
			422,
		);
		await expectProblem(
			await call("POST", "/api/v1/support/requests/0190a0a0-0000-7000-8000-000000000000/responses", {
				token,
				body: { body: "Anyone there?" },
			}),
			404,
		);
		await expectProblem(
			await call("POST", `/api/v1/support/requests/${guidesOnly.request.id}/responses`, {
				token,
				body: { body: "Not a guide" },
			}),
			404,
		);
		await expectStatus(
			await call("POST", `${path}/status`, { headers: withToken(created.token), body: { status: "closed" } }),
			200,
		);
		await expectProblem(await call("POST", `${path}/responses`, { token, body: { body: "Too late?" } }), 409);
	});
});

describe("status and edits", () => {
	it("moves open → resolved → closed, and closed is final", async () => {
		const author = await signUp("support-status");
		const created = await createRequest(author);
		const path = `/api/v1/support/requests/${created.request.id}`;
		const headers = withToken(created.token);
		await expectProblem(await call("POST", `${path}/status`, { headers, body: { status: "open" } }), 422);
		await expectStatus(await call("POST", `${path}/status`, { headers, body: { status: "resolved" } }), 200);
		await expectStatus(await call("POST", `${path}/status`, { headers, body: { status: "closed" } }), 200);
		await expectProblem(await call("POST", `${path}/status`, { headers, body: { status: "resolved" } }), 409);
		await expectProblem(await call("PATCH", path, { headers, body: { title: "Edited after closing" } }), 409);
	});

	it("rejects empty and unknown edits with 422", async () => {
		const author = await signUp("support-edit-bad");
		const created = await createRequest(author);
		const path = `/api/v1/support/requests/${created.request.id}`;
		const headers = withToken(created.token);
		await expectProblem(await call("PATCH", path, { headers, body: {} }), 422);
		await expectProblem(await call("PATCH", path, { headers, body: { status: "closed" } }), 422);
		await expectProblem(await call("PATCH", path, { headers, rawBody: "{" }), 400);
	});
});
