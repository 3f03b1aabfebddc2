import { describe, expect, it } from "vitest";
import { addDays } from "../../lib/local-date";
import {
	dueReminder,
	nextReminder,
	nextReminderAt,
	type ReminderHabit,
	type ReminderZone,
	resolveLocalTime,
} from "./reminder-schedule";

// 2026 transitions: New York springs forward 03-08 02:00 EST → 03:00 EDT and falls back 11-01 02:00 EDT →
// 01:00 EST; Berlin 03-29 02:00 CET → 03:00 CEST and 10-25 03:00 CEST → 02:00 CET; Lord Howe (half-hour DST)
// 04-05 02:00 → 01:30 (+11 → +10:30) and 10-04 02:00 → 02:30. 2026-03-02 is a Monday.

const NEW_YORK: ReminderZone = { timeZone: "America/New_York", dayStartHour: 0 };
const BERLIN: ReminderZone = { timeZone: "Europe/Berlin", dayStartHour: 0 };
const LORD_HOWE: ReminderZone = { timeZone: "Australia/Lord_Howe", dayStartHour: 0 };
const KOLKATA: ReminderZone = { timeZone: "Asia/Kolkata", dayStartHour: 0 };

const habit = (overrides: Partial<ReminderHabit> = {}): ReminderHabit => ({
	frequency: "daily",
	weekdays: [],
	reminderTime: "07:30",
	reminderEnabled: true,
	startDate: "2026-01-01",
	...overrides,
});

const at = (iso: string) => new Date(iso);
const next = (h: ReminderHabit, zone: ReminderZone, after: string) => {
	const found = nextReminder(h, zone, at(after));
	return found && { at: found.at.toISOString(), localDate: found.localDate };
};

describe("nextReminder: ordinary days", () => {
	it("fires at the local time, strictly after the instant given", () => {
		expect(next(habit(), NEW_YORK, "2026-02-10T12:00:00Z")).toEqual({
			at: "2026-02-10T12:30:00.000Z",
			localDate: "2026-02-10",
		});
		// Exactly at the reminder: the next one is tomorrow's.
		expect(next(habit(), NEW_YORK, "2026-02-10T12:30:00.000Z")?.at).toBe("2026-02-11T12:30:00.000Z");
		expect(next(habit(), KOLKATA, "2026-02-10T00:00:00Z")?.at).toBe("2026-02-10T02:00:00.000Z");
	});

	it("has none when disabled, without a time, or a weekday habit without weekdays", () => {
		const after = at("2026-02-10T00:00:00Z");
		expect(nextReminderAt(habit({ reminderEnabled: false }), NEW_YORK, after)).toBeNull();
		expect(nextReminderAt(habit({ reminderTime: null }), NEW_YORK, after)).toBeNull();
		expect(nextReminderAt(habit({ frequency: "weekdays", weekdays: [] }), NEW_YORK, after)).toBeNull();
	});

	it("fires on a weekday habit's days only", () => {
		const mwf = habit({ frequency: "weekdays", weekdays: [1, 3, 5] });
		// Friday 2026-03-06 after its reminder → Monday 03-09 (EDT by then).
		expect(next(mwf, NEW_YORK, "2026-03-06T13:00:00Z")).toEqual({
			at: "2026-03-09T11:30:00.000Z",
			localDate: "2026-03-09",
		});
		expect(
			next(habit({ frequency: "weekdays", weekdays: [7] }), BERLIN, "2026-03-02T00:00:00Z")?.localDate,
		).toBe("2026-03-08");
	});

	it("fires every day for a times-per-week habit", () => {
		const weekly = habit({ frequency: "times_per_week" });
		expect(next(weekly, BERLIN, "2026-03-07T07:00:00Z")?.localDate).toBe("2026-03-08");
	});

	it("never before start_date", () => {
		const later = habit({ startDate: "2026-04-10" });
		expect(next(later, BERLIN, "2026-03-01T00:00:00Z")).toEqual({
			at: "2026-04-10T05:30:00.000Z",
			localDate: "2026-04-10",
		});
	});

	it("puts a time before the day starts on the next calendar date, for the garden day it closes", () => {
		const lateNight = habit({ reminderTime: "02:00" });
		const zone = { timeZone: "America/New_York", dayStartHour: 4 };
		// Friday 2026-05-01 08:00 EDT: Friday's reminder is Saturday 02:00 EDT, still Friday for the garden.
		expect(next(lateNight, zone, "2026-05-01T12:00:00Z")).toEqual({
			at: "2026-05-02T06:00:00.000Z",
			localDate: "2026-05-01",
		});
		// Friday only: the reminder of garden day Friday, on Saturday night.
		const fridays = habit({ reminderTime: "02:00", frequency: "weekdays", weekdays: [5] });
		expect(next(fridays, zone, "2026-05-02T07:00:00Z")).toEqual({
			at: "2026-05-09T06:00:00.000Z",
			localDate: "2026-05-08",
		});
	});
});

