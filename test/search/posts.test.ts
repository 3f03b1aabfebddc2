/**
 * `GET /search` over posts: the query language, every visibility rule of `GET /flourish/posts/{id}` (plus
 * "never held or removed"), the index following every kind of write at once, snippets and highlights, and
 * paging. Each test tags its posts with a word of its own, so other tests' posts never match.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	block,
	connect,
	createPost,
	makeGroup,
	type Post,
	readPost,
	setModerationStatus,
} from "../flourish/helpers";
import { call, expectProblem, expectStatus, setUserColumns, signUp, type TestUser } from "../support/api";
import { type Page as SearchPage, search as searchPage, tagMaker } from "./helpers";

const tag = tagMaker("zyx", "q");
type Page = SearchPage<Post>;
const search = (user: TestUser | undefined, params: Record<string, string>) => searchPage<Post>(user, params);
const ids = (page: Page) => page.data.map((result) => result.id);

describe("the query language", () => {
	it("folds case, accents and English word forms", async () => {
		const author = await signUp("search-fold");
		const t = tag();
		const post = await createPost(author, { body: `${t} Running through the CAFÉ gardens` });
		for (const q of [`${t} run`, `${t} cafe`, `${t} garden`, `${t.toUpperCase()} RUNS`])
			expect(ids(await search(author, { q })), q).toEqual([post.id]);
	});

	it("matches quoted phrases as phrases, prefixes with *, and leaves out -words", async () => {
		const author = await signUp("search-language");
		const t = tag();
		const walk = await createPost(author, { body: `${t} a gratitude walk at dawn` });
		const apart = await createPost(author, { body: `${t} walk first, then gratitude` });
		const tomato = await createPost(author, { body: `${t} tomato seedlings and gratitude` });
		expect(ids(await search(author, { q: `${t} "gratitude walk"` }))).toEqual([walk.id]);
		expect(new Set(ids(await search(author, { q: `${t} gratitude` })))).toEqual(
			new Set([walk.id, apart.id, tomato.id]),
		);
		expect(ids(await search(author, { q: `${t} seedl*` }))).toEqual([tomato.id]);
		expect(ids(await search(author, { q: `${t.slice(0, -2)}*  tomato` }))).toEqual([tomato.id]);
		expect(new Set(ids(await search(author, { q: `${t} gratitude -tomato` })))).toEqual(
			new Set([walk.id, apart.id]),
		);
		expect(ids(await search(author, { q: `${t} gratitude -"gratitude walk" -tomato` }))).toEqual([apart.id]);
	});

	it("reads FTS5 syntax typed by a person as plain words, and never answers 500", async () => {
		const author = await signUp("search-syntax");
		const t = tag();
		const post = await createPost(author, { body: `${t} near or and not: body:seeds ^2 (seeds)` });
		for (const q of [
			`${t} NEAR`,
			`${t} OR`,
			`${t} body:seeds`,
			`${t} ^seeds`,
			`(${t})`,
			`${t} AND`,
			`"${t}`,
		]) {
			expect(ids(await search(author, { q })), q).toEqual([post.id]);
		}
		const hostile = [
			'"',
			"*",
			"-",
			"NEAR(a b, 2)",
			"a OR b",
			"title:x",
			"^x",
			"(((",
			")",
			"'; DROP TABLE posts; --",
			"\u0000x",
			"🌱 🌻",
			"\u202Eevil",
			"a\u200Bb",
			"x".repeat(200),
			"- - - -",
			'"unterminated phrase',
			"**x**",
			"x* * *",
			"NOT x",
			"\\",
			"%_%",
		];
		for (const q of hostile) {
			const response = await call("GET", `/api/v1/search?q=${encodeURIComponent(q)}`, {
				token: author.token,
			});
			expect([200, 422], q).toContain(response.status);
			if (response.status === 422) await expectProblem(response, 422);
		}
	});

	it("answers 422 for an empty, too long, wordless or exclusions-only query", async () => {
		const user = await signUp("search-422");
		for (const q of ["", "x".repeat(201), "!!! ???", "-alone", '-"only this"']) {
			const problem = await expectProblem(
				await call("GET", `/api/v1/search?q=${encodeURIComponent(q)}`, { token: user.token }),
				422,
			);
			expect(JSON.stringify(problem.errors), q).toContain("query/q");
		}
		await expectProblem(await call("GET", "/api/v1/search", { token: user.token }), 422);
		await expectProblem(await call("GET", "/api/v1/search?q=x&type=people", { token: user.token }), 422);
		await expectProblem(await call("GET", "/api/v1/search?q=x&sort=best", { token: user.token }), 422);
		await expectProblem(await call("GET", "/api/v1/search?q=x&limit=51", { token: user.token }), 422);
		const bad = await call("GET", "/api/v1/search?q=x&cursor=not-a-cursor", { token: user.token });
		expect([400, 422]).toContain(bad.status);
	});
});

describe("who sees a match: the rules of the post's own GET, and never held or removed", () => {
	it("private posts only to their author; connections-only to connections; group posts to members", async () => {
		const author = await signUp("search-aud-author");
		const friend = await signUp("search-aud-friend");
		const member = await signUp("search-aud-member");
		const stranger = await signUp("search-aud-stranger");
		await connect(author, friend);
		const groupId = await makeGroup(author, [member]);
		const t = tag();
		const journal = await createPost(author, { body: `${t} my journal`, visibility: "private" });
		const close = await createPost(author, { body: `${t} for friends`, visibility: "connections" });
		const grouped = await createPost(author, {
			body: `${t} for the group`,
			visibility: "group",
			group_id: groupId,
		});
		const open = await createPost(author, { body: `${t} for everyone` });
		const seen = async (user: TestUser) => new Set(ids(await search(user, { q: t, limit: "50" })));
		expect(await seen(author)).toEqual(new Set([journal.id, close.id, grouped.id, open.id]));
		expect(await seen(friend)).toEqual(new Set([close.id, open.id]));
		expect(await seen(member)).toEqual(new Set([grouped.id, open.id]));
		expect(await seen(stranger)).toEqual(new Set([open.id]));
		// Every result is one the reader could open.
		for (const user of [friend, member, stranger])
			for (const id of await seen(user)) expect((await readPost(user, id)).status).toBe(200);
	});

	it("hides posts across a block, in either direction", async () => {
		const author = await signUp("search-block-author");
		const blocker = await signUp("search-blocker");
		const blocked = await signUp("search-blocked");
		await block(blocker, author);
		await block(author, blocked);
		const t = tag();
		await createPost(author, { body: `${t} across a block` });
		expect(ids(await search(blocker, { q: t }))).toEqual([]);
		expect(ids(await search(blocked, { q: t }))).toEqual([]);
	});

	it("never shows what moderation holds or removed, not even to its author or a guardian", async () => {
		const author = await signUp("search-held-author");
		const guardian = await signUp("search-held-guardian");
		await setUserColumns(guardian.id, { role: "guardian", trust_level: "flourishing" });
		const t = tag();
		const held = await createPost(author, { body: `${t} held back` });
		const removed = await createPost(author, { body: `${t} taken down` });
		const fine = await createPost(author, { body: `${t} all fine` });
		await setModerationStatus("posts", held.id, "hidden");
		await setModerationStatus("posts", removed.id, "removed");
		for (const user of [author, guardian]) expect(ids(await search(user, { q: t }))).toEqual([fine.id]);
		// Restored by a guardian: found again, with no rebuild.
		await setModerationStatus("posts", held.id, "clean");
		expect(new Set(ids(await search(author, { q: t })))).toEqual(new Set([held.id, fine.id]));
	});

	it("shows spiritual posts only to people who opted in", async () => {
		const author = await signUp("search-spirit-author");
		const believer = await signUp("search-believer");
		const other = await signUp("search-other");
		await setUserColumns(believer.id, { spiritual_opt_in: 1 });
		const t = tag();
		const prayer = await createPost(author, { body: `${t} a prayer for the week`, is_spiritual: true });
		expect(ids(await search(believer, { q: t }))).toEqual([prayer.id]);
		expect(ids(await search(other, { q: t }))).toEqual([]);
	});

	it("shows no posts to a caller without a token (posts are for signed-in people)", async () => {
		const author = await signUp("search-anon-author");
		const t = tag();
		await createPost(author, { body: `${t} public post` });
		expect(await search(undefined, { q: t })).toEqual({ data: [], next_cursor: null });
	});
});

describe("the index follows every write at once", () => {
	it("an edit: the old words no longer find the post, the new ones do, and the snippet is the new text", async () => {
		const author = await signUp("search-edit");
		const t = tag();
		const post = await createPost(author, { body: `${t} original sunflower words` });
		expect(ids(await search(author, { q: `${t} sunflower` }))).toEqual([post.id]);
		await expectStatus(
			await call("PATCH", `/api/v1/flourish/posts/${post.id}`, {
				token: author.token,
				body: { body: `${t} rewritten lavender words` },
			}),
			200,
		);
		expect(ids(await search(author, { q: `${t} sunflower` }))).toEqual([]);
		const page = await search(author, { q: `${t} lavender` });
		expect(ids(page)).toEqual([post.id]);
		expect(page.data[0]?.snippet).not.toContain("sunflower");
	});

	it("a deletion: gone from search immediately", async () => {
		const author = await signUp("search-delete");
		const t = tag();
		const post = await createPost(author, { body: `${t} soon deleted` });
		expect((await call("DELETE", `/api/v1/flourish/posts/${post.id}`, { token: author.token })).status).toBe(
			204,
		);
		expect(ids(await search(author, { q: t }))).toEqual([]);
	});

	it("an account's erasure: its posts are gone from search", async () => {
		const author = await signUp("search-erase");
		const reader = await signUp("search-erase-reader");
		const t = tag();
		await createPost(author, { body: `${t} words of a person who leaves` });
		expect(ids(await search(reader, { q: t }))).toHaveLength(1);
		expect((await call("DELETE", "/api/v1/users/me", { token: author.token })).status).toBe(204);
		expect(ids(await search(reader, { q: t }))).toEqual([]);
	});

	it("erased words leave the index's storage itself, not only its results (FTS5 secure-delete)", async () => {
		const author = await signUp("search-secure-delete");
		// Long and unique, so its tail is stored as written whatever term precedes it in a segment; ending in a
		// digit, so the stemmer leaves it whole.
		const word = (suffix: string) => `${tag()}erasedsecret${suffix}`;
		const [edited, deleted, erased] = [word("edited7"), word("deleted7"), word("erased7")];
		const stored = async (text: string) =>
			(
				await env.DB.prepare(
					"SELECT count(*) AS n FROM search_index_data WHERE instr(hex(block), hex(?)) > 0",
				)
					.bind(`erasedsecret${text}`)
					.first<{ n: number }>()
			)?.n ?? 0;
		const first = await createPost(author, { body: `${edited} sunrise` });
		const second = await createPost(author, { body: `${deleted} sunrise` });
		await createPost(author, { body: `${erased} sunrise` });
		for (const text of ["edited7", "deleted7", "erased7"])
			expect(await stored(text), text).toBeGreaterThan(0);

		await expectStatus(
			await call("PATCH", `/api/v1/flourish/posts/${first.id}`, {
				token: author.token,
				body: { body: "sunrise, said differently" },
			}),
			200,
		);
		expect(await stored("edited7")).toBe(0);
		await env.DB.prepare("DELETE FROM posts WHERE id = ?").bind(second.id).run();
		expect(await stored("deleted7")).toBe(0);
		expect((await call("DELETE", "/api/v1/users/me", { token: author.token })).status).toBe(204);
		expect(await stored("erased7")).toBe(0);
	});
});

describe("results", () => {
	it("carry the post as its own GET returns it, a plain snippet of at most 240 characters, and highlights", async () => {
		const author = await signUp("search-result");
		const reader = await signUp("search-result-reader");
		const t = tag();
		const long = `${"Quiet morning words before the match. ".repeat(8)}${t} the Gardens bloomed <b>bold</b> ${"and then more words after it. ".repeat(8)}`;
		const post = await createPost(author, { body: long });
		const [result] = (await search(reader, { q: `${t} garden` })).data;
		expect(result).toMatchObject({ type: "post", id: post.id, title: null });
		expect(result?.item).toEqual(await expectStatus(await readPost(reader, post.id), 200));
		expect(result?.snippet.length).toBeLessThanOrEqual(240);
		expect(result?.snippet).toContain("<b>bold</b>");
		const marked = (result?.highlights ?? []).map(([start, end]) =>
			result?.snippet.slice(start, end).toLowerCase(),
		);
		expect(marked).toEqual(expect.arrayContaining([t, "gardens"]));
		expect(result?.score).toBeGreaterThan(0);
	});

	it("page with a cursor, without repeats or gaps, by relevance and newest first", async () => {
		const author = await signUp("search-pages");
		const t = tag();
		const made: string[] = [];
		for (let i = 0; i < 5; i++) made.push((await createPost(author, { body: `${t} note ${i}` })).id);
		for (const sort of ["relevance", "recent"]) {
			const seen: string[] = [];
			let cursor: string | null = null;
			let pages = 0;
			do {
				const page: Page = await search(author, { q: t, sort, limit: "2", ...(cursor ? { cursor } : {}) });
				seen.push(...ids(page));
				cursor = page.next_cursor;
				pages++;
			} while (cursor && pages < 10);
			expect(pages, sort).toBe(3);
			expect(new Set(seen), sort).toEqual(new Set(made));
			expect(seen, sort).toHaveLength(5);
			if (sort === "recent") expect(seen).toEqual([...made].reverse());
		}
	});
});
