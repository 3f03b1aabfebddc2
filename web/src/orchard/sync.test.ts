import { describe, expect, it } from "vitest";
import {
	BACKOFF_MAX_MS,
	backoffDelay,
	type ChatMessage,
	canEdit,
	chatReducer,
	closeAction,
	emptyChat,
	lastSeq,
	linkText,
	markDeleted,
	mergeMessages,
	nextSync,
	parseFrame,
	shouldSendTyping,
	socketUrl,
} from "./sync";

const ME = "00000000-0000-7000-8000-00000000000a";
const PEER = "00000000-0000-7000-8000-00000000000b";

function message(seq: number, overrides: Partial<ChatMessage> = {}): ChatMessage {
	return {
		id: `00000000-0000-7000-8000-${String(seq).padStart(12, "0")}`,
		seq,
		sender_id: PEER,
		text: `message ${seq}`,
		client_message_id: null,
		created_at: "2026-12-05T07:00:00.000Z",
		pending_review: false,
		edited_at: null,
		deleted_at: null,
		...overrides,
	};
}

describe("mergeMessages", () => {
	it("keeps one of each message, in seq order, whatever order they arrive in", () => {
		const held = [message(1), message(2), message(3)];
		// A replay after reconnecting overlaps what the page holds, and the live frame of 4 came first.
		const merged = mergeMessages(mergeMessages(held, [message(4)]), [message(3), message(4), message(5)]);
		expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
	});
	it("returns the same array when nothing is new, so nothing re-renders", () => {
		const held = [message(1), message(2)];
		expect(mergeMessages(held, [message(2)])).toBe(held);
		expect(mergeMessages(held, [])).toBe(held);
	});
	it("an edit replaces the older text, and an older copy never undoes it", () => {
		const edited = message(2, { text: "better words", edited_at: "2026-12-05T07:01:00.000Z" });
		const held = mergeMessages([message(1), message(2)], [edited]);
		expect(held[1]?.text).toBe("better words");
		expect(mergeMessages(held, [message(2)])).toBe(held);
		const again = message(2, { text: "best words", edited_at: "2026-12-05T07:02:00.000Z" });
		expect(mergeMessages(held, [again])[1]?.text).toBe("best words");
	});
	it("a deletion wins over any edit", () => {
		const gone = message(2, { text: "", deleted_at: "2026-12-05T07:01:00.000Z" });
		const held = mergeMessages([message(2)], [gone]);
		const lateEdit = message(2, { text: "late", edited_at: "2026-12-05T07:03:00.000Z" });
		expect(mergeMessages(held, [lateEdit])).toBe(held);
	});
});

describe("markDeleted and lastSeq", () => {
	it("turns a message into a tombstone once", () => {
		const held = [message(1), message(2)];
		const after = markDeleted(held, message(2).id, "2026-12-05T07:05:00.000Z");
		expect(after[1]).toMatchObject({ text: "", deleted_at: "2026-12-05T07:05:00.000Z", seq: 2 });
		expect(markDeleted(after, message(2).id, "2026-12-05T08:00:00.000Z")).toBe(after);
		expect(markDeleted(after, "unknown", "2026-12-05T08:00:00.000Z")).toBe(after);
	});
	it("resumes after the highest seq held, or 0", () => {
		expect(lastSeq([])).toBe(0);
		expect(lastSeq([message(7), message(3)])).toBe(7);
	});
});

describe("socketUrl", () => {
	it("opens the ticket's path on this origin as ws(s), resuming after a seq", () => {
		expect(socketUrl("/api/v1/orchard/conversations/x/ws?ticket=abc", "http://localhost:5173", 12)).toBe(
			"ws://localhost:5173/api/v1/orchard/conversations/x/ws?ticket=abc&since_seq=12",
		);
		expect(socketUrl("/ws?ticket=abc", "https://flourish.example", 0)).toBe(
			"wss://flourish.example/ws?ticket=abc&since_seq=0",
		);
		expect(socketUrl("/ws?ticket=abc", "https://flourish.example", undefined)).toBe(
			"wss://flourish.example/ws?ticket=abc",
		);
	});
});

