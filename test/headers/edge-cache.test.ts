/**
 * The edge cache (src/http/edge-cache.ts): anonymous public reads that are the same for everyone are answered
 * from the Workers Cache API for a few seconds; nothing credentialed is ever read from or stored in it.
 *
 * Each test first forgets what the cache holds for its URL (an unknown query parameter is a 422, so a URL of
 * its own cannot be made up), and its first read is a miss.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { EDGE_CACHE_HEADER } from "../../src/http/edge-cache";
import { call, callWithConfig, expectStatus, ORIGIN, setUserColumns, signUp } from "../support/api";

const ALLOWED = "https://app.flourish.test";
let unique = 0;

/** The cache's keys for `path`: the URL with its query sorted, bare or with today's UTC date (`varyOn`). */
function keysOf(path: string): string[] {
	const key = new URL(`${ORIGIN}${path}`);
	key.searchParams.sort();
	const bare = key.toString();
	key.searchParams.set("__edge", new Date().toISOString().slice(0, 10));
	return [bare, key.toString()];
}

/** `path`, with whatever the edge cache held for it forgotten. */
async function fresh(path: string): Promise<string> {
	const cache = await caches.open("flourish-public-reads");
	for (const key of keysOf(path)) await cache.delete(key);
	return path;
}

beforeAll(async () => {
	// Something for today: an evergreen item.
	const guardian = await signUp("edge-guardian");
	await setUserColumns(guardian.id, { role: "guardian" });
	await expectStatus(
		await call("POST", "/api/v1/nourishment", {
			token: guardian.token,
			body: {
				title: "Breathe",
				body: "In for four, out for six.",
				content_type: "exercise",
				category: "hope",
			},
		}),
		201,
	);
});

/** One anonymous or signed-in read, waiting for what it left to `waitUntil` (storing in the cache). */
async function read(path: string, headers: Record<string, string> = {}, token?: string) {
	const response = await callWithConfig({}, "GET", path, { headers, ...(token ? { token } : {}) });
	const body = await response.text();
	return { response, body, cache: response.headers.get(EDGE_CACHE_HEADER) };
}

describe("anonymous public reads", () => {
	it("are answered from the edge cache the second time, with the same body and a public Cache-Control", async () => {
		for (const path of [
			"/api/v1/nourishment/today",
			"/api/v1/nourishment",
			"/api/v1/fellowship/groups",
			"/api/v1/teamup/projects",
			"/api/v1/openapi.json",
		]) {
			const url = await fresh(path);
			const first = await read(url);
			expect(first.response.status, path).toBe(200);
			expect(first.cache, path).toBe("miss");
			const second = await read(url);
			expect(second.cache, path).toBe("hit");
			expect(second.body, path).toBe(first.body);
			for (const answer of [first, second]) {
				expect(answer.response.headers.get("Cache-Control"), path).toMatch(
					/^public, max-age=0, s-maxage=\d+$/,
				);
				expect(answer.response.headers.get("Vary"), path).toContain("Authorization");
				expect(answer.response.headers.get("Content-Type"), path).toContain("application/json");
			}
			expect(second.response.headers.get("X-Request-Id")).not.toBe(
				first.response.headers.get("X-Request-Id"),
			);
		}
	});

	it("keeps the request's own CORS on a cached answer: an origin never reads another origin's grant", async () => {
		const url = await fresh("/api/v1/fellowship/groups");
		const allowed = await read(url, { Origin: ALLOWED });
		expect(allowed.response.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
		const other = await read(url, { Origin: "https://evil.example" });
		expect(other.cache).toBe("hit");
		expect(other.response.headers.get("Access-Control-Allow-Origin")).toBeNull();
		expect(other.response.headers.get("Vary")).toContain("Origin");
	});

	it("shares one entry between the same query in another order, and not between different queries", async () => {
		const stamp = `${Date.now()}-${unique++}`;
		const first = await read(`/api/v1/teamup/projects?limit=5&q=${stamp}`);
		expect(first.cache).toBe("miss");
		expect((await read(`/api/v1/teamup/projects?q=${stamp}&limit=5`)).cache).toBe("hit");
		expect((await read(`/api/v1/teamup/projects?limit=6&q=${stamp}`)).cache).toBe("miss");
	});

	it("stores only successes: a 404 is asked again every time", async () => {
		const url = await fresh("/api/v1/nourishment/0190d4e2-0000-7000-8000-000000000000");
		for (let i = 0; i < 2; i++) {
			const missing = await read(url);
			expect(missing.response.status).toBe(404);
			expect(missing.cache).toBeNull();
			expect(missing.response.headers.get("Cache-Control") ?? "").not.toContain("public");
		}
	});
});

describe("never anything personal", () => {
	it("a signed-in read is neither served from nor stored in the cache, and stays private", async () => {
		const user = await signUp("edge-private");
		await setUserColumns(user.id, { spiritual_opt_in: 1 });
		const url = await fresh("/api/v1/nourishment/today");
		const anonymous = await read(url);
		expect(anonymous.cache).toBe("miss");
		for (let i = 0; i < 2; i++) {
			const mine = await read(url, {}, user.token);
			expect(mine.response.status).toBe(200);
			expect(mine.cache).toBeNull();
			// Kept on the caller's own device at most, revalidated with its ETag (http/etag).
			expect(mine.response.headers.get("Cache-Control")).toBe("private, no-cache");
		}
		// Nor did the signed-in answers replace the anonymous one.
		const again = await read(url);
		expect(again.cache).toBe("hit");
		expect(again.body).toBe(anonymous.body);
	});

	it("a read with a support token or a D1 bookmark always goes to the Worker", async () => {
		const url = await fresh("/api/v1/fellowship/groups");
		expect((await read(url)).cache).toBe("miss");
		const withSupport = await read(url, { "X-Support-Token": "not-a-real-token" });
		expect(withSupport.cache).toBeNull();
		const bookmark = "00000000-00000001-00000000-00000000000000000000000000000000";
		const withBookmark = await read(url, { "X-D1-Bookmark": bookmark });
		expect(withBookmark.cache).toBeNull();
		expect(withBookmark.response.headers.get("Cache-Control") ?? "").not.toContain("public");
	});

	it("keeps a stored copy only for the stated time: that is how long a change may take to show", async () => {
		const url = await fresh("/api/v1/nourishment");
		expect((await read(url)).cache).toBe("miss");
		// The key: the URL with its query sorted, and today's UTC date (what "today" is without a token).
		const [, key] = keysOf(url);
		const stored = await (await caches.open("flourish-public-reads")).match(key ?? "");
		expect(stored?.headers.get("Cache-Control")).toBe("public, max-age=60");
		await stored?.body?.cancel();
	});
});
