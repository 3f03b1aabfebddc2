/**
 * A guide never has more accepted mentorships than `max_mentees`, even when accepts arrive at the same
 * moment: the accept is one conditional UPDATE that counts the accepted ones in its own WHERE.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectStatus } from "../support/api";
import { api, growingUser, makeGuide } from "./helpers";

async function acceptedCount(guideId: string): Promise<number> {
	const row = await env.DB.prepare(
		"SELECT count(*) AS n FROM mentorships WHERE guide_id = ? AND status = 'accepted'",
	)
		.bind(guideId)
		.first<{ n: number }>();
	return row?.n ?? 0;
}

describe("mentorship capacity under concurrency", () => {
	it("two accepts racing for the last free place: exactly one wins, the other is 409", async () => {
		const guide = await makeGuide("race-guide", { maxMentees: 1 });
		const requests = [];
		for (const label of ["race-a", "race-b"]) {
			const mentee = await growingUser(label);
			requests.push(
				await expectStatus<{ id: string }>(
					await call("POST", `${api}/mentorships`, {
						token: mentee.token,
						body: { guide_id: guide.id, goals: "Daily practice" },
					}),
					201,
				),
			);
		}
		const answers = await Promise.all(
			requests.map((request) =>
				call("PATCH", `${api}/mentorships/${request.id}`, {
					token: guide.token,
					body: { status: "accepted" },
				}),
			),
		);
		expect(answers.map((response) => response.status).sort()).toEqual([200, 409]);
		expect(await acceptedCount(guide.id)).toBe(1);
	});

	it("many accepts at once never exceed max_mentees", async () => {
		const guide = await makeGuide("race-many-guide", { maxMentees: 2 });
		const requests = [];
		for (let i = 0; i < 6; i++) {
			const mentee = await growingUser(`race-many-${i}`);
			requests.push(
				await expectStatus<{ id: string }>(
					await call("POST", `${api}/mentorships`, {
						token: mentee.token,
						body: { guide_id: guide.id, goals: "Weekly check-ins" },
					}),
					201,
				),
			);
		}
		const answers = await Promise.all(
			requests.map((request) =>
				call("PATCH", `${api}/mentorships/${request.id}`, {
					token: guide.token,
					body: { status: "accepted" },
				}),
			),
		);
		const statuses = answers.map((response) => response.status);
		expect(statuses.filter((status) => status === 200)).toHaveLength(2);
		expect(statuses.filter((status) => status === 409)).toHaveLength(4);
		expect(await acceptedCount(guide.id)).toBe(2);
	});
});
