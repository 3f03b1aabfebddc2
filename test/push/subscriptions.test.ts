/**
 * The push endpoints: the VAPID public key, my subscriptions (saved, listed, deleted, at most 10, moved to
 * whoever registers the same browser with the same keys) and the test push. Abuse first: the endpoint is a
 * URL the Worker will POST to, so anything off the browsers' push services (and the test allowlist,
 * `https://push.test`) is refused when saved, as are keys that cannot be encrypted to.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../../src/lib/web-push";
import { TIGHT_LIMIT } from "../rate-limits/tight-limiter";
import { call, callWithConfig, expectProblem, expectStatus, signUp, type TestUser } from "../support/api";
import { mySubscriptions, type SavedSubscription, subscribe, subscribeBody, subscriptionRows } from "./flows";
import { newReceiver, PUSH_TEST_ORIGIN } from "./helpers";

const SUBSCRIPTIONS = "/api/v1/push/subscriptions";

const post = (user: TestUser, body: unknown) => call("POST", SUBSCRIPTIONS, { token: user.token, body });

/** A valid key pair's fields, for bodies that vary only the endpoint. */
async function validKeys() {
	return (await newReceiver()).subscription.keys;
}

describe("abuse: what the subscription endpoints refuse", () => {
	it("every push endpoint wants a token (401), except the public key", async () => {
		const receiver = await newReceiver();
		await expectProblem(await call("POST", SUBSCRIPTIONS, { body: subscribeBody(receiver) }), 401);
		await expectProblem(await call("GET", SUBSCRIPTIONS), 401);
		await expectProblem(await call("DELETE", `${SUBSCRIPTIONS}/${crypto.randomUUID()}`), 401);
		await expectProblem(await call("POST", "/api/v1/push/test"), 401);
		await expectStatus(await call("GET", "/api/v1/push/public-key"), 200);
	});

	it.each([
		["plain http on the allowlisted host", "http://push.test/push/x"],
		["the cloud metadata address", "https://169.254.169.254/latest/meta-data/"],
		["loopback", "https://127.0.0.1/push/x"],
		["a host on no allowlist", "https://evil.com/push/x"],
		["a known push host as a prefix of another", "https://fcm.googleapis.com.evil.com/fcm/send/x"],
		["the allowlisted host on another port", "https://push.test:8443/push/x"],
		["a push service on another port", "https://fcm.googleapis.com:8443/fcm/send/x"],
		["userinfo in front of another host", "https://fcm.googleapis.com@evil.com/fcm/send/x"],
		["not canonical (upper case host)", "https://PUSH.TEST/push/x"],
		["not a URL", "push.test/push/x"],
	])("refuses an endpoint that is %s (422), and stores nothing", async (_, endpoint) => {
		const user = await signUp("push-ssrf");
		const problem = await expectProblem(
			await post(user, { endpoint, expirationTime: null, keys: await validKeys() }),
			422,
		);
		expect(problem.errors?.map((e) => e.field)).toContain("endpoint");
		expect(await subscriptionRows(user.id)).toEqual([]);
	});

	it("refuses keys that cannot be encrypted to (422, never 500)", async () => {
		const user = await signUp("push-badkeys");
		const receiver = await newReceiver();
		const { p256dh, auth } = receiver.subscription.keys;
		const point = fromBase64Url(p256dh) ?? new Uint8Array();
		const offCurve = new Uint8Array(65).fill(0xff);
		offCurve[0] = 0x04;
		const compressed = new Uint8Array(point.slice(0, 33));
		compressed[0] = 0x02;
		const bad: Array<[string, { p256dh: string; auth: string }]> = [
			["p256dh one byte short", { p256dh: toBase64Url(point.slice(0, 64)), auth }],
			["p256dh compressed", { p256dh: toBase64Url(compressed), auth }],
			["p256dh not on the curve", { p256dh: toBase64Url(offCurve), auth }],
			["p256dh not base64url", { p256dh: `${p256dh.slice(0, -2)}+/`, auth }],
			["p256dh empty", { p256dh: "", auth }],
			["auth 15 bytes", { p256dh, auth: toBase64Url(new Uint8Array(15)) }],
			["auth 17 bytes", { p256dh, auth: toBase64Url(new Uint8Array(17)) }],
			["auth not base64url", { p256dh, auth: "!!!!!!!!!!!!!!!!!!!!!!" }],
		];
		for (const [what, keys] of bad) {
			const response = await post(user, {
				endpoint: receiver.subscription.endpoint,
				expirationTime: null,
				keys,
			});
			expect(response.status, what).toBe(422);
			await expectProblem(response, 422);
		}
		expect(await subscriptionRows(user.id)).toEqual([]);
	});

	it("refuses a body that is not a subscription (422): missing fields, wrong types, an expiry in the past", async () => {
		const user = await signUp("push-badbody");
		const receiver = await newReceiver();
		const { endpoint, keys } = receiver.subscription;
		const bodies: Array<[string, unknown]> = [
			["empty", {}],
			["no endpoint", { expirationTime: null, keys }],
			["no keys", { endpoint, expirationTime: null }],
			["no auth", { endpoint, expirationTime: null, keys: { p256dh: keys.p256dh } }],
			["no p256dh", { endpoint, expirationTime: null, keys: { auth: keys.auth } }],
			["keys a string", { endpoint, expirationTime: null, keys: "x" }],
			["endpoint a number", { endpoint: 42, expirationTime: null, keys }],
			["expirationTime a string", { endpoint, expirationTime: "tomorrow", keys }],
			["expirationTime in the past", { endpoint, expirationTime: Date.now() - 60_000, keys }],
			["expirationTime negative", { endpoint, expirationTime: -1, keys }],
			["an array", [endpoint]],
			["a server-owned field", { endpoint, expirationTime: null, keys, user_id: crypto.randomUUID() }],
			["an unknown key field", { endpoint, expirationTime: null, keys: { ...keys, kid: "x" } }],
		];
		for (const [what, body] of bodies) {
			const response = await post(user, body);
			expect(response.status, what).toBe(422);
			await expectProblem(response, 422);
		}
		const malformed = await call("POST", SUBSCRIPTIONS, { token: user.token, rawBody: "{not json" });
		expect([400, 422]).toContain(malformed.status);
		expect(await subscriptionRows(user.id)).toEqual([]);
	});

	it("someone else's endpoint with other keys: 409, and the owner keeps it", async () => {
		const owner = await signUp("push-owner");
		const intruder = await signUp("push-intruder");
		const receiver = await newReceiver();
		const saved = await subscribe(owner, receiver);
		const problem = await expectProblem(
			await post(intruder, { ...subscribeBody(receiver), keys: await validKeys() }),
			409,
		);
		expect(problem.detail).toBeTruthy();
		expect((await mySubscriptions(owner)).map((s) => s.id)).toEqual([saved.id]);
		expect(await mySubscriptions(intruder)).toEqual([]);
		// Pushes still go to the owner's browser, with the owner's keys.
		const result = await expectStatus(await call("POST", "/api/v1/push/test", { token: owner.token }), 200);
		expect(result).toEqual({ subscriptions: 1, accepted: 1, removed: 0 });
		expect((await receiver.inbox()).failures).toEqual([]);
	});

	it("deleting someone else's subscription: 404, and theirs still exists", async () => {
		const owner = await signUp("push-del-owner");
		const other = await signUp("push-del-other");
		const saved = await subscribe(owner, await newReceiver());
		await expectProblem(await call("DELETE", `${SUBSCRIPTIONS}/${saved.id}`, { token: other.token }), 404);
		await expectProblem(
			await call("DELETE", `${SUBSCRIPTIONS}/${crypto.randomUUID()}`, { token: other.token }),
			404,
		);
		const notAnId = await call("DELETE", `${SUBSCRIPTIONS}/not-an-id`, { token: other.token });
		expect([400, 404, 422]).toContain(notAnId.status);
		expect((await mySubscriptions(owner)).map((s) => s.id)).toEqual([saved.id]);
	});
});

