/**
 * Group and event texts go through the ML screen (the real flourish-ml Worker): toxic ones are published
 * hidden pending review with a Guardian queue item, shown only to their managers (marked pending review)
 * and guardians; `sort=recommended` ranks groups by similarity to my interests.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";
import { createEvent, createGroup, type Group, type GroupEvent, join, organiser } from "./helpers";

const GROUPS = "/api/v1/fellowship/groups";
const THREAT = "I will kill you if I ever see you.";

async function queueItem(targetType: string, targetId: string) {
	return env.DB.prepare(
		"SELECT status, is_hidden, target_author_id FROM moderation_queue_items WHERE target_type = ? AND target_id = ?",
	)
		.bind(targetType, targetId)
		.first<{ status: string; is_hidden: number; target_author_id: string }>();
}

describe("screening group and event texts", () => {
	it("hides a threatening group pending review: only its owner and guardians see it", async () => {
		const owner = await organiser("toxic-owner");
		const tag = `tox${Date.now().toString(36)}`;
		const group = await createGroup(owner, { name: `Rough ${tag}`, description: THREAT });
		expect(group.pending_review).toBe(true);
		expect(await queueItem("fellowship_group", group.id)).toEqual({
			status: "open",
			is_hidden: 1,
			target_author_id: owner.id,
		});
		const stranger = await signUp("stranger");
		await expectProblem(await call("GET", `${GROUPS}/${group.id}`, { token: stranger.token }), 404);
		const listed = await expectStatus<{ data: Group[] }>(
			await call("GET", `${GROUPS}?q=${tag}`, { token: stranger.token }),
			200,
		);
		expect(listed.data).toEqual([]);
		const own = await expectStatus<{ data: Group[] }>(
			await call("GET", `${GROUPS}?q=${tag}`, { token: owner.token }),
			200,
		);
		expect(own.data.map((g) => [g.id, g.pending_review])).toEqual([[group.id, true]]);
		const guardian = await signUp("guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		await expectStatus(await call("GET", `${GROUPS}/${group.id}`, { token: guardian.token }), 200);
	});

	it("hides a threatening event from members but not from the group's managers", async () => {
		const owner = await organiser("event-owner");
		const group = await createGroup(owner);
		const member = await signUp("member");
		await expectStatus(await join(member, group.id), 201);
		const event = await createEvent(owner, group.id, { description: THREAT });
		expect(event).toMatchObject({ pending_review: true });
		expect((await queueItem("group_event", event.id))?.is_hidden).toBe(1);
		await expectProblem(
			await call("GET", `/api/v1/fellowship/events/${event.id}`, { token: member.token }),
			404,
		);
		const list = await expectStatus<{ data: GroupEvent[] }>(
			await call("GET", `${GROUPS}/${group.id}/events`, { token: member.token }),
			200,
		);
		expect(list.data).toEqual([]);
		await expectStatus(
			await call("GET", `/api/v1/fellowship/events/${event.id}`, { token: owner.token }),
			200,
		);
	});

	it("queues a re-screened edit", async () => {
		const owner = await organiser("editor");
		const group = await createGroup(owner, { description: "Friendly runs" });
		expect(await queueItem("fellowship_group", group.id)).toBeNull();
		const edited = await expectStatus<Group>(
			await call("PATCH", `${GROUPS}/${group.id}`, { token: owner.token, body: { description: THREAT } }),
			200,
		);
		expect(edited.pending_review).toBe(true);
		expect((await queueItem("fellowship_group", group.id))?.status).toBe("open");
	});
});

describe("recommended groups", () => {
	it("ranks groups by similarity to my interests", async () => {
		const owner = await organiser("rec-owner");
		const tag = `rk${Date.now().toString(36)}`;
		const wood = await createGroup(owner, {
			name: `Woodworking shed ${tag}`,
			description: "Saws, planes and chisels.",
		});
		const calm = await createGroup(owner, {
			name: `Meditation circle ${tag}`,
			description: "Mindfulness, calm breathing and sleep.",
		});
		// Give the woodworkers more members, so the popular order would put them first.
		for (const label of ["w1", "w2"]) await expectStatus(await join(await signUp(label), wood.id), 201);
		const seeker = await signUp("seeker");
		await setUserColumns(seeker.id, { interests: JSON.stringify(["meditation", "mindfulness", "calm"]) });
		const page = await expectStatus<{ data: Group[] }>(
			await call("GET", `${GROUPS}?q=${tag}&sort=recommended`, { token: seeker.token }),
			200,
		);
		expect(page.data.map((g) => g.id)).toEqual([calm.id, wood.id]);
	});
});
