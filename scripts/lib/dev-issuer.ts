/**
 * The local development issuer: a stand-in for Auth0 on a developer's machine.
 *
 * It owns one RS256 key pair, created once and kept in `.dev/issuer.json` (git-ignored), serves the
 * PUBLIC half as a JWKS on http://127.0.0.1:8790/.well-known/jwks.json, and mints tokens signed with
 * the private half. The API verifies those tokens exactly like Auth0's (issuer, audience, RS256, JWKS
 * fetched over HTTP): `.dev.vars` only points AUTH0_ISSUER and AUTH0_JWKS_URL here. There is no
 * auth bypass; delete `.dev/` to rotate the key.
 *
 * For the web app's development sign-in page (web/src/dev/), it also mints a token on request:
 * `POST /dev/token {"sub": "dev|demo-alice"}`, answered with CORS to pages on this machine (loopback origins)
 * only. It listens on 127.0.0.1 alone, and exists only while `npm run dev` runs.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";
import { errnoCode, isRecord } from "./guards.ts";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const DEV_ISSUER_PORT = 8790;
export const DEV_ISSUER_HOST = "127.0.0.1";
export const ISSUER_FILE = path.join(PROJECT_ROOT, ".dev", "issuer.json");

const ALG = "RS256";
const JWKS_PATH = "/.well-known/jwks.json";

/** `.dev/issuer.json`: the development key pair. */
interface StoredKey {
	kid: string;
	createdAt: string;
	publicJwk: JWK;
	privateJwk: JWK;
}

export interface DevKey extends StoredKey {
	/** Whether this call created the key (rather than reading it). */
	created: boolean;
}

function isStoredKey(value: unknown): value is StoredKey {
	return (
		isRecord(value) &&
		typeof value.kid === "string" &&
		value.kid !== "" &&
		isRecord(value.privateJwk) &&
		Boolean(value.privateJwk.d) &&
		isRecord(value.publicJwk) &&
		Boolean(value.publicJwk.n)
	);
}

const TOKEN_PATH = "/dev/token";
const DEV_TOKEN_TTL_SECONDS = 3600;

/** The issuer URL the API is told to trust (with Auth0's trailing slash). */
export function devIssuerUrl(port = DEV_ISSUER_PORT): string {
	return `http://${DEV_ISSUER_HOST}:${port}/`;
}

/** The JWKS URL `.dev.vars` points AUTH0_JWKS_URL at. */
export function devJwksUrl(port = DEV_ISSUER_PORT): string {
	return `http://${DEV_ISSUER_HOST}:${port}${JWKS_PATH}`;
}

/** Pages served from this machine (the web app's dev server, `wrangler dev`): the only origins the token route answers. */
export function isLoopbackOrigin(origin: string | undefined): origin is string {
	if (!origin) return false;
	try {
		const url = new URL(origin);
		return (
			(url.protocol === "http:" || url.protocol === "https:") &&
			["localhost", "127.0.0.1", "[::1]"].includes(url.hostname) &&
			url.origin === origin
		);
	} catch {
		return false;
	}
}

async function readIssuerFile(): Promise<StoredKey | undefined> {
	try {
		const stored: unknown = JSON.parse(await readFile(ISSUER_FILE, "utf8"));
		if (!isStoredKey(stored)) {
			throw new Error(`${ISSUER_FILE} is not a development key; delete it to create a new one.`);
		}
		return stored;
	} catch (err) {
		if (errnoCode(err) === "ENOENT") return undefined;
		throw err;
	}
}

/**
 * Creates the development key pair unless it exists, and returns `{ kid, privateJwk, publicJwk, created }`.
 * Safe to call from several processes at once: the file is created exclusively, and a loser re-reads it.
 */
