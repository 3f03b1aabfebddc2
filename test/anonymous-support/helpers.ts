/** Shared steps of the anonymous-support tests: creating a request the way a client does. */
import { env } from "cloudflare:workers";
import { call, expectStatus, type TestUser } from "../support/api";

export interface CreatedRequest {
	request: {
		id: string;
		title: string;
		body: string;
		category: string;
		visibility: string;
		status: string;
		is_urgent: boolean;
		response_count: number;
		moderation_status: string;
		is_mine: boolean;
	};
	token: string;
	crisis_resources?: Array<{ name: string; region: string }>;
}

let counter = 0;

export async function createRequest(
	user: TestUser,
	body: Record<string, unknown> = {},
	headers: Record<string, string> = {},
): Promise<CreatedRequest> {
	counter += 1;
	return expectStatus<CreatedRequest>(
		await call("POST", "/api/v1/support/requests", {
			token: user.token,
			headers,
			body: {
				title: `Feeling stuck lately ${counter}`,
				body: "Work has been overwhelming and I do not know who to talk to about it.",
				category: "stress",
				...body,
			},
		}),
		201,
	);
}

export const withToken = (token: string, extra: Record<string, string> = {}) => ({
	"X-Support-Token": token,
	...extra,
});

/** Every row of a table, as plain objects (test databases are small). */
export async function allRows(table: string): Promise<Record<string, unknown>[]> {
	const { results } = await env.DB.prepare(`SELECT * FROM ${table}`).all<Record<string, unknown>>();
	return results;
}
