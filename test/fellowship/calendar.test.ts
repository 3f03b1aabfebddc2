/**
 * Calendar export (RFC 5545): the writer folds at 75 octets and escapes TEXT as the RFC's examples do; one
 * event's `.ics` follows the event's own visibility; my feed opens with a bearer token or with my private
 * calendar token in the URL, which a rotation revokes at once, which opens nothing else, which a suspended
 * or deleted account loses, which is stored only as a hash and never logged. Every answer is parsed back
 * (unfolded, unescaped) and its fields checked; event text cannot inject iCalendar lines.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { escapeText, foldLine, icsCalendar, icsDateTime } from "../../src/lib/ical";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { createEvent, createGroup, inHours, invite, join, organiser, rsvp } from "./helpers";

const EVENTS = "/api/v1/fellowship/events";
const FEED = "/api/v1/users/me/events.ics";
const ROTATE = "/api/v1/users/me/calendar-token";

afterEach(() => vi.restoreAllMocks());

// ─── a small iCalendar reader, independent of the writer ─────────────────────────────────────────

interface Property {
	name: string;
	params: string;
	value: string;
}
interface Parsed {
	lines: string[];
	calendar: Property[];
	events: Property[][];
}

/** Unfolds (RFC 5545 §3.1: CRLF followed by one space or tab) and splits into content lines. */
function unfold(text: string): string[] {
	expect(text.endsWith("\r\n")).toBe(true);
	// Every line break is CRLF: no bare CR or LF anywhere.
	expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
	return text
		.replace(/\r\n[ \t]/g, "")
		.split("\r\n")
		.slice(0, -1);
}

function parseIcs(text: string): Parsed {
	const lines = unfold(text);
	const calendar: Property[] = [];
	const events: Property[][] = [];
	let current: Property[] | undefined;
	for (const line of lines) {
		const match = line.match(/^([A-Z0-9-]+)((?:;[^:]*)?):(.*)$/);
		if (!match) throw new Error(`not a content line: ${line}`);
		const [, name = "", params = "", value = ""] = match;
		if (name === "BEGIN" && value === "VEVENT") current = [];
		else if (name === "END" && value === "VEVENT") {
			if (current) events.push(current);
			current = undefined;
		} else (current ?? calendar).push({ name, params, value });
	}
	expect(lines[0]).toBe("BEGIN:VCALENDAR");
	expect(lines.at(-1)).toBe("END:VCALENDAR");
	return { lines, calendar, events };
}

/** TEXT unescaped (§3.3.11). */
const unescapeText = (value: string) =>
	value.replace(/\\([\\;,nN])/g, (_all, ch: string) => (/n/i.test(ch) ? "\n" : ch));

const prop = (event: Property[], name: string) => event.find((p) => p.name === name)?.value;
const text = (event: Property[], name: string) => {
	const value = prop(event, name);
	return value === undefined ? undefined : unescapeText(value);
};
/** `20261201T180000Z` → ISO. */
const instant = (value: string | undefined) =>
	value?.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6.000Z");
const octets = (line: string) => new TextEncoder().encode(line).length;

