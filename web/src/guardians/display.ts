/**
 * @module guardians/display: the Guardians' pages in calm words — what was flagged and why, the decisions the
 * API offers, penalties and appeals. No React, no browser: tested in Node (display.test.ts).
 */
import type { Schemas } from "../api/client";

export type QueueItem = Schemas["QueueItem"];
export type QueueItemDetail = Schemas["QueueItemDetail"];
export type QueueDecision = Schemas["QueueDecision"];
export type Decision = QueueDecision["decision"];
export type SuspensionDuration = NonNullable<QueueDecision["duration"]>;
export type ReviewableAppeal = Schemas["ReviewableAppeal"];
export type Penalty = Schemas["Penalty"];
export type MyProfile = Schemas["MyProfile"];

/** Who sees the Guardians' pages: the role the API says the person has (never read from the token). */
export const isGuardian = (me: Pick<MyProfile, "role"> | undefined): boolean => me?.role === "guardian";

const TARGETS: Record<QueueItem["target_type"], string> = {
	post: "A post",
	comment: "A comment",
	sunlight_share: "A Sunlight share",
	support_request: "An anonymous support request",
	support_response: "A response to a support request",
	project_discussion: "A project discussion message",
	chat_message: "A chat message",
	fellowship_group: "A fellowship group",
	group_event: "A group event",
	project: "A project",
	user: "A person's profile",
};
export const targetText = (type: QueueItem["target_type"]): string => TARGETS[type] ?? "Some content";

const REASONS: Record<QueueItem["reports"][number]["reason"], string> = {
	spam: "spam",
	harassment: "harassment",
	hate_speech: "hate speech",
	self_harm: "worry about self-harm",
	violence: "violence",
	sexual_content: "sexual content",
	misinformation: "misinformation",
	privacy: "privacy",
	other: "something else",
};
export const reasonText = (reason: QueueItem["reports"][number]["reason"]): string =>
	REASONS[reason] ?? reason;

const LABELS: Record<string, string> = {
	insult: "an insult",
	threat: "a threat",
	profanity: "strong language",
	identity_attack: "an attack on who someone is",
	sexual: "sexual content",
	self_harm: "self-harm",
};

/** The automatic check's strongest signals (≥ 50%), strongest first, in words. */
export function mlSignals(ml: QueueItem["ml"]): string[] {
	return Object.entries(ml.labels)
		.filter(([, score]) => score >= 0.5)
		.sort(([, a], [, b]) => b - a)
		.map(([label]) => LABELS[label] ?? label.replaceAll("_", " "));
}

/** Why an item is in the queue, in one or two calm sentences. */
export function whyText(
	item: Pick<QueueItem, "source" | "ml" | "reports" | "report_count" | "is_urgent">,
): string {
	const parts: string[] = [];
	if (item.is_urgent || item.source === "crisis") {
		parts.push("The words read as someone who may be in danger: please look at this first.");
	}
	if (item.source === "ml" || (item.ml.toxicity !== null && item.ml.toxicity >= 0.7)) {
		const signals = mlSignals(item.ml);
		const percent = item.ml.toxicity === null ? null : Math.round(item.ml.toxicity * 100);
		parts.push(
			`The automatic check held it for a person to look at${signals.length ? `: it may be ${joinWords(signals)}` : ""}${percent === null ? "" : ` (${percent}% likely to be hurtful)`}.`,
		);
	}
	if (item.report_count > 0) {
		const reasons = [...new Set(item.reports.map((report) => reasonText(report.reason)))];
		parts.push(
			`${item.report_count === 1 ? "One person" : `${item.report_count} people`} reported it${reasons.length ? ` for ${joinWords(reasons)}` : ""}.`,
		);
	}
	return parts.join(" ") || "It was raised for review.";
}

/** "a", "a and b", "a, b and c". */
export function joinWords(words: string[]): string {
	if (words.length <= 1) return words.join("");
	return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/** The text of a snapshot (title, body, name…), whatever kind of content it was. */
export function snapshotText(snapshot: Record<string, unknown>): string {
	const fields = ["title", "name", "body", "description", "text", "caption", "bio"];
	const texts = fields
		.map((field) => snapshot[field])
		.filter((value): value is string => typeof value === "string" && value.trim().length > 0);
	return texts.join("\n\n") || "(No text: open the content to see it.)";
}

export const DECISIONS: { value: Decision; label: string; hint: string; needsAuthor: boolean }[] = [
	{
		value: "dismiss",
		label: "Keep it up",
		hint: "Nothing wrong: hidden content is shown again and the reports are closed.",
		needsAuthor: false,
	},
	{
		value: "remove_content",
		label: "Remove it",
		hint: "Nobody but guardians sees it again.",
		needsAuthor: false,
	},
	{
		value: "warn",
		label: "Remove it and warn the author",
		hint: "The author is told why and can appeal.",
		needsAuthor: true,
	},
	{
		value: "suspend",
		label: "Remove it and suspend the author",
		hint: "The author cannot post for a while and can appeal.",
		needsAuthor: true,
	},
];

export const DURATIONS: { value: SuspensionDuration; label: string }[] = [
	{ value: "24h", label: "24 hours" },
	{ value: "72h", label: "3 days" },
	{ value: "7d", label: "7 days" },
	{ value: "30d", label: "30 days" },
	{ value: "permanent", label: "Permanently" },
];

/** The decisions that apply to an item: no warning or suspension without an author (anonymous support). */
export const decisionsFor = (item: Pick<QueueItem, "author">) =>
	DECISIONS.filter((each) => !each.needsAuthor || item.author !== null);

export const decisionText = (decision: Decision | null): string =>
	decision === null
		? "Not decided yet"
		: (DECISIONS.find((each) => each.value === decision)?.label ?? decision);

const durationText = (duration: SuspensionDuration | null) =>
	DURATIONS.find((each) => each.value === duration)?.label.toLowerCase() ?? "";

/** A penalty, as its person reads it. */
export function penaltyText(penalty: Pick<Penalty, "kind" | "duration" | "lifted_at">): string {
	const what =
		penalty.kind === "warning"
			? "A warning"
			: penalty.duration === "permanent"
				? "A permanent suspension"
				: `A suspension for ${durationText(penalty.duration)}`;
	return penalty.lifted_at ? `${what} (lifted)` : what;
}

/** Where a penalty's appeal stands, for its person. */
export function appealStateText(penalty: Pick<Penalty, "can_appeal" | "appeal" | "lifted_at">): string {
	if (penalty.appeal?.status === "pending") return "Your appeal is waiting for a guardian.";
	if (penalty.appeal?.status === "overturned") return "Your appeal was accepted: the penalty is lifted.";
	if (penalty.appeal?.status === "upheld") return "Your appeal was read, and the decision stands.";
	if (penalty.lifted_at) return "This penalty has been lifted.";
	return penalty.can_appeal
		? "You can appeal if you think this was a mistake."
		: "The time to appeal has passed.";
}
