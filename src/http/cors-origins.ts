/**
 * @module http/cors-origins: which browser origins CORS answers, from `CORS_ORIGINS`.
 *
 * Entries match exactly, with one exception for development: a loopback origin may leave its port open
 * (`http://localhost:*`, `http://127.0.0.1:*`), so a web app's dev server works on whatever port it picked.
 * A `*` anywhere else is ignored: credentials are allowed, so the API never answers every origin.
 */

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** `http://localhost:*` and the like: a loopback host with any port. */
function loopbackAnyPort(entry: string): { protocol: string; hostname: string } | undefined {
	const match = /^(https?):\/\/([^/:]+|\[::1\]):\*$/.exec(entry);
	if (!match?.[1] || !match[2] || !LOOPBACK_HOSTS.has(match[2])) return undefined;
	return { protocol: `${match[1]}:`, hostname: match[2] };
}

/** The origin to echo in `Access-Control-Allow-Origin`, or null when `configured` does not allow it. */
export function allowedOrigin(origin: string, configured: string | undefined): string | null {
	const entries = (configured ?? "")
		.split(",")
		.map((entry) => entry.trim())
		.filter((entry) => entry.length > 0 && entry !== "*");
	if (entries.includes(origin)) return origin;
	let url: URL;
	try {
		url = new URL(origin);
	} catch {
		return null;
	}
	// Only a bare origin (scheme, host, port): nothing a browser would not send.
	if (url.origin !== origin) return null;
	const open = entries
		.map(loopbackAnyPort)
		.some(
			(pattern) =>
				pattern !== undefined && pattern.protocol === url.protocol && pattern.hostname === url.hostname,
		);
	return open ? origin : null;
}
