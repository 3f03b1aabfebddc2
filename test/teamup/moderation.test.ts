/**
 * Project texts and discussions go through the ML screen (the real flourish-ml Worker): toxic ones are
 * hidden pending review with a Guardian queue item and shown only to their author and guardians; a
 * message that reads as high self-harm risk stays visible and its answer carries crisis resources.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";
import { createProject, grower, joinProject, PROJECTS, type Project } from "./helpers";

const THREAT = "I will kill you if I ever see you.";
type Message = { id: string; pending_review: boolean; crisis_resources?: unknown[] };

async function queueItem(targetType: string, targetId: string) {
	return env.DB.prepare(
		"SELECT is_hidden, is_urgent FROM moderation_queue_items WHERE target_type = ? AND target_id = ?",
	)
		.bind(targetType, targetId)
		.first<{ is_hidden: number; is_urgent: number }>();
}

describe("screening Team Up texts", () => {
	it("hides a threatening project from everyone but its owner and guardians", async () => {
		const owner = await grower("toxic");
		const project = await createProject(owner, { description: THREAT });
		expect((project as Project & { pending_review: boolean }).pending_review).toBe(true);
		expect(await queueItem("project", project.id)).toEqual({ is_hidden: 1, is_urgent: 0 });
		await expectProblem(
			await call("GET", `${PROJECTS}/${project.id}`, { token: (await signUp("s")).token }),
			404,
		);
		await expectStatus(await call("GET", `${PROJECTS}/${project.id}`, { token: owner.token }), 200);
		const guardian = await signUp("guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		await expectStatus(await call("GET", `${PROJECTS}/${project.id}`, { token: guardian.token }), 200);
	});

	it("hides a threatening message from other members, showing it to its author as pending review", async () => {
		const owner = await grower("thread-owner");
		const project = await createProject(owner);
		const author = await signUp("author");
		await expectStatus(await joinProject(author, project.id), 201);
		const message = await expectStatus<Message>(
			await call("POST", `${PROJECTS}/${project.id}/discussions`, {
				token: author.token,
				body: { body: THREAT },
			}),
			201,
		);
		expect(message.pending_review).toBe(true);
		expect((await queueItem("project_discussion", message.id))?.is_hidden).toBe(1);
		const forOwner = await expectStatus<{ data: Message[] }>(
			await call("GET", `${PROJECTS}/${project.id}/discussions`, { token: owner.token }),
			200,
		);
		expect(forOwner.data).toEqual([]);
		const forAuthor = await expectStatus<{ data: Message[] }>(
			await call("GET", `${PROJECTS}/${project.id}/discussions`, { token: author.token }),
			200,
		);
		expect(forAuthor.data.map((m) => [m.id, m.pending_review])).toEqual([[message.id, true]]);
	});

	it("answers a message at high self-harm risk with crisis resources, and keeps it visible", async () => {
		const owner = await grower("crisis-owner");
		const project = await createProject(owner);
		const message = await expectStatus<Message>(
			await call("POST", `${PROJECTS}/${project.id}/discussions`, {
				token: owner.token,
				body: { body: "I want to end it all." },
			}),
			201,
		);
		expect(message.pending_review).toBe(false);
		expect(message.crisis_resources?.length).toBeGreaterThan(0);
		expect((await queueItem("project_discussion", message.id))?.is_urgent).toBe(1);
	});
});
