/**
 * Cheap polling (src/http/etag.ts, src/http/cache-control.ts): every read that is not sensitive carries a
 * strong ETag of its own body, `If-None-Match` answers 304 with no body, and personal answers say
 * `private, no-cache`; the sensitive reads (src/http/sensitive-reads.ts) stay `private, no-store`, untagged.
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { BOOKMARK_HEADER } from "../../src/db/session";
import { EDGE_CACHE_HEADER } from "../../src/http/edge-cache";
import { entityTag, ifNoneMatchMatches } from "../../src/http/etag";
import { SENSITIVE_READS } from "../../src/http/sensitive-reads";
import { createGroup, organiser } from "../fellowship/helpers";
import { call, callWithConfig, expectStatus, ORIGIN, signUp, type TestUser } from "../support/api";

const STRONG_TAG = /^"[A-Za-z0-9_-]{22}"$/;

let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
	[alice, bob] = await Promise.all([signUp("etag-alice"), signUp("etag-bob")]);
});

const read = (path: string, user: TestUser | undefined, headers: Record<string, string> = {}) =>
	call("GET", path, { ...(user ? { token: user.token } : {}), headers });

async function tagOf(path: string, user: TestUser | undefined): Promise<{ etag: string; body: string }> {
	const response = await read(path, user);
	const body = await response.text();
	expect(response.status, `${path}: ${body}`).toBe(200);
	const etag = response.headers.get("ETag") ?? "";
	expect(etag, path).toMatch(STRONG_TAG);
	return { etag, body };
}

describe("reads a device may keep", () => {
	const personal = [
		"/api/v1/users/me",
		"/api/v1/garden",
		"/api/v1/flourish/feed",
		"/api/v1/notifications",
		"/api/v1/notifications/unread-count",
		"/api/v1/fellowship/groups",
		"/api/v1/orchard/connections",
		"/api/v1/trust/me",
	];

	it("carry an ETag and private, no-cache; the same ETag back is a 304 with no body and the same headers", async () => {
		for (const path of personal) {
			const first = await read(path, alice);
			const body = await first.text();
			expect(first.status, `${path}: ${body}`).toBe(200);
			const etag = first.headers.get("ETag") ?? "";
			expect(etag, path).toMatch(STRONG_TAG);
			// The tag is of the body itself: nothing of the request (the token) is in it.
			expect(etag, path).toBe(await entityTag(new TextEncoder().encode(body).buffer as ArrayBuffer));
			expect(first.headers.get("Cache-Control"), path).toBe("private, no-cache");

			const again = await read(path, alice, { "If-None-Match": etag });
			expect(again.status, path).toBe(304);
			expect(await again.text(), path).toBe("");
			expect(again.headers.get("ETag"), path).toBe(etag);
			expect(again.headers.get("Cache-Control"), path).toBe("private, no-cache");
			expect(again.headers.get(BOOKMARK_HEADER), path).toBeTruthy();
			expect(again.headers.get("X-Request-Id"), path).toBeTruthy();
		}
	});

	it("honour If-None-Match as RFC 9110 reads it: a list, a weak form of the tag, and *", async () => {
		const { etag } = await tagOf("/api/v1/garden", alice);
		for (const header of [`"not-it", ${etag}`, `W/${etag}`, `${etag},"other"`, "*"]) {
			const response = await read("/api/v1/garden", alice, { "If-None-Match": header });
			expect(response.status, header).toBe(304);
			expect(await response.text(), header).toBe("");
		}
		for (const header of ['"not-it"', `"${etag}"`, "", "W/", `${etag.slice(0, -2)}"`]) {
			const response = await read("/api/v1/garden", alice, { "If-None-Match": header });
			expect(response.status, header).toBe(200);
			expect(await response.text(), header).not.toBe("");
		}
	});

	it("get a new ETag when the data changes, and the old one no longer answers 304", async () => {
		const before = await tagOf("/api/v1/garden", alice);
		await expectStatus(
			await call("POST", "/api/v1/garden/habits", {
				token: alice.token,
				body: { name: "Evening walk", category: "health" },
			}),
			201,
		);
		const after = await tagOf("/api/v1/garden", alice);
		expect(after.etag).not.toBe(before.etag);
		expect(after.body).toContain("Evening walk");
		const stale = await read("/api/v1/garden", alice, { "If-None-Match": before.etag });
		expect(stale.status).toBe(200);
		expect(await stale.text()).toBe(after.body);
	});

	it("compare another caller's tag with that caller's own answer: my tag gets them their data, not a 304", async () => {
		const mine = await tagOf("/api/v1/users/me", alice);
		const theirs = await read("/api/v1/users/me", bob, { "If-None-Match": mine.etag });
		expect(theirs.status).toBe(200);
		const body = (await theirs.json()) as { id: string };
		expect(body.id).toBe(bob.id);
		expect(theirs.headers.get("ETag")).not.toBe(mine.etag);
	});

	it("answer HEAD with the GET's ETag and no body, and a matching HEAD with 304", async () => {
		const { etag } = await tagOf("/api/v1/garden", alice);
		const head = await call("HEAD", "/api/v1/garden", { token: alice.token });
		expect(head.status).toBe(200);
		expect(head.headers.get("ETag")).toBe(etag);
		expect(await head.text()).toBe("");
		const conditional = await call("HEAD", "/api/v1/garden", {
			token: alice.token,
			headers: { "If-None-Match": etag },
		});
		expect(conditional.status).toBe(304);
		expect(await conditional.text()).toBe("");
	});
});

describe("never tagged", () => {
	it("sensitive reads: private, no-store, no ETag, and If-None-Match: * still gets the answer", async () => {
		for (const path of [
			"/api/v1/support/requests",
			"/api/v1/users/me/export",
			"/api/v1/orchard/conversations",
			"/api/v1/penalties",
		]) {
			for (const headers of [{}, { "If-None-Match": "*" }] as Record<string, string>[]) {
				const response = await read(path, alice, headers);
				const body = await response.text();
				expect(response.status, `${path}: ${body}`).toBe(200);
				expect(body.length, path).toBeGreaterThan(0);
				expect(response.headers.get("Cache-Control"), path).toBe("private, no-store");
				expect(response.headers.get("ETag"), path).toBeNull();
			}
		}
	});

	it("a chat history: private, no-store, no ETag", async () => {
		const [one, two] = await Promise.all([signUp("etag-chat-a"), signUp("etag-chat-b")]);
		const { connect } = await import("../orchard/helpers");
		await connect(one, two);
		const response = await read(`/api/v1/orchard/conversations/${two.id}/messages`, one, {
			"If-None-Match": "*",
		});
		expect(response.status).toBe(200);
		expect(response.headers.get("Cache-Control")).toBe("private, no-store");
		expect(response.headers.get("ETag")).toBeNull();
		await response.body?.cancel();
	});

	it("a read with an anonymous support token, even a wrong one", async () => {
		const response = await call("GET", `/api/v1/support/requests/${crypto.randomUUID()}`, {
			headers: { "X-Support-Token": "not-the-token", "If-None-Match": "*" },
		});
		expect(response.status).toBeGreaterThanOrEqual(400);
		expect(response.headers.get("ETag")).toBeNull();
		expect(response.headers.get("Cache-Control")).toBe("private, no-store");
		await response.body?.cancel();
	});

	it("errors and writes: no ETag, no 304, private, no-store", async () => {
		const missing = await read(`/api/v1/garden/habits/${crypto.randomUUID()}`, alice, {
			"If-None-Match": "*",
		});
		expect(missing.status).toBe(404);
		expect(missing.headers.get("ETag")).toBeNull();
		expect(missing.headers.get("Cache-Control")).toBe("private, no-store");
		await missing.body?.cancel();

		const write = await call("POST", "/api/v1/garden/habits", {
			token: alice.token,
			body: { name: "Stretch", category: "health" },
			headers: { "If-None-Match": "*" },
		});
		expect(write.status).toBe(201);
		expect(write.headers.get("ETag")).toBeNull();
		expect(write.headers.get("Cache-Control")).toBe("private, no-store");
		await write.body?.cancel();
	});

	it("a WebSocket upgrade: 101, untouched", async () => {
		const { ticket } = await expectStatus<{ ticket: string }>(
			await call("POST", "/api/v1/stream/tickets", { token: alice.token }),
			201,
		);
		const response = await exports.default.fetch(
			new Request(`${ORIGIN}/api/v1/stream?ticket=${ticket}`, {
				headers: { Upgrade: "websocket", "If-None-Match": "*" },
			}),
		);
		expect(response.status).toBe(101);
		expect(response.headers.get("ETag")).toBeNull();
		response.webSocket?.accept();
		response.webSocket?.close(1000, "done");
	});
});

describe("anonymous public reads", () => {
	it("edge-cached answers carry the same ETag from the Worker and from the cache, and revalidate to 304", async () => {
		const owner = await organiser("etag-group-owner");
		const group = await createGroup(owner, { name: "Tagged walkers" });
		const path = `/api/v1/fellowship/groups/${group.id}`;
		const first = await callWithConfig({}, "GET", path);
		const body = await first.text();
		expect(first.status, body).toBe(200);
		const etag = first.headers.get("ETag") ?? "";
		expect(etag).toMatch(STRONG_TAG);

		const second = await callWithConfig({}, "GET", path);
		expect(second.headers.get(EDGE_CACHE_HEADER)).toBe("hit");
		expect(second.headers.get("ETag")).toBe(etag);
		expect(await second.text()).toBe(body);

		const revalidated = await callWithConfig({}, "GET", path, { headers: { "If-None-Match": etag } });
		expect(revalidated.status).toBe(304);
		expect(await revalidated.text()).toBe("");
		expect(revalidated.headers.get("ETag")).toBe(etag);
		expect(revalidated.headers.get("Cache-Control")).toMatch(/^public, max-age=0, s-maxage=\d+$/);
		expect(revalidated.headers.get("Vary")).toContain("Authorization");
	});
});

describe("from a browser", () => {
	it("may send If-None-Match and read the ETag across origins", async () => {
		const preflight = await call("OPTIONS", "/api/v1/garden", {
			headers: {
				Origin: "https://app.flourish.test",
				"Access-Control-Request-Method": "GET",
				"Access-Control-Request-Headers": "authorization, if-none-match",
			},
		});
		expect(preflight.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("if-none-match");
		const response = await read("/api/v1/garden", alice, { Origin: "https://app.flourish.test" });
		expect(response.headers.get("Access-Control-Expose-Headers")?.toLowerCase()).toContain("etag");
		await response.body?.cancel();
	});
});

describe("If-None-Match matching", () => {
	it("follows RFC 9110 §13.1.2", () => {
		expect(ifNoneMatchMatches("*", '"a"')).toBe(true);
		expect(ifNoneMatchMatches(' "b" , W/"a"', '"a"')).toBe(true);
		expect(ifNoneMatchMatches('"a,b"', '"a"')).toBe(false);
		expect(ifNoneMatchMatches('"a,b"', '"a,b"')).toBe(true);
		expect(ifNoneMatchMatches("a", '"a"')).toBe(false);
		expect(ifNoneMatchMatches('"ab"', '"a"')).toBe(false);
	});
});

describe("the OpenAPI document", () => {
	type Operation = {
		parameters?: Array<{ name: string; in: string }>;
		responses: Record<string, { headers?: Record<string, unknown> }>;
	};
	let paths: Record<string, { get?: Operation }>;

	beforeAll(async () => {
		paths = (await expectStatus<{ paths: typeof paths }>(await call("GET", "/api/v1/openapi.json"), 200))
			.paths;
	});

	it("declares If-None-Match, the ETag header and the 304 on the reads that have them", () => {
		for (const path of ["/api/v1/garden", "/api/v1/flourish/feed", "/api/v1/fellowship/groups/{group_id}"]) {
			const get = paths[path]?.get;
			expect(get, path).toBeDefined();
			expect(
				get?.parameters?.some((p) => p.in === "header" && p.name === "If-None-Match"),
				path,
			).toBe(true);
			expect(get?.responses["200"]?.headers?.ETag, path).toBeDefined();
			expect(get?.responses["304"], path).toBeDefined();
		}
	});

	it("lists every sensitive read as a real GET, without ETag or 304", () => {
		for (const path of Object.keys(SENSITIVE_READS)) {
			const get = paths[`/api/v1${path}`]?.get;
			expect(get, path).toBeDefined();
			expect(get?.parameters?.some((p) => p.name === "If-None-Match") ?? false, path).toBe(false);
			expect(get?.responses["200"]?.headers?.ETag, path).toBeUndefined();
			expect(get?.responses["304"], path).toBeUndefined();
		}
	});

	it("declares no ETag on WebSocket upgrades", () => {
		for (const path of ["/api/v1/stream", "/api/v1/orchard/conversations/{user_id}/ws"]) {
			expect(paths[path]?.get?.responses["304"], path).toBeUndefined();
		}
	});
});
