/**
 * @module moderation/self-harm: how likely a text is its author telling us they are at risk of harming
 * themselves, as `none`, `low` or `high`.
 *
 * High risk is first-person and present: intent or wish to die ("I want to end it all", "I don't want to
 * be here anymore"), a plan or means, self-injury now, or several signs of hopelessness together. Low
 * risk is distress short of that, a past or recovered history, a negated mention, or worry about
 * someone else. Idioms ("this bug is killing me", "I'd kill for a coffee"), accidents ("I cut myself
 * shaving") and news or information ("suicide prevention month") are removed before any rule runs.
 *
 * The rules favour recall for high risk: a wrongly urgent post costs a Guardian a look; a missed one
 * can cost far more.
 */

import { addVocabulary } from "../text";

export type SelfHarmRisk = "none" | "low" | "high";

export interface SelfHarmAssessment {
	risk: SelfHarmRisk;
	/** In [0, 1]: about 0.95 for high risk, 0.5 for low, 0 for none. */
	score: number;
	/** Names of the rules that fired, for the eval and for debugging (never logged with the text). */
	signals: string[];
}

/** Figures of speech and harmless uses, cut out of a clause before the risk rules read it. */
const IDIOMS: RegExp[] = [
	/\b(is|are|was|were|be|been|keeps|keep|kept|are just|is just)( literally| honestly| actually| really| slowly| absolutely| totally)? killing me\b/g,
	/\bkilling me( softly| lol| haha| lmao)\b/g,
	/\byou are killing me\b/g,
	/\b(would|could|will|i) (literally |honestly |actually |totally )?kill for\b/g,
	/\bkill for (a|an|some|the|one|that|this)\b/g,
	/\b(dying|die|died|dead) (of|from) (laughter|laughing|embarrassment|boredom|cuteness|shame|curiosity|heat|thirst|hunger|happiness|excitement|jealousy|envy)\b/g,
	/\bdying (to|for) (see|try|know|meet|get|go|hear|read|watch|tell|share|a|an|some|the|this|that|one)\b/g,
	/\b(die|died|dying|dead) laughing\b/g,
	/\bdie (happy|a little( inside)?)\b/g,
	/\bto die for\b/g,
	/\b(bored|scared|frightened|worried|worked|loved?|sick|tired|starved|freezing) to death\b/g,
	/\b(dead|deadly) (tired|serious|wrong|right|set|end|ends|line|lines|weight|beat|ringer|center|centre|on|silent|quiet|easy)\b/g,
	/\bkill(ed|ing|s)? (it|time|the (process|lights|engine|mood|vibe|game|music|bug|bugs|app|server|task|tab|weeds|plant|plants|germs|conversation)|two birds|off the (weeds|bacteria|germs)|my (vibe|mood|buzz|motivation|plants?|phone|battery))\b/g,
	/\b(battery|phone|laptop|car|plants?|computer|charger|tv|pc|engine|motivation|houseplants?|fish|goldfish|mood|vibe|conversation|party|wifi|internet|server|basil|succulent|tomatoes|garden|printer|headphones)( is| was| has| just| finally| literally)* (died|dying|dead)\b/g,
	/\bover my dead body\b/g,
	/\bif looks could kill\b/g,
	/\bdie hard\b/g,
	/\b(cut|cutting|cuts) myself (a|an|some|off|out|short|loose)\b/g,
	/\bcut(ting)? myself off\b/g,
	/\b(hurt|hurting|injured|injuring|cut|cutting|burnt|burned|burning|burn) myself (at|in|during|while|when (cooking|shaving|chopping|running|playing|lifting|skiing|climbing)|playing|lifting|running|shaving|cooking|chopping|on (the|a|my) (oven|stove|iron|kettle|pan|knife|glass|fence)|with (the|a|my) (oven|stove|iron|kettle|pan|kitchen knife|bread knife|razor while shaving|hot oil)|badly at|slightly|a bit|at the gym|by accident|accidentally|skiing|climbing)\b/g,
	/\b(hurt|injured|cut|burned|burnt) (myself|my (ankle|knee|back|shoulder|hamstring|toe|finger|hand|foot|neck))\b(?=.*\b(ankle|knee|back|shoulder|hamstring|toe|finger|gym|run|running|football|soccer|playing|lifting|skiing|fell|fall|slipped|tripped|onions|cooking|shaving|oven|stove|kettle|chopping|physio|doctor said)\b)/g,
	/\baccidentally (cut|hurt|burnt|burned|injured) myself\b/g,
	/\bkill myself (laughing)\b/g,
	/\bsuicide (squad|mission|missions|run|runs|doors?|sprints?|drills?|lanes?|bombing|bombings|bomber|bombers|attack|attacks|king|blonde)\b/g,
	/\b(end|ended|ending) (it|things) with (him|her|them|my (boyfriend|girlfriend|partner|ex|husband|wife|fiance|fiancee|date|friend))\b/g,
	/\b(murder|murdered|destroy|destroyed|crush|crushed|slay|slayed|slaying|killed|kill) (a|an|some|this|that|the|my|our) (pizza|burger|workout|exam|test|interview|presentation|game|meal|plate|sandwich|run|race|set|session|talk|performance|karaoke)\b/g,
	/\b(i am|i was|we are|we were) (dead|dying)( lol| lmao| haha| hahaha| rn| right now)\b/g,
	/\bdie (my|her|his|their|your|our) (hair|beard|clothes|shirt)\b/g,
	/\b(going to be|will be|is|was) the death of me\b/g,
];

