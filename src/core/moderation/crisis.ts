/**
 * @module core/moderation/crisis: crisis resources shown when a text reads as high self-harm risk, ordered for
 * where the person is: the lines of the caller's country first (`request.cf.country`), then those for anyone
 * (the international directory, the emergency entry), then the other countries' lines. Nothing is ever left
 * out — the order changes, not the list. `CRISIS_RESOURCES` (a JSON array of the same shape) replaces the
 * defaults. docs/decisions/crisis-resources.md.
 */
import { z } from "zod";
import { logEvent } from "../../lib/log";

/** An ISO 3166-1 alpha-2 code as Cloudflare writes it (upper case). */
const COUNTRY_CODE = /^[A-Z]{2}$/;

export const CrisisResource = z.object({
	region: z.string().min(1).max(40),
	name: z.string().min(1).max(120),
	phone: z.string().max(40).optional(),
	text: z.string().max(80).optional(),
	url: z.url().max(300).optional(),
	/** The country the line serves (ISO 3166-1 alpha-2); absent for international and emergency entries. */
	country: z.string().regex(COUNTRY_CODE).optional(),
});
export type CrisisResource = z.infer<typeof CrisisResource>;

/**
 * The caller's country, or null when it is not known. Cloudflare sends "XX" for an unknown country and "T1"
 * for Tor; anything but two upper-case letters (and "XX") is treated as unknown, never guessed at.
 */
export type CallerCountry = string | null;

export function countryCode(value: unknown): CallerCountry {
	if (typeof value !== "string" || !COUNTRY_CODE.test(value) || value === "XX") return null;
	return value;
}

/** The country a request came from (`request.cf.country`), or null. */
export function requestCountry(request: Request): CallerCountry {
	const cf = (request as { cf?: unknown }).cf;
	return countryCode(
		typeof cf === "object" && cf !== null ? (cf as { country?: unknown }).country : undefined,
	);
}

export const DEFAULT_CRISIS_RESOURCES: CrisisResource[] = [
	// source: https://988lifeline.org
	{
		region: "United States",
		country: "US",
		name: "988 Suicide & Crisis Lifeline",
		phone: "988",
		text: "Text 988",
		url: "https://988lifeline.org",
	},
	// source: https://www.samaritans.org/how-we-can-help/contact-samaritan/
	{
		region: "United Kingdom",
		country: "GB",
		name: "Samaritans",
		phone: "116 123",
		url: "https://www.samaritans.org",
	},
	// source: https://giveusashout.org
	{
		region: "United Kingdom",
		country: "GB",
		name: "Shout",
		text: "Text SHOUT to 85258",
		url: "https://giveusashout.org",
	},
	// source: https://www.samaritans.org/ireland/how-we-can-help/contact-samaritan/
	{
		region: "Ireland",
		country: "IE",
		name: "Samaritans Ireland",
		phone: "116 123",
		url: "https://www.samaritans.org/ireland/",
	},
	// source: https://988.ca
	{
		region: "Canada",
		country: "CA",
		name: "9-8-8 Suicide Crisis Helpline",
		phone: "988",
		text: "Text 988",
		url: "https://988.ca",
	},
	// source: https://www.lifeline.org.au
	{
		region: "Australia",
		country: "AU",
		name: "Lifeline",
		phone: "13 11 14",
		url: "https://www.lifeline.org.au",
	},
	// source: https://1737.org.nz
	{
		region: "New Zealand",
		country: "NZ",
		name: "1737 Need to talk?",
		phone: "1737",
		text: "Text 1737",
		url: "https://1737.org.nz",
	},
	// source: https://telemanas.mohfw.gov.in
	{
		region: "India",
		country: "IN",
		name: "Tele-MANAS",
		phone: "14416",
		url: "https://telemanas.mohfw.gov.in",
	},
	// source: https://www.sadag.org
	{
		region: "South Africa",
		country: "ZA",
		name: "SADAG Suicide Crisis Helpline",
		phone: "0800 567 567",
		url: "https://www.sadag.org",
	},
	// source: https://findahelpline.com
	{ region: "International", name: "Find a Helpline", url: "https://findahelpline.com" },
	{ region: "Emergency", name: "If you are in immediate danger, call your local emergency number." },
];

/** The configured list (the operator's `CRISIS_RESOURCES` when valid, else the defaults), in its own order. */
function configuredResources(configured: string | undefined): CrisisResource[] {
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

/**
 * The crisis resources for a caller in `country`: that country's lines, then the entries for anyone
 * (no `country`: the international directory, the emergency entry), then every other country's lines, each
 * group in the configured order. An unknown country (null) starts with the entries for anyone. A stable
 * reordering: every configured entry is in every answer. Routes call it through `crisisResourcesFor(c)`
 * (src/http/crisis.ts), which reads the country from the request, so none can forget it.
 */
export function crisisResources(configured: string | undefined, country: CallerCountry): CrisisResource[] {
	const all = configuredResources(configured);
	const rank = (resource: CrisisResource) =>
		country !== null && resource.country === country ? 0 : resource.country === undefined ? 1 : 2;
	return all
		.map((resource, index) => ({ resource, index, rank: rank(resource) }))
		.sort((a, b) => a.rank - b.rank || a.index - b.index)
		.map(({ resource }) => resource);
}
