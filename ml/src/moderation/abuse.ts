/**
 * @module moderation/abuse: curated signals for insults, threats, identity attacks and sexual harassment,
 * read clause by clause from the canonical token stream (see `text.ts`).
 *
 * The rules look at who a word is aimed at, not only at the word: "you're a pathetic loser" is an insult,
 * "I felt like such a loser today" and "you are not a loser" are not; "I will hurt you" is a threat,
 * "this workout will hurt" is not.
 */
import { addKnownWords, addVocabulary } from "../text";

export interface AbuseScores {
	insult: number;
	threat: number;
	identity_attack: number;
	sexual: number;
}

/** Nouns that insult a person wherever they stand, by strength. */
const INSULT_NOUNS: Record<string, number> = {
	idiot: 0.86,
	idiots: 0.86,
	moron: 0.86,
	morons: 0.86,
	imbecile: 0.86,
	imbeciles: 0.86,
	cretin: 0.86,
	dimwit: 0.8,
	halfwit: 0.8,
	nitwit: 0.78,
	dunce: 0.75,
	loser: 0.84,
	losers: 0.84,
	dumbass: 0.88,
	jackass: 0.85,
	asshole: 0.88,
	assholes: 0.88,
	dickhead: 0.88,
	shithead: 0.9,
	dipshit: 0.9,
	fuckwit: 0.92,
	fucker: 0.9,
	motherfucker: 0.93,
	bitch: 0.88,
	bitches: 0.88,
	bastard: 0.84,
	cunt: 0.95,
	twat: 0.88,
	prick: 0.84,
	dick: 0.8,
	wanker: 0.86,
	tosser: 0.8,
	douche: 0.8,
	douchebag: 0.84,
	slut: 0.9,
	whore: 0.9,
	skank: 0.9,
	scum: 0.88,
	scumbag: 0.88,
	trash: 0.7,
	garbage: 0.7,
	filth: 0.8,
	pig: 0.72,
	swine: 0.78,
	freak: 0.78,
	weirdo: 0.7,
	creep: 0.72,
	clown: 0.7,
	jerk: 0.72,
	coward: 0.74,
	liar: 0.72,
	hypocrite: 0.72,
	fraud: 0.7,
	parasite: 0.84,
	leech: 0.78,
	degenerate: 0.86,
	lowlife: 0.86,
	deadbeat: 0.8,
	psycho: 0.78,
	lunatic: 0.72,
	retard: 0.92,
	failure: 0.74,
	twit: 0.72,
	git: 0.72,
	muppet: 0.7,
	numpty: 0.7,
	pillock: 0.72,
	bimbo: 0.8,
	airhead: 0.72,
	subhuman: 0.94,
	// Slurs (scored as identity attacks in profanity.ts) also insult the person they are thrown at.
	fag: 0.9,
	faggot: 0.9,
	dyke: 0.85,
	tranny: 0.88,
	nigger: 0.95,
	kike: 0.92,
	chink: 0.9,
	waste: 0.3,
};

/** Adjectives that insult only when said of a person ("you are so stupid", not "a stupid bug"). */
const INSULT_ADJECTIVES: Record<string, number> = {
	stupid: 0.84,
	stoopid: 0.84,
	stupidest: 0.88,
	dumbest: 0.88,
	ugliest: 0.88,
	lamest: 0.7,
	worst: 0.5,
	dumb: 0.82,
	idiotic: 0.84,
	moronic: 0.84,
	pathetic: 0.86,
	worthless: 0.9,
	useless: 0.84,
	ugly: 0.84,
	fat: 0.6,
	disgusting: 0.86,
	hideous: 0.86,
	repulsive: 0.86,
	gross: 0.7,
	brainless: 0.84,
	clueless: 0.74,
	incompetent: 0.78,
	ignorant: 0.74,
	lame: 0.65,
	retarded: 0.92,
	braindead: 0.84,
	annoying: 0.62,
	spineless: 0.78,
	insufferable: 0.8,
	vile: 0.84,
	filthy: 0.8,
	crazy: 0.5,
};