/** Someone else at risk: worth care, but not the author's own risk. */
const THIRD_PERSON_RISK =
	/\b(himself|herself|themselves|themself)\b|\b(he|she|they|friend|brother|sister|son|daughter|mom|mum|mother|dad|father|partner|husband|wife|boyfriend|girlfriend|cousin|roommate|student|students|kid|child|someone|somebody|person|coworker|colleague|teen|teenager|people)( is| are| was| were| has been| have been| keeps| kept| said| says| told me| talks| talked| seems| seemed| wants| tried| attempted| might| may)?( talking about| saying| feeling| thinking about| that)? (suicidal|wants to die|want to die|kill|suicide|self harm|self harming|cutting|cut|overdosed|overdose|end (his|her|their) life)\b/;

/** Information and news: mentions, not disclosures. */
const INFORMATIONAL =
	/\b(suicide|self harm|selfharm|mental health) (rate|rates|prevention|awareness|hotline|hotlines|statistics|stats|research|study|studies|risk factors|month|week|day|training|crisis line|lifeline|first aid|resources|charity|survivors|helpline|walk|fundraiser|policy|policies)\b|\b(article|report|documentary|study|news|movie|film|book|novel|character|episode|song|podcast|show|series|lecture|course|training|journalist|researchers|statistics)\b/;

/** A risk statement set in the past, or in recovery. */
const PAST_OR_RECOVERED =
	/\b(used to|years ago|months ago|long ago|in the past|back then|back in|when i was (younger|young|a teen|a teenager|in high school|in school|at school|in college|a kid|\d+)|at my lowest|i have been clean|clean for|(\d+|one|two|three|four|five|six|seven|eight|nine|ten|a few|several|many) (days|weeks|months|years) (clean|free|sober)|recovered|in recovery|survivor|i survived|i am (better|safe|okay|ok|fine|doing better|in a better place) now|got help|getting help|have been (okay|ok|better|well) since|looking back)\b/;

/** A first-person denial ("I would never…", "I'm not suicidal"). */
const NEGATED_BEFORE =
	/\b(not|never|no longer|nothing like)( going to| gonna| want to| planning to| about to| trying to| thinking about| that| really| actually| ever)?( \w+)?$/;

/** Someone else's words ("someone told me to kill myself"): reported, not the author's intent. */
const REPORTED_BEFORE =
	/\b(told|tell|tells|telling|said|says|asked|asking|wants|wanted|dared|urged) (me|him|her|them|someone|people)( to| i should)?$/;

