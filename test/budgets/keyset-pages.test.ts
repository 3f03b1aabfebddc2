/**
 * A page after the cursor is found by seeking in the list's index, not by walking every newer row of the
 * person: for each cursor-paged list, the second page's statement (as the code builds it, captured on its
 * way to D1) has an `EXPLAIN QUERY PLAN` that SEARCHes the list's index with a range on the sort column
 * (`(updated_at,id)<(?,?)`), not only on the person (`user_id=?`). And with 2,000 notifications for one
 * person, the statement of page 2 reads about the page (D1's `meta.rows_read`), not the rows before it.
 * (src/db/keyset.ts says why an OR of the sort key hides the range from SQLite.)
 */
import { env } from "cloudflare:workers";
import { eq, SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { CurrentUser } from "../../src/core/accounts/current-user";
import { notificationsChangedQuery } from "../../src/core/notifications";
import { createDb } from "../../src/db/client";
import { NOTIFICATION_TYPES } from "../../src/db/tables/notifications";
import { users } from "../../src/db/tables/users";
import type { Bindings } from "../../src/env";
import { encodeCursor } from "../../src/lib/pagination";
import { topFeed } from "../../src/modules/flourish/posts";
import { listLogs } from "../../src/modules/garden/service";
import { listMyPenalties } from "../../src/modules/guardians/appeals";
import { listAuditLog } from "../../src/modules/guardians/insights";
import { listQueue } from "../../src/modules/guardians/review";
import { listNotifications } from "../../src/modules/notifications/service";
import { listConversations } from "../../src/modules/orchard/chat";
import { shareListQuery } from "../../src/modules/sunlight/service";
import { supportListQuery } from "../../src/modules/support/service";
import { signUp } from "../support/api";
import { countingD1, type ExecutedStatement } from "../support/d1-counter";

const AT = "2026-01-01T10:00:00.000Z";
const ID = "0190a0a0-0000-7000-8000-000000000000";

type Query = { sql: string; params: unknown[] };

async function planOf({ sql, params }: Query): Promise<string[]> {
	const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
		.bind(...params)
		.all<{ detail: string }>();
	return results.map((row) => row.detail);
}

const toQuery = (query: { toSQL(): Query } | SQL): Query =>
	query instanceof SQL ? new SQLiteSyncDialect().sqlToQuery(query) : query.toSQL();

/** The list statement a service function sends to D1 (the one that reads `table` in order, with a limit). */
async function captured(table: string, run: (db: ReturnType<typeof createDb>) => Promise<unknown>) {
	const counter = countingD1(env.DB);
	await run(createDb(counter.db)).catch(() => undefined);
	const statement = counter.executed.find(
		(each: ExecutedStatement) =>
			each.sql.includes(`from "${table}"`) && /order by/i.test(each.sql) && /limit/i.test(each.sql),
	);
	if (!statement) throw new Error(`no list statement on ${table}`);
	return { sql: statement.sql, params: statement.params };
}

/**
 * The plan SEARCHes `index` with a range that starts at the cursor (`bound`: `<` for a newest-first list,
 * `>` for an oldest-first one) on `column`, as `column<?` or `(column,id)<(?,?)` — not only on the index's
 * equality prefix (`user_id=?`), nor only with the NOT NULL bound (`column>?` of a newest-first list).
 */
function expectRangeSeek(
	plan: string[],
	c: { table: string; index: string; column: string; bound: "<" | ">" },
	sql: string,
) {
	const { table, index, column, bound } = c;
	const line = plan.find((detail) =>
		new RegExp(`^SEARCH ${table} USING (COVERING )?INDEX ${index} `).test(detail),
	);
	expect(line, `${sql}\n${plan.join("\n")}`).toBeDefined();
	expect(line, sql).toMatch(new RegExp(`\\b${column}\\b[^?]*${bound}`));
	expect(plan.join("\n"), sql).not.toContain("TEMP B-TREE");
}

let me: CurrentUser;

beforeAll(async () => {
	const user = await signUp("keyset");
	const row = await createDb(env.DB).select().from(users).where(eq(users.id, user.id)).get();
	if (!row) throw new Error("no user");
	me = row;
});

describe("every cursor-paged list seeks to the page after its cursor", () => {
	interface Case {
		name: string;
		table: string;
		index: string;
		column: string;
		bound: "<" | ">";
		query: () => Promise<Query>;
	}
	const cursor = encodeCursor({ at: AT, id: ID });
	const cases: Case[] = [
		{
			name: "my notifications",
			table: "notifications",
			index: "notifications_user_updated_idx",
			column: "updated_at",
			bound: "<",
			query: () => captured("notifications", (db) => listNotifications(db, me.id, { limit: 20, cursor })),
		},
		{
			name: "my unread notifications",
			table: "notifications",
			index: "notifications_unread_idx",
			column: "updated_at",
			bound: "<",
			query: () =>
				captured("notifications", (db) => listNotifications(db, me.id, { limit: 20, cursor, unread: true })),
		},
		{
			name: "the live stream's catch-up (oldest first)",
			table: "notifications",
			index: "notifications_user_updated_idx",
			column: "updated_at",
			bound: ">",
			query: async () =>
				toQuery(notificationsChangedQuery(createDb(env.DB), me.id, { after: { at: AT, id: ID } }, 50)),
		},
		{
			name: "sunlight shares",
			table: "sunlight_shares",
			index: "sunlight_shares_deleted_idx",
			column: "created_at",
			bound: "<",
			query: async () => toQuery(shareListQuery(createDb(env.DB), me, {}, 20, { created_at: AT, id: ID })),
		},
		{
			name: "sunlight shares of a type",
			table: "sunlight_shares",
			index: "sunlight_shares_type_idx",
			column: "created_at",
			bound: "<",
			query: async () =>
				toQuery(shareListQuery(createDb(env.DB), me, { share_type: "win" }, 20, { created_at: AT, id: ID })),
		},
		{
			name: "a habit's logs",
			table: "habit_logs",
			index: "habit_logs_habit_date_idx",
			column: "local_date",
			bound: "<",
			query: () =>
				captured("habit_logs", (db) =>
					listLogs(db, me, ID, { limit: 20, after: { local_date: "2026-01-01", id: ID } }),
				),
		},
		{
			name: "my conversations",
			table: "conversation_summaries",
			index: "conversation_summaries_user_last_idx",
			column: "last_message_at",
			bound: "<",
			query: () => captured("conversation_summaries", (db) => listConversations(db, me.id, 20, cursor)),
		},
		{
			name: "my penalties",
			table: "penalties",
			index: "penalties_user_idx",
			column: "created_at",
			bound: "<",
			query: () =>
				captured("penalties", (db) =>
					listMyPenalties(db, me.id, { limit: 20, after: { created_at: AT, id: ID } }),
				),
		},
		{
			name: "the audit log",
			table: "moderation_actions",
			index: "moderation_actions_created_idx",
			column: "created_at",
			bound: "<",
			query: async () =>
				toQuery(listAuditLog(createDb(env.DB), { limit: 20, after: { created_at: AT, id: ID } })),
		},
		{
			name: "the audit log of one actor",
			table: "moderation_actions",
			index: "moderation_actions_actor_idx",
			column: "created_at",
			bound: "<",
			query: async () =>
				toQuery(
					listAuditLog(createDb(env.DB), { actorId: ID, limit: 20, after: { created_at: AT, id: ID } }),
				),
		},
		{
			name: "the audit log of one target person",
			table: "moderation_actions",
			index: "moderation_actions_target_user_idx",
			column: "created_at",
			bound: "<",
			query: async () =>
				toQuery(
					listAuditLog(createDb(env.DB), { targetUserId: ID, limit: 20, after: { created_at: AT, id: ID } }),
				),
		},
		{
			name: "support requests",
			table: "support_requests",
			index: "support_requests_active_idx",
			column: "created_at",
			bound: "<",
			query: async () =>
				toQuery(supportListQuery(me, { limit: 20, after: { is_urgent: false, created_at: AT, id: ID } })),
		},
		{
			name: "support requests by status",
			table: "support_requests",
			index: "support_requests_status_urgent_idx",
			column: "created_at",
			bound: "<",
			query: async () =>
				toQuery(
					supportListQuery(me, {
						limit: 20,
						status: "resolved",
						after: { is_urgent: true, created_at: AT, id: ID },
					}),
				),
		},
		{
			name: "the moderation queue (mixed directions: a range on urgency and score)",
			table: "moderation_queue_items",
			index: "moderation_queue_items_status_urgent_score_idx",
			column: "score",
			bound: "<",
			query: async () =>
				toQuery(
					listQueue(createDb(env.DB), {
						status: "open",
						limit: 20,
						after: { is_urgent: false, score: 0.5, created_at: AT, id: ID },
					}),
				),
		},
		{
			name: "the feed, top",
			table: "posts",
			index: "posts_hot_score_idx",
			column: "hot_score",
			bound: "<",
			query: () =>
				captured("posts", (db) =>
					topFeed({ db, user: me, env: env as unknown as Bindings }, {}, 20, { hot: 1.5, id: ID }),
				),
		},
	];

	it.each(cases)("$name", async (each) => {
		const statement = await each.query();
		expectRangeSeek(await planOf(statement), each, statement.sql);
	});
});

describe("rows read by a later page", () => {
	const PER_PERSON = 2_000;
	const PAGE = 20;
	/**
	 * The page and its extra row, and a step or two of the index (22 rows); the OR form read every newer row
	 * of the person too: 41 rows for page 2, 1,021 for a page 1,000 rows deep.
	 */
	const BUDGET = PAGE + 10;

	beforeAll(async () => {
		// Two notifications share each second, so the id breaks ties.
		await env.DB.prepare(
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
			INSERT INTO notifications (id, user_id, type, subject_type, subject_id, group_key, created_at, updated_at)
			SELECT printf('0190a0a0-0000-7000-8000-%012d', i), ?1, ?3, 'post', 'p' || i, 'keyset:' || i, t, t
			FROM (SELECT i, strftime('%Y-%m-%dT%H:%M:%S.000Z', '2026-01-01', '+' || (i / 2) || ' seconds') AS t FROM n)`,
		)
			.bind(me.id, PER_PERSON, NOTIFICATION_TYPES[0])
			.run();
	});

	/** Page `cursor` of my notifications: its statement's rows read, and the page. */
	async function readPage(cursor: string | undefined) {
		const statement = await captured("notifications", (db) =>
			listNotifications(db, me.id, { limit: PAGE, cursor }),
		);
		const { meta } = await env.DB.prepare(statement.sql)
			.bind(...statement.params)
			.all();
		const page = await listNotifications(createDb(env.DB), me.id, { limit: PAGE, cursor });
		return { rowsRead: meta.rows_read, page, sql: statement.sql };
	}

	it(`page 2 of ${PAGE}, of ${PER_PERSON} notifications of one person, reads about a page`, async () => {
		const first = await readPage(undefined);
		expect(first.page.data).toHaveLength(PAGE);
		const second = await readPage(first.page.next_cursor ?? undefined);
		expect(second.page.data).toHaveLength(PAGE);
		const seen = new Set(first.page.data.map((each) => each.id));
		expect(second.page.data.some((each) => seen.has(each.id))).toBe(false);
		expect(second.rowsRead, second.sql).toBeLessThanOrEqual(BUDGET);
	});

	it("a page 1,000 rows deep reads no more than page 2", async () => {
		const { results } = await env.DB.prepare(
			"SELECT updated_at AS at, id FROM notifications WHERE user_id = ? ORDER BY updated_at DESC, id DESC LIMIT 2 OFFSET 999",
		)
			.bind(me.id)
			.all<{ at: string; id: string }>();
		const [deep, next] = results;
		if (!deep || !next) throw new Error("no row 1,000");
		const { rowsRead, page, sql } = await readPage(encodeCursor(deep));
		expect(page.data).toHaveLength(PAGE);
		expect(page.data[0]?.id).toBe(next.id);
		expect(rowsRead, sql).toBeLessThanOrEqual(BUDGET);
	});
});