/** Whole phrases that are aimed at someone by their very form. */
const DIRECTED_PHRASES: Array<[RegExp, number]> = [
	[/(?<!\b(to|wanna|want|gonna|would|could|will|and) )\bfuck (you|off|yourself|your)\b/, 0.9],
	[/\b(screw|damn) (you|yourself)\b/, 0.78],
	[/\b(piss|sod|bugger) off\b/, 0.8],
	[/\bget the fuck (out|away|lost)\b/, 0.88],
	[/\bshut the fuck up\b/, 0.9],
	[/\bshut (up|it)\b/, 0.45],
	[/\bshut your (mouth|face|trap|pie hole|gob)\b/, 0.8],
	[/\bgo to hell\b/, 0.82],
	[/\brot in hell\b/, 0.86],
	[/\bget lost\b/, 0.5],
	[/\bgo away\b/, 0.45],
	[/\byou suck\b/, 0.78],
	[/\byou make me (sick|want to (puke|vomit))\b/, 0.82],
	[/\b(i )?hate you\b/, 0.78],
	[/\bdrop dead\b/, 0.86],
	[
		/\b(nobody|no one|noone) (likes|loves|cares about|wants|needs|asked|will ever love|will miss) you\b/,
		0.86,
	],
	[/\b(nobody|no one) (cares|asked)\b/, 0.55],
	[
		/\byou are (an? |such an? |nothing but an? |just an? |the biggest |a total |a complete )?(joke|waste|disgrace|embarrassment|nobody|nothing|mistake|failure|cancer|plague|stain)\b/,
		0.84,
	],
	[
		/\b(imagine|look at you|stop|quit) being (this|that|so|such an?) (pathetic|stupid|dumb|ugly|useless|worthless|disgusting|annoying|lame|sad|fat|desperate|entitled|spineless|weak)\b/,
		0.8,
	],
	[/\beat (shit|dirt|my shorts)\b/, 0.85],
	[
		/\b(drama queen|attention seeker|attention whore|snowflake|keyboard warrior|crybaby|cry baby|sad sack|lost cause)\b/,
		0.6,
	],
	[/\bwaste of (space|oxygen|air|skin|life|a human)\b/, 0.72],
	[/\bpiece of (shit|crap|garbage|trash|filth)\b/, 0.45],
	[/\byou (are|look|sound) like (a |an )?(pig|cow|whale|animal|rat|monkey|clown|idiot)\b/, 0.85],
	[/\b(stupid|fat|ugly|dumb|silly|old|lazy) (cow|pig|whale|hag|bitch|cunt|twat|bastard|fuck)\b/, 0.88],
	[/\b(do|does) (the world|everyone|us all) a favou?r and\b/, 0.8],
];

/** Who a clause is about. */
const SECOND_PERSON = /\b(you|your|yours|yourself|yourselves|thou|ye)\b/;
const THIRD_PERSON =
	/\b(he|she|him|her|his|they|them|their|this guy|that guy|these people|those people|this person|that person|this woman|that woman|this man|that man|these guys|those guys|everyone here|people here|mods|moderators|admins|op)\b/;
const FIRST_PERSON = /\b(i|me|my|myself|mine)\b/;
const REPORTED =
	/\b(call|called|calls|calling) me\b|\b(told|tells|telling|said|says|think|thinks|thought) (me )?(that )?i (am|was|were|look|looked)\b/;
const NEGATIONS = new Set(["not", "no", "never"]);
const PERSON_NOUNS =
	/^(person|people|man|men|woman|women|girl|girls|boy|boys|guy|guys|kid|kids|human|humans|loser|losers|idiot|idiots|bitch|bitches|freak|creep|cow|pig|bastard|fool|troll|clown|moron|jerk)$/;

/** The groups an identity attack targets (protected characteristics). */
const GROUP =
	"(you people|muslims?|islamists?|jews|jewish people|jew|christians?|catholics?|hindus?|sikhs?|buddhists?|atheists?|blacks|black people|black folks|black men|black women|whites|white people|asians?|asian people|chinese people|chinese|mexicans?|latinos?|latinas?|hispanics?|arabs?|africans?|indians?|pakistanis?|immigrants?|migrants?|refugees?|foreigners?|gays|gay people|gay men|gay guys|lesbians?|homosexuals?|bisexuals?|trans people|trans women|trans men|trans folks|transgender people|transgenders?|trannies|queers?|lgbt people|lgbtq people|lgbt|lgbtq|women|females|girls|disabled people|the disabled|autistic people|autists|gypsies|roma|old people)";