describe("GET /push/public-key", () => {
	it("answers this deployment's VAPID key without a token: an uncompressed P-256 point", async () => {
		const body = await expectStatus<{ public_key: string }>(
			await call("GET", "/api/v1/push/public-key"),
			200,
		);
		expect(Object.keys(body)).toEqual(["public_key"]);
		expect(body.public_key).toMatch(/^[A-Za-z0-9_-]+$/);
		const point = fromBase64Url(body.public_key);
		expect(point?.length).toBe(65);
		expect(point?.[0]).toBe(0x04);
		expect(body.public_key).toBe(env.TEST_VAPID_PUBLIC_KEY);
	});
});

describe("my subscriptions", () => {
	it("saves one (201), the same endpoint again is the same one (200), and lists it", async () => {
		const user = await signUp("push-save");
		const receiver = await newReceiver();
		const created = await subscribe(user, receiver);
		expect(Object.keys(created).sort()).toEqual(["created_at", "endpoint", "id"]);
		expect(created.endpoint).toBe(receiver.subscription.endpoint);
		expect(created.endpoint.startsWith(`${PUSH_TEST_ORIGIN}/`)).toBe(true);
		expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
		expect(Number.isNaN(Date.parse(created.created_at))).toBe(false);
		const expires = Date.now() + 86_400_000;
		const again = await expectStatus<SavedSubscription>(
			await post(user, subscribeBody(receiver, { expirationTime: expires })),
			200,
		);
		expect(again).toEqual(created);
		expect(await mySubscriptions(user)).toEqual([{ ...created, expiration_time: expires }]);
		// `expirationTime` may be left out (browsers without one).
		const other = await newReceiver();
		await expectStatus(await post(user, other.subscription), 201);
		expect(await mySubscriptions(user)).toHaveLength(2);
	});

	it("keeps at most 10 per person: the 11th ends the oldest", async () => {
		const user = await signUp("push-eleven");
		const keys = await validKeys();
		const saved: SavedSubscription[] = [];
		for (let i = 0; i < 11; i++) {
			const endpoint = `${PUSH_TEST_ORIGIN}/push/${crypto.randomUUID()}`;
			saved.push(
				await expectStatus<SavedSubscription>(
					await post(user, { endpoint, expirationTime: null, keys }),
					201,
				),
			);
		}
		const listed = await mySubscriptions(user);
		expect(listed).toHaveLength(10);
		const ids = listed.map((s) => s.id);
		expect(ids).not.toContain(saved[0]?.id);
		// Newest first.
		expect(ids).toEqual(
			saved
				.slice(1)
				.map((s) => s.id)
				.reverse(),
		);
	});

	it("lists mine only", async () => {
		const me = await signUp("push-list-me");
		const them = await signUp("push-list-them");
		const mine = await subscribe(me, await newReceiver());
		const theirs = await subscribe(them, await newReceiver());
		expect((await mySubscriptions(me)).map((s) => s.id)).toEqual([mine.id]);
		expect((await mySubscriptions(them)).map((s) => s.id)).toEqual([theirs.id]);
	});

	it("deletes one of mine (204), then it is gone (404 again)", async () => {
		const user = await signUp("push-delete");
		const kept = await subscribe(user, await newReceiver());
		const gone = await subscribe(user, await newReceiver());
		const response = await call("DELETE", `${SUBSCRIPTIONS}/${gone.id}`, { token: user.token });
		expect(response.status).toBe(204);
		expect(await response.text()).toBe("");
		expect((await mySubscriptions(user)).map((s) => s.id)).toEqual([kept.id]);
		await expectProblem(await call("DELETE", `${SUBSCRIPTIONS}/${gone.id}`, { token: user.token }), 404);
	});

	it("another account registering the same browser with the same keys takes it over", async () => {
		const first = await signUp("push-first");
		const second = await signUp("push-second");
		const receiver = await newReceiver();
		const original = await subscribe(first, receiver);
		const moved = await expectStatus<SavedSubscription>(await post(second, subscribeBody(receiver)), 201);
		expect(moved.endpoint).toBe(original.endpoint);
		expect(await mySubscriptions(first)).toEqual([]);
		expect((await mySubscriptions(second)).map((s) => s.id)).toEqual([moved.id]);
		// The first person's pushes no longer reach that browser; the second's do.
		expect(await expectStatus(await call("POST", "/api/v1/push/test", { token: first.token }), 200)).toEqual({
			subscriptions: 0,
			accepted: 0,
			removed: 0,
		});
		expect(await expectStatus(await call("POST", "/api/v1/push/test", { token: second.token }), 200)).toEqual(
			{ subscriptions: 1, accepted: 1, removed: 0 },
		);
		expect((await receiver.inbox()).messages).toHaveLength(1);
	});
});

