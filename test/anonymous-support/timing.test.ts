/**
 * Timing cannot tie a support request to the account that wrote it. The attack: a new account's very first
 * call creates a support request; if the request's id (a UUIDv7 carries its millisecond) or its timestamps
 * sat milliseconds from the account's own public creation time, anyone could pair them. So the request gets
 * a random (v4) id and times rounded down to the hour, everywhere they surface — the answers, the list and
 * its cursors, the stored row and its moderation queue item — and the account's public `created_at` is a day.
 * Lists are then ordered by (urgent, hour, id): stable cursor paging with no repeats or gaps.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	call,
	expectStatus,
	setUserColumns,
	signUp,
	type TestUser,
	tokenFor,
	uniqueSub,
} from "../support/api";
import {
	cursorContents,
	expectNoFineTime,
	isWholeDay,
	isWholeHour,
	uuidVersion,
	v7Millis,
} from "../support/timing";
import { type CreatedRequest, createRequest, withToken } from "./helpers";

type Listed = { id: string; is_urgent: boolean; created_at: string; updated_at: string };
type Page = { data: Listed[]; next_cursor: string | null };

let reader: TestUser;

beforeAll(async () => {
	reader = await signUp("timing-reader");
});

/** Every page of the list, with the raw cursors handed out on the way. */
async function pages(user: TestUser, query: string, limit: number) {
	const items: Listed[] = [];
	const cursors: string[] = [];
	let cursor: string | null = null;
	for (let i = 0; i < 200; i++) {
		const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
		const page: Page = await expectStatus<Page>(
			await call("GET", `/api/v1/support/requests?limit=${limit}${query}${after}`, { token: user.token }),
			200,
		);
		items.push(...page.data);
		cursor = page.next_cursor;
		if (!cursor) return { items, cursors };
		cursors.push(cursor);
	}
	throw new Error("the list did not end");
}

describe("a new account whose first call is a support request", () => {
	let author: TestUser;
	let created: CreatedRequest & { request: { created_at: string; updated_at: string } };

	beforeAll(async () => {
		const sub = uniqueSub("timing-first-call");
		const token = await tokenFor(sub);
		// The account is created by this very request.
		created = await expectStatus(
			await call("POST", "/api/v1/support/requests", {
				token,
				body: {
					title: "First time asking",
					body: "I just joined because I need to tell someone how heavy things feel.",
					category: "loneliness",
				},
			}),
			201,
		);
		const me = await expectStatus<{ id: string }>(await call("GET", "/api/v1/users/me", { token }), 200);
		author = { id: me.id, sub, token };
	});

	it("gets a random (v4) id and times rounded down to the hour in the answer", () => {
		expect(uuidVersion(created.request.id)).toBe(4);
		expect(isWholeHour(created.request.created_at), created.request.created_at).toBe(true);
		expect(isWholeHour(created.request.updated_at), created.request.updated_at).toBe(true);
		expect(Date.parse(created.request.created_at)).toBeLessThanOrEqual(Date.now());
		expect(Date.now() - Date.parse(created.request.created_at)).toBeLessThan(60 * 60 * 1000 + 60_000);
	});

	it("shows the account's creation to others as a day, and its id carries no finer time", async () => {
		const profile = await expectStatus<{ created_at: string }>(
			await call("GET", `/api/v1/users/${author.id}`, { token: reader.token }),
			200,
		);
		expect(isWholeDay(profile.created_at), profile.created_at).toBe(true);
		expect(uuidVersion(author.id)).toBe(7);
		expect(v7Millis(author.id) % (24 * 60 * 60 * 1000)).toBe(0);
		expect(v7Millis(author.id)).toBe(Date.parse(profile.created_at));
	});

	it("keeps the rounding on every read: the request, the list and every cursor", async () => {
		await createRequest(await signUp("timing-other-author"), { category: "loneliness" });
		const read = await expectStatus<Listed & { responses: unknown[] }>(
			await call("GET", `/api/v1/support/requests/${created.request.id}`, { token: reader.token }),
			200,
		);
		expectNoFineTime(JSON.stringify({ ...read, responses: [] }), [created.request.id], "single read");
		const { items, cursors } = await pages(reader, "", 1);
		const listed = items.find((item) => item.id === created.request.id);
		expect(listed).toBeDefined();
		expectNoFineTime(JSON.stringify(listed), [created.request.id], "list");
		expect(cursors.length).toBeGreaterThan(0);
		for (const cursor of cursors) expectNoFineTime(cursorContents(cursor), [created.request.id], "cursor");
	});

	it("stores nothing finer than the hour: the row and its moderation queue item", async () => {
		const crisis = await createRequest(author, {
			title: "I can't go on",
			body: "I want to end it all tonight. Nobody would even notice if I was gone.",
		});
		expect(crisis.request.is_urgent).toBe(true);
		for (const id of [created.request.id, crisis.request.id]) {
			const row = await env.DB.prepare("SELECT * FROM support_requests WHERE id = ?").bind(id).first();
			expectNoFineTime(JSON.stringify(row), [id], "support_requests row");
		}
		const item = await env.DB.prepare(
			"SELECT id, created_at, updated_at, resolved_at FROM moderation_queue_items WHERE target_type = 'support_request' AND target_id = ?",
		)
			.bind(crisis.request.id)
			.first<{ id: string; created_at: string; updated_at: string }>();
		expect(item).not.toBeNull();
		expect(uuidVersion(item?.id ?? "")).toBe(4);
		expectNoFineTime(JSON.stringify(item), [item?.id ?? ""], "queue item");
	});

	it("rounds what the token holder does later too: edits, status, helpful marks, deletion", async () => {
		const responder = await signUp("timing-responder");
		await setUserColumns(responder.id, { trust_level: "growing" });
		const mine = await createRequest(author);
		const path = `/api/v1/support/requests/${mine.request.id}`;
		const headers = withToken(mine.token);
		const response = await expectStatus<{ id: string; created_at: string }>(
			await call("POST", `${path}/responses`, { token: responder.token, body: { body: "I'm here." } }),
			201,
		);
		// A named response keeps its time-ordered id and exact time: it is the responder's, under their name.
		expect(uuidVersion(response.id)).toBe(7);
		const before = await env.DB.prepare("SELECT updated_at FROM support_responses WHERE id = ?")
			.bind(response.id)
			.first<{ updated_at: string }>();

		const edited = await expectStatus<Listed>(
			await call("PATCH", path, { headers, body: { title: "Edited a moment later" } }),
			200,
		);
		expectNoFineTime(JSON.stringify(edited), [mine.request.id], "edit answer");
		await expectStatus(
			await call("POST", `/api/v1/support/responses/${response.id}/helpful`, { headers }),
			200,
		);
		// The helpful mark is the requester's act: it leaves no time on the responder's row (nor in their export).
		const after = await env.DB.prepare("SELECT updated_at, is_helpful FROM support_responses WHERE id = ?")
			.bind(response.id)
			.first<{ updated_at: string; is_helpful: number }>();
		expect(after).toEqual({ updated_at: before?.updated_at, is_helpful: 1 });
		const resolved = await expectStatus<Listed>(
			await call("POST", `${path}/status`, { headers, body: { status: "resolved" } }),
			200,
		);
		expectNoFineTime(JSON.stringify(resolved), [mine.request.id], "status answer");
		expect((await call("DELETE", path, { headers })).status).toBe(204);
		const row = await env.DB.prepare("SELECT * FROM support_requests WHERE id = ?")
			.bind(mine.request.id)
			.first<{ deleted_at: string | null }>();
		expect(row?.deleted_at).not.toBeNull();
		expectNoFineTime(JSON.stringify(row), [mine.request.id], "deleted row");
	});
});