const GROUP_ATTACKS: Array<[RegExp, number]> = [
	[
		new RegExp(
			`\\b${GROUP}( \\w+){0,4} (are|is) (all |just |nothing but |basically |literally |fucking |such |so )*(a |an )?(animals?|vermin|rats?|pigs?|cockroaches|roaches|parasites?|scum|trash|garbage|filth|filthy|subhuman|sub human|disgusting|evil|disease|diseased|plague|cancer|inferior|stupid|dumb|idiots|terrorists|criminals|rapists|savages|dirty|worthless|the problem|a problem|monsters|demons|degenerates?|perverts?|pedophiles|paedophiles|groomers|sick|mentally ill|freaks|abominations?|not human|lazy|thieves|a threat|dangerous|invaders|less than human|a burden|burdens|useless)\\b`,
		),
		0.92,
	],
	[
		new RegExp(
			`\\b${GROUP}( \\w+){0,6} (should|must|need to|needs to|ought to|deserve to|deserves to) (all )?(die|be (killed|deported|banned|gassed|shot|exterminated|removed|locked up|sterili[sz]ed|hanged|hung|wiped out|burned)|go back|leave|get out|not (exist|be allowed|have rights|vote))\\b`,
		),
		0.95,
	],
	[new RegExp(`\\b${GROUP} (do|does) not (belong|deserve (rights|to live|to exist|respect))\\b`), 0.9],
	[
		new RegExp(
			`\\b${GROUP} (are )?(ruin|ruined|ruining|ruins|destroy|destroying|destroyed|destroys|infest|infesting|invade|invading|taking over|breed like)\\b`,
		),
		0.86,
	],
	[
		new RegExp(`\\b(i )?(hate|despise|can not stand|loathe) (all |the |those |these |fucking )*${GROUP}\\b`),
		0.88,
	],
	[
		new RegExp(
			`\\b(kill|deport|ban|exterminate|gas|get rid of|round up|wipe out|shoot|hang|burn) (all |the |those |these |every |fucking )*${GROUP}\\b`,
		),
		0.96,
	],
	[
		new RegExp(
			`\\b${GROUP} (control|run|own|controls|runs|owns) (everything|the media|the banks|the world|the government|hollywood)\\b`,
		),
		0.86,
	],
	[/\bgo back to (your|where you|your own) (country|countries|came from|village|jungle|desert)\b/, 0.88],
	[/\bgo back (home )?to (africa|mexico|china|india|pakistan|syria|somalia)\b/, 0.9],
	[/\b(women|girls|females) (belong|should stay|should be) in the kitchen\b/, 0.86],
	[/\b(women|girls|females) (are|should) (not|never) (be allowed|lead|vote|work|speak)\b/, 0.86],
	[
		/\b(being )?(gay|trans|transgender|queer|homosexual|lesbian|bisexual) (is|are) (a |an )?(disease|sin|mental illness|mental disorder|disgusting|unnatural|abomination|perversion|sick|disorder)\b/,
		0.82,
	],
	[
		/\b(typical|dirty|filthy|stupid|fucking) (jew|muslim|arab|mexican|immigrant|gay|woman|black|asian|indian|chinese|paki|gypsy)\b/,
		0.88,
	],
];

