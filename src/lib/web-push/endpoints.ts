/**
 * @module endpoints: the SSRF guard. A subscription's endpoint is a URL a browser handed us, and the Worker
 * will POST to it: only the browsers' own push services are reachable, plus what `PUSH_ENDPOINT_ALLOWLIST`
 * names (a local or test push service).
 *
 * An endpoint must be the exact form the URL parser gives back (`new URL(e).href === e`), so upper case,
 * IDN, percent-encoded or backslashed hosts, `:443` and empty userinfo are refused rather than normalised:
 * browsers only ever hand out canonical endpoints, and a stored endpoint is then also a stable identity.
 */

/** Longer endpoints are refused (real ones are well under 600 characters). */
export const MAX_ENDPOINT_LENGTH = 1024;

/** Exact hosts of the browser push services. */
const KNOWN_HOSTS = new Set([
	"fcm.googleapis.com",
	"android.googleapis.com",
	"updates.push.services.mozilla.com",
]);

/** Push services with many hosts under one domain (`web.push.apple.com`, `wns2-par02p.notify.windows.com`…). */
const KNOWN_SUFFIXES = ["push.services.mozilla.com", "push.apple.com", "notify.windows.com"];

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export type EndpointRefusal =
	| "too-long"
	| "not-a-url"
	| "userinfo"
	| "not-canonical"
	| "fragment"
	| "scheme"
	| "ip-literal"
	| "port"
	| "unknown-host";

export type EndpointCheck = { ok: true; url: URL } | { ok: false; reason: EndpointRefusal };

/** One origin of `PUSH_ENDPOINT_ALLOWLIST`; `port: "*"` allows every port. */
export interface AllowedOrigin {
	protocol: string;
	hostname: string;
	/** `""` is the scheme's default port. */
	port: string;
}

/**
 * Parses `PUSH_ENDPOINT_ALLOWLIST`: comma-separated origins (`https://push.test`, `http://127.0.0.1:*`); the
 * port may be `*`, the host is exact. An entry that is not a bare `http(s)` origin is ignored: the guard
 * fails closed.
 */
export function parseEndpointAllowlist(value: string | undefined): AllowedOrigin[] {
	const origins: AllowedOrigin[] = [];
	for (const raw of (value ?? "").split(",")) {
		const entry = raw.trim();
		if (!entry) continue;
		const anyPort = entry.endsWith(":*");
		const origin = anyPort ? entry.slice(0, -2) : entry;
		if (!URL.canParse(origin)) continue;
		const url = new URL(origin);
		if (url.origin !== origin || (url.protocol !== "https:" && url.protocol !== "http:")) continue;
		if (anyPort && url.port !== "") continue;
		// Hosts are exact: `https://*.test` is no wildcard (the URL parser would take `*` as a host character).
		if (!/^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/.test(url.hostname)) continue;
		origins.push({ protocol: url.protocol, hostname: url.hostname, port: anyPort ? "*" : url.port });
	}
	return origins;
}

const isIpLiteral = (hostname: string) => hostname.startsWith("[") || /^[0-9.]+$/.test(hostname);

function isKnownPushHost(hostname: string): boolean {
	if (KNOWN_HOSTS.has(hostname)) return true;
	return KNOWN_SUFFIXES.some((suffix) => {
		if (!hostname.endsWith(`.${suffix}`)) return false;
		const labels = hostname.slice(0, -suffix.length - 1).split(".");
		return labels.every((label) => LABEL.test(label));
	});
}

/**
 * Whether the Worker may send to `endpoint`, and if not, why. Allowed: `https:` on a browser push service
 * (FCM, Mozilla autopush, Apple, Windows WNS) on the default port, or an origin of `allowlist`
 * (`PUSH_ENDPOINT_ALLOWLIST`), which is the only way to reach an IP literal, `http:` or another port.
 *
 * @example
 * checkPushEndpoint("https://fcm.googleapis.com/fcm/send/abc"); // { ok: true, url }
 * checkPushEndpoint("https://fcm.googleapis.com.evil.com/"); // { ok: false, reason: "unknown-host" }
 */
export function checkPushEndpoint(endpoint: string, allowlist?: string): EndpointCheck {
	if (typeof endpoint !== "string" || endpoint.length > MAX_ENDPOINT_LENGTH) {
		return { ok: false, reason: "too-long" };
	}
	if (!URL.canParse(endpoint)) return { ok: false, reason: "not-a-url" };
	const url = new URL(endpoint);
	if (url.username !== "" || url.password !== "") return { ok: false, reason: "userinfo" };
	if (url.href !== endpoint) return { ok: false, reason: "not-canonical" };
	if (endpoint.includes("#")) return { ok: false, reason: "fragment" };
	const allowed = parseEndpointAllowlist(allowlist).some(
		(origin) =>
			origin.protocol === url.protocol &&
			origin.hostname === url.hostname &&
			(origin.port === "*" || origin.port === url.port),
	);
	if (allowed) return { ok: true, url };
	if (url.protocol !== "https:") return { ok: false, reason: "scheme" };
	if (isIpLiteral(url.hostname)) return { ok: false, reason: "ip-literal" };
	if (url.port !== "") return { ok: false, reason: "port" };
	if (!isKnownPushHost(url.hostname)) return { ok: false, reason: "unknown-host" };
	return { ok: true, url };
}

/** `checkPushEndpoint(endpoint, allowlist).ok`. */
export function isAllowedPushEndpoint(endpoint: string, allowlist?: string): boolean {
	return checkPushEndpoint(endpoint, allowlist).ok;
}
