/** @module flourish-ml: the ML Worker. Only the health probe exists yet; the models come with the ML issue. */
import { WorkerEntrypoint } from "cloudflare:workers";

const ML_SERVICE_VERSION = "0.1.0-skeleton";

export default class FlourishMl extends WorkerEntrypoint {
	override async fetch(request: Request): Promise<Response> {
		const url = new URL(request.url);
		if (request.method === "GET" && url.pathname === "/health") {
			return Response.json({ status: "ok", service: "flourish-ml", version: ML_SERVICE_VERSION });
		}
		return Response.json(
			{ title: "Not Found", status: 404 },
			{
				status: 404,
				headers: { "content-type": "application/problem+json" },
			},
		);
	}
}
