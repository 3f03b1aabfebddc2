/**
 * `npm run bench:ml`: CPU time of the embedded models, measured with `process.cpuUsage()` under Node (the
 * same V8 as workerd) after a warm-up: `moderate` of a 1,000-character text and `embed` of 20 short texts.
 * A benchmark, not a test: the figures depend on the machine.
 */
import { embedTexts } from "../src/embedding";
import { moderateText } from "../src/moderation";

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

const moderate = cpuMicros(2_000, () => moderateText(TEXT_1000));
const embed = cpuMicros(1_000, () => embedTexts(SHORT_TEXTS));
console.log(`moderate(${TEXT_1000.length} chars): ${(moderate / 1000).toFixed(3)} ms CPU per call`);
console.log(`embed(${SHORT_TEXTS.length} short texts): ${(embed / 1000).toFixed(3)} ms CPU per call`);
