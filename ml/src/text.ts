/**
 * @module text: the normalisation every model shares — the scoring normalisation applied once at the entry
 * of moderation (`normaliseForScoring`: invisible characters, NFKC, look-alike letters, separators between
 * single letters), then the models' own reading of it: Unicode folding, de-obfuscation (leetspeak,
 * stretched letters), contraction expansion, and clause splitting.
 *
 * Pure functions whose only dependency is data (Unicode's confusables, from `unhomoglyph`), so the models
 * run the same in workerd and in Node (eval, benchmark).
 */
import UNICODE_CONFUSABLES from "unhomoglyph/data.json";

/** Characters that stand in for letters in obfuscated words ("1d10t", "$tupid", "l0$er"). */
const LEET: Record<string, string> = {
	"0": "o",
	"1": "i",
	"3": "e",
	"4": "a",
	"5": "s",
	"7": "t",
	"8": "b",
	"9": "g",
	"@": "a",
	$: "s",
	"!": "i",
	"|": "l",
	"+": "t",
	"€": "e",
};

/** Contractions and chat spellings, expanded so patterns see one canonical wording. */
const EXPANSIONS: Record<string, string> = {
	"i'm": "i am",
	im: "i am",
	"i've": "i have",
	ive: "i have",
	"i'll": "i will",
	"i'd": "i would",
	id: "i would",
	"you're": "you are",
	youre: "you are",
	"you've": "you have",
	"you'll": "you will",
	youll: "you will",
	"you'd": "you would",
	"he's": "he is",
	"she's": "she is",
	"it's": "it is",
	"that's": "that is",
	thats: "that is",
	"there's": "there is",
	"what's": "what is",
	whats: "what is",
	"they're": "they are",
	"we're": "we are",
	"they'd": "they would",
	"we'd": "we would",
	"everyone'd": "everyone would",
	"let's": "let us",
	"don't": "do not",
	dont: "do not",
	"doesn't": "does not",
	doesnt: "does not",
	"didn't": "did not",
	didnt: "did not",
	"can't": "can not",
	cant: "can not",
	cannot: "can not",
	"won't": "will not",
	"wouldn't": "would not",
	wouldnt: "would not",
	"shouldn't": "should not",
	"couldn't": "could not",
	"isn't": "is not",
	isnt: "is not",
	"aren't": "are not",
	"wasn't": "was not",
	"weren't": "were not",
	"haven't": "have not",
	"hasn't": "has not",
	"ain't": "am not",
	wanna: "want to",
	gonna: "going to",
	gotta: "got to",
	tryna: "trying to",
	u: "you",
	ya: "you",
	yu: "you",
	r: "are",
	ur: "your",
	urself: "yourself",
	ppl: "people",
	pls: "please",
	plz: "please",
	kys: "kill yourself",
	kms: "kill myself",
	stfu: "shut the fuck up",
	gtfo: "get the fuck out",
	unalive: "kill",
};

/** Words a stretched spelling is most likely meant as ("youuuu" → "you", "killll" → "kill"). */
const STRETCH_PREFERENCES = new Set([
	"you",
	"so",
	"no",
	"stupid",
	"idiot",
	"loser",
	"kill",
	"die",
	"dead",
	"hate",
	"ugly",
	"moron",
	"dumb",
	"shut",
	"up",
	"all",
	"too",
	"good",
	"cool",
	"sleep",
	"feel",
	"need",
	"look",
	"really",
	"pathetic",
	"worthless",
	"useless",
	"please",
	"help",
	"tired",
	"sorry",
	"well",
	"off",
	"will",
]);

/**
 * Everyday English words, for reading letters spelled out one by one ("i w a n t t o d i e"): the models
 * add the words their rules read (`addVocabulary`), and these fill the gaps between them.
 */
