/**
 * @module moderation/profanity: swear words, sexual terms and slurs found with `obscenity` (a maintained
 * matcher that sees through confusable Unicode, leetspeak and stretched letters), sorted into the labels
 * they feed, plus a copy of the text with each match spelled out plainly so the phrase rules downstream
 * ("fuck you", "sh1t head") read the obfuscated word as the word it is.
 */
import { DataSet, englishDataset, englishRecommendedTransformers, pattern, RegExpMatcher } from "obscenity";
import { addVocabulary, addWordRecogniser } from "../text";

interface WordMetadata {
	originalWord: string;
}

/** What obscenity's English set misses that a community for wellbeing should still see. */
const EXTRA_WORDS: Array<[word: string, patterns: ReturnType<typeof pattern>[]]> = [
	["skank", [pattern`skank`]],
	["douche", [pattern`|douche`]],
	["crap", [pattern`|crap|`, pattern`|crappy|`]],
	["damn", [pattern`|damn`]],
	["tosser", [pattern`|tosser`]],
	["bugger", [pattern`|bugger`]],
	["nudes", [pattern`|nudes|`, pattern`|noods|`]],
	["dumbass", [pattern`|dumbass`, pattern`|dumass`]],
];

/** Whole words that contain a listed word but are harmless ("shiitake" holds "shit"). */
const HARMLESS_WORDS = new Set([
	"shiitake",
	"shiitakes",
	"cockatoo",
	"cockatiel",
	"dickens",
	"titmouse",
	"assassin",
]);

/** The whole word around a match (letters on either side), lower-cased. */
function wordAround(text: string, start: number, end: number): string {
	let from = start;
	let to = end + 1;
	while (from > 0 && /\p{L}/u.test(text[from - 1] ?? "")) from--;
	while (to < text.length && /\p{L}/u.test(text[to] ?? "")) to++;
	return text.slice(from, to).toLowerCase();
}

const dataset = new DataSet<WordMetadata>().addAll(englishDataset);
for (const [word, patterns] of EXTRA_WORDS) {
	dataset.addPhrase((phrase) => {
		let builder = phrase.setMetadata({ originalWord: word });
		for (const p of patterns) builder = builder.addPattern(p);
		return builder;
	});
}

const matcher = new RegExpMatcher({ ...dataset.build(), ...englishRecommendedTransformers });

/** Swear words, by how strong they are (the `profanity` label). */
const PROFANE: Record<string, number> = {
	fuck: 0.92,
	cunt: 0.95,
	shit: 0.82,
	bitch: 0.85,
	bastard: 0.8,
	ass: 0.7,
	arse: 0.7,
	dick: 0.75,
	cock: 0.75,
	prick: 0.75,
	twat: 0.85,
	wank: 0.8,
	piss: 0.6,
	bollocks: 0.55,
	turd: 0.55,
	douche: 0.6,
	skank: 0.8,
	crap: 0.5,
	damn: 0.5,
	dumbass: 0.7,
	tosser: 0.65,
	bugger: 0.45,
	cuck: 0.6,
	jizz: 0.7,
	pussy: 0.7,
};

/** Explicit sexual terms (the `sexual` label): clinical words score low, explicit ones high. */
const SEXUAL: Record<string, number> = {
	anal: 0.75,
	blowjob: 0.9,
	buttplug: 0.9,
	cock: 0.7,
	cum: 0.8,
	deepthroat: 0.9,
	dick: 0.45,
	dildo: 0.85,
	doggystyle: 0.85,
	"double penetration": 0.95,
	felch: 0.95,
	fellatio: 0.85,
	"finger bang": 0.95,
	fisting: 0.9,
	gangbang: 0.95,
	handjob: 0.9,
	hentai: 0.85,
	"jerk off": 0.85,
	jizz: 0.9,
	lubejob: 0.9,
	orgy: 0.8,
	pussy: 0.8,
	slut: 0.75,
	whore: 0.7,
	tit: 0.6,
	twat: 0.3,
	nudes: 0.6,
	// Words that also appear in health, recovery and survivor stories: noted, never enough to flag alone.
	sex: 0.3,
	penis: 0.3,
	vagina: 0.3,
	anus: 0.3,
	boob: 0.4,
	porn: 0.35,
	orgasm: 0.45,
	semen: 0.4,
	ejaculate: 0.4,
	masturbate: 0.4,
	incest: 0.35,
	rape: 0.3,
	bestiality: 0.5,
	hooker: 0.45,
	scat: 0.3,
};

/** Slurs (the `identity_attack` label). */
const SLURS: Record<string, number> = {
	nigger: 0.98,
	kike: 0.96,
	chink: 0.94,
	chingchong: 0.92,
	fag: 0.94,
	dyke: 0.88,
	tranny: 0.92,
	abo: 0.85,
	abeed: 0.92,
	africoon: 0.96,
	arabush: 0.92,
	boonga: 0.92,
	negro: 0.6,
	retard: 0.75,
	spastic: 0.6,
};

export interface ProfanityScan {
	/** Strongest swear word, in [0, 1]. */
	profanity: number;
	/** Strongest sexual term, in [0, 1]. */
	sexual: number;
	/** Strongest slur, in [0, 1]. */
	slur: number;
	/** The words found (their plain spelling), in order. */
	words: string[];
	/** The text with each match replaced by its plain spelling (spaces in it become "_"). */
	plain: string;
}

/** Finds swear words, sexual terms and slurs in a (folded) text. */
export function scanProfanity(text: string): ProfanityScan {
	const scan: ProfanityScan = { profanity: 0, sexual: 0, slur: 0, words: [], plain: text };
	const matches = matcher.getAllMatches(text, true);
	if (matches.length === 0) return scan;
	let plain = "";
	let cursor = 0;
	for (const match of matches) {
		const word = dataset.getPayloadWithPhraseMetadata(match).phraseMetadata?.originalWord;
		if (!word || HARMLESS_WORDS.has(wordAround(text, match.startIndex, match.endIndex))) continue;
		scan.words.push(word);
		scan.profanity = Math.max(scan.profanity, PROFANE[word] ?? 0);
		scan.sexual = Math.max(scan.sexual, SEXUAL[word] ?? 0);
		scan.slur = Math.max(scan.slur, SLURS[word] ?? 0);
		if (match.startIndex < cursor) continue; // overlapping match: keep the first spelling
		plain += text.slice(cursor, match.startIndex) + word.replace(/ /g, "_");
		cursor = match.endIndex + 1;
	}
	scan.plain = plain + text.slice(cursor);
	return scan;
}

/** True when obscenity recognises the word (used to decide whether spelled-out letters form a word). */
export const isProfane = (word: string): boolean => matcher.hasMatch(word);

// Spelled-out letters ("f u c k", "s.l.u.t") are read as these words (see `joinSpelledOut` in text.ts).
addWordRecogniser(isProfane);
addVocabulary(
	[...Object.keys(PROFANE), ...Object.keys(SEXUAL), ...Object.keys(SLURS)].filter((w) => !w.includes(" ")),
);
