/**
 * Test helpers that reach the Worker the way clients do: real RS256 tokens signed by the stand-in
 * Auth0 tenant's key, requests through the Worker's own fetch handler, real local D1.
 */
import { env, exports } from "cloudflare:workers";
import { importJWK, type JWK, type JWTPayload, SignJWT } from "jose";

export const ORIGIN = "https://api.flourish.test";

type KeyName = "current" | "unknown";
const keys = JSON.parse(env.TEST_SIGNING_KEYS) as Record<KeyName, JWK & { kid: string }>;

export interface TokenOptions {
	claims?: JWTPayload;
	key?: KeyName;
	issuer?: string;
	audience?: string;
	expiresIn?: string | number;
	/** Omit a registered claim entirely. */
	omit?: Array<"sub" | "exp">;
}

let counter = 0;
/** A `sub` no other test uses, so each test starts with a fresh user. */
export const uniqueSub = (label = "user") =>
	`auth0|${label}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export async function tokenFor(sub: string, options: TokenOptions = {}): Promise<string> {
	const jwk = keys[options.key ?? "current"];
	const key = await importJWK(jwk, "RS256");
	const jwt = new SignJWT({ ...options.claims })
		.setProtectedHeader({ alg: "RS256", kid: jwk.kid, typ: "JWT" })
		.setIssuer(options.issuer ?? env.AUTH0_ISSUER ?? "")
		.setAudience(options.audience ?? env.AUTH0_AUDIENCE)
		.setIssuedAt();
	if (!options.omit?.includes("sub")) jwt.setSubject(sub);
	if (!options.omit?.includes("exp")) jwt.setExpirationTime(options.expiresIn ?? "10m");
	return jwt.sign(key);
}

export interface CallOptions {
	token?: string;
	body?: unknown;
	/** Sent as-is (e.g. malformed JSON). A `body` that is a Uint8Array is sent as-is too (a file). */
	rawBody?: string;
	headers?: Record<string, string>;
	/** Cloudflare's request properties as the edge would set them (e.g. `{ country: "GB" }`). */
	cf?: Record<string, unknown>;
}

function buildRequest(method: string, path: string, options: CallOptions): Request {
	const headers = new Headers(options.headers);
	if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
	let body: BodyInit | undefined = options.rawBody;
	if (options.body instanceof Uint8Array) {
		// A file (an upload): sent as its bytes, its type in the caller's Content-Type.
		body = options.body;
	} else if (options.body !== undefined) {
		body = JSON.stringify(options.body);
		headers.set("Content-Type", "application/json");
	} else if (body !== undefined && !headers.has("Content-Type")) {
		headers.set("Content-Type", "application/json");
	}
	return new Request(`${ORIGIN}${path}`, {
		method,
		headers,
		body,
		...(options.cf ? { cf: options.cf as RequestInit["cf"] } : {}),
	});
}

export async function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
	return exports.default.fetch(buildRequest(method, path, options));
}

/** Parses a JSON answer and fails loudly with the body when the status is not the expected one. */
export async function expectStatus<T = Record<string, unknown>>(
	response: Response,
	status: number,
): Promise<T> {
	const text = await response.text();
	if (response.status !== status) {
		throw new Error(`expected HTTP ${status}, got ${response.status}: ${text}`);
	}
	return (text ? JSON.parse(text) : undefined) as T;
}

/** Asserts an RFC 9457 problem answer and returns its body. */
export async function expectProblem(response: Response, status: number) {
	const body = await expectStatus<{
		type: string;
		title: string;
		status: number;
		detail?: string;
		errors?: Array<{ field: string; message: string }>;
		request_id?: string;
	}>(response, status);
	if (!response.headers.get("content-type")?.startsWith("application/problem+json")) {
		throw new Error(`expected application/problem+json, got ${response.headers.get("content-type")}`);
	}
	if (body.status !== status) throw new Error(`problem body status ${body.status} != ${status}`);
	return body;
}

export interface TestUser {
	id: string;
	sub: string;
	token: string;
}

/** Signs a new person in (first request creates the row) and returns their id and token. */
export async function signUp(label = "user", claims: JWTPayload = {}): Promise<TestUser> {
	const sub = uniqueSub(label);
	const token = await tokenFor(sub, { claims });
	const me = await expectStatus<{ id: string }>(await call("GET", "/api/v1/users/me", { token }), 200);
	return { id: me.id, sub, token };
}

/** Test setup only: sets columns that no endpoint of the caller may set (role, trust, suspension). */
export async function setUserColumns(
	userId: string,
	columns: Record<string, string | number | null>,
): Promise<void> {
	const names = Object.keys(columns);
	const assignments = names.map((name) => `${name} = ?`).join(", ");
	await env.DB.prepare(`UPDATE users SET ${assignments} WHERE id = ?`)
		.bind(...names.map((name) => columns[name] ?? null), userId)
		.run();
}

/**
 * Calls the Worker with some configuration overridden (e.g. a JWKS URL of another stand-in tenant), and
 * waits for its `waitUntil` work (KV writes) to finish. Bindings stay the real local ones.
 */
export async function callWithConfig(
	overrides: Partial<Cloudflare.Env>,
	method: string,
	path: string,
	options: CallOptions = {},
): Promise<Response> {
	const { createExecutionContext, waitOnExecutionContext } = await import("cloudflare:test");
	const worker = (await import("../../src/index")).default;
	const ctx = createExecutionContext();
	const response = await worker.fetch(buildRequest(method, path, options), { ...env, ...overrides }, ctx);
	await waitOnExecutionContext(ctx);
	return response;
}

/** The stand-in Auth0 tenant: its JWKS URL, how often it was fetched, and taking it down. */
export const authTenant = (name: string) => ({
	jwksUrl: `https://auth.test/${name}/.well-known/jwks.json`,
	fetches: async () =>
		((await (await fetch(`https://auth.test/__stats/${name}`)).json()) as { fetches: number }).fetches,
	setDown: async (down: boolean) => {
		await fetch(`https://auth.test/__control/${name}`, { method: "POST", body: JSON.stringify({ down }) });
	},
});
