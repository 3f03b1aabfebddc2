/**
 * The embedded text embedding: fixed dimension, unit length, deterministic, independent of the batch,
 * and topical (texts about the same subject are closer than texts about different ones).
 */
import { describe, expect, it } from "vitest";
import {
	cosine,
	EMBEDDED_EMBEDDING_MODEL,
	EMBEDDING_DIMS,
	embedText,
	embedTexts,
	rankCandidates,
} from "../src/embedding";

const norm = (vector: number[]) => Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));

describe("embedText", () => {
	it("gives L2-normalised vectors of a fixed dimension", () => {
		for (const text of [
			"meditation",
			"A long post about running, sleep and gratitude. ".repeat(50),
			"ünïcödé café",
		]) {
			const vector = embedText(text);
			expect(vector).toHaveLength(EMBEDDING_DIMS);
			expect(norm(vector)).toBeCloseTo(1, 6);
		}
		expect(EMBEDDED_EMBEDDING_MODEL).toContain(String(EMBEDDING_DIMS));
	});

	it("gives the zero vector for a text with no content words", () => {
		expect(norm(embedText(""))).toBe(0);
		expect(norm(embedText("the and of !!!"))).toBe(0);
	});

	it("is deterministic and does not depend on the other texts in the batch", () => {
		const [alone] = embedTexts(["guided meditation"]);
		const [, inBatch] = embedTexts(["woodworking", "guided meditation", "running"]);
		expect(inBatch).toEqual(alone);
		expect(embedText("guided meditation")).toEqual(alone);
	});

	it("brings word families together (stemming, character n-grams)", () => {
		const base = embedText("meditating every morning");
		expect(cosine(base, embedText("morning meditation"))).toBeGreaterThan(
			cosine(base, embedText("evening cycling")),
		);
	});

	it("places a meditation-and-sleep profile nearer mindfulness than woodworking", () => {
		const profile = embedText("Meditation\nSleep by 10pm");
		const mindfulness = embedText("Mindful Mornings: guided breathing and calm for busy people");
		const woodworking = embedText("Woodworking club: build furniture with hand tools");
		expect(cosine(profile, mindfulness)).toBeGreaterThan(cosine(profile, woodworking));
	});
});

describe("rankCandidates", () => {
	it("orders by cosine similarity, ties by id", () => {
		const query = embedText("running club");
		const ranked = rankCandidates(query, [
			{ id: "b-wood", vector: embedText("woodworking") },
			{ id: "a-run", vector: embedText("running and jogging group") },
			{ id: "c-same", vector: embedText("woodworking") },
		]);
		expect(ranked[0]?.id).toBe("a-run");
		expect(ranked.slice(1).map((item) => item.id)).toEqual(["b-wood", "c-same"]);
		expect(ranked[1]?.score).toBe(ranked[2]?.score);
	});

	it("scores vectors of another length as unrelated", () => {
		expect(rankCandidates([1, 0], [{ id: "x", vector: [1, 0, 0] }])).toEqual([{ id: "x", score: 0 }]);
	});
});
