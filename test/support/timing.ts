/**
 * What a timing attacker reads in an answer: the version of a UUID (a v7 carries its creation millisecond),
 * the precision of a timestamp, and what an opaque cursor really holds.
 */
import { expect } from "vitest";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g;

/** The version nibble of a UUID: 4 (random) or 7 (time-ordered). */
export const uuidVersion = (id: string): number => Number.parseInt(id.charAt(14), 16);

/** The Unix milliseconds a UUIDv7 carries in its first 48 bits. */
export const v7Millis = (id: string): number => Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16);

export const isWholeHour = (iso: string): boolean => Date.parse(iso) % HOUR_MS === 0;
export const isWholeDay = (iso: string): boolean => Date.parse(iso) % DAY_MS === 0;

/** The JSON inside an opaque cursor (base64url). */
export function cursorContents(cursor: string): string {
	const base64 = cursor.replaceAll("-", "+").replaceAll("_", "/");
	return atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
}

/**
 * Fails when `text` (an answer, a row, a cursor) carries a time finer than the hour or a UUIDv7 among
 * `ids` (the ids of anonymous things; other v7 ids — of named things — may appear beside them).
 */
export function expectNoFineTime(text: string, anonymousIds: string[], where: string): void {
	for (const iso of text.match(ISO) ?? []) expect(isWholeHour(iso), `${where}: ${iso}`).toBe(true);
	for (const id of text.match(UUID) ?? []) {
		if (anonymousIds.includes(id)) expect(uuidVersion(id), `${where}: ${id}`).toBe(4);
	}
}
