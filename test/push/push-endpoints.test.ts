/**
 * The SSRF guard for push endpoints (src/lib/web-push/endpoints.ts): the Worker POSTs to whatever endpoint a
 * browser — or an attacker posing as one — gives it, so only the browsers' push services are reachable,
 * plus the origins PUSH_ENDPOINT_ALLOWLIST names. Attacks first.
 */
import { describe, expect, it } from "vitest";
import {
	checkPushEndpoint,
	type EndpointRefusal,
	isAllowedPushEndpoint,
	MAX_ENDPOINT_LENGTH,
	parseEndpointAllowlist,
} from "../../src/lib/web-push";

const ATTACKS: [string, EndpointRefusal][] = [
	// A known host as a prefix, a query, a path, or userinfo of another host.
	["https://fcm.googleapis.com.evil.com/fcm/send/x", "unknown-host"],
	["https://evil.com/?x=fcm.googleapis.com", "unknown-host"],
	["https://evil.com/fcm.googleapis.com/fcm/send/x", "unknown-host"],
	["https://evilfcm.googleapis.com/", "unknown-host"],
	["https://notpush.apple.com/x", "unknown-host"],
	["https://push.apple.com.evil.com/x", "unknown-host"],
	["https://user@fcm.googleapis.com/fcm/send/x", "userinfo"],
	["https://fcm.googleapis.com:pw@evil.com/", "userinfo"],
	["https://@fcm.googleapis.com/fcm/send/x", "not-canonical"],
	// Another scheme, or the right host on another port.
	["http://fcm.googleapis.com/fcm/send/x", "scheme"],
	["javascript:alert(1)", "scheme"],
	["data:text/plain,fcm.googleapis.com", "scheme"],
	["file:///etc/passwd", "scheme"],
	["ftp://fcm.googleapis.com/x", "scheme"],
	["https://fcm.googleapis.com:8443/fcm/send/x", "port"],
	// The metadata service, loopback and private addresses, in any spelling.
	["https://169.254.169.254/latest/meta-data/", "ip-literal"],
	["https://127.0.0.1/", "ip-literal"],
	["https://10.0.0.1/", "ip-literal"],
	["https://[::1]/", "ip-literal"],
	["https://[fd00::1]/push", "ip-literal"],
	["https://2130706433/", "not-canonical"],
	["https://0x7f.0.0.1/", "not-canonical"],
	["https://0251.0376.0251.0376/", "not-canonical"],
	// Case, trailing dots, IDN and other spellings the URL parser would rewrite.
	["https://FCM.googleapis.com/fcm/send/x", "not-canonical"],
	["HTTPS://fcm.googleapis.com/fcm/send/x", "not-canonical"],
	["https://fcm.googleapis.com./fcm/send/x", "unknown-host"],
	["https://web.push.apple.com./x", "unknown-host"],
	["https://fcm.googleapis.com\u3002evil.com/", "not-canonical"],
	["https://fcm.googleapis.c\u00f6m/", "not-canonical"],
	["https://xn--fcm-googleapis-com.evil/", "unknown-host"],
	["https://fcm%2egoogleapis%2ecom/", "not-canonical"],
	["https:\\\\fcm.googleapis.com\\fcm", "not-canonical"],
	["https://fcm.googleapis.com:443/fcm/send/x", "not-canonical"],
	[" https://fcm.googleapis.com/fcm/send/x", "not-canonical"],
	["https://fcm.googleapis.com/fcm/send/x\n", "not-canonical"],
	["https://fcm.googleapis.com/fcm/send/x#frag", "fragment"],
	// Empty labels under a wildcard domain.
	["https://.push.apple.com/x", "unknown-host"],
	["https://a..push.apple.com/x", "unknown-host"],
	// Not a URL, or too long.
	["fcm.googleapis.com/fcm/send/x", "not-a-url"],
	["", "not-a-url"],
	[`https://fcm.googleapis.com/fcm/send/${"x".repeat(MAX_ENDPOINT_LENGTH)}`, "too-long"],
];

