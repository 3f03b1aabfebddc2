/**
 * Prepared queries (src/db/prepared.ts): built once per D1 client, bound per call, and sent together in one
 * D1 batch — with skipped entries sending no statement and yielding no rows.
 */
import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { batchPrepared, preparedQuery } from "../../src/db/prepared";
import { users } from "../../src/db/tables/users";
import { signUp } from "../support/api";
import { countingD1 } from "../support/d1-counter";

const displayNameById = preparedQuery((db) =>
	db
		.select({ id: users.id, displayName: users.displayName })
		.from(users)
		.where(eq(users.id, sql.placeholder("id")))
		.prepare(),
);

describe("prepared queries", () => {
	it("are built once per client and bound with each call's values", async () => {
		const [ada, bea] = [await signUp("prep-ada"), await signUp("prep-bea")];
		const db = createDb(env.DB);
		expect(displayNameById(db)).toBe(displayNameById(db));
		expect(displayNameById(createDb(countingD1(env.DB).db))).not.toBe(displayNameById(db));
		expect((await displayNameById(db).get({ id: ada.id }))?.id).toBe(ada.id);
		expect((await displayNameById(db).get({ id: bea.id }))?.id).toBe(bea.id);
	});

	it("run together in one round trip, in order, and a skipped entry sends nothing and yields []", async () => {
		const [ada, bea] = [await signUp("prep-ada2"), await signUp("prep-bea2")];
		const counter = countingD1(env.DB);
		const db = createDb(counter.db);
		const [first, skipped, second] = await batchPrepared(db, [
			[displayNameById(db), { id: ada.id }],
			undefined,
			[displayNameById(db), { id: bea.id }],
		]);
		expect(first.map((row) => row.id)).toEqual([ada.id]);
		expect(skipped).toEqual([]);
		expect(second.map((row) => row.id)).toEqual([bea.id]);
		expect(counter.roundTrips).toBe(1);
		expect(counter.executed).toHaveLength(2);
	});
});
