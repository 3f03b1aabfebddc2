/**
 * @module text: the normalisation every model shares — Unicode folding, de-obfuscation (spaced or dotted
 * letters, leetspeak, stretched letters), contraction expansion, and clause splitting.
 *
 * Pure functions with no runtime dependencies, so the models run the same in workerd and in Node (eval,
 * benchmark).
 */

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

/** Adds words a stretched spelling may stand for (each model registers its vocabulary once, at load). */
export function addKnownWords(words: Iterable<string>): void {
	for (const word of words) if (!word.includes(" ")) STRETCH_PREFERENCES.add(word);
}

/** True for a word some model registered (see `addKnownWords`). */
export const isKnownWord = (word: string): boolean => STRETCH_PREFERENCES.has(word);

/** Unicode compatibility folding, lower case, curly quotes straightened, diacritics removed. */
export function foldText(text: string): string {
	return text
		.normalize("NFKD")
		.replace(/[\u0300-\u036f]/g, "")
		.toLowerCase()
		.replace(/[\u2018\u2019\u02bc`´]/g, "'")
		.replace(/[\u201c\u201d]/g, '"');
}

/**
 * Joins letters spelled out one by one: "f u c k", "f.u.c.k", "i d i o t" → "fuck", "idiot". Only runs of
 * three or more single characters are candidates, and a run is joined only when `accept` recognises the
 * joined word, so chat shorthand ("u r a star") stays as it is.
 */
export function joinSpelledOut(text: string, accept: (word: string) => boolean = () => true): string {
	const join = (run: string, separators: RegExp) => {
		const joined = run.replace(separators, "");
		return accept(unStretch(unLeet(joined))) ? joined : run;
	};
	return text
		.replace(/(?<![\p{L}\p{N}])(?:[\p{L}\p{N}@$!][._\-~]){2,}[\p{L}\p{N}@$!](?![\p{L}\p{N}])/gu, (run) =>
			join(run, /[._\-~]/g),
		)
		.replace(/(?<![\p{L}\p{N}@$!*])(?:[\p{L}\p{N}@$!*] ){2,}[\p{L}\p{N}@$!*](?![\p{L}\p{N}@$!*])/gu, (run) =>
			join(run, / /g),
		);
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
