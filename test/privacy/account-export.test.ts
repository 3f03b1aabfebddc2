/**
 * `GET /users/me/export`: everything stored about the caller — and nothing of anyone else's. Peers appear by
 * id only; anonymous support requests cannot be in it (nothing links them to the account); every
 * collection is capped and says when it was cut; the work per export does not grow with the data.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { EXPORT_LIMITS } from "../../src/modules/privacy/export";
import { call, callWithConfig, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";
import { countingD1 } from "../support/d1-counter";
import { ok, type RichAccount, richAccount } from "./helpers";

type Export = {
	format: string;
	user_id: string;
	about: Record<string, string>;
	truncated: string[];
	profile: Record<string, unknown> & { guide_profile: unknown };
	garden: Record<string, Array<Record<string, unknown>>>;
	flourish: Record<string, Array<Record<string, unknown>>>;
	sunlight: Record<string, Array<Record<string, unknown>>>;
	orchard: {
		connections: Array<Record<string, unknown>>;
		blocks: Array<Record<string, unknown>>;
		mentorships: Array<Record<string, unknown>>;
		conversations: Array<{ peer_id: string; messages_sent: Array<{ text: string }> }>;
	};
	fellowship: Record<string, Array<Record<string, unknown>>>;
	teamup: Record<string, Array<Record<string, unknown>>>;
	support: Record<string, Array<Record<string, unknown>>>;
	trust: Record<string, Array<Record<string, unknown>>>;
	moderation: Record<string, Array<Record<string, unknown>>>;
};

const exportOf = async (token: string) =>
	expectStatus<Export>(await call("GET", "/api/v1/users/me/export", { token }), 200);

describe("the export of a rich account", () => {
	let acct: RichAccount;
	let doc: Export;
	let text: string;

	beforeAll(async () => {
		acct = await richAccount("export");
		// A penalty and an appeal, and a trust application (their flows need weeks of history).
		const now = new Date().toISOString();
		const penaltyId = crypto.randomUUID();
		await env.DB.batch([
			env.DB.prepare(
				"INSERT INTO penalties (id, user_id, kind, starts_at, reason, created_at, updated_at) VALUES (?1, ?2, 'warning', ?3, 'Be kind', ?3, ?3)",
			).bind(penaltyId, acct.alice.id, now),
			env.DB.prepare(
				"INSERT INTO appeals (id, penalty_id, user_id, body, created_at, updated_at) VALUES (?1, ?2, ?3, 'It was a joke between friends', ?4, ?4)",
			).bind(crypto.randomUUID(), penaltyId, acct.alice.id, now),
			env.DB.prepare(
				"INSERT INTO trust_applications (id, user_id, from_level, requested_level, statement, created_at, updated_at) VALUES (?1, ?2, 'growing', 'good_soil', 'I help out', ?3, ?3)",
			).bind(crypto.randomUUID(), acct.alice.id, now),
		]);
		doc = await exportOf(acct.alice.token);
		text = JSON.stringify(doc);
	});

	it("says what it is and whose", () => {
		expect(doc.format).toBe("flourish-account-export");
		expect(doc.user_id).toBe(acct.alice.id);
		expect(doc.truncated).toEqual([]);
		expect(doc.about.anonymous_support_requests).toMatch(/no link to any account/);
	});

	it("holds the profile, including what only its owner sees", () => {
		expect(doc.profile).toMatchObject({ id: acct.alice.id, email: acct.email, bio: acct.texts.bio });
	});

	it("holds every kind of thing the person made or did", () => {
		const { texts, ids } = acct;
		expect(doc.garden.habits?.map((h) => h.name)).toEqual([texts.habit]);
		expect(doc.garden.habit_logs?.map((l) => l.note)).toEqual([texts.logNote]);
		expect(doc.flourish.posts?.map((p) => p.body)).toEqual([texts.post]);
		expect(doc.flourish.comments?.map((c) => c.body)).toEqual([texts.comment]);
		expect(doc.flourish.reactions).toEqual([
			expect.objectContaining({ target_id: ids.bobPost, reaction_type: "love" }),
		]);
		expect(doc.sunlight.shares).toEqual([expect.objectContaining({ body: texts.share, is_anonymous: true })]);
		expect(doc.orchard.connections).toEqual([
			expect.objectContaining({
				peer_id: acct.bob.id,
				direction: "outgoing",
				status: "accepted",
				my_note: texts.note,
			}),
		]);
		expect(doc.orchard.blocks).toHaveLength(1);
		expect(doc.orchard.mentorships).toEqual([
			expect.objectContaining({ my_role: "mentee", peer_id: acct.guide.id, goals: texts.goals }),
		]);
		expect(doc.fellowship.memberships?.map((m) => m.group_id).sort()).toEqual(
			[ids.group, ids.soloGroup].sort(),
		);
		expect(doc.fellowship.groups_created).toHaveLength(2);
		expect(doc.fellowship.events_created?.map((e) => e.id)).toEqual([ids.event]);
		expect(doc.fellowship.rsvps).toEqual([expect.objectContaining({ event_id: ids.event, status: "going" })]);
		expect(doc.teamup.memberships).toEqual([
			expect.objectContaining({ project_id: ids.project, role: "owner" }),
		]);
		expect(doc.teamup.discussions?.map((d) => d.body)).toEqual([texts.discussion]);
		expect(doc.support.responses?.map((r) => r.body)).toEqual([texts.supportResponse]);
		expect(doc.moderation.reports_filed).toEqual([
			expect.objectContaining({ target_id: ids.bobPost, details: texts.report }),
		]);
		expect(doc.moderation.penalties).toEqual([
			expect.objectContaining({ kind: "warning", reason: "Be kind" }),
		]);
		expect(doc.moderation.appeals?.map((a) => a.body)).toEqual(["It was a joke between friends"]);
		expect(doc.trust.applications?.map((a) => a.statement)).toEqual(["I help out"]);
	});

	it("holds the messages the person sent, from the conversation's ChatRoom", () => {
		expect(doc.orchard.conversations).toEqual([
			expect.objectContaining({
				peer_id: acct.bob.id,
				messages_sent: [expect.objectContaining({ text: acct.texts.message })],
			}),
		]);
	});

	it("holds nothing that belongs to someone else", () => {
		// Bob's message to alice, his comment on her post, his post, his name: his.
		expect(text).not.toContain(acct.bobMessage);
		expect(text).not.toContain("Nice one, Alice");
		expect(text).not.toContain("Bob's walk");
		for (const peer of [acct.bob, acct.mod, acct.dave, acct.guide]) expect(text).not.toContain(peer.sub);
		expect(text).not.toMatch(/export-bob|display_name":"Sprout/);
	});

	it("cannot hold the anonymous support request the person wrote", () => {
		expect(text).not.toContain(acct.texts.supportRequest);
		expect(text).not.toContain(acct.ids.supportRequest);
		expect(text).not.toContain(acct.supportToken);
	});
});

describe("exporting", () => {
	it("answers 401 without a token", async () => {
		await expectProblem(await call("GET", "/api/v1/users/me/export"), 401);
	});

	it("is open to a suspended person", async () => {
		const user = await signUp("export-suspended");
		await setUserColumns(user.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		const doc = await exportOf(user.token);
		expect(doc.profile.suspended_until).toBe("2999-01-01T00:00:00.000Z");
	});

	it("caps a collection at its newest rows and says it was cut", async () => {
		const user = await signUp("export-cap");
		const habit = await ok<{ id: string }>(
			call("POST", "/api/v1/garden/habits", {
				token: user.token,
				body: { name: "Stretch", category: "health" },
			}),
			201,
		);
		const garden = await env.DB.prepare("SELECT garden_id FROM habits WHERE id = ?")
			.bind(habit.id)
			.first<{ garden_id: string }>();
		expect(garden).toBeTruthy();
		// One more log than the cap, on consecutive past days (inserted directly: the API back-fills 7 days).
		const days = Array.from({ length: EXPORT_LIMITS.rows + 1 }, (_, i) =>
			new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
		);
		await env.DB.prepare(
			`INSERT INTO habit_logs (id, habit_id, user_id, local_date, created_at)
			 SELECT lower(hex(randomblob(16))), ?1, ?2, value, ?3 FROM json_each(?4)`,
		)
			.bind(habit.id, user.id, new Date().toISOString(), JSON.stringify(days))
			.run();
		const doc = await exportOf(user.token);
		expect(doc.truncated).toEqual(["garden.habit_logs"]);
		expect(doc.garden.habit_logs).toHaveLength(EXPORT_LIMITS.rows);
		expect(doc.garden.habit_logs?.[0]?.local_date).toBe(days.at(-1));
	});

	it("costs the same number of D1 round trips for an empty and a busy account", async () => {
		const roundTrips = async (token: string) => {
			const counter = countingD1(env.DB);
			await expectStatus(
				await callWithConfig({ DB: counter.db }, "GET", "/api/v1/users/me/export", { token }),
				200,
			);
			return counter.roundTrips;
		};
		const empty = await signUp("export-empty");
		const busy = await richAccount("export-busy");
		expect(await roundTrips(busy.alice.token)).toBe(await roundTrips(empty.token));
	});
});
