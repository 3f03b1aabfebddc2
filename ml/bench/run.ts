/**
 * `npm run bench:ml`: CPU time of the embedded models, measured with `process.cpuUsage()` under Node (the
 * same V8 as workerd) after a warm-up: `moderate` of a 1,000-character text (normalised at the entry of
 * moderation, then scored, as the Worker does), the normalisation alone on that text and on the same text
 * disguised with look-alike letters and zero-width spaces, and `embed` of 20 short texts.
 * A benchmark, not a test: the figures depend on the machine.
 */
import { embedTexts } from "../src/embedding";
import { moderateText } from "../src/moderation";
import { normaliseForScoring } from "../src/text";

const POST =
	"Week six of my morning routine: ten minutes of meditation, a short walk, and journaling before work. " +
	"Some days it is hard and I want to skip it, but this group keeps me honest. Yesterday I felt anxious " +
	"about a presentation, so I tried the box breathing exercise someone shared here and it really helped. " +
	"Sleep is still my weak spot; I scroll my phone too late. Does anyone have tips for a wind-down routine " +
	"that actually sticks? I am thinking of leaving the phone in the kitchen and reading a paper book instead. " +
	"Also, huge thanks to whoever posted the vegetable soup recipe, my kids loved it. Grateful for you all. " +
	"Next goal: run a 5k by spring and keep the streak going even when work gets busy again in March.";
const TEXT_1000 = POST.padEnd(1000, " Keep going.").slice(0, 1000);
const SHORT_TEXTS = [
	"Mindful mornings: meditation and breathing",
	"Woodworking for beginners",
	"Couch to 5k running club",
	"Grief support circle",
	"Plant-based cooking on a budget",
	"Sober and thriving",
	"Book club: memoirs",
	"Sketching in the park",
	"Spanish conversation practice",
	"New parents support",
	"Volunteering at the food bank",
	"Better sleep habits",
	"Prayer and reflection",
	"Gardening with kids",
	"Anxiety support group",
	"Strength training basics",
	"Budgeting and saving",
	"Dog walkers meetup",
	"Poetry night",
	"Yoga for back pain",
];

function cpuMicros(iterations: number, work: () => unknown): number {
	for (let i = 0; i < Math.min(50, iterations); i++) work(); // warm-up (JIT)
	const start = process.cpuUsage();
	for (let i = 0; i < iterations; i++) work();
	const used = process.cpuUsage(start);
	return (used.user + used.system) / iterations;
}

/** The same text as an attacker might disguise it: Cyrillic look-alikes and a zero-width space in every word. */
const DISGUISED_1000 = TEXT_1000.replace(
	/[aeo]/g,
	(ch) => ({ a: "\u0430", e: "\u0435", o: "\u043e" })[ch] ?? ch,
).replace(/\b(\w)(\w)/g, "$1\u200b$2");

const moderate = cpuMicros(2_000, () => moderateText(normaliseForScoring(TEXT_1000)));
const normalise = cpuMicros(2_000, () => normaliseForScoring(TEXT_1000));
const normaliseDisguised = cpuMicros(2_000, () => normaliseForScoring(DISGUISED_1000));
const embed = cpuMicros(1_000, () => embedTexts(SHORT_TEXTS));
console.log(`moderate(${TEXT_1000.length} chars): ${(moderate / 1000).toFixed(3)} ms CPU per call`);
console.log(`  of which normaliseForScoring: ${(normalise / 1000).toFixed(3)} ms`);
console.log(
	`normaliseForScoring(${DISGUISED_1000.length} chars, disguised): ${(normaliseDisguised / 1000).toFixed(3)} ms CPU per call`,
);
console.log(`embed(${SHORT_TEXTS.length} short texts): ${(embed / 1000).toFixed(3)} ms CPU per call`);
