/**
 * Query budget: every operation of the OpenAPI document, on its success path, waits on D1 at most
 * READ_BUDGET round trips for a `GET` (warm isolate: the caller's row rides along with the first query,
 * core/accounts/remembered-callers) and WRITE_BUDGET for anything else. A round trip is a sequential wait
 * (one `batch()` is one; calls sent together are one), counted by an instrumented binding that delegates to
 * the real local D1 (test/support/d1-counter.ts).
 *
 * The cases — caller, target, path, body — are the authorization matrix's own success cells
 * (test/security/support/authorization-table.ts), so an operation is measured as soon as it has a row
 * there, and that table must cover the OpenAPI document exactly. The few operations allowed more round
 * trips are in EXCEPTIONS, each with its reason (BENCHMARKS.md lists them too); an exception that is no
 * longer needed fails the test, so the list stays true.
 *
 * Work done inside Durable Objects (chat messages, RSVPs) uses the object's own binding and is not
 * counted here: it is serialised per conversation or event, not per request to the Worker.
 */

import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	expectedStatus,
	MATRIX,
	type Target,
	type Variant,
	variantsOf,
} from "../security/support/authorization-table";
import { buildWorld, CALLER_KINDS, type CallerKind, inBatches, type World } from "../security/support/world";
import { callWithConfig } from "../support/api";
import { countingD1, type ExecutedStatement } from "../support/d1-counter";

/** A read on a warm isolate: one round trip, the caller's row riding along with the read's own query. */
const READ_BUDGET = 1;
/** A write: the checks, with the caller's row riding along; then the atomic write batch. */
const WRITE_BUDGET = 2;
const isRead = (operation: string) => operation.startsWith("GET ");
const defaultBudget = (operation: string) => (isRead(operation) ? READ_BUDGET : WRITE_BUDGET);

/**
 * Operations allowed more than their default budget, with the budget they keep and why. Reads: a second
 * round trip whose query depends on the first one's answer (a page, then its presentation), or the caller's
 * row first where the handler builds its first query from it (route option `callerRowFirst`). Writes: a
 * check that depends on an earlier check, or an answer that reads the changed resource back in a round
 * trip of its own; each is a step the write could still fold into its batch.
 */