async function calendarText(response: Response): Promise<string> {
	const body = await response.text();
	if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${body}`);
	expect(response.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
	expect(response.headers.get("cache-control")).toBe("private, no-store");
	return body;
}

// ─── the writer against RFC 5545 ─────────────────────────────────────────────────────────────────

describe("the iCalendar writer", () => {
	it("escapes TEXT as RFC 5545 §3.3.11 does (its example, and every special character)", () => {
		// The RFC's example value: "Project XYZ Final Review\nConference Room - 3B\nCome Prepared."
		expect(escapeText("Project XYZ Final Review\nConference Room - 3B\nCome Prepared.")).toBe(
			"Project XYZ Final Review\\nConference Room - 3B\\nCome Prepared.",
		);
		expect(escapeText("a,b;c\\d")).toBe("a\\,b\\;c\\\\d");
		expect(escapeText("one\r\ntwo\rthree\nfour")).toBe("one\\ntwo\\nthree\\nfour");
		// Controls TEXT may not hold are dropped; HTAB stays.
		expect(escapeText("bell\u0007 nul\u0000 tab\t del\u007f")).toBe("bell nul tab\t del");
	});

	it("folds lines at 75 octets with a leading space, never inside a UTF-8 character (§3.1)", () => {
		// The RFC's own example unfolds to one line.
		const rfc = "DESCRIPTION:This is a lo\r\n ng description\r\n  that exists on a long line.";
		expect(rfc.replace(/\r\n[ \t]/g, "")).toBe(
			"DESCRIPTION:This is a long description that exists on a long line.",
		);

		const short = `SUMMARY:${"x".repeat(67)}`; // exactly 75 octets
		expect(foldLine(short)).toBe(short);
		const long = `DESCRIPTION:${"abcdefghij".repeat(30)}`;
		const folded = foldLine(long);
		const parts = folded.split("\r\n");
		expect(parts.length).toBeGreaterThan(1);
		for (const part of parts) expect(octets(part)).toBeLessThanOrEqual(75);
		expect(parts.slice(1).every((part) => part.startsWith(" "))).toBe(true);
		expect(folded.replace(/\r\n /g, "")).toBe(long);

		// Two-, three- and four-octet characters: every line ≤ 75 octets and still valid UTF-8 on its own.
		const wide = `SUMMARY:${"é漢😀".repeat(40)}`;
		const wideParts = foldLine(wide).split("\r\n");
		for (const part of wideParts) {
			expect(octets(part)).toBeLessThanOrEqual(75);
			expect(
				new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(new TextEncoder().encode(part)),
			).toBe(part);
		}
		expect(wideParts.join("\r\n").replace(/\r\n /g, "")).toBe(wide);
	});

	it("writes UTC DATE-TIMEs (form #2) and a calendar whose every line is folded and CRLF-ended", () => {
		expect(icsDateTime("2026-12-01T18:00:00.000Z")).toBe("20261201T180000Z");
		expect(icsDateTime("2026-12-01T19:30:00+01:00")).toBe("20261201T183000Z");
		const ics = icsCalendar({
			prodId: "-//Test//Writer//EN",
			name: "Mine, yours; ours",
			events: [
				{
					uid: "1@test",
					stamp: "2026-11-01T00:00:00.000Z",
					start: "2026-12-01T18:00:00.000Z",
					end: "2026-12-01T19:00:00.000Z",
					summary: `Long ${"word ".repeat(40)}`,
					url: "https://example.test/a b",
				},
			],
		});
		for (const line of ics.split("\r\n")) expect(octets(line)).toBeLessThanOrEqual(75);
		const parsed = parseIcs(ics);
		expect(text(parsed.calendar, "X-WR-CALNAME")).toBe("Mine, yours; ours");
		const [event] = parsed.events;
		expect(event && prop(event, "DTSTART")).toBe("20261201T180000Z");
		expect(event && prop(event, "URL")).toBe("https://example.test/a%20b");
	});
});

// ─── one event's .ics ────────────────────────────────────────────────────────────────────────────

async function groupWith(visibility: "public" | "private" | "secret") {
	const owner = await organiser(`cal-${visibility}`);
	const group = await createGroup(owner, { visibility });
	const member = await signUp("cal-member");
	if (visibility === "public") await expectStatus(await join(member, group.id), 201);
	else {
		await expectStatus(await invite(owner, group.id, member.id), 201);
		await expectStatus(await join(member, group.id), 201);
	}
	return { owner, group, member };
}

describe("GET /fellowship/events/{event_id}.ics", () => {
	it("exports the event with a stable UID, UTC times, summary, description, URL and DTSTAMP", async () => {
		const { owner, group, member } = await groupWith("public");
		const event = await createEvent(owner, group.id, {
			title: "Sunrise run, then tea; all welcome",
			description: "Meet at the gate.\nBring water, a hat; and \\ a smile.",
			event_type: "hybrid",
			url: "https://meet.example/run?x=1,2",
			starts_at: inHours(30),
			ends_at: inHours(31.5),
		});
		const detail = await expectStatus<{ starts_at: string; ends_at: string; updated_at: string }>(
			await call("GET", `${EVENTS}/${event.id}`, { token: member.token }),
			200,
		);
		const first = await calendarText(await call("GET", `${EVENTS}/${event.id}.ics`, { token: member.token }));
		const parsed = parseIcs(first);
		expect(prop(parsed.calendar, "VERSION")).toBe("2.0");
		expect(prop(parsed.calendar, "PRODID")).toBeTruthy();
		expect(parsed.events).toHaveLength(1);
		const [vevent = []] = parsed.events;
		const uid = prop(vevent, "UID");
		expect(uid).toContain(event.id);
		// DATE-TIME has whole seconds.
		const toSecond = (iso: string) => iso.replace(/\.\d{3}Z$/, ".000Z");
		expect(instant(prop(vevent, "DTSTART"))).toBe(toSecond(detail.starts_at));
		expect(instant(prop(vevent, "DTEND"))).toBe(toSecond(detail.ends_at));
		expect(prop(vevent, "DTSTAMP")).toMatch(/^\d{8}T\d{6}Z$/);
		expect(text(vevent, "SUMMARY")).toBe("Sunrise run, then tea; all welcome");
		expect(prop(vevent, "SUMMARY")).toBe("Sunrise run\\, then tea\\; all welcome");
		expect(text(vevent, "DESCRIPTION")).toContain("Meet at the gate.\nBring water, a hat; and \\ a smile.");
		expect(text(vevent, "DESCRIPTION")).toContain("https://meet.example/run?x=1,2");
		expect(text(vevent, "LOCATION")).toBe("The park gate");
		expect(prop(vevent, "URL")).toBe(`https://api.flourish.test/api/v1/fellowship/events/${event.id}`);
		expect(prop(vevent, "STATUS")).toBe("CONFIRMED");

		// The same UID every time; a cancellation is STATUS:CANCELLED with a higher SEQUENCE.
		await expectStatus(await call("POST", `${EVENTS}/${event.id}/cancel`, { token: owner.token }), 200);
		const again = parseIcs(
			await calendarText(await call("GET", `${EVENTS}/${event.id}.ics`, { token: owner.token })),
		);
		const [cancelled = []] = again.events;
		expect(prop(cancelled, "UID")).toBe(uid);
		expect(prop(cancelled, "STATUS")).toBe("CANCELLED");
		expect(Number(prop(cancelled, "SEQUENCE"))).toBeGreaterThan(Number(prop(vevent, "SEQUENCE")));
	});

	it("follows the event's visibility exactly as GET /fellowship/events/{event_id} does", async () => {
		const stranger = await signUp("cal-stranger");
		for (const visibility of ["public", "private", "secret"] as const) {
			const { owner, group, member } = await groupWith(visibility);
			const event = await createEvent(owner, group.id);
			for (const who of [member, stranger]) {
				const json = await call("GET", `${EVENTS}/${event.id}`, { token: who.token });
				const ics = await call("GET", `${EVENTS}/${event.id}.ics`, { token: who.token });
				expect(ics.status, `${visibility} as ${who === member ? "member" : "stranger"}`).toBe(json.status);
				if (ics.status !== 200) await expectProblem(ics, json.status);
			}
		}
		// Secret groups are 404 to strangers, not 403.
		const { owner, group } = await groupWith("secret");
		const secret = await createEvent(owner, group.id);
		await expectProblem(await call("GET", `${EVENTS}/${secret.id}.ics`, { token: stranger.token }), 404);
	});

	it("is 401 without a token, 404 for an unknown event, 422 for a malformed id; the JSON route is untouched", async () => {
		const { owner, group, member } = await groupWith("public");
		const event = await createEvent(owner, group.id);
		await expectProblem(await call("GET", `${EVENTS}/${event.id}.ics`), 401);
		await expectProblem(
			await call("GET", `${EVENTS}/0190d4b1-0000-7000-8000-000000000000.ics`, { token: member.token }),
			404,
		);
		await expectProblem(await call("GET", `${EVENTS}/not-an-id.ics`, { token: member.token }), 422);
		await expectProblem(await call("GET", `${EVENTS}/${event.id}.icsx`, { token: member.token }), 422);
		const json = await call("GET", `${EVENTS}/${event.id}`, { token: member.token });
		expect(json.headers.get("content-type")).toContain("application/json");
		expect(json.status).toBe(200);
	});

	it("never lets event text inject iCalendar lines (a title or description carrying CRLF and properties)", async () => {
		const { owner, group, member } = await groupWith("public");
		const event = await createEvent(owner, group.id);
		const title = "Run\r\nATTENDEE:mailto:victim@example.test\r\nBEGIN:VALARM";
		const description = "x\nEND:VEVENT\r\nBEGIN:VEVENT\rUID:forged\u0000\u000b";
		// The API trims and checks text, so the hostile values go straight into D1, as a worst case.
		await env.DB.prepare("UPDATE group_events SET title = ?, description = ?, location = ? WHERE id = ?")
			.bind(title, description, "Gate;\r\nORGANIZER:mailto:x@example.test", event.id)
			.run();
		const body = await calendarText(await call("GET", `${EVENTS}/${event.id}.ics`, { token: member.token }));
		const parsed = parseIcs(body);
		const names = parsed.lines.map((line) => line.split(/[:;]/)[0]);
		expect(names).not.toContain("ATTENDEE");
		expect(names).not.toContain("ORGANIZER");
		expect(parsed.lines).not.toContain("BEGIN:VALARM");
		expect(names.filter((name) => name === "BEGIN")).toHaveLength(2); // VCALENDAR and one VEVENT
		expect(parsed.events).toHaveLength(1);
		const [vevent = []] = parsed.events;
		expect(vevent.filter((p) => p.name === "UID")).toHaveLength(1);
		expect(text(vevent, "SUMMARY")).toBe("Run\nATTENDEE:mailto:victim@example.test\nBEGIN:VALARM");
		expect(text(vevent, "DESCRIPTION")).toBe("x\nEND:VEVENT\nBEGIN:VEVENT\nUID:forged");
	});
});