describe("the list without time-ordered ids", () => {
	it("pages many requests of one hour and of earlier hours with no repeats or gaps, urgent first", async () => {
		const author = await signUp("timing-many");
		await setUserColumns(author.id, { role: "guardian" });
		const made: string[] = [];
		for (let i = 0; i < 24; i++) made.push((await createRequest(author, { category: "grief" })).request.id);
		const urgent = await createRequest(author, {
			category: "grief",
			title: "Please help",
			body: "I want to end it all. I keep thinking about it every single night.",
		});
		made.push(urgent.request.id);
		// Spread some over earlier hours (test setup: the server only ever writes the current hour).
		for (const [index, hoursAgo] of [
			[0, 3],
			[1, 3],
			[2, 1],
			[3, 26],
		] as const) {
			const at = new Date(
				Math.floor(Date.now() / 3_600_000) * 3_600_000 - hoursAgo * 3_600_000,
			).toISOString();
			await env.DB.prepare("UPDATE support_requests SET created_at = ?, updated_at = ? WHERE id = ?")
				.bind(at, at, made[index])
				.run();
		}

		const whole = (await pages(reader, "&category=grief", 100)).items;
		expect(whole.map((item) => item.id).sort()).toEqual([...made].sort());
		for (const limit of [1, 4, 7]) {
			const { items, cursors } = await pages(reader, "&category=grief", limit);
			const ids = items.map((item) => item.id);
			expect(new Set(ids).size, `limit ${limit}: repeats`).toBe(ids.length);
			expect(ids, `limit ${limit}: the same list as one page`).toEqual(whole.map((item) => item.id));
			for (const cursor of cursors) expectNoFineTime(cursorContents(cursor), made, "cursor");
		}
		// Urgent first, then newest hour first; within an hour the order is arbitrary but stable.
		expect(whole[0]?.id).toBe(urgent.request.id);
		const calm = whole.slice(1);
		for (let i = 1; i < calm.length; i++) {
			expect(Number(calm[i - 1]?.is_urgent)).toBeGreaterThanOrEqual(Number(calm[i]?.is_urgent));
			expect((calm[i - 1]?.created_at ?? "") >= (calm[i]?.created_at ?? "")).toBe(true);
		}
		expect(calm.at(-1)?.id).toBe(made[3]);
		expect(whole.every((item) => uuidVersion(item.id) === 4)).toBe(true);

		// The same holds with the status filter (another index).
		const byStatus = (await pages(reader, "&category=grief&status=open", 3)).items.map((item) => item.id);
		expect(byStatus).toEqual(whole.map((item) => item.id));
	});

	it("rejects a cursor of the old shape (id only) with 400", async () => {
		const old = btoa(JSON.stringify({ is_urgent: false, id: crypto.randomUUID() }))
			.replaceAll("+", "-")
			.replaceAll("/", "_")
			.replace(/=+$/, "");
		const response = await call("GET", `/api/v1/support/requests?cursor=${old}`, { token: reader.token });
		expect(response.status).toBe(400);
		expect(response.headers.get("content-type")).toContain("application/problem+json");
	});
});
