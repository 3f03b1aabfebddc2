/**
 * VAPID key pairs for Web Push (WebCrypto, P-256), in the format the API reads (src/lib/web-push/vapid.ts):
 * the private key is the scalar `d` in base64url (43 characters), the public key the uncompressed point in
 * base64url (87 characters) — what browsers take as `applicationServerKey`.
 *
 * Used by `npm run dev` (a local pair in `.dev.vars`), `npm run vapid:keys` (a production pair) and the test
 * configuration (a pair per test run).
 */
import { readFile, writeFile } from "node:fs/promises";
import { errnoCode } from "./guards.ts";

export interface VapidKeyPair {
	/** `VAPID_PRIVATE_KEY`: base64url of the 32-byte private scalar. */
	privateKey: string;
	/** The application server key: base64url of `0x04 || x || y`. */
	publicKey: string;
}

const fromBase64Url = (text: string) => Buffer.from(text, "base64url");

export async function generateVapidKeyPair(): Promise<VapidKeyPair> {
	const { privateKey } = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
		"sign",
		"verify",
	]);
	const jwk = await crypto.subtle.exportKey("jwk", privateKey);
	if (!jwk.d || !jwk.x || !jwk.y) throw new Error("WebCrypto exported a P-256 key without d, x or y");
	const point = Buffer.concat([Buffer.from([0x04]), fromBase64Url(jwk.x), fromBase64Url(jwk.y)]);
	return { privateKey: jwk.d, publicKey: point.toString("base64url") };
}

/** A `VAPID_PRIVATE_KEY=` line that is not a comment. */
const HAS_VAPID_KEY = /^[ \t]*VAPID_PRIVATE_KEY[ \t]*=/m;

/**
 * Appends a new `VAPID_PRIVATE_KEY` to `devVarsFile` (`.dev.vars`) unless it already sets one; never changes
 * what is there. Answers the new pair, or `null` when the file already had a key.
 */
export async function ensureDevVapidKey(devVarsFile: string): Promise<VapidKeyPair | null> {
	let text = "";
	try {
		text = await readFile(devVarsFile, "utf8");
	} catch (err) {
		if (errnoCode(err) !== "ENOENT") throw err;
	}
	if (HAS_VAPID_KEY.test(text)) return null;
	const pair = await generateVapidKeyPair();
	const block = [
		"",
		"# Web Push (VAPID) key pair for local development, made by `npm run dev` (never used in production).",
		`# Its public key (applicationServerKey): ${pair.publicKey}`,
		`VAPID_PRIVATE_KEY=${pair.privateKey}`,
		"",
	].join("\n");
	await writeFile(devVarsFile, `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${block}`);
	return pair;
}
