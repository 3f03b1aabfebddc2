import { describe, expect, it } from "vitest";
import { arrivalAnnouncement, badgeText, bellLabel, unreadSummary, whenText } from "./display";

describe("the bell's words", () => {
	it("names the unread count, and says nothing of it at zero", () => {
		expect(bellLabel(3)).toBe("Notifications, 3 unread");
		expect(bellLabel(1)).toBe("Notifications, 1 unread");
		expect(bellLabel(0)).toBe("Notifications");
		expect(bellLabel(undefined)).toBe("Notifications");
	});

	it("keeps the badge small", () => {
		expect(badgeText(0)).toBe("");
		expect(badgeText(7)).toBe("7");
		expect(badgeText(99)).toBe("99");
		expect(badgeText(100)).toBe("99+");
	});

	it("announces arrivals only, never the first count nor a fall", () => {
		expect(arrivalAnnouncement(undefined, 4)).toBe("");
		expect(arrivalAnnouncement(2, 3)).toBe("1 new notification.");
		expect(arrivalAnnouncement(0, 2)).toBe("2 new notifications.");
		expect(arrivalAnnouncement(3, 1)).toBe("");
		expect(arrivalAnnouncement(3, 3)).toBe("");
	});
});

describe("the page's words", () => {
	it("sums up the unread count calmly", () => {
		expect(unreadSummary(0)).toBe("You're all caught up.");
		expect(unreadSummary(1)).toBe("1 unread notification.");
		expect(unreadSummary(12)).toBe("12 unread notifications.");
	});

	it("says when, relative to now", () => {
		const now = new Date("2026-12-05T12:00:00.000Z");
		expect(whenText("2026-12-05T11:59:30.000Z", now)).toBe("just now");
		expect(whenText("2026-12-05T11:55:00.000Z", now)).toBe("5 minutes ago");
		expect(whenText("2026-12-05T09:00:00.000Z", now)).toBe("3 hours ago");
		expect(whenText("2026-12-04T11:00:00.000Z", now)).toBe("yesterday");
		expect(whenText("2026-11-20T12:00:00.000Z", now)).toBe("2 weeks ago");
		expect(whenText("not a date", now)).toBe("");
	});
});
