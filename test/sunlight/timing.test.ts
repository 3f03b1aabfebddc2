/**
 * Timing cannot tie an anonymous share to its author. A new account whose first call is an anonymous share
 * must not get a share whose id (a UUIDv7 carries its millisecond) or times sit next to the account's own
 * creation: an anonymous share gets a random (v4) id and times rounded down to the hour wherever they
 * surface — answers, the list and its cursors, the stored row, the moderation snapshot, the author's export —
 * while named shares keep their time-ordered ids. The list, mixing both, is ordered by (created_at, id).
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	call,
	expectProblem,
	expectStatus,
	setUserColumns,
	signUp,
	type TestUser,
	tokenFor,
	uniqueSub,
} from "../support/api";
import { cursorContents, expectNoFineTime, isWholeDay, isWholeHour, uuidVersion } from "../support/timing";
import { type Share, share } from "./helpers";

type Listed = Share & { created_at: string };
type Page = { data: Listed[]; next_cursor: string | null };

let reader: TestUser;

beforeAll(async () => {
	reader = await signUp("sun-timing-reader");
});

async function pages(user: TestUser, query: string, limit: number) {
	const items: Listed[] = [];
	const cursors: string[] = [];
	let cursor: string | null = null;
	for (let i = 0; i < 300; i++) {
		const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
		const page: Page = await expectStatus<Page>(
			await call("GET", `/api/v1/sunlight?limit=${limit}${query}${after}`, { token: user.token }),
			200,
		);
		items.push(...page.data);
		cursor = page.next_cursor;
		if (!cursor) return { items, cursors };
		cursors.push(cursor);
	}
	throw new Error("the list did not end");
}

const row = (id: string) =>
	env.DB.prepare("SELECT * FROM sunlight_shares WHERE id = ?").bind(id).first<Record<string, unknown>>();

describe("a new account whose first call is an anonymous share", () => {
	let author: TestUser;
	let anonymous: Listed;

	beforeAll(async () => {
		const sub = uniqueSub("sun-first-call");
		const token = await tokenFor(sub);
		anonymous = await expectStatus<Listed>(
			await call("POST", "/api/v1/sunlight", {
				token,
				body: { share_type: "win", body: "Thirty days clean today", anonymous: true },
			}),
			201,
		);
		const me = await expectStatus<{ id: string }>(await call("GET", "/api/v1/users/me", { token }), 200);
		author = { id: me.id, sub, token };
	});

	it("gets a random id and an hour, while the account shows only its day", async () => {
		expect(uuidVersion(anonymous.id)).toBe(4);
		expect(isWholeHour(anonymous.created_at), anonymous.created_at).toBe(true);
		const profile = await expectStatus<{ created_at: string }>(
			await call("GET", `/api/v1/users/${author.id}`, { token: reader.token }),
			200,
		);
		expect(isWholeDay(profile.created_at), profile.created_at).toBe(true);
	});

	it("a named share of the same person keeps a time-ordered id and its exact time", async () => {
		const named = (await share(author, { body: "Grateful for my sister" })) as Listed;
		expect(uuidVersion(named.id)).toBe(7);
		expect(Math.abs(Date.parse(named.created_at) - Date.now())).toBeLessThan(60_000);
	});

	it("keeps the rounding on every read, the stored row and the moderation snapshot", async () => {
		const detail = await expectStatus<Listed>(
			await call("GET", `/api/v1/sunlight/${anonymous.id}`, { token: reader.token }),
			200,
		);
		expectNoFineTime(JSON.stringify(detail), [anonymous.id], "detail");
		const { items } = await pages(reader, "", 100);
		expectNoFineTime(JSON.stringify(items.find((item) => item.id === anonymous.id)), [anonymous.id], "list");
		expectNoFineTime(JSON.stringify(await row(anonymous.id)), [anonymous.id], "row");

		await expectStatus(
			await call("POST", "/api/v1/reports", {
				token: reader.token,
				body: { target_type: "sunlight_share", target_id: anonymous.id, reason: "other" },
			}),
			201,
		);
		const item = await env.DB.prepare(
			"SELECT content_snapshot FROM moderation_queue_items WHERE target_type = 'sunlight_share' AND target_id = ?",
		)
			.bind(anonymous.id)
			.first<{ content_snapshot: string }>();
		expect(item?.content_snapshot).toContain("created_at");
		expectNoFineTime(item?.content_snapshot ?? "", [anonymous.id], "queue snapshot");
	});

	it("rounds the author's later acts too (edit, delete), and a reaction leaves no time on it", async () => {
		const later = await share(author, { body: "Slept eight hours", anonymous: true });
		await expectStatus(
			await call("PUT", `/api/v1/sunlight/${later.id}/reactions/hug`, { token: reader.token }),
			200,
		);
		expectNoFineTime(JSON.stringify(await row(later.id)), [later.id], "after a reaction");
		const edited = await expectStatus<Listed>(
			await call("PATCH", `/api/v1/sunlight/${later.id}`, {
				token: author.token,
				body: { body: "Slept eight whole hours" },
			}),
			200,
		);
		expect(edited.edited_at).not.toBeNull();
		expectNoFineTime(JSON.stringify(edited), [later.id], "edit answer");
		expectNoFineTime(JSON.stringify(await row(later.id)), [later.id], "edited row");
		expect((await call("DELETE", `/api/v1/sunlight/${later.id}`, { token: author.token })).status).toBe(204);
		const gone = await row(later.id);
		expect(gone?.deleted_at).not.toBeNull();
		expectNoFineTime(JSON.stringify(gone), [later.id], "deleted row");
	});

	it("lists the author's own shares newest first in their export, anonymous ones rounded", async () => {
		const exported = await expectStatus<{ sunlight: { shares: Array<{ id: string; created_at: string }> } }>(
			await call("GET", "/api/v1/users/me/export", { token: author.token }),
			200,
		);
		const shares = exported.sunlight.shares;
		expect(shares.map((each) => each.id)).toContain(anonymous.id);
		for (let i = 1; i < shares.length; i++) {
			expect((shares[i - 1]?.created_at ?? "") >= (shares[i]?.created_at ?? "")).toBe(true);
		}
		expectNoFineTime(
			JSON.stringify(shares.find((each) => each.id === anonymous.id)),
			[anonymous.id],
			"export",
		);
	});
});

describe("anonymity cannot be granted after the fact", () => {
	it("a share shown with its author's name cannot be made anonymous (409); the reverse stays possible", async () => {
		const author = await signUp("sun-no-retro");
		const named = await share(author, { body: "Ran my first 5k" });
		const problem = await expectProblem(
			await call("PATCH", `/api/v1/sunlight/${named.id}`, { token: author.token, body: { anonymous: true } }),
			409,
		);
		expect(problem.detail).toMatch(/anonymous/i);
		expect((await row(named.id))?.is_anonymous).toBe(0);
		// Saying `anonymous: false` of a named share, or `true` of an anonymous one, changes nothing: fine.
		await expectStatus(
			await call("PATCH", `/api/v1/sunlight/${named.id}`, {
				token: author.token,
				body: { anonymous: false },
			}),
			200,
		);
		const quiet = await share(author, { body: "Called my mum", anonymous: true });
		await expectStatus(
			await call("PATCH", `/api/v1/sunlight/${quiet.id}`, { token: author.token, body: { anonymous: true } }),
			200,
		);
	});
});

describe("the list, named and anonymous shares together", () => {
	it("pages many anonymous shares of one hour among named ones with no repeats or gaps, newest first", async () => {
		const authors = await Promise.all([0, 1, 2].map((i) => signUp(`sun-many-${i}`)));
		for (const each of authors) await setUserColumns(each.id, { role: "guardian" });
		const made: string[] = [];
		const anonymousIds: string[] = [];
		for (let i = 0; i < 24; i++) {
			const anonymous = i % 3 !== 0;
			const created = await share(authors[i % 3] as TestUser, {
				share_type: "kindness",
				body: `Kindness number ${i}`,
				anonymous,
			});
			made.push(created.id);
			if (anonymous) anonymousIds.push(created.id);
		}
		// One anonymous share from three hours ago (test setup: the server only ever writes the current hour).
		const oldest = anonymousIds[0] as string;
		const earlier = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000).toISOString();
		await env.DB.prepare("UPDATE sunlight_shares SET created_at = ?, updated_at = ? WHERE id = ?")
			.bind(earlier, earlier, oldest)
			.run();

		const whole = (await pages(reader, "&share_type=kindness", 100)).items;
		expect(whole.map((item) => item.id).sort()).toEqual([...made].sort());
		for (let i = 1; i < whole.length; i++) {
			expect((whole[i - 1]?.created_at ?? "") >= (whole[i]?.created_at ?? "")).toBe(true);
		}
		expect(whole.at(-1)?.id).toBe(oldest);
		for (const [query, limit] of [
			["&share_type=kindness", 1],
			["&share_type=kindness", 5],
		] as const) {
			const { items, cursors } = await pages(reader, query, limit);
			const ids = items.map((item) => item.id);
			expect(new Set(ids).size).toBe(ids.length);
			expect(ids).toEqual(whole.map((item) => item.id));
			// A cursor that ends on an anonymous share carries its hour and its random id, nothing finer.
			for (const cursor of cursors) {
				const key = JSON.parse(cursorContents(cursor)) as { created_at: string; id: string };
				if (anonymousIds.includes(key.id)) expect(isWholeHour(key.created_at), key.created_at).toBe(true);
			}
		}
		// Without a type filter too (another index), still no repeats.
		const all = (await pages(reader, "", 7)).items.map((item) => item.id);
		expect(new Set(all).size).toBe(all.length);
		for (const id of made) expect(all).toContain(id);
	});

	it("rejects a cursor of the old shape (id only) with 400", async () => {
		const old = btoa(JSON.stringify({ id: crypto.randomUUID() }))
			.replaceAll("+", "-")
			.replaceAll("/", "_")
			.replace(/=+$/, "");
		await expectProblem(await call("GET", `/api/v1/sunlight?cursor=${old}`, { token: reader.token }), 400);
	});
});
