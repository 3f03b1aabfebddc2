/**
 * Tests run inside workerd (the Workers test integration) against real local D1, KV, Durable Objects
 * and the ML Worker behind the `ML` service binding. The only stand-ins are the things outside our
 * system, answering outbound traffic: the Auth0 tenant (`test/harness/auth-stub.ts`) and a Web Push
 * service (`test/harness/push-service.ts`, on `https://push.test`).
 */
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, defineProject } from "vitest/config";
import { generateVapidKeyPair } from "./scripts/lib/vapid-keys.ts";
import { createAuthStub } from "./test/harness/auth-stub.ts";
import { createPushService } from "./test/harness/push-service.ts";

const authStub = await createAuthStub();
const pushService = createPushService();
/** A VAPID key pair made for this run, never written anywhere. */
const vapid = await generateVapidKeyPair();

/** Outbound requests by origin: the push service's, or the Auth0 stub (which refuses every other origin). */
const outbound = (request: Request): Promise<Response> =>
	new URL(request.url).origin === pushService.origin ? pushService.handle(request) : authStub.handle(request);

/**
 * Test-only stand-ins for a failing ML Worker, bound as ML_THROWS, ML_HANGS and ML_GARBAGE: fault tests swap
 * one in for `ML` (test/support/api.ts `callWithConfig`) to prove that writes survive an ML outage.
 */
const faultyMl = (name: string, behaviour: string) => ({
	name,
	modules: true,
	compatibilityDate: "2026-11-01",
	script: `import { WorkerEntrypoint } from "cloudflare:workers";
const behave = ${behaviour};
export default class extends WorkerEntrypoint {
	async moderate(text) { return behave("moderate", text); }
	async embed(texts) { return behave("embed", texts); }
	async rank(query, candidates) { return behave("rank", candidates); }
	async fetch() { return behave("fetch"); }
}`,
});
const FAULTY_ML_WORKERS = [
	faultyMl("ml-throws", `(operation) => { throw new Error("flourish-ml is down (" + operation + ")"); }`),
	// Answers, but far too late: the API client gives up after ML_TIMEOUT_MS.
	faultyMl("ml-hangs", `() => new Promise((resolve) => setTimeout(() => resolve({ toxicity: 0 }), 10_000))`),
	faultyMl(
		"ml-garbage",
		`(operation, input) => operation === "moderate" ? { toxicity: "very", labels: null, selfHarmRisk: "maybe" }
			: operation === "embed" ? { model: "garbage", dims: 3, vectors: [[1, 2]] }
			: operation === "fetch" ? new Response("?", { status: 500 }) : "not a ranking"`,
	),
];

/**
 * Burst limiters for tests. The suite makes far more writes per user, and anonymous requests from one
 * "IP", than production allows in a minute, so the production bindings get generous limits here. The rate
 * limit tests prove the behaviour with TEST_TIGHT_LIMITER, swapped in through `callWithConfig`.
 */
const RATE_LIMITERS = {
	USER_WRITE_LIMITER: { namespace_id: "1001", simple: { limit: 1_000_000, period: 60 as const } },
	IP_READ_LIMITER: { namespace_id: "1002", simple: { limit: 1_000_000, period: 60 as const } },
	CHAT_MESSAGE_LIMITER: { namespace_id: "1004", simple: { limit: 1_000_000, period: 10 as const } },
	MODERATION_CHECK_USER_LIMITER: { namespace_id: "1005", simple: { limit: 1_000_000, period: 60 as const } },
	MODERATION_CHECK_IP_LIMITER: { namespace_id: "1006", simple: { limit: 1_000_000, period: 60 as const } },
	PUSH_TEST_USER_LIMITER: { namespace_id: "1007", simple: { limit: 1_000_000, period: 60 as const } },
	PUSH_TEST_IP_LIMITER: { namespace_id: "1008", simple: { limit: 1_000_000, period: 60 as const } },
	TEST_TIGHT_LIMITER: { namespace_id: "9001", simple: { limit: 3, period: 60 as const } },
};

/** The API inside workerd: every test of the Worker, its Durable Objects and the ML Worker. */
const workers = defineProject({
	plugins: [
		cloudflareTest(async () => ({
			wrangler: { configPath: "./wrangler.toml" },
			miniflare: {
				bindings: {
					TEST_MIGRATIONS: await readD1Migrations("./migrations"),
					TEST_SIGNING_KEYS: authStub.signingKeys,
					AUTH0_DOMAIN: "tenant.auth.test",
					AUTH0_AUDIENCE: "https://api.flourish.test",
					AUTH0_ISSUER: authStub.issuer,
					AUTH0_JWKS_URL: authStub.jwksUrl("default"),
					CORS_ORIGINS: "https://app.flourish.test",
					SUPPORT_HMAC_SECRET: "test-only-support-hmac-secret-0123456789abcdef",
					VAPID_PRIVATE_KEY: vapid.privateKey,
					VAPID_SUBJECT: "mailto:push@flourish.test",
					PUSH_ENDPOINT_ALLOWLIST: pushService.origin,
					TEST_VAPID_PUBLIC_KEY: vapid.publicKey,
				},
				workers: [
					{
						name: "flourish-ml",
						modules: true,
						scriptPath: "./ml/dist/index.js",
						compatibilityDate: "2026-11-01",
					},
					...FAULTY_ML_WORKERS,
				],
				serviceBindings: {
					ML: "flourish-ml",
					ML_THROWS: "ml-throws",
					ML_HANGS: "ml-hangs",
					ML_GARBAGE: "ml-garbage",
				},
				outboundService: outbound,
				ratelimits: RATE_LIMITERS,
			},
		})),
	],
	test: {
		name: "workers",
		// obscenity (the ML Worker's profanity matcher) ships CommonJS behind an ESM wrapper: pre-bundle it so
		// tests that import the model modules directly load it inside workerd (wrangler's bundle handles it).
		deps: { optimizer: { ssr: { enabled: true, include: ["obscenity"] } } },
		globalSetup: ["./test/harness/global-setup.ts"],
		setupFiles: ["./test/support/apply-migrations.ts"],
		include: [
			"test/**/*.test.ts",
			"src/**/*.test.ts",
			"durable-objects/**/*.test.ts",
			"ml/test/**/*.test.ts",
		],
		testTimeout: 30_000,
		hookTimeout: 60_000,
	},
});

/**
 * The web app's client-side logic (web/src): plain functions, in Node — no Worker runtime, no browser. The
 * browser journeys are scripts/web-journey.test.ts (Node's test runner, a real Chromium).
 */
const web = defineProject({
	test: {
		name: "web",
		environment: "node",
		include: ["web/src/**/*.test.ts"],
	},
});

/** One `vitest run` (and one JSON report, which .ci/run counts) for both projects. */
export default defineConfig({
	test: {
		projects: [workers, web],
		// One JSON line per request is the Worker's access log; in a test run it only buries the failures.
		onConsoleLog: (log) => !log.includes('"event":"request"'),
	},
});