const VOCABULARY = new Set(
	`i a u r am an as at be by do go he if in is it me my no of oh ok on or so to up us we ya ye
	all and any are but can did does done for get got had has have her him his how its just let may
	not now off one our out own say see she the too two was way who why yes yet you also back been
	came come dead does down each else even ever from gone good hate have help here hurt into kill
	know last life like live long look lost love made make many more most much must need next none
	only over part pain said same seen some soon such sure take tell than that them then they this
	time told very want well went were what when will wish with work your about after again alive
	alone always among being could doing dying every going gonna hurts later maybe might never night
	other right shall since still their there these thing think those today tried under until where
	which while whole world would wrong yours anyone before better cannot enough family friend inside
	myself nobody people really should please reason killed killing someone something tomorrow tonight
	anymore anything everyone nothing yourself yourselves himself herself themselves goodbye ready
	pills pill rope bridge jump roof knife blade note letter plan planned planning end ending ended`.split(
		/\s+/,
	),
);

/** Endings a known word may carry and still be read as known ("wants", "ended", "killing"). */
const ENDINGS = ["s", "es", "ed", "d", "ing", "er", "ers", "ly", "y"];

/** Other ways a model recognises a word (obscenity's matcher, which sees inflections and variants). */
const RECOGNISERS: Array<(word: string) => boolean> = [];

/** Adds words a stretched spelling may stand for (each model registers its vocabulary once, at load). */
export function addKnownWords(words: Iterable<string>): void {
	for (const word of words) {
		if (word.includes(" ")) continue;
		STRETCH_PREFERENCES.add(word);
		VOCABULARY.add(word);
		vocabularyTrie = null;
	}
}

/**
 * Adds the words a model's rules read, found in their patterns' source ("\b(kill|end) (myself|my life)\b"
 * gives kill, end, myself, life), so letters spelled out one by one are read as those words.
 */
export function addVocabulary(patterns: Iterable<RegExp | string>): void {
	for (const pattern of patterns) {
		const source = typeof pattern === "string" ? pattern : pattern.source;
		for (const word of source.replace(/\\[a-zA-Z]/g, " ").match(/[a-z]{3,}/g) ?? []) {
			if (!ENDINGS.includes(word)) VOCABULARY.add(word);
		}
	}
	vocabularyTrie = null;
}

/** Adds another way of recognising a word (used only for a whole spelled-out run, never for its parts). */
export function addWordRecogniser(recognise: (word: string) => boolean): void {
	RECOGNISERS.push(recognise);
}

/** True for a word some model registered (see `addKnownWords`, `addVocabulary`, `addWordRecogniser`). */
export const isKnownWord = (word: string): boolean =>
	STRETCH_PREFERENCES.has(word) || VOCABULARY.has(word) || RECOGNISERS.some((recognise) => recognise(word));

interface TrieNode {
	next: Map<string, TrieNode>;
	/** A known word ends here. */
	word: boolean;
}
let vocabularyTrie: TrieNode | null = null;

/**
 * The known words, and those of three letters or more with a usual ending, as a letter tree: reading a run
 * walks it once from each position and stops where no known word continues (built again after the models
 * add words, which they do once, at load).
 */
function vocabulary(): TrieNode {
	if (vocabularyTrie) return vocabularyTrie;
	const root: TrieNode = { next: new Map(), word: false };
	const add = (word: string) => {
		let node = root;
		for (const ch of word) {
			let child = node.next.get(ch);
			if (!child) {
				child = { next: new Map(), word: false };
				node.next.set(ch, child);
			}
			node = child;
		}
		node.word = true;
	};
	for (const word of VOCABULARY) {
		add(word);
		if (word.length >= 3) for (const ending of ENDINGS) add(word + ending);
	}
	vocabularyTrie = root;
	return root;
}

/**
 * Characters that change nothing a reader sees, removed before scoring: every format character (general
 * category Cf: zero-width space and joiners U+200B–U+200F, soft hyphen U+00AD, word joiner and invisible
 * operators U+2060–U+2064, byte-order mark U+FEFF, bidi controls U+202A–U+202E and U+2066–U+2069, tag
 * characters U+E0000–U+E007F …) and the other default-ignorable code points (variation selectors, Hangul
 * fillers, combining grapheme joiner).
 */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

