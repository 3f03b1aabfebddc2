/**
 * The optional Workers AI provider, against a stand-in binding that implements `run(model, input)`: how
 * Llama Guard and bge answers map onto our results, the fallbacks, and how the provider is selected.
 */
import { describe, expect, it } from "vitest";
import { moderateEmbedded } from "../src/providers/embedded";
import { selectModels } from "../src/providers/select";
import {
	AI_EMBEDDING_MODEL,
	AI_MODERATION_MODEL,
	type AiRunner,
	embeddingsFromResponse,
	mergeGuardVerdict,
	parseGuardResponse,
	workersAiModels,
} from "../src/providers/workers-ai";

/** A stand-in `AI` binding: answers per model, records the calls. */
function standIn(answers: Record<string, (input: Record<string, unknown>) => unknown>) {
	const calls: Array<{ model: string; input: Record<string, unknown> }> = [];
	const ai: AiRunner = {
		async run(model, input) {
			calls.push({ model, input });
			const answer = answers[model];
			if (!answer) throw new Error(`no stand-in for ${model}`);
			return answer(input);
		},
	};
	return { ai, calls };
}

describe("parseGuardResponse", () => {
	it("reads the object form", () => {
		expect(parseGuardResponse({ response: { safe: false, categories: ["S10", "S1"] } })).toEqual({
			safe: false,
			categories: ["S10", "S1"],
		});
		expect(parseGuardResponse({ response: { safe: true, categories: [] } })).toEqual({
			safe: true,
			categories: [],
		});
	});

	it("reads the raw text form", () => {
		expect(parseGuardResponse({ response: "safe" })).toEqual({ safe: true, categories: [] });
		expect(parseGuardResponse({ response: "unsafe\nS11" })).toEqual({ safe: false, categories: ["S11"] });
		expect(parseGuardResponse({ response: " unsafe \n S1,S10 " })).toEqual({
			safe: false,
			categories: ["S1", "S10"],
		});
	});

	it("refuses what it cannot read", () => {
		for (const output of [
			null,
			"unsafe",
			{},
			{ response: 42 },
			{ response: "maybe" },
			{ response: { safe: "no" } },
		]) {
			expect(parseGuardResponse(output)).toBeNull();
		}
	});
});

describe("mergeGuardVerdict", () => {
	const base = moderateEmbedded("Thanks for the tips, see you Tuesday!");

	it("keeps the embedded scores when Llama Guard finds it safe", () => {
		const merged = mergeGuardVerdict(base, { safe: true, categories: [] });
		expect(merged.labels).toEqual(base.labels);
		expect(merged.model).toBe(`${AI_MODERATION_MODEL}+${base.model}`);
	});

	it("maps hazard categories onto labels and recomputes toxicity", () => {
		const merged = mergeGuardVerdict(base, { safe: false, categories: ["S10", "S12"] });
		expect(merged.labels.identity_attack).toBeGreaterThanOrEqual(0.9);
		expect(merged.labels.sexual).toBeGreaterThanOrEqual(0.85);
		expect(merged.toxicity).toBeGreaterThanOrEqual(0.9);
	});

	it("raises the self-harm risk one step for S11, without making it toxic", () => {
		const none = mergeGuardVerdict(base, { safe: false, categories: ["S11"] });
		expect(none.selfHarmRisk).toBe("low");
		expect(none.toxicity).toBe(base.toxicity);
		const low = mergeGuardVerdict(moderateEmbedded("I feel so empty lately"), {
			safe: false,
			categories: ["S11"],
		});
		expect(low.selfHarmRisk).toBe("high");
	});

	it("ignores categories it has no label for", () => {
		expect(mergeGuardVerdict(base, { safe: false, categories: ["S7", "S13"] }).labels).toEqual(base.labels);
	});

	it("never lowers the rules' self-harm risk, any label or the toxicity, whatever Llama Guard answers", () => {
		const RISK = ["none", "low", "high"];
		const texts = [
			"Thanks for the tips, see you Tuesday!",
			"I feel so empty lately",
			"I swallowed all my pills an hour ago and I want to die",
			"I have saved up enough pills and tonight I am going to take them all.",
			"I will kill you, you worthless idiot",
		];
		const codes = Array.from({ length: 14 }, (_, i) => `S${i + 1}`);
		const verdicts = [
			{ safe: true, categories: [] },
			{ safe: false, categories: [] },
			...codes.map((code) => ({ safe: false, categories: [code] })),
			{ safe: false, categories: codes },
		];
		const risks = new Set<string>();
		for (const text of texts) {
			const rules = moderateEmbedded(text);
			risks.add(rules.selfHarmRisk);
			for (const verdict of verdicts) {
				const merged = mergeGuardVerdict(rules, verdict);
				const what = `${text} / ${JSON.stringify(verdict)}`;
				expect(RISK.indexOf(merged.selfHarmRisk), what).toBeGreaterThanOrEqual(
					RISK.indexOf(rules.selfHarmRisk),
				);
				expect(merged.toxicity, what).toBeGreaterThanOrEqual(rules.toxicity);
				for (const [label, score] of Object.entries(rules.labels)) {
					expect(
						merged.labels[label as keyof typeof merged.labels],
						`${what} ${label}`,
					).toBeGreaterThanOrEqual(score);
				}
			}
		}
		// The texts span every risk the rules give, so the property is held at each.
		expect([...risks].sort()).toEqual(["high", "low", "none"]);
	});
});