// ─── my feed and the calendar token ──────────────────────────────────────────────────────────────

type CalendarToken = { token: string; feed_url: string; webcal_url: string; created_at: string };

async function rotate(user: TestUser): Promise<CalendarToken> {
	return expectStatus<CalendarToken>(await call("POST", ROTATE, { token: user.token }), 201);
}

const feedWith = (token: string) => call("GET", `${FEED}?token=${encodeURIComponent(token)}`);

/** An organiser, a member going to one event and waitlisted for another, and an event they skip. */
async function memberWithEvents() {
	const { owner, group, member } = await groupWith("public");
	const going = await createEvent(owner, group.id, {
		title: "Going one",
		starts_at: inHours(20),
		ends_at: inHours(21),
	});
	const full = await createEvent(owner, group.id, {
		title: "Full one",
		capacity: 1,
		starts_at: inHours(40),
		ends_at: inHours(41),
	});
	const skipped = await createEvent(owner, group.id, { title: "Skipped one" });
	await expectStatus(await rsvp(member, going.id, "going"), 200);
	await expectStatus(await rsvp(owner, full.id, "going"), 200);
	await expectStatus(await rsvp(member, full.id, "going"), 200); // → waitlisted, position 1
	await expectStatus(await rsvp(member, skipped.id, "not_going"), 200);
	return { owner, group, member, going, full, skipped };
}

