/**
 * Tests run inside workerd (the Workers test integration) against real local D1, KV, Durable Objects
 * and the ML Worker behind the `ML` service binding. The only stand-in is the one thing outside our
 * system: the Auth0 tenant, served by `test/support/auth-stub.ts` as outbound traffic.
 */
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { createAuthStub } from "./test/harness/auth-stub.ts";

const authStub = await createAuthStub();

export default defineConfig({
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
				},
				workers: [
					{
						name: "flourish-ml",
						modules: true,
						scriptPath: "./ml/dist/index.js",
						compatibilityDate: "2026-11-01",
					},
				],
				outboundService: authStub.handle,
			},
		})),
	],
	test: {
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