describe("embeddingsFromResponse", () => {
	it("normalises vectors and reports their dimension", () => {
		const result = embeddingsFromResponse(
			{
				shape: [2, 3],
				data: [
					[3, 0, 4],
					[0, 2, 0],
				],
			},
			2,
		);
		expect(result).toEqual({
			model: `${AI_EMBEDDING_MODEL}:cls`,
			dims: 3,
			vectors: [
				[0.6, 0, 0.8],
				[0, 1, 0],
			],
		});
	});

	it("rejects a wrong count, ragged or non-numeric vectors", () => {
		expect(() => embeddingsFromResponse({ data: [[1, 0]] }, 2)).toThrow();
		expect(() =>
			embeddingsFromResponse(
				{
					data: [
						[1, 0],
						[1, 0, 0],
					],
				},
				2,
			),
		).toThrow();
		expect(() => embeddingsFromResponse({ data: [["a"]] }, 1)).toThrow();
		expect(() => embeddingsFromResponse({ request_id: "async" }, 1)).toThrow();
	});
});

describe("workersAiModels", () => {
	it("keeps the rules' high risk when Llama Guard calls an attempt in progress safe", async () => {
		const { ai } = standIn({ [AI_MODERATION_MODEL]: () => ({ response: { safe: true, categories: [] } }) });
		const result = await workersAiModels(ai).moderate(
			"I swallowed all my pills an hour ago and I want to die",
		);
		expect(result.selfHarmRisk).toBe("high");
		expect(result.model).toContain(AI_MODERATION_MODEL);
	});

	it("sends the text to Llama Guard and merges its verdict", async () => {
		const { ai, calls } = standIn({
			[AI_MODERATION_MODEL]: () => ({ response: { safe: false, categories: ["S1"] } }),
		});
		const result = await workersAiModels(ai).moderate("meet me outside");
		expect(calls).toEqual([
			{
				model: AI_MODERATION_MODEL,
				input: { messages: [{ role: "user", content: "meet me outside" }], temperature: 0 },
			},
		]);
		expect(result.labels.threat).toBeGreaterThanOrEqual(0.9);
	});

	it("falls back to the embedded result when Workers AI fails or answers nonsense", async () => {
		const text = "You are a worthless idiot";
		const failing = standIn({});
		expect(await workersAiModels(failing.ai).moderate(text)).toEqual(moderateEmbedded(text));
		const confused = standIn({ [AI_MODERATION_MODEL]: () => ({ response: "???" }) });
		expect(await workersAiModels(confused.ai).moderate(text)).toEqual(moderateEmbedded(text));
	});

	it("embeds in batches of 100 with CLS pooling", async () => {
		const { ai, calls } = standIn({
			[AI_EMBEDDING_MODEL]: (input) => ({
				shape: [(input.text as string[]).length, 2],
				data: (input.text as string[]).map(() => [1, 1]),
			}),
		});
		const texts = Array.from({ length: 150 }, (_, i) => `text ${i}`);
		const result = await workersAiModels(ai).embed(texts);
		expect(calls.map((call) => (call.input.text as string[]).length)).toEqual([100, 50]);
		expect(calls[0]?.input.pooling).toBe("cls");
		expect(result.vectors).toHaveLength(150);
		expect(result.vectors[0]?.[0]).toBeCloseTo(Math.SQRT1_2, 10);
	});
});

describe("selectModels", () => {
	const { ai } = standIn({});
	it("defaults to the embedded models", () => {
		expect(selectModels({}).name).toBe("embedded");
		expect(selectModels({ ML_PROVIDER: "embedded", AI: ai as unknown as Ai }).name).toBe("embedded");
	});

	it("uses Workers AI only when selected and bound", () => {
		expect(selectModels({ ML_PROVIDER: "workers-ai", AI: ai as unknown as Ai }).name).toBe("workers-ai");
		expect(selectModels({ ML_PROVIDER: "workers-ai" }).name).toBe("embedded");
	});
});