describe("backoffDelay", () => {
	it("doubles from about a second, jittered in the upper half, and never passes 30 s", () => {
		expect(backoffDelay(0, 0)).toBe(500);
		expect(backoffDelay(0, 0.999)).toBeLessThanOrEqual(1_000);
		expect(backoffDelay(1, 0)).toBe(1_000);
		expect(backoffDelay(3, 1)).toBe(8_000);
		expect(backoffDelay(20, 1)).toBe(BACKOFF_MAX_MS);
		expect(backoffDelay(20, 0)).toBe(BACKOFF_MAX_MS / 2);
	});
	it("tolerates a strange random number or attempt", () => {
		expect(backoffDelay(-1, 5)).toBe(1_000);
		expect(backoffDelay(0, -5)).toBe(500);
	});
});

describe("closeAction", () => {
	it("stops when the right to chat ended, takes a fresh ticket at once when one was refused, else backs off", () => {
		expect(closeAction(4403)).toBe("stop");
		expect(closeAction(4401)).toBe("retry-now");
		expect(closeAction(4409)).toBe("retry-now");
		expect(closeAction(1006)).toBe("retry-later");
		expect(closeAction(1011)).toBe("retry-later");
	});
});

describe("nextSync", () => {
	const readState = { my_last_read_seq: 0, peer_last_read_seq: 0, last_seq: 450, unread_count: 0 };
	const ready = (has_more: boolean) =>
		({
			type: "ready",
			conversation_id: "c",
			user_id: ME,
			peer_id: PEER,
			replayed: 200,
			has_more,
			read_state: readState,
		}) as const;
	it("asks for the next chunk after the highest seq received while the server says there is more", () => {
		expect(nextSync(ready(true), 200)).toEqual({ type: "sync", since_seq: 200 });
		expect(nextSync({ type: "sync_done", replayed: 200, has_more: true }, 400)).toEqual({
			type: "sync",
			since_seq: 400,
		});
	});
	it("stops when the replay is complete, and ignores other frames", () => {
		expect(nextSync(ready(false), 200)).toBeUndefined();
		expect(nextSync({ type: "sync_done", replayed: 50, has_more: false }, 450)).toBeUndefined();
		expect(nextSync({ type: "pong" }, 450)).toBeUndefined();
	});
});

describe("parseFrame", () => {
	it("reads JSON frames with a type, and ignores anything else", () => {
		expect(parseFrame('{"type":"pong"}')).toEqual({ type: "pong" });
		expect(parseFrame("not json")).toBeUndefined();
		expect(parseFrame('{"no":"type"}')).toBeUndefined();
		expect(parseFrame("null")).toBeUndefined();
		expect(parseFrame(new ArrayBuffer(2))).toBeUndefined();
	});
});

describe("canEdit and typing", () => {
	const now = Date.parse("2026-12-05T07:10:00.000Z");
	it("only my own, live messages, within 15 minutes", () => {
		expect(canEdit(message(1, { sender_id: ME }), ME, now)).toBe(true);
		expect(canEdit(message(1), ME, now)).toBe(false);
		expect(canEdit(message(1, { sender_id: ME }), ME, now + 6 * 60_000)).toBe(false);
		expect(canEdit(message(1, { sender_id: ME, deleted_at: "2026-12-05T07:01:00.000Z" }), ME, now)).toBe(
			false,
		);
		expect(canEdit(message(1, { sender_id: ME, pending_review: true }), ME, now)).toBe(false);
	});
	it("tells the other person I am typing at most every 2.5 s", () => {
		expect(shouldSendTyping(undefined, now)).toBe(true);
		expect(shouldSendTyping(now - 1_000, now)).toBe(false);
		expect(shouldSendTyping(now - 2_500, now)).toBe(true);
	});
	it("says nothing while the link is live, and something calm otherwise", () => {
		expect(linkText("live", "Bo")).toBeNull();
		expect(linkText("offline", "Bo")).toMatch(/offline/);
		expect(linkText("closed", "Bo")).toBe("You can no longer message Bo here.");
	});
});

