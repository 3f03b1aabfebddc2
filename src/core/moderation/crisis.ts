/**
 * @module core/moderation/crisis: crisis resources shown when a post or support request reads as high self-harm
 * risk. Defaults cover several regions; `CRISIS_RESOURCES` (a JSON array of the same shape) replaces them.
 */
import { z } from "zod";
import { logEvent } from "../../lib/log";

export const CrisisResource = z.object({
	region: z.string().min(1).max(40),
	name: z.string().min(1).max(120),
	phone: z.string().max(40).optional(),
	text: z.string().max(80).optional(),
	url: z.url().max(300).optional(),
});
export type CrisisResource = z.infer<typeof CrisisResource>;

export const DEFAULT_CRISIS_RESOURCES: CrisisResource[] = [
	{
		region: "US",
		name: "988 Suicide & Crisis Lifeline",
		phone: "988",
		text: "Text 988",
		url: "https://988lifeline.org",
	},
	{ region: "UK & Ireland", name: "Samaritans", phone: "116 123", url: "https://www.samaritans.org" },
	{ region: "Canada", name: "9-8-8 Suicide Crisis Helpline", phone: "988", url: "https://988.ca" },
	{ region: "Australia", name: "Lifeline", phone: "13 11 14", url: "https://www.lifeline.org.au" },
	{ region: "International", name: "Find a Helpline", url: "https://findahelpline.com" },
	{ region: "Emergency", name: "If you are in immediate danger, call your local emergency number." },
];

export function crisisResources(configured: string | undefined): CrisisResource[] {
	if (!configured) return DEFAULT_CRISIS_RESOURCES;
	try {
		const parsed = z.array(CrisisResource).min(1).safeParse(JSON.parse(configured));
		if (parsed.success) return parsed.data;
	} catch {
		// fall through
	}
	logEvent("warn", "crisis_resources_config_invalid");
	return DEFAULT_CRISIS_RESOURCES;
}