/**
 * Unicode's confusables (UTS #39 `confusables.txt`, as packaged by `unhomoglyph`): each character that looks
 * like another, mapped to its prototype. Only the entries that lead to Latin letters are used (see `latinOf`).
 */
const CONFUSABLES: Readonly<Record<string, string>> = UNICODE_CONFUSABLES;

/**
 * Latin small capitals (and kra ĸ, turned w ʍ), read as their letter. The confusables data gives them as the
 * prototypes of Cyrillic and Greek lower-case letters (т, τ → ᴛ; к → ĸ; м → ʍ), and "small caps" text
 * generators use them, but the data maps most of them to nothing Latin.
 */
const SMALL_CAPITALS: Readonly<Record<string, string>> = Object.fromEntries(
	[..."ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢĸʍ"].map((ch, i) => [ch, "abcdefghijklmnopqrstuvwyzkm"[i] ?? ch]),
);

/**
 * Letters drawn in a box or as a flag's half, which NFKC leaves alone: negative circled 🅐–🅩, negative
 * squared 🅰–🆉, and regional indicators 🇦–🇿.
 */
const ENCLOSED_LETTER = /[\u{1f150}-\u{1f169}\u{1f170}-\u{1f189}\u{1f1e6}-\u{1f1ff}]/gu;
const enclosedToLatin = (ch: string) => {
	const code = ch.codePointAt(0) ?? 0;
	const base = code >= 0x1f1e6 ? 0x1f1e6 : code >= 0x1f170 ? 0x1f170 : 0x1f150;
	return String.fromCharCode(65 + code - base);
};

const LATIN_SCRIPT = /\p{Script=Latin}/u;
const MARK = /\p{M}/u;
/** The scripts whose letters are commonly passed off as Latin ones; any other script is "other". */
const SCRIPTS: Array<[name: string, pattern: RegExp]> = [
	["latin", LATIN_SCRIPT],
	["cyrillic", /\p{Script=Cyrillic}/u],
	["greek", /\p{Script=Greek}/u],
	["armenian", /\p{Script=Armenian}/u],
	["cherokee", /\p{Script=Cherokee}/u],
];
const scriptCache = new Map<string, string>();
function scriptOf(ch: string): string {
	let script = scriptCache.get(ch);
	if (script === undefined) {
		script = SCRIPTS.find(([, pattern]) => pattern.test(ch))?.[0] ?? "other";
		scriptCache.set(ch, script);
	}
	return script;
}

/** The Latin letters a prototype stands for, if it is one (marks dropped: Greek η → "n̩" → "n"). */
function latinPrototype(ch: string, allowSeveral: boolean): string | null {
	const small = SMALL_CAPITALS[ch];
	if (small) return small;
	const prototype = CONFUSABLES[ch];
	if (prototype === undefined) return null;
	const letters = prototype.normalize("NFD").replace(/\p{M}/gu, "");
	const viaSmallCapital = SMALL_CAPITALS[letters];
	if (viaSmallCapital) return viaSmallCapital;
	return /^[A-Za-z]$/.test(letters) || (allowSeveral && /^[A-Za-z]{2,3}$/.test(letters)) ? letters : null;
}

const latinCache = new Map<string, string | null>();
/**
 * The Latin skeleton of one non-ASCII letter, in the letter's case, or null when it has none (б, д, λ, π
 * and letters of most scripts). Its lower-case form is tried first, so Cyrillic and Greek capital I read
 * as "I", not as the "l" that the data's case-blind prototype gives. A letter with a mark whose base folds
 * keeps its mark (Cyrillic ё → e + ◌̈), which later folding drops; Latin letters with diacritics (é, ç)
 * are not look-alikes and stay. Only letters are folded: digits of other scripts (० → o) and symbols
 * (∪ → U) keep their meaning. Several letters only for Latin ligatures (æ → ae).
 */
