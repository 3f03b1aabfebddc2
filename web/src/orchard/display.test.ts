import { describe, expect, it } from "vitest";
import { memberId, previewText, timeText, typingText, unreadBadge, unreadText } from "./display";

describe("unread counts", () => {
	it("say nothing for none, and count in words", () => {
		expect(unreadText(0)).toBe("");
		expect(unreadText(1)).toBe("1 unread message");
		expect(unreadText(4)).toBe("4 unread messages");
	});
	it("keep the badge small", () => {
		expect(unreadBadge(7)).toBe("7");
		expect(unreadBadge(120)).toBe("99+");
	});
});

describe("timeText", () => {
	const now = new Date("2026-12-05T15:00:00");
	it("is the hour today, and the day too before today", () => {
		expect(timeText("2026-12-05T09:05:00", now)).toMatch(/9.05/);
		expect(timeText("2026-12-05T09:05:00", now)).not.toMatch(/Dec/);
		expect(timeText("2026-12-01T09:05:00", now)).toMatch(/Dec|12/);
		expect(timeText("not a date", now)).toBe("");
	});
});

describe("previews, typing and member IDs", () => {
	it("never shows an empty preview", () => {
		expect(previewText("  ")).toBe("No messages yet");
		expect(previewText("hello")).toBe("hello");
	});
	it("names who is typing", () => {
		expect(typingText("Bo")).toBe("Bo is typing…");
	});
	it("accepts a pasted member ID and refuses anything else", () => {
		expect(memberId(' "0193A0B2-1C2D-7E3F-8A9B-0C1D2E3F4A5B" ')).toBe("0193a0b2-1c2d-7e3f-8a9b-0c1d2e3f4a5b");
		expect(memberId("bob")).toBeNull();
		expect(memberId("")).toBeNull();
	});
});
