/**
 * @module auth: picks who signs people in. Production builds: Auth0 (auth/auth0). Development builds: the local
 * development issuer (auth/dev), behind `__DEV_SIGN_IN__` so that a production bundle does not contain it.
 */
import { auth0Authenticator, auth0SettingsFromEnv, unconfigured } from "./auth0";
import type { Authenticator } from "./types";

export async function createAuthenticator(): Promise<Authenticator> {
	if (__DEV_SIGN_IN__) {
		const { devAuthenticator } = await import("./dev");
		return devAuthenticator;
	}
	const settings = auth0SettingsFromEnv(import.meta.env);
	return settings ? auth0Authenticator(settings) : unconfigured;
}

export type { Authenticator } from "./types";
export { safeReturnTo } from "./types";
