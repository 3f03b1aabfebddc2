/**
 * How an attacker disguises a text from moderation while a person still reads it as written (the adversarial
 * review's findings): invisible format characters between letters, look-alike letters from other scripts,
 * fullwidth and mathematical letters, and separators between single letters. Shared by the ML Worker's
 * tests and the API's end-to-end tests, so both prove the same attacks.
 */

export type Trick = (text: string) => string;

/** Puts `separator` between the letters of every word ("kill" → "k/i/l/l"); spaces between words stay. */
export const betweenLetters =
	(separator: string): Trick =>
	(text) =>
		text.replace(/\p{L}+/gu, (word) => [...word].join(separator));

/** Replaces characters one for one. */
const swap =
	(table: Record<string, string>): Trick =>
	(text) =>
		[...text].map((ch) => table[ch] ?? ch).join("");

/** Shifts ASCII letters into another Unicode block (fullwidth, mathematical alphanumerics). */
const shiftLetters =
	(upper: number, lower: number): Trick =>
	(text) =>
		text.replace(/[A-Za-z]/g, (ch) => {
			const code = ch.charCodeAt(0);
			return String.fromCodePoint(code < 97 ? upper + code - 65 : lower + code - 97);
		});

/** Cyrillic letters that look like Latin ones (а е о р с х у і ѕ, capital І). */
export const CYRILLIC: Record<string, string> = {
	a: "\u0430",
	c: "\u0441",
	e: "\u0435",
	i: "\u0456",
	o: "\u043e",
	p: "\u0440",
	s: "\u0455",
	x: "\u0445",
	y: "\u0443",
	I: "\u0406",
};

/** Greek letters that look like Latin ones (α ι κ ο ρ τ υ ν γ, capital Ι). */
export const GREEK: Record<string, string> = {
	a: "\u03b1",
	i: "\u03b9",
	k: "\u03ba",
	o: "\u03bf",
	p: "\u03c1",
	t: "\u03c4",
	u: "\u03c5",
	v: "\u03bd",
	y: "\u03b3",
	I: "\u0399",
};

export const TRICKS: Record<string, Trick> = {
	"zero-width spaces (U+200B)": betweenLetters("\u200b"),
	"soft hyphens (U+00AD)": betweenLetters("\u00ad"),
	"word joiners and byte-order marks (U+2060, U+FEFF)": betweenLetters("\u2060\ufeff"),
	"bidi controls (U+202A…U+202C, U+2066…U+2069)": betweenLetters("\u202a\u202c\u2066\u2069"),
	"tag characters (U+E0020…)": betweenLetters("\u{e0020}\u{e0041}"),
	"Cyrillic look-alikes": swap(CYRILLIC),
	"Greek look-alikes": swap(GREEK),
	"fullwidth letters": (text) =>
		text.replace(/[!-~]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).replace(/ /g, "\u3000"),
	"mathematical bold letters": shiftLetters(0x1d400, 0x1d41a),
	"mathematical double-struck letters": (text) =>
		// 𝕒…𝕫; the capitals C H N P Q R Z of the block live in Letterlike Symbols, so only the I is used here.
		shiftLetters(0x1d538, 0x1d552)(text.replace(/[A-HJ-Z]/g, (ch) => ch.toLowerCase())),
	"slashes between letters": betweenLetters("/"),
	"dots between letters": betweenLetters("."),
	"spaces between letters": betweenLetters(" "),
	"hyphens between letters": betweenLetters("-"),
	"underscores between letters": betweenLetters("_"),
	"emoji between letters": betweenLetters("🔪"),
	"spaced letters with emoji between words": (text) =>
		text
			.split(" ")
			.map((word) => [...word].join(" "))
			.join(" 🔪 "),
	"Cyrillic look-alikes and zero-width spaces together": (text) =>
		betweenLetters("\u200b")(swap(CYRILLIC)(text)),
};
