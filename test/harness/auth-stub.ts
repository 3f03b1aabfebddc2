/**
 * A stand-in for the Auth0 tenant, answering the Worker's outbound requests during tests (Node side).
 *
 * - `GET https://auth.test/<tenant>/.well-known/jwks.json` serves the test key set. Each tenant has its
 *   own state, so a test that takes its tenant "down" cannot disturb tests in other files.
 * - `POST https://auth.test/__control/<tenant>` with `{ "down": true|false }` switches a tenant.
 * - `GET https://auth.test/__stats/<tenant>` answers `{ "fetches": n }`: how often its JWKS was fetched.
 * - A tenant whose name starts with `down-` has always been unreachable (a cold cache).
 *
 * Any other outbound request fails, as the test network has nothing else to reach.
 */
import { exportJWK, generateKeyPair } from "jose";

const ORIGIN = "https://auth.test";

interface TenantState {
	down: boolean;
	fetches: number;
}

async function signingKey(kid: string) {
	const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
	const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "RS256", use: "sig" };
	const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
	return { privateJwk, publicJwk };
}

export async function createAuthStub() {
	const current = await signingKey("test-key-current");
	// Signs tokens with a `kid` the tenant never publishes.
	const unknown = await signingKey("test-key-unknown");
	const tenants = new Map<string, TenantState>();
	const tenant = (name: string): TenantState => {
		let state = tenants.get(name);
		if (!state) {
			state = { down: name.startsWith("down-"), fetches: 0 };
			tenants.set(name, state);
		}
		return state;
	};

	const handle = async (request: Request): Promise<Response> => {
		const url = new URL(request.url);
		if (url.origin !== ORIGIN) return new Response("no network in tests", { status: 502 });
		const [first, second] = url.pathname.split("/").filter(Boolean);
		if (first === "__control" && second && request.method === "POST") {
			const body = (await request.json()) as { down?: boolean };
			tenant(second).down = body.down === true;
			return Response.json(tenant(second));
		}
		if (first === "__stats" && second) return Response.json(tenant(second));
		if (first && url.pathname === `/${first}/.well-known/jwks.json`) {
			const state = tenant(first);
			state.fetches += 1;
			if (state.down) return new Response("upstream unavailable", { status: 503 });
			return Response.json({ keys: [current.publicJwk] });
		}
		return new Response("not found", { status: 404 });
	};

	return {
		issuer: `${ORIGIN}/`,
		jwksUrl: (name: string) => `${ORIGIN}/${name}/.well-known/jwks.json`,
		signingKeys: JSON.stringify({ current: current.privateJwk, unknown: unknown.privateJwk }),
		handle,
	};
}