export function latinOf(ch: string): string | null {
	const cached = latinCache.get(ch);
	if (cached !== undefined) return cached;
	let folded: string | null = null;
	if (/^\p{L}$/u.test(ch) && (ch.codePointAt(0) ?? 0) > 0x7f) {
		const allowSeveral = LATIN_SCRIPT.test(ch);
		const lower = ch.toLowerCase();
		const upper = ch.toUpperCase();
		const [base = ch, ...marks] = ch.normalize("NFD");
		const diacriticOnAscii = marks.length > 0 && (base.codePointAt(0) ?? 0) <= 0x7f;
		for (const candidate of diacriticOnAscii ? [] : [lower, ch]) {
			if ([...candidate].length !== 1 || (candidate.codePointAt(0) ?? 0) <= 0x7f) continue;
			folded = latinPrototype(candidate, allowSeveral);
			if (folded) break;
		}
		if (!folded && !diacriticOnAscii) {
			if (base !== ch && (base.codePointAt(0) ?? 0) > 0x7f) {
				const baseFolded = latinOf(base);
				if (baseFolded) folded = baseFolded.toLowerCase() + marks.join("");
			}
		}
		if (folded)
			folded =
				ch === lower && ch !== upper
					? folded.toLowerCase()
					: ch === upper && ch !== lower
						? folded.toUpperCase()
						: folded.toLowerCase();
	}
	latinCache.set(ch, folded);
	return folded;
}

/** Anything but printable ASCII and ordinary white space: plain ASCII text skips the Unicode steps. */
const NON_ASCII = /[^ -~\t\n\r]/;
const WORD = /[\p{L}\p{M}]+/gu;
const ASCII_WORD = /^[A-Za-z]+$/;

/**
 * Folds look-alike letters to their Latin skeleton, in the spirit of Unicode TS #39 (confusable detection):
 * "уоu" (Cyrillic у, о), "κιll" (Greek κ, ι) → "you", "kill". Word by word, so that prose in other scripts
 * is not mangled into Latin garbage:
 * - a word that mixes scripts (Latin with Cyrillic, Cyrillic with Greek …) is folded: no language writes so;
 * - a Latin word has its non-ASCII look-alikes folded (ɑ, ı, ꜱ);
 * - a word all in one other script is folded only if every letter in it has a Latin look-alike and the text
 *   is Latin rather than that script: it has at least as many Latin letters as letters of other scripts
 *   with no Latin look-alike. Russian or Greek prose ("Привет, как дела?") always has such letters
 *   (и, л, д, λ …), so its words stay as written; an English text disguised in Cyrillic has none.
 */
export function foldConfusables(text: string): string {
	if (!NON_ASCII.test(text)) return text;
	const input = text.replace(ENCLOSED_LETTER, enclosedToLatin);
	let latinLetters = 0;
	let otherLetters = 0;
	for (const [word] of input.matchAll(WORD)) {
		if (ASCII_WORD.test(word)) {
			latinLetters += word.length;
			continue;
		}
		for (const ch of word) {
			if (MARK.test(ch)) continue;
			if (scriptOf(ch) === "latin") latinLetters++;
			else if (latinOf(ch) === null) otherLetters++;
		}
	}
	const latinText = latinLetters >= otherLetters;
	return input.replace(WORD, (word) => {
		if (ASCII_WORD.test(word)) return word;
		const scripts = new Set<string>();
		let everyLetterFolds = true;
		for (const ch of word) {
			if (MARK.test(ch)) continue;
			const script = scriptOf(ch);
			scripts.add(script);
			if (script !== "latin" && latinOf(ch) === null) everyLetterFolds = false;
		}
		const fold = scripts.size > 1 || scripts.has("latin") || (everyLetterFolds && latinText);
		if (!fold) return word;
		let folded = "";
		for (const ch of word) folded += (ch.codePointAt(0) ?? 0) > 0x7f ? (latinOf(ch) ?? ch) : ch;
		return folded;
	});
}