const THREATS: Array<[RegExp, number]> = [
	[
		/\b(i|we)( will| am| are| would| shall| swear i will| swear to god i will)?( going to| gonna| want to| about to| personally)? (kill|murder|stab|shoot|strangle|rape|gut|butcher|slaughter|behead|execute) (you|your|ya)\b/,
		0.96,
	],
	[
		/\b(i|we)( will| am| are| would| shall| swear i will| swear to god i will| swear| promise)?( going to| gonna| want to| about to| personally)? (hurt|beat|punch|choke|slap|smash|bash|break|burn|kick|batter|cut|stomp|smack|hit|strangle)( the shit out of| the hell out of| the crap out of)? (you|your|ya)\b/,
		0.88,
	],
	[
		/\b(i|we)( will| am| are| would| shall)?( going to| gonna)? (find|hunt|track|get|come for|come after|visit) (you|ya)\b(?! (a|an|some|the|one|something|anything|back|later|soon|there|at|on|in|tomorrow)\b)/,
		0.75,
	],
	[/\b(i will|i am going to|we will) make (you|sure you) (suffer|pay|bleed|regret|disappear)\b/, 0.9],
	[
		/\byou (are|will be|are going to be) (so )?(dead|dead meat|finished|done for)\b(?! (right|wrong|on|serious|tired|set))/,
		0.86,
	],
	[
		/\byou (will|are going to) (die|pay|suffer|bleed)\b(?! (laughing|of|from|happy|for (it|that) later))/,
		0.9,
	],
	[/\byou (will|are going to) regret (this|it|that|messing|crossing|the day|ever|saying)\b/, 0.72],
	[/\b(better )?watch your back\b/, 0.86],
	[/\b(make|making) (your|his|her|their) life (a )?(living )?hell\b/, 0.85],
	[/\bfind out where (you|he|she|they) (live|lives|work|works)\b/, 0.86],
	[/\bpay (you|him|her|them) a (little )?visit\b/, 0.75],
	[/\bwhen i am (done|finished|through) with you\b/, 0.85],
	[/\bshut you up\b/, 0.8],
	[/\b(put|putting|pump|pumping) (a )?(bullet|bullets|knife|blade|hole|holes) (in|into|through)\b/, 0.92],
	[/(?<!\blive )\band die\b|\b(should|just|go|now|please) die\b/, 0.85],
	[/\bi know where you (live|work|sleep|go to school)\b/, 0.92],
	[/\bsleep with one eye open\b/, 0.82],
	[/\b(you|your family|your kids) (will|are going to) (be|get) (hurt|killed|shot|raped)\b/, 0.95],
	[
		/\b(hope|wish|pray) (that )?(you|your( whole| entire)? (family|kids|mom|mother|dad|children)) (die|dies|gets? (cancer|raped|killed|hit|shot|run over)|rot|rots|burn|burns|suffer|suffers|choke|chokes)\b/,
		0.9,
	],
	[/\b(kill|hang|shoot|off|stab|hurt) yourself\b/, 0.95],
	[/\b(go|just|should|please|now) (die|kill yourself)\b/, 0.92],
	[/\bdrink (some )?bleach\b/, 0.9],
	[/\bgo (jump|play) (off|in) (a|the) (bridge|cliff|traffic|roof)\b/, 0.9],
	[
		/\byou (should|deserve to|ought to|need to) (die|be (shot|killed|hanged|hung|beaten|raped|put down))\b/,
		0.93,
	],
	[
		/\b(someone|somebody|people|we|they|you) (should|needs to|need to|ought to|must) (kill|shoot|hang|stab|beat|hurt|lynch|punch|rape) (him|her|them|you|this|that|these|those|all)\b/,
		0.92,
	],
	[
		/\b(he|she|they|them|him|her) (should|deserves to|deserve to|needs to|ought to) (die|be (shot|killed|hanged|hung|beaten|lynched|raped|put down))\b/,
		0.92,
	],
	[
		/\b(shoot|bomb|blow up|burn down|attack|shoot up) (up )?(the|this|that|your|our|my|his|her) (school|office|church|mosque|synagogue|temple|building|place|meeting|event|house|home|class|group)\b/,
		0.95,
	],
	[/\b(i|we) (will|am going to|are going to) (bring|get) (a )?(gun|knife|weapon)\b/, 0.92],
	[
		new RegExp(
			`\\b(kill|shoot|hang|burn|gas|exterminate|murder|slaughter|wipe out|lynch) (all |the |those |these |every |fucking )*${GROUP}\\b`,
		),
		0.92,
	],
	// Blackmail ("send me pics or I'll tell everyone").
	[
		/\bor (else )?(i will|i am going to|i am|i am gonna)( be)? (tell|telling|post|posting|share|sharing|leak|leaking|expose|exposing|show|showing|send|sending)\b/,
		0.85,
	],
];