export async function ensureDevKey(): Promise<DevKey> {
	const existing = await readIssuerFile();
	if (existing) return { ...existing, created: false };

	const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
	const kid = `dev-${randomBytes(8).toString("hex")}`;
	const meta = { kid, alg: ALG, use: "sig" };
	const stored: StoredKey = {
		kid,
		createdAt: new Date().toISOString(),
		publicJwk: { ...(await exportJWK(publicKey)), ...meta },
		privateJwk: { ...(await exportJWK(privateKey)), ...meta },
	};

	await mkdir(path.dirname(ISSUER_FILE), { recursive: true, mode: 0o700 });
	try {
		await writeFile(ISSUER_FILE, `${JSON.stringify(stored, null, "\t")}\n`, { flag: "wx", mode: 0o600 });
	} catch (err) {
		if (errnoCode(err) !== "EEXIST") throw err;
		const winner = await readIssuerFile();
		if (winner) return { ...winner, created: false };
		throw err;
	}
	return { ...stored, created: true };
}

/** The public JWKS document: only `kty`, `n`, `e` and metadata, never a private parameter. */
export async function publicJwks(): Promise<{ keys: JWK[] }> {
	const { publicJwk } = await ensureDevKey();
	const { kty, n, e, kid, alg, use } = publicJwk;
	return { keys: [{ kty, n, e, kid, alg, use }] };
}

/** Reads a small JSON body (at most 4 KiB). */
function readJson(req: IncomingMessage): Promise<unknown> {
	return new Promise((resolve, reject) => {
		let body = "";
		req.setEncoding("utf8");
		req.on("data", (chunk: string) => {
			body += chunk;
			if (body.length > 4096) req.destroy(new Error("body too large"));
		});
		req.once("end", () => {
			try {
				resolve(JSON.parse(body || "null"));
			} catch (err) {
				reject(err);
			}
		});
		req.once("error", reject);
	});
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		"Content-Type": status >= 400 ? "application/problem+json" : "application/json",
		"Content-Length": Buffer.byteLength(text),
		"Cache-Control": "no-store",
		...headers,
	});
	res.end(text);
}

export interface IssuerServerOptions {
	/** Default 8790 (what `.dev.vars.example` trusts); tests pass a free port. */
	port?: number;
	/** The API's audience. Given, the server also mints tokens at `POST /dev/token` for the development sign-in page. */
	audience?: string;
}

/**
 * Serves the JWKS on 127.0.0.1:8790 (`GET|HEAD /.well-known/jwks.json`) and, with an `audience`, the development
 * sign-in's `POST /dev/token`; 404 otherwise. Resolves with the listening `http.Server`; rejects (e.g.
 * EADDRINUSE) if it cannot listen.
 */
export async function startIssuerServer({
	port = DEV_ISSUER_PORT,
	audience,
}: IssuerServerOptions = {}): Promise<Server> {
	const body = JSON.stringify(await publicJwks());
	const server = createServer((req, res) => {
		const { pathname } = new URL(req.url ?? "/", devIssuerUrl(port));
		if ((req.method === "GET" || req.method === "HEAD") && pathname === JWKS_PATH) {
			res.writeHead(200, {
				"Content-Type": "application/json",
				"Content-Length": Buffer.byteLength(body),
				"Cache-Control": "public, max-age=60",
			});
			res.end(req.method === "HEAD" ? undefined : body);
			return;
		}
		if (audience && pathname === TOKEN_PATH) {
			void mintOnRequest(req, res, { port, audience });
			return;
		}
		send(res, 404, { title: "Not Found", status: 404 });
	});
	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(port, DEV_ISSUER_HOST, () => {
			server.off("error", reject);
			resolve();
		});
	});
	return server;
}

