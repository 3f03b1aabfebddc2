/**
 * CORS in development and in production: the CORS_ORIGINS of `.dev.vars.example` (what `npm run dev` uses)
 * lets a web app's dev server on any local port call the API; wrangler.toml's (production) does not.
 */
import { describe, expect, it } from "vitest";
import devVars from "../../.dev.vars.example?raw";
import { allowedOrigin } from "../../src/http/cors-origins";
import wranglerToml from "../../wrangler.toml?raw";
import { callWithConfig } from "../support/api";

const devOrigins = /^CORS_ORIGINS=(.*)$/m.exec(devVars)?.[1] ?? "";
const productionOrigins = /^CORS_ORIGINS = "(.*)"$/m.exec(wranglerToml)?.[1] ?? "";

const preflight = (corsOrigins: string, origin: string) =>
	callWithConfig({ CORS_ORIGINS: corsOrigins }, "OPTIONS", "/api/v1/users/me", {
		headers: { Origin: origin, "Access-Control-Request-Method": "GET" },
	});

describe("development CORS", () => {
	it("allows the web app's dev server and the README's local ports", async () => {
		expect(devOrigins).not.toBe("");
		for (const origin of [
			"http://localhost:5173", // Vite's dev server
			"http://127.0.0.1:5173",
			"http://localhost:8787", // the API itself (`npm run dev`)
			"http://127.0.0.1:8790", // the development issuer
			"http://localhost:3000",
			"http://[::1]:4173",
		]) {
			const response = await preflight(devOrigins, origin);
			expect(response.headers.get("Access-Control-Allow-Origin"), origin).toBe(origin);
			expect(response.headers.get("Access-Control-Allow-Credentials")).toBe("true");
		}
	});

	it("still refuses every origin that is not this machine", async () => {
		for (const origin of [
			"http://evil.example:5173",
			"http://localhost.evil.example:5173",
			"https://flourish.app.evil.example",
			"http://192.168.1.10:5173",
			"null",
		]) {
			const response = await preflight(devOrigins, origin);
			expect(response.headers.get("Access-Control-Allow-Origin"), origin).toBeNull();
		}
	});
});

describe("production CORS", () => {
	it("refuses a localhost origin and allows only the configured ones", async () => {
		expect(productionOrigins).toContain("https://flourish.app");
		const local = await preflight(productionOrigins, "http://localhost:5173");
		expect(local.headers.get("Access-Control-Allow-Origin")).toBeNull();
		const site = await preflight(productionOrigins, "https://flourish.app");
		expect(site.headers.get("Access-Control-Allow-Origin")).toBe("https://flourish.app");
	});

	it("honours an open port for loopback hosts only, never a wildcard elsewhere", () => {
		expect(allowedOrigin("https://any.example", "*")).toBeNull();
		expect(allowedOrigin("https://app.example:8443", "https://app.example:*")).toBeNull();
		expect(allowedOrigin("https://localhost:8443", "http://localhost:*")).toBeNull();
		expect(allowedOrigin("http://localhost:8443/path", "http://localhost:*")).toBeNull();
		expect(allowedOrigin("http://localhost:8443", "http://localhost:*")).toBe("http://localhost:8443");
	});
});