const HARASSMENT: Array<[RegExp, number]> = [
	[
		/\bsend (me )?(your |a |some |me a )?(nudes|noods|(nude|naked|sexy|dirty|topless) (pic|pics|photo|photos|picture|pictures|selfie|selfies)|pics of your (body|tits?|boobs?|ass))\b/,
		0.9,
	],
	[/\b(free|hot|xxx|live) (porn|nudes|sex|cams?|singles|girls|milfs)\b|\bhot singles\b/, 0.85],
	[/\bshow me (your|ya) (body|tits?|boobs?|breasts?|ass|butt|dick|cock|pussy)\b/, 0.9],
	[
		/\b(want|wanna|would love|going|like|love) to (fuck|bang|screw|sleep with|have sex with|touch|grope|lick|rape) (you|her|him)\b/,
		0.92,
	],
	[/\bsit on my (face|lap|dick|cock)\b/, 0.9],
	[/\b(want to|wanna|like to|come) see my (dick|cock|penis|pussy|boobs|tits|body)\b/, 0.88],
	[/\brape (you|her|him|them)\b/, 0.9],
	[/\b(suck|lick) my\b/, 0.85],
	[/\byou (are|look) (so )?(sexy|fuckable|doable|bangable)\b/, 0.6],
	[/\b(dtf|horny)\b/, 0.6],
];

addKnownWords([...Object.keys(INSULT_NOUNS), ...Object.keys(INSULT_ADJECTIVES)]);
// The words the rules read, so that letters spelled out one by one are read as them.
addVocabulary(
	[...DIRECTED_PHRASES, ...GROUP_ATTACKS, ...THREATS, ...HARASSMENT]
		.map(([pattern]) => pattern)
		.concat([SECOND_PERSON, THIRD_PERSON, FIRST_PERSON]),
);

const strongest = (rules: Array<[RegExp, number]>, clause: string): number =>
	rules.reduce((best, [rule, score]) => (rule.test(clause) ? Math.max(best, score) : best), 0);

function isNegated(tokens: string[], at: number): boolean {
	for (let i = Math.max(0, at - 4); i < at; i++) if (NEGATIONS.has(tokens[i] ?? "")) return true;
	return false;
}

/** Nouns that make a sentence's subject a person ("my boss is an idiot"), not a thing ("anxiety is a bitch"). */
const PERSON_SUBJECT =
	/\b(boss|manager|teacher|mod|mods|moderator|moderators|admin|admins|guy|dude|man|woman|girl|boy|person|people|coworker|colleague|neighbour|neighbor|ex|husband|wife|partner|friend|mom|mum|dad|brother|sister|op|poster|user|member|members|leader|owner|doctor|therapist|politician|politicians|president|landlord|roommate|customer|client|kid|kids)\b/;

/** How squarely an insult at token `i` is aimed at a person, in [0, 1]. */
function aimOf(
	clause: string,
	tokens: string[],
	i: number,
	who: { aimedAtYou: boolean; aimedAtOthers: boolean; aboutMe: boolean; reported: boolean },
): number {
	if (who.reported) return 0.15;
	if (who.aimedAtYou) return 1;
	if (who.aimedAtOthers) return 0.8;
	let copula = -1;
	for (let j = i - 1; j >= 0; j--) {
		if (/^(is|was|are|were|be|being)$/.test(tokens[j] ?? "")) {
			copula = j;
			break;
		}
	}
	if (copula >= 0) {
		const subject = tokens.slice(Math.max(0, copula - 3), copula).join(" ");
		if (FIRST_PERSON.test(subject)) return 0.15;
		return PERSON_SUBJECT.test(subject) ? 0.8 : 0.3;
	}
	if (who.aboutMe) return 0.15;
	return PERSON_SUBJECT.test(clause) ? 0.8 : 0.85; // a bare "Idiot." under someone's post is aimed at them
}

