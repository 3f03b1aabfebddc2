import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_TERMS, parseSearchQuery } from "./fts-query";

const match = (q: string) => {
	const parsed = parseSearchQuery(q);
	if (!parsed.ok) throw new Error(`${q}: ${parsed.reason}`);
	return parsed.match;
};

describe("parseSearchQuery", () => {
	it("quotes every word, so all must match", () => {
		expect(match("calm Garden")).toBe('"calm" "garden"');
	});

	it("keeps phrases, prefixes and exclusions", () => {
		expect(match('"gratitude walk" morn* -running -"bad day"')).toBe(
			'("gratitude walk" "morn"*) NOT "running" NOT "bad day"',
		);
	});

	it("splits a word joined by punctuation into the phrase the tokenizer would index", () => {
		expect(match("self-care")).toBe('"self care"');
		expect(match("body:seeds")).toBe('"body seeds"');
	});

	it("reads FTS5 operators as plain words", () => {
		expect(match("NEAR(a b) OR c AND ^d")).toBe('"near a" "b" "or" "c" "and" "d"');
	});

	it("searches a one-letter prefix as a whole word (it would match most of the vocabulary)", () => {
		expect(match("a*")).toBe('"a"');
		expect(match("ab*")).toBe('"ab"*');
	});

	it("keeps letters of every script and their accents (the index folds them)", () => {
		expect(match("Café ÜBER ногу 学习")).toBe('"café" "über" "ногу" "学习"');
	});

	it("refuses a query with no word, or only exclusions", () => {
		expect(parseSearchQuery("!!! ??? ***")).toEqual({ ok: false, reason: "no_words" });
		expect(parseSearchQuery('-alone -"and this"')).toEqual({ ok: false, reason: "only_exclusions" });
	});

	it(`uses at most ${MAX_TERMS} terms`, () => {
		const words = Array.from({ length: 20 }, (_, i) => `w${i}`);
		const parsed = parseSearchQuery(words.join(" "));
		expect(parsed.ok && parsed.terms.length).toBe(MAX_TERMS);
	});

	it("never lets a quote, operator or control character through unquoted (any input)", () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 200, unit: "binary" }), (q) => {
				const parsed = parseSearchQuery(q);
				if (!parsed.ok) return;
				// Outside the quoted pieces only spaces, parentheses, `*` and the NOT keyword remain.
				const outside = parsed.match.replace(/"[\p{L}\p{M}\p{N} ]+"/gu, "");
				expect(outside).toMatch(/^[\s()*]*(?:NOT[\s*]*)*$/u);
			}),
			{ numRuns: 500 },
		);
	});
});
