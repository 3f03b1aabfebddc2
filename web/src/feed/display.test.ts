import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import {
	commentCountText,
	feedSort,
	initials,
	milestoneText,
	placeComment,
	pollPercent,
	pollStatusText,
	relativeTime,
	withReaction,
} from "./display";

const counts = { like: 0, love: 0, support: 0, celebrate: 0, insightful: 0 };

describe("withReaction", () => {
	const none = { reaction_count: 2, reactions: { ...counts, like: 2 }, my_reaction: null };
	it("adds mine", () => {
		expect(withReaction(none, "love")).toEqual({
			reaction_count: 3,
			reactions: { ...counts, like: 2, love: 1 },
			my_reaction: "love",
		});
	});
	it("replaces mine with another type: the total stays", () => {
		const mine = withReaction(none, "love");
		expect(withReaction(mine, "celebrate")).toEqual({
			reaction_count: 3,
			reactions: { ...counts, like: 2, celebrate: 1 },
			my_reaction: "celebrate",
		});
	});
	it("removes mine, never below zero", () => {
		expect(withReaction(withReaction(none, "like"), null)).toEqual(none);
		expect(withReaction({ reaction_count: 0, reactions: counts, my_reaction: "like" }, null)).toEqual({
			reaction_count: 0,
			reactions: counts,
			my_reaction: null,
		});
	});
});

describe("words", () => {
	it("reads an unknown order as recent", () => {
		expect(feedSort("top")).toBe("top");
		expect(feedSort("for_you")).toBe("for_you");
		expect(feedSort("oldest")).toBe("recent");
		expect(feedSort(null)).toBe("recent");
	});
	it("names comments", () => {
		expect(commentCountText(0)).toBe("Comment");
		expect(commentCountText(3)).toBe("Comments (3)");
	});
	it("says how long ago, then the date", () => {
		const now = new Date("2026-12-03T12:00:00Z");
		expect(relativeTime("2026-12-03T11:59:50Z", now)).toBe("just now");
		expect(relativeTime("2026-12-03T11:55:00Z", now)).toBe("5 minutes ago");
		expect(relativeTime("2026-12-03T09:00:00Z", now)).toBe("3 hours ago");
		expect(relativeTime("2026-12-02T12:00:00Z", now)).toBe("yesterday");
		expect(relativeTime("2026-11-01T12:00:00Z", now)).toBe("Nov 1");
		expect(relativeTime("2025-11-01T12:00:00Z", now)).toBe("Nov 1, 2025");
	});
	it("initials", () => {
		expect(initials("Maya")).toBe("M");
		expect(initials("  Ana María  de la Cruz ")).toBe("AC");
	});
	it("describes a milestone", () => {
		expect(milestoneText({ habit_id: null, habit_name: "Walk", streak: 5 })).toBe(
			"Milestone: Walk · a streak of 5",
		);
		expect(milestoneText({ habit_id: null, habit_name: null, streak: 0 })).toBe("Milestone: a habit");
	});
});

describe("polls", () => {
	const poll: NonNullable<Schemas["Post"]["poll"]> = {
		multiple_choice: false,
		closes_at: "2026-12-06T12:00:00Z",
		closed: false,
		results_visible: true,
		voter_count: 3,
		my_votes: [],
		options: [],
	};
	it("shares of the voters, whole percentages", () => {
		expect(pollPercent(1, 3)).toBe(33);
		expect(pollPercent(3, 3)).toBe(100);
		expect(pollPercent(null, 3)).toBe(0);
		expect(pollPercent(0, 0)).toBe(0);
	});
	it("says how long a poll stays open, and when it closed", () => {
		const now = new Date("2026-12-03T12:00:00Z");
		expect(pollStatusText(poll, now)).toBe("3 votes · Open for 3 days more");
		expect(pollStatusText({ ...poll, closes_at: "2026-12-04T12:00:00Z" }, now)).toBe(
			"3 votes · Open for 24 hours more",
		);
		expect(pollStatusText({ ...poll, voter_count: null, closes_at: "2026-12-03T12:20:00Z" }, now)).toBe(
			"Open for less than an hour more",
		);
		expect(pollStatusText({ ...poll, voter_count: 1, closed: true }, now)).toBe("1 vote · Voting has closed");
	});
});

describe("placeComment", () => {
	const comment = (
		id: string,
		parent: string | null,
		replies: Schemas["Comment"][] = [],
	): Schemas["Comment"] => ({
		id,
		post_id: "p",
		parent_id: parent,
		depth: 0,
		body: id,
		removed: false,
		author: null,
		pending_review: false,
		reaction_count: 0,
		reactions: counts,
		my_reaction: null,
		created_at: "2026-12-03T12:00:00Z",
		replies,
	});
	it("puts a top-level comment last (oldest first) and a reply under its parent, however deep", () => {
		const thread = [comment("a", null, [comment("a1", "a")]), comment("b", null)];
		const withReply = placeComment(thread, comment("a1x", "a1"));
		expect(withReply[0]?.replies[0]?.replies.map((each) => each.id)).toEqual(["a1x"]);
		expect(placeComment(thread, comment("c", null)).map((each) => each.id)).toEqual(["a", "b", "c"]);
		expect(thread[0]?.replies[0]?.replies).toEqual([]);
	});
});
