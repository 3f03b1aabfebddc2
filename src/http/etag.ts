/**
 * @module http/etag: cheap polling. Every successful `GET` that is not sensitive (http/cache-control) carries
 * a strong `ETag`: the SHA-256 of the answer's own body, truncated, base64url — nothing read beyond the
 * answer, and nothing of the request (never a token) in it. A request whose `If-None-Match` lists that tag,
 * or says `*`, is answered `304 Not Modified` with no body and the 200's headers (ETag, Cache-Control, Vary,
 * X-D1-Bookmark, …), per RFC 9110 §13.1.2. The handler still runs: the tag is of what it would answer now,
 * so a tag is only ever confirmed to the caller whose own answer has it.
 *
 * Not on errors, upgrades (101) or sensitive answers (a 304 would confirm what they hold).
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { isSensitive } from "./cache-control";

/** 16 bytes of the digest: collisions between two answers of one URL are out of reach. */
const TAG_BYTES = 16;

function base64url(bytes: Uint8Array): string {
	let binary = "";
	for (const byte of bytes) binary += String.fromCharCode(byte);
	return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The strong entity tag of a body, quoted as it goes on the wire. */
export async function entityTag(body: ArrayBuffer): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
	return `"${base64url(digest.subarray(0, TAG_BYTES))}"`;
}

/**
 * Whether `If-None-Match` matches `etag`: `*` matches any current answer; otherwise a list of entity tags,
 * compared weakly (`W/"x"` matches `"x"`), as RFC 9110 §13.1.2 asks of this header.
 */
export function ifNoneMatchMatches(header: string, etag: string): boolean {
	if (header.trim() === "*") return true;
	const opaque = etag.replace(/^W\//, "");
	for (const tag of header.matchAll(/(?:W\/)?("[\x21\x23-\x7e\x80-\xff]*")/g)) {
		if (tag[1] === opaque) return true;
	}
	return false;
}

const taggable = (c: Context<AppEnv>) =>
	(c.req.method === "GET" || c.req.method === "HEAD") &&
	c.res.status === 200 &&
	c.res.body !== null &&
	!c.res.headers.has("ETag") &&
	!(c.res.headers.get("Content-Type") ?? "").startsWith("text/event-stream") &&
	!isSensitive(c);

export const conditionalGet = createMiddleware<AppEnv>(async (c, next) => {
	await next();
	if (!taggable(c)) return;
	const etag = await entityTag(await c.res.clone().arrayBuffer());
	c.res.headers.set("ETag", etag);
	const ifNoneMatch = c.req.header("If-None-Match");
	if (ifNoneMatch === undefined || !ifNoneMatchMatches(ifNoneMatch, etag)) return;
	await c.res.body?.cancel();
	// Setting `c.res` keeps every header of the 200 but its content type (Hono merges them).
	c.res = new Response(null, { status: 304 });
	c.res.headers.delete("Content-Length");
});