const EXCEPTIONS: Record<string, { budget: number; reason: string }> = Object.fromEntries(
	(
		[
			[
				"GET /api/v1/fellowship/events/{event_id}",
				2,
				"the event with my row; then its group (may I see it: the group depends on the event)",
			],
			[
				"GET /api/v1/fellowship/events/{event_id}.ics",
				2,
				"as the event's JSON: the event with my row; then its group (may I see it)",
			],
			[
				"GET /api/v1/fellowship/groups/{group_id}/events",
				2,
				"the group (may I see it) with my row; then its events",
			],
			[
				"GET /api/v1/fellowship/groups/{group_id}/members",
				2,
				"the group (may I see it) with my row; then its members",
			],
			["GET /api/v1/flourish/posts/{post_id}", 2, "the post with my row; its presentation batch"],
			[
				"GET /api/v1/guardians/queue/{item_id}",
				2,
				"the item with my row; then its reports and its live target side by side (the target's table depends on the item)",
			],
			["GET /api/v1/nourishment", 2, "my row first (local date from my time zone, role); the page"],
			[
				"GET /api/v1/nourishment/{item_id}",
				2,
				"my row first (role and local date decide what I may see); the item",
			],
			[
				"GET /api/v1/orchard/conversations/{user_id}/messages",
				2,
				"the peer with my row; then the blocks between us (the messages themselves come from the room)",
			],
			[
				"GET /api/v1/orchard/conversations/{user_id}/ws",
				2,
				"my row first (an upgrade grants a right, so it reads the caller before anything); then the blocks between us",
			],
			[
				"GET /api/v1/search",
				2,
				"the matches (FTS5) with my row; one presentation batch for every kind found (rows and what presents them)",
			],
			["GET /api/v1/sunlight", 2, "the page with my row; its presentation batch"],
			["GET /api/v1/sunlight/{share_id}", 2, "the share with my row; its presentation batch"],
			["GET /api/v1/support/requests", 2, "my row first (my role decides what I see); the page"],
			[
				"GET /api/v1/support/requests/{request_id}",
				2,
				"the request with my row; then its responses (which I may see depends on the request)",
			],
			[
				"GET /api/v1/teamup/projects/{project_id}",
				2,
				"the project (may I see it) with my row; then its members",
			],
			[
				"GET /api/v1/teamup/projects/{project_id}/discussions",
				2,
				"the project (may I see it) with my row; then its discussions",
			],
			[
				"GET /api/v1/teamup/projects/{project_id}/members",
				2,
				"the project (may I see it) with my row; then its members",
			],
			[
				"GET /api/v1/trust/me",
				2,
				"my row first (the answer starts from my trust level); my open applications",
			],
			[
				"GET /api/v1/fellowship/events/{event_id}/rsvps",
				3,
				"the event with my row; then its group with my membership; then the attendee page",
			],
			[
				"GET /api/v1/nourishment/today",
				3,
				"my row first (local date, spiritual opt-in); today's scheduled item and the pool's size; the evergreen pick",
			],
			[
				"GET /api/v1/flourish/posts/{post_id}/similar",
				5,
				"my row; the post with the candidates; their stored vectors (which depend on the candidates); storing the vectors of posts not embedded yet (none once warm: then 4); the page's presentation batch",
			],
			[
				"DELETE /api/v1/users/me",
				3,
				"my row (a deletion is never deferred past it); the erasure batch; the erasure jobs read back to hand them on",
			],
			[
				"DELETE /api/v1/fellowship/groups/{group_id}/members/{user_id}",
				3,
				"the group and the member's row with my row; the write batch; the member's RSVPs (to release seats)",
			],
			[
				"PATCH /api/v1/fellowship/events/{event_id}",
				4,
				"the event with my row; its group with my role; the update (with its fan-out row); after the answer, the fan-out marked handed to the queue",
			],
			[
				"POST /api/v1/fellowship/events/{event_id}/cancel",
				4,
				"the event with my row; its group with my role; the update (with its fan-out row); after the answer, the fan-out marked handed to the queue",
			],
			[
				"POST /api/v1/reports",
				4,
				"the target with my row; blocks; an earlier report; the report batch with its daily quota (queue item, weights, hiding, audit)",
			],
		] as const
	).map(([operation, budget, reason]) => [operation, { budget, reason }]),
);

interface Measured {
	operation: string;
	kind: CallerKind;
	expected: number;
	status: number;
	roundTrips: number;
	/** Per round trip, what it did (e.g. "select users | insert posts+poll_options"). */
	trips: string;
	text: string;
}

/** "select users", "insert posts", … for each statement of one round trip. */
function describeTrips(executed: ExecutedStatement[]): string {
	const trips = new Map<number, string[]>();
	for (const statement of executed) {
		const verb = /^\s*(\w+)/.exec(statement.sql)?.[1]?.toLowerCase() ?? "?";
		const table = /\b(?:from|into|update)\s+"?(\w+)"?/i.exec(statement.sql)?.[1] ?? "?";
		const trip = statement.roundTrip ?? 0;
		trips.set(trip, [...(trips.get(trip) ?? []), `${verb} ${table}`]);
	}
	return [...trips.values()].map((parts) => parts.join("+")).join(" | ");
}

let world: World;

beforeAll(async () => {
	world = await buildWorld();
}, 90_000);

const isSuccess = (status: number) => status >= 200 && status < 300;

/** The matrix cell that succeeds: the target's owner when the owner may, else the first caller who may. */
function successCell(variant: Variant): CallerKind | undefined {
	const kinds: CallerKind[] = ["owner", ...CALLER_KINDS.filter((kind) => kind !== "owner")];
	return kinds.find(
		(kind) => isSuccess(expectedStatus(variant, kind)) || expectedStatus(variant, kind) === 101,
	);
}

