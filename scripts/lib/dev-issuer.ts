/**
 * The local development issuer: a stand-in for Auth0 on a developer's machine.
 *
 * It owns one RS256 key pair, created once and kept in `.dev/issuer.json` (git-ignored), serves the
 * PUBLIC half as a JWKS on http://127.0.0.1:8790/.well-known/jwks.json, and mints tokens signed with
 * the private half. The API verifies those tokens exactly like Auth0's (issuer, audience, RS256, JWKS
 * fetched over HTTP): `.dev.vars` only points AUTH0_ISSUER and AUTH0_JWKS_URL here. There is no
 * auth bypass; delete `.dev/` to rotate the key.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
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

/** The issuer URL the API is told to trust (with Auth0's trailing slash). */
export function devIssuerUrl(): string {
	return `http://${DEV_ISSUER_HOST}:${DEV_ISSUER_PORT}/`;
}

/** The JWKS URL `.dev.vars` points AUTH0_JWKS_URL at. */
export function devJwksUrl(): string {
	return `http://${DEV_ISSUER_HOST}:${DEV_ISSUER_PORT}${JWKS_PATH}`;
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

/**
 * Serves the JWKS on 127.0.0.1:8790 (`GET|HEAD /.well-known/jwks.json`; 404 otherwise).
 * Resolves with the listening `http.Server`; rejects (e.g. EADDRINUSE) if it cannot listen.
 */
export async function startIssuerServer(): Promise<Server> {
	const body = JSON.stringify(await publicJwks());
	const server = createServer((req, res) => {
		const { pathname } = new URL(req.url ?? "/", devIssuerUrl());
		if ((req.method === "GET" || req.method === "HEAD") && pathname === JWKS_PATH) {
			res.writeHead(200, {
				"Content-Type": "application/json",
				"Content-Length": Buffer.byteLength(body),
				"Cache-Control": "public, max-age=60",
			});
			res.end(req.method === "HEAD" ? undefined : body);
			return;
		}
		const notFound = JSON.stringify({ title: "Not Found", status: 404 });
		res.writeHead(404, { "Content-Type": "application/problem+json" });
		res.end(notFound);
	});
	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(DEV_ISSUER_PORT, DEV_ISSUER_HOST, () => {
			server.off("error", reject);
			resolve();
		});
	});
	return server;
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
}: {
	sub: string;
	email?: string | undefined;
	ttlSeconds?: number;
	audience: string;
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
		.setIssuer(devIssuerUrl())
		.setAudience(audience)
		.setSubject(sub)
		.setIssuedAt(now)
		.setExpirationTime(now + ttlSeconds)
		.sign(key);
}
