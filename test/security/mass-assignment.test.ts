/**
 * OWASP API3 (property level), writes: no request can set what only the server decides — roles, trust,
 * authors and owners, token hashes, verification, counters, ids, timestamps, moderation state.
 *
 * Every operation of the OpenAPI document that takes a body gets its valid body (the one the
 * authorization table uses) plus one such property at a time, sent by a caller who may make the change:
 * each answer is 422 naming exactly that property, and the database is byte-for-byte what it was.
 * Writes without a body get those properties in a body (they succeed, and the stored rows show the
 * server's values) and in the query string (a 422 naming each unknown parameter, nothing written).
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { expectStatus } from "../support/api";
import { expectedStatus, MATRIX, type Target, type Variant, variantsOf } from "./support/authorization-table";
import {
	buildWorld,
	type CallerKind,
	inBatches,
	must,
	quietRequestLog,
	request,
	type World,
} from "./support/world";

type Schema = { $ref?: string; properties?: Record<string, unknown>; allOf?: Schema[]; anyOf?: Schema[] };
type Operation = { requestBody?: { content?: Record<string, { schema?: Schema }> } };
type OpenApiDocument = {
	paths: Record<string, Record<string, Operation>>;
	components?: { schemas?: Record<string, Schema> };
};

let world: World;
let doc: OpenApiDocument;

beforeAll(async () => {
	quietRequestLog();
	doc = await expectStatus<OpenApiDocument>(await request("GET", "/api/v1/openapi.json"), 200);
	world = await buildWorld();
}, 120_000);

/** Properties only the server sets, each with a value an attacker would like. */
function forbiddenProperties(w: World): Record<string, unknown> {
	return {
		id: crypto.randomUUID(),
		role: "guardian",
		trust_level: "flourishing",
		trust_locked: true,
		is_verified: true,
		is_verified_guide: true,
		author_id: w.callers.stranger.id,
		owner_id: w.callers.stranger.id,
		user_id: w.callers.stranger.id,
		responder_id: w.callers.stranger.id,
		token_hash: "AAAA",
		token_salt: "AAAA",
		reaction_count: 999,
		comment_count: 999,
		member_count: 999,
		response_count: 999,
		score: 999,
		moderation_status: "clean",
		is_urgent: false,
		suspended_until: null,
		email: "attacker@example.test",
		created_at: "2000-01-01T00:00:00.000Z",
		updated_at: "2000-01-01T00:00:00.000Z",
		deleted_at: null,
	};
}

function propertiesOf(schema: Schema | undefined): Set<string> {
	if (!schema) return new Set();
	if (schema.$ref) {
		const name = schema.$ref.replace("#/components/schemas/", "");
		return propertiesOf(doc.components?.schemas?.[name]);
	}
	const names = new Set(Object.keys(schema.properties ?? {}));
	for (const part of [...(schema.allOf ?? []), ...(schema.anyOf ?? [])]) {
		for (const name of propertiesOf(part)) names.add(name);
	}
	return names;
}

/** Who may make the change, in order of preference. */
const ALLOWED_ORDER: CallerKind[] = [
	"owner",
	"guardian",
	"stranger",
	"flourishing",
	"good_soil",
	"growing",
	"new_sprout",
	"guide",
	"suspended",
];

async function databaseState(): Promise<string> {
	const { results: tables } = await env.DB.prepare(
		"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations' AND sql NOT LIKE '%WITHOUT ROWID%' ORDER BY name",
	).all<{ name: string }>();
	const dump: Record<string, unknown[]> = {};
	for (const { name } of tables) {
		dump[name] = (await env.DB.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()).results;
	}
	return JSON.stringify(dump);
}

interface Attempt {
	operation: string;
	property: string;
	run: () => Promise<{ status: number; text: string }>;
}