async function measure(operation: string, variant: Variant, kind: CallerKind): Promise<Measured> {
	const target: Target = variant.fresh ? await variant.fresh(world, kind) : (variant.target?.(world) ?? {});
	const user =
		target.as ??
		(kind === "anonymous"
			? undefined
			: kind === "owner"
				? (target.owner ?? world.owner)
				: world.callers[kind]);
	const who = { kind, user };
	const params = variant.params?.(target, who, world) ?? target.params ?? {};
	const [method, template] = operation.split(" ") as [string, string];
	const path =
		template.replace(/\{(\w+)\}/g, (_, name: string) => {
			const value = params[name];
			if (value === undefined) throw new Error(`${operation}: no value for {${name}}`);
			return value;
		}) + (variant.query ? `?${variant.query}` : "");
	const body = variant.body?.(target, who, world);
	const counter = countingD1(env.DB);
	const response = await callWithConfig({ DB: counter.db }, method, path, {
		...(user ? { token: user.token } : {}),
		...(body !== undefined ? { body } : {}),
		headers: variant.headers?.(target, who, world) ?? {},
	});
	if (response.webSocket) {
		response.webSocket.accept();
		response.webSocket.close(1000, "budget case done");
	}
	const text = response.status === 101 ? "" : await response.text();
	return {
		operation,
		kind,
		expected: expectedStatus(variant, kind),
		status: response.status,
		roundTrips: counter.roundTrips,
		trips: describeTrips(counter.executed),
		text,
	};
}

describe("D1 round trips per request", () => {
	it(`every read's success path costs ${READ_BUDGET} round trip and every write's at most ${WRITE_BUDGET}, or its listed budget`, async () => {
		const cases = Object.entries(MATRIX).flatMap(([operation, row]) => {
			const variants = variantsOf(row);
			for (const variant of variants) {
				const kind = successCell(variant);
				if (kind) return [{ operation, variant, kind }];
			}
			// No caller of the matrix succeeds (e.g. nobody there is eligible for a trust application): the
			// owner's answer still shows what the request costs.
			const [first] = variants;
			return first ? [{ operation, variant: first, kind: "owner" as const }] : [];
		});
		// Every tabled operation has a success path to measure.
		expect(cases.map((c) => c.operation).sort()).toEqual(Object.keys(MATRIX).sort());
		expect(cases.length).toBeGreaterThan(100);

		// One after another on shared targets (a count must not depend on another case's timing).
		const shared = await inBatches(
			1,
			cases.filter((c) => !c.variant.fresh).map((c) => () => measure(c.operation, c.variant, c.kind)),
		);
		const fresh = await inBatches(
			4,
			cases.filter((c) => c.variant.fresh).map((c) => () => measure(c.operation, c.variant, c.kind)),
		);
		const measured = [...shared, ...fresh];

		const notSuccessful = measured
			.filter((m) => m.status !== m.expected)
			.map(
				(m) => `${m.operation} as ${m.kind}: expected ${m.expected}, got ${m.status} ${m.text.slice(0, 160)}`,
			);
		expect(notSuccessful).toEqual([]);

		const overBudget = measured
			.filter((m) => m.roundTrips > (EXCEPTIONS[m.operation]?.budget ?? defaultBudget(m.operation)))
			.map((m) => `${m.operation}: ${m.roundTrips} round trips`);
		const needless = measured
			.filter((m) => EXCEPTIONS[m.operation] && m.roundTrips <= defaultBudget(m.operation))
			.map((m) => `${m.operation}: listed as an exception but took ${m.roundTrips}`);
		const table = measured
			.map((m) => `${String(m.roundTrips).padStart(2)}  ${m.operation}  [${m.trips}]`)
			.sort()
			.join("\n");
		console.info(`D1 round trips per operation (success path):\n${table}`);
		expect(overBudget).toEqual([]);
		expect(needless).toEqual([]);
		expect(Object.keys(EXCEPTIONS).filter((operation) => !MATRIX[operation])).toEqual([]);
	}, 120_000);
});