describe("nextReminder across DST, in two time zones", () => {
	it("keeps the local time when the offset changes (New York 03-08, Berlin 03-29)", () => {
		expect(next(habit(), NEW_YORK, "2026-03-07T13:00:00Z")?.at).toBe("2026-03-08T11:30:00.000Z");
		expect(next(habit(), NEW_YORK, "2026-03-06T13:00:00Z")?.at).toBe("2026-03-07T12:30:00.000Z");
		expect(next(habit(), BERLIN, "2026-03-28T07:00:00Z")?.at).toBe("2026-03-29T05:30:00.000Z");
		expect(next(habit(), BERLIN, "2026-03-27T07:00:00Z")?.at).toBe("2026-03-28T06:30:00.000Z");
		// Between the two changes New York is 5 h behind Berlin, not 6.
		expect(next(habit(), NEW_YORK, "2026-03-20T00:00:00Z")?.at).toBe("2026-03-20T11:30:00.000Z");
		expect(next(habit(), BERLIN, "2026-03-20T00:00:00Z")?.at).toBe("2026-03-20T06:30:00.000Z");
	});

	it("fires a time the clock skips at the first minute after the gap", () => {
		const h = habit({ reminderTime: "02:30" });
		// New York: 02:30 does not exist on 03-08; 03:00 EDT = 07:00Z. The next day it is 02:30 EDT again.
		expect(next(h, NEW_YORK, "2026-03-08T05:00:00Z")).toEqual({
			at: "2026-03-08T07:00:00.000Z",
			localDate: "2026-03-08",
		});
		expect(next(h, NEW_YORK, "2026-03-08T07:00:00Z")?.at).toBe("2026-03-09T06:30:00.000Z");
		// Berlin: 02:15 on 03-29 → 03:00 CEST = 01:00Z.
		expect(next(habit({ reminderTime: "02:15" }), BERLIN, "2026-03-28T12:00:00Z")?.at).toBe(
			"2026-03-29T01:00:00.000Z",
		);
		// Lord Howe skips half an hour: 02:15 on 10-04 → 02:30 (+11) = 15:30Z the day before.
		expect(next(habit({ reminderTime: "02:15" }), LORD_HOWE, "2026-10-03T00:00:00Z")?.at).toBe(
			"2026-10-03T15:30:00.000Z",
		);
	});

	it("fires a time the clock passes twice once, at its first occurrence", () => {
		const h = habit({ reminderTime: "01:30" });
		// New York 11-01: 01:30 EDT (05:30Z), then 01:30 EST (06:30Z) — only the first.
		expect(next(h, NEW_YORK, "2026-11-01T04:00:00Z")?.at).toBe("2026-11-01T05:30:00.000Z");
		expect(next(h, NEW_YORK, "2026-11-01T05:30:00.000Z")).toEqual({
			at: "2026-11-02T06:30:00.000Z",
			localDate: "2026-11-02",
		});
		// Berlin 10-25: 02:30 CEST (00:30Z), then 02:30 CET (01:30Z).
		const berlin = habit({ reminderTime: "02:30" });
		expect(next(berlin, BERLIN, "2026-10-24T12:00:00Z")?.at).toBe("2026-10-25T00:30:00.000Z");
		expect(next(berlin, BERLIN, "2026-10-25T00:30:00.000Z")?.at).toBe("2026-10-26T01:30:00.000Z");
		// Lord Howe 04-05: 01:45 at +11 (14:45Z), then at +10:30 (15:15Z).
		expect(next(habit({ reminderTime: "01:45" }), LORD_HOWE, "2026-04-04T12:00:00Z")?.at).toBe(
			"2026-04-04T14:45:00.000Z",
		);
		expect(next(habit({ reminderTime: "01:45" }), LORD_HOWE, "2026-04-04T14:45:00.000Z")?.localDate).toBe(
			"2026-04-06",
		);
	});

	it("resolves every minute-of-day of every 2026 day to that wall time, or the first one after a gap", () => {
		const zones = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago"];
		const times = [0, 30, 60, 90, 120, 135, 150, 180, 450, 1410];
		for (const timeZone of zones) {
			const wall = new Intl.DateTimeFormat("en-CA", {
				timeZone,
				year: "numeric",
				month: "2-digit",
				day: "2-digit",
				hour: "2-digit",
				minute: "2-digit",
				hourCycle: "h23",
			});
			const show = (t: number) => wall.format(t).replace(",", "");
			for (let date = "2026-01-01"; date < "2027-01-01"; date = addDays(date, 1)) {
				for (const minutes of times) {
					const t = resolveLocalTime(timeZone, date, minutes);
					const wanted = `${date} ${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
					const shown = show(t);
					if (shown !== wanted) {
						// Only in a gap: the wall time a minute earlier is before the wanted time (the clock jumped).
						expect(shown > wanted, `${timeZone} ${wanted} → ${shown}`).toBe(true);
						expect(show(t - 60_000) < wanted, `${timeZone} ${wanted}: not the first minute`).toBe(true);
					} else {
						// The first occurrence: an hour (or half) earlier does not show the same time.
						for (const earlier of [30, 60]) {
							expect(show(t - earlier * 60_000), `${timeZone} ${wanted}`).not.toBe(wanted);
						}
					}
				}
			}
		}
	});
});

describe("dueReminder: what a tick fires", () => {
	it("fires the due reminder and moves to the next one", () => {
		const { fire, next: following } = dueReminder(
			habit(),
			NEW_YORK,
			at("2026-02-10T12:30:00Z"),
			at("2026-02-10T12:30:20Z"),
		);
		expect(fire?.localDate).toBe("2026-02-10");
		expect(following?.at.toISOString()).toBe("2026-02-11T12:30:00.000Z");
	});

	it("after missed days fires the latest missed one, once", () => {
		const due = at("2026-02-07T12:30:00Z");
		const late = dueReminder(habit(), NEW_YORK, due, at("2026-02-10T13:00:00Z"));
		expect(late.fire?.localDate).toBe("2026-02-10");
		expect(late.next?.localDate).toBe("2026-02-11");
		const beforeToday = dueReminder(habit(), NEW_YORK, due, at("2026-02-10T09:00:00Z"));
		expect(beforeToday.fire?.localDate).toBe("2026-02-09");
		expect(beforeToday.next?.localDate).toBe("2026-02-10");
		// Weeks of missed ticks: still one.
		const weeks = dueReminder(habit(), NEW_YORK, at("2026-01-01T12:30:00Z"), at("2026-02-10T13:00:00Z"));
		expect(weeks.fire?.localDate).toBe("2026-02-10");
	});

	it("fires nothing when the schedule no longer has a reminder in the window", () => {
		const result = dueReminder(
			habit({ reminderEnabled: false }),
			NEW_YORK,
			at("2026-02-10T12:30:00Z"),
			at("2026-02-10T12:31:00Z"),
		);
		expect(result).toEqual({ fire: null, next: null });
	});
});
