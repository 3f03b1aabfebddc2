/**
 * @module fts-query: what a person types into a search box, turned into an FTS5 MATCH expression that can only
 * mean what they meant.
 *
 * The language: words (all must match), `"quoted phrases"`, a trailing `*` for a prefix (typeahead), and
 * `-word` or `-"a phrase"` to exclude. Everything else is plain words: the expression is rebuilt from the
 * letters and digits of each term, each piece in double quotes, so FTS5's own syntax (`NEAR`, `OR`, `:`, `^`,
 * parentheses, column filters) typed by a person never reaches the engine. `self-care` is the phrase
 * `"self care"`, as the tokenizer would split it.
 */

/** At most this many terms are kept (the rest are ignored): the cost of a match grows with them. */
export const MAX_TERMS = 12;
/** A prefix shorter than this would expand to most of the vocabulary; it is searched as a whole word. */
export const MIN_PREFIX_CHARS = 2;

export interface SearchTerm {
	/** The term's words, in order (one for a word, several for a phrase). */
	words: string[];
	prefix: boolean;
	excluded: boolean;
}

export type ParsedQuery =
	| { ok: true; match: string; terms: SearchTerm[] }
	| { ok: false; reason: "no_words" | "only_exclusions" };

/** Letters (with their combining marks) and digits: what unicode61 keeps as tokens. */
const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;
/** A term as typed: an optional `-`, then a quoted phrase (closed or not) or a run of non-space. */
const TERM = /(-?)(?:"([^"]*)"?|(\S+))/gu;

const quoted = (words: string[]) => `"${words.join(" ")}"`;

function termSql(term: SearchTerm): string {
	return term.prefix ? `${quoted(term.words)}*` : quoted(term.words);
}

export function parseSearchQuery(input: string): ParsedQuery {
	const terms: SearchTerm[] = [];
	for (const match of input.normalize("NFC").matchAll(TERM)) {
		if (terms.length === MAX_TERMS) break;
		const [, minus, phrase, bare] = match;
		const text = phrase ?? bare ?? "";
		const words = (text.match(WORD) ?? []).map((word) => word.toLowerCase());
		if (words.length === 0) continue;
		const last = words.at(-1) ?? "";
		const prefix = phrase === undefined && text.endsWith("*") && last.length >= MIN_PREFIX_CHARS;
		terms.push({ words, prefix, excluded: minus === "-" });
	}
	const wanted = terms.filter((term) => !term.excluded);
	const excluded = terms.filter((term) => term.excluded);
	if (terms.length === 0) return { ok: false, reason: "no_words" };
	if (wanted.length === 0) return { ok: false, reason: "only_exclusions" };
	const positive = wanted.map(termSql).join(" ");
	const match =
		excluded.length === 0 ? positive : `(${positive}) ${excluded.map((t) => `NOT ${termSql(t)}`).join(" ")}`;
	return { ok: true, match, terms };
}
