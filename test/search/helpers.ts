/** Helpers of the `GET /search` tests: a word of a test's own, and one page of results. */
import { call, expectStatus, type TestUser } from "../support/api";

export type Result<Item = Record<string, unknown>> = {
	type: string;
	id: string;
	title: string | null;
	snippet: string;
	highlights: [number, number][];
	score: number;
	item: Item;
};
export type Page<Item = Record<string, unknown>> = { data: Result<Item>[]; next_cursor: string | null };

const LETTERS = "abcdefghij";

/**
 * A maker of words nothing else has (letters only, so the tokenizer keeps them whole): `prefix`, the time in
 * letters, `separator`, and a counter. Each test file uses its own prefix, so files never match each other's.
 */
export function tagMaker(prefix: string, separator: string): () => string {
	let tags = 0;
	return () =>
		`${prefix}${Date.now()
			.toString(36)
			.replace(
				/\d/g,
				(d) => LETTERS[Number(d)] ?? "",
			)}${separator}${LETTERS[tags++ % 10]}${LETTERS[Math.floor(tags / 10) % 10]}`;
}

export async function search<Item = Record<string, unknown>>(
	user: TestUser | undefined,
	params: Record<string, string>,
): Promise<Page<Item>> {
	const query = new URLSearchParams(params).toString();
	return expectStatus<Page<Item>>(
		await call("GET", `/api/v1/search?${query}`, user ? { token: user.token } : {}),
		200,
	);
}
