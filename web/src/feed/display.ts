/**
 * @module feed/display: the feed's words and arithmetic. Pure: the unit tests read it without a browser.
 *
 * Reactions are changed on screen before the API answers (the tap paints at once); `withReaction` is that
 * change, and the API's answer then replaces it.
 */
import type { Schemas } from "../api/client";

type Post = Schemas["Post"];
type Comment = Schemas["Comment"];
export type ReactionType = keyof Schemas["ReactionCounts"];
export type FeedSort = "recent" | "top" | "for_you";

export const FEED_SORTS: { value: FeedSort; label: string }[] = [
	{ value: "recent", label: "Recent" },
	{ value: "top", label: "Top" },
	{ value: "for_you", label: "For you" },
];

export function feedSort(value: string | null): FeedSort {
	return FEED_SORTS.some((sort) => sort.value === value) ? (value as FeedSort) : "recent";
}

/** Words, not emoji: the same on every device and font, and read the same by a screen reader. */
export const REACTIONS: { type: ReactionType; label: string }[] = [
	{ type: "like", label: "Like" },
	{ type: "love", label: "Love" },
	{ type: "support", label: "Support" },
	{ type: "celebrate", label: "Celebrate" },
	{ type: "insightful", label: "Insightful" },
];

type Reactable = Pick<Post, "reaction_count" | "reactions" | "my_reaction">;

/** The counts after I set (or, with null, remove) my one reaction: another type replaces mine. */
export function withReaction<T extends Reactable>(item: T, next: ReactionType | null): T {
	const reactions = { ...item.reactions };
	let total = item.reaction_count;
	if (item.my_reaction) {
		reactions[item.my_reaction] = Math.max(0, reactions[item.my_reaction] - 1);
		total -= 1;
	}
	if (next) {
		reactions[next] += 1;
		total += 1;
	}
	return { ...item, reactions, reaction_count: Math.max(0, total), my_reaction: next };
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

export function commentCountText(count: number): string {
	return count === 0 ? "Comment" : `Comments (${count})`;
}

/** "just now", "5 minutes ago", "yesterday", then a date. */
export function relativeTime(iso: string, now: Date = new Date()): string {
	const then = new Date(iso);
	const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
	if (!Number.isFinite(seconds)) return "";
	if (seconds < 45) return "just now";
	const words = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
	const minutes = Math.round(seconds / 60);
	if (minutes < 60) return words.format(-minutes, "minute");
	const hours = Math.round(minutes / 60);
	if (hours < 24) return words.format(-hours, "hour");
	const days = Math.round(hours / 24);
	if (days < 7) return words.format(-days, "day");
	return new Intl.DateTimeFormat("en", {
		day: "numeric",
		month: "short",
		...(then.getFullYear() === now.getFullYear() ? {} : { year: "numeric" }),
	}).format(then);
}

/** A poll option's share of the voters, as a whole percentage (0 before anyone voted). */
export function pollPercent(votes: number | null, voters: number | null): number {
	if (!votes || !voters) return 0;
	return Math.round(Math.min(1, votes / voters) * 100);
}

export function pollStatusText(poll: NonNullable<Post["poll"]>, now: Date = new Date()): string {
	const voters = poll.voter_count === null ? "" : `${plural(poll.voter_count, "vote")} · `;
	if (poll.closed) return `${voters}Voting has closed`;
	const closes = new Date(poll.closes_at);
	const hours = Math.round((closes.getTime() - now.getTime()) / 3_600_000);
	const left =
		hours < 1
			? "less than an hour"
			: hours < 48
				? plural(hours, "hour")
				: plural(Math.round(hours / 24), "day");
	return `${voters}Open for ${left} more`;
}

/** "A 5-day streak" for a milestone (the API counts the streak in the habit's own unit; days are the norm). */
export function milestoneText(milestone: NonNullable<Post["milestone"]>): string {
	const habit = milestone.habit_name ?? "a habit";
	if (milestone.streak === null || milestone.streak <= 0) return `Milestone: ${habit}`;
	return `Milestone: ${habit} · a streak of ${milestone.streak}`;
}

export const TYPE_WORDS: Record<Post["type"], string> = {
	text: "shared a thought",
	image: "shared a photo",
	video: "shared a video",
	poll: "asked a question",
	milestone: "reached a milestone",
};

/** Up to two initials for an avatar without a picture. */
export function initials(name: string): string {
	const parts = name.trim().split(/\s+/).filter(Boolean);
	const letters = parts.length > 1 ? [parts[0], parts.at(-1)] : [parts[0]];
	return letters
		.map((part) => (part ? [...part][0] : ""))
		.join("")
		.toUpperCase();
}

/** What the author is told when moderation holds what they wrote. */
export const HELD_FOR_REVIEW =
	"Held for review: a guardian will look at this soon. Until then only you can see it.";

/** `comment` placed in a thread: under its parent, or at the end of the top level (comments are oldest first). */
export function placeComment(thread: Comment[], comment: Comment): Comment[] {
	if (comment.parent_id === null) return [...thread, comment];
	return thread.map((each) =>
		each.id === comment.parent_id
			? { ...each, replies: [...each.replies, comment] }
			: { ...each, replies: placeComment(each.replies, comment) },
	);
}
