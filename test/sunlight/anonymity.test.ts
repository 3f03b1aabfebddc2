/**
 * Anonymous shares never reveal their author to anyone else — not in the list, the detail, a reaction
 * answer, an edit or a delete refusal — while the author still sees, edits and deletes them. The check is
 * on the raw response text: neither the author's id nor their display name may appear anywhere in it.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { type Share, share } from "./helpers";

let author: TestUser;
let displayName: string;
let anonymous: Share;

beforeAll(async () => {
	author = await signUp("anon-author");
	displayName = "Quiet Gardener Marigold";
	await call("PATCH", "/api/v1/users/me", { token: author.token, body: { display_name: displayName } });
	anonymous = await share(author, { share_type: "win", body: "Ninety days sober today", anonymous: true });
	await share(author, { share_type: "kindness", body: "Helped a neighbour", anonymous: true });
});

/** Fails when the text of a response names the author in any way. */
async function expectNoAuthor(response: Response, status: number): Promise<string> {
	const text = await response.text();
	expect(response.status, text).toBe(status);
	expect(text).not.toContain(author.id);
	expect(text).not.toContain(displayName);
	expect(text).not.toContain(author.sub);
	return text;
}

describe("to everyone else", () => {
	const viewers = ["member", "guardian"] as const;

	for (const kind of viewers) {
		it(`the ${kind} never sees who wrote an anonymous share, in any response`, async () => {
			const viewer = await signUp(`anon-${kind}`);
			if (kind === "guardian") await setUserColumns(viewer.id, { role: "guardian" });
			const token = viewer.token;

			const list = JSON.parse(
				await expectNoAuthor(await call("GET", "/api/v1/sunlight?limit=100", { token }), 200),
			) as {
				data: Share[];
			};
			const listed = list.data.find((item) => item.id === anonymous.id);
			expect(listed).toMatchObject({ anonymous: true, author: null, is_mine: false });

			await expectNoAuthor(await call("GET", "/api/v1/sunlight?share_type=win", { token }), 200);
			const detail = JSON.parse(
				await expectNoAuthor(await call("GET", `/api/v1/sunlight/${anonymous.id}`, { token }), 200),
			) as Share;
			expect(detail).toMatchObject({ author: null, is_mine: false });

			await expectNoAuthor(
				await call("PUT", `/api/v1/sunlight/${anonymous.id}/reactions/hug`, { token }),
				200,
			);
			await expectNoAuthor(
				await call("DELETE", `/api/v1/sunlight/${anonymous.id}/reactions/hug`, { token }),
				204,
			);
			await expectNoAuthor(
				await call("PUT", `/api/v1/sunlight/${anonymous.id}/reactions/celebrate`, { token }),
				200,
			);
			await expectNoAuthor(
				await call("PATCH", `/api/v1/sunlight/${anonymous.id}`, { token, body: { body: "Hijacked" } }),
				403,
			);
		});
	}

	it("a user the author blocked sees the anonymous share like anyone else (a gap would give the author away)", async () => {
		const blocked = await signUp("anon-blocked");
		await env.DB.prepare("INSERT INTO blocks (id, blocker_id, blocked_id, created_at) VALUES (?, ?, ?, ?)")
			.bind(crypto.randomUUID(), author.id, blocked.id, new Date().toISOString())
			.run();
		await expectNoAuthor(
			await call("GET", `/api/v1/sunlight/${anonymous.id}`, { token: blocked.token }),
			200,
		);
	});
});

describe("to the author", () => {
	it("shows the author as theirs, and lets them edit and delete it", async () => {
		const mine = await expectStatus<Share>(
			await call("GET", `/api/v1/sunlight/${anonymous.id}`, { token: author.token }),
			200,
		);
		expect(mine).toMatchObject({ anonymous: true, is_mine: true, author: { id: author.id } });
		const edited = await expectStatus<Share>(
			await call("PATCH", `/api/v1/sunlight/${anonymous.id}`, {
				token: author.token,
				body: { body: "Ninety-one days sober today" },
			}),
			200,
		);
		expect(edited).toMatchObject({ body: "Ninety-one days sober today", anonymous: true });

		const other = await signUp("anon-after-edit");
		await expectNoAuthor(await call("GET", `/api/v1/sunlight/${anonymous.id}`, { token: other.token }), 200);

		expect((await call("DELETE", `/api/v1/sunlight/${anonymous.id}`, { token: author.token })).status).toBe(
			204,
		);
		await expectProblem(await call("GET", `/api/v1/sunlight/${anonymous.id}`, { token: other.token }), 404);
	});

	it("can reveal a share by editing `anonymous`, and only then do others see the name", async () => {
		const revealed = await share(author, { body: "Finished my first 10k", anonymous: true });
		const other = await signUp("anon-reveal-viewer");
		await expectNoAuthor(await call("GET", `/api/v1/sunlight/${revealed.id}`, { token: other.token }), 200);
		await expectStatus(
			await call("PATCH", `/api/v1/sunlight/${revealed.id}`, {
				token: author.token,
				body: { anonymous: false },
			}),
			200,
		);
		const read = await expectStatus<Share>(
			await call("GET", `/api/v1/sunlight/${revealed.id}`, { token: other.token }),
			200,
		);
		expect(read.author?.id).toBe(author.id);
	});
});