describe("my calendar feed and its token", () => {
	it("serves my going (CONFIRMED) and waitlisted (TENTATIVE) events, by bearer token or calendar token", async () => {
		const { member, going, full, skipped } = await memberWithEvents();
		const minted = await rotate(member);
		expect(minted.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(minted.feed_url).toBe(`https://api.flourish.test${FEED}?token=${minted.token}`);
		expect(minted.webcal_url).toBe(`webcal://api.flourish.test${FEED}?token=${minted.token}`);

		for (const response of [await feedWith(minted.token), await call("GET", FEED, { token: member.token })]) {
			const parsed = parseIcs(await calendarText(response));
			expect(text(parsed.calendar, "X-WR-CALNAME")).toBeTruthy();
			const byUid = new Map(parsed.events.map((event) => [prop(event, "UID")?.split("@")[0], event]));
			expect([...byUid.keys()]).toEqual([going.id, full.id]);
			expect(prop(byUid.get(going.id) ?? [], "STATUS")).toBe("CONFIRMED");
			expect(text(byUid.get(going.id) ?? [], "SUMMARY")).toBe("Going one");
			expect(prop(byUid.get(full.id) ?? [], "STATUS")).toBe("TENTATIVE");
			expect(text(byUid.get(full.id) ?? [], "DESCRIPTION")).toContain("waitlist (position 1)");
			expect(byUid.has(skipped.id)).toBe(false);
		}
	});

	it("stores only a keyed hash of the token; a rotation revokes the old token at once", async () => {
		const { member, going } = await memberWithEvents();
		const first = await rotate(member);
		const stored = await env.DB.prepare("SELECT token_hash FROM calendar_tokens WHERE user_id = ?")
			.bind(member.id)
			.first<{ token_hash: string }>();
		expect(stored?.token_hash).toMatch(/^[0-9a-f]{64}$/);
		expect(stored?.token_hash).not.toContain(first.token);

		await calendarText(await feedWith(first.token));
		const second = await rotate(member);
		expect(second.token).not.toBe(first.token);
		await expectProblem(await feedWith(first.token), 404);
		const parsed = parseIcs(await calendarText(await feedWith(second.token)));
		expect(parsed.events.map((event) => prop(event, "UID")?.split("@")[0])).toContain(going.id);
		const rows = await env.DB.prepare("SELECT count(*) AS n FROM calendar_tokens WHERE user_id = ?")
			.bind(member.id)
			.first<{ n: number }>();
		expect(rows?.n).toBe(1);
	});

	it("never shows another person's events, and each token opens only its owner's feed", async () => {
		const { member, going, full } = await memberWithEvents();
		const other = await memberWithEvents();
		const mine = await rotate(member);
		const theirs = await rotate(other.member);
		const ids = async (token: string) =>
			parseIcs(await calendarText(await feedWith(token))).events.map((e) => prop(e, "UID")?.split("@")[0]);
		expect(await ids(mine.token)).toEqual([going.id, full.id]);
		expect(await ids(theirs.token)).toEqual([other.going.id, other.full.id]);

		// Someone with no RSVPs gets an empty, valid calendar.
		const loner = await signUp("cal-loner");
		expect(await ids((await rotate(loner)).token)).toEqual([]);
	});

	it("answers a wrong, garbage or missing token with a problem (404, or 401 with nothing at all), never cached", async () => {
		const { member } = await memberWithEvents();
		const { token } = await rotate(member);
		const wrong = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
		for (const bad of [wrong, "garbage", "", "x".repeat(200), "' OR 1=1 --", token.toUpperCase()]) {
			const response = await feedWith(bad);
			await expectProblem(response, 404);
			expect(response.headers.get("cache-control")).toBe("private, no-store");
		}
		await expectProblem(await feedWith("x".repeat(201)), 422);
		const none = await call("GET", FEED);
		expect(none.headers.get("www-authenticate")).toContain("Bearer");
		await expectProblem(none, 401);
	});

	it("is accepted by no other route: not as a bearer token, not as ?token= anywhere else", async () => {
		const { member, going } = await memberWithEvents();
		const { token } = await rotate(member);
		await expectProblem(await call("GET", "/api/v1/users/me", { token }), 401);
		await expectProblem(await call("GET", FEED, { token }), 401);
		for (const path of [
			"/api/v1/users/me",
			"/api/v1/users/me/events",
			`${EVENTS}/${going.id}`,
			`${EVENTS}/${going.id}.ics`,
			"/api/v1/garden",
		]) {
			const response = await call("GET", `${path}?token=${token}`);
			expect([401, 422], path).toContain(response.status);
			expect(response.headers.get("content-type")).toContain("application/problem+json");
		}
		// Nor does it rotate itself.
		await expectProblem(await call("POST", `${ROTATE}?token=${token}`), 401);
	});

	it("stops working while the account is suspended, and once it is deleted", async () => {
		const { member } = await memberWithEvents();
		const { token } = await rotate(member);
		await setUserColumns(member.id, { suspended_until: inHours(24) });
		await expectProblem(await feedWith(token), 404);
		await setUserColumns(member.id, { suspended_until: inHours(-1) });
		await calendarText(await feedWith(token));

		expect((await call("DELETE", "/api/v1/users/me", { token: member.token })).status).toBeLessThan(300);
		await expectProblem(await feedWith(token), 404);
		const left = await env.DB.prepare("SELECT count(*) AS n FROM calendar_tokens WHERE user_id = ?")
			.bind(member.id)
			.first<{ n: number }>();
		expect(left?.n).toBe(0);
	});

	it("never writes the token (nor the feed's URL) to any log line", async () => {
		const { member } = await memberWithEvents();
		const lines: string[] = [];
		for (const method of ["log", "info", "warn", "error", "debug"] as const) {
			vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
				lines.push(args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "));
			});
		}
		const { token } = await rotate(member);
		await calendarText(await feedWith(token));
		await expectProblem(await feedWith(`${token.slice(0, 40)}zzz`), 404);
		await call("GET", `/api/v1/users/me?token=${token}`);
		expect(lines.some((line) => line.includes('"event":"request"'))).toBe(true);
		for (const line of lines) {
			expect(line).not.toContain(token);
			expect(line).not.toContain("token=");
		}
	});

	it("keeps events that ended in the last 30 days, and marks cancelled ones CANCELLED", async () => {
		const { owner, member, going, full } = await memberWithEvents();
		await env.DB.prepare("UPDATE group_events SET starts_at = ?, ends_at = ? WHERE id = ?")
			.bind(inHours(-72), inHours(-71), going.id)
			.run();
		await expectStatus(await call("POST", `${EVENTS}/${full.id}/cancel`, { token: owner.token }), 200);
		const { token } = await rotate(member);
		const parsed = parseIcs(await calendarText(await feedWith(token)));
		const byUid = new Map(parsed.events.map((event) => [prop(event, "UID")?.split("@")[0], event]));
		expect(prop(byUid.get(going.id) ?? [], "STATUS")).toBe("CONFIRMED");
		expect(prop(byUid.get(full.id) ?? [], "STATUS")).toBe("CANCELLED");

		await env.DB.prepare("UPDATE group_events SET starts_at = ?, ends_at = ? WHERE id = ?")
			.bind(inHours(-24 * 40), inHours(-24 * 40 + 1), going.id)
			.run();
		const later = parseIcs(await calendarText(await feedWith(token)));
		expect(later.events.map((event) => prop(event, "UID")?.split("@")[0])).toEqual([full.id]);
	});
});

describe("the OpenAPI document", () => {
	it("declares the calendar routes with their operationIds and text/calendar answers", async () => {
		const doc = await expectStatus<{
			paths: Record<
				string,
				Record<string, { operationId?: string; responses: Record<string, { content?: object }> }>
			>;
		}>(await call("GET", "/api/v1/openapi.json"), 200);
		const feed = doc.paths["/api/v1/users/me/events.ics"]?.get;
		const one = doc.paths["/api/v1/fellowship/events/{event_id}.ics"]?.get;
		const rotation = doc.paths["/api/v1/users/me/calendar-token"]?.post;
		expect(feed?.operationId).toBe("exportMyEventsCalendar");
		expect(one?.operationId).toBe("exportEventCalendar");
		expect(rotation?.operationId).toBe("rotateCalendarToken");
		expect(Object.keys(feed?.responses["200"]?.content ?? {})).toEqual(["text/calendar"]);
		expect(Object.keys(one?.responses["200"]?.content ?? {})).toEqual(["text/calendar"]);
		// The documented path is the one served; no routing pattern leaks into the document.
		expect(Object.keys(doc.paths).filter((path) => path.includes("[^/]"))).toEqual([]);
	});
});
