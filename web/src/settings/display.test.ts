import { describe, expect, it } from "vitest";
import {
	CONFIRM_WORD,
	confirmsDeletion,
	dayStartSentence,
	exportFileName,
	hourLabel,
	NOTIFICATION_LABELS,
	notificationTypes,
	quietHoursProblem,
	quietHoursSentence,
	timeZoneChoices,
	timeZoneLabel,
} from "./display";

describe("notification labels", () => {
	it("names every kind, each differently", () => {
		const labels = Object.values(NOTIFICATION_LABELS);
		expect(notificationTypes()).toHaveLength(21);
		expect(new Set(labels).size).toBe(labels.length);
		expect(NOTIFICATION_LABELS.waitlist_promoted).toBe("A place opened up for me at an event");
	});
});

describe("the day's start", () => {
	it("reads as a clock time and a sentence", () => {
		expect(hourLabel(0)).toBe("00:00");
		expect(hourLabel(4)).toBe("04:00");
		expect(hourLabel(23)).toBe("23:00");
		expect(dayStartSentence(0)).toBe("Your day turns over at midnight.");
		expect(dayStartSentence(4)).toMatch(/^Until 04:00, you are still logging the day before/);
	});
});

describe("timeZoneChoices", () => {
	it("keeps the current zone and UTC even when the browser does not list them, sorted, once each", () => {
		expect(timeZoneChoices("Etc/GMT+5", ["Europe/London", "America/New_York", "Europe/London"])).toEqual([
			"America/New_York",
			"Etc/GMT+5",
			"Europe/London",
			"UTC",
		]);
		expect(timeZoneChoices("UTC", [])).toEqual(["UTC"]);
		expect(timeZoneLabel("America/New_York")).toBe("America/New York");
	});
});

it("names the export by the day", () => {
	expect(exportFileName(new Date("2026-12-05T23:30:00Z"))).toBe("flourish-export-2026-12-05.json");
});

it("confirms deletion only with the word itself", () => {
	expect(CONFIRM_WORD).toBe("delete");
	expect(confirmsDeletion(" Delete ")).toBe(true);
	expect(confirmsDeletion("delet")).toBe(false);
	expect(confirmsDeletion("")).toBe(false);
	expect(confirmsDeletion("yes")).toBe(false);
});

describe("quiet hours", () => {
	it("says what they do, overnight too", () => {
		expect(quietHoursSentence(null)).toBe("Pushes can reach you at any hour.");
		expect(quietHoursSentence({ start: "22:00", end: "07:00" })).toBe(
			"Nothing is pushed from 22:00 to 07:00 (overnight), except guardian alerts. Everything still waits in your notifications.",
		);
		expect(quietHoursSentence({ start: "13:00", end: "14:00" })).toMatch(
			/^Nothing is pushed from 13:00 to 14:00, except/,
		);
	});
	it("refuses empty or equal times", () => {
		expect(quietHoursProblem("22:00", "07:00")).toBeNull();
		expect(quietHoursProblem("", "07:00")).toBe("Choose a start and an end time.");
		expect(quietHoursProblem("07:00", "07:00")).toBe("The start and end of quiet hours must differ.");
	});
});
