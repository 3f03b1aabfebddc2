/**
 * The Guide directory (who is listed, filters, capacity, `sort=recommended`) and mentorships (growing+ ask
 * a guide with a free place; the guide accepts or declines; either side completes; the mentee cancels).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { api, growingUser, makeGuide } from "./helpers";

type GuideBody = {
	user_id: string;
	display_name: string;
	specialties: string[];
	availability: string;
	max_mentees: number;
	active_mentees: number;
	has_capacity: boolean;
	accepting_mentees: boolean;
};
type GuidePage = { data: GuideBody[]; next_cursor: string | null };
type MentorshipBody = {
	id: string;
	status: string;
	role: string;
	mentee: { id: string };
	guide: { id: string };
	goals: string;
	responded_at: string | null;
	completed_at: string | null;
};

const guides = async (user: TestUser, query = "") =>
	expectStatus<GuidePage>(await call("GET", `${api}/guides${query}`, { token: user.token }), 200);
const requestMentorship = (mentee: TestUser, guide: TestUser, body: Record<string, unknown> = {}) =>
	call("POST", `${api}/mentorships`, {
		token: mentee.token,
		body: { guide_id: guide.id, goals: "Sleep better and keep a journal", ...body },
	});
const move = (user: TestUser, id: string, status: string) =>
	call("PATCH", `${api}/mentorships/${id}`, { token: user.token, body: { status } });

/** A label unique to this run, so a filter only finds this test's guides. */
const tag = () => `t${crypto.randomUUID().slice(0, 8)}`;

