/**
 * Bulk inputs against D1's limit of 100 bound parameters per statement (OWASP API4): every list read at
 * its largest page (`limit=100`, or the operation's own maximum) over more rows than fit in it, the
 * detail reads that hydrate a hundred-plus children, the writes that fan out over them, and request
 * bodies with every array at its maximum size. None may answer a 5xx; pages are full, ordered and
 * disjoint, and the cursor reaches the rest.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { jpeg } from "../media/fixtures";
import { upload } from "../media/helpers";
import { call, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { loadDocument, operationsOf } from "./requests";

/** One more than the largest page. */
const N = 101;
const api = "/api/v1";
const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

/** Runs `task` for 0…n-1, a few at a time (the Worker serves them concurrently, as in production). */
async function many(n: number, task: (i: number) => Promise<unknown>, concurrency = 6): Promise<void> {
	let next = 0;
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < n) await task(next++);
		}),
	);
}

async function ok(response: Promise<Response>, what: string): Promise<Record<string, unknown>> {
	const answer = await response;
	const text = await answer.text();
	if (answer.status < 200 || answer.status > 299)
		throw new Error(`${what}: ${answer.status} ${text.slice(0, 300)}`);
	return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

const as = (user: TestUser, method: string, path: string, body?: unknown) =>
	call(method, `${api}${path}`, { token: user.token, ...(body === undefined ? {} : { body }) });

type Page = { data: Array<Record<string, unknown>>; next_cursor: string | null };

/** Reads the first page at `limit` and the rest through the cursor; checks sizes and that pages are disjoint. */
async function readAll(user: TestUser, path: string, limit = 100): Promise<{ first: Page; total: number }> {
	const separator = path.includes("?") ? "&" : "?";
	const first = await expectStatus<Page>(await as(user, "GET", `${path}${separator}limit=${limit}`), 200);
	expect(first.data.length, `${path}: a full first page`).toBe(limit);
	expect(first.next_cursor, `${path}: a cursor to the rest`).toBeTruthy();
	const keyOf = (row: Record<string, unknown>) =>
		JSON.stringify(row.id ?? row.user_id ?? row.user ?? row.peer ?? row.blocked ?? row);
	const seen = new Set(first.data.map(keyOf));
	let cursor = first.next_cursor;
	let total = first.data.length;
	for (let pages = 0; cursor && pages < 5; pages++) {
		const page = await expectStatus<Page>(
			await as(user, "GET", `${path}${separator}limit=${limit}&cursor=${encodeURIComponent(cursor)}`),
			200,
		);
		for (const row of page.data) {
			expect(seen.has(keyOf(row)), `${path}: a row repeated across pages`).toBe(false);
			seen.add(keyOf(row));
		}
		total += page.data.length;
		cursor = page.next_cursor;
	}
	expect(total, `${path}: the cursor reaches the rest`).toBeGreaterThan(limit);
	return { first, total };
}

let crowd: TestUser[];
let hub: TestUser;
let guardian: TestUser;
let owner: TestUser;
let blocker: TestUser;
let firstPost: string;
let group: string;
let event: string;
let project: string;
let supportRequest: string;

beforeAll(async () => {
	hub = await signUp("bulk-hub");
	guardian = await signUp("bulk-guardian");
	owner = await signUp("bulk-owner");
	blocker = await signUp("bulk-blocker");
	await setUserColumns(guardian.id, { role: "guardian" });
	await setUserColumns(owner.id, { trust_level: "good_soil" });
	crowd = new Array(N);
	await many(N, async (i) => {
		crowd[i] = await signUp(`bulk-${i}`);
	});
	// Growing: they may respond to support requests, ask for mentorship and create projects.
	await env.DB.prepare(
		`UPDATE users SET trust_level = 'growing' WHERE id IN (SELECT value FROM json_each(?))`,
	)
		.bind(JSON.stringify(crowd.map((user) => user.id)))
		.run();

	// Each person posts, shares and asks for support once; the owner's group, event and project gather them.
	const posts: string[] = new Array(N);
	await many(N, async (i) => {
		const person = crowd[i] as TestUser;
		posts[i] = (
			await ok(as(person, "POST", "/flourish/posts", { type: "text", body: `Bulk post ${i}` }), "post")
		).id as string;
		await ok(as(person, "POST", "/sunlight", { share_type: "win", body: `Bulk win ${i}` }), "share");
	});
	firstPost = posts[0] as string;
	group = (
		await ok(
			as(owner, "POST", "/fellowship/groups", { name: "Bulk walkers", group_type: "wellness" }),
			"group",
		)
	).id as string;
	event = (
		await ok(
			as(owner, "POST", `/fellowship/groups/${group}/events`, {
				title: "Bulk walk",
				event_type: "online",
				starts_at: inHours(24),
				ends_at: inHours(26),
				url: "https://meet.example/bulk",
				capacity: 50,
			}),
			"event",
		)
	).id as string;
	project = (
		await ok(
			as(crowd[0] as TestUser, "POST", "/teamup/projects", {
				title: "Bulk garden",
				project_type: "wellness",
			}),
			"project",
		)
	).id as string;
	supportRequest = (
		(await ok(
			as(hub, "POST", "/support/requests", {
				title: "Need a hand",
				body: "Many kind words needed.",
				category: "stress",
			}),
			"support request",
		)) as { request: { id: string } }
	).request.id;

	await many(N, async (i) => {
		const person = crowd[i] as TestUser;
		await ok(
			as(person, "POST", `/flourish/posts/${firstPost}/comments`, { body: `Comment ${i}` }),
			"comment",
		);
		await ok(
			as(hub, "PUT", `/flourish/posts/${posts[i]}/reaction`, { reaction_type: "support" }),
			"reaction",
		);
		await ok(as(person, "POST", "/orchard/connections", { user_id: hub.id }), "connection request");
		await ok(as(person, "POST", `/fellowship/groups/${group}/members`), "join group");
		await ok(as(person, "PUT", `/fellowship/events/${event}/rsvp`, { status: "going" }), "rsvp");
		if (i > 0) await ok(as(person, "POST", `/teamup/projects/${project}/members`), "join project");
		await ok(
			as(person, "POST", `/teamup/projects/${project}/discussions`, { body: `Idea ${i}` }),
			"discussion",
		);
		// A request takes at most 100 responses (the 101st is a 409): fill it to the brim.
		if (i < 100) {
			await ok(
				as(person, "POST", `/support/requests/${supportRequest}/responses`, { body: `You can do it ${i}` }),
				"response",
			);
		}
		await ok(as(blocker, "PUT", `/orchard/blocks/${person.id}`), "block");
		// Everyone reports the next person's post: one queue item each.
		await ok(
			as(person, "POST", "/reports", { target_type: "post", target_id: posts[(i + 1) % N], reason: "other" }),
			"report",
		);
	});
}, 180_000);

describe("lists at their largest page over more rows than fit", () => {
	it("the feed, each sort", async () => {
		for (const sort of ["recent", "top", "for_you"]) {
			const { first } = await readAll(hub, `/flourish/feed?sort=${sort}`);
			expect(first.data.some((post) => post.my_reaction === "support")).toBe(true);
		}
	});

	it("comments on one post", async () => {
		await readAll(hub, `/flourish/posts/${firstPost}/comments`);
	});

	it("sunlight shares", async () => {
		await readAll(hub, "/sunlight");
	});

	it("incoming connection requests, then the accepted connections and their conversations", async () => {
		await readAll(hub, "/orchard/connections?direction=incoming");
		const incoming: Page = await expectStatus<Page>(
			await as(hub, "GET", "/orchard/connections?limit=100"),
			200,
		);
		const ids: string[] = incoming.data.map((row) => row.id as string);
		let cursor = incoming.next_cursor;
		while (cursor) {
			const page: Page = await expectStatus<Page>(
				await as(hub, "GET", `/orchard/connections?limit=100&cursor=${encodeURIComponent(cursor)}`),
				200,
			);
			ids.push(...page.data.map((row) => row.id as string));
			cursor = page.next_cursor;
		}
		expect(ids.length).toBe(N);
		await many(N, (i) =>
			ok(as(hub, "PATCH", `/orchard/connections/${ids[i]}`, { status: "accepted" }), "accept"),
		);
		await many(N, (i) =>
			ok(
				as(crowd[i] as TestUser, "POST", `/orchard/conversations/${hub.id}/messages`, {
					text: `Hi hub ${i}`,
				}),
				"message",
			),
		);
		await readAll(hub, "/orchard/connections?status=accepted");
		await readAll(hub, "/orchard/conversations");
	});

	it("blocks", async () => {
		await readAll(blocker, "/orchard/blocks");
	});

	it("group members, and an event's going and waitlisted RSVPs", async () => {
		await readAll(owner, `/fellowship/groups/${group}/members`);
		const going = await expectStatus<Page>(
			await as(owner, "GET", `/fellowship/events/${event}/rsvps?status=going&limit=100`),
			200,
		);
		expect(going.data.length).toBe(50);
		const waitlisted = await expectStatus<Page>(
			await as(owner, "GET", `/fellowship/events/${event}/rsvps?status=waitlisted&limit=100`),
			200,
		);
		expect(waitlisted.data.length).toBe(N - 50);
		await expectStatus(await as(owner, "GET", `/fellowship/events/${event}`), 200);
		await expectStatus(await as(owner, "GET", `/fellowship/groups/${group}`), 200);
	});

	it("project members and discussions, and the project with its members", async () => {
		await readAll(crowd[0] as TestUser, `/teamup/projects/${project}/members`);
		await readAll(crowd[0] as TestUser, `/teamup/projects/${project}/discussions`);
		await expectStatus(await as(crowd[0] as TestUser, "GET", `/teamup/projects/${project}`), 200);
	});

	it("a support request with its full hundred responses, and the 101st refused", async () => {
		const detail = await expectStatus<{ responses: unknown[] }>(
			await as(hub, "GET", `/support/requests/${supportRequest}`),
			200,
		);
		expect(detail.responses.length).toBe(100);
		const more = await as(crowd[100] as TestUser, "POST", `/support/requests/${supportRequest}/responses`, {
			body: "One more",
		});
		expect(more.status).toBe(409);
	});

	it("the guardians' queue, each item's reports, and the audit log of a hundred-plus decisions", async () => {
		await readAll(guardian, "/guardians/queue");
		const queue = await expectStatus<Page>(await as(guardian, "GET", "/guardians/queue?limit=100"), 200);
		await expectStatus(await as(guardian, "GET", `/guardians/queue/${queue.data[0]?.id}`), 200);
		const items: string[] = [];
		let cursor: string | null = null;
		do {
			const page: Page = await expectStatus<Page>(
				await as(
					guardian,
					"GET",
					`/guardians/queue?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
				),
				200,
			);
			items.push(...page.data.map((row) => row.id as string));
			cursor = page.next_cursor;
		} while (cursor);
		await many(items.length, (i) =>
			ok(
				as(guardian, "POST", `/guardians/queue/${items[i]}/decision`, {
					decision: "dismiss",
					reason: "Bulk",
				}),
				"decision",
			),
		);
		await readAll(guardian, "/guardians/audit-log");
		await readAll(guardian, "/guardians/queue?status=resolved");
		await expectStatus(await as(guardian, "GET", "/guardians/stats?days=365"), 200);
	});

	it("daily nourishment, projects, groups and guides directories", async () => {
		await many(N, async (i) => {
			await ok(
				as(guardian, "POST", "/nourishment", {
					title: `Thought ${i}`,
					content_type: "quote",
					category: "hope",
				}),
				"nourishment",
			);
			const person = crowd[i] as TestUser;
			if (i > 0)
				await ok(
					as(person, "POST", "/teamup/projects", { title: `Project ${i}`, project_type: "creative" }),
					"project",
				);
		});
		await readAll(hub, "/nourishment");
		await readAll(hub, "/teamup/projects");

		// A hundred-plus groups and verified guides (their owners and profiles set up as approvals leave them).
		await env.DB.prepare(
			`UPDATE users SET trust_level = 'good_soil', role = 'guide' WHERE id IN (SELECT value FROM json_each(?))`,
		)
			.bind(JSON.stringify(crowd.map((user) => user.id)))
			.run();
		const now = new Date().toISOString();
		await env.DB.batch(
			crowd.map((person) =>
				env.DB.prepare(
					`INSERT INTO guide_profiles (id, user_id, headline, specialties, experience, availability, accepting_mentees, max_mentees, created_at, updated_at)
					 VALUES (?, ?, 'Here to help', '["grief"]', '', 'weekends', 1, 200, ?, ?)`,
				).bind(crypto.randomUUID(), person.id, now, now),
			),
		);
		await many(N, (i) =>
			ok(
				as(crowd[i] as TestUser, "POST", "/fellowship/groups", {
					name: `Group ${i}`,
					group_type: "interest",
				}),
				"group",
			),
		);
		for (const sort of ["newest", "popular"]) await readAll(hub, `/fellowship/groups?sort=${sort}`);
		// Recommendations are one ranked page, not a cursor.
		const recommended = await expectStatus<Page>(
			await as(hub, "GET", "/fellowship/groups?sort=recommended&limit=100"),
			200,
		);
		expect(recommended.data.length).toBeGreaterThan(0);
		await readAll(hub, "/orchard/guides?sort=name");
		await expectStatus(await as(hub, "GET", "/orchard/guides?sort=recommended&limit=100"), 200);
		for (const kind of ["groups", "projects", "guides", "nourishment"]) {
			const page = await expectStatus<Page>(
				await as(hub, "GET", `/recommendations?kind=${kind}&limit=50`),
				200,
			);
			expect(page.data.length, kind).toBeGreaterThan(0);
		}
	});

	it("a guide's hundred-plus mentorship requests", async () => {
		const guide = crowd[0] as TestUser;
		const mentees = [...crowd.slice(1), owner];
		await many(mentees.length, (i) =>
			ok(
				as(mentees[i] as TestUser, "POST", "/orchard/mentorships", {
					guide_id: guide.id,
					goals: `Goal ${i}`,
				}),
				"mentorship",
			),
		);
		const page = await expectStatus<Page>(
			await as(guide, "GET", "/orchard/mentorships?role=guide&limit=100"),
			200,
		);
		expect(page.data.length).toBe(100);
		expect(page.next_cursor).toBeTruthy();
	});
});

describe("a garden at its limits", () => {
	it("holds 100 habits (each logged) in one read, refuses the 101st, and pages a hundred-plus logs", async () => {
		const gardener = await signUp("bulk-gardener");
		const habits: string[] = new Array(100);
		await many(100, async (i) => {
			habits[i] = (
				await ok(
					as(gardener, "POST", "/garden/habits", {
						name: `Habit ${i}`,
						category: "health",
						frequency: i % 2 ? "weekdays" : "daily",
						...(i % 2 ? { weekdays: [1, 2, 3, 4, 5, 6, 7] } : {}),
						target_count: 100,
					}),
					"habit",
				)
			).id as string;
			await ok(as(gardener, "POST", `/garden/habits/${habits[i]}/logs`, {}), "log");
		});
		const garden = await expectStatus<{ habits: unknown[] }>(await as(gardener, "GET", "/garden"), 200);
		expect(garden.habits.length).toBe(100);
		const full = await as(gardener, "POST", "/garden/habits", { name: "One too many", category: "other" });
		expect(full.status).toBe(409);

		await many(N, () => ok(as(gardener, "POST", `/garden/habits/${habits[0]}/logs`, { count: 1 }), "log"));
		await readAll(gardener, `/garden/habits/${habits[0]}/logs`);
	});
});

describe("request bodies with every array at its maximum", () => {
	it("profile interests, poll options and votes, media, weekdays, guide specialties", async () => {
		const person = await signUp("bulk-arrays");
		await setUserColumns(person.id, { trust_level: "flourishing" });
		await ok(
			as(person, "PATCH", "/users/me", {
				interests: Array.from({ length: 10 }, (_, i) => `${i}${"i".repeat(29)}`),
				bio: "b".repeat(500),
			}),
			"interests",
		);
		const poll = await ok(
			as(person, "POST", "/flourish/posts", {
				type: "poll",
				body: "Which of these?",
				poll: {
					options: Array.from({ length: 6 }, (_, i) => `${i}${"o".repeat(99)}`),
					multiple_choice: true,
					closes_at: inHours(24),
				},
			}),
			"poll at 6 options",
		);
		const options = (poll.poll as { options: Array<{ id: string }> }).options.map((option) => option.id);
		expect(options.length).toBe(6);
		await ok(
			as(person, "POST", `/flourish/posts/${poll.id}/votes`, { option_ids: options }),
			"vote for all 6",
		);
		await ok(
			as(person, "POST", "/flourish/posts", {
				type: "image",
				body: "Four pictures",
				media_ids: await Promise.all(
					Array.from({ length: 4 }, async () => (await upload(person, jpeg(), "image/jpeg")).id),
				),
			}),
			"4 media",
		);
		await ok(
			as(person, "POST", "/garden/habits", {
				name: "Every day",
				category: "health",
				frequency: "weekdays",
				weekdays: [1, 2, 3, 4, 5, 6, 7],
			}),
			"7 weekdays",
		);
		await setUserColumns(person.id, { trust_level: "good_soil" });
		await ok(
			as(person, "POST", "/trust/guide-applications", {
				motivation: "m".repeat(2000),
				experience: "e".repeat(2000),
				specialties: Array.from({ length: 10 }, (_, i) => `${i}${"s".repeat(39)}`),
			}),
			"10 specialties",
		);
	});

	it("past the maximum, thousands of items are refused with 422 before any database work", async () => {
		const person = await signUp("bulk-too-many");
		const cases: Array<[string, string, unknown]> = [
			["PATCH", "/users/me", { interests: Array.from({ length: 5_000 }, (_, i) => `i${i}`) }],
			[
				"POST",
				"/garden/habits",
				{ name: "x", category: "health", frequency: "weekdays", weekdays: Array(5_000).fill(1) },
			],
			[
				"POST",
				"/flourish/posts",
				{
					type: "poll",
					body: "q",
					poll: { options: Array.from({ length: 3_000 }, (_, i) => `o${i}`), closes_at: inHours(24) },
				},
			],
			["POST", "/flourish/posts", { type: "image", media_ids: Array(1_000).fill(crypto.randomUUID()) }],
			["POST", `/flourish/posts/${firstPost}/votes`, { option_ids: Array(1_000).fill(crypto.randomUUID()) }],
		];
		for (const [method, path, body] of cases) {
			const response = await as(person, method, path, body);
			expect(response.status, `${method} ${path}`).toBe(422);
		}
	});
});

describe("the account-wide reads and writes, when the document has them", () => {
	it("exports and deletes an account that touches a hundred-plus rows of each kind", async () => {
		const operations = operationsOf(await loadDocument()).map(
			(operation) => `${operation.method} ${operation.path}`,
		);
		if (operations.includes("GET /api/v1/users/me/export")) {
			await expectStatus(await as(hub, "GET", "/users/me/export"), 200);
		}
		if (operations.includes("DELETE /api/v1/users/me")) {
			const response = await as(hub, "DELETE", "/users/me");
			expect(response.status, await response.clone().text()).toBeLessThan(300);
		}
	});
});
