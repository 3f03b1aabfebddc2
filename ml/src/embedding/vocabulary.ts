/**
 * @module embedding/vocabulary: the embedding's built-in knowledge of English — words too common to
 * carry meaning (dropped), words common enough to count less (a static stand-in for inverse document
 * frequency), and a small curated topic lexicon that lets "meditation" and "mindfulness" meet even
 * when two texts share no word.
 */

/** Function words: never features. */
export const STOPWORDS = new Set(
	`a about above after again against all also am an and any are as at be because been before being below
	between both but by can could did do does doing down during each either else ever every few for from
	further had has have having he her here hers herself him himself his how however i if in into is it its
	itself just let me more most much must my myself no nor not now of off on once only or other our ours
	ourselves out over own per same shall she should so some such than that the their theirs them themselves
	then there these they this those through to too under until up upon us very via was we were what when
	where which while who whom whose why will with within without would yet you your yours yourself
	yourselves im ive id ill youre dont doesnt didnt cant wont isnt arent wasnt werent hasnt havent
	shouldnt wouldnt couldnt thats theres whats lets s t d ll m re ve`.split(/\s+/),
);

/**
 * Frequent words that say little about a topic, with the weight they keep (1 = a full content word).
 * Community words ("group", "join", "weekly") appear in nearly every recommendation candidate, so they
 * are damped hardest: like a low IDF learned from the candidates themselves.
 */
export const DAMPED: Record<string, number> = Object.fromEntries([
	...`get got go going goes went make made making take took come came see saw know knew think thought
	say said tell told ask asked use used find found give gave want wanted need needed try tried feel felt
	look looked seem seemed keep kept put let like love really thing things stuff way ways lot lots bit
	day days week weeks time times year years today tomorrow yesterday morning evening night tonight
	new old good great best better bad big small little long short high low first last next many one two
	three well still even back always never often sometimes maybe something anything everything nothing
	someone anyone everyone people person place part kind sort able sure right left around thanks thank
	please hi hello hey yes yeah okay ok`
		.split(/\s+/)
		.map((word) => [word, 0.35] as const),
	...`group groups community join joining joined member members welcome welcoming together share sharing
	shared meet meets meeting meetup weekly monthly daily friendly open everyone all levels beginners
	beginner session sessions space support supportive connect connecting talk chat discuss discussion
	project projects team help helping plus fun`
		.split(/\s+/)
		.map((word) => [word, 0.25] as const),
]);

/**
 * Topic lexicon: words (plain forms; they are stemmed on load) that point to a shared topic. Each topic is
 * an extra feature, so texts about the same subject in different words still overlap.
 */
export const TOPICS: Record<string, string> = {
	mindfulness: `meditation meditate meditating mindfulness mindful breath breathe breathing breathwork calm
		calming relax relaxation relaxing stillness presence present awareness zen peace peaceful serenity
		grounding grounded vipassana mantra yoga tranquil tranquility quiet centering contemplation`,
	sleep: `sleep sleeping asleep insomnia rest resting restful bedtime bed nap naps napping dream dreams
		tired fatigue melatonin wind unwind pillow snooze circadian`,
	fitness: `exercise exercising workout workouts gym fitness strength running run runner jog jogging
		marathon 5k 10k cardio lifting weights weightlifting training train cycling cyclist bike biking swim
		swimming hiit sport sports athletic steps walk walking pushups squats stretching stretch pilates
		crossfit triathlon sprint`,
	nutrition: `food foods diet dietary nutrition nutritious eating eat meal meals cooking cook recipe
		recipes vegetable vegetables veggies protein vegan vegetarian baking bake kitchen hydrate hydration
		water fruit fruits salad breakfast lunch dinner snack snacks sugar healthy plantbased`,
	crafts: `woodworking wood woodwork carpentry carpenter carving carve lathe chisel furniture sawdust
		joinery workshop tools tool saw plane craft crafts crafting knitting knit sewing sew pottery ceramics
		clay quilting quilt diy maker makers handmade whittling timber oak pine dovetail`,
	art: `art arts artist painting paint painter drawing draw sketch sketching sketchbook watercolor
		watercolour illustration illustrate creative creativity design photography photo photos camera
		canvas gallery sculpture calligraphy`,
	music: `music musical musician song songs sing singing singer choir guitar piano band instrument
		instruments melody ukulele violin drums concert compose composing`,
	writing: `writing write writer journal journaling diary poetry poem poems poet story stories novel
		author essay essays blog memoir prose`,
	reading: `book books reading read reader library literature novel novels bookclub chapter authors`,
	learning: `learn learning study studying student course courses class classes skill skills education
		school university college tutor tutoring lesson lessons teach teaching knowledge curious curiosity`,
	languages: `language languages spanish french german italian japanese mandarin vocabulary grammar
		fluent fluency duolingo bilingual`,
	tech: `code coding programming programmer software developer computer computers javascript python app
		apps tech technology bug bugs debug debugging data algorithm website web`,
	faith: `faith prayer pray praying church god bible scripture scriptures spiritual spirituality worship
		jesus christ christian mosque temple devotional devotion sermon gospel psalm psalms blessing blessed
		holy lord religious parish congregation quran`,
	gratitude: `gratitude grateful thankful thankfulness appreciation appreciate blessing blessings joy
		joyful kindness kind happy happiness smile smiling positivity positive`,
	mental_health: `anxiety anxious depression depressed stress stressed panic therapy therapist counseling
		counselling counselor mental overwhelm overwhelmed burnout coping cope mood moods wellbeing
		emotional emotions feelings resilience`,
	grief: `grief grieving griefs loss bereavement bereaved mourning mourn died death passed funeral widow
		widower lost`,
	family: `relationship relationships partner marriage married spouse husband wife dating family
		families parent parents parenting kids children child mom mum dad baby babies toddler motherhood
		fatherhood`,
	nature: `nature hiking hike hikes trail trails outdoors outdoor forest forests mountain mountains
		camping camp park parks beach wildlife birdwatching birding woods`,
	gardening: `garden gardening gardener plants plant planting flowers flower seeds compost vegetables
		allotment houseplants soil growing`,
	service: `volunteer volunteers volunteering service charity charities donate donation donations
		foodbank shelter cleanup fundraiser fundraising homeless neighbours neighbors mentoring giving`,
	recovery: `addiction addict recovery sober sobriety alcohol drinking drugs relapse twelve aa smoking
		quit quitting craving cravings clean abstinence`,
	work: `money budget budgeting finance finances saving savings debt career job jobs work interview
		resume business entrepreneur productivity focus goals deadline office`,
	pets: `dog dogs puppy puppies cat cats kitten pet pets animal animals rescue vet`,
	loneliness: `lonely loneliness isolation isolated belonging alone friendship friends friend social`,
	health: `health healthy doctor illness chronic pain medication diabetes weight heart blood pressure
		recovery surgery symptoms wellness`,
};
