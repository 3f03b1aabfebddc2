/**
 * The learned heads (`src/learned/`): the committed weights load, scores are deterministic, clear cases are
 * read each way, idioms and casual swearing are not flagged, and combined with the rules they never lower the
 * risk, the toxicity or a label the rules found.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SelfHarmRisk } from "../src/contract";
import {
	LEARNED_MAX_TOXICITY,
	LEARNED_THRESHOLDS,
	learnedReads,
	learnedScores,
	REVIEW_TOXICITY,
	toxicityFromProbability,
} from "../src/learned";
import { featurise, LEARNED_DIMS } from "../src/learned/features";
import { LEARNED_MODEL } from "../src/learned/weights";
import { higherRisk, learnedRisk, moderateText } from "../src/moderation";
import { normaliseForScoring } from "../src/text";
import { EVERYDAY_TEXTS } from "./everyday";

const RANK: Record<SelfHarmRisk, number> = { none: 0, low: 1, high: 2 };
const score = (text: string) => moderateText(normaliseForScoring(text));
const rulesOnly = (text: string) => moderateText(normaliseForScoring(text), { learned: false });

describe("the learned heads", () => {
	it("load the committed weights: every head, the features' dimension, thresholds in (0, 1)", () => {
		expect(LEARNED_MODEL.dims).toBe(LEARNED_DIMS);
		for (const head of ["high", "risk", "toxic"] as const) {
			expect(LEARNED_MODEL.heads[head].scale).toBeGreaterThan(0);
			expect(atob(LEARNED_MODEL.heads[head].weights)).toHaveLength(LEARNED_DIMS);
			expect(LEARNED_THRESHOLDS[head]).toBeGreaterThan(0);
			expect(LEARNED_THRESHOLDS[head]).toBeLessThan(1);
		}
	});

	it("load the MLP of p(high) when the model carries one: 2^bits × hidden weights, one scale per unit", () => {
		const mlp = LEARNED_MODEL.mlp;
		if (!mlp) return;
		expect(atob(mlp.weights)).toHaveLength((1 << mlp.bits) * mlp.hidden);
		for (const list of [mlp.scales, mlp.b1, mlp.w2]) expect(list).toHaveLength(mlp.hidden);
		for (const scale of mlp.scales) expect(scale).toBeGreaterThan(0);
		expect(["mlp", "ensemble"]).toContain(mlp.mix);
	});

	it("are deterministic: the same text gives the same features and scores", () => {
		const text = "Tonight I'm going to take every pill in the cupboard.";
		expect(featurise(text)).toEqual(featurise(text));
		expect(learnedScores(text)).toEqual(learnedScores(text));
		const { high, risk, toxic } = learnedScores(text);
		for (const p of [high, risk, toxic]) expect(p).toBeGreaterThanOrEqual(0);
		for (const p of [high, risk, toxic]) expect(p).toBeLessThanOrEqual(1);
	});

	it.each([
		"I swallowed all of my pills an hour ago, I just wanted to say goodbye",
		"my cuts keep getting deeper and tonight I don't want to stop",
		"I won't be alive by the end of the week, I've got everything I need",
		"gonna kms tonight, I'm done",
		"I've kept back a month of my tablets and I know which night the flat will be empty",
		"my sister is taking my dog on sunday. I won't be around to walk him after that",
		"it started with scratches, now it's a blade every night and deeper each time",
		"everyone would honestly be better off without me and I've decided it's this week",
	])("read %j as high risk", (text) => {
		// The high head's reading; the Worker's answer (below) also needs the any-risk head or the rules to agree.
		expect(learnedScores(normaliseForScoring(text)).high).toBeGreaterThanOrEqual(LEARNED_THRESHOLDS.high);
		expect(score(text).selfHarmRisk).toBe("high");
	});

	it.each([
		"you pathetic little loser, nobody here can stand you",
		"I'll make sure you never work in this industry again",
		"people from that country are vermin and should be thrown out",
		"I hope something awful happens to you and your family",
	])("read %j as toxic", (text) => {
		expect(learnedScores(normaliseForScoring(text)).toxic).toBeGreaterThanOrEqual(LEARNED_THRESHOLDS.toxic);
		expect(score(text).toxicity).toBeGreaterThanOrEqual(REVIEW_TOXICITY);
	});

	it.each([
		"this bug is killing me",
		"I'd kill for a coffee right now",
		"my legs are dead after leg day",
		"I'm dying to see the new season",
		"my phone died on the train",
		"thanks for the tips, see you tuesday",
		"holy shit, I ran a half marathon today",
		"long week at work, so looking forward to a quiet weekend",
		"tonight's the night: first driving lesson, wish me luck",
		"writing this down so I remember what a good day it was",
	])("do not flag %j", (text) => {
		const scores = learnedScores(normaliseForScoring(text));
		expect(learnedRisk(scores)).not.toBe("high");
		expect(scores.toxic).toBeLessThan(LEARNED_THRESHOLDS.toxic);
		expect(score(text).selfHarmRisk).not.toBe("high");
		expect(score(text).toxicity).toBeLessThan(REVIEW_TOXICITY);
	});

	it("say high risk only when the any-risk head agrees there is a risk", () => {
		const { high, highNeedsRisk = 0 } = LEARNED_THRESHOLDS;
		expect(highNeedsRisk).toBeGreaterThan(0);
		expect(highNeedsRisk).toBeLessThanOrEqual(LEARNED_THRESHOLDS.risk);
		expect(learnedRisk({ high, risk: highNeedsRisk, toxic: 0 })).toBe("high");
		expect(learnedRisk({ high: 0.99, risk: highNeedsRisk - 0.01, toxic: 0 })).toBe("none");
		expect(learnedRisk({ high: high - 0.01, risk: 0.99, toxic: 0 })).toBe("low");
	});

	it("leave text with no English words to the rules", () => {
		expect(learnedReads("Всё хорошо, спасибо.")).toBe(false);
		expect(learnedReads("🙂")).toBe(false);
		expect(learnedReads("see you soon")).toBe(true);
	});

	it("map the toxic probability onto the review band: nothing below the threshold, never up to hiding", () => {
		const t = LEARNED_THRESHOLDS.toxic;
		expect(toxicityFromProbability(t - 0.01)).toBe(0);
		expect(toxicityFromProbability(t)).toBeCloseTo(REVIEW_TOXICITY, 10);
		expect(toxicityFromProbability(1)).toBeCloseTo(LEARNED_MAX_TOXICITY, 10);
		expect(LEARNED_MAX_TOXICITY).toBeLessThan(0.9);
	});
});

describe("rules and learned heads combined", () => {
	it("higherRisk is the maximum of two risks", () => {
		const risks: SelfHarmRisk[] = ["none", "low", "high"];
		for (const a of risks) {
			for (const b of risks) expect(RANK[higherRisk(a, b)]).toBe(Math.max(RANK[a], RANK[b]));
		}
	});

	const SAMPLES = [
		"I want to end it all.",
		"I don't want to be here anymore.",
		"Tonight I'm going to take all my pills.",
		"I used to self harm, but I'm three years clean now.",
		"This bug is killing me, three hours and counting.",
		"If I have to sit through one more meeting I'll kill myself lol",
		"I will kill you, watch your back.",
		"You're an idiot and everyone hates you.",
		"Holy shit, I actually ran a half marathon today!",
		"My best friend keeps saying she wants to die and I'm scared for her.",
	];

	it("never lowers the risk or the toxicity the rules found", () => {
		const check = (text: string) => {
			const rules = rulesOnly(text);
			const combined = score(text);
			expect(RANK[combined.selfHarmRisk]).toBeGreaterThanOrEqual(RANK[rules.selfHarmRisk]);
			expect(combined.toxicity).toBeGreaterThanOrEqual(rules.toxicity);
			for (const [label, value] of Object.entries(rules.labels)) {
				expect(combined.labels[label as keyof typeof rules.labels]).toBeGreaterThanOrEqual(value);
			}
		};
		for (const text of SAMPLES) check(text);
		fc.assert(
			fc.property(
				fc.array(fc.constantFrom(...SAMPLES, "pills", "tonight", "you", "idiot", "goodbye", "lol", "never"), {
					maxLength: 6,
				}),
				fc.string({ maxLength: 40 }),
				(parts, noise) => check(`${parts.join(" ")} ${noise}`),
			),
			{ numRuns: 200, seed: 19 },
		);
	});
});

describe("everyday texts of the app (ml/test/everyday.ts)", () => {
	// A statistical model near its threshold flips a text or two with each retraining: the bound is on the
	// rate (model 1.3.0 before this data raised 18 alarms here; the rules alone raise none).
	it("raise an alarm (high risk, or queued for review) for at most 2 of them", () => {
		const alarms = EVERYDAY_TEXTS.map((text) => ({ text, result: score(text) }))
			.filter(({ result }) => result.selfHarmRisk === "high" || result.toxicity >= REVIEW_TOXICITY)
			.map(({ text, result }) => `${result.selfHarmRisk} ${result.toxicity}: ${text}`);
		expect(alarms.length, alarms.join("\n")).toBeLessThanOrEqual(2);
		for (const text of EVERYDAY_TEXTS) expect(rulesOnly(text).selfHarmRisk, text).not.toBe("high");
	});
});