/** `POST /dev/token {"sub"}` → `{ access_token, token_type, expires_in }`, for loopback origins only. */
async function mintOnRequest(
	req: IncomingMessage,
	res: ServerResponse,
	{ port, audience }: { port: number; audience: string },
) {
	const origin = req.headers.origin;
	// A page from elsewhere on the web must not obtain a token, nor even learn that this server exists.
	if (origin !== undefined && !isLoopbackOrigin(origin)) {
		send(res, 403, { title: "Forbidden", status: 403, detail: "Only pages served from this machine." });
		return;
	}
	const cors: Record<string, string> = origin
		? { "Access-Control-Allow-Origin": origin, Vary: "Origin" }
		: {};
	if (req.method === "OPTIONS") {
		res.writeHead(204, {
			...cors,
			"Access-Control-Allow-Methods": "POST",
			"Access-Control-Allow-Headers": "Content-Type",
			"Access-Control-Max-Age": "600",
		});
		res.end();
		return;
	}
	if (req.method !== "POST") {
		send(res, 405, { title: "Method Not Allowed", status: 405 }, { ...cors, Allow: "POST, OPTIONS" });
		return;
	}
	const input = await readJson(req).catch(() => undefined);
	const sub = isRecord(input) && typeof input.sub === "string" ? input.sub.trim() : "";
	if (sub.length === 0 || sub.length > 200) {
		send(
			res,
			422,
			{ title: "Unprocessable Content", status: 422, detail: "`sub` must be 1 to 200 characters." },
			cors,
		);
		return;
	}
	const accessToken = await mintToken({
		sub,
		audience,
		ttlSeconds: DEV_TOKEN_TTL_SECONDS,
		issuer: devIssuerUrl(port),
	});
	send(
		res,
		200,
		{ access_token: accessToken, token_type: "Bearer", expires_in: DEV_TOKEN_TTL_SECONDS },
		cors,
	);
}

/**
 * Mints an RS256 access token like Auth0's: `iss` = devIssuerUrl(), `aud`, `sub`, `iat`, `exp`,
 * header `kid`. `email` is added as a claim when given.
 */
export async function mintToken({
	sub,
	email,
	ttlSeconds = 3600,
	audience,
	issuer = devIssuerUrl(),
}: {
	sub: string;
	email?: string | undefined;
	ttlSeconds?: number;
	audience: string;
	/** Default: the issuer on port 8790. */
	issuer?: string;
}): Promise<string> {
	if (typeof sub !== "string" || sub.length === 0) throw new Error("mintToken: `sub` is required");
	if (typeof audience !== "string" || audience.length === 0) {
		throw new Error("mintToken: `audience` is required");
	}
	if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
		throw new Error("mintToken: `ttlSeconds` must be a positive integer");
	}
	const { kid, privateJwk } = await ensureDevKey();
	const key = await importJWK(privateJwk, ALG);
	const now = Math.floor(Date.now() / 1000);
	return new SignJWT(email ? { email } : {})
		.setProtectedHeader({ alg: ALG, kid, typ: "JWT" })
		.setIssuer(issuer)
		.setAudience(audience)
		.setSubject(sub)
		.setIssuedAt(now)
		.setExpirationTime(now + ttlSeconds)
		.sign(key);
}

/** Reads `KEY=value` from a dotenv-style file (`.dev.vars`). */
function fromDotenv(text: string, key: string): string | undefined {
	const match = text.match(new RegExp(`^\\s*${key}\\s*=\\s*(.*?)\\s*$`, "m"));
	return match?.[1]?.replace(/^(["'])(.*)\1$/, "$2") || undefined;
}

/** Reads `KEY = "value"` from the top-level `[vars]` table of wrangler.toml. */
function fromWranglerVars(text: string, key: string): string | undefined {
	const vars = text.match(/^\[vars\][^\S\n]*\n([\s\S]*?)(?=^\[|(?![\s\S]))/m)?.[1] ?? "";
	return vars.match(new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"`, "m"))?.[1] || undefined;
}

async function readText(file: string): Promise<string> {
	try {
		return await readFile(path.join(PROJECT_ROOT, file), "utf8");
	} catch (err) {
		if (errnoCode(err) === "ENOENT") return "";
		throw err;
	}
}

/** The audience development tokens are for: AUTH0_AUDIENCE from `.dev.vars`, else from wrangler.toml `[vars]`. */
export async function resolveDevAudience(): Promise<string> {
	const audience =
		fromDotenv(await readText(".dev.vars"), "AUTH0_AUDIENCE") ??
		fromWranglerVars(await readText("wrangler.toml"), "AUTH0_AUDIENCE");
	if (!audience) throw new Error("AUTH0_AUDIENCE is set neither in .dev.vars nor in wrangler.toml [vars]");
	return audience;
}
