/**
 * A bench-only identity provider: one RS256 key pair made fresh for each run (never stored in the
 * repository), its public half served as the JWKS the API fetches, its private half minting access tokens
 * for as many dataset users as the load generator needs. The API verifies them exactly as it verifies
 * Auth0's tokens.
 */
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";

export const BENCH_ISSUER = "https://issuer.bench.test/";
export const BENCH_JWKS_URL = "https://issuer.bench.test/.well-known/jwks.json";
export const BENCH_AUDIENCE = "https://api.flourish.bench";
const KID = "bench-key-1";

/** The run's key pair, as JWKs (passed to the server and load processes in a file). */
export interface BenchKey {
	publicJwk: JWK;
	privateJwk: JWK;
}

export async function createBenchKey(): Promise<BenchKey> {
	const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
	const meta = { kid: KID, alg: "RS256", use: "sig" };
	return {
		publicJwk: { ...(await exportJWK(publicKey)), ...meta },
		privateJwk: { ...(await exportJWK(privateKey)), ...meta },
	};
}

export const jwksOf = (key: BenchKey): { keys: JWK[] } => {
	const { kty, n, e, kid, alg, use } = key.publicJwk;
	return { keys: [{ kty, n, e, kid, alg, use }] };
};

/**
 * The bench's stand-in push service listens here (scripts/bench/lib/push-stand-in.ts, in the load
 * generator); the API's `PUSH_ENDPOINT_ALLOWLIST` names this origin with any port.
 */
export const BENCH_PUSH_HOST = "127.0.0.1";

/** Headers of one connection, never passed on (RFC 9110 §7.6.1), and those fetch computes itself. */
const HOP_BY_HOP = new Set([
	"connection",
	"keep-alive",
	"proxy-connection",
	"transfer-encoding",
	"upgrade",
	"te",
	"trailer",
	"host",
	"content-length",
]);
let pushFailureSaid = false;

/**
 * Answers the Worker's outbound requests: the JWKS, and pushes to the stand-in push service on this machine
 * (`http://127.0.0.1:<port>`, passed on as they are); nothing else (there is no network).
 */
export function outboundHandler(key: BenchKey): (request: Request) => Promise<Response> {
	const body = JSON.stringify(jwksOf(key));
	return async (request) => {
		if (request.url === BENCH_JWKS_URL) {
			return new Response(body, { headers: { "content-type": "application/json" } });
		}
		const url = new URL(request.url);
		if (url.protocol === "http:" && url.hostname === BENCH_PUSH_HOST) {
			// The end-to-end headers only: Node's fetch refuses hop-by-hop ones and sets its own length.
			const headers = new Headers();
			request.headers.forEach((value, name) => {
				if (!HOP_BY_HOP.has(name)) headers.set(name, value);
			});
			try {
				return await fetch(request.url, {
					method: request.method,
					headers,
					body: request.method === "GET" || request.method === "HEAD" ? null : await request.arrayBuffer(),
					redirect: "manual",
				});
			} catch (error) {
				// Said once: the API would otherwise only see a 502 and retry.
				if (!pushFailureSaid) process.stderr.write(`[outbound] push to ${url.origin} failed: ${error}\n`);
				pushFailureSaid = true;
				return new Response(`push service unreachable: ${error}`, { status: 502 });
			}
		}
		return new Response("no network in the benchmark", { status: 502 });
	};
}

/** Mints one token per `sub` (valid for two hours: the whole run). */
export async function mintTokens(key: BenchKey, subs: string[]): Promise<Map<string, string>> {
	const signingKey = await importJWK(key.privateJwk, "RS256");
	const tokens = new Map<string, string>();
	for (const sub of subs) {
		if (tokens.has(sub)) continue;
		tokens.set(
			sub,
			await new SignJWT({})
				.setProtectedHeader({ alg: "RS256", kid: KID, typ: "JWT" })
				.setIssuer(BENCH_ISSUER)
				.setAudience(BENCH_AUDIENCE)
				.setSubject(sub)
				.setIssuedAt()
				.setExpirationTime("2h")
				.sign(signingKey),
		);
	}
	return tokens;
}