describe("chatReducer", () => {
	const at = Date.parse("2026-12-05T07:00:00.000Z");
	const frame = (f: Parameters<typeof chatReducer>[1] & { type: "frame" }) => f;

	it("reads a new message from the other person out once; a replayed copy changes nothing", () => {
		let state = chatReducer(emptyChat, { type: "history", messages: [message(1)], peerLastRead: 0 });
		state = chatReducer(
			state,
			frame({ type: "frame", frame: { type: "message", message: message(2) }, me: ME, now: at }),
		);
		expect(state.arrived?.seq).toBe(2);
		const again = chatReducer(
			state,
			frame({ type: "frame", frame: { type: "message", message: message(2) }, me: ME, now: at }),
		);
		expect(again).toBe(state);
		expect(again.messages.map((m) => m.seq)).toEqual([1, 2]);
	});

	it("my own messages (a send's answer, then its live copy) appear once and are not read out", () => {
		const mine = message(3, { sender_id: ME, client_message_id: "c1" });
		let state = chatReducer(emptyChat, { type: "sent", message: mine });
		state = chatReducer(
			state,
			frame({ type: "frame", frame: { type: "message", message: mine }, me: ME, now: at }),
		);
		expect(state.messages).toHaveLength(1);
		expect(state.arrived).toBeNull();
	});

	it("an edit by the other person shows, but is not read out as a new message", () => {
		let state = chatReducer(emptyChat, { type: "history", messages: [message(1)], peerLastRead: 0 });
		const edited = message(1, { text: "changed", edited_at: "2026-12-05T07:01:00.000Z" });
		state = chatReducer(
			state,
			frame({ type: "frame", frame: { type: "message_updated", message: edited }, me: ME, now: at }),
		);
		expect(state.messages[0]?.text).toBe("changed");
		expect(state.arrived).toBeNull();
	});

	it("typing comes and goes: a stop, a message, or six quiet seconds end it", () => {
		const typing = (active: boolean) =>
			frame({
				type: "frame",
				frame: { type: "typing", user_id: PEER, active, typing: active },
				me: ME,
				now: at,
			});
		let state = chatReducer(emptyChat, typing(true));
		expect(state.peerTypingSince).toBe(at);
		expect(chatReducer(state, typing(false)).peerTypingSince).toBeNull();
		expect(chatReducer(state, { type: "typing-stale", now: at + 1_000 })).toBe(state);
		expect(chatReducer(state, { type: "typing-stale", now: at + 6_000 }).peerTypingSince).toBeNull();
		state = chatReducer(
			state,
			frame({ type: "frame", frame: { type: "message", message: message(5) }, me: ME, now: at }),
		);
		expect(state.peerTypingSince).toBeNull();
	});

	it("keeps how far the other person has read, never backwards", () => {
		let state = chatReducer(
			emptyChat,
			frame({
				type: "frame",
				frame: { type: "read", user_id: PEER, last_read_seq: 4 },
				me: ME,
				now: at,
			}),
		);
		expect(state.peerLastRead).toBe(4);
		state = chatReducer(
			state,
			frame({
				type: "frame",
				frame: { type: "read", user_id: PEER, last_read_seq: 2 },
				me: ME,
				now: at,
			}),
		);
		expect(state.peerLastRead).toBe(4);
		// My own read receipts (another device of mine) are not theirs.
		expect(
			chatReducer(
				state,
				frame({ type: "frame", frame: { type: "read", user_id: ME, last_read_seq: 9 }, me: ME, now: at }),
			).peerLastRead,
		).toBe(4);
	});

	it("a deletion leaves a tombstone in place", () => {
		let state = chatReducer(emptyChat, {
			type: "history",
			messages: [message(1), message(2)],
			peerLastRead: 0,
		});
		state = chatReducer(
			state,
			frame({
				type: "frame",
				frame: { type: "message_deleted", id: message(1).id, seq: 1 },
				me: ME,
				now: at,
			}),
		);
		expect(state.messages.map((m) => [m.seq, m.text])).toEqual([
			[1, ""],
			[2, "message 2"],
		]);
	});
});
