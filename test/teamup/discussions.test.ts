/**
 * Project discussions: threads and replies by `parent_id`; readable by every signed-in user for public
 * projects and by members otherwise (private projects are 404 to others); only active members post, and
 * not in archived projects; replies stay inside their project.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, signUp, type TestUser } from "../support/api";
import { createProject, grower, joinProject, PROJECTS } from "./helpers";

type Message = {
	id: string;
	parent_id: string | null;
	body: string;
	reply_count: number;
	author: { id: string };
};
type Page = { data: Message[]; next_cursor: string | null };

const post = (user: TestUser, projectId: string, body: Record<string, unknown>) =>
	call("POST", `${PROJECTS}/${projectId}/discussions`, { token: user.token, body });
const list = (user: TestUser, projectId: string, query = "") =>
	call("GET", `${PROJECTS}/${projectId}/discussions${query}`, { token: user.token });

describe("project discussions", () => {
	it("threads messages by parent_id, with reply counts, newest threads first and replies oldest first", async () => {
		const owner = await grower();
		const project = await createProject(owner);
		const member = await signUp("member");
		await expectStatus(await joinProject(member, project.id), 201);
		const first = await expectStatus<Message>(
			await post(owner, project.id, { body: "Where do we start?" }),
			201,
		);
		const second = await expectStatus<Message>(await post(member, project.id, { body: "Tools list" }), 201);
		const r1 = await expectStatus<Message>(
			await post(member, project.id, { body: "The north bed", parent_id: first.id }),
			201,
		);
		const r2 = await expectStatus<Message>(
			await post(owner, project.id, { body: "Agreed", parent_id: first.id }),
			201,
		);
		const nested = await expectStatus<Message>(
			await post(owner, project.id, { body: "Why north?", parent_id: r1.id }),
			201,
		);
		expect(nested.parent_id).toBe(r1.id);

		const threads = await expectStatus<Page>(await list(member, project.id, "?limit=1"), 200);
		expect(threads.data.map((m) => [m.id, m.reply_count])).toEqual([[second.id, 0]]);
		const more = await expectStatus<Page>(
			await list(member, project.id, `?limit=1&cursor=${threads.next_cursor}`),
			200,
		);
		expect(more.data.map((m) => [m.id, m.reply_count])).toEqual([[first.id, 2]]);
		const replies = await expectStatus<Page>(await list(member, project.id, `?parent_id=${first.id}`), 200);
		expect(replies.data.map((m) => [m.id, m.reply_count])).toEqual([
			[r1.id, 1],
			[r2.id, 0],
		]);
		const row = await env.DB.prepare("SELECT author_id, parent_id FROM project_discussions WHERE id = ?")
			.bind(r1.id)
			.first();
		expect(row).toEqual({ author_id: member.id, parent_id: first.id });
	});

	it("lets everyone signed in read a public project's threads, but only members post", async () => {
		const owner = await grower();
		const project = await createProject(owner);
		await expectStatus(await post(owner, project.id, { body: "Hello" }), 201);
		const stranger = await signUp("stranger");
		expect((await expectStatus<Page>(await list(stranger, project.id), 200)).data).toHaveLength(1);
		await expectProblem(await post(stranger, project.id, { body: "Me too" }), 403);
		await expectProblem(await call("GET", `${PROJECTS}/${project.id}/discussions`), 401);
	});

	it("keeps members_only threads to members (403) and private ones unknown (404)", async () => {
		const owner = await grower();
		const closed = await createProject(owner, { visibility: "members_only" });
		const hidden = await createProject(owner, { visibility: "private" });
		const stranger = await signUp("stranger");
		await expectProblem(await list(stranger, closed.id), 403);
		await expectProblem(await post(stranger, closed.id, { body: "Let me in" }), 403);
		await expectProblem(await list(stranger, hidden.id), 404);
		await expectProblem(await post(stranger, hidden.id, { body: "Let me in" }), 404);
		const asker = await signUp("asker");
		await expectStatus(await joinProject(asker, closed.id), 201);
		await expectProblem(await list(asker, closed.id), 403);
	});

	it("rejects replies to messages of another project (404) and bad bodies (422)", async () => {
		const owner = await grower();
		const project = await createProject(owner);
		const other = await createProject(owner);
		const elsewhere = await expectStatus<Message>(await post(owner, other.id, { body: "Elsewhere" }), 201);
		await expectProblem(await post(owner, project.id, { body: "Reply", parent_id: elsewhere.id }), 404);
		await expectProblem(await list(owner, project.id, `?parent_id=${elsewhere.id}`), 404);
		await expectProblem(await post(owner, project.id, { body: "" }), 422);
		await expectProblem(await post(owner, project.id, { body: "x".repeat(5001) }), 422);
		await expectProblem(await post(owner, project.id, { body: "Hi", parent_id: "nope" }), 422);
		await expectProblem(await post(owner, project.id, { body: "Hi", pinned: true }), 422);
		await expectProblem(
			await call("POST", `${PROJECTS}/${project.id}/discussions`, { token: owner.token, rawBody: "{" }),
			400,
		);
	});

	it("makes archived projects read-only", async () => {
		const owner = await grower();
		const project = await createProject(owner);
		await expectStatus(await post(owner, project.id, { body: "Last words" }), 201);
		await expectStatus(await call("DELETE", `${PROJECTS}/${project.id}`, { token: owner.token }), 204);
		await expectProblem(await post(owner, project.id, { body: "After" }), 409);
		expect((await expectStatus<Page>(await list(owner, project.id), 200)).data).toHaveLength(1);
	});

	it("hides messages of people who block me", async () => {
		const owner = await grower();
		const project = await createProject(owner);
		const blocker = await signUp("blocker");
		await expectStatus(await joinProject(blocker, project.id), 201);
		await expectStatus(await post(blocker, project.id, { body: "From the blocker" }), 201);
		await env.DB.prepare("INSERT INTO blocks (id, blocker_id, blocked_id, created_at) VALUES (?, ?, ?, ?)")
			.bind(crypto.randomUUID(), blocker.id, owner.id, new Date().toISOString())
			.run();
		expect((await expectStatus<Page>(await list(owner, project.id), 200)).data).toEqual([]);
	});
});
