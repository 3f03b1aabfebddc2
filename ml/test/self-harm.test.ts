/**
 * The self-harm risk detector: first-person risk is high; idioms, accidents and news are none; a past
 * history, a denial or worry about someone else is low.
 */
import { describe, expect, it } from "vitest";
import { moderateText } from "../src/moderation";

const risk = (text: string) => moderateText(text).selfHarmRisk;

describe("self-harm risk", () => {
	it.each([
		"I want to end it all.",
		"I don't want to be here anymore.",
		"i wanna die",
		"I've been thinking about killing myself every night.",
		"Everyone would be better off without me.",
		"Nobody would even notice if I was gone.",
		"I've been saving up my pills.",
		"I cut myself again last night.",
		"I'm suicidal and I don't know who to talk to.",
		"I hope I don't wake up tomorrow.",
		"I feel hopeless, worthless, and I can't take it anymore.",
	])("reads %j as high risk", (text) => {
		expect(risk(text)).toBe("high");
	});

	it.each([
		"This bug is killing me.",
		"I'd kill for a coffee right now.",
		"My feet are killing me after that hike.",
		"I could die of embarrassment.",
		"I'm dying to see the new exhibition.",
		"I cut myself shaving this morning.",
		"September is suicide prevention month; here are some resources.",
		"In the novel, the main character kills himself and I cried.",
		"My phone died halfway through the call.",
		"I want to end things with my boyfriend.",
		"I didn't want to wake up this morning, the bed was so warm.",
		"We jumped off the cliff into the lake on holiday!",
	])("reads %j as no risk (the rules), and never high (with the learned heads)", (text) => {
		expect(moderateText(text, { learned: false }).selfHarmRisk).toBe("none");
		// The learned any-risk head may call an idiom "low" (no alert, no crisis resources; ml/README.md).
		expect(risk(text)).not.toBe("high");
	});

	it.each([
		"I used to self harm, but I'm three years clean now.",
		"My best friend keeps saying she wants to die and I'm scared for her.",
		"I would never hurt myself, but I'm really struggling.",
		"Someone told me to kill myself in my DMs. What should I do?",
		"If I have to sit through one more meeting I'll kill myself lol",
	])("reads %j as low risk, never high", (text) => {
		expect(risk(text)).toBe("low");
	});

	// Escalating self-injury is high for the rules alone, whatever the heads read: an instrument used nightly and
	// deeper, or the wounds getting worse.
	it.each([
		"it started with scratches, now it's a blade every night and deeper each time",
		"my cuts keep getting deeper",
		"cutting deeper than last time and I can't stop",
	])("reads %j as high risk with the rules alone (escalating self-injury)", (text) => {
		expect(moderateText(text, { learned: false }).selfHarmRisk).toBe("high");
	});

	it.each([
		"the budget cuts are deeper than last time",
		"the razor cuts deeper each time you sharpen it",
		"sharpened my chef's knife, the blade goes deeper into the squash every time",
	])("does not read %j as escalating self-injury", (text) => {
		expect(moderateText(text, { learned: false }).selfHarmRisk).toBe("none");
	});

	it("scores the self_harm label by the risk level", () => {
		expect(moderateText("I want to die").labels.self_harm).toBeGreaterThanOrEqual(0.95);
		expect(moderateText("I feel so empty lately").labels.self_harm).toBeGreaterThanOrEqual(0.45);
		expect(moderateText("Lovely walk today").labels.self_harm).toBe(0);
	});
});