const HUMOUR = /\b(lol|lmao|lmfao|rofl|haha+|hehe+|jk|jking|kidding|joking)\b|😂|🤣|💀|😅|🙃/u;

interface Rule {
	name: string;
	pattern: RegExp;
	/** The rule already contains its own negation ("I don't want to live"): no denial check. */
	selfNegated?: boolean;
	/** Needs the author as subject (the clause is checked for another subject before the match). */
	needsFirstPerson?: boolean;
	/** Downgraded to low when the text jokes (hyperbole such as "…or I'll kill myself lol"). */
	hyperbole?: boolean;
}

const HIGH_RULES: Rule[] = [
	{
		name: "kill_self",
		pattern:
			/\b(kill|killing|end|ending|take|taking|off|offing|unalive|unaliving|hang|hanging|shoot|shooting|drown|drowning|poison|poisoning) (myself|my self|my own life|my life)\b/,
		hyperbole: true,
	},
	{
		name: "suicidal_now",
		pattern:
			/\bi( am| feel| have| have been| keep| get| started| start| got| was| think i am)( been| feeling| so| really| very| getting| having| thinking| kind of| kinda| pretty| quite| extremely| seriously| actively| constantly| always| still| more| really)* (suicidal|suicide)\b/,
	},
	{
		name: "suicidal_first_person",
		pattern: /\bsuicidal\b/,
		needsFirstPerson: true,
	},
	{
		name: "giving_things_away",
		pattern:
			/\b(giving|give|gave|given) (all )?(my|away my|all my) (things|stuff|belongings|possessions|pets|cat|dog)( away)?\b.*\b(will not need|not going to need|no longer need|won't need)\b|\b(will not|am not going to|no longer) need (them|it|my things|any of it) (anymore|any more|where i am going|after)?\b/,
	},
	{
		name: "at_the_edge",
		pattern: /\b(standing|sitting|up) on (the|a|this) (roof|ledge|bridge|edge|railing|tracks|cliff)\b/,
		needsFirstPerson: true,
	},
	{
		name: "suicidal_thoughts",
		pattern:
			/\b(my|having|had|have|with|the) (suicidal|dark) (thoughts|ideation|urges|feelings)\b|\bsuicidal (thoughts|ideation|urges|feelings) (are|is|have|keep|came|come|again)\b/,
	},
	{
		name: "thinking_of_suicide",
		pattern:
			/\b(thinking|thought|think|thoughts|considering|planning|plan|researching|googling|looking up) (about|of|on)? ?(suicide|killing myself|ending (it|it all|my life|everything|things)|taking my (own )?life|how to (die|kill myself|end it)|ways to (die|end it))\b/,
		needsFirstPerson: true,
	},
	{
		name: "want_to_die",
		pattern:
			/\b(want|wanted|wanting|need|ready|going|plan|planning|trying|try|tempted|decided|deserve|about|wish|wishing|long|longing|hope|hoping|pray|praying) (to|i could|that i could|i would|i can)( just| finally| simply| quietly)? (die|be dead|not exist|stop existing|not be alive|not wake up|never wake up|disappear forever|disappear for good|sleep forever|fall asleep and (never|not) wake up|go to sleep and (never|not) wake up|end it|end it all|end everything|end things|give up on life)\b/,
		needsFirstPerson: true,
		hyperbole: true,
	},
	{
		name: "wish_dead",
		pattern:
			/\b(wish|wishing|wished|hope|hoping|pray|praying)( that)? i (was|were|would|could|had|would just|could just)( just)? (dead|die|be dead|never been born|not wake up|never wake up|not exist|stop existing|go to sleep and (not|never) wake up)\b|\b(hope|hoping|pray|praying) i (do not|never|will not) wake up\b/,
	},
	{
		name: "do_not_want_to_live",
		pattern:
			/\b(?<!did )(do not|no longer|not|never) (want|wanna|wish|feel like|see the point)( to)? (live|living|be alive|exist|existing|wake up( again| ever| tomorrow| anymore)?|keep living|be around( anymore| any more| any longer)|be here( anymore| any more| any longer| on this earth| in this world)|go on( anymore| any more| any longer| like this| living)|keep going( anymore| any more| any longer| like this)|continue( anymore| any more| any longer| living)|carry on( anymore| any more| any longer| living))\b/,
		selfNegated: true,
	},
	{
		name: "do_not_want_to_be_here",
		pattern:
			/\b(?<!did )(do not|no longer|not) (want|wanna|wish)( to)? (be here|go on|keep going|continue|carry on)$/,
		selfNegated: true,
	},
	{
		name: "end_it_all",
		pattern:
			/\b(end|ending|ended|finish) (it all|everything|my suffering|it once and for all|it for good|my existence)\b|\b(want|need|wish) (it all|everything|all of this|my life) to (end|stop|be over)\b/,
		needsFirstPerson: true,
	},
	{
		name: "no_reason_to_live",
		pattern:
			/\b(no|nothing|any|every|not a single|lost my|lost all|lost the) (reason|point|purpose|will|motivation|desire)( left)? (to|in|for) (live|living|life|go on|going on|keep going|keep living|be alive|stay alive|staying alive|exist|existing)\b|\bwhat is the point (of|in) (living|life|going on|being alive|existing|anything anymore|me being here)\b|\b(do not|can not|no longer|never) see (the|any) point (of|in) (living|life|going on|being alive|existing|being here)\b|\b(life|living|my life|it all) (is not|is no longer|is not even) worth (living|it anymore|living anymore)\b|\bnot worth living\b/,
	},
	{
		name: "better_off_without_me",
		pattern:
			/\b(would|will|is|are|be|all be|would all be) better off (without me|if i (was|were) (gone|dead|not here)|if i (died|disappeared))\b|\bi (would|will|am|might) (be )?better off dead\b|\b(world|everyone|everybody) (would be|is|will be) better without me\b/,
	},
	{
		name: "nobody_would_miss_me",
		pattern:
			/\b(nobody|no one|noone|not a single person|not one person)( would| will| is going to| is gonna)( even| ever| really)? (miss me|notice (if|when|that) i|care (if|when) i|notice i am gone|cry (if|when) i|come to my funeral)\b/,
	},
	{
		name: "when_i_am_gone",
		pattern:
			/\b(when|after|once) i am (gone|dead|not here|no longer here|no longer around)\b(?! (on|to|for|from|with|at|in|away)\b)|\b(take care of|look after|feed) my (cat|dog|kids|pets?) (when|after|once) i (die|am gone|go)\b/,
	},
	{
		name: "burden",
		pattern:
			/\b(i am|i feel like|i feel|i am just|i am such|i have become)( a| such a| nothing but a| just a)? (burden|waste of space)( to| on| for) (everyone|everybody|my family|them|you all|all of you|the people|everyone around me|the world|my friends|my parents)\b/,
	},
	{
		name: "means_pills",
		pattern:
			/\b(saved|saving|stockpiled|stockpiling|hoarding|collected|collecting|counting|counted)( up)?( all| enough| a lot of| a bunch of| my| the| some)* (pills|tablets|sleeping pills|painkillers|pain killers|meds|medication)\b|\b(enough|how many) (pills|tablets|meds|painkillers|paracetamol)( to| it would take| would it take| does it take)\b|\b(take|swallow|taking|swallowing)( all| every one)?( of)?( my| the| these| those)? (pills|tablets|meds|painkillers)( all)? at once\b|\b(take|swallow|taking|swallowing) (all|every one of|the whole (bottle|box|pack) of) (my|the|these|those) (pills|tablets|meds|painkillers|sleeping pills)\b/,
	},
	{
		name: "overdose_intent",
		pattern:
			/\b(want|going|plan|planning|thinking about|think about|thought about|tempted|ready|about|trying not|decided) (to )?(overdose|overdosing|od)\b/,
		needsFirstPerson: true,
	},
	{
		name: "goodbye_note",
		pattern:
			/\b(wrote|written|writing|write|left|leave|finished|drafted)( a| my| the| out my)? (suicide|goodbye|final) (note|letter|letters|notes|message)\b|\b(this is|consider this|here is|these are)( my| a)? (final|last) (goodbye|goodbyes|message|post|words)\b|\bgoodbye (forever|cruel world|world|for good)\b/,
	},
	{
		name: "rope_noose",
		pattern: /\b(noose|tied the rope|bought (a|the) rope to)\b/,
	},
	{
		name: "jump",
		pattern:
			/\b(want|wanna|going|thinking about|think about|thought about|plan|planning|ready|tempted|urge|should just|could just|keep thinking about|about) (to )?(jump|jumping|throw myself|step|stepping|walk|walking) (off|from|in front of|into) (a|the|this|that|my) (bridge|building|roof|cliff|train|bus|truck|car|traffic|balcony|window|tracks|river|sea|ledge)\b/,
		needsFirstPerson: true,
	},
	{
		name: "not_around_much_longer",
		pattern:
			/\bi (will not|am not going to|probably will not|may not|might not) (be (here|around|alive)|be a (burden|problem)( to anyone)?) (much longer|for long|for much longer|tomorrow|next week|by (tomorrow|morning|the weekend)|anymore|any more|after tonight)\b/,
		selfNegated: true,
	},
	{
		name: "sleep_forever",
		pattern:
			/\b(want|going|ready|wish i could|just want) to (sleep|go to sleep|fall asleep) (forever|and never wake up|and not wake up)\b/,
	},
	{
		name: "tired_of_living",
		pattern:
			/\b(tired|sick|done|exhausted|weary) (of|with) (living|being alive|existing|life itself|my life|life)\b|\bgive up on (life|living)\b|\bgiving up on (life|living)\b/,
		needsFirstPerson: true,
	},
	{
		name: "self_injury_now",
		pattern:
			/\b(want|wanted|need|urge|urges|keep|kept|been|started|start|going|tempted|craving|can not stop|relapsed|again)( to| on)? (cut|cutting|hurt|hurting|harm|harming|burn|burning|punish|punishing|starve|starving|hit|hitting|scratch|scratching) (myself|my self|my (arms?|wrists?|legs?|thighs?|skin|body))\b|\b(cut|cutting|hurt|hurting|harmed|harming|burned|burning) (myself|my (arms?|wrists?|legs?|thighs?)) (again|last night|tonight|today|this morning|yesterday|every night|every day|so badly|deep|deeper)\b|\b(relapsed|relapse|urges?|cravings?)( on| with| to)? (self harm|self harming|cutting|selfharm)\b|\b(i|been|started|keep|am)( have)?( been)? (self harming|selfharming|cutting again|cutting myself)\b/,
	},
	{
		// Self-injury that is getting worse ("a blade every night and deeper each time", "my cuts keep getting
		// deeper"): an instrument used nightly and deeper, or the wounds getting worse. Budget cuts never say
		// "my cuts"; a kitchen blade "deeper into the squash every time" is not nightly.
		name: "self_injury_escalating",
		pattern:
			/\b(blade|blades|razor|razors)\b[^.!?]*\b(every|each) (night|day)\b[^.!?]*\b(deeper|worse)\b|\bmy (cuts|scratches|burns|wounds) (are|were|keep|kept|get|got|getting|go|went)( getting| going)?( even| a lot| much| way)? (deeper|worse)\b|\b(cut|cutting|burn|burning|scratching) (myself )?(deeper|harder|more) (than (last time|usual|before|ever)|each time|every (time|night|day))\b/,
	},
	{
		name: "death_with_desire",
		// A first-person clause naming death together with wanting, planning or nobody caring.
		pattern:
			/\b(die|died|dying|dead|death|gone|not here|was not here|were not here|not being here|not alive|not existing)\b.*\b(nobody|no one|noone|would care|would notice|happier|better off|relief|finally|tonight|tomorrow|soon|want|wish|hope|plan|ready|time to)\b|\b(nobody|no one|noone|happier|better off|want|wish|wishing|hope|hoping|plan|ready|time to|tonight)\b.*\b(die|be dead|was dead|were dead|death|not here|was not here|were not here|not being here|not be alive|not exist|end it|end it all|end my life)\b/,
		needsFirstPerson: true,
		hyperbole: true,
	},
	{
		name: "self_injury_first_person",
		pattern:
			/\bi( still| sometimes| often| always| usually| keep| have| had| just)? (cut|burn|hurt|harm|hit|scratch|punish|starve)( myself| my (arms?|wrists?|legs?|thighs?|skin|body))\b/,
	},
	{
		name: "cant_go_on_living",
		pattern:
			/\bcan not (go on|keep going|keep living|live|do life) (living|like this|anymore|any more|any longer)\b(?=.*\b(living|life|alive|anymore|any more|any longer)\b)|\bcan not (go on|keep going|carry on)\b.*\bdo not want to$/,
	},
];

/** Distress short of a stated risk. One alone is low risk; three different ones together are high. */
const LOW_RULES: Rule[] = [
	{ name: "hopeless", pattern: /\b(hopeless|no hope|lost all hope|no way out|trapped|no future)\b/ },
	{
		name: "worthless",
		pattern:
			/\bi (am|feel)( so| completely| totally| just| utterly| like)* (worthless|useless|a failure|empty|numb|broken|like nothing)\b|\b(worthless|empty inside|numb inside)\b(?=.*\b(i|me|my)\b)|(?<=\b(i|me|my)\b.*)\b(worthless|empty inside|numb inside)\b/,
	},
	{ name: "hate_myself", pattern: /\b(hate|despise|loathe) (myself|my life|being alive|who i am)\b/ },
	{
		name: "cant_take_it",
		pattern:
			/\bcan not (take|do|handle|bear|cope with|deal with|go on|keep going|live like) (it|this|this anymore|anything|any of this|like this|anymore)?\b/,
	},
	{
		name: "pointless",
		pattern:
			/\b(everything|life|it all|nothing) (is|feels|seems) (pointless|meaningless|hopeless|dark)\b|\bnothing matters\b|\bwhat is the point\b|\bno point\b/,
	},
	{
		name: "disappear",
		pattern:
			/\b(want|wish|wanna) (to|i could) (disappear|vanish|run away forever|stop feeling|not feel anything)\b/,
	},
	{
		name: "tired_of_everything",
		pattern:
			/\b(tired|exhausted|done) (of|with) (everything|it all|fighting|trying|all of it|life)\b|^i am (so |just )?done$/,
	},
	{
		name: "struggling",
		pattern:
			/\bi am struggling( so much| a lot| really| badly)?\b|\bstruggling (so much|a lot|badly|to cope|to keep going)\b/,
	},
	{ name: "why_bother", pattern: /\bwhy (do i )?(even )?bother\b|\bwhat is even the point\b/ },
	{
		name: "the_pain",
		pattern: /\b(want|need|wish) (the|this|my) pain to (stop|end|go away)\b|\bmake (the|this|my) pain stop\b/,
	},
	{ name: "dying_inside", pattern: /\b(dying|dead) inside\b/ },
	{
		name: "self_harm_mention",
		pattern:
			/\bself (harm|harming|harmed|injury)\b|\bselfharm\b|\b(cut|cutting|hurt|hurting|harm|harming) (myself|my self)\b|\bsuicid(e|al)\b|\b(kill|killing) myself\b|\bwant(ed)? to die\b|\boverdos(e|ed|ing)\b/,
	},
	{
		name: "alone",
		pattern:
			/\b(completely|so|all|really|very|totally) alone\b|\bfeel (alone|lonely)\b|\bnobody (cares|understands)\b|\bno one (cares|understands)\b/,
	},
	{ name: "give_up", pattern: /\b(want to|going to|ready to|about to) give up\b|\bgiving up\b/ },
];

// The words the rules read, so that letters spelled out one by one ("i w a n t t o d i e") are read as them.
addVocabulary([...HIGH_RULES, ...LOW_RULES].map((rule) => rule.pattern));

const DESPAIR = new Set(LOW_RULES.map((rule) => rule.name).filter((name) => name !== "self_harm_mention"));

/** Does the clause's subject before `index` look like someone other than the author? */
function someoneElseIsSubject(clause: string, index: number): boolean {
	const before = clause.slice(0, index).trim().split(" ");
	for (let i = before.length - 1; i >= 0; i--) {
		const word = before[i];
		if (word === "i" || word === "me" || word === "my" || word === "myself") return false;
		if (
			/^(he|she|they|you|we|someone|somebody|people|everyone|friend|brother|sister|son|daughter|mom|mum|dad|partner|husband|wife|boyfriend|girlfriend|character|person|nobody|anyone)$/.test(
				word ?? "",
			)
		)
			return true;
	}
	return false;
}

function stripIdioms(clause: string): string {
	let stripped = clause;
	for (const idiom of IDIOMS) stripped = stripped.replace(idiom, " _ ");
	return stripped.replace(/ +/g, " ").trim();
}

/** Assesses the author's self-harm risk from the original text and its canonical clauses. */
export function assessSelfHarm(text: string, clauses: string[]): SelfHarmAssessment {
	const signals = new Set<string>();
	const lowSignals = new Set<string>();
	const jokes = HUMOUR.test(text.toLowerCase());
	let high = false;

	for (const raw of clauses) {
		const clause = stripIdioms(raw);
		if (!clause || clause === "_") continue;
		const informational =
			INFORMATIONAL.test(clause) && !/\bi (want|am|have been|feel|keep|wish)\b/.test(clause);
		const aboutOthers = THIRD_PERSON_RISK.test(clause);
		const past = PAST_OR_RECOVERED.test(clause);

		for (const rule of HIGH_RULES) {
			const match = rule.pattern.exec(clause);
			if (!match) continue;
			if (rule.needsFirstPerson && someoneElseIsSubject(clause, match.index)) {
				lowSignals.add("about_someone_else");
				continue;
			}
			const before = clause.slice(0, match.index).trim();
			const denied = (!rule.selfNegated && NEGATED_BEFORE.test(before)) || REPORTED_BEFORE.test(before);
			if (informational || denied || past || (rule.hyperbole && jokes)) {
				lowSignals.add(`${rule.name}_${denied ? "denied" : past ? "past" : informational ? "info" : "joke"}`);
				continue;
			}
			if (aboutOthers && !/\b(i|me|my|myself)\b/.test(clause)) {
				lowSignals.add("about_someone_else");
				continue;
			}
			signals.add(rule.name);
			high = true;
		}
		if (informational) continue;
		if (aboutOthers) lowSignals.add("about_someone_else");
		for (const rule of LOW_RULES) {
			if (!rule.pattern.test(clause)) continue;
			// A past or recovered history is itself worth knowing, but it is not despair now.
			lowSignals.add(past && rule.name === "self_harm_mention" ? "history" : rule.name);
		}
	}

	// Several distinct signs of despair together read as high risk even without a stated intent.
	const despair = [...lowSignals].filter((name) => DESPAIR.has(name));
	if (!high && despair.length >= 3) {
		high = true;
		signals.add("accumulated_despair");
	}
	if (high) {
		return { risk: "high", score: signals.size > 1 ? 0.97 : 0.95, signals: [...signals, ...lowSignals] };
	}
	if (lowSignals.size > 0) {
		return { risk: "low", score: Math.min(0.65, 0.45 + 0.05 * lowSignals.size), signals: [...lowSignals] };
	}
	return { risk: "none", score: 0, signals: [] };
}
