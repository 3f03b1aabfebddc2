/**
 * Share the Sunlight: shares of gratitude, wins and kindness — listed newest first with a type filter and a
 * cursor, read, edited (author only, re-moderated) and deleted (author or guardian, audit-logged); blocks,
 * spiritual content and moderation hide shares as everywhere else; bad input is 4xx problem+json.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { block } from "../flourish/helpers";
import { call, expectProblem, expectStatus, setUserColumns, signUp } from "../support/api";
import { allShares, type Share, share } from "./helpers";

describe("POST /sunlight", () => {
	it("creates a share of each type, named by default", async () => {
		const author = await signUp("sun-author");
		for (const share_type of ["gratitude", "win", "kindness"]) {
			const created = await share(author, { share_type, body: `A ${share_type}` });
			expect(created).toMatchObject({
				share_type,
				anonymous: false,
				author: { id: author.id },
				is_mine: true,
				reaction_count: 0,
				my_reactions: [],
			});
			expect(created.reactions).toEqual({ sunshine: 0, heart: 0, celebrate: 0, hug: 0, inspired: 0 });
		}
	});

	it.each([
		["an unknown share type", { share_type: "rant" }],
		["a missing body", { body: undefined }],
		["a blank body", { body: "  " }],
		["an oversized body", { body: "x".repeat(1001) }],
		["an unknown field", { author_id: "someone" }],
		["a wrong type", { anonymous: "yes" }],
	])("rejects %s with 422", async (_label, body) => {
		const author = await signUp("bad-share");
		await expectProblem(
			await call("POST", "/api/v1/sunlight", {
				token: author.token,
				body: { share_type: "win", body: "Ran 5k", ...body },
			}),
			422,
		);
	});

	it("is 400 for malformed JSON, 401 anonymously, 403 when suspended", async () => {
		const author = await signUp("share-auth");
		await expectProblem(await call("POST", "/api/v1/sunlight", { token: author.token, rawBody: "{" }), 400);
		await expectProblem(
			await call("POST", "/api/v1/sunlight", { body: { share_type: "win", body: "x" } }),
			401,
		);
		await setUserColumns(author.id, { suspended_until: "2999-01-01T00:00:00.000Z" });
		await expectProblem(
			await call("POST", "/api/v1/sunlight", { token: author.token, body: { share_type: "win", body: "x" } }),
			403,
		);
	});

	it("answers crisis resources and raises a crisis queue item for a share that reads as a crisis", async () => {
		const author = await signUp("share-crisis");
		const created = await share(author, {
			share_type: "win",
			body: "I want to end it all. I don't want to be here anymore.",
		});
		expect(created.crisis_resources?.length).toBeGreaterThan(0);
		const item = await env.DB.prepare(
			"SELECT source FROM moderation_queue_items WHERE target_type = 'sunlight_share' AND target_id = ?",
		)
			.bind(created.id)
			.first<{ source: string }>();
		expect(item?.source).toBe("crisis");
	});
});

describe("GET /sunlight", () => {
	it("lists newest first, filters by type, and pages with a cursor without repeats", async () => {
		const author = await signUp("list-author");
		await setUserColumns(author.id, { trust_level: "growing" });
		const created: Share[] = [];
		for (let i = 0; i < 5; i++) {
			created.push(await share(author, { share_type: i % 2 ? "win" : "kindness", body: `Share ${i}` }));
		}
		const reader = await signUp("list-reader");
		const pageOne = await expectStatus<{ data: Share[]; next_cursor: string | null }>(
			await call("GET", "/api/v1/sunlight?limit=2", { token: reader.token }),
			200,
		);
		expect(pageOne.data).toHaveLength(2);
		expect(pageOne.next_cursor).not.toBeNull();
		const everything = await allShares(reader, "?limit=2");
		const mine = everything.filter((item) => item.author?.id === author.id).map((item) => item.id);
		expect(mine).toEqual(created.map((item) => item.id).reverse());
		expect(new Set(everything.map((item) => item.id)).size).toBe(everything.length);

		const wins = await allShares(reader, "?share_type=win");
		expect(wins.every((item) => item.share_type === "win")).toBe(true);
		expect(wins.map((item) => item.id)).toEqual(expect.arrayContaining([created[1]?.id, created[3]?.id]));
	});

	it("rejects an unknown type filter (422) and a tampered cursor (400)", async () => {
		const reader = await signUp("list-bad");
		await expectProblem(await call("GET", "/api/v1/sunlight?share_type=rant", { token: reader.token }), 422);
		await expectProblem(await call("GET", "/api/v1/sunlight?cursor=zzz", { token: reader.token }), 400);
		await expectProblem(await call("GET", "/api/v1/sunlight"), 401);
	});

	it("hides named shares across a block, spiritual shares from those not opted in, and hidden shares from others", async () => {
		const author = await signUp("hide-author");
		const blocked = await signUp("hide-blocked");
		const secular = await signUp("hide-secular");
		const guardian = await signUp("hide-guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		const named = await share(author, { body: "Named share" });
		const spiritual = await share(author, { body: "Blessed day", is_spiritual: true });
		const hidden = await share(author, { body: "Later hidden" });
		await env.DB.prepare("UPDATE sunlight_shares SET moderation_status = 'hidden' WHERE id = ?")
			.bind(hidden.id)
			.run();
		await block(author, blocked);

		const seenByBlocked = (await allShares(blocked)).map((item) => item.id);
		expect(seenByBlocked).not.toContain(named.id);
		await expectProblem(await call("GET", `/api/v1/sunlight/${named.id}`, { token: blocked.token }), 404);

		const seenBySecular = (await allShares(secular)).map((item) => item.id);
		expect(seenBySecular).toContain(named.id);
		expect(seenBySecular).not.toContain(spiritual.id);
		expect(seenBySecular).not.toContain(hidden.id);
		await expectProblem(await call("GET", `/api/v1/sunlight/${spiritual.id}`, { token: secular.token }), 404);

		const own = await expectStatus<Share>(
			await call("GET", `/api/v1/sunlight/${hidden.id}`, { token: author.token }),
			200,
		);
		expect(own.pending_review).toBe(true);
		expect((await allShares(guardian)).map((item) => item.id)).toContain(hidden.id);
	});
});

describe("GET /sunlight/{share_id}", () => {
	it("reads one share with its counts; unknown ids are 404, malformed 422", async () => {
		const author = await signUp("read-share");
		const created = await share(author);
		const read = await expectStatus<Share>(
			await call("GET", `/api/v1/sunlight/${created.id}`, { token: author.token }),
			200,
		);
		expect(read.id).toBe(created.id);
		await expectProblem(
			await call("GET", `/api/v1/sunlight/${crypto.randomUUID()}`, { token: author.token }),
			404,
		);
		await expectProblem(await call("GET", "/api/v1/sunlight/nope", { token: author.token }), 422);
	});
});

describe("PATCH /sunlight/{share_id}", () => {
	it("lets the author edit (moderated again) and nobody else", async () => {
		const author = await signUp("edit-share");
		const other = await signUp("edit-share-other");
		const created = await share(author, { body: "Draft thanks" });
		await env.DB.prepare("UPDATE sunlight_shares SET moderation_status = 'flagged' WHERE id = ?")
			.bind(created.id)
			.run();
		const edited = await expectStatus<Share>(
			await call("PATCH", `/api/v1/sunlight/${created.id}`, {
				token: author.token,
				body: { body: "Thankful for my neighbours", share_type: "kindness" },
			}),
			200,
		);
		expect(edited).toMatchObject({ body: "Thankful for my neighbours", share_type: "kindness" });
		expect(edited.edited_at).not.toBeNull();
		const row = await env.DB.prepare("SELECT moderation_status FROM sunlight_shares WHERE id = ?")
			.bind(created.id)
			.first<{ moderation_status: string }>();
		expect(["clean", "unchecked"]).toContain(row?.moderation_status);

		await expectProblem(
			await call("PATCH", `/api/v1/sunlight/${created.id}`, { token: other.token, body: { body: "Mine" } }),
			403,
		);
		await expectProblem(
			await call("PATCH", `/api/v1/sunlight/${created.id}`, { token: author.token, body: {} }),
			422,
		);
		await expectProblem(
			await call("PATCH", `/api/v1/sunlight/${created.id}`, {
				token: author.token,
				body: { share_type: "rant" },
			}),
			422,
		);
	});
});

describe("DELETE /sunlight/{share_id}", () => {
	it("lets the author delete; others 403; guardians delete, audit-logged; then 404", async () => {
		const author = await signUp("del-share");
		const other = await signUp("del-share-other");
		const guardian = await signUp("del-share-guardian");
		await setUserColumns(guardian.id, { role: "guardian" });
		const mine = await share(author);
		const theirs = await share(author, { body: "Reported share" });
		expect((await call("DELETE", `/api/v1/sunlight/${mine.id}`, { token: author.token })).status).toBe(204);
		await expectProblem(await call("GET", `/api/v1/sunlight/${mine.id}`, { token: author.token }), 404);
		await expectProblem(await call("DELETE", `/api/v1/sunlight/${theirs.id}`, { token: other.token }), 403);
		expect((await call("DELETE", `/api/v1/sunlight/${theirs.id}`, { token: guardian.token })).status).toBe(
			204,
		);
		const audit = await env.DB.prepare(
			"SELECT action, target_type, actor_id FROM moderation_actions WHERE target_id = ?",
		)
			.bind(theirs.id)
			.all<{ action: string; target_type: string; actor_id: string }>();
		expect(audit.results).toEqual([
			{ action: "delete_content", target_type: "sunlight_share", actor_id: guardian.id },
		]);
		const row = await env.DB.prepare("SELECT deleted_at FROM sunlight_shares WHERE id = ?")
			.bind(theirs.id)
			.first<{ deleted_at: string | null }>();
		expect(row?.deleted_at).not.toBeNull();
	});
});

describe("reactions", () => {
	it("adds each positive reaction once (idempotent), counts per type, removes idempotently", async () => {
		const author = await signUp("react-share");
		const fan = await signUp("react-fan");
		const other = await signUp("react-other");
		const created = await share(author);
		const path = `/api/v1/sunlight/${created.id}/reactions`;
		await expectStatus(await call("PUT", `${path}/sunshine`, { token: fan.token }), 200);
		const twice = await expectStatus<{
			reaction_count: number;
			reactions: Record<string, number>;
			my_reactions: string[];
		}>(await call("PUT", `${path}/sunshine`, { token: fan.token }), 200);
		expect(twice).toMatchObject({ reaction_count: 1, my_reactions: ["sunshine"] });
		await expectStatus(await call("PUT", `${path}/hug`, { token: fan.token }), 200);
		const third = await expectStatus<{ reaction_count: number; reactions: Record<string, number> }>(
			await call("PUT", `${path}/sunshine`, { token: other.token }),
			200,
		);
		expect(third.reaction_count).toBe(3);
		expect(third.reactions).toMatchObject({ sunshine: 2, hug: 1, heart: 0 });

		for (let i = 0; i < 2; i++) {
			expect((await call("DELETE", `${path}/sunshine`, { token: fan.token })).status).toBe(204);
		}
		const read = await expectStatus<Share>(
			await call("GET", `/api/v1/sunlight/${created.id}`, { token: fan.token }),
			200,
		);
		expect(read).toMatchObject({ reaction_count: 2, my_reactions: ["hug"] });
		expect(read.reactions).toMatchObject({ sunshine: 1, hug: 1 });
		const row = await env.DB.prepare("SELECT reaction_count FROM sunlight_shares WHERE id = ?")
			.bind(created.id)
			.first<{ reaction_count: number }>();
		expect(row?.reaction_count).toBe(2);
	});

	it("accepts only the positive reactions; unknown shares are 404", async () => {
		const author = await signUp("react-bad");
		const created = await share(author);
		await expectProblem(
			await call("PUT", `/api/v1/sunlight/${created.id}/reactions/angry`, { token: author.token }),
			422,
		);
		await expectProblem(
			await call("PUT", `/api/v1/sunlight/${created.id}/reactions/like`, { token: author.token }),
			422,
		);
		await expectProblem(
			await call("PUT", `/api/v1/sunlight/${crypto.randomUUID()}/reactions/heart`, { token: author.token }),
			404,
		);
		await expectProblem(await call("PUT", `/api/v1/sunlight/${created.id}/reactions/heart`), 401);
	});
});
