/**
 * Posts with visibility `group` in the Flourish feed are seen by the group's active members only: not by
 * strangers, pending requesters or invitees, and no longer by someone who left.
 */
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, signUp, type TestUser } from "../support/api";
import { createGroup, invite, join, organiser } from "./helpers";

type Feed = { data: Array<{ id: string }> };

const feedIds = async (user: TestUser, groupId: string) =>
	(
		await expectStatus<Feed>(
			await call("GET", `/api/v1/flourish/feed?group_id=${groupId}`, { token: user.token }),
			200,
		)
	).data.map((post) => post.id);

describe("group posts", () => {
	it("are visible to active members only", async () => {
		const owner = await organiser("post-owner");
		const group = await createGroup(owner, { visibility: "private" });
		const member = await signUp("member");
		await expectStatus(await invite(owner, group.id, member.id), 201);
		await expectStatus(await join(member, group.id), 201);
		const post = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/flourish/posts", {
				token: owner.token,
				body: { type: "text", body: "Meeting moved to Thursday", visibility: "group", group_id: group.id },
			}),
			201,
		);
		expect(await feedIds(member, group.id)).toContain(post.id);
		await expectStatus(await call("GET", `/api/v1/flourish/posts/${post.id}`, { token: member.token }), 200);

		const stranger = await signUp("stranger");
		const asker = await signUp("asker");
		await expectStatus(await join(asker, group.id), 201);
		const invitee = await signUp("invitee");
		await expectStatus(await invite(owner, group.id, invitee.id), 201);
		for (const outsider of [stranger, asker, invitee]) {
			expect(await feedIds(outsider, group.id)).not.toContain(post.id);
			await expectProblem(
				await call("GET", `/api/v1/flourish/posts/${post.id}`, { token: outsider.token }),
				404,
			);
		}

		await expectStatus(
			await call("DELETE", `/api/v1/fellowship/groups/${group.id}/members/${member.id}`, {
				token: member.token,
			}),
			204,
		);
		expect(await feedIds(member, group.id)).not.toContain(post.id);
		await expectProblem(await call("GET", `/api/v1/flourish/posts/${post.id}`, { token: member.token }), 404);
	});
});