function attemptsFor(operation: string, variant: Variant, accepted: Set<string>): Attempt[] {
	// Someone the change is allowed for; else (eligibility rules, e.g. trust applications) someone the
	// route's guard lets through: validation answers before any of the handler's rules.
	const kind =
		ALLOWED_ORDER.find((each) => {
			const status = expectedStatus(variant, each);
			return status >= 200 && status < 300;
		}) ?? ALLOWED_ORDER.find((each) => ![401, 403].includes(expectedStatus(variant, each)));
	if (!kind || !variant.body) return [];
	const target: Target = variant.target?.(world) ?? {};
	const user =
		kind === "owner"
			? (target.owner ?? world.owner)
			: world.callers[kind as Exclude<CallerKind, "anonymous">];
	const who = { kind, user };
	const params = variant.params?.(target, who, world) ?? target.params ?? {};
	const [method, template] = operation.split(" ") as [string, string];
	const path = template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? "");
	const valid = variant.body(target, who, world) as Record<string, unknown>;
	return Object.entries(forbiddenProperties(world))
		.filter(([property]) => !accepted.has(property))
		.map(([property, value]) => ({
			operation,
			property,
			run: async () => {
				const response = await request(method, path, {
					as: user,
					body: { ...valid, [property]: value },
					headers: variant.headers?.(target, who, world) ?? {},
				});
				return { status: response.status, text: await response.text() };
			},
		}));
}

describe("bodies with server-owned properties", () => {
	it("are rejected with 422 on every write, and change nothing", async () => {
		const attempts: Attempt[] = [];
		const uncovered: string[] = [];
		for (const [path, operations] of Object.entries(doc.paths)) {
			for (const [method, operation] of Object.entries(operations)) {
				const schema = operation.requestBody?.content?.["application/json"]?.schema;
				if (!schema) continue;
				const key = `${method.toUpperCase()} ${path}`;
				const row = MATRIX[key];
				// The first variant with a caller allowed to write is enough: validation does not look at targets.
				const found =
					(row ? variantsOf(row) : [])
						.map((variant) => attemptsFor(key, variant, propertiesOf(schema)))
						.find((each) => each.length > 0) ?? [];
				if (found.length === 0) uncovered.push(key);
				attempts.push(...found);
			}
		}
		expect(uncovered, "writes with a body but no valid body in the authorization table").toEqual([]);

		// Nested objects are strict too.
		const closesAt = new Date(Date.now() + 86_400_000).toISOString();
		attempts.push(
			{
				operation: "POST /api/v1/flourish/posts (poll)",
				property: "poll/id",
				run: async () => {
					const response = await request("POST", "/flourish/posts", {
						as: world.owner,
						body: {
							type: "poll",
							body: "Which day?",
							poll: { options: ["Mon", "Tue"], closes_at: closesAt, votes: 100, id: crypto.randomUUID() },
						},
					});
					return { status: response.status, text: await response.text() };
				},
			},
			{
				operation: "POST /api/v1/reports (chat message)",
				property: "message/weight",
				run: async () => {
					const response = await request("POST", "/reports", {
						as: world.callers.stranger,
						body: {
							target_type: "chat_message",
							target_id: "msg-1",
							reason: "harassment",
							message: { author_id: world.owner.id, body: "rude", weight: 100 },
						},
					});
					return { status: response.status, text: await response.text() };
				},
			},
		);

		const before = await databaseState();
		const outcomes = await inBatches(
			8,
			attempts.map((attempt) => async () => ({ attempt, ...(await attempt.run()) })),
		);
		const wrong = outcomes
			.filter((o) => {
				if (o.status !== 422) return true;
				const problem = JSON.parse(o.text) as { errors?: Array<{ field: string; message: string }> };
				const leaf = o.attempt.property.split("/").at(-1) as string;
				// Exactly one complaint, about that property: the rest of the body was valid.
				return problem.errors?.length !== 1 || !JSON.stringify(problem.errors).includes(leaf);
			})
			.map((o) => `${o.attempt.operation} + ${o.attempt.property}: ${o.status} ${o.text.slice(0, 200)}`);
		expect(wrong).toEqual([]);
		expect(await databaseState()).toBe(before);
		expect(outcomes.length).toBeGreaterThan(500);
		console.info(`mass assignment: ${outcomes.length} writes with a server-owned property, all 422`);
	}, 120_000);
});

