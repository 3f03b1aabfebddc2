/**
 * The normalisation at the entry of moderation (`normaliseForScoring`): each Unicode trick of the adversarial
 * review is undone — invisible format characters, look-alike letters of other scripts, fullwidth and
 * mathematical letters, separators between single letters — while ordinary text (single letters in prose,
 * abbreviations, initials, lists, emoji, Russian and Greek prose) keeps its reading and its verdict. Then
 * the same through the built ML Worker over RPC, and through the Workers AI provider.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import "../src/moderation"; // the models register the words they read when they load
import { embeddedModels } from "../src/providers/embedded";
import { moderateWith } from "../src/providers/select";
import { AI_MODERATION_MODEL, type AiRunner, workersAiModels } from "../src/providers/workers-ai";
import { foldConfusables, latinOf, normaliseForScoring } from "../src/text";
import { TRICKS } from "./tricks";

const normalise = normaliseForScoring;

describe("invisible characters are removed", () => {
	it.each([
		["zero-width space U+200B", "k\u200bi\u200bl\u200bl y\u200bou"],
		["zero-width non-joiner and joiner U+200C, U+200D", "k\u200ci\u200dll you"],
		["left-to-right and right-to-left marks U+200E, U+200F", "k\u200eil\u200fl you"],
		["soft hyphen U+00AD", "k\u00adi\u00adl\u00adl you"],
		["word joiner and invisible operators U+2060–U+2064", "k\u2060i\u2061l\u2062l\u2063 \u2064you"],
		["byte-order mark U+FEFF", "ki\ufeffll you"],
		["bidi embeddings and overrides U+202A–U+202E", "k\u202ai\u202bl\u202cl\u202d \u202eyou\u202c"],
		["bidi isolates U+2066–U+2069", "k\u2066i\u2067l\u2068l\u2069 you"],
		["tag characters U+E0020–U+E007F", "k\u{e0020}i\u{e0041}l\u{e007f}l you"],
		["variation selectors and Hangul fillers", "k\ufe0fi\u3164ll y\u115fou"],
	])("%s", (_name, text) => {
		expect(normalise(text)).toBe("kill you");
	});
});

describe("look-alike letters are folded to their Latin skeleton", () => {
	it.each([
		["Cyrillic а е о р с х у і ѕ", "\u0443\u043eu \u0430r\u0435 \u0455\u0441\u0430ry", "you are scary"],
		["Cyrillic capitals, І as I", "\u0406 \u041a\u0406LL", "I KILL"],
		[
			"Cyrillic к м н т в, which look like small capitals",
			"\u043aill \u0442he \u043c\u0430\u043d",
			"kill the mah",
		],
		["Greek α ι κ ο ρ υ ν γ", "\u03ba\u03b9ll \u03b3\u03bf\u03c5", "kill you"],
		["Greek η as n", "\u03b7azi", "nazi"],
		["Greek capital Ι as I", "\u0399 h\u03b1te y\u03bfu", "I hate you"],
		[
			"fullwidth letters and ideographic space",
			"\uff4b\uff49\uff4c\uff4c\u3000\uff59\uff4f\uff55",
			"kill you",
		],
		["mathematical bold", "\u{1d424}\u{1d422}\u{1d425}\u{1d425}", "kill"],
		["mathematical double-struck", "\u{1d55c}\u{1d55a}\u{1d55d}\u{1d55d}", "kill"],
		[
			"mathematical script and sans-serif bold",
			"\u{1d4c0}\u{1d4be}\u{1d4c1}\u{1d4c1} \u{1d606}\u{1d5fc}\u{1d602}",
			"kill you",
		],
		["Latin small capitals", "\u1d0b\u026a\u029f\u029f \u028f\u1d0f\u1d1c", "kill you"],
		[
			"circled and negative squared letters",
			"\u24da\u24d8\u24db\u24db \u{1f168}\u{1f15e}\u{1f164}",
			"kill YOU",
		],
		["Latin look-alikes (ɑ, ı, ꜱ)", "\u0251\u0131\ua731", "ais"],
		["a Cyrillic letter with a mark (ё)", "y\u0451s", "ye\u0308s"],
	])("%s", (_name, text, expected) => {
		expect(normalise(text)).toBe(expected);
	});

	it("folds a word written wholly in look-alikes when the text around it is Latin", () => {
		expect(normalise("\u0455\u0435\u0445\u0443 pics")).toBe("sexy pics"); // ѕеху: every letter Cyrillic
	});

	it("leaves a word of another script with a letter that has no Latin look-alike", () => {
		expect(normalise("I will find \u0443\u043e\u0438 soon")).toBe("I will find \u0443\u043e\u0438 soon"); // уои: и
	});

	it("reads letters, not digits or symbols of other scripts", () => {
		expect(latinOf("\u0966")).toBeNull(); // Devanagari digit zero, prototype "o"
		expect(latinOf("\u222a")).toBeNull(); // ∪, prototype "U"
		expect(latinOf("\u0431")).toBeNull(); // б: no Latin look-alike
		expect(latinOf("\u03bb")).toBeNull(); // λ
		expect(normalise("A \u222a B = \u0966")).toBe("A \u222a B = \u0966");
	});
});

describe("separators between single letters are collapsed", () => {
	it.each([
		["slashes", "k/i/l/l y/o/u/r/s/e/l/f", "kill yourself"],
		["dots", "k.i.l.l y.o.u.r.s.e.l.f", "kill yourself"],
		["spaces", "k i l l y o u r s e l f", "kill yourself"],
		["hyphens", "k-i-l-l y-o-u-r-s-e-l-f", "kill yourself"],
		["underscores", "k_i_l_l y_o_u_r_s_e_l_f", "kill yourself"],
		["emoji", "k🔪i🔪l🔪l y🔪o🔪u🔪r🔪s🔪e🔪l🔪f", "kill yourself"],
		["spaces with emoji between words", "i 🔪 w a n t 🔪 t o 🔪 d i e", "i want to die"],
		["one symbol throughout, words read from the letters", "k/i/l/l/y/o/u/r/s/e/l/f", "kill yourself"],
		["leetspeak letters", "k/1/l/l y/0/u", "k1ll y0u"],
		["a word no model knows, one symbol throughout", "s/u/p/e/r/b", "superb"],
		["a spelled-out swear word", "f u c k off", "fuck off"],
		["three letters that spell a word", "d.i.e", "die"],
	])("%s", (_name, text, expected) => {
		expect(normalise(text)).toBe(expected);
	});

	it("reads a long spelled-out text in one pass (the API sends up to 8,000 characters)", () => {
		const spelled = Array.from({ length: 400 }, () => "i w a n t t o d i e").join(" ");
		expect(spelled.length).toBeGreaterThan(7_500);
		expect(normalise(spelled)).toBe(Array.from({ length: 400 }, () => "i want to die").join(" "));
	});

	it("keeps punctuation between spelled-out words and the text around the run", () => {
		expect(normalise("Honestly: y.o.u, w.a.t.c.h y.o.u.r b.a.c.k!")).toBe("Honestly: you, watch your back!");
		expect(normalise("I w a n t t o e n d i t . N o w .")).toBe("I want to end it. Now .");
	});
});

describe("ordinary text keeps its reading", () => {
	it.each([
		"I am a b c student",
		"We moved to the U.S.A. in 2019.",
		"J. R. R. Tolkien wrote it; so did C. S. Lewis.",
		"1. Eggs\n2. Milk\n3. Bread",
		"Steps 1. 2. 3. 4. done",
		"Pick a, b, c or d.",
		"Options: a) b) c) d)",
		"x o x o, see you soon",
		"u r a star, thank you",
		"I'm a b c",
		"a.k.a. the boss",
		"e.g. plan A, B or C",
		"Great run today 🏃 🔥 feeling strong 💪",
		"I ❤ U",
		"Café crème, naïve façade, Straße",
		"Привет, как дела? Всё хорошо, спасибо.",
		"Он купил сок и хлеб, а потом пошёл домой.",
		"Καλημέρα σε όλους, το μήλο είναι κόκκινο.",
		"日本語のテキストです。",
		"مرحبا بكم في المجموعة",
	])("%j is unchanged", (text) => {
		expect(normalise(text)).toBe(text);
	});

	it("leaves Russian prose in Cyrillic even when it quotes an English word", () => {
		const text = "Спасибо за поддержку, этот group мне очень помог, как и вы все.";
		expect(foldConfusables(text)).toBe(text);
	});

	it.each([
		"I am a b c student",
		"We moved to the U.S.A. in 2019.",
		"J. R. R. Tolkien is my favourite author.",
		"1. Walk\n2. Stretch\n3. Journal",
		"Great run today 🏃 🔥 feeling strong 💪",
		"Привет, как дела? Всё хорошо, спасибо.",
		"Он купил сок и хлеб, а потом пошёл домой.",
		"Καλημέρα σε όλους, το μήλο είναι κόκκινο.",
		"Ты молодец, хорошая работа!",
	])("%j keeps its verdict through the ML Worker", async (text) => {
		const result = await env.ML.moderate(text);
		expect(result.toxicity).toBeLessThan(0.7);
		expect(result.selfHarmRisk).toBe("none");
	});
});

const THREAT = "I will kill you, watch your back.";
const CRISIS = "I want to end my life tonight. I have the pills ready.";

describe.each(Object.entries(TRICKS))(
	"through the ML Worker over RPC, a text disguised with %s",
	(_name, trick) => {
		it("scores a disguised threat like the plain one", async () => {
			const result = await env.ML.moderate(trick(THREAT));
			expect(result.toxicity).toBeGreaterThanOrEqual(0.9);
			expect(result).toEqual(await env.ML.moderate(THREAT));
		});

		it("reads a disguised crisis text as high self-harm risk", async () => {
			expect((await env.ML.moderate(trick(CRISIS))).selfHarmRisk).toBe("high");
		});
	},
);

describe("the Workers AI provider", () => {
	it("sends Llama Guard the normalised text, and the embedded rules score the same copy", async () => {
		const sent: unknown[] = [];
		const ai: AiRunner = {
			async run(model, input) {
				if (model !== AI_MODERATION_MODEL) throw new Error(`unexpected model ${model}`);
				sent.push((input.messages as Array<{ content: string }>)[0]?.content);
				return { response: "safe" };
			},
		};
		const disguised = TRICKS["Cyrillic look-alikes and zero-width spaces together"]?.(THREAT) ?? "";
		const result = await moderateWith(workersAiModels(ai), disguised);
		expect(sent).toEqual([THREAT]);
		expect(result.toxicity).toBeGreaterThanOrEqual(0.9);
	});
});

describe("identifiers are not words", () => {
	// Each of these, read as leetspeak, once scored as an identity attack (0.94): found by 5,000 random UUIDs.
	it.each([
		"late-a36e2825-f46e-4174-ac4b-ebb3629d81bf",
		"late-57952577-ff46-437a-9a68-e1ca6556b520",
		"late-1401c6b3-f46a-4268-9602-3cf6ef0ca098",
		"commit 057e9ad392fb45d28aeff46c8e789489",
	])("%j is clean", async (text) => {
		const result = await moderateWith(embeddedModels, text);
		expect(result.toxicity).toBeLessThan(0.7);
		expect(result.selfHarmRisk).not.toBe("high");
	});

	it("keeps the words around an identifier, and a short hex-looking word", async () => {
		expect(normalise("you f4990t a36e2825-f46e-4174-ac4b-ebb3629d81bf")).toBe("you f4990t  ");
		expect((await moderateWith(embeddedModels, "you f4990t")).toxicity).toBeGreaterThanOrEqual(0.9);
	});
});