describe("GET /orchard/guides", () => {
	it("lists only verified guides: role guide, good_soil or above, not suspended or deleted", async () => {
		const specialty = tag();
		const listed = await makeGuide("dir-ok", { specialties: [specialty] });
		const flourishing = await makeGuide("dir-flourishing", {
			specialties: [specialty],
			trust: "flourishing",
		});
		const demoted = await makeGuide("dir-demoted", { specialties: [specialty], trust: "growing" });
		const suspended = await makeGuide("dir-suspended", { specialties: [specialty] });
		await setUserColumns(suspended.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		const formerGuide = await makeGuide("dir-former", { specialties: [specialty] });
		await setUserColumns(formerGuide.id, { role: "user" });

		const viewer = await signUp("dir-viewer");
		const page = await guides(viewer, `?specialty=${specialty}&limit=100`);
		expect(page.data.map((g) => g.user_id).sort()).toEqual([listed.id, flourishing.id].sort());
		expect(page.data.map((g) => g.user_id)).not.toContain(demoted.id);
	});

	it("filters by specialty, availability and free places, and shows capacity", async () => {
		const specialty = tag();
		const evening = await makeGuide("dir-evening", {
			specialties: [specialty, "grief"],
			availability: "Weekday EVENINGS (Europe/London)",
			maxMentees: 1,
		});
		const morning = await makeGuide("dir-morning", { specialties: [specialty], availability: "mornings" });
		const closed = await makeGuide("dir-closed", { specialties: [specialty], acceptingMentees: false });
		const viewer = await growingUser("dir-filter-viewer");

		const byAvailability = await guides(viewer, `?specialty=${specialty}&availability=evening`);
		expect(byAvailability.data.map((g) => g.user_id)).toEqual([evening.id]);
		expect(byAvailability.data[0]).toMatchObject({ max_mentees: 1, active_mentees: 0, has_capacity: true });

		const mentorship = await expectStatus<MentorshipBody>(await requestMentorship(viewer, evening), 201);
		await expectStatus(await move(evening, mentorship.id, "accepted"), 200);
		const full = await guides(viewer, `?specialty=${specialty}&availability=evening`);
		expect(full.data[0]).toMatchObject({ active_mentees: 1, has_capacity: false });

		const open = await guides(viewer, `?specialty=${specialty}&accepting=true`);
		expect(open.data.map((g) => g.user_id)).toEqual([morning.id]);
		const notOpen = await guides(viewer, `?specialty=${specialty}&accepting=false`);
		expect(notOpen.data.map((g) => g.user_id).sort()).toEqual([evening.id, closed.id].sort());
		// Specialty matching ignores case.
		expect((await guides(viewer, `?specialty=${specialty.toUpperCase()}`)).data).toHaveLength(3);
	});

	it("pages in name order with a cursor", async () => {
		const specialty = tag();
		const made = [];
		for (const name of ["Cedar", "Aspen", "Birch"]) {
			made.push(
				await makeGuide(`dir-name-${name}`, {
					specialties: [specialty],
					displayName: `${name} ${specialty}`,
				}),
			);
		}
		const viewer = await signUp("dir-name-viewer");
		const first = await guides(viewer, `?specialty=${specialty}&limit=2`);
		expect(first.data.map((g) => g.display_name.split(" ")[0])).toEqual(["Aspen", "Birch"]);
		const second = await guides(viewer, `?specialty=${specialty}&limit=2&cursor=${first.next_cursor}`);
		expect(second.data.map((g) => g.display_name.split(" ")[0])).toEqual(["Cedar"]);
		expect(second.next_cursor).toBeNull();
	});

	it("ranks by similarity to my bio and interests with sort=recommended", async () => {
		const specialty = tag();
		const sleep = await makeGuide("rec-sleep", {
			specialties: [specialty, "sleep"],
			headline: "Sleep, rest and evening routines",
			experience: "Ten years helping people sleep better with calm evening routines",
			displayName: `Aaron ${specialty}`,
		});
		const running = await makeGuide("rec-running", {
			specialties: [specialty, "running"],
			headline: "Running coach",
			experience: "Marathon training, running form and race pacing",
			displayName: `Zoe ${specialty}`,
		});
		const viewer = await signUp("rec-viewer");
		await expectStatus(
			await call("PATCH", "/api/v1/users/me", {
				token: viewer.token,
				body: {
					bio: "I want to start running and train for my first marathon",
					interests: ["running", "marathon"],
				},
			}),
			200,
		);
		const byName = await guides(viewer, `?specialty=${specialty}`);
		expect(byName.data.map((g) => g.user_id)).toEqual([sleep.id, running.id]);
		const recommended = await guides(viewer, `?specialty=${specialty}&sort=recommended&limit=1`);
		expect(recommended.data.map((g) => g.user_id)).toEqual([running.id]);
		const next = await guides(
			viewer,
			`?specialty=${specialty}&sort=recommended&limit=1&cursor=${recommended.next_cursor}`,
		);
		expect(next.data.map((g) => g.user_id)).toEqual([sleep.id]);
		expect(next.next_cursor).toBeNull();
	});

	it("is 401 anonymously; bad filters are 422", async () => {
		const viewer = await signUp("dir-errors");
		await expectProblem(await call("GET", `${api}/guides`), 401);
		await expectProblem(await call("GET", `${api}/guides?sort=popular`, { token: viewer.token }), 422);
		await expectProblem(await call("GET", `${api}/guides?accepting=yes`, { token: viewer.token }), 422);
		await expectProblem(
			await call("GET", `${api}/guides?specialty=${"x".repeat(41)}`, { token: viewer.token }),
			422,
		);
		await expectProblem(await call("GET", `${api}/guides?cursor=zzz`, { token: viewer.token }), 400);
	});
});

describe("POST /orchard/mentorships", () => {
	it("lets a growing member ask a guide with a free place", async () => {
		const guide = await makeGuide("m-guide");
		const mentee = await growingUser("m-mentee");
		const created = await expectStatus<MentorshipBody>(
			await requestMentorship(mentee, guide, { message: "Hi!" }),
			201,
		);
		expect(created).toMatchObject({
			status: "requested",
			role: "mentee",
			mentee: { id: mentee.id },
			guide: { id: guide.id },
			goals: "Sleep better and keep a journal",
		});
		// One open request per guide.
		await expectProblem(await requestMentorship(mentee, guide), 409);
	});

	it("needs trust growing (403 for new_sprout; guardians pass), a verified guide (404) with room (409)", async () => {
		const guide = await makeGuide("m-trust-guide", { maxMentees: 1 });
		const sprout = await signUp("m-sprout");
		await expectProblem(await requestMentorship(sprout, guide), 403);
		const guardian = await signUp("m-guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		await expectStatus(await requestMentorship(guardian, guide), 201);

		const mentee = await growingUser("m-trust-mentee");
		const notAGuide = await signUp("m-not-guide");
		await expectProblem(await requestMentorship(mentee, notAGuide), 404);
		await expectProblem(await requestMentorship(mentee, { ...guide, id: crypto.randomUUID() }), 404);
		await expectProblem(await requestMentorship(mentee, mentee), 422);

		const closed = await makeGuide("m-closed", { acceptingMentees: false });
		await expectProblem(await requestMentorship(mentee, closed), 409);
		const full = await makeGuide("m-full", { maxMentees: 1 });
		const first = await expectStatus<MentorshipBody>(await requestMentorship(mentee, full), 201);
		await expectStatus(await move(full, first.id, "accepted"), 200);
		const other = await growingUser("m-full-other");
		await expectProblem(await requestMentorship(other, full), 409);
	});

	it("rejects bad bodies and anonymous or suspended callers", async () => {
		const guide = await makeGuide("m-bad-guide");
		const mentee = await growingUser("m-bad");
		await expectProblem(await requestMentorship(mentee, guide, { goals: "" }), 422);
		await expectProblem(await requestMentorship(mentee, guide, { goals: "x".repeat(1001) }), 422);
		await expectProblem(await requestMentorship(mentee, guide, { extra: 1 }), 422);
		await expectProblem(await call("POST", `${api}/mentorships`, { token: mentee.token, rawBody: "{" }), 400);
		await expectProblem(
			await call("POST", `${api}/mentorships`, { body: { guide_id: guide.id, goals: "x" } }),
			401,
		);
		await setUserColumns(mentee.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(await requestMentorship(mentee, guide), 403);
	});
});

describe("PATCH /orchard/mentorships/{mentorship_id}", () => {
	it("guide accepts; either side completes", async () => {
		const guide = await makeGuide("flow-guide");
		const mentee = await growingUser("flow-mentee");
		const m = await expectStatus<MentorshipBody>(await requestMentorship(mentee, guide), 201);
		await expectProblem(await move(mentee, m.id, "accepted"), 403);
		const accepted = await expectStatus<MentorshipBody>(await move(guide, m.id, "accepted"), 200);
		expect(accepted).toMatchObject({ status: "accepted", role: "guide" });
		expect(accepted.responded_at).toBeTruthy();
		await expectProblem(await move(guide, m.id, "declined"), 409);
		await expectProblem(await move(guide, m.id, "cancelled"), 403);
		const completed = await expectStatus<MentorshipBody>(await move(guide, m.id, "completed"), 200);
		expect(completed.completed_at).toBeTruthy();
		await expectProblem(await move(mentee, m.id, "completed"), 409);
		// A finished mentorship frees the place; asking again is possible.
		await expectStatus(await requestMentorship(mentee, guide), 201);
	});

	it("guide declines; mentee cancels a request or an accepted mentorship", async () => {
		const guide = await makeGuide("flow2-guide");
		const mentee = await growingUser("flow2-mentee");
		const declined = await expectStatus<MentorshipBody>(await requestMentorship(mentee, guide), 201);
		expect(await expectStatus(await move(guide, declined.id, "declined"), 200)).toMatchObject({
			status: "declined",
		});
		const cancelled = await expectStatus<MentorshipBody>(await requestMentorship(mentee, guide), 201);
		expect(await expectStatus(await move(mentee, cancelled.id, "cancelled"), 200)).toMatchObject({
			status: "cancelled",
		});
		const accepted = await expectStatus<MentorshipBody>(await requestMentorship(mentee, guide), 201);
		await move(guide, accepted.id, "accepted");
		expect(await expectStatus(await move(mentee, accepted.id, "cancelled"), 200)).toMatchObject({
			status: "cancelled",
		});
		await expectProblem(await move(mentee, accepted.id, "cancelled"), 409);
	});

	it("a guide who lost verified status cannot accept; strangers get 404; bad input 422", async () => {
		const guide = await makeGuide("flow3-guide");
		const mentee = await growingUser("flow3-mentee");
		const m = await expectStatus<MentorshipBody>(await requestMentorship(mentee, guide), 201);
		const stranger = await signUp("flow3-stranger");
		await expectProblem(await move(stranger, m.id, "completed"), 404);
		await expectProblem(await move(guide, crypto.randomUUID(), "accepted"), 404);
		await expectProblem(await move(guide, m.id, "paused"), 422);
		await expectProblem(
			await call("PATCH", `${api}/mentorships/${m.id}`, { token: guide.token, body: {} }),
			422,
		);
		await expectProblem(
			await call("PATCH", `${api}/mentorships/${m.id}`, { body: { status: "accepted" } }),
			401,
		);
		await setUserColumns(guide.id, { trust_level: "growing" });
		await expectProblem(await move(guide, m.id, "accepted"), 403);
		// Declining is still possible.
		await expectStatus(await move(guide, m.id, "declined"), 200);
	});
});

describe("GET /orchard/mentorships", () => {
	it("lists mine as mentee and as guide, newest first, with role and status filters and a cursor", async () => {
		const guide = await makeGuide("list-guide", { maxMentees: 5 });
		const otherGuide = await makeGuide("list-other-guide");
		const mentee = await growingUser("list-mentee");
		await setUserColumns(guide.id, { trust_level: "good_soil" });
		const asGuide = await expectStatus<MentorshipBody>(await requestMentorship(mentee, guide), 201);
		const guideAsMentee = await expectStatus<MentorshipBody>(await requestMentorship(guide, otherGuide), 201);
		await move(guide, asGuide.id, "accepted");

		const all = await expectStatus<{ data: MentorshipBody[]; next_cursor: string | null }>(
			await call("GET", `${api}/mentorships`, { token: guide.token }),
			200,
		);
		expect(all.data.map((m) => [m.id, m.role])).toEqual([
			[guideAsMentee.id, "mentee"],
			[asGuide.id, "guide"],
		]);
		const asGuideOnly = await expectStatus<{ data: MentorshipBody[] }>(
			await call("GET", `${api}/mentorships?role=guide&status=accepted`, { token: guide.token }),
			200,
		);
		expect(asGuideOnly.data.map((m) => m.id)).toEqual([asGuide.id]);
		const first = await expectStatus<{ data: MentorshipBody[]; next_cursor: string | null }>(
			await call("GET", `${api}/mentorships?limit=1`, { token: guide.token }),
			200,
		);
		const second = await expectStatus<{ data: MentorshipBody[]; next_cursor: string | null }>(
			await call("GET", `${api}/mentorships?limit=1&cursor=${first.next_cursor}`, { token: guide.token }),
			200,
		);
		expect([...first.data, ...second.data].map((m) => m.id)).toEqual([guideAsMentee.id, asGuide.id]);
		expect(second.next_cursor).toBeNull();

		const stranger = await signUp("list-stranger");
		const none = await expectStatus<{ data: unknown[] }>(
			await call("GET", `${api}/mentorships`, { token: stranger.token }),
			200,
		);
		expect(none.data).toEqual([]);
		await expectProblem(await call("GET", `${api}/mentorships`), 401);
		await expectProblem(await call("GET", `${api}/mentorships?role=boss`, { token: stranger.token }), 422);
		const rows = await env.DB.prepare("SELECT count(*) AS n FROM mentorships WHERE guide_id = ?")
			.bind(guide.id)
			.first<{ n: number }>();
		expect(rows?.n).toBe(1);
	});
});
