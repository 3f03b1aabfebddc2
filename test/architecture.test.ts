/**
 * The shape of the code, held by a test so it cannot drift back: the import graph of `src/` and
 * `durable-objects/` is read from the sources and checked against the layers of docs/layout.md.
 *
 * - Layers, bottom to top: `lib` → `db` → `ml` → `core` → `auth` → `http` → `modules` → the entry files
 *   (`app.ts`, `index.ts`, `scheduled.ts`). A file imports only from its own layer or the ones below
 *   (`ALLOWED`); `src/lib` imports nothing of Flourish at all.
 * - The Durable Objects import contracts (`durable-objects/*-protocol.ts`, `*-contract.ts`) and lower layers,
 *   never a feature; only `env.ts` names their classes.
 * - A feature is imported only through its public face, `src/modules/<x>/index.ts`.
 * - No cycle: neither between folders (features, core mechanisms, layers) nor between files.
 */
import { describe, expect, it } from "vitest";

const SOURCES = import.meta.glob(["../src/**/*.ts", "../durable-objects/**/*.ts", "!../**/*.test.ts"], {
	query: "?raw",
	import: "default",
	eager: true,
}) as Record<string, string>;

type Layer =
	| "lib"
	| "db"
	| "ml"
	| "core"
	| "contracts"
	| "durable-objects"
	| "env"
	| "auth"
	| "http"
	| "modules"
	| "entry";

/** What each layer may import (besides itself, where listed). */
const ALLOWED: Record<Layer, readonly Layer[]> = {
	lib: ["lib"],
	db: ["lib", "db"],
	ml: ["lib", "db", "ml"],
	core: ["lib", "db", "ml", "core"],
	contracts: ["lib", "db", "core", "contracts"],
	"durable-objects": ["lib", "db", "ml", "core", "contracts", "durable-objects"],
	env: ["lib", "db", "core", "durable-objects"],
	auth: ["lib", "db", "core", "env", "auth"],
	http: ["lib", "db", "core", "auth", "env", "http"],
	modules: ["lib", "db", "ml", "core", "contracts", "auth", "http", "env", "modules"],
	entry: [
		"lib",
		"db",
		"ml",
		"core",
		"contracts",
		"durable-objects",
		"env",
		"auth",
		"http",
		"modules",
		"entry",
	],
};

