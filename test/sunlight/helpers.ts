/** Helpers for the Share the Sunlight tests. */
import { call, expectStatus, type TestUser } from "../support/api";

export type Share = {
	id: string;
	share_type: string;
	body: string;
	anonymous: boolean;
	is_spiritual: boolean;
	author: { id: string; display_name: string } | null;
	is_mine: boolean;
	pending_review: boolean;
	reaction_count: number;
	reactions: Record<string, number>;
	my_reactions: string[];
	edited_at: string | null;
	crisis_resources?: unknown[];
};

export async function share(user: TestUser, body: Record<string, unknown> = {}): Promise<Share> {
	return expectStatus<Share>(
		await call("POST", "/api/v1/sunlight", {
			token: user.token,
			body: { share_type: "gratitude", body: "Grateful for a sunny morning", ...body },
		}),
		201,
	);
}

/** Every page of the list, following `next_cursor`. */
export async function allShares(user: TestUser, query = ""): Promise<Share[]> {
	const all: Share[] = [];
	let cursor: string | null = null;
	for (let i = 0; i < 100; i++) {
		const sep = query.includes("?") ? "&" : "?";
		const path = `/api/v1/sunlight${query}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ""}`;
		const page: { data: Share[]; next_cursor: string | null } = await expectStatus(
			await call("GET", path, { token: user.token }),
			200,
		);
		all.push(...page.data);
		cursor = page.next_cursor;
		if (!cursor) return all;
	}
	throw new Error("list did not end");
}