/**
 * The text the moderation models score — normalised once, at the entry of moderation, for every provider.
 * The API stores and shows the text as written; only this copy is changed. In order:
 * 1. invisible characters removed (`INVISIBLE`), so "k\u200bi\u00adl\u2060l" is "kill";
 * 2. NFKC: fullwidth (ｋｉｌｌ), mathematical (𝐤𝐢𝐥𝐥, 𝕜𝕚𝕝𝕝), circled, superscript and other compatibility
 *    forms become their plain letters, and odd spaces a space;
 * 3. look-alike letters folded to Latin (`foldConfusables`);
 * 4. UUIDs and long hex strings removed (`IDENTIFIER`);
 * 5. separators between single letters collapsed (`joinSpelledOut`): "k/i/l/l y/o/u", "k i l l".
 * Case, punctuation, emoji used as emoji, and letters of other scripts in their own prose are kept.
 */
export function normaliseForScoring(text: string): string {
	const unicode = NON_ASCII.test(text)
		? foldConfusables(text.replace(INVISIBLE, "").normalize("NFKC").replace(INVISIBLE, ""))
		: text;
	return joinSpelledOut(unicode.replace(IDENTIFIER, " "));
}

/**
 * UUIDs and long hex strings (ids, hashes pasted into a post) are not words: read as leetspeak, about one
 * random UUID in two hundred spelled a slur ("f46e" → "fage").
 */
const IDENTIFIER = /\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b|\b[0-9a-f]{16,}\b/gi;

