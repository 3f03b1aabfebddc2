/** @module health: liveness (`GET /`) and readiness (`GET /health`: D1 and the ML Worker). */
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../../http/router";
import { probeMl } from "../../ml/client";

const Liveness = z
	.object({ service: z.literal("flourish-api"), status: z.literal("ok") })
	.openapi("Liveness");

const Health = z
	.object({
		status: z.enum(["ok", "degraded", "down"]),
		checks: z.object({
			d1: z.enum(["ok", "error"]),
			ml: z.enum(["ok", "unavailable"]),
		}),
	})
	.openapi("Health");

const liveness = createRoute({
	method: "get",
	path: "/",
	operationId: "getLiveness",
	tags: ["service"],
	// Probes and load balancers call these without credentials.
	security: [{}],
	summary: "Liveness",
	responses: {
		200: { description: "The Worker runs.", content: { "application/json": { schema: Liveness } } },
	},
});

const health = createRoute({
	method: "get",
	path: "/health",
	operationId: "getHealth",
	tags: ["service"],
	security: [{}],
	summary: "Readiness: D1 answers and the ML Worker's state",
	description: "503 when D1 does not answer. ML being unavailable only degrades: writes never depend on it.",
	responses: {
		200: { description: "D1 answers.", content: { "application/json": { schema: Health } } },
		503: { description: "D1 does not answer.", content: { "application/json": { schema: Health } } },
	},
});

async function checkD1(db: D1Database): Promise<"ok" | "error"> {
	try {
		await db.prepare("SELECT 1").first();
		return "ok";
	} catch {
		return "error";
	}
}

export const healthRoutes = createRouter()
	.openapi(liveness, (c) => c.json({ service: "flourish-api" as const, status: "ok" as const }, 200))
	.openapi(health, async (c) => {
		const [d1, ml] = await Promise.all([checkD1(c.env.DB), probeMl(c.env.ML)]);
		const checks = { d1, ml };
		if (d1 === "error") return c.json({ status: "down" as const, checks }, 503);
		return c.json({ status: ml === "ok" ? ("ok" as const) : ("degraded" as const), checks }, 200);
	});
