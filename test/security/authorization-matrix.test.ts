/**
 * OWASP API1 (object level) and API5 (function level): every operation of the OpenAPI document, called by
 * every kind of caller, answers exactly what `support/authorization-table.ts` writes down — 401 without a
 * token, 403 when suspended or below the route's trust level or role, 404 for what the caller may not know
 * exists, 403 for what they may see but not change, and success only for those allowed.
 *
 * The table must cover the document exactly: a new route without a row fails here, and so does a row whose
 * route is gone. Its access column must also agree with what the document says each route requires.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { expectStatus } from "../support/api";
import {
	type Access,
	expectedStatus,
	MATRIX,
	type Target,
	type Variant,
	variantsOf,
} from "./support/authorization-table";
import {
	buildWorld,
	CALLER_KINDS,
	type CallerKind,
	inBatches,
	quietRequestLog,
	request,
	type World,
} from "./support/world";

type Operation = { security?: Array<Record<string, unknown>>; description?: string };
type OpenApiDocument = { paths: Record<string, Record<string, Operation>> };

const HTTP_METHODS = new Set(["get", "put", "post", "patch", "delete", "head", "options"]);

let world: World;
let documented: Map<string, Operation>;

beforeAll(async () => {
	quietRequestLog();
	const doc = await expectStatus<OpenApiDocument>(await request("GET", "/api/v1/openapi.json"), 200);
	documented = new Map(
		Object.entries(doc.paths).flatMap(([path, operations]) =>
			Object.entries(operations)
				.filter(([method]) => HTTP_METHODS.has(method))
				.map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation] as const),
		),
	);
	world = await buildWorld();
}, 120_000);

describe("the authorization table", () => {
	it("covers every operation of the OpenAPI document, and nothing else", () => {
		const tabled = new Set(Object.keys(MATRIX));
		const missing = [...documented.keys()].filter((operation) => !tabled.has(operation));
		const gone = [...tabled].filter((operation) => !documented.has(operation));
		expect(missing, "operations in the OpenAPI document without a row in the table").toEqual([]);
		expect(gone, "rows for operations the OpenAPI document no longer has").toEqual([]);
		expect(documented.size).toBeGreaterThan(100);
	});

	it("agrees with the access each operation documents", () => {
		const notes: Partial<Record<Access, string>> = {
			user: "Any signed-in user who is not suspended.",
			self: "Any signed-in user, including a suspended one.",
			growing: "Requires trust level growing or higher",
			good_soil: "Requires trust level good_soil or higher",
			guardian: "Guardians only.",
			public: "Public; a valid token, if sent, personalises the answer.",
			token: "Public; a valid token, if sent, personalises the answer.",
		};
		const disagreements: string[] = [];
		for (const [operation, row] of Object.entries(MATRIX)) {
			const documentedOperation = documented.get(operation);
			if (!documentedOperation) continue;
			const anonymousAllowed =
				documentedOperation.security === undefined ||
				documentedOperation.security.some((scheme) => Object.keys(scheme).length === 0);
			for (const variant of variantsOf(row)) {
				const tableSaysOpen = ["none", "public", "token"].includes(variant.access);
				if (anonymousAllowed !== tableSaysOpen) {
					disagreements.push(`${operation}: security ${JSON.stringify(documentedOperation.security)}`);
				}
				const note = notes[variant.access];
				if (note && !documentedOperation.description?.includes(note)) {
					disagreements.push(`${operation}: the description does not say "${note}"`);
				}
			}
		}
		expect(disagreements).toEqual([]);
	});
});

interface Cell {
	operation: string;
	variant: Variant;
	kind: CallerKind;
	expected: number;
}

interface Outcome extends Cell {
	actual: number;
	problem: boolean;
	text: string;
}

const isSuccess = (status: number) => status >= 100 && status < 300;
const sharedTargets = new Map<Variant, Target>();

function sharedTarget(variant: Variant): Target {
	let target = sharedTargets.get(variant);
	if (!target) {
		target = variant.target?.(world) ?? {};
		sharedTargets.set(variant, target);
	}
	return target;
}

async function run(cell: Cell, useFresh: boolean): Promise<Outcome> {
	const { operation, variant, kind } = cell;
	const target = useFresh && variant.fresh ? await variant.fresh(world, kind) : sharedTarget(variant);
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
	const response = await request(method, path, {
		as: user,
		body: variant.body?.(target, who, world),
		headers: variant.headers?.(target, who, world) ?? {},
	});
	if (response.webSocket) {
		response.webSocket.accept();
		response.webSocket.close(1000, "matrix case done");
	}
	const text = response.status === 101 ? "" : await response.text();
	return {
		...cell,
		actual: response.status,
		problem: response.headers.get("content-type")?.startsWith("application/problem+json") ?? false,
		text,
	};
}

describe("the authorization matrix", () => {
	it("answers every operation × caller exactly as the table says", async () => {
		const cells: Cell[] = Object.entries(MATRIX).flatMap(([operation, row]) =>
			variantsOf(row).flatMap((variant) =>
				CALLER_KINDS.map((kind) => ({ operation, variant, kind, expected: expectedStatus(variant, kind) })),
			),
		);
		// Cases that would destroy a shared target get fresh ones; they run after all the others. The cases
		// of one variant share its target and run one after another (two successful edits of one row racing
		// would be a test artefact); variants run side by side.
		const needsFresh = (cell: Cell) => cell.variant.fresh !== undefined && isSuccess(cell.expected);
		const byVariant = new Map<Variant, Cell[]>();
		for (const cell of cells.filter((each) => !needsFresh(each))) {
			byVariant.set(cell.variant, [...(byVariant.get(cell.variant) ?? []), cell]);
		}
		const shared = (
			await inBatches(
				8,
				[...byVariant.values()].map((group) => async () => {
					const done: Outcome[] = [];
					for (const cell of group) done.push(await run(cell, false));
					return done;
				}),
			)
		).flat();
		const fresh = await inBatches(
			4,
			cells.filter(needsFresh).map((cell) => () => run(cell, true)),
		);
		const outcomes = [...shared, ...fresh];

		const wrong = outcomes
			.filter((o) => o.actual !== o.expected || (o.actual >= 400 && !o.problem))
			.map(
				(o) =>
					`${o.operation}${o.variant.name ? ` [${o.variant.name}]` : ""} as ${o.kind}: expected ${o.expected}, got ${o.actual}${o.actual >= 400 && !o.problem ? " (not problem+json)" : ""} ${o.text.slice(0, 160)}`,
			);
		// Writes answer with data too: none of it carries an email field or an Auth0 sub (API3).
		const exposing = outcomes
			.filter((o) => !o.operation.includes(" /api/v1/users/me"))
			.filter((o) => o.text.includes('"email"') || o.text.includes("auth0|"))
			.map((o) => `${o.operation} as ${o.kind}: ${o.text.slice(0, 160)}`);
		expect(exposing).toEqual([]);
		console.info(
			`authorization matrix: ${outcomes.length} cases (${Object.keys(MATRIX).length} operations, ${CALLER_KINDS.length} kinds of caller), ${fresh.length} on fresh targets`,
		);
		expect(wrong).toEqual([]);
		expect(outcomes.length).toBeGreaterThan(1000);
	}, 240_000);
});
