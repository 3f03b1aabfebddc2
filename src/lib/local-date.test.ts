import { describe, expect, it } from "vitest";
import {
	addDays,
	compareDates,
	daysBetween,
	isoWeekday,
	isoWeekStart,
	isValidDate,
	isValidTimeZone,
	localToday,
} from "./local-date";

describe("isValidTimeZone", () => {
	it("accepts IANA names at the edges of the offset range and UTC", () => {
		for (const tz of ["Pacific/Kiritimati", "Pacific/Tongatapu", "America/Adak", "Pacific/Honolulu", "UTC"]) {
			expect(isValidTimeZone(tz), tz).toBe(true);
		}
		expect(isValidTimeZone("Asia/Kathmandu")).toBe(true);
	});

	it("rejects empty, unknown and raw-offset zones", () => {
		for (const tz of ["", "Mars/Base", "+05:00", "-10:00", "Not a zone", " UTC"]) {
			expect(isValidTimeZone(tz), JSON.stringify(tz)).toBe(false);
		}
	});
});

describe("localToday", () => {
	// 2026-01-15 12:00 UTC: already 01:00/02:00 on the 16th across the date line, 02:00 on the 15th in Hawaii.
	const instant: Date = new Date("2026-01-15T12:00:00Z");

	it("gives users at UTC+13/+14 and UTC−10 different dates at the same instant", () => {
		expect(localToday("Pacific/Tongatapu", 0, instant)).toBe("2026-01-16");
		expect(localToday("Pacific/Kiritimati", 0, instant)).toBe("2026-01-16");
		expect(localToday("Pacific/Honolulu", 0, instant)).toBe("2026-01-15");
		expect(localToday("UTC", 0, instant)).toBe("2026-01-15");
	});

	it("keeps the previous date before dayStartHour (03:30 local) and switches at it (04:00 local)", () => {
		// Asia/Kolkata is UTC+05:30, so local 03:30 is 22:00 UTC the evening before.
		expect(localToday("Asia/Kolkata", 4, new Date("2026-05-09T22:00:00Z"))).toBe("2026-05-09");
		expect(localToday("Asia/Kolkata", 4, new Date("2026-05-09T22:30:00Z"))).toBe("2026-05-10");
		expect(localToday("Asia/Kolkata", 0, new Date("2026-05-09T22:00:00Z"))).toBe("2026-05-10");
	});

	it("treats local midnight as the new day when dayStartHour is 0", () => {
		expect(localToday("America/Adak", 0, new Date("2026-01-15T10:00:00Z"))).toBe("2026-01-15");
		expect(localToday("America/Adak", 0, new Date("2026-01-15T09:59:59Z"))).toBe("2026-01-14");
	});

	it("follows Europe/London into summer time on the last Sunday of March", () => {
		// 2026-03-29 01:00 UTC: clocks jump 01:00 GMT → 02:00 BST.
		expect(localToday("Europe/London", 4, new Date("2026-03-29T02:30:00Z"))).toBe("2026-03-28"); // 03:30 BST
		// 03:00 UTC is 04:00 BST: a GMT-only computation would still say 03:00 and return the 28th.
		expect(localToday("Europe/London", 4, new Date("2026-03-29T03:00:00Z"))).toBe("2026-03-29");
		expect(localToday("Europe/London", 1, new Date("2026-03-29T00:59:00Z"))).toBe("2026-03-28"); // 00:59 GMT
		expect(localToday("Europe/London", 1, new Date("2026-03-29T01:00:00Z"))).toBe("2026-03-29"); // 02:00 BST
	});

	it("follows Europe/London back to GMT in October", () => {
		// 2026-10-25 01:00 UTC: clocks fall back 02:00 BST → 01:00 GMT.
		expect(localToday("Europe/London", 2, new Date("2026-10-25T00:30:00Z"))).toBe("2026-10-24"); // 01:30 BST
		expect(localToday("Europe/London", 2, new Date("2026-10-25T01:30:00Z"))).toBe("2026-10-24"); // 01:30 GMT
		expect(localToday("Europe/London", 2, new Date("2026-10-25T02:00:00Z"))).toBe("2026-10-25"); // 02:00 GMT
	});

	it("rolls back across a month and year boundary before dayStartHour", () => {
		expect(localToday("UTC", 4, new Date("2027-01-01T03:59:00Z"))).toBe("2026-12-31");
		expect(localToday("UTC", 23, new Date("2024-03-01T22:00:00Z"))).toBe("2024-02-29");
	});

	it("rejects an invalid zone or day-start hour instead of guessing", () => {
		expect(() => localToday("Mars/Base", 0, instant)).toThrow(RangeError);
		expect(() => localToday("+05:00", 0, instant)).toThrow(RangeError);
		expect(() => localToday("UTC", 24, instant)).toThrow(RangeError);
		expect(() => localToday("UTC", -1, instant)).toThrow(RangeError);
		expect(() => localToday("UTC", 1.5, instant)).toThrow(RangeError);
	});
});

