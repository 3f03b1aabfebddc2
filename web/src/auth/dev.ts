/**
 * @module auth/dev: DEVELOPMENT ONLY. Tokens from the local development issuer (scripts/lib/dev-issuer.ts,
 * started by `npm run dev`), for a chosen demo person. Imported only behind `__DEV_SIGN_IN__`, which a production
 * build sets to false: this module is not in a production bundle (scripts/web-build.test.ts).
 *
 * The tokens are real RS256 JWTs, verified by the API like Auth0's: the local API trusts the issuer because
 * `.dev.vars` points it there. A deployed API never trusts it.
 */
import type { Authenticator } from "./types";

const STORAGE_KEY = "flourish.dev-sign-in";

interface StoredToken {
	sub: string;
	token: string;
	expiresAt: number;
}

export const DEMO_PEOPLE = [
	{ sub: "dev|demo-alice", name: "Alice", about: "a member" },
	{ sub: "dev|demo-bob", name: "Bob", about: "a member" },
	{ sub: "dev|demo-guide", name: "Gabriel", about: "a verified guide" },
	{ sub: "dev|demo-guardian", name: "Grace", about: "a guardian" },
] as const;

function stored(): StoredToken | null {
	try {
		const value = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null") as StoredToken | null;
		return value && value.expiresAt > Date.now() + 30_000 ? value : null;
	} catch {
		return null;
	}
}

/** Asks the development issuer for a token for `sub`, and keeps it for this tab. */
export async function devSignIn(sub: string): Promise<void> {
	const response = await fetch(`${__DEV_ISSUER_URL__}/dev/token`, {
		method: "POST",
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ sub }),
	});
	if (!response.ok)
		throw new Error(`The development issuer refused (${response.status}). Is npm run dev running?`);
	const body = (await response.json()) as { access_token: string; expires_in: number };
	const value: StoredToken = {
		sub,
		token: body.access_token,
		expiresAt: Date.now() + body.expires_in * 1000,
	};
	sessionStorage.setItem(STORAGE_KEY, JSON.stringify(value));
}

export const devAuthenticator: Authenticator = {
	kind: "development",
	start: async () => ({ signedIn: stored() !== null }),
	getToken: async () => stored()?.token ?? null,
	signIn: async () => {},
	signOut: async () => sessionStorage.removeItem(STORAGE_KEY),
};
