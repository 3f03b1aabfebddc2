import { describe, expect, it } from "vitest";
import {
	eventWhen,
	frameConcernsEvent,
	groupTypeLabel,
	memberCountText,
	membershipState,
	placesText,
	rsvpSentence,
} from "./display";

describe("membershipState", () => {
	it("offers to join a public group at once and to ask for a private one", () => {
		expect(membershipState({ my_membership: null, visibility: "public" })).toMatchObject({
			action: "Join group",
			member: false,
		});
		expect(membershipState({ my_membership: null, visibility: "private" })).toMatchObject({
			action: "Ask to join",
			status: "An owner or moderator approves each request.",
		});
	});
	it("says where I stand once I have a membership", () => {
		expect(
			membershipState({ my_membership: { role: "member", status: "active" }, visibility: "public" }),
		).toEqual({ action: null, status: "You are a member.", member: true });
		expect(
			membershipState({ my_membership: { role: "owner", status: "active" }, visibility: "private" }).status,
		).toBe("You look after this group.");
		expect(
			membershipState({ my_membership: { role: "member", status: "pending" }, visibility: "private" }).status,
		).toBe("Your request to join is waiting for approval.");
		expect(
			membershipState({ my_membership: { role: "member", status: "invited" }, visibility: "secret" }).action,
		).toBe("Accept invitation");
		expect(
			membershipState({ my_membership: { role: "member", status: "banned" }, visibility: "public" }),
		).toMatchObject({ action: null, member: false });
	});
});

describe("rsvpSentence", () => {
	it("names each answer, and my place on the waitlist", () => {
		expect(rsvpSentence(null)).toBe("You haven't answered yet.");
		expect(rsvpSentence({ status: "going", waitlist_position: null })).toBe("You are going.");
		expect(rsvpSentence({ status: "maybe", waitlist_position: null })).toBe("You might go.");
		expect(rsvpSentence({ status: "not_going", waitlist_position: null })).toBe("You are not going.");
		expect(rsvpSentence({ status: "waitlisted", waitlist_position: 1 })).toBe(
			"You are number 1 on the waitlist.",
		);
		expect(rsvpSentence({ status: "waitlisted", waitlist_position: null })).toBe("You are on the waitlist.");
	});
});

describe("placesText", () => {
	const counts = { going: 1, maybe: 0, waitlisted: 0, capacity: 1, spots_left: 0 };
	it("says full, and how many wait", () => {
		expect(placesText(counts)).toBe("1 going · full");
		expect(placesText({ ...counts, waitlisted: 2 })).toBe("1 going · full, 2 waiting");
	});
	it("counts the places left, or says there is no limit", () => {
		expect(placesText({ ...counts, capacity: 5, spots_left: 4 })).toBe("1 going · 4 of 5 places left");
		expect(placesText({ ...counts, going: 0, spots_left: 1 })).toBe("0 going · 1 of 1 place left");
		expect(placesText({ ...counts, capacity: null, spots_left: null })).toBe("1 going · no limit on places");
	});
});

describe("eventWhen", () => {
	it("shows the event's own day and times, naming its zone", () => {
		expect(eventWhen("2026-12-12T18:00:00.000Z", "2026-12-12T19:30:00.000Z", "Europe/London", "en-GB")).toBe(
			"Saturday 12 December, 18:00 – 19:30 (Europe/London)",
		);
		expect(
			eventWhen("2026-12-12T18:00:00.000Z", "2026-12-12T19:30:00.000Z", "America/New_York", "en-GB"),
		).toBe("Saturday 12 December, 13:00 – 14:30 (America/New York)");
	});
	it("names both days when it runs past midnight, and falls back to UTC for an unknown zone", () => {
		expect(eventWhen("2026-12-12T22:00:00.000Z", "2026-12-13T01:00:00.000Z", "Nowhere/Else", "en-GB")).toBe(
			"Saturday 12 December, 22:00 – Sunday 13 December, 01:00 (UTC)",
		);
	});
});

describe("frameConcernsEvent", () => {
	const about = (id: string) =>
		JSON.stringify({
			type: "notification",
			notification: { id: "n", type: "waitlist_promoted", subject: { type: "event", id } },
		});
	it("matches a notification about this event only", () => {
		expect(frameConcernsEvent(about("e1"), "e1")).toBe(true);
		expect(frameConcernsEvent(about("e2"), "e1")).toBe(false);
		expect(frameConcernsEvent(JSON.stringify({ type: "unread_count", count: 1 }), "e1")).toBe(false);
		expect(frameConcernsEvent("not json", "e1")).toBe(false);
		expect(frameConcernsEvent(new ArrayBuffer(2), "e1")).toBe(false);
	});
});

it("labels group types and member counts", () => {
	expect(groupTypeLabel("interest")).toBe("Shared interest");
	expect(memberCountText(1)).toBe("1 member");
	expect(memberCountText(3)).toBe("3 members");
});
