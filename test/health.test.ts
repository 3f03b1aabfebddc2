import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("service endpoints", () => {
	it("GET / answers liveness", async () => {
		const res = await exports.default.fetch("https://api.test/");
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ service: "flourish-api", status: "ok" });
	});

	it("GET /health reports D1 and the ML Worker over its binding", async () => {
		const res = await exports.default.fetch("https://api.test/health");
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ status: "ok", checks: { d1: "ok", ml: "ok" } });
	});
});
