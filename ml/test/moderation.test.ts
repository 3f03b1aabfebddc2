/**
 * The embedded moderation model, imported directly: obfuscated abuse is still caught, everyday speech
 * (idioms, self-talk, reported words, casual swearing) is not treated as abuse, and scores are
 * deterministic and within [0, 1].
 */
import { describe, expect, it } from "vitest";
import { MODERATION_LABELS } from "../src/contract";
import { moderateText, toxicityOf } from "../src/moderation";

const score = (text: string) => moderateText(text);

describe("profanity and abuse seen through obfuscation", () => {
	it.each([
		["leetspeak", "u r such a l0s3r"],
		["spaced letters", "you are an i d i o t"],
		["dotted letters", "you are a m.o.r.o.n"],
		["stretched letters", "youuuu are sooo stuuupid"],
		["symbols", "f*ck you"],
		["confusable unicode", "ｆｕｃｋ you"],
	])("flags a directed insult written with %s", (_how, text) => {
		const result = score(text);
		expect(result.labels.insult).toBeGreaterThanOrEqual(0.7);
		expect(result.toxicity).toBeGreaterThanOrEqual(0.7);
	});

	it("finds spaced-out swear words", () => {
		expect(score("f u c k this").labels.profanity).toBeGreaterThan(0.8);
	});

	it("does not join ordinary single letters into words", () => {
		expect(score("u r a star, thank you").toxicity).toBeLessThan(0.3);
	});
});

describe("what is not abuse", () => {
	it.each([
		"This bug is killing me, three hours and counting.",
		"I'd kill for a coffee right now.",
		"You absolutely killed it at the open mic!",
		"I felt so stupid when I forgot my lines.",
		"You're not stupid for asking, everyone starts somewhere.",
		"He called me an idiot and it hurt.",
		"What a stupid idea it was to run in sandals.",
		"Our interfaith group welcomes Muslims, Jews and Christians.",
		"Made a shiitake mushroom risotto tonight.",
		"I'll find you a good book on grief.",
	])("scores %j below the review threshold", (text) => {
		expect(score(text).toxicity).toBeLessThan(0.7);
	});

	it("keeps casual swearing below the review threshold but labels it", () => {
		const result = score("Holy shit, I ran a half marathon today!");
		expect(result.labels.profanity).toBeGreaterThanOrEqual(0.5);
		expect(result.toxicity).toBeLessThan(0.7);
	});

	it.each([
		"haha you muppet, you left your scarf at mine again. love you",
		"you daft idiot, driving all that way with soup. thank you x",
		"you absolute loser, beating me at scrabble again. congrats",
	])("reads mild insults in an affectionate text as banter: %j", (text) => {
		expect(moderateText(text, { learned: false }).labels.insult).toBeLessThan(0.7);
	});

	it.each([
		"lol you're such an idiot",
		"you idiot, nobody asked. thanks",
		"you're a pathetic loser, thanks for nothing",
		"congrats you stupid bitch",
		"you moron, I hope you drop dead. love you",
	])("does not excuse %j as banter", (text) => {
		expect(moderateText(text, { learned: false }).toxicity).toBeGreaterThanOrEqual(0.7);
	});

	it("does not count a quoted line as the author's threat", () => {
		expect(score("In the film the villain says 'I will kill you' and I laughed.").labels.threat).toBe(0);
	});
});

describe("insults, threats, identity attacks and sexual harassment", () => {
	it("hides threats of violence", () => {
		const result = score("I will kill you if I ever see you.");
		expect(result.labels.threat).toBeGreaterThanOrEqual(0.9);
		expect(result.toxicity).toBeGreaterThanOrEqual(0.9);
	});

	it("treats telling someone to kill themselves as a threat, not as the author's self-harm risk", () => {
		const result = score("kys nobody wants you here");
		expect(result.labels.threat).toBeGreaterThanOrEqual(0.9);
		expect(result.selfHarmRisk).toBe("none");
	});

	it("flags dehumanising statements about a protected group, not mentions of it", () => {
		expect(
			score("Immigrants are vermin and should be deported.").labels.identity_attack,
		).toBeGreaterThanOrEqual(0.9);
		expect(score("Immigrants like my parents built our food bank.").labels.identity_attack).toBe(0);
	});

	it("flags slurs, even obfuscated", () => {
		expect(score("shut up you f@g").labels.identity_attack).toBeGreaterThanOrEqual(0.9);
	});

	it("flags sexual harassment but not sexual health", () => {
		expect(score("Send me nudes.").labels.sexual).toBeGreaterThanOrEqual(0.85);
		expect(score("Our sex education workshop for parents is on Tuesday.").toxicity).toBeLessThan(0.5);
	});

	it("weighs a directed insult above a complaint about a thing", () => {
		expect(score("You are a pathetic loser.").labels.insult).toBeGreaterThan(
			score("This app's update is garbage.").labels.insult,
		);
	});
});

describe("the result", () => {
	it("has every label, all scores in [0, 1], and a model id with a version", () => {
		for (const text of ["", "hello", "You are a worthless idiot and I will hurt you", "x".repeat(30_000)]) {
			const result = score(text);
			expect(Object.keys(result.labels).sort()).toEqual([...MODERATION_LABELS].sort());
			for (const value of [result.toxicity, ...Object.values(result.labels)]) {
				expect(value).toBeGreaterThanOrEqual(0);
				expect(value).toBeLessThanOrEqual(1);
			}
			expect(result.model).toMatch(/^flourish-moderation-rules@\d+\.\d+\.\d+$/);
		}
	});

	it("is deterministic", () => {
		const text = "You're a disgusting creep, stay away from this group. I want to end it all.";
		expect(score(text)).toEqual(score(text));
	});

	it("does not count self-harm toward toxicity (a person reaching out is not toxic)", () => {
		const result = score("I want to end it all.");
		expect(result.labels.self_harm).toBeGreaterThan(0.9);
		expect(result.toxicity).toBe(0);
		expect(toxicityOf({ ...result.labels, self_harm: 1 })).toBe(0);
	});
});
