/**
 * @module auth/verify: Auth0 access-token verification. RS256 only; issuer, audience, `exp` and `sub`
 * required; a small clock tolerance for skew between Auth0 and the edge.
 */
import { errors, jwtVerify } from "jose";
import type { Bindings } from "../env";
import { Problem } from "../lib/problem";
import { cachedJwksKeyGetter, JwksUnavailableError } from "./jwks";
import { VerifiedTokenCache } from "./verified-tokens";

export const CLOCK_TOLERANCE_SECONDS = 30;
const MAX_TOKEN_LENGTH = 8192;
const MAX_SUB_LENGTH = 255;

export interface VerifiedToken {
	sub: string;
	email: string | undefined;
	name: string | undefined;
}

export interface AuthConfig {
	issuer: string;
	audience: string;
	jwksUrl: string;
}

export function authConfig(env: Bindings): AuthConfig {
	const domain = env.AUTH0_DOMAIN;
	return {
		issuer: env.AUTH0_ISSUER || `https://${domain}/`,
		audience: env.AUTH0_AUDIENCE,
		jwksUrl: env.AUTH0_JWKS_URL || `https://${domain}/.well-known/jwks.json`,
	};
}

/** 401 with the RFC 6750 challenge; the detail never echoes the token. */
export function unauthorized(
	detail: string,
	error: "invalid_request" | "invalid_token" = "invalid_token",
): Problem {
	return new Problem(401, {
		detail,
		kind: "unauthorized",
		headers: { "WWW-Authenticate": `Bearer realm="flourish", error="${error}"` },
	});
}

/** Reads `Authorization: Bearer <token>`; undefined when the header is absent. */
export function bearerToken(header: string | undefined): string | undefined {
	if (header === undefined) return undefined;
	const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
	if (!match?.[1] || match[1].length > MAX_TOKEN_LENGTH) {
		throw unauthorized("The Authorization header must be 'Bearer <access token>'.", "invalid_request");
	}
	return match[1];
}

const optionalString = (value: unknown, max: number) =>
	typeof value === "string" && value.length > 0 && value.length <= max ? value : undefined;

/**
 * Tokens verified in this isolate (see auth/verified-tokens): at most 5 minutes each, and never past
 * their `exp`. 2,000 tokens of ≈ 1 KB are ≈ 2 MB.
 */
const verifiedTokens = new VerifiedTokenCache<VerifiedToken>({
	capacity: 2_000,
	maxAgeMs: 5 * 60 * 1000,
	toleranceSeconds: CLOCK_TOLERANCE_SECONDS,
});

/** Forgets every verified token, as a fresh isolate would start (tests). */
export function clearVerifiedTokens(): void {
	verifiedTokens.clear();
}

/**
 * Verifies an access token (RS256 against the cached JWKS; issuer, audience, `exp` and `sub` required),
 * or answers from this isolate's cache of tokens it already verified against the same configuration.
 */
export async function verifyAccessToken(
	token: string,
	env: Bindings,
	waitUntil: (promise: Promise<unknown>) => void,
	now: () => number = Date.now,
): Promise<VerifiedToken> {
	const config = authConfig(env);
	const cacheKey = `${config.issuer}\n${config.audience}\n${config.jwksUrl}\n${token}`;
	const cached = verifiedTokens.get(cacheKey, now());
	if (cached) return cached;
	const { claims, exp } = await verifySignedToken(token, config, env, waitUntil);
	verifiedTokens.set(cacheKey, claims, exp, now());
	return claims;
}

/** The full verification, with no cache of its own (the JWKS is cached by auth/jwks). */
export async function verifySignedToken(
	token: string,
	config: AuthConfig,
	env: Pick<Bindings, "CACHE">,
	waitUntil: (promise: Promise<unknown>) => void,
): Promise<{ claims: VerifiedToken; exp: number }> {
	try {
		const { payload } = await jwtVerify(
			token,
			cachedJwksKeyGetter({ url: config.jwksUrl, kv: env.CACHE, waitUntil }),
			{
				issuer: config.issuer,
				audience: config.audience,
				algorithms: ["RS256"],
				requiredClaims: ["exp", "sub"],
				clockTolerance: CLOCK_TOLERANCE_SECONDS,
			},
		);
		const sub = optionalString(payload.sub, MAX_SUB_LENGTH);
		if (!sub) throw unauthorized("The token's subject is missing or invalid.");
		return {
			claims: {
				sub,
				email: optionalString(payload.email, 320),
				name: optionalString(payload.name, 200) ?? optionalString(payload.nickname, 200),
			},
			// Required above, so present: a number of seconds.
			exp: payload.exp as number,
		};
	} catch (error) {
		if (error instanceof Problem) throw error;
		if (error instanceof JwksUnavailableError) {
			throw new Problem(503, {
				detail: "Sign-in cannot be verified right now. Please retry shortly.",
				kind: "auth-unavailable",
				headers: { "Retry-After": "30" },
			});
		}
		if (error instanceof errors.JWTExpired) throw unauthorized("The access token has expired.");
		if (error instanceof errors.JOSEError) throw unauthorized("The access token is not valid.");
		throw error;
	}
}
