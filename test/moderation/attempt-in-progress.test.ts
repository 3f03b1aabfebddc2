/**
 * An attempt in progress is urgent whatever the content type (issue 19): a text the ML Worker reads as high
 * self-harm risk brings the writer crisis resources in the very answer (or socket ack), raises an urgent queue
 * item, and every active guardian gets a `guardian_alert` — for a post, a comment, a sunlight share (named or
 * anonymous), a support request and a chat message over the socket. The alert names no one: no actor, no data,
 * nothing of the writer, so an anonymous share's or support request's author is not told to the guardians
 * through it. (An urgent support request's alert, and a chat message's over REST, are also in
 * test/notifications/fan-out.test.ts.)
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createRequest } from "../anonymous-support/helpers";
import { guardian } from "../guardians/helpers";
import { connectedPair, openChat } from "../orchard/helpers";
import { call, expectStatus, signUp, type TestUser } from "../support/api";
import { eventually } from "../support/eventually";

/** Rated high self-harm risk by the embedded rules today (the first test checks, so a change fails loudly). */
const ATTEMPT = "I swallowed all my pills an hour ago and I want to die";

type Resource = { name: string; region: string };

interface AlertRow {
	id: string;
	user_id: string;
	subject_type: string;
	subject_id: string;
	actor_ids: string;
	actor_count: number;
	data: string;
	group_key: string;
}

let guardians: TestUser[] = [];

beforeAll(async () => {
	guardians = [await guardian("attempt-g1"), await guardian("attempt-g2")];
});

/** The item's queue row (a chat room writes it behind, within a second of the message). */
async function urgentItem(targetType: string, targetId: string) {
	const item = await eventually(
		() =>
			env.DB.prepare(
				"SELECT id, is_urgent, is_hidden FROM moderation_queue_items WHERE target_type = ? AND target_id = ?",
			)
				.bind(targetType, targetId)
				.first<{ id: string; is_urgent: number; is_hidden: number }>(),
		(row) => row !== null,
	);
	expect(item, `${targetType} queue item`).toMatchObject({ is_urgent: 1, is_hidden: 0 });
	return (item as { id: string }).id;
}

/** Every guardian is alerted about the item; the alert carries nothing of the writer. */
async function expectAlerted(itemId: string, writer: TestUser) {
	const alerts = await eventually(
		async () =>
			(
				await env.DB.prepare(
					"SELECT * FROM notifications WHERE type = 'guardian_alert' AND subject_id = ? ORDER BY user_id",
				)
					.bind(itemId)
					.all<AlertRow>()
			).results,
		(rows) => guardians.every((g) => rows.some((row) => row.user_id === g.id)),
	);
	for (const g of guardians) expect(alerts.filter((row) => row.user_id === g.id)).toHaveLength(1);
	expect(alerts.some((row) => row.user_id === writer.id)).toBe(false);
	for (const row of alerts) {
		expect(row).toMatchObject({ subject_type: "report", actor_count: 0, actor_ids: "[]", data: "{}" });
		expect(JSON.stringify(row)).not.toContain(writer.id);
		expect(JSON.stringify(row)).not.toContain(writer.sub);
	}
	const [first] = guardians as [TestUser];
	const page = await expectStatus<{ data: Array<{ type: string; subject: { id: string } }> }>(
		await call("GET", "/api/v1/notifications?limit=100", { token: first.token }),
		200,
	);
	const shown = page.data.find((n) => n.type === "guardian_alert" && n.subject.id === itemId);
	expect(shown).toMatchObject({
		actors: [],
		text: "Someone may be at risk: an urgent item is in the moderation queue.",
	});
	expect(JSON.stringify(shown)).not.toContain(writer.id);
}

const expectResources = (resources: Resource[] | undefined) => {
	expect(resources?.length).toBeGreaterThan(0);
	expect(resources?.map((r) => r.region)).toContain("Emergency");
};

describe("an attempt in progress is urgent, whatever the content type", () => {
	it("the phrase is rated high self-harm risk by the ML Worker", async () => {
		const user = await signUp("attempt-phrase");
		const result = await expectStatus<{ self_harm_risk: string }>(
			await call("POST", "/api/v1/moderation/check", { token: user.token, body: { text: ATTEMPT } }),
			200,
		);
		expect(result.self_harm_risk).toBe("high");
	});

	it("a post", async () => {
		const writer = await signUp("attempt-post");
		const post = await expectStatus<{ id: string; crisis_resources?: Resource[] }>(
			await call("POST", "/api/v1/flourish/posts", {
				token: writer.token,
				body: { type: "text", body: ATTEMPT },
			}),
			201,
		);
		expectResources(post.crisis_resources);
		await expectAlerted(await urgentItem("post", post.id), writer);
	});

	it("a comment", async () => {
		const author = await signUp("attempt-comment-post");
		const writer = await signUp("attempt-comment");
		const post = await expectStatus<{ id: string }>(
			await call("POST", "/api/v1/flourish/posts", {
				token: author.token,
				body: { type: "text", body: "How is everyone doing tonight?" },
			}),
			201,
		);
		const comment = await expectStatus<{ id: string; crisis_resources?: Resource[] }>(
			await call("POST", `/api/v1/flourish/posts/${post.id}/comments`, {
				token: writer.token,
				body: { body: ATTEMPT },
			}),
			201,
		);
		expectResources(comment.crisis_resources);
		await expectAlerted(await urgentItem("comment", comment.id), writer);
	});

	it.each([false, true])(
		"a sunlight share (anonymous: %s), its author never in the alert",
		async (anonymous) => {
			const writer = await signUp(`attempt-share-${anonymous}`);
			const share = await expectStatus<{ id: string; crisis_resources?: Resource[] }>(
				await call("POST", "/api/v1/sunlight", {
					token: writer.token,
					body: { share_type: "win", body: ATTEMPT, anonymous },
				}),
				201,
			);
			expectResources(share.crisis_resources);
			await expectAlerted(await urgentItem("sunlight_share", share.id), writer);
		},
	);

	it("a support request, its author never in the alert", async () => {
		const writer = await signUp("attempt-support");
		const created = await createRequest(writer, { title: "Tonight", body: ATTEMPT, category: "depression" });
		expect(created.request.is_urgent).toBe(true);
		expectResources(created.crisis_resources);
		await expectAlerted(await urgentItem("support_request", created.request.id), writer);
	});

	it("a chat message sent over the socket", async () => {
		const [writer, friend] = await connectedPair("attempt-chat");
		const { client } = await openChat(writer, friend.id);
		client.send({ type: "message", client_message_id: "attempt-ws", text: ATTEMPT });
		const ack = await client.takeType("ack", (frame) => frame.client_message_id === "attempt-ws");
		client.close();
		expectResources(ack.crisis_resources as Resource[]);
		const message = ack.message as { id: string };
		await expectAlerted(await urgentItem("chat_message", message.id), writer);
	});
});