/** `../src/core/moderation/queue.ts` → `src/core/moderation/queue.ts`. */
const pathOf = (key: string) => key.replace(/^\.\.\//, "");

/** The folder-level unit a file belongs to: its layer, plus the feature or core mechanism inside it. */
function unitOf(file: string): { layer: Layer; unit: string } {
	const feature = file.match(/^src\/modules\/([^/]+)\//);
	if (feature) return { layer: "modules", unit: `modules/${feature[1]}` };
	const core = file.match(/^src\/core\/([^/.]+)/);
	if (core) return { layer: "core", unit: `core/${core[1]}` };
	if (/^durable-objects\/[^/]+-(protocol|contract)\.ts$/.test(file))
		return { layer: "contracts", unit: file };
	if (file.startsWith("durable-objects/")) return { layer: "durable-objects", unit: "durable-objects" };
	if (file === "src/env.ts") return { layer: "env", unit: "env" };
	if (["src/app.ts", "src/index.ts", "src/scheduled.ts"].includes(file))
		return { layer: "entry", unit: file };
	const top = file.match(/^src\/(lib|db|ml|auth|http)\//);
	if (top) return { layer: top[1] as Layer, unit: top[1] as string };
	throw new Error(`${file} is in no layer: add it to the layout (docs/layout.md) and to this test`);
}

function resolve(from: string, specifier: string): string | undefined {
	const parts = from.split("/").slice(0, -1);
	for (const part of specifier.split("/")) {
		if (part === "..") parts.pop();
		else if (part !== ".") parts.push(part);
	}
	const base = parts.join("/");
	return [`${base}.ts`, `${base}/index.ts`, base].find(
		(candidate) => SOURCES[`../${candidate}`] !== undefined,
	);
}

const IMPORT = /^(?:import|export)\s(?:type\s)?[^;]*?from\s+"(\.[^"]+)"|import\(\s*"(\.[^"]+)"\s*\)/gm;

interface Edge {
	from: string;
	to: string;
}

/** Every relative import between source files (outside ones, like the ML Worker's contract, are skipped). */
function importEdges(): Edge[] {
	const edges: Edge[] = [];
	for (const [key, text] of Object.entries(SOURCES)) {
		const from = pathOf(key);
		for (const match of text.matchAll(IMPORT)) {
			const to = resolve(from, (match[1] ?? match[2]) as string);
			if (to) edges.push({ from, to });
		}
	}
	return edges;
}

/** Strongly connected components with more than one node (Tarjan): the cycles of a graph. */
function cyclesOf(nodes: Iterable<string>, edges: readonly Edge[]): string[][] {
	const next = new Map<string, string[]>();
	for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
	let counter = 0;
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const onStack = new Set<string>();
	const cycles: string[][] = [];
	const visit = (node: string) => {
		index.set(node, counter);
		low.set(node, counter);
		counter += 1;
		stack.push(node);
		onStack.add(node);
		for (const target of next.get(node) ?? []) {
			if (!index.has(target)) {
				visit(target);
				low.set(node, Math.min(low.get(node) as number, low.get(target) as number));
			} else if (onStack.has(target)) {
				low.set(node, Math.min(low.get(node) as number, index.get(target) as number));
			}
		}
		if (low.get(node) === index.get(node)) {
			const component: string[] = [];
			let member: string | undefined;
			do {
				member = stack.pop() as string;
				onStack.delete(member);
				component.push(member);
			} while (member !== node);
			if (component.length > 1) cycles.push(component.sort());
		}
	};
	for (const node of nodes) if (!index.has(node)) visit(node);
	return cycles;
}

const FILES = Object.keys(SOURCES).map(pathOf);
const EDGES = importEdges();

describe("the module graph", () => {
	it("reads every source file and its imports", () => {
		expect(FILES.length).toBeGreaterThan(150);
		expect(FILES).toContain("src/app.ts");
		expect(EDGES.length).toBeGreaterThan(500);
		// The checker itself finds a cycle when there is one (a test that cannot fail proves nothing).
		expect(
			cyclesOf(
				["a", "b", "c"],
				[
					{ from: "a", to: "b" },
					{ from: "b", to: "c" },
					{ from: "c", to: "a" },
				],
			),
		).toEqual([["a", "b", "c"]]);
	});

	it("puts every file in a layer", () => {
		for (const file of FILES) expect(() => unitOf(file), file).not.toThrow();
	});

	it("lets each layer import only itself and the layers below it (src/lib imports nothing of Flourish)", () => {
		const violations = EDGES.filter(
			({ from, to }) => !ALLOWED[unitOf(from).layer].includes(unitOf(to).layer),
		).map(({ from, to }) => `${from} → ${to}`);
		expect(violations).toEqual([]);
	});

	it("reaches a feature only through its public face (modules/<x>/index.ts)", () => {
		const violations = EDGES.filter(({ from, to }) => {
			const target = unitOf(to);
			return (
				target.layer === "modules" &&
				unitOf(from).unit !== target.unit &&
				to !== `src/${target.unit}/index.ts`
			);
		}).map(({ from, to }) => `${from} → ${to}`);
		expect(violations).toEqual([]);
		const features = new Set(
			FILES.filter((file) => file.startsWith("src/modules/")).map((file) => unitOf(file).unit),
		);
		for (const feature of features) expect(FILES, feature).toContain(`src/${feature}/index.ts`);
	});

	it("has no cycle between features, core mechanisms or layers", () => {
		const units = new Set(FILES.map((file) => unitOf(file).unit));
		const unitEdges = EDGES.map(({ from, to }) => ({ from: unitOf(from).unit, to: unitOf(to).unit })).filter(
			({ from, to }) => from !== to,
		);
		expect(cyclesOf(units, unitEdges)).toEqual([]);
	});

	it("has no cycle between files", () => {
		expect(cyclesOf(FILES, EDGES)).toEqual([]);
	});
});
