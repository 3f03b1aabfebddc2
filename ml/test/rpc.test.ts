/**
 * The built ML Worker over the real `ML` service binding (Workers RPC), as the API reaches it.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("flourish-ml over RPC", () => {
	it("moderates", async () => {
		const result = await env.ML.moderate("You are a pathetic loser.");
		expect(result.toxicity).toBeGreaterThanOrEqual(0.7);
		expect(result.labels.insult).toBeGreaterThanOrEqual(0.7);
		expect(result.selfHarmRisk).toBe("none");
		expect(result.model).toMatch(/^flourish-moderation-rules@/);
		expect(result).not.toHaveProperty("signals");
	});

	it("embeds, one unit vector per text, in order", async () => {
		const result = await env.ML.embed(["guided meditation", "woodworking", ""]);
		expect(result.vectors).toHaveLength(3);
		expect(result.vectors.every((vector) => vector.length === result.dims)).toBe(true);
		const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
		expect(norm(result.vectors[0] ?? [])).toBeCloseTo(1, 6);
		expect(norm(result.vectors[2] ?? [])).toBe(0);
	});

	it("ranks candidates by cosine similarity", async () => {
		const { vectors } = await env.ML.embed([
			"sleep and meditation",
			"mindfulness and calm breathing",
			"woodworking tools",
		]);
		const [query, calm, wood] = vectors as [number[], number[], number[]];
		const ranked = await env.ML.rank(query, [
			{ id: "wood", vector: wood },
			{ id: "calm", vector: calm },
		]);
		expect(ranked.map((item) => item.id)).toEqual(["calm", "wood"]);
	});

	it("rejects malformed calls", async () => {
		const ml = env.ML as unknown as {
			moderate(x: unknown): Promise<unknown>;
			embed(x: unknown): Promise<unknown>;
			rank(q: unknown, c: unknown): Promise<unknown>;
		};
		// An RPC rejection is awaited inside try/catch (a second `.then` on it would surface as unhandled).
		const failure = async (call: () => Promise<unknown>) => {
			try {
				await call();
			} catch (error) {
				return error instanceof Error ? error.message : String(error);
			}
			return "resolved";
		};
		expect(await failure(() => ml.moderate(42))).toMatch(/string/);
		expect(await failure(() => ml.embed("not a list"))).toMatch(/array/);
		expect(await failure(() => ml.embed(Array.from({ length: 300 }, () => "x")))).toMatch(/at most/);
		expect(await failure(() => ml.rank([1, Number.NaN], []))).toMatch(/finite/);
		expect(await failure(() => ml.rank([1, 0], [{ id: 1, vector: [1, 0] }]))).toMatch(/id/);
	});

	it("answers its health probe with the provider in use", async () => {
		const response = await env.ML.fetch("https://flourish-ml.internal/health");
		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({
			status: "ok",
			service: "flourish-ml",
			provider: "embedded",
		});
		expect((await env.ML.fetch("https://flourish-ml.internal/nope")).status).toBe(404);
	});
});
