import { describe, expect, it } from "vitest";
import {
	appealStateText,
	decisionsFor,
	isGuardian,
	joinWords,
	mlSignals,
	penaltyText,
	type QueueItem,
	snapshotText,
	whyText,
} from "./display";

const item = (overrides: Partial<QueueItem> = {}): QueueItem => ({
	id: "00000000-0000-4000-8000-000000000001",
	target_type: "post",
	target_id: "00000000-0000-4000-8000-000000000002",
	status: "open",
	source: "ml",
	score: 1,
	report_count: 0,
	is_hidden: true,
	is_urgent: false,
	ml: { toxicity: 0.93, labels: { threat: 0.95, insult: 0.6, profanity: 0.1 }, self_harm_risk: "none" },
	author: null,
	reports: [],
	decision: null,
	resolved_by: null,
	resolved_at: null,
	created_at: "2026-12-05T06:00:00.000Z",
	updated_at: "2026-12-05T06:00:00.000Z",
	...overrides,
});

describe("who sees the Guardians' pages", () => {
	it("is the API's role, nothing else", () => {
		expect(isGuardian({ role: "guardian" })).toBe(true);
		expect(isGuardian({ role: "guide" })).toBe(false);
		expect(isGuardian(undefined)).toBe(false);
	});
});

describe("why an item is in the queue", () => {
	it("names the automatic check's strongest signals and how likely", () => {
		expect(mlSignals(item().ml)).toEqual(["a threat", "an insult"]);
		expect(whyText(item())).toBe(
			"The automatic check held it for a person to look at: it may be a threat and an insult (93% likely to be hurtful).",
		);
	});
	it("counts reports and their reasons, once each", () => {
		const reporter = { id: "r", display_name: "R", trust_level: "new_sprout", role: "user" } as const;
		const report = (reason: QueueItem["reports"][number]["reason"]) => ({
			id: "x",
			reason,
			details: "",
			weight: 1,
			status: "open" as const,
			reporter,
			created_at: "",
			resolved_at: null,
		});
		const reported = item({
			source: "reports",
			ml: { toxicity: 0.1, labels: {}, self_harm_risk: "none" },
			report_count: 3,
			reports: [report("spam"), report("harassment"), report("spam")],
		});
		expect(whyText(reported)).toBe("3 people reported it for spam and harassment.");
	});
	it("puts a crisis first", () => {
		expect(whyText(item({ source: "crisis", is_urgent: true }))).toMatch(
			/^The words read as someone who may be in danger/,
		);
	});
});

describe("words", () => {
	it("joins lists as a sentence does", () => {
		expect(joinWords([])).toBe("");
		expect(joinWords(["a"])).toBe("a");
		expect(joinWords(["a", "b", "c"])).toBe("a, b and c");
	});
	it("reads a snapshot's text whatever its kind", () => {
		expect(snapshotText({ title: "Help", body: "Please", id: "x" })).toBe("Help\n\nPlease");
		expect(snapshotText({ id: "x" })).toMatch(/No text/);
	});
	it("offers warnings and suspensions only when there is an author", () => {
		expect(decisionsFor({ author: null }).map((each) => each.value)).toEqual(["dismiss", "remove_content"]);
		expect(
			decisionsFor({
				author: {
					id: "a",
					display_name: "A",
					role: "user",
					trust_level: "new_sprout",
					suspended_until: null,
				},
			}),
		).toHaveLength(4);
	});
	it("describes penalties and appeals calmly", () => {
		expect(penaltyText({ kind: "warning", duration: null, lifted_at: null })).toBe("A warning");
		expect(penaltyText({ kind: "suspension", duration: "72h", lifted_at: "x" })).toBe(
			"A suspension for 3 days (lifted)",
		);
		expect(appealStateText({ can_appeal: true, appeal: null, lifted_at: null })).toMatch(/can appeal/);
		expect(
			appealStateText({
				can_appeal: false,
				appeal: { id: "a", status: "overturned", decided_at: "" },
				lifted_at: "x",
			}),
		).toMatch(/accepted/);
	});
});
