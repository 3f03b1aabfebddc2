/**
 * Per-user burst limit on chat WebSocket frames (OWASP API4): the ChatRoom Durable Object asks
 * CHAT_MESSAGE_LIMITER before it acts on a frame, and over the limit answers an `error` frame with code
 * `rate_limited` and `retry_after` instead — nothing stored, nothing delivered. The REST send path is
 * covered by the per-user write limit instead.
 *
 * The room's own limiter is generous in tests; this file swaps the room's binding for TEST_TIGHT_LIMITER
 * (3 per 60 s) inside the live Durable Object (like `callWithConfig` does for the Worker).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ChatRoom } from "../../durable-objects/chat-room";
import type { Bindings } from "../../src/env";
import { CHAT_FRAME_POLICY } from "../../src/lib/burst-policies";
import { roomFor } from "../../src/modules/orchard/chat";
import { connectedPair, openChat } from "../orchard/helpers";
import { call, expectStatus } from "../support/api";
import { TIGHT_LIMIT } from "./tight-limiter";

async function tightenRoom(a: string, b: string): Promise<void> {
	await runInDurableObject(roomFor(env, a, b), (room: ChatRoom) => {
		const live = room as unknown as { env: Bindings };
		live.env = { ...live.env, CHAT_MESSAGE_LIMITER: env.TEST_TIGHT_LIMITER };
	});
}

describe("chat frames, per user", () => {
	it("acts on the first frames, then answers rate_limited and stores nothing more", async () => {
		const [alice, bob] = await connectedPair("frames");
		const { client: aliceSocket } = await openChat(alice, bob.id);
		const { client: bobSocket } = await openChat(bob, alice.id);
		await tightenRoom(alice.id, bob.id);

		const acked: string[] = [];
		let refused: Record<string, unknown> | undefined;
		for (let i = 0; i < 2 * TIGHT_LIMIT + 1 && !refused; i++) {
			const id = `burst-${i}`;
			aliceSocket.send({ type: "message", client_message_id: id, text: `Message ${i}` });
			const answer = await aliceSocket.take(
				(frame) => (frame.type === "ack" || frame.type === "error") && frame.client_message_id === id,
				`the answer to ${id}`,
			);
			if (answer.type === "ack") acked.push(id);
			else refused = answer;
		}
		expect(acked.length).toBeGreaterThanOrEqual(TIGHT_LIMIT);
		expect(refused).toMatchObject({ code: "rate_limited", retry_after: CHAT_FRAME_POLICY.period });

		// What was refused is not stored: the history holds exactly the acknowledged messages.
		const history = await expectStatus<{ data: Array<{ client_message_id: string | null }> }>(
			await call("GET", `/api/v1/orchard/conversations/${bob.id}/messages?limit=100`, { token: alice.token }),
			200,
		);
		expect(history.data.map((message) => message.client_message_id).sort()).toEqual([...acked].sort());

		// Bob is not limited by Alice's burst; pings are still answered.
		bobSocket.send({ type: "message", client_message_id: "bob-1", text: "Slow down!" });
		expect(await bobSocket.takeType("ack")).toMatchObject({ client_message_id: "bob-1" });
		aliceSocket.send({ type: "ping" });
		await aliceSocket.takeType("pong");
		aliceSocket.close();
		bobSocket.close();
	});

	it("counts typing and read frames too", async () => {
		const [alice, bob] = await connectedPair("typing");
		const { client } = await openChat(alice, bob.id);
		await tightenRoom(alice.id, bob.id);
		// Typing and read frames have no reply of their own: send more than the limit, then wait for the refusal.
		for (let i = 0; i < 2 * TIGHT_LIMIT + 1; i++) {
			client.send(i % 2 ? { type: "typing", typing: true } : { type: "read", seq: 0 });
		}
		const refused = await client.takeType("error");
		expect(refused).toMatchObject({ code: "rate_limited", retry_after: CHAT_FRAME_POLICY.period });
		client.close();
	});

	it("counts malformed frames too, and a flood of them spends the allowance", async () => {
		const [alice, bob] = await connectedPair("bad-frames");
		const { client } = await openChat(alice, bob.id);
		await tightenRoom(alice.id, bob.id);
		const garbage = ["not json", "{}", JSON.stringify({ type: "shout" }), JSON.stringify({ type: "read" })];
		for (let i = 0; i < 3 * TIGHT_LIMIT; i++) client.send(garbage[i % garbage.length] as string);
		const answers: Array<Record<string, unknown>> = [];
		for (let i = 0; i < 3 * TIGHT_LIMIT; i++) answers.push(await client.takeType("error"));
		const codes = answers.map((answer) => answer.code);
		// The first frames within the allowance are answered bad_frame; the rest are refused unread.
		expect(codes.filter((code) => code === "bad_frame").length).toBeLessThanOrEqual(TIGHT_LIMIT);
		expect(codes.filter((code) => code === "rate_limited").length).toBeGreaterThanOrEqual(2 * TIGHT_LIMIT);
		// And the allowance is spent for well-formed frames as well: a message is refused, nothing stored.
		client.send({ type: "message", client_message_id: "after-garbage", text: "hello" });
		expect(
			await client.take((frame) => frame.client_message_id === "after-garbage", "the message's answer"),
		).toMatchObject({ type: "error", code: "rate_limited" });
		const history = await expectStatus<{ data: unknown[] }>(
			await call("GET", `/api/v1/orchard/conversations/${bob.id}/messages`, { token: alice.token }),
			200,
		);
		expect(history.data).toEqual([]);
		client.close();
	});
});
