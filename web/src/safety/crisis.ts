/**
 * @module safety/crisis: crisis resources as the API returns them with anything written that reads as a risk of
 * self-harm (a post, a comment, a support request …), and how their numbers are dialled.
 */
import type { Schemas } from "../api/client";

export type CrisisResource = NonNullable<Schemas["PostWithCrisis"]["crisis_resources"]>[number];

/** A phone number as a `tel:` link: digits and a leading +, nothing else ("116 123" → "tel:116123"). */
export function telHref(phone: string): string | null {
	const trimmed = phone.trim();
	const digits = trimmed.replace(/\D/g, "");
	if (!digits) return null;
	return `tel:${trimmed.startsWith("+") ? "+" : ""}${digits}`;
}
