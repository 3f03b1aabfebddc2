/**
 * Every fellowship list is served by an index in its own order (no table scan, no sort): checked with
 * SQLite's EXPLAIN QUERY PLAN against the real D1 schema, with the same conditions the services use
 * (`listedGroup()` must repeat the partial indexes' WHERE word for word, or SQLite cannot use them).
 */
import { env } from "cloudflare:workers";
import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { eventRsvps, fellowshipGroups as g, groupEvents, groupMembers } from "../../src/db/tables/fellowship";
import { listedGroup } from "../../src/modules/fellowship/access";

const db = createDb(env.DB);
const VISIBLE = ["unchecked", "clean", "flagged"] as const;

async function planOf(query: { toSQL(): { sql: string; params: unknown[] } }): Promise<string[]> {
	const { sql: text, params } = query.toSQL();
	const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${text}`)
		.bind(...params)
		.all<{ detail: string }>();
	return results.map((row) => row.detail);
}

async function expectServedBy(query: { toSQL(): { sql: string; params: unknown[] } }, index: string) {
	const plan = await planOf(query);
	expect(plan[0]).toContain(`USING INDEX ${index}`);
	expect(plan.join("\n")).not.toMatch(/TEMP B-TREE|SCAN \w+$/m);
}

describe("fellowship list queries use their indexes", () => {
	it("lists groups newest first, by type, and by popularity through the listed partial indexes", async () => {
		const visible = inArray(g.moderationStatus, [...VISIBLE]);
		await expectServedBy(
			db
				.select({ group: g, membership: groupMembers })
				.from(g)
				.leftJoin(groupMembers, and(eq(groupMembers.groupId, g.id), eq(groupMembers.userId, "u")))
				.where(and(listedGroup(), visible, eq(g.isSpiritual, false), sql`${g.id} < ${"x"}`))
				.orderBy(desc(g.id))
				.limit(21),
			"fellowship_groups_listed_idx",
		);
		await expectServedBy(
			db
				.select()
				.from(g)
				.where(and(listedGroup(), visible, eq(g.groupType, "local")))
				.orderBy(desc(g.id))
				.limit(21),
			"fellowship_groups_listed_type_idx",
		);
		await expectServedBy(
			db
				.select()
				.from(g)
				.where(and(listedGroup(), visible, sql`(${g.memberCount}, ${g.id}) < (${5}, ${"x"})`))
				.orderBy(desc(g.memberCount), desc(g.id))
				.limit(21),
			"fellowship_groups_listed_popular_idx",
		);
	});

	it("lists members, events and attendees through their indexes", async () => {
		await expectServedBy(
			db
				.select()
				.from(groupMembers)
				.where(
					and(
						eq(groupMembers.groupId, "g"),
						eq(groupMembers.status, "active"),
						sql`${groupMembers.id} > ${"x"}`,
					),
				)
				.orderBy(asc(groupMembers.id))
				.limit(21),
			"group_members_group_status_idx",
		);
		await expectServedBy(
			db
				.select()
				.from(groupEvents)
				.where(
					and(
						eq(groupEvents.groupId, "g"),
						sql`${groupEvents.startsAt} > ${"a"}`,
						sql`${groupEvents.endsAt} > ${"b"}`,
					),
				)
				.orderBy(asc(groupEvents.startsAt), asc(groupEvents.id))
				.limit(21),
			"group_events_group_starts_idx",
		);
		await expectServedBy(
			db
				.select()
				.from(eventRsvps)
				.where(
					and(
						eq(eventRsvps.eventId, "e"),
						eq(eventRsvps.status, "going"),
						isNull(eventRsvps.waitlistPosition),
					),
				)
				.orderBy(asc(eventRsvps.waitlistPosition), asc(eventRsvps.id))
				.limit(21),
			"event_rsvps_event_status_idx",
		);
		await expectServedBy(
			db
				.select()
				.from(eventRsvps)
				.where(
					and(
						eq(eventRsvps.eventId, "e"),
						eq(eventRsvps.status, "waitlisted"),
						sql`(${eventRsvps.waitlistPosition}, ${eventRsvps.id}) > (${3}, ${"x"})`,
					),
				)
				.orderBy(asc(eventRsvps.waitlistPosition), asc(eventRsvps.id))
				.limit(21),
			"event_rsvps_event_status_idx",
		);
	});
});
