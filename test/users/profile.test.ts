/**
 * Users: my profile and preferences (role, trust and suspension are never writable by me), and other
 * people's public profiles (no email or Auth0 sub; 404 when blocked either way).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";

const ME = "/api/v1/users/me";

describe("GET /users/me", () => {
	it("shows my profile, role, trust level and preferences with defaults", async () => {
		const { token } = await signUp("me", { email: "me@example.com", name: "Robin" });
		const me = await expectStatus(await call("GET", ME, { token }), 200);
		expect(me).toMatchObject({
			display_name: "Robin",
			email: "me@example.com",
			role: "user",
			trust_level: "new_sprout",
			timezone: "UTC",
			day_start_hour: 0,
			spiritual_opt_in: false,
			suspended_until: null,
		});
		expect(me).not.toHaveProperty("auth0_sub");
	});

	it("still answers a suspended user, who sees until when", async () => {
		const user = await signUp("suspended");
		await setUserColumns(user.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		const me = await expectStatus(await call("GET", ME, { token: user.token }), 200);
		expect(me.suspended_until).toBe("2999-01-01T00:00:00.000Z");
	});
});

describe("when the account was created", () => {
	it("is a day to everyone, its owner included; the exact time stays stored (and in the owner's export)", async () => {
		const user = await signUp("created-day");
		const other = await signUp("created-day-viewer");
		// Late in a day, so that a day-precise answer differs from the stored time by hours.
		const exact = "2026-03-14T23:59:58.123Z";
		await setUserColumns(user.id, { created_at: exact });
		const me = await expectStatus<{ created_at: string; updated_at: string }>(
			await call("GET", ME, { token: user.token }),
			200,
		);
		const seen = await expectStatus<{ created_at: string }>(
			await call("GET", `/api/v1/users/${user.id}`, { token: other.token }),
			200,
		);
		expect(me.created_at).toBe("2026-03-14T00:00:00.000Z");
		expect(seen.created_at).toBe("2026-03-14T00:00:00.000Z");
		const exported = await expectStatus<{ profile: { created_at: string } }>(
			await call("GET", `${ME}/export`, { token: user.token }),
			200,
		);
		expect(JSON.stringify(exported)).toContain(exact);
	});

	it("is a day to guardians too: their answer about a person and a user report's snapshot", async () => {
		const user = await signUp("created-day-reported");
		const reporter = await signUp("created-day-reporter");
		const guardian = await signUp("created-day-guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		const exact = "2026-05-02T17:45:09.876Z";
		await setUserColumns(user.id, { created_at: exact, trust_level_since: exact });
		const administered = await expectStatus<{ created_at: string; trust_level_since: string }>(
			await call("PATCH", `/api/v1/guardians/users/${user.id}`, {
				token: guardian.token,
				body: { trust_locked: true, reason: "Checking the dates" },
			}),
			200,
		);
		expect(administered).toMatchObject({
			created_at: "2026-05-02T00:00:00.000Z",
			trust_level_since: "2026-05-02T00:00:00.000Z",
		});
		await expectStatus(
			await call("POST", "/api/v1/reports", {
				token: reporter.token,
				body: { target_type: "user", target_id: user.id, reason: "spam" },
			}),
			201,
		);
		const queue = await expectStatus<{ data: Array<{ id: string; target_id: string }> }>(
			await call("GET", "/api/v1/guardians/queue?target_type=user&limit=100", { token: guardian.token }),
			200,
		);
		const item = queue.data.find((each) => each.target_id === user.id);
		const detail = await call("GET", `/api/v1/guardians/queue/${item?.id}`, { token: guardian.token });
		const text = await detail.text();
		expect(detail.status, text).toBe(200);
		expect(text).toContain("2026-05-02T00:00:00.000Z");
		expect(text).not.toContain(exact);
	});

	it("dates a new account's id to its day only (a UUIDv7 of midnight UTC)", async () => {
		const user = await signUp("created-id");
		const millis = Number.parseInt(user.id.replaceAll("-", "").slice(0, 12), 16);
		expect(user.id.charAt(14)).toBe("7");
		expect(millis % (24 * 60 * 60 * 1000)).toBe(0);
		expect(Date.now() - millis).toBeLessThan(24 * 60 * 60 * 1000);
	});
});

describe("PATCH /users/me (and its PUT alias)", () => {
	it("updates profile fields and preferences", async () => {
		const { token } = await signUp("patch");
		const body = {
			display_name: "Sam",
			bio: "Learning to rest.",
			interests: ["sleep", "meditation"],
			timezone: "Pacific/Auckland",
			day_start_hour: 4,
			spiritual_opt_in: true,
		};
		const updated = await expectStatus(await call("PATCH", ME, { token, body }), 200);
		expect(updated).toMatchObject(body);
		expect(await expectStatus(await call("GET", ME, { token }), 200)).toMatchObject(body);
	});

	it("accepts PUT as an alias with the same partial semantics", async () => {
		const { token } = await signUp("put");
		const updated = await expectStatus(await call("PUT", ME, { token, body: { bio: "hello" } }), 200);
		expect(updated).toMatchObject({ bio: "hello", timezone: "UTC" });
	});

	it.each([
		["role", { role: "guardian" }],
		["trust_level", { trust_level: "flourishing" }],
		["suspended_until", { suspended_until: null }],
		["id", { id: "00000000-0000-7000-8000-000000000000" }],
	])("rejects a mass-assignment attempt on %s with 422 and changes nothing", async (_field, body) => {
		const user = await signUp("mass");
		await expectProblem(await call("PATCH", ME, { token: user.token, body }), 422);
		const row = await env.DB.prepare("SELECT role, trust_level, suspended_until FROM users WHERE id = ?")
			.bind(user.id)
			.first();
		expect(row).toEqual({ role: "user", trust_level: "new_sprout", suspended_until: null });
	});

	it.each([
		["an unknown time zone", { timezone: "Mars/Olympus_Mons" }],
		["an offset instead of a zone", { timezone: "+05:00" }],
		["day_start_hour out of range", { day_start_hour: 24 }],
		["a fractional day_start_hour", { day_start_hour: 3.5 }],
		["a blank display name", { display_name: "   " }],
		["an oversized display name", { display_name: "n".repeat(51) }],
		["an oversized bio", { bio: "b".repeat(501) }],
		["a non-https avatar", { avatar_url: "http://images.example/a.png" }],
		["a third-party avatar URL", { avatar_url: "https://images.example/a.png" }],
		["an avatar id that is no id", { avatar_media_id: "a.png" }],
		["too many interests", { interests: Array.from({ length: 11 }, (_, i) => `tag${i}`) }],
		["a wrong type", { spiritual_opt_in: "yes" }],
		["an empty body", {}],
	])("rejects %s with 422", async (_label, body) => {
		const { token } = await signUp("bad");
		const problem = await expectProblem(await call("PATCH", ME, { token, body }), 422);
		expect(problem.errors?.length).toBeGreaterThan(0);
	});

	it("rejects malformed JSON with 400", async () => {
		const { token } = await signUp("badjson");
		await expectProblem(await call("PATCH", ME, { token, rawBody: "{bio:" }), 400);
	});

	it("is 401 without a token and 403 for a suspended user", async () => {
		await expectProblem(await call("PATCH", ME, { body: { bio: "x" } }), 401);
		const user = await signUp("suspended-writer");
		await setUserColumns(user.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(await call("PATCH", ME, { token: user.token, body: { bio: "x" } }), 403);
	});

	it("treats a suspension that has ended as over", async () => {
		const user = await signUp("served-time");
		await setUserColumns(user.id, { suspended_until: "2000-01-01T00:00:00.000Z" });
		await expectStatus(await call("PATCH", ME, { token: user.token, body: { bio: "back" } }), 200);
	});
});

describe("GET /users/{user_id}", () => {
	it("shows a public profile without email or Auth0 sub", async () => {
		const viewer = await signUp("viewer");
		const other = await signUp("other", { email: "other@example.com" });
		const profile = await expectStatus(
			await call("GET", `/api/v1/users/${other.id}`, { token: viewer.token }),
			200,
		);
		expect(profile).toMatchObject({ id: other.id, role: "user", trust_level: "new_sprout" });
		const text = JSON.stringify(profile);
		expect(text).not.toContain("other@example.com");
		expect(text).not.toContain(other.sub);
		expect(profile).not.toHaveProperty("timezone");
	});

	it("is 404 for an unknown id and 422 for a malformed one", async () => {
		const { token } = await signUp("lookup");
		await expectProblem(
			await call("GET", "/api/v1/users/0190a0a0-0000-7000-8000-000000000000", { token }),
			404,
		);
		await expectProblem(await call("GET", "/api/v1/users/not-a-uuid", { token }), 422);
	});

	it("is 404 to the person blocked; the blocker sees them, with blocked_by_me", async () => {
		const a = await signUp("blocker");
		const b = await signUp("blocked");
		await env.DB.prepare("INSERT INTO blocks (id, blocker_id, blocked_id, created_at) VALUES (?, ?, ?, ?)")
			.bind(crypto.randomUUID(), a.id, b.id, new Date().toISOString())
			.run();
		const seen = await expectStatus<{ blocked_by_me: boolean }>(
			await call("GET", `/api/v1/users/${b.id}`, { token: a.token }),
			200,
		);
		expect(seen.blocked_by_me).toBe(true);
		await expectProblem(await call("GET", `/api/v1/users/${a.id}`, { token: b.token }), 404);
	});

	it("is 401 anonymously and 403 for a suspended viewer", async () => {
		const other = await signUp("target");
		await expectProblem(await call("GET", `/api/v1/users/${other.id}`), 401);
		const viewer = await signUp("suspended-viewer");
		await setUserColumns(viewer.id, { suspended_until: "9999-12-31T00:00:00.000Z" });
		await expectProblem(await call("GET", `/api/v1/users/${other.id}`, { token: viewer.token }), 403);
	});
});