/** Insult strengths found in one clause. */
function insultsIn(clause: string): number[] {
	const tokens = clause.split(" ");
	const aimedAtYou = SECOND_PERSON.test(clause);
	const aimedAtOthers = THIRD_PERSON.test(clause);
	const aboutMe = FIRST_PERSON.test(clause);
	const reported = REPORTED.test(clause);
	const hits: number[] = [];
	tokens.forEach((token, i) => {
		const noun = INSULT_NOUNS[token];
		const adjective = INSULT_ADJECTIVES[token];
		if (noun === undefined && adjective === undefined) return;
		if (isNegated(tokens, i)) return;
		let strength: number;
		if (noun !== undefined) {
			strength = noun;
		} else {
			// An adjective insults a person only in "you are (so) X", "you X", "X people", "so X" aimed at you.
			const before = tokens.slice(Math.max(0, i - 4), i).join(" ");
			const after = tokens[i + 1] ?? "";
			const predicative =
				/\b(you|you are|are you|you look|you sound|you seem|you were|he is|she is|they are|he was|she was|they were)( so| such| really| just| a| an| the| the most| fucking| truly| completely| totally| too| very)*$/.test(
					before,
				);
			const attributive = PERSON_NOUNS.test(after);
			if (!predicative && !attributive) {
				hits.push(0.15);
				return;
			}
			strength = adjective ?? 0;
		}
		const aimed = aimOf(clause, tokens, i, { aimedAtYou, aimedAtOthers, aboutMe, reported });
		hits.push(strength * aimed);
	});
	const phrase = strongest(DIRECTED_PHRASES, clause);
	// "piece of shit" / "waste of space" turn from a complaint into an insult when said of a person.
	const aimedPhrase =
		/\b(you|you are|he is|she is|they are)( a| an| such a| nothing but a| just a)? (piece of|waste of)\b/.test(
			clause,
		)
			? 0.9
			: 0;
	if (!reported && phrase > 0) hits.push(phrase);
	if (aimedPhrase > 0) hits.push(aimedPhrase);
	return hits;
}

/**
 * Affection in the same text ("you muppet, love you", "you daft sod, thank you for the soup", "… xx"): friends'
 * banter, where a mild insult word is teasing. Laughter alone ("lol you're an idiot") is not enough.
 */
const AFFECTION =
	/\b(love (you|ya|u)|luv (you|ya|u)|adore (you|her|him)|miss (you|ya)|proud of you|thank (you|u)|thanks|cheers|congrats|congratulations|happy birthday|legend|bless (you|her|him)|wouldn t change (you|her|him|them)|respect|best (friend|mate|brother|sister))\b|\bx+$/;
/** Hostility that banter does not excuse. */
const HOSTILE =
	/\b(hate (you|u)|nobody (likes|wants|cares|asked)|no one (likes|wants|cares|asked)|everyone (hates|laughs)|get out of (this|the) (group|forum)|leave (this|the) (group|forum)|fuck off|go away|drop dead|die|thanks for nothing|no thanks to you)\b/;
/** The strongest insult word that banter can soften (muppet, idiot, loser, git … not slurs or the strongest). */
const BANTER_MAX = 0.86;
/** How much affection softens mild insults: "you idiot" (0.86) falls to 0.52, under the review threshold. */
const BANTER_FACTOR = 0.6;

/** Scores insults, threats, identity attacks and sexual harassment in a text's canonical clauses. */
export function scoreAbuse(clauses: string[]): AbuseScores {
	const scores: AbuseScores = { insult: 0, threat: 0, identity_attack: 0, sexual: 0 };
	const insults: number[] = [];
	for (const clause of clauses) {
		insults.push(...insultsIn(clause));
		scores.threat = Math.max(scores.threat, strongest(THREATS, clause));
		scores.identity_attack = Math.max(scores.identity_attack, strongest(GROUP_ATTACKS, clause));
		scores.sexual = Math.max(scores.sexual, strongest(HARASSMENT, clause));
	}
	// Several insults weigh more than one: combine the two strongest as independent signals.
	insults.sort((a, b) => b - a);
	const [first = 0, second = 0] = insults;
	scores.insult = Math.min(0.99, 1 - (1 - first) * (1 - second * 0.5));
	// Banter: mild insult words in an affectionate text, with nothing else hostile, are teasing.
	const whole = clauses.join(" ");
	if (
		first > 0 &&
		first <= BANTER_MAX &&
		scores.threat === 0 &&
		scores.identity_attack === 0 &&
		scores.sexual === 0 &&
		AFFECTION.test(whole) &&
		!HOSTILE.test(whole)
	) {
		scores.insult *= BANTER_FACTOR;
	}
	return scores;
}
