/**
 * `GET /nourishment/today`: the item scheduled for the caller's LOCAL date (time zone and day-start hour;
 * UTC for anonymous callers), else a deterministic pick from the evergreen pool — the same item all day;
 * spiritual items only for opted-in users.
 *
 * The dates are computed from the clock at run time and the scenarios pick zones whose local date differs
 * from UTC right now, so the tests hold whatever the hour of the run.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { dailyIndex } from "../../src/modules/nourishment/service";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";

type Item = { id: string; title: string; publish_date: string | null; is_spiritual: boolean };
type Today = { date: string; source: "scheduled" | "evergreen"; item: Item };

let guardian: TestUser;

beforeAll(async () => {
	guardian = await signUp("today-guardian");
	await setUserColumns(guardian.id, { role: "guardian" });
});

const dateIn = (timeZone: string, at = new Date()) =>
	new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
		at,
	);
const hourIn = (timeZone: string, at = new Date()) =>
	Number(new Intl.DateTimeFormat("en-US", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(at)) % 24;

async function createItem(body: Record<string, unknown>): Promise<Item> {
	return expectStatus<Item>(
		await call("POST", "/api/v1/nourishment", {
			token: guardian.token,
			body: { title: "Untitled", content_type: "quote", category: "hope", ...body },
		}),
		201,
	);
}

/** Frees the dates of scheduled items (one live item per date) for the next test. */
async function removeItems(...items: Item[]) {
	for (const item of items) {
		expect((await call("DELETE", `/api/v1/nourishment/${item.id}`, { token: guardian.token })).status).toBe(
			204,
		);
	}
}

/** Not a real bookmark: D1 ignores it, but a request carrying one is never answered from the edge cache. */
const PAST_THE_EDGE = { "X-D1-Bookmark": "fresh-read" };

/**
 * Today's item as `user` (or anonymously). An anonymous answer is kept at the edge for a minute
 * (test/headers/edge-cache.test.ts proves that); these tests are about the rule, so each anonymous read
 * goes past the cache with a bookmark header (an unknown query parameter would be a 422).
 */
async function today(user?: TestUser): Promise<Today> {
	const options = user ? { token: user.token } : { headers: PAST_THE_EDGE };
	return expectStatus<Today>(await call("GET", "/api/v1/nourishment/today", options), 200);
}

describe("with nothing to show", () => {
	it("is 404 problem+json while nothing is scheduled and the pool is empty", async () => {
		await expectProblem(await call("GET", "/api/v1/nourishment/today"), 404);
	});
});

describe("the evergreen pool", () => {
	it("picks the same item all day, for anonymous callers and users alike on the same date", async () => {
		const pool: Item[] = [];
		for (let i = 0; i < 7; i++) pool.push(await createItem({ title: `Evergreen ${i}` }));
		const first = await today();
		expect(first.source).toBe("evergreen");
		expect(first.date).toBe(new Date().toISOString().slice(0, 10));
		// The pick is the pool in id order, indexed by a hash of the date.
		const ordered = pool.map((item) => item.id).sort();
		expect(first.item.id).toBe(ordered[dailyIndex(first.date, ordered.length)]);
		for (let i = 0; i < 3; i++) expect((await today()).item.id).toBe(first.item.id);
		const utcUser = await signUp("today-utc");
		expect((await today(utcUser)).item.id).toBe(first.item.id);
	});
});

describe("a scheduled item", () => {
	it("is today's item on its date in the caller's time zone; anonymous callers get UTC's date", async () => {
		// A zone whose date differs from UTC's right now: +14 h from 10:00 UTC on, −11 h before 11:00 UTC.
		const utcDate = dateIn("UTC");
		const zone = dateIn("Pacific/Kiritimati") !== utcDate ? "Pacific/Kiritimati" : "Pacific/Pago_Pago";
		const localDate = dateIn(zone);
		expect(localDate).not.toBe(utcDate);

		const forUtc = await createItem({ title: "UTC's item", publish_date: utcDate });
		const forZone = await createItem({ title: "The zone's item", publish_date: localDate });
		const traveller = await signUp("today-zone");
		await setUserColumns(traveller.id, { timezone: zone });

		const mine = await today(traveller);
		expect(mine).toMatchObject({ date: localDate, source: "scheduled", item: { id: forZone.id } });
		const anonymous = await today();
		expect(anonymous).toMatchObject({ date: utcDate, source: "scheduled", item: { id: forUtc.id } });
		await removeItems(forUtc, forZone);
	});

	it("respects the day-start hour: before it, it is still yesterday", async () => {
		const zone = hourIn("UTC") < 23 ? "UTC" : "Pacific/Kiritimati";
		const yesterday = new Date(Date.parse(`${dateIn(zone)}T12:00:00Z`) - 86_400_000)
			.toISOString()
			.slice(0, 10);
		const item = await createItem({ title: "Yesterday's item", publish_date: yesterday });
		const nightOwl = await signUp("today-night-owl");
		await setUserColumns(nightOwl.id, { timezone: zone, day_start_hour: hourIn(zone) + 1 });
		expect(await today(nightOwl)).toMatchObject({ date: yesterday, item: { id: item.id } });
		await removeItems(item);
	});

	it("gives a spiritual scheduled item only to opted-in users; others get an evergreen pick", async () => {
		const zone = "Asia/Kathmandu";
		const date = dateIn(zone);
		const scheduled = await createItem({
			title: "Scripture of the day",
			content_type: "scripture",
			category: "faith",
			is_spiritual: true,
			publish_date: date,
		});
		const believer = await signUp("today-believer");
		const secular = await signUp("today-not-opted");
		await setUserColumns(believer.id, { timezone: zone, spiritual_opt_in: 1 });
		await setUserColumns(secular.id, { timezone: zone });
		expect((await today(believer)).item.id).toBe(scheduled.id);
		const other = await today(secular);
		expect(other.item.id).not.toBe(scheduled.id);
		expect(other.item.is_spiritual).toBe(false);
		await removeItems(scheduled);
	});

	it("does not show a deleted item; the pool takes over", async () => {
		const zone = "Asia/Tokyo";
		const date = dateIn(zone);
		const item = await createItem({ title: "Soon deleted", publish_date: date });
		const user = await signUp("today-deleted");
		await setUserColumns(user.id, { timezone: zone });
		expect((await today(user)).item.id).toBe(item.id);
		expect((await call("DELETE", `/api/v1/nourishment/${item.id}`, { token: guardian.token })).status).toBe(
			204,
		);
		const after = await today(user);
		expect(after.source).toBe("evergreen");
		const row = await env.DB.prepare("SELECT deleted_at FROM nourishment_items WHERE id = ?")
			.bind(item.id)
			.first<{ deleted_at: string | null }>();
		expect(row?.deleted_at).not.toBeNull();
	});
});