const REAL_ENDPOINTS = [
	"https://fcm.googleapis.com/fcm/send/dAPT_wQ-Rfs:APA91bGk3sm7L0l5Lr6Fq2ZKqGeDU",
	"https://android.googleapis.com/gcm/send/c9Zc0rD1Dqs:APA91bH",
	"https://updates.push.services.mozilla.com/wpush/v2/gAAAAABmXyz",
	"https://updates-autopush.stage.mozaws.push.services.mozilla.com/wpush/v1/x",
	"https://web.push.apple.com/QGvFhM3hYdC-8Jb9PQbEg",
	"https://api.push.apple.com/3/device/abc",
	"https://wns2-par02p.notify.windows.com/w/?token=BQYAAADm%2bGCS",
	"https://db5p.notify.windows.com/w/?token=abc",
];

describe("checkPushEndpoint", () => {
	it.each(ATTACKS)("refuses %j (%s)", (endpoint, reason) => {
		expect(checkPushEndpoint(endpoint)).toEqual({ ok: false, reason });
		// An allowlist of other origins changes nothing.
		expect(checkPushEndpoint(endpoint, "https://push.test,http://127.0.0.1:*")).toMatchObject({ ok: false });
	});

	it.each(REAL_ENDPOINTS)("allows the push service endpoint %s", (endpoint) => {
		const check = checkPushEndpoint(endpoint);
		expect(check.ok).toBe(true);
		expect(check.ok && check.url.href).toBe(endpoint);
	});

	it("allows exactly MAX_ENDPOINT_LENGTH characters", () => {
		const base = "https://fcm.googleapis.com/fcm/send/";
		expect(isAllowedPushEndpoint(base + "x".repeat(MAX_ENDPOINT_LENGTH - base.length))).toBe(true);
		expect(isAllowedPushEndpoint(base + "x".repeat(MAX_ENDPOINT_LENGTH - base.length + 1))).toBe(false);
	});
});

describe("PUSH_ENDPOINT_ALLOWLIST", () => {
	const ALLOWLIST = " https://push.test , http://127.0.0.1:* ,https://localhost:8443";

	it.each([
		"https://push.test/push/abc",
		"http://127.0.0.1:8788/push/abc",
		"http://127.0.0.1/push/abc",
		"https://localhost:8443/p",
	])("allows %s, an allowlisted origin (IP literals and http: only this way)", (endpoint) => {
		expect(isAllowedPushEndpoint(endpoint, ALLOWLIST)).toBe(true);
		expect(isAllowedPushEndpoint(endpoint)).toBe(false);
	});

	it.each([
		"http://push.test/push/abc", // the scheme is part of the origin
		"https://push.test:444/push/abc", // so is the port, unless it is *
		"https://127.0.0.1:8788/push/abc",
		"http://127.0.0.2:8788/",
		"https://localhost/p",
		"https://a.push.test/",
		"https://user@push.test/push/abc",
		"https://PUSH.test/push/abc",
		"https://push.test/push/abc#x",
	])("refuses %s, which no entry names exactly", (endpoint) => {
		expect(isAllowedPushEndpoint(endpoint, ALLOWLIST)).toBe(false);
	});

	it("ignores entries that are not bare http(s) origins (the guard fails closed)", () => {
		expect(
			parseEndpointAllowlist(
				"https://push.test/path,*,ftp://x.test,https://*.test,https://a.test:*:1,,https://ok.test",
			),
		).toEqual([{ protocol: "https:", hostname: "ok.test", port: "" }]);
		expect(isAllowedPushEndpoint("https://push.test/path", "https://push.test/path")).toBe(false);
		expect(isAllowedPushEndpoint("https://evil.test/", "*")).toBe(false);
	});

	it("is empty in production (wrangler.toml), allowing the push services only", () => {
		expect(parseEndpointAllowlist("")).toEqual([]);
		expect(parseEndpointAllowlist(undefined)).toEqual([]);
	});
});