describe("POST /push/test", () => {
	it("pushes a decryptable test payload to each of my subscriptions, and nobody else's", async () => {
		const me = await signUp("push-test-me");
		const them = await signUp("push-test-them");
		const phone = await newReceiver();
		const laptop = await newReceiver();
		const theirs = await newReceiver();
		await subscribe(me, phone);
		await subscribe(me, laptop);
		await subscribe(them, theirs);
		const result = await expectStatus(await call("POST", "/api/v1/push/test", { token: me.token }), 200);
		expect(result).toEqual({ subscriptions: 2, accepted: 2, removed: 0 });
		for (const receiver of [phone, laptop]) {
			const inbox = await receiver.inbox();
			expect(inbox.failures).toEqual([]);
			expect(inbox.messages).toHaveLength(1);
			const [message] = inbox.messages;
			expect(message?.payload).toMatchObject({ type: "test", notification_id: null });
			expect(Object.keys(message?.payload as object).sort()).toEqual([
				"body",
				"notification_id",
				"tag",
				"title",
				"type",
				"url",
			]);
			expect(message?.vapid).toMatchObject({ aud: PUSH_TEST_ORIGIN, sub: "mailto:push@flourish.test" });
			expect(message?.vapid.k).toBe(env.TEST_VAPID_PUBLIC_KEY);
			expect(message?.headers.ttl).toMatch(/^\d+$/);
		}
		expect((await theirs.inbox()).messages).toEqual([]);
	});

	it("with no subscription answers zeros", async () => {
		const user = await signUp("push-test-none");
		expect(await expectStatus(await call("POST", "/api/v1/push/test", { token: user.token }), 200)).toEqual({
			subscriptions: 0,
			accepted: 0,
			removed: 0,
		});
	});

	it("counts subscriptions the push service says are gone (410, 404) in `removed` and deletes them", async () => {
		const user = await signUp("push-test-gone");
		const alive = await newReceiver();
		const unsubscribed = await newReceiver();
		const unknown = await newReceiver();
		const kept = await subscribe(user, alive);
		await subscribe(user, unsubscribed);
		await subscribe(user, unknown);
		await unsubscribed.answerWith(410);
		await unknown.answerWith(404);
		const result = await expectStatus(await call("POST", "/api/v1/push/test", { token: user.token }), 200);
		expect(result).toEqual({ subscriptions: 3, accepted: 1, removed: 2 });
		expect((await mySubscriptions(user)).map((s) => s.id)).toEqual([kept.id]);
		// Nothing more goes to them.
		expect(await expectStatus(await call("POST", "/api/v1/push/test", { token: user.token }), 200)).toEqual({
			subscriptions: 1,
			accepted: 1,
			removed: 0,
		});
		expect((await unsubscribed.inbox()).messages).toHaveLength(1);
	});

	it("a subscription past its expirationTime is removed, not sent to", async () => {
		const user = await signUp("push-test-expired");
		const receiver = await newReceiver();
		const saved = await subscribe(user, receiver);
		await env.DB.prepare("UPDATE push_subscriptions SET expiration_time = ? WHERE id = ?")
			.bind(Date.now() - 1_000, saved.id)
			.run();
		expect(await expectStatus(await call("POST", "/api/v1/push/test", { token: user.token }), 200)).toEqual({
			subscriptions: 1,
			accepted: 0,
			removed: 1,
		});
		expect(await mySubscriptions(user)).toEqual([]);
		expect((await receiver.inbox()).messages).toEqual([]);
	});

	it("a 500 or 429 is neither accepted nor removed; the subscription stays", async () => {
		const user = await signUp("push-test-busy");
		const busy = await newReceiver();
		const saved = await subscribe(user, busy);
		await busy.answerWith(500);
		expect(await expectStatus(await call("POST", "/api/v1/push/test", { token: user.token }), 200)).toEqual({
			subscriptions: 1,
			accepted: 0,
			removed: 0,
		});
		await busy.answerWith(429, "30");
		expect(await expectStatus(await call("POST", "/api/v1/push/test", { token: user.token }), 200)).toEqual({
			subscriptions: 1,
			accepted: 0,
			removed: 0,
		});
		expect((await mySubscriptions(user)).map((s) => s.id)).toEqual([saved.id]);
	});

	it("is rate limited per person (429 problem+json with Retry-After)", async () => {
		const user = await signUp("push-test-limit");
		await subscribe(user, await newReceiver());
		const tight = { PUSH_TEST_USER_LIMITER: env.TEST_TIGHT_LIMITER };
		const passed: Response[] = [];
		let limited: Response | undefined;
		// The tight limiter's window follows the wall clock: the first 3 always pass, a 429 comes within 4 more.
		for (let i = 0; i < 2 * TIGHT_LIMIT + 1 && !limited; i++) {
			const response = await callWithConfig(tight, "POST", "/api/v1/push/test", { token: user.token });
			if (response.status === 429) limited = response;
			else passed.push(response);
		}
		expect(passed.length).toBeGreaterThanOrEqual(TIGHT_LIMIT);
		for (const response of passed) expect(response.status).toBe(200);
		expect(limited).toBeDefined();
		await expectProblem(limited as Response, 429);
		expect(limited?.headers.get("retry-after")).toMatch(/^\d+$/);
	});
});

describe("the OpenAPI document", () => {
	it("names every push operation", async () => {
		const doc = await expectStatus<{ paths: Record<string, Record<string, { operationId?: string }>> }>(
			await call("GET", "/api/v1/openapi.json"),
			200,
		);
		const operation = (path: string, method: string) => doc.paths[`/api/v1${path}`]?.[method]?.operationId;
		expect(operation("/push/public-key", "get")).toBe("getPushPublicKey");
		expect(operation("/push/subscriptions", "post")).toBe("createPushSubscription");
		expect(operation("/push/subscriptions", "get")).toBe("listPushSubscriptions");
		expect(operation("/push/subscriptions/{subscription_id}", "delete")).toBe("deletePushSubscription");
		expect(operation("/push/test", "post")).toBe("sendTestPush");
		const ids = Object.values(doc.paths)
			.flatMap((ops) => Object.values(ops).map((op) => op.operationId))
			.filter((id) => id !== undefined);
		expect(new Set(ids).size).toBe(ids.length);
	});
});