describe("writes without a body", () => {
	const sneaky =
		"?role=owner&status=active&user_id=00000000-0000-7000-8000-000000000000&trust_level=flourishing";

	it("ignore role and status sent to a join in a body; refuse them in the query, naming each", async () => {
		const joiner = world.callers.new_sprout;
		for (const path of [
			`/teamup/projects/${world.openProjectId}/members`,
			`/fellowship/groups/${world.openGroupId}/members`,
		]) {
			const refused = await request("POST", `${path}${sneaky}`, { as: joiner });
			expect(refused.status, path).toBe(422);
			const problem = (await refused.json()) as { errors: Array<{ field: string }> };
			expect(problem.errors.map((error) => error.field).sort()).toEqual([
				"query/role",
				"query/status",
				"query/trust_level",
				"query/user_id",
			]);
		}
		await must(201, "POST", `/teamup/projects/${world.openProjectId}/members`, {
			as: joiner,
			body: { role: "owner", status: "active", user_id: world.owner.id },
		});
		await must(201, "POST", `/fellowship/groups/${world.openGroupId}/members`, {
			as: joiner,
			body: { role: "owner", status: "active" },
		});
		const projectRow = await env.DB.prepare(
			"SELECT user_id, role FROM project_members WHERE project_id = ? AND user_id = ?",
		)
			.bind(world.openProjectId, joiner.id)
			.first();
		const groupRow = await env.DB.prepare(
			"SELECT user_id, role FROM group_members WHERE group_id = ? AND user_id = ?",
		)
			.bind(world.openGroupId, joiner.id)
			.first();
		expect(projectRow).toEqual({ user_id: joiner.id, role: "member" });
		expect(groupRow).toEqual({ user_id: joiner.id, role: "member" });
	});

	it("record the caller, not a user named in the body, for blocks, reactions and chat tickets", async () => {
		const caller = world.callers.growing;
		await must(201, "PUT", `/orchard/blocks/${world.blockTarget.id}`, {
			as: caller,
			body: { blocker_id: world.owner.id, user_id: world.owner.id },
		});
		await must(200, "PUT", `/sunlight/${world.shares.named}/reactions/heart`, {
			as: caller,
			body: { user_id: world.owner.id },
		});
		await must(201, "POST", `/orchard/conversations/${world.friend.id}/tickets`, {
			as: world.owner,
			body: { user_id: caller.id, peer_id: caller.id },
		});
		const blockRow = await env.DB.prepare("SELECT blocker_id FROM blocks WHERE blocked_id = ?")
			.bind(world.blockTarget.id)
			.all<{ blocker_id: string }>();
		expect(blockRow.results.map((row) => row.blocker_id)).toEqual([caller.id]);
		const reactionRows = await env.DB.prepare(
			"SELECT user_id FROM sunlight_reactions WHERE share_id = ? AND reaction_type = 'heart'",
		)
			.bind(world.shares.named)
			.all<{ user_id: string }>();
		expect(reactionRows.results.map((row) => row.user_id)).toEqual([caller.id]);
		const tickets = await env.DB.prepare(
			"SELECT user_id, peer_id FROM chat_tickets WHERE user_id = ? OR peer_id = ?",
		)
			.bind(caller.id, caller.id)
			.all();
		expect(tickets.results).toEqual([]);
	});

	it("cannot raise the caller's own role or trust through the profile", async () => {
		const me = world.callers.new_sprout;
		for (const property of ["role", "trust_level", "trust_locked", "suspended_until", "email"]) {
			const response = await request("PATCH", "/users/me", {
				as: me,
				body: { bio: "hello", [property]: property === "trust_locked" ? true : "guardian" },
			});
			expect(response.status, property).toBe(422);
		}
		const row = await env.DB.prepare("SELECT role, trust_level, trust_locked, bio FROM users WHERE id = ?")
			.bind(me.id)
			.first();
		expect(row).toMatchObject({ role: "user", trust_level: "new_sprout", trust_locked: 0 });
		expect(row?.bio).not.toBe("hello");
	});
});