/** Unicode compatibility folding, lower case, curly quotes straightened, diacritics removed. */
export function foldText(text: string): string {
	return text
		.normalize("NFKD")
		.replace(/[\u0300-\u036f]/g, "")
		.toLowerCase()
		.replace(/[\u2018\u2019\u02bc`´]/g, "'")
		.replace(/[\u201c\u201d]/g, '"');
}

/** One character of a spelled-out run: a letter, an ASCII digit, or a symbol that stands for a letter ("$", "@"). */
const UNIT = "[\\p{L}0-9@$!*]";
/** What may stand between two of them: up to five other characters ("/", ". ", " 🔪 "), never a line break or an apostrophe. */
const SEPARATOR = "[^\\p{L}0-9@$!*'\\u2019\\n\\r]{1,5}";
/**
 * Three or more single characters, each with a separator before the next: "k/i/l/l", "i d i o t", "k🔪i🔪l🔪l".
 * A "!" right after the last one is an exclamation mark ("b.a.c.k!"), not a leetspeak letter.
 */
const SPELLED_RUN = new RegExp(
	`(?<!${UNIT})${UNIT}(?:${SEPARATOR}${UNIT}){2,}(?![\\p{L}0-9@$*]|!+[\\p{L}0-9@$*])`,
	"gu",
);
const UNITS = new RegExp(UNIT, "gu");
/** A separator with white space in it marks a gap between words ("k/i/l/l y/o/u": "/" inside, " " between). */
const isWordGap = (separator: string) => /\s/u.test(separator);
/** Longest word tried when reading a run as several words. */
const MAX_WORD = 20;
/** What a letter no known word covers costs when reading a run as words (a known word costs 1). */
const UNKNOWN_LETTER = 4;

/**
 * Reads a run of letters with no word gaps as words ("iwanttodie" → i|want|to|die): the fewest known words,
 * each letter no known word covers costing more than a word (dynamic programming over a letter tree, linear
 * in the run). Answers where each word starts, or null when known words cover less than two thirds of the
 * letters or none of them has three letters ("abcd", "jrr" stay as written).
 */
function segmentWords(letters: string[]): number[] | null {
	const n = letters.length;
	const root = vocabulary();
	const cost = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
	const from = new Int32Array(n + 1);
	const known = new Uint8Array(n + 1);
	cost[0] = 0;
	for (let start = 0; start < n; start++) {
		const before = cost[start] ?? Number.POSITIVE_INFINITY;
		if (before === Number.POSITIVE_INFINITY) continue;
		// A letter no known word covers: dearer than any known word, so words win wherever they fit.
		if (before + UNKNOWN_LETTER < (cost[start + 1] ?? Number.POSITIVE_INFINITY)) {
			cost[start + 1] = before + UNKNOWN_LETTER;
			from[start + 1] = start;
			known[start + 1] = 0;
		}
		let node: TrieNode | undefined = root;
		for (let end = start + 1; end <= n && end - start <= MAX_WORD; end++) {
			node = node.next.get(letters[end - 1] ?? "");
			if (!node) break;
			if (node.word && before + 1 < (cost[end] ?? Number.POSITIVE_INFINITY)) {
				cost[end] = before + 1;
				from[end] = start;
				known[end] = 1;
			}
		}
	}
	// Word starts, best first from the end; letters no word covers run together as one unknown word.
	const starts: number[] = [];
	let knownLetters = 0;
	let longest = 0;
	for (let end = n; end > 0; ) {
		let start = from[end] ?? 0;
		if (known[end]) {
			knownLetters += end - start;
			longest = Math.max(longest, end - start);
		} else {
			while (start > 0 && !known[start]) start = from[start] ?? 0;
		}
		starts.push(start);
		end = start;
	}
	return knownLetters * 3 >= n * 2 && longest >= 3 ? starts.reverse() : null;
}

/**
 * Joins letters spelled out one by one, whatever stands between them: "f u c k", "f.u.c.k", "k/i/l/l",
 * "k-i-l-l", "k_i_l_l", "k🔪i🔪l🔪l" → "fuck", "kill". Runs of three or more single characters are
 * candidates; ordinary text keeps its single letters ("I am a b c student", "U.S.A.", "J. R. R. Tolkien",
 * "u r a star", numbered lists) because a run is joined only when
 * - it spells one word `accept` recognises ("i d i o t", "a.s.s");
 * - or it has four or more characters and
 *   - separators inside words and gaps between them ("k/i/l/l y/o/u", "k🔪i🔪l🔪l y🔪o🔪u"): each word is
 *     joined, the gaps kept;
 *   - one kind of separator throughout ("k i l l y o u r s e l f", "i 🔪 w a n t"): known words cover
 *     two thirds of it (see `segmentWords`), and the words are written with a space between them;
 *   - or the same symbol between every letter ("s/u/p/e/r/b", "u.s.s.r"), which is one word spelled out.
 */
export function joinSpelledOut(text: string, accept: (word: string) => boolean = isKnownWord): string {
	return text.replace(SPELLED_RUN, (run) => {
		const units: string[] = [];
		const separators: string[] = [];
		let cursor = 0;
		for (const match of run.matchAll(UNITS)) {
			if (match.index > cursor) separators.push(run.slice(cursor, match.index));
			units.push(match[0]);
			cursor = match.index + match[0].length;
		}
		const letterCount = units.filter((unit) => /\p{L}/u.test(unit)).length;
		if (letterCount < 2) return run;
		const joined = units.join("");
		// One key per character (lower case, leetspeak undone), so a reading of the keys maps back onto the run.
		const lower = units.map((unit) =>
			unit.toLowerCase().length === unit.length ? unit.toLowerCase() : unit,
		);
		const unLeeted = [...unLeet(lower.join(""))];
		const keys = unLeeted.length === units.length ? unLeeted : lower;
		const word = keys.join("");
		if (accept(unStretch(word))) return joined;
		if (units.length < 4) return run;

		const gaps = separators.map(isWordGap);
		if (gaps.includes(true) && gaps.includes(false)) {
			// Letters inside words are joined; the gaps between words stay as written.
			const longestWord = Math.max(...run.split(/\s+/u).map((part) => (part.match(UNITS) ?? []).length));
			if (longestWord < 3) return run;
			let out = units[0] ?? "";
			separators.forEach((separator, i) => {
				out += (gaps[i] ? separator : "") + (units[i + 1] ?? "");
			});
			return out;
		}
		const segmented = segmentWords(keys);
		const starts = segmented && new Set(segmented);
		if (starts && starts.size > 1) {
			let out = "";
			units.forEach((unit, i) => {
				if (i > 0 && starts.has(i)) {
					// Punctuation in a gap is kept ("y o u , w a t c h" → "you, watch"), symbols are not.
					const punctuation = (separators[i - 1] ?? "").replace(/[^.,!?;:]/g, "");
					out += `${punctuation} `;
				}
				out += unit;
			});
			return out;
		}
		if (starts) return joined;
		const [first] = separators;
		if (first !== undefined && !gaps[0] && !/[,;:]/.test(first) && separators.every((s) => s === first)) {
			return joined;
		}
		return run;
	});
}

/** Undoes leetspeak inside a token that mixes letters with digits or symbols ("l0s3r" → "loser"). */
export function unLeet(token: string): string {
	if (!/\p{L}/u.test(token) || !/[0-9@$!|+€]/.test(token)) return token;
	if (/^\d+(st|nd|rd|th|s|k|am|pm|x|min|h|km|mi|kg|lb|lbs)?$/.test(token)) return token;
	return token.replace(/[0-9@$!|+€]/g, (ch) => LEET[ch] ?? ch);
}

/** Shrinks letters repeated three or more times, choosing the reading a known word supports. */
export function unStretch(token: string): string {
	if (!/(.)\1\1/.test(token)) return token;
	const toOne = token.replace(/(.)\1{2,}/g, "$1");
	const toTwo = token.replace(/(.)\1{2,}/g, "$1$1");
	if (STRETCH_PREFERENCES.has(toTwo)) return toTwo;
	if (STRETCH_PREFERENCES.has(toOne)) return toOne;
	// Collapse every double too ("stuuupiid" → "stupid") when that lands on a known word.
	const allOne = toOne.replace(/(.)\1+/g, "$1");
	if (STRETCH_PREFERENCES.has(allOne)) return allOne;
	return toTwo;
}

function tokenize(prepared: string): string[] {
	const tokens: string[] = [];
	for (const raw of prepared.match(/[\p{L}\p{N}@$!|+€*']+/gu) ?? []) {
		let token = raw.replace(/^'+|'+$/g, "");
		if (!token) continue;
		token = unStretch(unLeet(token)).replace(/\*/g, "");
		if (!token) continue;
		const expanded = EXPANSIONS[token] ?? EXPANSIONS[token.replace(/'/g, "")];
		if (expanded) tokens.push(...expanded.split(" "));
		else tokens.push(...token.split("'").filter(Boolean));
	}
	return fixYourForYoure(tokens);
}

/** "your so dumb" is "you are so dumb": the common misspelling, fixed so the rules read it as meant. */
function fixYourForYoure(tokens: string[]): string[] {
	const fixed: string[] = [];
	for (let i = 0; i < tokens.length; i++) {
		const next = tokens[i + 1] ?? "";
		if (
			tokens[i] === "your" &&
			/^(so|a|an|such|the|really|just|not|very|too|gonna|going|an|being|always|never|literally|honestly|pathetic|stupid|dumb|ugly|useless|worthless|disgusting|annoying|wrong)$/.test(
				next,
			)
		) {
			fixed.push("you", "are");
		} else {
			fixed.push(tokens[i] ?? "");
		}
	}
	return fixed;
}

/**
 * The canonical token stream of a text: folded, de-obfuscated, contractions expanded. Apostrophes are
 * kept inside words only for contraction lookup.
 */
export function canonicalTokens(text: string, accept?: (word: string) => boolean): string[] {
	return tokenize(joinSpelledOut(foldText(text), accept));
}

/** A text cut into clauses (sentence ends, line breaks, semicolons, "but"), each canonicalised. */
export function canonicalClauses(text: string, accept?: (word: string) => boolean): string[] {
	return joinSpelledOut(foldText(text), accept)
		.split(/[.!?]+(?=[\s"')]|$)|[;\n\r]+|\s[-–—]\s|,\s*(?:but|though|although)\s|\sbut\s/)
		.map((part) => tokenize(part).join(" "))
		.filter((clause) => clause.length > 0);
}

/** Simple word tokens of a text (folded, letters and digits only), for embeddings. */
export function wordTokens(text: string): string[] {
	return foldText(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}
