/**
 * @module auth/auth0: production sign-in through Auth0's own SPA SDK: Universal Login, authorization code with
 * PKCE, refresh-token rotation. Configured at build time (VITE_AUTH0_DOMAIN, VITE_AUTH0_CLIENT_ID,
 * VITE_AUTH0_AUDIENCE: public values, not secrets). Tokens stay in memory; a reload gets a fresh one silently.
 *
 * The SDK (≈ 63 KB gzip) is its own chunk, loaded after the first render: the page's frame never waits for it.
 */
import type { Auth0Client } from "@auth0/auth0-spa-js";
import { type Authenticator, safeReturnTo } from "./types";

export interface Auth0Settings {
	domain: string;
	clientId: string;
	audience: string;
}

export function auth0SettingsFromEnv(env: ImportMetaEnv): Auth0Settings | null {
	const { VITE_AUTH0_DOMAIN: domain, VITE_AUTH0_CLIENT_ID: clientId, VITE_AUTH0_AUDIENCE: audience } = env;
	return domain && clientId && audience ? { domain, clientId, audience } : null;
}

/** A build without Auth0 settings: the app says so instead of failing somewhere deeper. */
export const unconfigured: Authenticator = {
	kind: "unconfigured",
	start: async () => ({ signedIn: false }),
	getToken: async () => null,
	signIn: async () => {
		throw new Error("Sign-in is not set up for this build of Flourish.");
	},
	signOut: async () => {},
};

export function auth0Authenticator(settings: Auth0Settings): Authenticator {
	let client: Promise<Auth0Client> | undefined;
	const sdk = () => {
		client ??= import("@auth0/auth0-spa-js").then(({ createAuth0Client }) =>
			createAuth0Client({
				domain: settings.domain,
				clientId: settings.clientId,
				authorizationParams: {
					audience: settings.audience,
					redirect_uri: `${location.origin}/sign-in`,
				},
				cacheLocation: "memory",
				useRefreshTokens: true,
				useRefreshTokensFallback: true,
			}),
		);
		return client;
	};
	return {
		kind: "auth0",
		async start() {
			const auth0 = await sdk();
			const params = new URLSearchParams(location.search);
			let returnTo: string | undefined;
			if (params.has("code") && params.has("state")) {
				const { appState } = await auth0.handleRedirectCallback<{ returnTo?: string }>();
				returnTo = safeReturnTo(appState?.returnTo);
			}
			return { signedIn: await auth0.isAuthenticated(), ...(returnTo ? { returnTo } : {}) };
		},
		async getToken() {
			const auth0 = await sdk();
			try {
				return (await auth0.getTokenSilently()) ?? null;
			} catch {
				return null;
			}
		},
		async signIn(returnTo) {
			await (await sdk()).loginWithRedirect({ appState: { returnTo: safeReturnTo(returnTo) } });
		},
		async signOut() {
			await (await sdk()).logout({ logoutParams: { returnTo: location.origin } });
		},
	};
}
