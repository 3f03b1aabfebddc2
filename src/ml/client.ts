/**
 * @module ml/client: the typed client over the `ML` service binding — the only way the API reaches
 * the flourish-ml Worker. Every call is bounded by a timeout so a slow ML Worker degrades, never blocks.
 */
const ML_TIMEOUT_MS = 1500;

/** Reports whether the ML Worker answers its health probe in time. */
export async function probeMl(ml: Fetcher): Promise<"ok" | "unavailable"> {
	try {
		const response = await ml.fetch("https://flourish-ml.internal/health", {
			signal: AbortSignal.timeout(ML_TIMEOUT_MS),
		});
		return response.ok ? "ok" : "unavailable";
	} catch {
		return "unavailable";
	}
}
