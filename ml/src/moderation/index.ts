/**
 * @module moderation: the embedded moderation model — profanity and slurs (obscenity), curated insult,
 * threat, identity-attack and harassment rules, and the self-harm risk detector — combined into one
 * `ModerationResult`. Deterministic, offline, a few hundred microseconds per post.
 */
import { MODERATION_LABELS, type ModerationLabel, type ModerationResult } from "../contract";
import {
	LEARNED_THRESHOLDS,
	type LearnedScores,
	learnedReads,
	learnedScores,
	toxicityFromProbability,
} from "../learned";
import { canonicalClauses, foldText, isKnownWord, joinSpelledOut } from "../text";
import { MODEL_VERSION } from "../version";
import { scoreAbuse } from "./abuse";
import { scanProfanity } from "./profanity";
import { assessSelfHarm, type SelfHarmRisk } from "./self-harm";

export const EMBEDDED_MODERATION_MODEL = `flourish-moderation-rules@${MODEL_VERSION}`;
/** Longer texts are scored on their first this-many characters (the API sends at most 8,000). */
export const MODERATION_MAX_CHARS = 20_000;

/** How much each label counts toward toxicity. Self-harm counts for nothing: a person reaching out is not toxic. */
const TOXICITY_WEIGHTS: Record<ModerationLabel, number> = {
	insult: 1,
	threat: 1,
	identity_attack: 1,
	sexual: 0.9,
	profanity: 0.45,
	self_harm: 0,
};

const round = (value: number) => Math.round(Math.min(1, Math.max(0, value)) * 10_000) / 10_000;

/** Overall toxicity: the labels combined as independent pieces of evidence (noisy-or), each weighted. */
export function toxicityOf(labels: Record<ModerationLabel, number>): number {
	let clean = 1;
	for (const label of MODERATION_LABELS) clean *= 1 - TOXICITY_WEIGHTS[label] * labels[label];
	return round(1 - clean);
}

/** Spelled-out letters are joined when they form a word some model knows (profanity included). */
const spelledOutWord = isKnownWord;

/** Words quoted from someone else ("the villain says 'I will kill you'"): not the author's abuse. */
const REPORTED_QUOTE =
	/\b(said|says|say|shouted|yelled|wrote|writes|screamed|goes|line|quote|quoting|sings|sang|lyrics|called me)[:,]?\s*(["'])([^"\n]{1,300}?)\2/g;

const RISK_ORDER: Record<SelfHarmRisk, number> = { none: 0, low: 1, high: 2 };

/**
 * The learned heads' self-harm risk: high from the high head when the any-risk head agrees there is a risk
 * (`highNeedsRisk`), at least low from the any-risk head.
 */
export function learnedRisk(scores: LearnedScores): SelfHarmRisk {
	if (scores.high >= LEARNED_THRESHOLDS.high && scores.risk >= (LEARNED_THRESHOLDS.highNeedsRisk ?? 0))
		return "high";
	if (scores.risk >= LEARNED_THRESHOLDS.risk) return "low";
	return "none";
}

/** The higher of two risks: the learned heads can raise the rules' risk, never lower it. */
export function higherRisk(a: SelfHarmRisk, b: SelfHarmRisk): SelfHarmRisk {
	return RISK_ORDER[b] > RISK_ORDER[a] ? b : a;
}

export interface ModerateOptions {
	/** Combine the learned heads with the rules (default); false gives the rules alone (training, eval). */
	learned?: boolean;
}

/**
 * Scores one text with the embedded model. The Worker hands it the text normalised at the entry of
 * moderation (`normaliseForScoring`, see `providers/select.ts`); its own folding and spelled-out joining
 * below are how the rules read text, and change nothing more on a normalised one.
 */
export function moderateText(
	text: string,
	options: ModerateOptions = {},
): ModerationResult & { signals: string[]; learned?: LearnedScores } {
	const input = text.slice(0, MODERATION_MAX_CHARS);
	const scan = scanProfanity(joinSpelledOut(foldText(input), spelledOutWord));
	const clauses = canonicalClauses(scan.plain, spelledOutWord);
	const unquoted = scan.plain.replace(REPORTED_QUOTE, (_match, verb: string) => `${verb} a quote`);
	const abuse = scoreAbuse(unquoted === scan.plain ? clauses : canonicalClauses(unquoted, spelledOutWord));
	const selfHarm = assessSelfHarm(input, clauses);
	const labels: Record<ModerationLabel, number> = {
		insult: round(abuse.insult),
		threat: round(abuse.threat),
		profanity: round(scan.profanity),
		identity_attack: round(Math.max(abuse.identity_attack, scan.slur)),
		sexual: round(Math.max(abuse.sexual, scan.sexual)),
		self_harm: round(selfHarm.score),
	};
	const rulesToxicity = toxicityOf(labels);
	if (options.learned === false || !learnedReads(input)) {
		return {
			toxicity: rulesToxicity,
			labels,
			selfHarmRisk: selfHarm.risk,
			model: EMBEDDED_MODERATION_MODEL,
			signals: selfHarm.signals,
		};
	}
	// The learned heads: risk is the higher of the rules' and the model's; toxicity the higher of the rules'
	// and the toxic head's probability on the toxicity scale (its cross-validated threshold at 0.7).
	const learned = learnedScores(input);
	const modelRisk = learnedRisk(learned);
	const selfHarmRisk = higherRisk(selfHarm.risk, modelRisk);
	if (selfHarmRisk !== selfHarm.risk) {
		labels.self_harm = round(Math.max(labels.self_harm, selfHarmRisk === "high" ? 0.95 : 0.5));
	}
	return {
		toxicity: round(Math.max(rulesToxicity, toxicityFromProbability(learned.toxic))),
		labels,
		selfHarmRisk,
		model: EMBEDDED_MODERATION_MODEL,
		signals: modelRisk === "none" ? selfHarm.signals : [...selfHarm.signals, `learned_${modelRisk}`],
		learned,
	};
}
