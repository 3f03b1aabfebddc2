/**
 * @module support/display: the pure logic of Anonymous Support — the tokens this device keeps, crisis lines as
 * links, and the words for categories and statuses. No React, no browser: tested in Node (display.test.ts).
 */
import type { Schemas } from "../api/client";

export type SupportRequest = Schemas["SupportRequest"];
export type SupportRequestWithResponses = Schemas["SupportRequestWithResponses"];
export type SupportResponse = Schemas["SupportResponse"];
export type CreateSupportRequest = Schemas["CreateSupportRequest"];
export type CreatedSupportRequest = Schemas["CreatedSupportRequest"];
export type SupportCategory = CreateSupportRequest["category"];

export const CATEGORIES: { value: SupportCategory; label: string }[] = [
	{ value: "anxiety", label: "Anxiety" },
	{ value: "depression", label: "Low mood or depression" },
	{ value: "grief", label: "Grief" },
	{ value: "relationships", label: "Relationships" },
	{ value: "addiction", label: "Addiction" },
	{ value: "faith", label: "Faith" },
	{ value: "stress", label: "Stress" },
	{ value: "loneliness", label: "Loneliness" },
	{ value: "other", label: "Something else" },
];

export const categoryLabel = (category: SupportCategory): string =>
	CATEGORIES.find((each) => each.value === category)?.label ?? category;

/** A request's status for the person who asked, in calm words. */
export function statusText(
	request: Pick<SupportRequest, "status" | "response_count" | "pending_review">,
): string {
	if (request.pending_review) return "Waiting for a guardian to look at it before others can see it";
	switch (request.status) {
		case "open":
			return "Waiting for a response";
		case "responded":
			return request.response_count === 1 ? "1 response" : `${request.response_count} responses`;
		case "resolved":
			return "Marked resolved";
		case "closed":
			return "Closed";
	}
}

// ---------------------------------------------------------------- the tokens this device keeps

/**
 * The key under which this browser keeps the tokens of requests asked from it. localStorage, not a cookie: it
 * never travels to the server by itself, and it survives closing the tab, so the asker can come back to read
 * responses. Anyone who uses this browser profile can read it — the page says so, and offers to forget it.
 */
export const TOKEN_STORAGE_KEY = "flourish.support.tokens";

export interface KeptToken {
	request_id: string;
	token: string;
	title: string;
	/** When this device kept it (rounded to the hour like the request's own times). */
	kept_at: string;
}

type StorageLike = Pick<Storage, "getItem" | "setItem">;

const isKeptToken = (value: unknown): value is KeptToken =>
	typeof value === "object" &&
	value !== null &&
	typeof (value as KeptToken).request_id === "string" &&
	typeof (value as KeptToken).token === "string" &&
	typeof (value as KeptToken).title === "string" &&
	typeof (value as KeptToken).kept_at === "string";

/** The kept tokens, newest first; anything unreadable in storage is ignored, never thrown. */
export function readKeptTokens(storage: StorageLike | undefined): KeptToken[] {
	if (!storage) return [];
	try {
		const parsed: unknown = JSON.parse(storage.getItem(TOKEN_STORAGE_KEY) ?? "[]");
		return Array.isArray(parsed) ? parsed.filter(isKeptToken) : [];
	} catch {
		return [];
	}
}

/** Keeps (or replaces) one request's token, newest first. Answers false when storage refused it. */
export function keepToken(storage: StorageLike | undefined, kept: KeptToken): boolean {
	if (!storage) return false;
	const others = readKeptTokens(storage).filter((each) => each.request_id !== kept.request_id);
	try {
		storage.setItem(TOKEN_STORAGE_KEY, JSON.stringify([kept, ...others]));
		return true;
	} catch {
		return false;
	}
}

export function forgetToken(storage: StorageLike | undefined, requestId: string): void {
	if (!storage) return;
	const rest = readKeptTokens(storage).filter((each) => each.request_id !== requestId);
	try {
		storage.setItem(TOKEN_STORAGE_KEY, JSON.stringify(rest));
	} catch {
		// nothing more to do: the token stays, and the page still offers to forget it
	}
}

export const tokenFor = (storage: StorageLike | undefined, requestId: string): string | undefined =>
	readKeptTokens(storage).find((each) => each.request_id === requestId)?.token;

/** The hour, as the API keeps the request's times: nothing on this device dates it finer either. */
export const hourOf = (date: Date): string => {
	const hour = new Date(date);
	hour.setUTCMinutes(0, 0, 0);
	return hour.toISOString();
};

/** The browser's localStorage, or undefined where it is unavailable (private modes, tests). */
export function deviceStorage(): Storage | undefined {
	try {
		return globalThis.localStorage ?? undefined;
	} catch {
		return undefined;
	}
}