describe("isValidDate", () => {
	it("accepts real days including leap days", () => {
		for (const d of ["2026-01-01", "2026-12-31", "2024-02-29", "2000-02-29", "2026-02-28"]) {
			expect(isValidDate(d), d).toBe(true);
		}
	});

	it("rejects days that do not exist and non-strict formats", () => {
		for (const d of [
			"2026-02-30",
			"2026-02-29",
			"1900-02-29",
			"2026-04-31",
			"2026-13-01",
			"2026-00-10",
			"2026-01-00",
			"2026-1-01",
			"2026-01-01T00:00",
			" 2026-01-01",
			"",
		]) {
			expect(isValidDate(d), JSON.stringify(d)).toBe(false);
		}
	});
});

describe("date arithmetic", () => {
	it("addDays crosses month, year and leap boundaries", () => {
		expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
		expect(addDays("2025-02-28", 1)).toBe("2025-03-01");
		expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
		expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
		expect(addDays("2026-01-15", 0)).toBe("2026-01-15");
		expect(addDays("2026-01-01", 365)).toBe("2027-01-01");
	});

	it("addDays counts whole calendar days across a DST change (no 23/25-hour days)", () => {
		expect(addDays("2026-03-28", 1)).toBe("2026-03-29");
		expect(addDays("2026-03-28", 2)).toBe("2026-03-30");
		expect(addDays("2026-10-26", -1)).toBe("2026-10-25");
	});

	it("daysBetween is b − a and knows leap years", () => {
		expect(daysBetween("2026-01-01", "2027-01-01")).toBe(365);
		expect(daysBetween("2024-01-01", "2025-01-01")).toBe(366);
		expect(daysBetween("2026-03-10", "2026-03-01")).toBe(-9);
		expect(daysBetween("2026-03-29", "2026-03-30")).toBe(1);
	});

	it("isoWeekday numbers Monday 1 … Sunday 7", () => {
		expect(isoWeekday("2026-01-05")).toBe(1); // Monday
		expect(isoWeekday("2026-01-01")).toBe(4); // Thursday
		expect(isoWeekday("2026-01-04")).toBe(7); // Sunday
		expect(isoWeekday("1969-12-31")).toBe(3); // before the epoch: Wednesday
	});

	it("isoWeekStart returns the Monday, even across a year boundary", () => {
		expect(isoWeekStart("2026-01-01")).toBe("2025-12-29");
		expect(isoWeekStart("2026-01-04")).toBe("2025-12-29");
		expect(isoWeekStart("2026-01-05")).toBe("2026-01-05");
	});

	it("compareDates orders dates and sorts a list", () => {
		expect(compareDates("2026-01-01", "2026-01-02")).toBe(-1);
		expect(compareDates("2026-01-02", "2026-01-01")).toBe(1);
		expect(compareDates("2026-01-01", "2026-01-01")).toBe(0);
		expect(["2026-03-01", "2025-12-31", "2026-01-15"].sort(compareDates)).toEqual([
			"2025-12-31",
			"2026-01-15",
			"2026-03-01",
		]);
	});

	it("throws RangeError on malformed or impossible dates rather than rolling them over", () => {
		expect(() => addDays("2026-02-30", 1)).toThrow(RangeError);
		expect(() => daysBetween("2026-01-01", "2026/01/02")).toThrow(RangeError);
		expect(() => isoWeekday("")).toThrow(RangeError);
		expect(() => compareDates("2026-01-01", "nope")).toThrow(RangeError);
		expect(() => addDays("2026-01-01", 0.5)).toThrow(RangeError);
	});
});
