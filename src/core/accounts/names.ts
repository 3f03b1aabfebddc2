/**
 * @module core/accounts/names: display names that pass themselves off as staff, or hide their direction.
 *
 * A display name is refused when it
 * - carries bidi overrides, embeddings or isolates (U+202A–U+202E, U+2066–U+2069), which can make a name
 *   read backwards or reorder the text around it;
 * - claims a staff role: its skeleton contains "guardian", "moderator" or "administrator", or one of its
 *   words begins or ends with "admin", or is "mod", "mods", "staff" or "official", or it names the Flourish
 *   team ("flourish" next to "team", "staff", "support", "admin");
 * - is confusable with a guardian's display name (the same skeleton).
 * Guardians themselves may use staff words. The skeleton (`nameKey`) follows Unicode TS #39: invisible
 * characters removed, NFKC, each character replaced by its confusable prototype (Unicode's confusables data,
 * as packaged by `unhomoglyph`), marks dropped, lower case — plus digit look-alikes (0 → o, 1 → i …) and
 * the letter pairs a prototype splits into (rn → m, vv → w), so `Guаrdiаn` (Cyrillic а), `G U A R D I A N`
 * and `Gu4rdian` all read "guardian".
 */
import UNICODE_CONFUSABLES from "unhomoglyph/data.json";

const CONFUSABLES: Readonly<Record<string, string>> = UNICODE_CONFUSABLES;

/** Bidi overrides, embeddings and isolates (the marks LRM/RLM are allowed: right-to-left names need them). */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/u;
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
const DIGIT_LOOKALIKES: Readonly<Record<string, string>> = {
	"0": "o",
	"1": "i",
	"3": "e",
	"4": "a",
	"5": "s",
	"7": "t",
	"8": "b",
	"@": "a",
	$: "s",
	"!": "i",
	"|": "i",
};

/** The skeleton of one word or name: letters only, compared with other skeletons, never shown. */
export function nameKey(text: string): string {
	let key = "";
	for (const ch of text.replace(INVISIBLE, "").normalize("NFKC")) {
		const lower = ch.toLowerCase();
		key += DIGIT_LOOKALIKES[lower] ?? CONFUSABLES[ch] ?? CONFUSABLES[lower] ?? ch;
	}
	return key
		.normalize("NFD")
		.replace(/\p{M}/gu, "")
		.toLowerCase()
		.replace(/[^a-z]/g, "")
		.replaceAll("rn", "m")
		.replaceAll("vv", "w")
		.replaceAll("l", "i");
}

const STAFF_ANYWHERE = ["guardian", "moderator", "administrator"].map(nameKey);
const STAFF_WORDS = new Set(["mod", "mods", "staff", "official", "officials"].map(nameKey));
const ADMIN = nameKey("admin");
const TEAM_WORDS = ["team", "staff", "support", "admin", "crew"].map(nameKey);
const FLOURISH = nameKey("flourish");

/**
 * The words of a name as skeletons, with runs of single letters joined ("a d m i n" → "admin"), since
 * spacing a word out is the oldest way around a word list.
 */
function wordKeys(name: string): string[] {
	const words = name
		.replace(INVISIBLE, "")
		.normalize("NFKC")
		.split(/[\s\p{P}\p{S}_]+/u)
		.map(nameKey)
		.filter(Boolean);
	const joined: string[] = [];
	let run = "";
	for (const word of words) {
		if (word.length === 1) {
			run += word;
			continue;
		}
		if (run) joined.push(run);
		run = "";
		joined.push(word);
	}
	if (run) joined.push(run);
	return joined;
}

/** Why a display name may not be used by a non-guardian (staff claims, bidi controls), or undefined. */
export function staffClaimIn(name: string): string | undefined {
	if (BIDI_CONTROLS.test(name)) return "must not contain bidirectional override or isolate characters";
	const whole = nameKey(name);
	const words = wordKeys(name);
	const claimsStaff =
		STAFF_ANYWHERE.some((word) => whole.includes(word)) ||
		words.some((word) => STAFF_WORDS.has(word) || word.startsWith(ADMIN) || word.endsWith(ADMIN)) ||
		(whole.includes(FLOURISH) && TEAM_WORDS.some((word) => whole.includes(word)));
	return claimsStaff
		? "must not claim a staff role (guardian, moderator, admin, the Flourish team)"
		: undefined;
}

/** True when `name` reads as one of the guardians' names (same skeleton). */
export const confusableWithAny = (name: string, guardianNames: readonly string[]) => {
	const key = nameKey(name);
	return key.length > 0 && guardianNames.some((other) => nameKey(other) === key);
};
